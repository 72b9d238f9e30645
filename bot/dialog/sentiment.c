/*
 * sentiment.c - anger and complaint scoring over folded units (words of
 * alphabetic scripts, single Han characters), with negation scopes,
 * intensifiers and capitals. No I/O; the only allocation per call is the
 * unit buffer of the text being scored.
 */
#include "dialog/sentiment.h"

#include "core/str.h"
#include "core/strmap.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum wild { WILD_NONE = 0, WILD_PREFIX, WILD_SUFFIX };

struct entry {
	char phrase[LIM_SENTIMENT_WORD + 1];    /* folded units, each NUL-terminated, back to back */
	char shown[LIM_SENTIMENT_WORD + 1];     /* folded phrase as reported ("fed up", "生气") */
	uint8_t off[LIM_SENTIMENT_UNITS];       /* start of each unit in phrase */
	uint8_t len[LIM_SENTIMENT_UNITS];
	uint8_t n_units;
	uint8_t wild;
	char lang[8];
	enum sentiment_kind kind;
	float weight;
	int32_t next;                           /* next entry with the same first unit, -1 at the end */
};

struct sentiment_lexicon {
	struct entry *e;
	size_t n, cap;
	struct strmap *first;                   /* first unit -> head of its chain */
	int32_t *wild;                          /* entries with a wildcard, scanned one by one */
	size_t n_wild;
	unsigned scope;
	float intensity;
};

/* ---- units ---- */

struct unit {
	uint32_t off;        /* in the folded buffer */
	uint16_t len;
	uint8_t brk;         /* punctuation that ends a clause */
	uint8_t caps;        /* a word written in capitals (two letters or more) */
};

struct scan {
	char *fold;          /* folded text, units back to back (not NUL-terminated) */
	size_t fold_len;
	struct unit *u;
	size_t n, max;
	unsigned excl;       /* exclamation marks */
};

static bool is_clause_punct(uint32_t f)
{
	switch (f) {
	case '.': case ',': case ';': case ':': case '!': case '?': case '\n':
	case 0x3001: case 0x3002: case 0x2026: case 0x2014: case 0xFF61: case 0xFF64:
		return true;
	default:
		return false;
	}
}

/* Symbols and emoji outside the punctuation blocks count as one-character units. */
static bool is_symbol(uint32_t f)
{
	if (f < 0x2190)
		return false;
	if ((f >= 0x3000 && f <= 0x303F) || (f >= 0xFE30 && f <= 0xFE4F) || (f >= 0xFF00 && f <= 0xFFEF))
		return false;
	if (f >= 0xFE00 && f <= 0xFE0F)     /* variation selectors */
		return false;
	if (f == 0x200D)
		return false;
	return true;
}

static int push_unit(struct scan *sc, size_t off, size_t len, bool brk, bool caps)
{
	if (sc->n == sc->max)
		return -E2BIG;
	sc->u[sc->n].off = (uint32_t)off;
	sc->u[sc->n].len = (uint16_t)len;
	sc->u[sc->n].brk = brk;
	sc->u[sc->n].caps = caps;
	sc->n++;
	return 0;
}

/*
 * Cut s[0..len) (valid UTF-8) into units. sc->fold must have room for
 * 4 * len bytes and sc->u for sc->max units; units past max are dropped.
 */
