/*
 * tokenize.c - the text pipeline (see tokenize.h). Works on one utterance at
 * a time into a caller-provided token list; allocates only for the OpenCC
 * conversion of text that contains Han characters.
 */
#include "text/tokenize.h"

#include "core/str.h"
#include "core/strmap.h"
#include "text/segment.h"
#include "text/stem.h"
#include "text/t2s.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Generated from bot/text/stopwords/<lang>.txt at build time. */
struct tok_stoplist {
	const char *lang;
	const char *words;   /* newline-separated */
};
extern const struct tok_stoplist tok_stoplists[];

#define SCRIPTS 4            /* indexed by enum str_script */
#define ZH_USER_FREQ 5000    /* frequency of KB words without one: beats splitting */
#define CACHE_MAX 500000

struct syn_rule {
	uint8_t from_n, to_n;
	char from[LIM_SYN_WORDS][LIM_TOKEN_BYTES];
	char to[LIM_SYN_WORDS][LIM_TOKEN_BYTES];
	int32_t next;        /* next rule with the same first term, -1 = none */
};

struct tok_analyzer {
	struct stem *stem[SCRIPTS];
	struct strmap *stop;          /* folded stop words of every declared language */
	struct segment *seg;          /* NULL unless zh is declared */
	struct t2s *t2s;
	struct strmap *cache;         /* folded surface -> (offset << 8 | len) in cache_arena */
	char *cache_arena;
	size_t cache_len, cache_cap;
	struct strmap *syn_first;     /* first term -> index of first rule */
	struct syn_rule *syn;
	size_t n_syn, cap_syn;
	struct tok_list *scratch, *scratch2;   /* synonym rewriting buffers */
	struct strmap *contractions;  /* English: "isn't" -> index in en_contractions */
};

/*
 * English contractions, with and without the apostrophe as customers type
 * them, split into the words the stemmer and the KB know: "isnt" -> "is not".
 */
static const struct {
	const char *from, *a, *b;
} en_contractions[] = {
	{ "isn't", "is", "not" }, { "isnt", "is", "not" }, { "aren't", "are", "not" }, { "arent", "are", "not" },
	{ "wasn't", "was", "not" }, { "wasnt", "was", "not" }, { "weren't", "were", "not" }, { "werent", "were", "not" },
	{ "don't", "do", "not" }, { "dont", "do", "not" }, { "doesn't", "does", "not" }, { "doesnt", "does", "not" },
	{ "didn't", "did", "not" }, { "didnt", "did", "not" }, { "can't", "can", "not" }, { "cant", "can", "not" },
	{ "cannot", "can", "not" }, { "won't", "will", "not" }, { "wont", "will", "not" },
	{ "wouldn't", "would", "not" }, { "wouldnt", "would", "not" }, { "couldn't", "could", "not" },
	{ "couldnt", "could", "not" }, { "shouldn't", "should", "not" }, { "shouldnt", "should", "not" },
	{ "haven't", "have", "not" }, { "havent", "have", "not" }, { "hasn't", "has", "not" }, { "hasnt", "has", "not" },
	{ "hadn't", "had", "not" }, { "hadnt", "had", "not" }, { "ain't", "is", "not" },
	{ "i'm", "i", "am" }, { "im", "i", "am" }, { "i've", "i", "have" }, { "ive", "i", "have" },
	{ "i'll", "i", "will" }, { "i'd", "i", "would" }, { "it's", "it", "is" },
	{ "what's", "what", "is" }, { "whats", "what", "is" }, { "where's", "where", "is" }, { "wheres", "where", "is" },
	{ "how's", "how", "is" }, { "that's", "that", "is" }, { "thats", "that", "is" }, { "there's", "there", "is" },
	{ "you're", "you", "are" }, { "youre", "you", "are" }, { "we're", "we", "are" }, { "they're", "they", "are" },
	{ "u", "you", NULL }, { "ur", "your", NULL }, { "r", "are", NULL }, { "y", "why", NULL },
	/* Words the English stemmer folds onto another word: "personalized" would become "person". */
	{ "personalized", "personalised", NULL }, { "personalize", "personalise", NULL },
	{ "personalization", "personalisation", NULL }, { "personalizing", "personalising", NULL },
};

