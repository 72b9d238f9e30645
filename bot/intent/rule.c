/*
 * rule.c - compiling and evaluating trigger rules (see rule.h). Each item is
 * kept in up to two forms, with and without synonym rewriting, so a Chinese
 * member of a synonym set still matches inside longer words. Matching is a
 * scan over at most LIM_TOKENS words per item: no allocation.
 */
#include "intent/rule.h"

#include "core/str.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct seq {
	size_t n;
	char *term[RULE_MAX_TERMS];
	uint32_t hash[RULE_MAX_TERMS];   /* term_hash(term): most comparisons end here */
	bool han[RULE_MAX_TERMS];   /* all Han characters: may match inside a longer word */
};

/* A cheap hash of a term (FNV-1a), compared before the strings. */
static uint32_t term_hash(const char *t)
{
	uint32_t h = 2166136261u;

	for (; *t; t++)
		h = (h ^ (unsigned char)*t) * 16777619u;
	return h;
}

struct item {
	struct seq alt[2];
	size_t n_alt;
};

struct rule {
	struct item *items[RULE_LISTS];
	size_t n[RULE_LISTS];
	int max_extra;
};

static void seq_clear(struct seq *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->term[i]);
	s->n = 0;
}

void rule_free(struct rule *r)
{
	if (!r)
		return;
	for (int l = 0; l < RULE_LISTS; l++) {
		for (size_t i = 0; i < r->n[l]; i++)
			for (size_t a = 0; a < r->items[l][i].n_alt; a++)
				seq_clear(&r->items[l][i].alt[a]);
		free(r->items[l]);
	}
	free(r);
}

static bool all_han(const char *s)
{
	size_t i = 0, n = strlen(s);

	if (!n)
		return false;
	while (i < n)
		if (str_script_of(str_utf8_next(s, n, &i)) != SCRIPT_HAN)
			return false;
	return true;
}

/* The units of a token list (see rule_prepare) as a sequence of terms. */
static int to_seq(const struct tok_list *tl, struct seq *s)
{
	struct rule_input in;

	rule_prepare(tl, &in);
	s->n = 0;
	if (in.n > RULE_MAX_TERMS)
		return -E2BIG;
	for (size_t i = 0; i < in.n; i++) {
		s->term[i] = strdup(in.u[i]->term);
		if (!s->term[i]) {
			seq_clear(s);
			return -ENOMEM;
		}
		s->han[i] = all_han(in.u[i]->term);
		s->hash[i] = term_hash(s->term[i]);
		s->n++;
	}
	return 0;
}

static bool seq_equal(const struct seq *a, const struct seq *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->term[i], b->term[i]))
			return false;
	return true;
}

static int compile_item(struct tok_analyzer *an, const char *text, struct item *it, struct tok_list *tl)
{
	int rc;

	it->n_alt = 0;
	rc = tok_run(an, text, strlen(text), 0, tl);
	if (rc)
		return rc;
	rc = to_seq(tl, &it->alt[0]);
	if (rc)
		return rc;
	if (it->alt[0].n)
		it->n_alt = 1;
	/* The form without synonyms, when it differs and is Chinese. */
	if (!all_han(text))
		return 0;
	rc = tok_run(an, text, strlen(text), TOK_NO_SYNONYMS, tl);
	if (rc)
		return rc;
	rc = to_seq(tl, &it->alt[it->n_alt]);
	if (rc)
		return rc;
	if (!it->alt[it->n_alt].n || (it->n_alt && seq_equal(&it->alt[0], &it->alt[it->n_alt])))
		seq_clear(&it->alt[it->n_alt]);
	else
		it->n_alt++;
	return 0;
}

int rule_compile(struct tok_analyzer *an, const struct rule_spec *spec, struct rule **out, struct rule_error *err)
{
	static const char *const names[] = { "all", "any", "not", "allow" };
	struct tok_list *tl = malloc(sizeof(*tl));
	struct rule *r = calloc(1, sizeof(*r));
	int rc = 0;

	*out = NULL;
	err->list = -1;
	err->item = 0;
	err->msg[0] = '\0';
	if (!tl || !r) {
		rc = -ENOMEM;
		goto out;
	}
	if (!spec->n[RULE_ALL] && !spec->n[RULE_ANY]) {
		snprintf(err->msg, sizeof(err->msg), "a rule needs \"all\" or \"any\" words");
		rc = -EINVAL;
		goto out;
	}
	r->max_extra = spec->max_extra;
	for (int l = 0; l < RULE_LISTS; l++) {
		if (!spec->n[l])
			continue;
		r->items[l] = calloc(spec->n[l], sizeof(struct item));
		if (!r->items[l]) {
			rc = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < spec->n[l]; i++) {
			struct item *it = &r->items[l][r->n[l]];
			const char *text = spec->items[l][i];

			rc = text ? compile_item(an, text, it, tl) : -EINVAL;
			if (rc == -ENOMEM)
				goto out;
			err->list = l;
			err->item = i;
			if (rc == -E2BIG) {
				snprintf(err->msg, sizeof(err->msg), "%s word \"%.60s\" is too long (at most %d words)",
					 names[l], text, RULE_MAX_TERMS);
				rc = -EINVAL;
				goto out;
			}
			if (rc) {
				snprintf(err->msg, sizeof(err->msg), "%s word is not valid text", names[l]);
				rc = -EINVAL;
				goto out;
			}
			if (!it->n_alt) {
				if (l == RULE_ALLOW)
					continue;
				snprintf(err->msg, sizeof(err->msg),
					 "%s word \"%.60s\" has only stop words: it can never match", names[l], text);
				rc = -EINVAL;
				goto out;
			}
			r->n[l]++;
		}
	}
	err->list = -1;
	*out = r;
	r = NULL;
out:
	rule_free(r);
	free(tl);
	return rc;
}

