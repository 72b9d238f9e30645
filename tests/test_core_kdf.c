/*
 * test_core_kdf.c - PBKDF2-HMAC-SHA256 against the RFC 7914 vectors, the
 * encoded password hash (right and wrong passwords, malformed and weak
 * strings), constant-time comparison, SHA-256 and random bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/kdf.h"

static void hex_of(const uint8_t *b, size_t n, char *out)
{
	kdf_hex(b, n, out);
}

static void pbkdf2_should_match_the_rfc_7914_vectors(void **state)
{
	uint8_t out[64];
	char hex[129];

	assert_int_equal(kdf_pbkdf2_sha256("password", 8, (const uint8_t *)"salt", 4, 1, out, 32), 0);
	hex_of(out, 32, hex);
	assert_string_equal(hex, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b");
	assert_int_equal(kdf_pbkdf2_sha256("password", 8, (const uint8_t *)"salt", 4, 4096, out, 32), 0);
	hex_of(out, 32, hex);
	assert_string_equal(hex, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
	assert_int_equal(kdf_pbkdf2_sha256("passwd", 6, (const uint8_t *)"salt", 4, 1, out, 64), 0);
	hex_of(out, 64, hex);
	assert_string_equal(hex, "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
				 "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
}

static void pbkdf2_should_refuse_zero_iterations(void **state)
{
	uint8_t out[32];

	assert_int_equal(kdf_pbkdf2_sha256("pw", 2, (const uint8_t *)"s", 1, 0, out, 32), -EINVAL);
	assert_int_equal(kdf_pbkdf2_sha256(NULL, 0, (const uint8_t *)"s", 1, 1, out, 32), -EINVAL);
}

static void hash_should_verify_the_right_password_and_refuse_a_wrong_one(void **state)
{
	char enc[KDF_ENCODED_MAX];

	assert_int_equal(kdf_hash_password("correct horse", KDF_ITER_MIN, enc), 0);
	assert_int_equal(kdf_verify_password("correct horse", enc), 0);
	assert_int_equal(kdf_verify_password("correct hors", enc), -EACCES);
	assert_int_equal(kdf_verify_password("Correct horse", enc), -EACCES);
	assert_int_equal(kdf_verify_password("", enc), -EACCES);
}

static void hash_should_use_a_fresh_salt_and_record_the_iterations(void **state)
{
	char a[KDF_ENCODED_MAX], b[KDF_ENCODED_MAX];

	assert_int_equal(kdf_hash_password("same", KDF_ITER_MIN, a), 0);
	assert_int_equal(kdf_hash_password("same", KDF_ITER_MIN, b), 0);
	assert_string_not_equal(a, b);
	assert_true(strncmp(a, "pbkdf2-sha256$100000$", 21) == 0);
	assert_int_equal(strlen(a), 21 + 32 + 1 + 64);
}

static void hash_should_default_to_at_least_100k_iterations(void **state)
{
	char enc[KDF_ENCODED_MAX];
	unsigned long iter = 0;

	assert_true(KDF_ITER_DEFAULT >= 100000);
	assert_int_equal(kdf_hash_password("pw", 0, enc), 0);
	assert_int_equal(sscanf(enc, "pbkdf2-sha256$%lu$", &iter), 1);
	assert_int_equal(iter, KDF_ITER_DEFAULT);
	assert_int_equal(kdf_verify_password("pw", enc), 0);
}

static void hash_should_refuse_weak_settings_and_empty_passwords(void **state)
{
	char enc[KDF_ENCODED_MAX];

	assert_int_equal(kdf_hash_password("pw", 1000, enc), -EINVAL);
	assert_int_equal(kdf_hash_password("", KDF_ITER_MIN, enc), -EINVAL);
	assert_int_equal(kdf_hash_password(NULL, KDF_ITER_MIN, enc), -EINVAL);
}

static void verify_should_refuse_malformed_and_weak_hashes(void **state)
{
	char weak[KDF_ENCODED_MAX], enc[KDF_ENCODED_MAX];
	uint8_t salt[KDF_SALT_BYTES] = { 1, 2, 3 }, h[KDF_HASH_BYTES];
	char sh[2 * KDF_SALT_BYTES + 1], hh[2 * KDF_HASH_BYTES + 1];

	/* a correct hash of "pw" with only 1000 iterations is still refused */
	assert_int_equal(kdf_pbkdf2_sha256("pw", 2, salt, sizeof(salt), 1000, h, sizeof(h)), 0);
	kdf_hex(salt, sizeof(salt), sh);
	kdf_hex(h, sizeof(h), hh);
	snprintf(weak, sizeof(weak), "pbkdf2-sha256$1000$%s$%s", sh, hh);
	assert_int_equal(kdf_verify_password("pw", weak), -EINVAL);

	assert_int_equal(kdf_hash_password("pw", KDF_ITER_MIN, enc), 0);
	assert_int_equal(kdf_verify_password("pw", "plain"), -EINVAL);
	assert_int_equal(kdf_verify_password("pw", ""), -EINVAL);
	assert_int_equal(kdf_verify_password("pw", "pbkdf2-sha256$$$"), -EINVAL);
	enc[strlen(enc) - 1] = 'g';                       /* not hex */
	assert_int_equal(kdf_verify_password("pw", enc), -EINVAL);
	enc[strlen(enc) - 1] = '\0';                      /* truncated */
	assert_int_equal(kdf_verify_password("pw", enc), -EINVAL);
	assert_int_equal(kdf_verify_password("pw", "pbkdf2-sha256$-5$00$00"), -EINVAL);
}

static void equal_should_compare_whole_buffers(void **state)
{
	assert_true(kdf_equal("abcd", "abcd", 4));
	assert_false(kdf_equal("abcd", "abce", 4));
	assert_false(kdf_equal("xbcd", "abcd", 4));
	assert_true(kdf_equal("", "", 0));
}

static void sha256_should_match_the_fips_vector(void **state)
{
	uint8_t d[KDF_HASH_BYTES];
	char hex[2 * KDF_HASH_BYTES + 1];

	assert_int_equal(kdf_sha256("abc", 3, d), 0);
	kdf_hex(d, sizeof(d), hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void random_should_not_repeat(void **state)
{
	uint8_t a[16], b[16];

	assert_int_equal(kdf_random(a, sizeof(a)), 0);
	assert_int_equal(kdf_random(b, sizeof(b)), 0);
	assert_memory_not_equal(a, b, sizeof(a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pbkdf2_should_match_the_rfc_7914_vectors),
		cmocka_unit_test(pbkdf2_should_refuse_zero_iterations),
		cmocka_unit_test(hash_should_verify_the_right_password_and_refuse_a_wrong_one),
		cmocka_unit_test(hash_should_use_a_fresh_salt_and_record_the_iterations),
		cmocka_unit_test(hash_should_default_to_at_least_100k_iterations),
		cmocka_unit_test(hash_should_refuse_weak_settings_and_empty_passwords),
		cmocka_unit_test(verify_should_refuse_malformed_and_weak_hashes),
		cmocka_unit_test(equal_should_compare_whole_buffers),
		cmocka_unit_test(sha256_should_match_the_fips_vector),
		cmocka_unit_test(random_should_not_repeat),
	};

	return cmocka_run_group_tests_name("core/kdf", tests, NULL, NULL);
}
