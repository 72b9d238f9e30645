/*
 * dirlist.c - recursive, sorted listing of a directory's JSON files.
 */
#include "core/dirlist.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct list {
	char **files;
	size_t n, cap, max;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int push(struct list *l, const char *path)
{
	if (l->n >= l->max)
		return -E2BIG;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 32;
		char **nf = realloc(l->files, nc * sizeof(*nf));

		if (!nf)
			return -ENOMEM;
		l->files = nf;
		l->cap = nc;
	}
	l->files[l->n] = strdup(path);
	if (!l->files[l->n])
		return -ENOMEM;
	l->n++;
	return 0;
}

static bool skipped(const char *name, const char *const *skip)
{
	for (; skip && *skip; skip++)
		if (!strcmp(name, *skip))
			return true;
	return false;
}

static int walk(const char *dir, const char *const *skip, int depth, struct list *l)
{
	DIR *dh = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t nn = 0, cn = 0;
	int rc = 0;

	if (!dh)
		return -ENOENT;
	while ((de = readdir(dh))) {
		if (de->d_name[0] == '.')
			continue;
		if (nn == cn) {
			char **nnm = realloc(names, (cn = cn ? cn * 2 : 32) * sizeof(*names));

			if (!nnm) {
				rc = -ENOMEM;
				break;
			}
			names = nnm;
		}
		names[nn] = strdup(de->d_name);
		if (!names[nn]) {
			rc = -ENOMEM;
			break;
		}
		nn++;
	}
	closedir(dh);
	if (nn)
		qsort(names, nn, sizeof(*names), cmp_str);
	for (size_t i = 0; i < nn && !rc; i++) {
		char path[4096];
		struct stat st;
		size_t len = strlen(names[i]);

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= sizeof(path) || stat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth < DIRLIST_DEPTH && (rc = walk(path, NULL, depth + 1, l)) == -ENOENT)
				rc = 0;   /* an unreadable sub-directory holds no content */
			continue;
		}
		if (len < 6 || strcmp(names[i] + len - 5, ".json") || (depth == 0 && skipped(names[i], skip)))
			continue;
		rc = push(l, path);
	}
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	return rc;
}

int dirlist_json(const char *dir, const char *const *skip, size_t max, char ***files, size_t *n)
{
	struct list l = { NULL, 0, 0, max };
	int rc = walk(dir, skip, 0, &l);

	if (rc) {
		dirlist_free(l.files, l.n);
		return rc;
	}
	*files = l.files;
	*n = l.n;
	return 0;
}

void dirlist_free(char **files, size_t n)
{
	if (!files)
		return;
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
}