/* ---- construction ---- */

static enum str_script script_of_lang(const char *lang)
{
	static const char *cyr[] = { "ru", "uk", "bg", "sr", "be", "mk", NULL };

	if (!strcmp(lang, "el"))
		return SCRIPT_GREEK;
	for (int i = 0; cyr[i]; i++)
		if (!strcmp(lang, cyr[i]))
			return SCRIPT_CYRILLIC;
	if (!strcmp(lang, "zh"))
		return SCRIPT_HAN;
	return SCRIPT_LATIN;
}

static int add_stoplist(struct tok_analyzer *a, const char *lang)
{
	for (const struct tok_stoplist *l = tok_stoplists; l->lang; l++) {
		const char *p = l->words;

		if (strcmp(l->lang, lang))
			continue;
		while (*p) {
			const char *e = strchr(p, '\n');
			size_t n = e ? (size_t)(e - p) : strlen(p);

			if (n && *p != '#' && !strmap_put(a->stop, p, n, 1, NULL))
				return -ENOMEM;
			p += n + (e ? 1 : 0);
		}
	}
	return 0;
}

struct tok_analyzer *tok_analyzer_new(const struct tok_config *cfg, char *err, size_t errlen)
{
	struct tok_analyzer *a = calloc(1, sizeof(*a));
	bool zh = false;

	if (!a)
		goto oom;
	a->stop = strmap_new();
	a->cache = strmap_new();
	a->syn_first = strmap_new();
	a->contractions = strmap_new();
	a->scratch = malloc(sizeof(*a->scratch));
	a->scratch2 = malloc(sizeof(*a->scratch2));
	if (!a->stop || !a->cache || !a->syn_first || !a->scratch || !a->scratch2 || !a->contractions)
		goto oom;
	for (size_t i = 0; i < cfg->n_langs; i++) {
		const char *lang = cfg->langs[i];
		enum str_script sc = script_of_lang(lang);

		if (add_stoplist(a, lang))
			goto oom;
		if (!strcmp(lang, "en") && !strmap_count(a->contractions))
			for (size_t k = 0; k < sizeof(en_contractions) / sizeof(en_contractions[0]); k++)
				if (!strmap_put(a->contractions, en_contractions[k].from, strlen(en_contractions[k].from), (uint32_t)k, NULL))
					goto oom;
		if (sc == SCRIPT_HAN) {
			zh = true;
			continue;
		}
		if (!a->stem[sc]) {
			a->stem[sc] = stem_new(lang);
			if (!a->stem[sc] && !stem_has_lang(lang)) {
				snprintf(err, errlen, "language \"%s\" has no Snowball stemmer", lang);
				goto fail;
			}
		}
	}
	if (!a->stem[SCRIPT_LATIN])
		a->stem[SCRIPT_LATIN] = stem_new("en");   /* Latin words inside Chinese text */
	if (zh) {
		const char *dict = cfg->dict_path ? cfg->dict_path : TOK_DEFAULT_DICT;
		const char *occ = cfg->t2s_config ? cfg->t2s_config : TOK_DEFAULT_T2S;
		int rc;

		a->seg = segment_new();
		if (!a->seg)
			goto oom;
		rc = segment_load(a->seg, dict, ZH_USER_FREQ);
		if (rc == -ENOENT) {
			snprintf(err, errlen, "%s: cannot open the Chinese dictionary (install python3-jieba or set dict_path)", dict);
			goto fail;
		}
		if (rc)
			goto oom;
		a->t2s = t2s_new(occ);
		if (!a->t2s) {
			snprintf(err, errlen, "%s: cannot load the OpenCC configuration (install libopencc1.1 data or set t2s_config)", occ);
			goto fail;
		}
	}
	return a;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	tok_analyzer_free(a);
	return NULL;
}

