/*
 * rand.h - cryptographically strong random bytes from the kernel
 * (getrandom, or /dev/urandom where it is missing), for session tokens.
 * Never a userspace PRNG.
 */
#ifndef BOT_CORE_RAND_H
#define BOT_CORE_RAND_H

#include <stddef.h>

/* Fill buf with n random bytes. Returns 0, or a negative errno (-EIO, ...). */
int rand_bytes(void *buf, size_t n);

/*
 * Write n random bytes as 2n lowercase hex digits plus a NUL to out (room for
 * 2n + 1 bytes). Returns 0 or a negative errno.
 */
int rand_hex(char *out, size_t n);

#endif
