/*
 * t2s.c - OpenCC wrapper; copies OpenCC's result into malloc'd memory so the
 * rest of the program frees it with free().
 */
#include "text/t2s.h"

#include <opencc/opencc.h>
#include <stdlib.h>
#include <string.h>

struct t2s {
	opencc_t cc;
};

struct t2s *t2s_new(const char *config)
{
	struct t2s *t;
	opencc_t cc = opencc_open(config);

	if (cc == (opencc_t)-1)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t) {
		opencc_close(cc);
		return NULL;
	}
	t->cc = cc;
	return t;
}

void t2s_free(struct t2s *t)
{
	if (!t)
		return;
	opencc_close(t->cc);
	free(t);
}

char *t2s_convert(struct t2s *t, const char *in, size_t len, size_t *out_len)
{
	char *r = opencc_convert_utf8(t->cc, in, len), *copy;
	size_t n;

	if (!r)
		return NULL;
	n = strlen(r);
	copy = malloc(n + 1);
	if (copy) {
		memcpy(copy, r, n + 1);
		*out_len = n;
	}
	opencc_convert_utf8_free(r);
	return copy;
}