void tok_analyzer_free(struct tok_analyzer *a)
{
	if (!a)
		return;
	for (int i = 0; i < SCRIPTS; i++)
		stem_free(a->stem[i]);
	strmap_free(a->stop);
	segment_free(a->seg);
	t2s_free(a->t2s);
	strmap_free(a->cache);
	free(a->cache_arena);
	strmap_free(a->syn_first);
	strmap_free(a->contractions);
	free(a->syn);
	free(a->scratch);
	free(a->scratch2);
	free(a);
}

bool tok_has_zh(const struct tok_analyzer *a) { return a->seg != NULL; }

size_t tok_bytes(const struct tok_analyzer *a)
{
	return sizeof(*a) + strmap_bytes(a->stop) + strmap_bytes(a->cache) + a->cache_cap +
	       strmap_bytes(a->syn_first) + a->cap_syn * sizeof(struct syn_rule) +
	       (a->seg ? segment_bytes(a->seg) : 0);
}

int tok_add_word(struct tok_analyzer *a, const char *word, size_t len, uint32_t freq)
{
	if (!a->seg)
		return 0;
	return segment_add(a->seg, word, len, freq ? freq : ZH_USER_FREQ);
}

int tok_load_userdict(struct tok_analyzer *a, const char *path)
{
	if (!a->seg)
		return 0;
	return segment_load(a->seg, path, ZH_USER_FREQ);
}

/* ---- words ---- */

static int push(struct tok_list *out, const char *term, size_t tl, const char *surf, size_t sl,
		enum tok_kind kind, size_t nchars)
{
	struct tok *t;

	if (out->n >= LIM_TOKENS)
		return -1;
	if (tl >= LIM_TOKEN_BYTES)
		tl = LIM_TOKEN_BYTES - 1;
	if (sl >= LIM_TOKEN_BYTES)
		sl = LIM_TOKEN_BYTES - 1;
	t = &out->t[out->n++];
	memcpy(t->term, term, tl);
	t->term[tl] = '\0';
	t->len = (uint8_t)tl;
	memcpy(t->surface, surf, sl);
	t->surface[sl] = '\0';
	t->surface_len = (uint8_t)sl;
	t->kind = (uint8_t)kind;
	t->nchars = (uint8_t)(nchars > 255 ? 255 : nchars);
	return 0;
}

static void cache_put(struct tok_analyzer *a, const char *surf, size_t sl, const char *stem, size_t n)
{
	if (strmap_count(a->cache) >= CACHE_MAX || n > 255)
		return;
	if (a->cache_len + n > a->cache_cap) {
		size_t ncap = a->cache_cap ? a->cache_cap * 2 : 4096;
		char *na;

		if (ncap > (1u << 24))
			return;
		na = realloc(a->cache_arena, ncap);
		if (!na)
			return;
		a->cache_arena = na;
		a->cache_cap = ncap;
	}
	memcpy(a->cache_arena + a->cache_len, stem, n);
	if (strmap_put(a->cache, surf, sl, (uint32_t)(a->cache_len << 8 | n), NULL))
		a->cache_len += n;
}

