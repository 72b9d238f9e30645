/*
 * kdf.c - PBKDF2-HMAC-SHA256 password hashes, constant-time comparison,
 * random bytes and SHA-256, on OpenSSL's libcrypto (the only OpenSSL user
 * besides core/sign.c). Never logs or keeps a password.
 */
#include "core/kdf.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX "pbkdf2-sha256$"

int kdf_pbkdf2_sha256(const char *pw, size_t pwlen, const uint8_t *salt, size_t saltlen, unsigned iter,
		      uint8_t *out, size_t outlen)
{
	if (!pw || !salt || !out || !iter || !outlen || pwlen > KDF_PASSWORD_MAX || saltlen > 1024 ||
	    iter > KDF_ITER_MAX || outlen > 1024)
		return -EINVAL;
	if (PKCS5_PBKDF2_HMAC(pw, (int)pwlen, salt, (int)saltlen, (int)iter, EVP_sha256(), (int)outlen, out) != 1)
		return -EINVAL;
	return 0;
}

void kdf_hex(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int unhex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode exactly n bytes of hex from s (2n digits followed by stop). */
static int unhex(const char *s, char stop, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = unhex_digit(s[2 * i]), lo;

		if (hi < 0)
			return -EINVAL;
		lo = unhex_digit(s[2 * i + 1]);
		if (lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return s[2 * n] == stop ? 0 : -EINVAL;
}

int kdf_hash_password(const char *pw, unsigned iter, char out[KDF_ENCODED_MAX])
{
	uint8_t salt[KDF_SALT_BYTES], hash[KDF_HASH_BYTES];
	char salt_hex[2 * KDF_SALT_BYTES + 1], hash_hex[2 * KDF_HASH_BYTES + 1];
	size_t len;
	int rc;

	if (!iter)
		iter = KDF_ITER_DEFAULT;
	if (!pw || !out || iter < KDF_ITER_MIN || iter > KDF_ITER_MAX)
		return -EINVAL;
	len = strlen(pw);
	if (!len || len > KDF_PASSWORD_MAX)
		return -EINVAL;
	rc = kdf_random(salt, sizeof(salt));
	if (rc)
		return rc;
	rc = kdf_pbkdf2_sha256(pw, len, salt, sizeof(salt), iter, hash, sizeof(hash));
	if (rc)
		goto out;
	kdf_hex(salt, sizeof(salt), salt_hex);
	kdf_hex(hash, sizeof(hash), hash_hex);
	snprintf(out, KDF_ENCODED_MAX, PREFIX "%u$%s$%s", iter, salt_hex, hash_hex);
out:
	OPENSSL_cleanse(hash, sizeof(hash));
	return rc;
}

int kdf_verify_password(const char *pw, const char *encoded)
{
	uint8_t salt[KDF_SALT_BYTES], want[KDF_HASH_BYTES], got[KDF_HASH_BYTES];
	const char *p;
	char *end;
	unsigned long iter;
	int rc;

	if (!pw || !encoded || strncmp(encoded, PREFIX, strlen(PREFIX)) != 0)
		return -EINVAL;
	p = encoded + strlen(PREFIX);
	if (*p < '1' || *p > '9')
		return -EINVAL;
	errno = 0;
	iter = strtoul(p, &end, 10);
	if (errno || *end != '$' || iter < KDF_ITER_MIN || iter > KDF_ITER_MAX)
		return -EINVAL;
	p = end + 1;
	if (unhex(p, '$', salt, sizeof(salt)))
		return -EINVAL;
	p += 2 * sizeof(salt) + 1;
	if (unhex(p, '\0', want, sizeof(want)))
		return -EINVAL;
	if (strlen(pw) > KDF_PASSWORD_MAX)
		return -EACCES;
	rc = kdf_pbkdf2_sha256(pw, strlen(pw), salt, sizeof(salt), (unsigned)iter, got, sizeof(got));
	if (rc)
		return rc;
	rc = kdf_equal(got, want, sizeof(got)) ? 0 : -EACCES;
	OPENSSL_cleanse(got, sizeof(got));
	return rc;
}

bool kdf_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

int kdf_random(void *buf, size_t n)
{
	if (n > (size_t)INT32_MAX)
		return -EINVAL;
	return RAND_bytes(buf, (int)n) == 1 ? 0 : -EIO;
}

/*
 * SHA-256 fetched once: EVP_sha256() makes every digest look the
 * algorithm up again (OpenSSL 3), a cost several times the hashing of a
 * short string. Kept for the process's life.
 */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

int kdf_sha256(const void *data, size_t len, uint8_t out[KDF_HASH_BYTES])
{
	unsigned int n = 0;

	if ((!data && len) || !out)
		return -EINVAL;
	pthread_once(&sha256_once, sha256_fetch);
	if (EVP_Digest(data ? data : "", len, out, &n, sha256_md ? sha256_md : EVP_sha256(), NULL) != 1 ||
	    n != KDF_HASH_BYTES)
		return -EINVAL;
	return 0;
}
