/*
 * segment.c - jieba-style segmentation: the dictionary stores every word
 * with its frequency and every proper prefix with frequency 0, so building
 * the word graph stops as soon as a prefix is not in it. The route maximises
 * the sum of log(freq / total), as jieba's calc() does.
 */
#include "text/segment.h"

#include "core/limits.h"
#include "core/str.h"
#include "core/strmap.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEG_MAX_RUN 256   /* characters segmented per run; longer runs are cut */

struct segment {
	struct strmap *words;   /* word -> freq; prefixes -> 0 */
	double total;
	size_t n_words;
};

struct segment *segment_new(void)
{
	struct segment *sg = calloc(1, sizeof(*sg));

	if (!sg)
		return NULL;
	sg->words = strmap_new();
	if (!sg->words) {
		free(sg);
		return NULL;
	}
	return sg;
}

void segment_free(struct segment *sg)
{
	if (!sg)
		return;
	strmap_free(sg->words);
	free(sg);
}

size_t segment_words(const struct segment *sg) { return sg->n_words; }
size_t segment_bytes(const struct segment *sg) { return sizeof(*sg) + strmap_bytes(sg->words); }

int segment_add(struct segment *sg, const char *word, size_t len, uint32_t freq)
{
	int ins;
	uint32_t *v;
	size_t i = 0;

	if (!len || !freq)
		return -EINVAL;
	/* Prefixes first, so lookups can stop at the first missing one. */
	while (i < len) {
		str_utf8_next(word, len, &i);
		if (i >= len)
			break;
		if (!strmap_put(sg->words, word, i, 0, NULL))
			return -ENOMEM;
	}
	v = strmap_put(sg->words, word, len, 0, &ins);
	if (!v)
		return -ENOMEM;
	if (!*v)
		sg->n_words++;
	if (*v < freq) {
		sg->total += freq - *v;
		*v = freq;
	}
	return 0;
}

int segment_load(struct segment *sg, const char *path, uint32_t default_freq)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int rc = 0;

	if (!f)
		return -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		char *w = line, *p, *end;
		unsigned long freq = default_freq;
		size_t wl;

		while (*w == ' ' || *w == '\t')
			w++;
		if (*w == '#' || *w == '\n' || !*w)
			continue;
		for (p = w; *p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r'; p++)
			;
		wl = (size_t)(p - w);
		if (*p == ' ' || *p == '\t') {
			unsigned long v = strtoul(p + 1, &end, 10);

			if (end != p + 1 && v > 0)
				freq = v > UINT32_MAX / 2 ? UINT32_MAX / 2 : v;
		}
		if (!wl || wl >= LIM_TOKEN_BYTES || !str_utf8_valid(w, wl, NULL))
			continue;
		rc = segment_add(sg, w, wl, (uint32_t)freq);
		if (rc)
			break;
	}
	fclose(f);
	return rc;
}

size_t segment_run(const struct segment *sg, const char *run, size_t len, struct segment_word *out, size_t max)
{
	uint32_t off[SEG_MAX_RUN + 1];
	double route[SEG_MAX_RUN + 1];
	int next[SEG_MAX_RUN + 1];
	size_t n = 0, i = 0, nw = 0;
	double logtotal = log(sg->total > 1 ? sg->total : 1);

	while (i < len && n < SEG_MAX_RUN) {
		off[n++] = (uint32_t)i;
		str_utf8_next(run, len, &i);
	}
	off[n] = (uint32_t)i;

	/* Route from the right: route[k] = best log-probability of run[k..n). */
	route[n] = 0;
	for (size_t k = n; k-- > 0;) {
		double best = -1e300;
		int best_end = (int)k + 1;

		for (size_t e = k + 1; e <= n && e - k <= LIM_TOKEN_BYTES / 3; e++) {
			uint32_t *f = strmap_get(sg->words, run + off[k], off[e] - off[k]);
			double lp;

			if (!f) {
				if (e == k + 1) {
					/* Unknown single character: weight 1, as jieba does. */
					lp = -logtotal + route[e];
					if (lp > best) {
						best = lp;
						best_end = (int)e;
					}
				}
				break;
			}
			if (!*f && e > k + 1)
				continue;       /* a prefix only */
			lp = log(*f ? (double)*f : 1.0) - logtotal + route[e];
			if (lp > best) {
				best = lp;
				best_end = (int)e;
			}
		}
		route[k] = best;
		next[k] = best_end;
	}
	for (size_t k = 0; k < n && nw < max; k = (size_t)next[k]) {
		uint32_t *f;

		out[nw].off = off[k];
		out[nw].len = off[next[k]] - off[k];
		f = strmap_get(sg->words, run + off[k], out[nw].len);
		out[nw].known = (next[k] > (int)k + 1) || (f && *f);
		nw++;
	}
	return nw;
}