/* One folded alphabetic word: stop words, then the stem (cached). */
static void emit_word(struct tok_analyzer *a, const char *w, size_t wl, enum str_script sc,
		      size_t nchars, unsigned flags, struct tok_list *out)
{
	char stem[LIM_TOKEN_BYTES];
	uint32_t *c;
	bool digits;
	int n;

	if (wl >= LIM_TOKEN_BYTES) {
		wl = LIM_TOKEN_BYTES - 1;
		while (wl > 0 && ((unsigned char)w[wl] & 0xC0) == 0x80)
			wl--;
	}
	if (sc == SCRIPT_LATIN && (c = strmap_get(a->contractions, w, wl))) {
		const char *p1 = en_contractions[*c].a, *p2 = en_contractions[*c].b;

		emit_word(a, p1, strlen(p1), sc, strlen(p1), flags, out);
		if (p2)
			emit_word(a, p2, strlen(p2), sc, strlen(p2), flags, out);
		return;
	}
	if (strmap_get(a->stop, w, wl)) {
		out->stopwords++;
		return;
	}
	/* Numbers are slot values (order numbers, amounts), not topics. */
	{
		size_t d = 0;

		while (d < wl && w[d] >= '0' && w[d] <= '9')   /* w is not NUL-terminated at wl */
			d++;
		digits = d == wl;
	}
	if (digits) {
		out->numbers++;
		return;
	}
	c = strmap_get(a->cache, w, wl);
	if (c) {
		push(out, a->cache_arena + (*c >> 8), *c & 0xFF, w, wl, TOK_WORD, nchars);
		return;
	}
	if (a->stem[sc])
		n = stem_word(a->stem[sc], w, wl, stem, sizeof(stem));
	else {
		memcpy(stem, w, wl);
		n = (int)wl;
	}
	if (n <= 0)
		return;
	if (flags & TOK_LEARN)
		cache_put(a, w, wl, stem, (size_t)n);
	push(out, stem, (size_t)n, w, wl, TOK_WORD, nchars);
}

/* Bigrams of chars [from, to) of a Han string with code point offsets off[]. */
static void emit_bigrams(const char *s, const uint32_t *off, size_t from, size_t to, struct tok_list *out)
{
	for (size_t k = from; k + 1 < to; k++)
		push(out, s + off[k], off[k + 2] - off[k], s + off[k], off[k + 2] - off[k], TOK_BIGRAM, 2);
}

static void emit_han_run(struct tok_analyzer *a, const char *s, size_t len, struct tok_list *out)
{
	struct segment_word w[LIM_TOKENS];
	size_t nw, ustart = 0, ucount = 0;

	if (!a->seg) {
		/* No Chinese declared: index characters as bigrams, single characters as they are. */
		uint32_t off[LIM_TOKENS + 1];
		size_t n = 0, i = 0;

		while (i < len && n < LIM_TOKENS) {
			off[n++] = (uint32_t)i;
			str_utf8_next(s, len, &i);
		}
		off[n] = (uint32_t)i;
		if (n == 1)
			push(out, s, off[1], s, off[1], TOK_HAN, 1);
		emit_bigrams(s, off, 0, n, out);
		return;
	}
	nw = segment_run(a->seg, s, len, w, LIM_TOKENS);
	for (size_t k = 0; k <= nw; k++) {
		/* Close a run of unknown single characters: bigrams, or the lone character. */
		if (k == nw || w[k].known) {
			if (ucount == 1) {
				const char *p = s + w[ustart].off;

				if (!strmap_get(a->stop, p, w[ustart].len))
					push(out, p, w[ustart].len, p, w[ustart].len, TOK_HAN, 1);
			} else if (ucount > 1) {
				for (size_t j = ustart; j + 1 < ustart + ucount; j++) {
					const char *p = s + w[j].off;
					size_t bl = w[j].len + w[j + 1].len;

					push(out, p, bl, p, bl, TOK_BIGRAM, 2);
				}
			}
			ucount = 0;
		}
		if (k == nw)
			break;
		if (!w[k].known) {
			if (!ucount)
				ustart = k;
			ucount++;
			continue;
		}
		{
			const char *p = s + w[k].off;
			size_t nc = str_utf8_count(p, w[k].len);

			if (strmap_get(a->stop, p, w[k].len)) {
				out->stopwords++;
				continue;
			}
			push(out, p, w[k].len, p, w[k].len, TOK_HAN, nc);
			if (nc >= 3) {
				uint32_t off[LIM_TOKEN_BYTES + 1];
				size_t n = 0, i = 0;

				while (i < w[k].len && n < LIM_TOKEN_BYTES) {
					off[n++] = (uint32_t)i;
					str_utf8_next(p, w[k].len, &i);
				}
				off[n] = (uint32_t)i;
				emit_bigrams(p, off, 0, n, out);
			}
		}
	}
}

