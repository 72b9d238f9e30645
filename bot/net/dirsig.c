/*
 * dirsig.c - walk a directory tree and fold each regular file's relative
 * path, size, mtime (ns) and inode into one 64-bit value. The fold is a sum
 * of per-file hashes, so the order readdir returns does not matter.
 */
#include "net/dirsig.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ull;
	}
	return h;
}

struct walk {
	uint64_t sum;
	size_t files, max_files;
	char path[PATH_MAX];
	size_t root_len;
};

static int walk_dir(struct walk *w, size_t len, int depth)
{
	DIR *d = opendir(w->path);
	struct dirent *de;

	if (!d)
		return -errno;
	while ((de = readdir(d)) && w->files < w->max_files) {
		size_t nl = strlen(de->d_name);
		struct stat st;

		if (de->d_name[0] == '.' || de->d_name[nl - 1] == '~' || len + 1 + nl >= sizeof(w->path))
			continue;
		w->path[len] = '/';
		memcpy(w->path + len + 1, de->d_name, nl + 1);
		if (stat(w->path, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth > 0)
				walk_dir(w, len + 1 + nl, depth - 1);
		} else if (S_ISREG(st.st_mode)) {
			uint64_t h = 14695981039346656037ull;
			int64_t v[4] = { (int64_t)st.st_size, (int64_t)st.st_mtim.tv_sec, (int64_t)st.st_mtim.tv_nsec,
					 (int64_t)st.st_ino };

			h = fnv(h, w->path + w->root_len, len + 1 + nl - w->root_len);
			h = fnv(h, v, sizeof(v));
			w->sum += h;
			w->files++;
		}
		w->path[len] = '\0';
	}
	closedir(d);
	return 0;
}

int dirsig_compute(const char *dir, int max_depth, size_t max_files, uint64_t *sig)
{
	struct walk w;
	size_t len = strlen(dir);
	int rc;

	*sig = 0;
	if (len >= sizeof(w.path))
		return -ENAMETOOLONG;
	memset(&w, 0, sizeof(w));
	w.max_files = max_files;
	memcpy(w.path, dir, len + 1);
	w.root_len = len;
	rc = walk_dir(&w, len, max_depth);
	if (rc)
		return rc;
	*sig = w.sum ^ fnv(14695981039346656037ull, &w.files, sizeof(w.files));
	return 0;
}
