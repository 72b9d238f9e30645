/*
 * sign.c - HMAC-SHA256 via OpenSSL's libcrypto (the only file that includes
 * <openssl/...>). Pure functions: no global state, no logging of secrets.
 */
#include "core/sign.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sign_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t len,
		     unsigned char out[SIGN_MAC_BYTES])
{
	unsigned int n = 0;
	static const unsigned char empty[1];

	if ((!key && keylen) || (!msg && len) || keylen > INT32_MAX)
		return -EINVAL;
	if (!HMAC(EVP_sha256(), key ? key : empty, (int)keylen, msg ? msg : empty, len, out, &n) ||
	    n != SIGN_MAC_BYTES)
		return -EINVAL;
	return 0;
}

/* MAC of "<exp>.<payload>" under secret. */
static int mac_of(const char *secret, const char *payload, int64_t exp, unsigned char mac[SIGN_MAC_BYTES])
{
	char head[32];
	size_t hl, pl, n;
	char *msg;
	int rc;

	if (!secret || !*secret || !payload)
		return -EINVAL;
	hl = (size_t)snprintf(head, sizeof(head), "%" PRId64 ".", exp);
	pl = strlen(payload);
	n = hl + pl;
	msg = malloc(n ? n : 1);
	if (!msg)
		return -ENOMEM;
	memcpy(msg, head, hl);
	memcpy(msg + hl, payload, pl);
	rc = sign_hmac_sha256(secret, strlen(secret), msg, n, mac);
	free(msg);
	return rc;
}

int sign_context(const char *secret, const char *payload, int64_t exp, char hex[SIGN_HEX_BYTES + 1])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char mac[SIGN_MAC_BYTES];
	int rc = mac_of(secret, payload, exp, mac);

	if (rc)
		return rc;
	for (size_t i = 0; i < SIGN_MAC_BYTES; i++) {
		hex[2 * i] = digits[mac[i] >> 4];
		hex[2 * i + 1] = digits[mac[i] & 15];
	}
	hex[SIGN_HEX_BYTES] = '\0';
	return 0;
}

/* Value of one hex digit, or -1; no data-dependent branches on valid input. */
static int hexval(unsigned char c)
{
	int d = c - '0', l = (c | 0x20) - 'a' + 10;
	int is_d = (unsigned)d <= 9, is_l = (unsigned)(l - 10) <= 5;

	return is_d ? d : is_l ? l : -1;
}

int sign_verify(const char *secret, const char *payload, int64_t exp, const char *sig, time_t now)
{
	unsigned char mac[SIGN_MAC_BYTES];
	unsigned diff = 0;
	bool bad = false;
	int rc;

	if (!sig || strlen(sig) != SIGN_HEX_BYTES)
		return -EKEYREJECTED;
	rc = mac_of(secret, payload, exp, mac);
	if (rc == -EINVAL)
		return -EKEYREJECTED;
	if (rc)
		return rc;
	/* Compare every byte, whatever the earlier ones were. */
	for (size_t i = 0; i < SIGN_MAC_BYTES; i++) {
		int hi = hexval((unsigned char)sig[2 * i]), lo = hexval((unsigned char)sig[2 * i + 1]);

		bad |= hi < 0 || lo < 0;
		diff |= (unsigned)(((hi & 15) << 4 | (lo & 15)) ^ mac[i]);
	}
	if (bad || diff)
		return -EKEYREJECTED;
	if ((int64_t)now >= exp)
		return -ETIME;
	return 0;
}