/* ---- synonyms ---- */

static size_t term_seq(const struct tok_list *l, char seq[][LIM_TOKEN_BYTES], size_t max)
{
	size_t n = 0;

	/* Bigrams inside a word are not separate words for phrase matching. */
	for (size_t i = 0; i < l->n && n < max; i++)
		if (l->t[i].kind != TOK_BIGRAM)
			memcpy(seq[n++], l->t[i].term, LIM_TOKEN_BYTES);
	return n;
}

static size_t seq_count(const struct tok_list *l)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += l->t[i].kind != TOK_BIGRAM;
	return n;
}

int tok_add_synonyms(struct tok_analyzer *a, const char *const *members, size_t n)
{
	struct tok_list *tl = a->scratch2;
	char canon[LIM_SYN_WORDS][LIM_TOKEN_BYTES];
	size_t cn;

	if (n < 2)
		return -EINVAL;
	/* Chinese members become dictionary words so they segment whole. */
	for (size_t i = 0; i < n; i++) {
		size_t ml = strlen(members[i]), j = 0;
		bool han = ml > 0;

		while (j < ml)
			if (str_script_of(str_utf8_next(members[i], ml, &j)) != SCRIPT_HAN)
				han = false;
		if (han)
			tok_add_word(a, members[i], ml, 0);
	}
	if (tok_run(a, members[0], strlen(members[0]), TOK_NO_SYNONYMS | TOK_LEARN, tl) || !tl->n)
		return -EINVAL;
	if (seq_count(tl) > LIM_SYN_WORDS)
		return -EINVAL;
	cn = term_seq(tl, canon, LIM_SYN_WORDS);
	for (size_t i = 1; i < n; i++) {
		struct syn_rule *r;
		uint32_t *first;
		int ins;

		if (tok_run(a, members[i], strlen(members[i]), TOK_NO_SYNONYMS | TOK_LEARN, tl) || !tl->n)
			return -EINVAL;
		if (a->n_syn == a->cap_syn) {
			size_t nc = a->cap_syn ? a->cap_syn * 2 : 64;
			struct syn_rule *ns = realloc(a->syn, nc * sizeof(*ns));

			if (!ns)
				return -ENOMEM;
			a->syn = ns;
			a->cap_syn = nc;
		}
		r = &a->syn[a->n_syn];
		memset(r, 0, sizeof(*r));
		if (seq_count(tl) > LIM_SYN_WORDS)
			return -EINVAL;
		r->from_n = (uint8_t)term_seq(tl, r->from, LIM_SYN_WORDS);
		if (!r->from_n)
			return -EINVAL;
		memcpy(r->to, canon, sizeof(canon));
		r->to_n = (uint8_t)cn;
		first = strmap_put(a->syn_first, r->from[0], strlen(r->from[0]), (uint32_t)a->n_syn, &ins);
		if (!first)
			return -ENOMEM;
		if (!ins) {
			/* Keep the chain ordered longest first, so the longest phrase wins. */
			int32_t *link = (int32_t *)first;

			while (*link >= 0 && a->syn[*link].from_n >= r->from_n)
				link = &a->syn[*link].next;
			r->next = *link;
			*link = (int32_t)a->n_syn;
		} else {
			r->next = -1;
		}
		a->n_syn++;
	}
	return 0;
}