static void scan_text(const char *s, size_t len, struct scan *sc)
{
	size_t i = 0, w_start = 0, w_end = 0;
	bool in_word = false;
	unsigned upper = 0, lower = 0;

	sc->n = 0;
	sc->fold_len = 0;
	sc->excl = 0;
	while (i <= len) {
		uint32_t cp = 0, f = ' ';
		enum str_class cls = STR_SPACE;

		if (i < len) {
			cp = str_utf8_next(s, len, &i);
			f = str_fold(cp);
			cls = str_class_of(f);
		} else {
			i++;   /* one pass past the end flushes the last word */
		}
		if (cls == STR_WORD || (cls == STR_JOINER && in_word)) {
			if (!in_word) {
				in_word = true;
				w_start = sc->fold_len;
				upper = lower = 0;
			}
			sc->fold_len += str_utf8_put(sc->fold + sc->fold_len, f);
			if (cls == STR_WORD) {
				w_end = sc->fold_len;
				if (f != cp)
					upper++;
				else if ((f >= 'a' && f <= 'z') || f >= 0x80)
					lower++;
			}
			continue;
		}
		if (in_word) {
			sc->fold_len = w_end;          /* drop trailing joiners */
			push_unit(sc, w_start, w_end - w_start, false, upper >= 2 && !lower);
			in_word = false;
		}
		if (i > len)
			break;
		if (f == '!')
			sc->excl++;
		if (cls == STR_HAN || is_symbol(f)) {
			size_t o = sc->fold_len;

			sc->fold_len += str_utf8_put(sc->fold + o, f);
			push_unit(sc, o, sc->fold_len - o, false, false);
		} else if (is_clause_punct(f)) {
			if (!sc->n || !sc->u[sc->n - 1].brk)
				push_unit(sc, sc->fold_len, 0, true, false);
		}
	}
}

/* ---- lexicon ---- */

struct sentiment_lexicon *sentiment_lexicon_new(void)
{
	struct sentiment_lexicon *lex = calloc(1, sizeof(*lex));

	if (!lex)
		return NULL;
	lex->first = strmap_new();
	if (!lex->first) {
		free(lex);
		return NULL;
	}
	lex->scope = 3;
	lex->intensity = 1.5f;
	return lex;
}

void sentiment_lexicon_free(struct sentiment_lexicon *lex)
{
	if (!lex)
		return;
	strmap_free(lex->first);
	free(lex->e);
	free(lex->wild);
	free(lex);
}

int sentiment_set_rules(struct sentiment_lexicon *lex, unsigned scope, float intensity)
{
	if (!lex || scope < 1 || scope > 10 || !(intensity >= 1.0f && intensity <= 5.0f))
		return -EINVAL;
	lex->scope = scope;
	lex->intensity = intensity;
	return 0;
}

size_t sentiment_count(const struct sentiment_lexicon *lex)
{
	return lex ? lex->n : 0;
}

static bool same_units(const struct entry *a, const struct entry *b)
{
	if (a->n_units != b->n_units || a->wild != b->wild)
		return false;
	for (size_t k = 0; k < a->n_units; k++)
		if (a->len[k] != b->len[k] || memcmp(a->phrase + a->off[k], b->phrase + b->off[k], a->len[k]))
			return false;
	return true;
}

