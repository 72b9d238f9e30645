/*
 * test_core_sign.c - HMAC-SHA256 (RFC 4231 vector) and signed-context
 * verification: valid, expired, tampered payload, tampered expiry, bad hex.
 */
#include "core/sign.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static const char secret[] = "shared-secret";
static const char payload[] = "{\"customer\":{\"id\":\"c-1001\",\"tier\":\"vip\"}}";

static void hmac_should_match_the_rfc4231_vector(void **state)
{
	/* RFC 4231 test case 2. */
	static const unsigned char want[SIGN_MAC_BYTES] = {
		0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26, 0x08, 0x95, 0x75, 0xc7,
		0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43 };
	unsigned char mac[SIGN_MAC_BYTES];
	const char *msg = "what do ya want for nothing?";

	(void)state;
	assert_int_equal(sign_hmac_sha256("Jefe", 4, msg, strlen(msg), mac), 0);
	assert_memory_equal(mac, want, SIGN_MAC_BYTES);
}

static void sign_should_cover_the_expiry_and_the_exact_payload(void **state)
{
	char hex[SIGN_HEX_BYTES + 1];
	unsigned char mac[SIGN_MAC_BYTES];
	char msg[256];
	char want[SIGN_HEX_BYTES + 1];

	(void)state;
	assert_int_equal(sign_context(secret, payload, 1767225600, hex), 0);
	assert_int_equal(strlen(hex), SIGN_HEX_BYTES);
	snprintf(msg, sizeof(msg), "1767225600.%s", payload);
	assert_int_equal(sign_hmac_sha256(secret, strlen(secret), msg, strlen(msg), mac), 0);
	for (int i = 0; i < SIGN_MAC_BYTES; i++)
		snprintf(want + 2 * i, 3, "%02x", mac[i]);
	assert_string_equal(hex, want);
}

static void verify_should_accept_a_valid_unexpired_signature(void **state)
{
	char hex[SIGN_HEX_BYTES + 1];

	(void)state;
	assert_int_equal(sign_context(secret, payload, 2000, hex), 0);
	assert_int_equal(sign_verify(secret, payload, 2000, hex, 1999), 0);
}

static void verify_should_accept_uppercase_hex(void **state)
{
	char hex[SIGN_HEX_BYTES + 1];

	(void)state;
	assert_int_equal(sign_context(secret, payload, 2000, hex), 0);
	for (char *p = hex; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	assert_int_equal(sign_verify(secret, payload, 2000, hex, 1000), 0);
}

static void verify_should_report_expiry_at_and_after_exp(void **state)
{
	char hex[SIGN_HEX_BYTES + 1];

	(void)state;
	assert_int_equal(sign_context(secret, payload, 2000, hex), 0);
	assert_int_equal(sign_verify(secret, payload, 2000, hex, 2000), -ETIME);
	assert_int_equal(sign_verify(secret, payload, 2000, hex, 99999), -ETIME);
}

static void verify_should_reject_a_tampered_payload(void **state)
{
	char hex[SIGN_HEX_BYTES + 1];
	char bad[sizeof(payload)];

	(void)state;
	assert_int_equal(sign_context(secret, payload, 2000, hex), 0);
	memcpy(bad, payload, sizeof(payload));
	memcpy(strstr(bad, "vip"), "VIP", 3);
	assert_int_equal(sign_verify(secret, bad, 2000, hex, 1000), -EKEYREJECTED);
}

static void verify_should_reject_an_extended_expiry(void **state)
{
	char hex[SIGN_HEX_BYTES + 1];

	(void)state;
	assert_int_equal(sign_context(secret, payload, 2000, hex), 0);
	/* Tampered and expired: the signature is checked first. */
	assert_int_equal(sign_verify(secret, payload, 3000, hex, 2500), -EKEYREJECTED);
	assert_int_equal(sign_verify(secret, payload, 3000, hex, 1000), -EKEYREJECTED);
}

static void verify_should_reject_a_flipped_signature_digit(void **state)
{
	char hex[SIGN_HEX_BYTES + 1];

	(void)state;
	assert_int_equal(sign_context(secret, payload, 2000, hex), 0);
	hex[SIGN_HEX_BYTES - 1] = hex[SIGN_HEX_BYTES - 1] == '0' ? '1' : '0';
	assert_int_equal(sign_verify(secret, payload, 2000, hex, 1000), -EKEYREJECTED);
}

static void verify_should_reject_another_secret(void **state)
{
	char hex[SIGN_HEX_BYTES + 1];

	(void)state;
	assert_int_equal(sign_context("other", payload, 2000, hex), 0);
	assert_int_equal(sign_verify(secret, payload, 2000, hex, 1000), -EKEYREJECTED);
}

static void verify_should_reject_malformed_or_missing_signatures(void **state)
{
	char hex[SIGN_HEX_BYTES + 1];

	(void)state;
	assert_int_equal(sign_context(secret, payload, 2000, hex), 0);
	assert_int_equal(sign_verify(secret, payload, 2000, NULL, 1000), -EKEYREJECTED);
	assert_int_equal(sign_verify(secret, payload, 2000, "", 1000), -EKEYREJECTED);
	hex[10] = 'g';
	assert_int_equal(sign_verify(secret, payload, 2000, hex, 1000), -EKEYREJECTED);
	hex[10] = '\0';
	assert_int_equal(sign_verify(secret, payload, 2000, hex, 1000), -EKEYREJECTED);
}

static void verify_should_reject_everything_without_a_secret(void **state)
{
	char hex[SIGN_HEX_BYTES + 1];

	(void)state;
	assert_int_equal(sign_context("", payload, 2000, hex), -EINVAL);
	assert_int_equal(sign_context(secret, payload, 2000, hex), 0);
	assert_int_equal(sign_verify("", payload, 2000, hex, 1000), -EKEYREJECTED);
	assert_int_equal(sign_verify(NULL, payload, 2000, hex, 1000), -EKEYREJECTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hmac_should_match_the_rfc4231_vector),
		cmocka_unit_test(sign_should_cover_the_expiry_and_the_exact_payload),
		cmocka_unit_test(verify_should_accept_a_valid_unexpired_signature),
		cmocka_unit_test(verify_should_accept_uppercase_hex),
		cmocka_unit_test(verify_should_report_expiry_at_and_after_exp),
		cmocka_unit_test(verify_should_reject_a_tampered_payload),
		cmocka_unit_test(verify_should_reject_an_extended_expiry),
		cmocka_unit_test(verify_should_reject_a_flipped_signature_digit),
		cmocka_unit_test(verify_should_reject_another_secret),
		cmocka_unit_test(verify_should_reject_malformed_or_missing_signatures),
		cmocka_unit_test(verify_should_reject_everything_without_a_secret),
	};

	return cmocka_run_group_tests_name("core/sign", tests, NULL, NULL);
}