static void apply_synonyms(struct tok_analyzer *a, struct tok_list *l)
{
	struct tok_list *tmp = a->scratch;
	size_t i = 0;

	if (!a->n_syn)
		return;
	tmp->n = 0;
	while (i < l->n) {
		uint32_t *first = strmap_get(a->syn_first, l->t[i].term, l->t[i].len);
		int32_t ri = first ? (int32_t)*first : -1;
		bool done = false;

		for (; ri >= 0 && !done; ri = a->syn[ri].next) {
			const struct syn_rule *r = &a->syn[ri];
			size_t j = i, m = 0;

			while (m < r->from_n && j < l->n) {
				if (l->t[j].kind == TOK_BIGRAM) {
					j++;
					continue;
				}
				if (strcmp(l->t[j].term, r->from[m]))
					break;
				j++;
				m++;
			}
			if (m < r->from_n)
				continue;
			for (size_t k = 0; k < r->to_n; k++)
				push(tmp, r->to[k], strlen(r->to[k]), l->t[i].surface, l->t[i].surface_len,
				     TOK_SYN, l->t[i].nchars);
			i = j;
			done = true;
		}
		if (!done) {
			if (tmp->n < LIM_TOKENS)
				tmp->t[tmp->n++] = l->t[i];
			i++;
		}
	}
	memcpy(l->t, tmp->t, tmp->n * sizeof(tmp->t[0]));
	l->n = tmp->n;
}

/* ---- the pipeline ---- */

int tok_run(struct tok_analyzer *a, const char *s, size_t len, unsigned flags, struct tok_list *out)
{
	char word[LIM_TOKEN_BYTES * 2];
	char *conv = NULL;
	size_t i = 0, wl = 0, wchars = 0, han_start = 0;
	enum str_script wscript = SCRIPT_OTHER;
	bool in_han = false, has_han = false;

	out->n = 0;
	out->han_chars = out->word_chars = out->stopwords = out->numbers = 0;
	if (!str_utf8_valid(s, len, NULL))
		return -EILSEQ;
	if (len > LIM_UTTERANCE) {
		len = LIM_UTTERANCE;
		while (len && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;      /* do not split a character */
	}
	if (a->t2s) {
		for (size_t j = 0; j < len; j++)
			if ((unsigned char)s[j] >= 0xE3) {
				has_han = true;
				break;
			}
		if (has_han) {
			size_t cl;

			conv = t2s_convert(a->t2s, s, len, &cl);
			if (conv) {
				s = conv;
				len = cl;
			}
		}
	}
	for (;;) {
		size_t at = i;
		uint32_t cp = i < len ? str_fold(str_utf8_next(s, len, &i)) : ' ';
		enum str_class cl = str_class_of(cp);

		if (cl == STR_HAN) {
			out->han_chars++;
			if (!in_han) {
				han_start = at;
				in_han = true;
			}
		} else if (in_han) {
			emit_han_run(a, s + han_start, at - han_start, out);
			in_han = false;
		}
		/* Alphabetic words. */
		if (cl == STR_WORD && wl + 4 < sizeof(word)) {
			enum str_script sc = str_script_of(cp);

			if (sc != SCRIPT_OTHER && wscript == SCRIPT_OTHER)
				wscript = sc;
			wl += str_utf8_put(word + wl, cp);
			wchars++;
			out->word_chars++;
		} else if (cl == STR_JOINER && wl) {
			if (cp == '\'')
				word[wl++] = '\'';
			/* hyphens join: e-mail -> email, t-shirt -> tshirt */
		} else if (cl != STR_WORD && wl) {
			while (wl && word[wl - 1] == '\'')
				wl--;
			if (wl)
				emit_word(a, word, wl, wscript == SCRIPT_OTHER ? SCRIPT_LATIN : wscript,
					  wchars, flags, out);
			wl = wchars = 0;
			wscript = SCRIPT_OTHER;
		}
		if (at >= len)
			break;
	}
	if (!(flags & TOK_NO_SYNONYMS))
		apply_synonyms(a, out);
	free(conv);
	return 0;
}

void tok_synonym_words(const struct tok_analyzer *a, void (*fn)(void *arg, const char *from, const char *to), void *arg)
{
	for (size_t i = 0; i < a->n_syn; i++)
		if (a->syn[i].from_n == 1 && a->syn[i].to_n == 1)
			fn(arg, a->syn[i].from[0], a->syn[i].to[0]);
}