int sentiment_add(struct sentiment_lexicon *lex, const char *lang, enum sentiment_kind kind, const char *phrase,
		  float weight)
{
	char fold[4 * LIM_SENTIMENT_WORD + 4];
	struct unit units[LIM_SENTIMENT_UNITS + 1];
	struct scan sc = { .fold = fold, .u = units, .max = LIM_SENTIMENT_UNITS + 1 };
	struct entry e = { .kind = kind, .weight = weight, .next = -1 };
	size_t len, pos = 0, shown = 0;
	uint32_t *head;
	int inserted;

	if (!lex || !lang || !phrase || !*lang || strlen(lang) >= sizeof(e.lang) || kind > SENTIMENT_BREAKER)
		return -EINVAL;
	if ((kind == SENTIMENT_ANGER || kind == SENTIMENT_COMPLAINT) && !(weight > 0.0f && weight <= 10.0f))
		return -EINVAL;
	len = strlen(phrase);
	if (!len || len > LIM_SENTIMENT_WORD || !str_utf8_valid(phrase, len, NULL))
		return -EINVAL;
	if (phrase[len - 1] == '*') {
		e.wild = WILD_PREFIX;
		len--;
	} else if (phrase[0] == '*') {
		e.wild = WILD_SUFFIX;
		phrase++;
		len--;
	}
	scan_text(phrase, len, &sc);
	if (!sc.n || sc.n > LIM_SENTIMENT_UNITS || (e.wild && sc.n != 1))
		return -EINVAL;
	for (size_t k = 0; k < sc.n; k++) {
		if (units[k].brk || pos + units[k].len + 1 > sizeof(e.phrase))
			return -EINVAL;
		e.off[k] = (uint8_t)pos;
		e.len[k] = (uint8_t)units[k].len;
		memcpy(e.phrase + pos, fold + units[k].off, units[k].len);
		pos += units[k].len;
		e.phrase[pos++] = '\0';
		/* words of alphabetic scripts are shown with a space between them */
		if (shown && (unsigned char)fold[units[k].off] < 0x80 && shown + 1 < sizeof(e.shown))
			e.shown[shown++] = ' ';
		if (shown + units[k].len >= sizeof(e.shown))
			return -EINVAL;
		memcpy(e.shown + shown, fold + units[k].off, units[k].len);
		shown += units[k].len;
	}
	e.shown[shown] = '\0';
	e.n_units = (uint8_t)sc.n;
	memcpy(e.lang, lang, strlen(lang) + 1);

	/* duplicates keep their first kind */
	if (e.wild) {
		for (size_t k = 0; k < lex->n_wild; k++)
			if (same_units(&lex->e[lex->wild[k]], &e))
				return 0;
	} else {
		head = strmap_get(lex->first, e.phrase, e.len[0]);
		for (int32_t j = head ? (int32_t)*head : -1; j >= 0; j = lex->e[j].next)
			if (same_units(&lex->e[j], &e))
				return 0;
	}
	if (lex->n >= LIM_SENTIMENT_ENTRIES)
		return -E2BIG;
	if (lex->n == lex->cap) {
		size_t cap = lex->cap ? 2 * lex->cap : 64;
		struct entry *ne = realloc(lex->e, cap * sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		lex->e = ne;
		lex->cap = cap;
	}
	if (e.wild) {
		int32_t *nw = realloc(lex->wild, (lex->n_wild + 1) * sizeof(*nw));

		if (!nw)
			return -ENOMEM;
		lex->wild = nw;
		lex->wild[lex->n_wild++] = (int32_t)lex->n;
	} else {
		head = strmap_put(lex->first, e.phrase, e.len[0], (uint32_t)-1, &inserted);
		if (!head)
			return -ENOMEM;
		e.next = (int32_t)*head;   /* (uint32_t)-1 reads back as -1: the end of the chain */
		*head = (uint32_t)lex->n;
	}
	lex->e[lex->n++] = e;
	return 0;
}

/* ---- scoring ---- */

struct match {
	int32_t entry;
	uint32_t start, end;   /* units [start, end) */
};

static bool unit_is(const struct scan *sc, size_t i, const char *p, size_t n)
{
	return sc->u[i].len == n && memcmp(sc->fold + sc->u[i].off, p, n) == 0;
}

static bool wild_matches(const struct entry *e, const struct scan *sc, size_t i)
{
	const char *u = sc->fold + sc->u[i].off;
	size_t n = sc->u[i].len, m = e->len[0];

	if (n < m)
		return false;
	if (e->wild == WILD_PREFIX)
		return memcmp(u, e->phrase, m) == 0;
	return memcmp(u + n - m, e->phrase, m) == 0;
}

static bool lang_ok(const struct entry *e, const char *lang)
{
	return !lang || strcmp(e->lang, lang) == 0;
}

/* The longest entry starting at unit i, or -1; *n_units gets its length. */
static int32_t match_at(const struct sentiment_lexicon *lex, const struct scan *sc, size_t i, const char *lang,
			size_t *n_units)
{
	const struct unit *u = &sc->u[i];
	uint32_t *head = strmap_get(lex->first, sc->fold + u->off, u->len);
	int32_t best = -1;
	size_t best_n = 0;

	for (int32_t j = head ? (int32_t)*head : -1; j >= 0; j = lex->e[j].next) {
		const struct entry *e = &lex->e[j];
		size_t k;

		if (e->n_units <= best_n || i + e->n_units > sc->n || !lang_ok(e, lang))
			continue;
		for (k = 1; k < e->n_units; k++)
			if (sc->u[i + k].brk || !unit_is(sc, i + k, e->phrase + e->off[k], e->len[k]))
				break;
		if (k == e->n_units) {
			best = j;
			best_n = e->n_units;
		}
	}
	if (best < 0) {
		for (size_t k = 0; k < lex->n_wild; k++) {
			const struct entry *e = &lex->e[lex->wild[k]];

			if (lang_ok(e, lang) && wild_matches(e, sc, i)) {
				best = lex->wild[k];
				best_n = 1;
				break;
			}
		}
	}
	*n_units = best_n;
	return best;
}

static bool break_between(const struct scan *sc, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (sc->u[i].brk)
			return true;
	return false;
}

float sentiment_total(const struct sentiment_result *r)
{
	return r->anger + r->complaint;
}

int sentiment_score(const struct sentiment_lexicon *lex, const char *text, size_t len, const char *lang,
		    struct sentiment_result *out)
{
	struct scan sc = { 0 };
	struct match *m = NULL;
	size_t n_m = 0;
	int rc = 0;

	if (!lex || !out || (!text && len))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (len > LIM_UTTERANCE) {
		len = LIM_UTTERANCE;
		while (len && ((unsigned char)text[len] & 0xC0) == 0x80)   /* cut on a character boundary */
			len--;
	}
	if (!str_utf8_valid(text, len, NULL))
		return -EILSEQ;
	if (!len || !lex->n)
		return 0;
	sc.max = len + 1;
	sc.fold = malloc(4 * len + 4);
	sc.u = malloc(sc.max * sizeof(*sc.u));
	m = malloc(sc.max * sizeof(*m));
	if (!sc.fold || !sc.u || !m) {
		rc = -ENOMEM;
		goto out;
	}
	scan_text(text, len, &sc);

	for (size_t i = 0; i < sc.n;) {
		size_t n = 0;
		int32_t j;

		if (sc.u[i].brk) {
			i++;
			continue;
		}
		j = match_at(lex, &sc, i, lang, &n);
		if (j < 0) {
			i++;
			continue;
		}
		m[n_m].entry = j;
		m[n_m].start = (uint32_t)i;
		m[n_m].end = (uint32_t)(i + n);
		n_m++;
		i += n;
	}

	for (size_t k = 0; k < n_m; k++) {
		const struct entry *e = &lex->e[m[k].entry];
		bool negated = false, strong = false, caps = true;
		float w;

		if (e->kind != SENTIMENT_ANGER && e->kind != SENTIMENT_COMPLAINT)
			continue;
		/* negation: a negator ending fewer than scope units before the hit, same clause */
		for (size_t b = k; b-- > 0;) {
			const struct entry *p = &lex->e[m[b].entry];

			if (m[k].start - m[b].end >= lex->scope || p->kind == SENTIMENT_BREAKER ||
			    break_between(&sc, m[b].end, m[k].start))
				break;
			if (p->kind == SENTIMENT_NEGATOR) {
				negated = true;
				break;
			}
		}
		if (k > 0 && lex->e[m[k - 1].entry].kind == SENTIMENT_INTENSIFIER && m[k].start - m[k - 1].end <= 1 &&
		    !break_between(&sc, m[k - 1].end, m[k].start))
			strong = true;
		for (size_t i = m[k].start; i < m[k].end; i++)
			caps = caps && sc.u[i].caps;
		w = negated ? 0.0f : e->weight * (strong || caps ? lex->intensity : 1.0f);
		if (e->kind == SENTIMENT_ANGER)
			out->anger += w;
		else
			out->complaint += w;
		if (out->n_hits < LIM_SENTIMENT_HITS) {
			struct sentiment_hit *h = &out->hits[out->n_hits++];

			memcpy(h->word, e->shown, sizeof(h->word));
			memcpy(h->lang, e->lang, sizeof(h->lang));
			h->kind = e->kind;
			h->weight = w;
			h->negated = negated;
		}
	}
	if (out->anger > 0.0f && sc.excl >= 2)
		out->anger += 0.5f;
out:
	free(sc.fold);
	free(sc.u);
	free(m);
	return rc;
}