/* ---- matching ---- */

void rule_prepare(const struct tok_list *tl, struct rule_input *in)
{
	const struct tok *word = NULL;

	in->n = 0;
	for (size_t i = 0; i < tl->n; i++) {
		const struct tok *t = &tl->t[i];

		if (t->kind != TOK_BIGRAM) {
			word = t;
			in->hash[in->n] = term_hash(t->term);
			in->u[in->n++] = t;
			continue;
		}
		/* A bigram inside the word just before it adds nothing; one of an unknown run is a unit. */
		if (word && (strstr(word->surface, t->term) || strstr(word->term, t->term)))
			continue;
		in->hash[in->n] = term_hash(t->term);
		in->u[in->n++] = t;
	}
}

static bool is_han_unit(const struct tok *u)
{
	size_t i = 0;

	return u->surface_len && str_script_of(str_utf8_next(u->surface, u->surface_len, &i)) == SCRIPT_HAN;
}

static void append(char *dst, size_t *n, size_t cap, const char *src)
{
	size_t l = strlen(src);

	if (*n + l + 1 > cap)
		l = 0;
	memcpy(dst + *n, src, l);
	*n += l;
	dst[*n] = '\0';
}

/* Whether term occurs in c starting inside its first `first` bytes and ending after its first `prev` bytes. */
static bool spans(const char *c, size_t first, size_t prev, const char *term)
{
	size_t tl = strlen(term);

	for (const char *p = strstr(c, term); p; p = strstr(p + 1, term))
		if ((size_t)(p - c) < first && (size_t)(p - c) + tl > prev)
			return true;
	return false;
}

/*
 * How many units term k of s covers when it matches at unit j (0: no match).
 * Equal terms match; a Chinese term also matches inside a unit or across a
 * few adjacent Chinese units ("到哪" in 到 + 哪), by term or by surface: it
 * must start in unit j and end in the last unit counted.
 */
static size_t term_at(const struct seq *s, size_t k, const struct rule_input *in, size_t j)
{
	char ct[LIM_TOKEN_BYTES * 4], cs[LIM_TOKEN_BYTES * 4];
	size_t lt = 0, ls = 0, ft = 0, fs = 0;

	if (s->hash[k] == in->hash[j] && !strcmp(s->term[k], in->u[j]->term))
		return 1;
	if (!s->han[k])
		return 0;
	for (size_t m = 0; m < 4 && j + m < in->n; m++) {
		const struct tok *u = in->u[j + m];
		size_t pt = lt, ps = ls;

		if (!is_han_unit(u))
			break;
		append(ct, &lt, sizeof(ct), u->term);
		append(cs, &ls, sizeof(cs), u->surface);
		if (!m) {
			ft = lt;
			fs = ls;
			pt = ps = 0;
		}
		if (spans(ct, ft, pt, s->term[k]) || spans(cs, fs, ps, s->term[k]))
			return m + 1;
	}
	return 0;
}

/*
 * Find seq in the units; mark (when mark is not NULL) the units of every
 * occurrence. Returns whether it occurs at least once.
 */
static bool seq_find(const struct seq *s, const struct rule_input *in, uint8_t *mark)
{
	size_t pos[RULE_MAX_TERMS], len[RULE_MAX_TERMS];
	bool found = false;

	for (size_t st = 0; st < in->n; st++) {
		size_t k = 1, at, c = term_at(s, 0, in, st);

		if (!c)
			continue;
		pos[0] = st;
		len[0] = c;
		at = st + c - 1;
		while (k < s->n) {
			size_t lim = at + 1 + RULE_GAP, j;

			c = 0;
			for (j = at + 1; j < in->n && j <= lim && !c; j++)
				c = term_at(s, k, in, j);
			if (!c)
				break;
			j--;
			pos[k] = j;
			len[k++] = c;
			at = j + c - 1;
		}
		if (k < s->n)
			continue;
		found = true;
		if (!mark)
			return true;
		for (size_t q = 0; q < s->n; q++)
			memset(mark + pos[q], 1, len[q]);
	}
	return found;
}

static bool item_find(const struct item *it, const struct rule_input *in, uint8_t *mark)
{
	bool found = false;

	for (size_t a = 0; a < it->n_alt; a++)
		found |= seq_find(&it->alt[a], in, mark);
	return found;
}

bool rule_match(const struct rule *r, const struct rule_input *in, unsigned *coverage)
{
	uint8_t mark[LIM_TOKENS];
	bool any = !r->n[RULE_ANY];
	unsigned cov = 0;
	int extra = 0;

	if (coverage)
		*coverage = 0;
	for (size_t i = 0; i < r->n[RULE_NOT]; i++)
		if (item_find(&r->items[RULE_NOT][i], in, NULL))
			return false;
	memset(mark, 0, in->n);
	for (size_t i = 0; i < r->n[RULE_ALL]; i++)
		if (!item_find(&r->items[RULE_ALL][i], in, mark))
			return false;
	for (size_t i = 0; i < r->n[RULE_ANY]; i++)
		any |= item_find(&r->items[RULE_ANY][i], in, mark);
	if (!any)
		return false;
	for (size_t i = 0; i < in->n; i++)
		cov += mark[i];
	if (r->max_extra >= 0) {
		for (size_t i = 0; i < r->n[RULE_ALLOW]; i++)
			item_find(&r->items[RULE_ALLOW][i], in, mark);
		for (size_t i = 0; i < in->n; i++)
			extra += !mark[i];
		if (extra > r->max_extra)
			return false;
	}
	if (coverage)
		*coverage = cov;
	return true;
}
