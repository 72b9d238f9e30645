/*
 * sign.h - HMAC-SHA256 signatures for context the host site's backend vouches
 * for (customer id, tier). The MAC covers "<exp>.<payload>": the expiry as a
 * decimal Unix time, a dot, then the payload bytes exactly as sent. Signatures
 * travel as 64 lowercase (or uppercase) hex digits. Verification runs in
 * constant time with respect to the signature. Never logs the secret.
 */
#ifndef BOT_CORE_SIGN_H
#define BOT_CORE_SIGN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define SIGN_MAC_BYTES 32                       /* raw HMAC-SHA256 */
#define SIGN_HEX_BYTES (2 * SIGN_MAC_BYTES)     /* hex form, without the NUL */

/*
 * Raw HMAC-SHA256 of msg[0..len) under key[0..keylen) into out. Returns 0,
 * or -EINVAL when key or msg is NULL (with a non-zero length) or the
 * library call fails.
 */
int sign_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t len,
		     unsigned char out[SIGN_MAC_BYTES]);

/*
 * Sign payload (NUL-terminated) with secret until exp: writes the 64 hex
 * digits and a NUL into hex. For hosts, tests and the CLI. Returns 0,
 * -EINVAL for a NULL or empty secret or a NULL payload, -ENOMEM.
 */
int sign_context(const char *secret, const char *payload, int64_t exp, char hex[SIGN_HEX_BYTES + 1]);

/*
 * Verify that sig (hex) is the signature of payload with exp under secret
 * and that it has not expired at now (valid while now < exp). The MAC is
 * checked first, in constant time, so a tampered expired context reports
 * -EKEYREJECTED. Returns 0 when valid, -EKEYREJECTED for a wrong, malformed
 * or missing signature or an empty secret, -ETIME when expired, -ENOMEM.
 */
int sign_verify(const char *secret, const char *payload, int64_t exp, const char *sig, time_t now);

#endif
