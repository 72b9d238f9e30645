/*
 * rand.c - kernel randomness. Blocks only until the kernel's pool is
 * initialised at boot, never afterwards.
 */
#include "core/rand.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

static int from_urandom(unsigned char *p, size_t n)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return -errno;
	while (n) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? -errno : -EIO;
			break;
		}
		p += r;
		n -= (size_t)r;
	}
	close(fd);
	return rc;
}

int rand_bytes(void *buf, size_t n)
{
	unsigned char *p = buf;

	while (n) {
		ssize_t r = getrandom(p, n, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno == ENOSYS ? from_urandom(p, n) : -errno;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int rand_hex(char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[64];
	size_t done = 0;

	while (done < n) {
		size_t k = n - done < sizeof(b) ? n - done : sizeof(b);
		int rc = rand_bytes(b, k);

		if (rc)
			return rc;
		for (size_t i = 0; i < k; i++) {
			out[2 * (done + i)] = hex[b[i] >> 4];
			out[2 * (done + i) + 1] = hex[b[i] & 15];
		}
		done += k;
	}
	out[2 * n] = '\0';
	return 0;
}
