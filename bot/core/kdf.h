/*
 * kdf.h - password hashing for agent accounts: PBKDF2-HMAC-SHA256 with a
 * per-user random salt, stored as one self-describing string
 * "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>", and checked in constant
 * time. Also the random bytes and SHA-256 digests the hand-off code needs
 * (ticket references, agent session tokens). Never logs a password.
 */
#ifndef BOT_CORE_KDF_H
#define BOT_CORE_KDF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KDF_SALT_BYTES   16
#define KDF_HASH_BYTES   32           /* SHA-256 output */
#define KDF_ITER_MIN     100000u      /* weaker stored hashes are refused */
#define KDF_ITER_DEFAULT 210000u      /* about 70 ms on one core of a 2020s server */
#define KDF_ITER_MAX     10000000u
#define KDF_ENCODED_MAX  128          /* room for an encoded hash and its NUL */
#define KDF_PASSWORD_MAX 1024         /* bytes of a password accepted */

/*
 * Raw PBKDF2-HMAC-SHA256 of pw[0..pwlen) with salt into out[0..outlen).
 * Returns 0, or -EINVAL (NULL arguments, iter 0, outlen 0, library failure).
 */
int kdf_pbkdf2_sha256(const char *pw, size_t pwlen, const uint8_t *salt, size_t saltlen, unsigned iter,
		      uint8_t *out, size_t outlen);

/*
 * Hash password pw (NUL-terminated, at most KDF_PASSWORD_MAX bytes) with a
 * fresh random salt and iter iterations (0 = KDF_ITER_DEFAULT; otherwise
 * KDF_ITER_MIN..KDF_ITER_MAX) and write the encoded string, NUL-terminated,
 * into out. Returns 0, -EINVAL (bad iter, NULL, empty or over-long password),
 * -EIO when no random bytes could be had.
 */
int kdf_hash_password(const char *pw, unsigned iter, char out[KDF_ENCODED_MAX]);

/*
 * Check pw against an encoded string made by kdf_hash_password. The hashes
 * are compared in constant time. Returns 0 when the password is right,
 * -EACCES when it is wrong, -EINVAL when encoded is malformed or uses fewer
 * than KDF_ITER_MIN iterations (such a hash is never accepted).
 */
int kdf_verify_password(const char *pw, const char *encoded);

/* Compare a[0..n) and b[0..n) in time that depends only on n. */
bool kdf_equal(const void *a, const void *b, size_t n);

/* Fill buf with n cryptographically strong random bytes. Returns 0 or -EIO. */
int kdf_random(void *buf, size_t n);

/* SHA-256 of data[0..len) into out. Returns 0 or -EINVAL. */
int kdf_sha256(const void *data, size_t len, uint8_t out[KDF_HASH_BYTES]);

/* Write n bytes as 2n lowercase hex digits and a NUL into out (room for 2n + 1). */
void kdf_hex(const uint8_t *in, size_t n, char *out);

#endif
