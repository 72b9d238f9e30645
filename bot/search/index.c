/*
 * index.c - building (vocabulary, SVM training or BM25 weights, typo table)
 * and scoring of the per-entry inverted index. See index.h for the model.
 */
#include "search/index.h"

#include "core/str.h"
#include "core/strmap.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* ---- builder ---- */

struct idx_builder {
	struct strmap *vocab;      /* term -> id */
	char *terms;               /* term strings, NUL-separated */
	size_t terms_len, terms_cap;
	uint32_t *term_off;        /* id -> offset in terms */
	uint8_t *term_fuzzy;       /* id -> eligible for typo matching */
	uint32_t *pair_left;       /* id -> first word of a pair of adjacent words; UINT32_MAX for a word */
	uint32_t *pair_right;      /* id -> its second word */
	size_t n_terms, cap_terms;
	struct strmap *pairs;      /* the two word ids of a pair (8 bytes) -> its id */

	uint32_t *var_doc, *var_start;   /* variant -> doc; CSR into ent_* */
	size_t n_var, cap_var, cap_vstart;   /* cap_vstart: of var_start and vf_start */
	uint32_t *ent_term;
	float *ent_tf;
	size_t n_ent, cap_ent;
	char **alias_from, **alias_to;
	size_t n_alias, cap_alias;
	struct strmap *domain;     /* words of the entries' answers */
	/* Spellings: each alphabetic word as written (folded), and which ones each variant has. */
	struct strmap *forms;      /* spelling -> form id */
	char *form_chars;          /* spellings, NUL-separated */
	size_t form_len, form_cap;
	uint32_t *form_off;        /* form id -> offset in form_chars */
	uint32_t *form_term;       /* form id -> its word's term id */
	size_t n_forms, cap_forms;
	uint32_t *vf_start;        /* variant -> [vf_start[v], vf_start[v + 1]) in vf_form, vf_tf */
	uint32_t *vf_form;
	float *vf_tf;
	size_t n_vf, cap_vf;
};

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t nc;
	void *np;

	if (need <= *cap)
		return 0;
	nc = *cap ? *cap * 2 : 256;
	while (nc < need)
		nc *= 2;
	np = realloc(*p, nc * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = nc;
	return 0;
}

/* grow() for two arrays of one length: a (elements of ea bytes) and b (eb bytes). */
static int grow2(void **a, size_t ea, void **b, size_t eb, size_t *cap, size_t need)
{
	size_t nc;
	void *np;

	if (need <= *cap)
		return 0;
	nc = *cap ? *cap * 2 : 256;
	while (nc < need)
		nc *= 2;
	if (!(np = realloc(*a, nc * ea)))
		return -ENOMEM;
	*a = np;
	if (!(np = realloc(*b, nc * eb)))
		return -ENOMEM;   /* *cap unchanged: both still hold the old capacity */
	*b = np;
	*cap = nc;
	return 0;
}

struct idx_builder *idx_builder_new(void)
{
	struct idx_builder *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->vocab = strmap_new();
	b->domain = strmap_new();
	b->pairs = strmap_new();
	b->forms = strmap_new();
	b->var_start = malloc(sizeof(uint32_t));
	b->vf_start = malloc(sizeof(uint32_t));
	if (!b->vocab || !b->domain || !b->pairs || !b->forms || !b->var_start || !b->vf_start) {
		idx_builder_free(b);
		return NULL;
	}
	b->var_start[0] = 0;
	b->vf_start[0] = 0;
	return b;
}

void idx_builder_free(struct idx_builder *b)
{
	if (!b)
		return;
	strmap_free(b->vocab);
	strmap_free(b->domain);
	strmap_free(b->pairs);
	strmap_free(b->forms);
	free(b->form_chars);
	free(b->form_off);
	free(b->form_term);
	free(b->vf_start);
	free(b->vf_form);
	free(b->vf_tf);
	free(b->terms);
	free(b->term_off);
	free(b->term_fuzzy);
	free(b->pair_left);
	free(b->pair_right);
	free(b->var_doc);
	free(b->var_start);
	free(b->ent_term);
	free(b->ent_tf);
	for (size_t i = 0; i < b->n_alias; i++) {
		free(b->alias_from[i]);
		free(b->alias_to[i]);
	}
	free(b->alias_from);
	free(b->alias_to);
	free(b);
}

int idx_builder_alias(struct idx_builder *b, const char *from, const char *to)
{
	if (b->n_alias == b->cap_alias) {
		size_t nc = b->cap_alias ? b->cap_alias * 2 : 32;
		char **f = realloc(b->alias_from, nc * sizeof(char *)), **t;

		if (!f)
			return -ENOMEM;
		b->alias_from = f;
		t = realloc(b->alias_to, nc * sizeof(char *));
		if (!t)
			return -ENOMEM;
		b->alias_to = t;
		b->cap_alias = nc;
	}
	b->alias_from[b->n_alias] = strdup(from);
	b->alias_to[b->n_alias] = strdup(to);
	if (!b->alias_from[b->n_alias] || !b->alias_to[b->n_alias]) {
		free(b->alias_from[b->n_alias]);
		free(b->alias_to[b->n_alias]);
		return -ENOMEM;
	}
	b->n_alias++;
	return 0;
}

int idx_builder_domain(struct idx_builder *b, const struct tok_list *toks)
{
	for (size_t i = 0; i < toks->n; i++)
		if (!strmap_put(b->domain, toks->t[i].term, toks->t[i].len, 0, NULL))
			return -ENOMEM;
	return 0;
}

size_t idx_builder_variants(const struct idx_builder *b) { return b->n_var; }
uint32_t idx_builder_doc_of(const struct idx_builder *b, size_t v) { return b->var_doc[v]; }

static bool fuzzy_ok(const struct tok *t)
{
	if (t->kind != TOK_WORD && t->kind != TOK_SYN)
		return false;
	for (size_t i = 0; i < t->len; i++)
		if (t->term[i] >= '0' && t->term[i] <= '9')
			return false;
	return true;
}

/* Room for one more term in the per-term arrays. */
static int grow_terms(struct idx_builder *b)
{
	size_t nc;
	void *np;

	if (b->n_terms < b->cap_terms)
		return 0;
	nc = b->cap_terms ? b->cap_terms * 2 : 256;
	if (!(np = realloc(b->term_off, nc * sizeof(uint32_t))))
		return -ENOMEM;
	b->term_off = np;
	if (!(np = realloc(b->term_fuzzy, nc)))
		return -ENOMEM;
	b->term_fuzzy = np;
	if (!(np = realloc(b->pair_left, nc * sizeof(uint32_t))))
		return -ENOMEM;
	b->pair_left = np;
	if (!(np = realloc(b->pair_right, nc * sizeof(uint32_t))))
		return -ENOMEM;
	b->pair_right = np;
	b->cap_terms = nc;
	return 0;
}

static int term_id(struct idx_builder *b, const struct tok *t, uint32_t *id)
{
	int ins;
	uint32_t *v = strmap_put(b->vocab, t->term, t->len, (uint32_t)b->n_terms, &ins);

	if (!v)
		return -ENOMEM;
	if (ins) {
		if (grow_terms(b) || grow((void **)&b->terms, &b->terms_cap, b->terms_len + t->len + 1, 1))
			return -ENOMEM;
		b->term_off[b->n_terms] = (uint32_t)b->terms_len;
		memcpy(b->terms + b->terms_len, t->term, t->len + 1u);
		b->terms_len += t->len + 1u;
		b->term_fuzzy[b->n_terms] = fuzzy_ok(t);
		b->pair_left[b->n_terms] = b->pair_right[b->n_terms] = UINT32_MAX;
		b->n_terms++;
	}
	*id = *v;
	return 0;
}

/* Words that pair with their neighbour: alphabetic words and synonyms, not Chinese tokens. */
static bool pairs_ok(const struct tok *t)
{
	return t->kind == TOK_WORD || t->kind == TOK_SYN;
}

/* Term id of the pair of adjacent words left, right (their term ids): no string, no typo target. */
static int pair_id(struct idx_builder *b, uint32_t left, uint32_t right, uint32_t *id)
{
	uint32_t key[2] = { left, right };
	int ins;
	uint32_t *v = strmap_put(b->pairs, (const char *)key, sizeof(key), (uint32_t)b->n_terms, &ins);

	if (!v)
		return -ENOMEM;
	if (ins) {
		if (grow_terms(b))
			return -ENOMEM;
		b->term_off[b->n_terms] = UINT32_MAX;
		b->term_fuzzy[b->n_terms] = 0;
		b->pair_left[b->n_terms] = left;
		b->pair_right[b->n_terms] = right;
		b->n_terms++;
	}
	*id = *v;
	return 0;
}

/* Form id of word t as written (term: its term id). */
static int form_id(struct idx_builder *b, const struct tok *t, uint32_t term, uint32_t *id)
{
	int ins;
	uint32_t *v = strmap_put(b->forms, t->surface, t->surface_len, (uint32_t)b->n_forms, &ins);

	if (!v)
		return -ENOMEM;
	if (ins) {
		if (grow2((void **)&b->form_off, sizeof(uint32_t), (void **)&b->form_term, sizeof(uint32_t), &b->cap_forms,
			  b->n_forms + 1) ||
		    grow((void **)&b->form_chars, &b->form_cap, b->form_len + t->surface_len + 1, 1))
			return -ENOMEM;
		b->form_off[b->n_forms] = (uint32_t)b->form_len;
		memcpy(b->form_chars + b->form_len, t->surface, t->surface_len);
		b->form_chars[b->form_len + t->surface_len] = 0;
		b->form_len += t->surface_len + 1u;
		b->form_term[b->n_forms++] = term;
	}
	*id = *v;
	return 0;
}

/* Count one occurrence of term id in the variant whose entries start at start. */
static void ent_count(struct idx_builder *b, size_t start, uint32_t id)
{
	size_t j;

	for (j = start; j < b->n_ent; j++)
		if (b->ent_term[j] == id)
			break;
	if (j < b->n_ent) {
		b->ent_tf[j] += 1;
	} else {
		b->ent_term[b->n_ent] = id;
		b->ent_tf[b->n_ent] = 1;
		b->n_ent++;
	}
}

int idx_builder_add(struct idx_builder *b, uint32_t doc, const struct tok_list *toks)
{
	size_t start = b->n_ent;
	uint32_t word[LIM_TOKENS];

	if (b->n_var >= UINT32_MAX - 1)
		return -E2BIG;
	/* Words, then at most one pair per two adjacent words. */
	if (grow2((void **)&b->ent_term, sizeof(uint32_t), (void **)&b->ent_tf, sizeof(float), &b->cap_ent,
		  b->n_ent + 2 * toks->n))
		return -ENOMEM;
	for (size_t i = 0; i < toks->n; i++) {
		if (term_id(b, &toks->t[i], &word[i]))
			return -ENOMEM;
		ent_count(b, start, word[i]);
	}
	for (size_t i = 0; i + 1 < toks->n; i++) {
		uint32_t id;

		if (!pairs_ok(&toks->t[i]) || !pairs_ok(&toks->t[i + 1]))
			continue;
		if (pair_id(b, word[i], word[i + 1], &id))
			return -ENOMEM;
		ent_count(b, start, id);
	}
	/* Spellings of its alphabetic words. */
	if (grow2((void **)&b->vf_form, sizeof(uint32_t), (void **)&b->vf_tf, sizeof(float), &b->cap_vf, b->n_vf + toks->n))
		return -ENOMEM;
	{
		size_t vstart = b->n_vf;

		for (size_t i = 0; i < toks->n; i++) {
			uint32_t f;
			size_t j;

			if (toks->t[i].kind != TOK_WORD || !fuzzy_ok(&toks->t[i]) || !toks->t[i].surface_len)
				continue;
			if (form_id(b, &toks->t[i], word[i], &f))
				return -ENOMEM;
			for (j = vstart; j < b->n_vf && b->vf_form[j] != f; j++)
				;
			if (j < b->n_vf) {
				b->vf_tf[j] += 1;
			} else {
				b->vf_form[b->n_vf] = f;
				b->vf_tf[b->n_vf++] = 1;
			}
		}
	}
	if (grow((void **)&b->var_doc, &b->cap_var, b->n_var + 1, sizeof(uint32_t)) ||
	    grow2((void **)&b->var_start, sizeof(uint32_t), (void **)&b->vf_start, sizeof(uint32_t), &b->cap_vstart,
		  b->n_var + 2))
		return -ENOMEM;
	b->var_doc[b->n_var] = doc;
	b->var_start[b->n_var + 1] = (uint32_t)b->n_ent;
	b->vf_start[b->n_var + 1] = (uint32_t)b->n_vf;
	return (int)b->n_var++;
}

/* ---- the index ---- */

/* Ids (docs, terms) stored in 16 bits when the largest one fits, else in 32. */
struct ids {
	uint16_t *u16;
	uint32_t *u32;
};

static inline uint32_t ids_get(const struct ids *a, size_t i)
{
	return a->u16 ? a->u16[i] : a->u32[i];
}

static inline void ids_set(struct ids *a, size_t i, uint32_t v)
{
	if (a->u16)
		a->u16[i] = (uint16_t)v;
	else
		a->u32[i] = v;
}

static void ids_free(struct ids *a)
{
	free(a->u16);
	free(a->u32);
}

struct idx {
	enum idx_mode mode;
	uint32_t n_docs, n_terms;
	struct ids vocab;            /* open addressing on the term's hash: slot -> term id + 1, 0 = empty */
	uint32_t vocab_mask;         /* slots - 1 (a power of two, at most 70% full) */
	char *terms;                 /* term strings, NUL-separated, in id order */
	uint32_t *term_off;          /* id -> offset in terms; one more (the end) after the last alias */
	/*
	 * Pairs of adjacent words ("a b", learned weights only): features
	 * n_terms.. n_terms+n_pairs-1 of idf and postings, kept as their two
	 * word ids (no string) sorted by first word, then second. Only pairs
	 * the SVM kept a weight for are here.
	 */
	uint32_t n_pairs;
	struct ids pair_left, pair_right;
	float pair_weight;
	float *idf;                  /* per term and pair: query weight (SVM) or best contribution (BM25) */
	float idf_unseen;            /* an unknown query word's weight in the normaliser */
	uint32_t *post_start;        /* CSR: term or pair -> [post_start[t], post_start[t+1]) */
	struct ids post_doc;
	float *post_w;
	size_t n_post;
	float *bias;                 /* per doc (0 for BM25) */
	/*
	 * Spellings (learned weights, large KBs): a word as written, with
	 * postings of its own that fold in its character n-grams' weights;
	 * ids n_terms+n_pairs.. of the postings, strings after the aliases'.
	 */
	uint32_t n_forms;
	struct ids form_vocab;       /* open addressing like vocab: slot -> string id + 1 */
	uint32_t form_mask;
	struct ids form_term;        /* form -> its word's term id */
	float *gram2;                /* form -> squared norm of its n-grams' query values, per unit of its word's */
	uint32_t n_alias;            /* typo-only spellings: ids n_terms.. n_terms+n_alias-1 of the
					strings and the typo table, never of idf or postings */
	uint32_t *alias_target;      /* alias id - n_terms -> real term id */
	uint32_t *typo_hash;         /* deletion hashes, sorted (ties by term id) */
	struct ids typo_term;        /* the term (or alias) id of each */
	size_t n_typo;
	float typo_weight;
	float foreign_weight;
	uint32_t *domain;            /* sorted hashes of answer words that are not terms */
	size_t n_domain;
	size_t bytes;                /* everything allocated above, the struct included */
};

/* Allocations owned by the index go through these, so idx_bytes() is what they hold. */
static void *ix_malloc(struct idx *ix, size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p)
		ix->bytes += n ? n : 1;
	return p;
}

static void *ix_calloc(struct idx *ix, size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (p)
		ix->bytes += (n ? n : 1) * size;
	return p;
}

/* Room for n ids up to max. */
static int ids_alloc(struct idx *ix, struct ids *a, size_t n, uint32_t max)
{
	if (max <= UINT16_MAX)
		a->u16 = ix_calloc(ix, n, sizeof(uint16_t));
	else
		a->u32 = ix_calloc(ix, n, sizeof(uint32_t));
	return a->u16 || a->u32 ? 0 : -ENOMEM;
}

static size_t ids_bytes(const struct ids *a, size_t n)
{
	return n * (a->u16 ? sizeof(uint16_t) : sizeof(uint32_t));
}

void idx_params_default(struct idx_params *p)
{
	memset(p, 0, sizeof(*p));
	p->mode = IDX_AUTO;
	p->C = 1.0f;
	p->epochs = 20;
	p->prune = 0.1f;
	p->k1 = 1.5f;
	p->b = 0.75f;
	p->train_budget = 4e8;
	p->typo_weight = 0.7f;
	p->foreign_weight = 2.0f;
	p->pair_weight = 0.3f;
	p->pair_prune = 0.2f;
	p->gram_weight = 0.3f;
	p->gram_min = 2;
	p->gram_max = 4;
	p->gram_variants = 20;
	p->gram_pair_weight = 1.0f;
	p->gram_C = 1.5f;
	p->gram_prune = 0.05f;
	p->gram_pair_prune = 0.1f;
	p->gram_budget = 4e9;
}

enum idx_mode idx_mode_of(const struct idx *ix) { return ix->mode; }
size_t idx_bytes(const struct idx *ix) { return ix->bytes; }
size_t idx_postings(const struct idx *ix) { return ix->n_post; }
size_t idx_postings_bytes(const struct idx *ix) { return ids_bytes(&ix->post_doc, ix->n_post) + ix->n_post * sizeof(float); }
size_t idx_terms(const struct idx *ix) { return ix->n_terms + ix->n_pairs + ix->n_forms; }

void idx_free(struct idx *ix)
{
	if (!ix)
		return;
	ids_free(&ix->vocab);
	ids_free(&ix->form_vocab);
	ids_free(&ix->form_term);
	free(ix->gram2);
	ids_free(&ix->pair_left);
	ids_free(&ix->pair_right);
	free(ix->domain);
	free(ix->terms);
	free(ix->term_off);
	free(ix->idf);
	free(ix->post_start);
	ids_free(&ix->post_doc);
	free(ix->post_w);
	free(ix->bias);
	free(ix->typo_hash);
	ids_free(&ix->typo_term);
	free(ix->alias_target);
	free(ix);
}

/* A growing list of (term, doc, weight) triples, later sorted into CSR. */
struct triples {
	uint32_t *term, *doc;
	float *w;
	size_t n, cap;
};

static int triple_add(struct triples *t, uint32_t term, uint32_t doc, float w)
{
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 1024;
		uint32_t *a = realloc(t->term, nc * sizeof(uint32_t));

		if (!a)
			return -ENOMEM;
		t->term = a;
		a = realloc(t->doc, nc * sizeof(uint32_t));
		if (!a)
			return -ENOMEM;
		t->doc = a;
		{
			float *f = realloc(t->w, nc * sizeof(float));

			if (!f)
				return -ENOMEM;
			t->w = f;
		}
		t->cap = nc;
	}
	t->term[t->n] = term;
	t->doc[t->n] = doc;
	t->w[t->n] = w;
	t->n++;
	return 0;
}

static void triples_free(struct triples *t)
{
	free(t->term);
	free(t->doc);
	free(t->w);
}

/* Counting sort of the triples by term (and pair) into the index's CSR arrays. */
static int to_csr(struct idx *ix, const struct triples *t)
{
	uint32_t n = ix->n_terms + ix->n_pairs + ix->n_forms;

	ix->post_start = ix_calloc(ix, n + 2, sizeof(uint32_t));
	ix->post_w = ix_malloc(ix, t->n * sizeof(float));
	if (!ix->post_start || !ix->post_w || ids_alloc(ix, &ix->post_doc, t->n, ix->n_docs ? ix->n_docs - 1 : 0))
		return -ENOMEM;
	for (size_t i = 0; i < t->n; i++)
		ix->post_start[t->term[i] + 2]++;
	for (uint32_t i = 2; i < n + 2; i++)
		ix->post_start[i] += ix->post_start[i - 1];
	for (size_t i = 0; i < t->n; i++) {
		uint32_t at = ix->post_start[t->term[i] + 1]++;

		ids_set(&ix->post_doc, at, t->doc[i]);
		ix->post_w[at] = t->w[i];
	}
	ix->n_post = t->n;
	return 0;
}

/* Linear congruential generator: deterministic shuffles, same index every load. */
static uint32_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*s >> 33);
}

/* Training vectors: variant i's features are fid/fval[fstart[i], fstart[i + 1]). */
struct vecs {
	uint32_t *fstart, *fid;
	float *fval;
	uint32_t n_feat;
};

/* Trainings of at least this many entries x non-zeros use shrinking. */
#define SHRINK_MIN 1e7

struct grams;
static double grams_fold(const struct grams *g, const float *tidf, const double *w, uint32_t n_feat, uint32_t f);

/*
 * One-vs-rest L2-regularised L2-loss SVM, dual coordinate descent (Hsieh et
 * al. 2008, as in LIBLINEAR), bias as a constant feature of value 1.
 * vars: the included variants; x: their normalised TF-IDF vectors, words and
 * pairs (features 0..n_feat-1) then, with gr, the spellings' n-grams. Out:
 * a triple per kept weight of a word or pair and, with gr, of form f as
 * feature n_feat + f (its word's weight with its n-grams' folded in).
 */
static int train_svm(struct idx *ix, const struct idx_builder *b, const uint32_t *vars, size_t nv,
		     const struct vecs *x, const struct idx_params *p, const struct grams *gr,
		     const float *tidf, uint32_t n_feat, struct triples *out)
{
	const uint32_t nf = x->n_feat;
	double *w = calloc(nf + 1, sizeof(double));
	double *alpha = malloc(nv * sizeof(double));
	double *qd = malloc(nv * sizeof(double));
	uint32_t *order = malloc(nv * sizeof(uint32_t));
	const double diag = 0.5 / p->C;
	const bool shrink = (double)ix->n_docs * x->fstart[nv] >= SHRINK_MIN;
	int rc = -ENOMEM;

	if (!w || !alpha || !qd || !order)
		goto out;
	for (size_t i = 0; i < nv; i++) {
		double s = 1.0;  /* the bias feature */

		for (uint32_t e = x->fstart[i]; e < x->fstart[i + 1]; e++)
			s += (double)x->fval[e] * x->fval[e];
		qd[i] = s + diag;
	}
	for (uint32_t c = 0; c < ix->n_docs; c++) {
		uint64_t seed = 0x9E3779B97F4A7C15ULL ^ c;
		bool any = false;

		for (size_t i = 0; i < nv && !any; i++)
			any = b->var_doc[vars[i]] == c;
		if (!any) {
			ix->bias[c] = -1.0f;   /* no variants left (cross-validation): never wins */
			continue;
		}
		memset(w, 0, (nf + 1) * sizeof(double));
		memset(alpha, 0, nv * sizeof(double));
		for (size_t i = 0; i < nv; i++)
			order[i] = (uint32_t)i;
		/*
		 * Shrinking as in LIBLINEAR: a variant at alpha 0 whose gradient
		 * is above the last pass's largest projected gradient leaves the
		 * active set; when the active set has converged, one pass over all
		 * variants confirms it (or brings them back). Only for trainings
		 * big enough to need it: the solution moves within the tolerance,
		 * and small KBs keep the model (and thresholds) they always had.
		 */
		size_t active = nv;
		double pgmax_old = INFINITY;

		for (int ep = 0; ep < p->epochs; ep++) {
			double maxpg = 0, pgmax_new = -INFINITY;

			for (size_t i = active; i > 1; i--) {
				size_t j = lcg(&seed) % i;
				uint32_t tmp = order[i - 1];

				order[i - 1] = order[j];
				order[j] = tmp;
			}
			for (size_t k = 0; k < active; k++) {
				uint32_t i = order[k], v = vars[i];
				double y = b->var_doc[v] == c ? 1.0 : -1.0;
				double g = w[nf];   /* bias weight x 1 */
				double pg, old, d;

				for (uint32_t e = x->fstart[i]; e < x->fstart[i + 1]; e++)
					g += w[x->fid[e]] * x->fval[e];
				g = y * g - 1.0 + diag * alpha[i];
				if (alpha[i] == 0 && g > pgmax_old) {
					uint32_t tmp = order[k];

					order[k--] = order[--active];
					order[active] = tmp;
					continue;
				}
				pg = alpha[i] == 0 ? (g < 0 ? g : 0) : g;
				if (fabs(pg) > maxpg)
					maxpg = fabs(pg);
				if (pg > pgmax_new)
					pgmax_new = pg;
				if (fabs(pg) < 1e-12)
					continue;
				old = alpha[i];
				alpha[i] = fmax(alpha[i] - g / qd[i], 0.0);
				d = (alpha[i] - old) * y;
				for (uint32_t e = x->fstart[i]; e < x->fstart[i + 1]; e++)
					w[x->fid[e]] += d * x->fval[e];
				w[nf] += d;
			}
			if (maxpg < 0.1) {
				if (active == nv)
					break;
				active = nv;   /* converged on the active set: check them all */
				pgmax_old = INFINITY;
				continue;
			}
			pgmax_old = shrink && pgmax_new > 0 ? pgmax_new : INFINITY;
		}
		ix->bias[c] = (float)w[nf];
		for (uint32_t t = 0; t < n_feat; t++)
			if (fabs(w[t]) >= (t < ix->n_terms ? p->prune : p->pair_prune) && triple_add(out, t, c, (float)w[t]))
				goto out;
		for (uint32_t f = 0; gr && f < ix->n_forms; f++) {
			uint32_t t = ids_get(&ix->form_term, f);
			double v = w[t] + grams_fold(gr, tidf, w, n_feat, f) / tidf[t];

			if (fabs(v) >= p->prune && triple_add(out, n_feat + f, c, (float)v))
				goto out;
		}
	}
	rc = 0;
out:
	free(w);
	free(alpha);
	free(qd);
	free(order);
	return rc;
}

/* ---- typo table: deletion neighbourhoods ---- */

static uint32_t hash32(const char *s, size_t n) { return (uint32_t)strmap_hash(s, n); }

/* While building: a deletion's hash and its term. */
struct typo_slot {
	uint32_t hash;
	uint32_t term;
};

/*
 * Sort by hash, then term. A large KB has hundreds of thousands of
 * deletions, built again for every cross-validation fold: a comparison
 * sort took a third of its load, so those go through a least-significant-
 * digit radix sort, 16 bits a pass.
 */
static int typo_cmp(const void *a, const void *b)
{
	const struct typo_slot *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->term < y->term ? -1 : x->term > y->term;
}

static int typo_sort(struct typo_slot *a, size_t n)
{
	struct typo_slot *tmp;
	size_t *count;

	if (n < 2)
		return 0;
	if (n < 65536) {   /* the counting passes would cost more than they save */
		qsort(a, n, sizeof(*a), typo_cmp);
		return 0;
	}
	tmp = malloc(n * sizeof(*tmp));
	count = malloc(65536 * sizeof(size_t));

	if (!tmp || !count) {
		free(tmp);
		free(count);
		return -ENOMEM;
	}
	for (int pass = 0; pass < 4; pass++) {
		int shift = (pass & 1) * 16;
		struct typo_slot *src = pass & 1 ? tmp : a, *dst = pass & 1 ? a : tmp;
		size_t sum = 0;

		memset(count, 0, 65536 * sizeof(size_t));
		for (size_t i = 0; i < n; i++)
			count[((pass < 2 ? src[i].term : src[i].hash) >> shift) & 0xFFFF]++;
		for (size_t k = 0; k < 65536; k++) {
			size_t c = count[k];

			count[k] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[((pass < 2 ? src[i].term : src[i].hash) >> shift) & 0xFFFF]++] = src[i];
	}
	free(tmp);
	free(count);
	return 0;
}

/* Code point offsets of a UTF-8 string: returns the count (<= max). */
static size_t cp_offsets(const char *s, size_t len, uint32_t *off, size_t max)
{
	size_t n = 0, i = 0;

	while (i < len && n < max) {
		off[n++] = (uint32_t)i;
		str_utf8_next(s, len, &i);
	}
	off[n] = (uint32_t)i;
	return n;
}

/* Call fn on s with one, then (depth 2) two, code points deleted. */
static int deletes(const char *s, size_t len, int depth,
		   int (*fn)(void *arg, const char *d, size_t dl), void *arg)
{
	uint32_t off[LIM_TOKEN_BYTES + 1];
	char d[LIM_TOKEN_BYTES];
	size_t n = cp_offsets(s, len, off, LIM_TOKEN_BYTES);
	int rc;

	for (size_t i = 0; i < n; i++) {
		size_t dl = off[i];

		memcpy(d, s, off[i]);
		memcpy(d + dl, s + off[i + 1], len - off[i + 1]);
		dl += len - off[i + 1];
		if ((rc = fn(arg, d, dl)))
			return rc;
		if (depth > 1) {
			for (size_t j = i + 1; j < n; j++) {
				char d2[LIM_TOKEN_BYTES];
				size_t d2l = off[j], rest = len - off[j + 1];

				memcpy(d2, s, off[i]);
				memcpy(d2 + off[i], s + off[i + 1], off[j] - off[i + 1]);
				d2l = off[j] - (off[i + 1] - off[i]);
				memcpy(d2 + d2l, s + off[j + 1], rest);
				d2l += rest;
				if ((rc = fn(arg, d2, d2l)))
					return rc;
			}
		}
	}
	return 0;
}

struct typo_fill {
	struct typo_slot *slot;
	size_t n, cap;
	uint32_t term;
};

static int typo_push(void *arg, const char *d, size_t dl)
{
	struct typo_fill *f = arg;

	if (f->n == f->cap) {
		size_t nc = f->cap ? f->cap * 2 : 1024;
		struct typo_slot *ns = realloc(f->slot, nc * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		f->slot = ns;
		f->cap = nc;
	}
	f->slot[f->n].hash = hash32(d, dl);
	f->slot[f->n].term = f->term;
	f->n++;
	return 0;
}

static int build_typo(struct idx *ix, const uint8_t *fuzzy)
{
	struct typo_fill f = { NULL, 0, 0, 0 };
	size_t w = 0;
	int rc = -ENOMEM;

	for (uint32_t t = 0; t < ix->n_terms + ix->n_alias; t++) {
		const char *s = ix->terms + ix->term_off[t];
		size_t len = strlen(s), nc = str_utf8_count(s, len);

		if (!fuzzy[t] || nc < 4)
			continue;
		f.term = t;
		/*
		 * Two deletions only for terms of 8+ characters: a query term of 8+
		 * (the only ones allowed two edits) within two edits of a shorter
		 * term needs at most one deletion on this side — the others are
		 * made on the query's side.
		 */
		if ((rc = typo_push(&f, s, len)) || (rc = deletes(s, len, nc >= 8 ? 2 : 1, typo_push, &f)))
			goto out;
	}
	if ((rc = typo_sort(f.slot, f.n)))
		goto out;
	/* Drop exact duplicates (the same deletion reached twice). */
	for (size_t i = 0; i < f.n; i++)
		if (!w || f.slot[i].hash != f.slot[w - 1].hash || f.slot[i].term != f.slot[w - 1].term)
			f.slot[w++] = f.slot[i];
	/* Kept as two arrays of the exact size: hashes, and term ids in 16 bits when they fit. */
	rc = -ENOMEM;
	if (w && ((ix->typo_hash = ix_malloc(ix, w * sizeof(uint32_t))) == NULL ||
		  ids_alloc(ix, &ix->typo_term, w, ix->n_terms + ix->n_alias - 1)))
		goto out;
	for (size_t i = 0; i < w; i++) {
		ix->typo_hash[i] = f.slot[i].hash;
		ids_set(&ix->typo_term, i, f.slot[i].term);
	}
	ix->n_typo = w;
	rc = 0;
out:
	free(f.slot);
	return rc;
}

int idx_edit_distance(const char *a, size_t al, const char *b, size_t bl, int max)
{
	uint32_t x[LIM_TOKEN_BYTES], y[LIM_TOKEN_BYTES];
	int d[3][LIM_TOKEN_BYTES + 1];
	size_t n = 0, m = 0, i = 0;

	while (i < al && n < LIM_TOKEN_BYTES)
		x[n++] = str_utf8_next(a, al, &i);
	i = 0;
	while (i < bl && m < LIM_TOKEN_BYTES)
		y[m++] = str_utf8_next(b, bl, &i);
	if ((n > m ? n - m : m - n) > (size_t)max)
		return max + 1;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = (int)j;
	for (i = 1; i <= n; i++) {
		int *cur = d[i % 3], *prev = d[(i + 2) % 3], *prev2 = d[(i + 1) % 3];
		int best = cur[0] = (int)i;

		for (size_t j = 1; j <= m; j++) {
			int c = x[i - 1] == y[j - 1] ? 0 : 1;
			int v = prev[j - 1] + c;

			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] && prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
			if (v < best)
				best = v;
		}
		if (best > max)
			return max + 1;
	}
	return d[n % 3][m] > max ? max + 1 : d[n % 3][m];
}

/* ---- vocabulary: term string -> id ---- */

static size_t term_len(const struct idx *ix, uint32_t t)
{
	return ix->term_off[t + 1] - ix->term_off[t] - 1;
}

/*
 * The vocabulary slot of s: the one holding its id, or the empty one where it
 * would go. Slots hold ids only; a term is told apart by its string (its
 * length first) in ix->terms.
 */
static size_t table_slot(const struct idx *ix, const struct ids *tab, uint32_t mask, const char *s, size_t len)
{
	uint64_t h = strmap_hash(s, len);

	for (size_t i = (size_t)(h ^ (h >> 32)) & mask;; i = (i + 1) & mask) {
		uint32_t v = ids_get(tab, i);

		if (!v || (term_len(ix, v - 1) == len && !memcmp(ix->terms + ix->term_off[v - 1], s, len)))
			return i;
	}
}

/* Term id of s, or UINT32_MAX. */
static uint32_t vocab_get(const struct idx *ix, const char *s, size_t len)
{
	uint32_t v = ids_get(&ix->vocab, table_slot(ix, &ix->vocab, ix->vocab_mask, s, len));

	return v ? v - 1 : UINT32_MAX;
}

/* Form id of the spelling s, or UINT32_MAX. */
static uint32_t form_get(const struct idx *ix, const char *s, size_t len)
{
	uint32_t v;

	if (!ix->n_forms)
		return UINT32_MAX;
	v = ids_get(&ix->form_vocab, table_slot(ix, &ix->form_vocab, ix->form_mask, s, len));
	return v ? v - 1 - ix->n_terms - ix->n_alias : UINT32_MAX;
}

/* A table over the n strings first.. (in place already): slot -> string id + 1. */
static int table_build(struct idx *ix, struct ids *tab, uint32_t *mask, uint32_t first, uint32_t n)
{
	size_t cap = 1;

	while (cap * 7 < (size_t)n * 10)
		cap *= 2;
	if (cap > (size_t)UINT32_MAX + 1 || ids_alloc(ix, tab, cap, first + n))
		return -ENOMEM;
	*mask = (uint32_t)(cap - 1);
	for (uint32_t t = first; t < first + n; t++)
		ids_set(tab, table_slot(ix, tab, *mask, ix->terms + ix->term_off[t], term_len(ix, t)), t + 1);
	return 0;
}

/* ---- build ---- */

/* Builder term id of s, or UINT32_MAX. */
static uint32_t builder_term(const struct idx_builder *b, const char *s)
{
	uint32_t *id = strmap_get(b->vocab, s, strlen(s));

	return id ? *id : UINT32_MAX;
}

/* ---- domain words: what the answers talk about ---- */

static int domain_add(void *arg, const char *key, size_t len, uint32_t val)
{
	struct idx *ix = arg;

	(void)val;
	if (vocab_get(ix, key, len) == UINT32_MAX)
		ix->domain[ix->n_domain++] = hash32(key, len);
	return 0;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int build_domain(struct idx *ix, const struct idx_builder *b)
{
	size_t cap = strmap_count(b->domain);
	uint32_t *fit;

	ix->domain = ix_malloc(ix, cap * sizeof(uint32_t));
	if (!ix->domain)
		return -ENOMEM;
	strmap_each(b->domain, domain_add, ix);
	qsort(ix->domain, ix->n_domain, sizeof(uint32_t), u32_cmp);
	/* Most answer words are question terms too: keep only what is left. */
	if (ix->n_domain < cap && ix->n_domain && (fit = realloc(ix->domain, ix->n_domain * sizeof(uint32_t)))) {
		ix->domain = fit;
		ix->bytes -= (cap - ix->n_domain) * sizeof(uint32_t);
	}
	return 0;
}

static bool in_domain(const struct idx *ix, const char *s, size_t len)
{
	uint32_t h = hash32(s, len);
	size_t lo = 0, hi = ix->n_domain;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ix->domain[mid] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix->n_domain && ix->domain[lo] == h;
}

/* A pair of adjacent words the SVM gave a weight: its two words (index ids) and its training feature. */
struct pair_pick {
	uint32_t left, right, feat;
};

static int pair_pick_cmp(const void *a, const void *b)
{
	const struct pair_pick *x = a, *y = b;

	if (x->left != y->left)
		return x->left < y->left ? -1 : 1;
	return x->right < y->right ? -1 : x->right > y->right;
}

/*
 * The features after the words (n_terms..n_feat-1) are candidate pairs, with
 * words[2k], words[2k + 1] the two words of candidate k. Keep those with at
 * least one posting — a pair whose weights were all pruned could only change
 * the query's normaliser — as ids n_terms.. in (left, right) order; fill the
 * idf of words and kept pairs from tidf (per feature) and renumber the
 * triples, those of forms (n_feat + f) to ids after the kept pairs.
 */
static int keep_pairs(struct idx *ix, const float *tidf, uint32_t n_feat, const uint32_t *words,
		      struct triples *tr)
{
	uint32_t nc = n_feat - ix->n_terms, n = 0;
	uint32_t *to = calloc(nc + 1, sizeof(uint32_t));
	struct pair_pick *pk = malloc((nc + 1) * sizeof(*pk));
	int rc = -ENOMEM;

	if (!to || !pk)
		goto out;
	for (size_t i = 0; i < tr->n; i++)
		if (tr->term[i] >= ix->n_terms && tr->term[i] < n_feat)
			to[tr->term[i] - ix->n_terms] = 1;
	for (uint32_t k = 0; k < nc; k++)
		if (to[k])
			pk[n++] = (struct pair_pick){ words[2 * k], words[2 * k + 1], k };
	qsort(pk, n, sizeof(*pk), pair_pick_cmp);
	ix->idf = ix_malloc(ix, (ix->n_terms + n) * sizeof(float));
	if (!ix->idf)
		goto out;
	memcpy(ix->idf, tidf, ix->n_terms * sizeof(float));
	if (n && (ids_alloc(ix, &ix->pair_left, n, ix->n_terms - 1) ||
		  ids_alloc(ix, &ix->pair_right, n, ix->n_terms - 1)))
		goto out;
	for (uint32_t r = 0; r < n; r++) {
		ids_set(&ix->pair_left, r, pk[r].left);
		ids_set(&ix->pair_right, r, pk[r].right);
		ix->idf[ix->n_terms + r] = tidf[ix->n_terms + pk[r].feat];
		to[pk[r].feat] = ix->n_terms + r;
	}
	for (size_t i = 0; i < tr->n; i++)
		if (tr->term[i] >= ix->n_terms)
			tr->term[i] = tr->term[i] < n_feat ? to[tr->term[i] - ix->n_terms] : tr->term[i] - n_feat + ix->n_terms + n;
	ix->n_pairs = n;
	rc = 0;
out:
	free(to);
	free(pk);
	return rc;
}

/*
 * Character n-grams of the spellings (learned weights, large KBs): training
 * features that let related words share evidence ("verify", "verification",
 * "verified"). A spelling's n-grams are a function of the spelling, so after
 * training their weights are folded into postings of its own.
 */
struct grams {
	struct strmap *map;        /* n-gram -> its number */
	uint32_t *start;           /* form -> [start[f], start[f + 1]) in feat, cnt */
	uint32_t *feat;            /* n-gram number */
	float *cnt;                /* occurrences in the spelling */
	uint32_t n;                /* distinct n-grams */
	size_t len, cap;
};

static void grams_free(struct grams *g)
{
	strmap_free(g->map);
	free(g->start);
	free(g->feat);
	free(g->cnt);
}

/* Count n-gram s[0..len) once more for the spelling whose n-grams start at first. */
static int grams_add(struct grams *g, size_t first, const char *s, size_t len)
{
	int ins;
	uint32_t *v = strmap_put(g->map, s, len, g->n, &ins);
	size_t j;

	if (!v)
		return -ENOMEM;
	g->n += ins;
	for (j = first; j < g->len && g->feat[j] != *v; j++)
		;
	if (j < g->len) {
		g->cnt[j] += 1;
		return 0;
	}
	if (grow2((void **)&g->feat, sizeof(uint32_t), (void **)&g->cnt, sizeof(float), &g->cap, g->len + 1))
		return -ENOMEM;
	g->feat[g->len] = *v;
	g->cnt[g->len++] = 1;
	return 0;
}

/* The n-grams of every form's spelling (strings in place), a space at both ends. */
static int grams_build(struct grams *g, const struct idx *ix, const struct idx_params *p)
{
	g->map = strmap_new();
	g->start = malloc((ix->n_forms + 1) * sizeof(uint32_t));
	if (!g->map || !g->start)
		return -ENOMEM;
	for (uint32_t f = 0; f < ix->n_forms; f++) {
		uint32_t id = ix->n_terms + ix->n_alias + f;
		char pad[LIM_TOKEN_BYTES + 2];
		uint32_t off[LIM_TOKEN_BYTES + 3];
		size_t len = term_len(ix, id), n, first = g->len;

		g->start[f] = (uint32_t)g->len;
		if (len + 2 > sizeof(pad))
			continue;
		pad[0] = ' ';
		memcpy(pad + 1, ix->terms + ix->term_off[id], len);
		pad[len + 1] = ' ';
		n = cp_offsets(pad, len + 2, off, LIM_TOKEN_BYTES + 2);
		for (int k = p->gram_min; k <= p->gram_max; k++)
			for (size_t i = 0; i + (size_t)k <= n; i++)
				if (grams_add(g, first, pad + off[i], off[i + k] - off[i]))
					return -ENOMEM;
	}
	g->start[ix->n_forms] = (uint32_t)g->len;
	return 0;
}

/* Form f's n-grams' part of a score: their weights times their values per occurrence of f. */
static double grams_fold(const struct grams *g, const float *tidf, const double *w, uint32_t n_feat, uint32_t f)
{
	double s = 0;

	for (uint32_t j = g->start[f]; j < g->start[f + 1]; j++)
		s += g->cnt[j] * tidf[n_feat + g->feat[j]] * w[n_feat + g->feat[j]];
	return s;
}

/*
 * The spellings' part of training: their n-grams (features n_feat..), the
 * n-grams' idf over the included variants (tidf grows to hold them), each
 * form's gram2, room in x for the n-gram values, and gstat (per n-gram: its
 * position in the vector being built, UINT32_MAX when not in it).
 */
static int spell_features(struct idx *ix, const struct idx_builder *b, const uint32_t *vars, size_t nv,
			  const uint32_t *fremap, uint32_t n_feat, const struct idx_params *p,
			  struct grams *gr, uint32_t **gstat, float **tidf, struct vecs *x, size_t n_ent)
{
	uint32_t *last, *gdf;
	size_t n_gent = 0;
	void *np;

	if (grams_build(gr, ix, p))
		return -ENOMEM;
	*gstat = calloc(2 * (size_t)gr->n + 1, sizeof(uint32_t));
	ix->gram2 = ix_calloc(ix, ix->n_forms, sizeof(float));
	if (!*gstat || !ix->gram2 || !(np = realloc(*tidf, (n_feat + gr->n + 1) * sizeof(float))))
		return -ENOMEM;
	*tidf = np;
	last = *gstat;
	gdf = *gstat + gr->n;
	for (size_t i = 0; i < nv; i++)
		for (uint32_t e = b->vf_start[vars[i]]; e < b->vf_start[vars[i] + 1]; e++) {
			uint32_t f = fremap[b->vf_form[e]];

			if (f == UINT32_MAX)
				continue;
			for (uint32_t j = gr->start[f]; j < gr->start[f + 1]; j++) {
				uint32_t g = gr->feat[j];

				n_gent++;
				if (last[g] != i + 1) {
					last[g] = (uint32_t)i + 1;
					gdf[g]++;
				}
			}
		}
	for (uint32_t g = 0; g < gr->n; g++) {
		(*tidf)[n_feat + g] = (float)(log((nv + 1.0) / (gdf[g] + 1.0)) + 1.0);
		(*gstat)[g] = UINT32_MAX;
	}
	for (uint32_t f = 0; f < ix->n_forms; f++) {
		double q = 0, sc = (*tidf)[ids_get(&ix->form_term, f)];

		for (uint32_t j = gr->start[f]; j < gr->start[f + 1]; j++) {
			double v = p->gram_weight * gr->cnt[j] * (*tidf)[n_feat + gr->feat[j]];

			q += v * v;
		}
		ix->gram2[f] = (float)(q / (sc * sc));
	}
	/* The fold in train_svm reads cnt with the n-gram weight in it. */
	for (size_t j = 0; j < gr->len; j++)
		gr->cnt[j] *= p->gram_weight;
	x->n_feat = n_feat + gr->n;
	if (!(np = realloc(x->fid, (n_ent + n_gent + 1) * sizeof(uint32_t))))
		return -ENOMEM;
	x->fid = np;
	if (!(np = realloc(x->fval, (n_ent + n_gent + 1) * sizeof(float))))
		return -ENOMEM;
	x->fval = np;
	return 0;
}

/*
 * Whether to train with spellings: learned weights, many variants per entry,
 * some spellings, and a training cost (entries x the variants' non-zeros,
 * n-grams included, x passes) within gram_budget. Decided on all of the
 * builder's variants, so that cross-validation trains the same model.
 */
static bool spellings_fit(const struct idx_builder *b, uint32_t n_docs, const struct idx_params *p)
{
	double nnz = (double)b->n_ent, grams = 0;

	if (p->gram_weight <= 0 || !n_docs || !b->n_vf || (double)b->n_var < (double)p->gram_variants * n_docs)
		return false;
	for (size_t e = 0; e < b->n_vf; e++) {
		size_t len = strlen(b->form_chars + b->form_off[b->vf_form[e]]) + 2;   /* bytes: an estimate */

		for (int k = p->gram_min; k <= p->gram_max; k++)
			grams += len >= (size_t)k ? (double)(len - (size_t)k + 1) : 0;
	}
	return (double)n_docs * (nnz + grams) * p->epochs <= p->gram_budget;
}

struct idx *idx_build(const struct idx_builder *b, uint32_t n_docs, const struct idx_params *p)
{
	struct idx *ix = calloc(1, sizeof(*ix));
	uint32_t *remap = NULL, *vars = NULL, *df = NULL, *alias_to = NULL, *pair_words = NULL;
	uint32_t *fremap = NULL, *gstat = NULL;
	uint8_t *fuzzy = NULL;
	float *tidf = NULL;
	struct vecs x = { 0 };
	struct grams gr = { 0 };
	struct triples tr = { 0 };
	struct idx_params tp = *p;
	size_t nv = 0, nnz = 0, n_ent = 0, terms_len = 0;
	uint32_t n_feat;

	if (!ix)
		return NULL;
	ix->bytes = sizeof(*ix);
	ix->n_docs = n_docs;
	ix->typo_weight = p->typo_weight;
	ix->foreign_weight = p->foreign_weight;
	remap = malloc((b->n_terms + 1) * sizeof(uint32_t));
	vars = malloc((b->n_var + 1) * sizeof(uint32_t));
	df = calloc(b->n_terms + 1, sizeof(uint32_t));
	alias_to = malloc((b->n_alias + 1) * sizeof(uint32_t));
	ix->bias = ix_calloc(ix, n_docs, sizeof(float));
	if (!remap || !vars || !df || !alias_to || !ix->bias)
		goto fail;

	/* Included variants, their document frequencies, the compact vocabulary. */
	for (size_t v = 0; v < b->n_var; v++) {
		if (p->skip_variant && p->skip_variant[v])
			continue;
		if (b->var_doc[v] >= n_docs)
			continue;
		vars[nv++] = (uint32_t)v;
		for (uint32_t e = b->var_start[v]; e < b->var_start[v + 1]; e++) {
			df[b->ent_term[e]]++;
			nnz += b->pair_left[b->ent_term[e]] == UINT32_MAX;   /* the size budget counts words */
		}
		n_ent += b->var_start[v + 1] - b->var_start[v];
	}
	ix->mode = p->mode;
	if (ix->mode == IDX_AUTO)
		ix->mode = (double)n_docs * (double)nnz * p->epochs <= p->train_budget ? IDX_TRAINED : IDX_BM25;
	/*
	 * Spellings for KBs with many variants per entry, decided on all the
	 * builder's variants so that cross-validation builds the same model.
	 */
	if (ix->mode == IDX_TRAINED && spellings_fit(b, n_docs, p)) {
		fremap = malloc((b->n_forms + 1) * sizeof(uint32_t));
		if (!fremap)
			goto fail;
		tp.pair_weight = p->gram_pair_weight;
		tp.C = p->gram_C;
		tp.prune = p->gram_prune;
		tp.pair_prune = p->gram_pair_prune;
	}
	if (ix->mode == IDX_TRAINED && tp.pair_weight > 0)
		ix->pair_weight = tp.pair_weight;
	/* Words first, then (learned weights) the pairs of words to train on. */
	for (size_t t = 0; t < b->n_terms; t++) {
		remap[t] = UINT32_MAX;
		if (df[t] && b->pair_left[t] == UINT32_MAX) {
			remap[t] = ix->n_terms++;
			terms_len += strlen(b->terms + b->term_off[t]) + 1;
		}
	}
	n_feat = ix->n_terms;
	if (ix->pair_weight > 0)
		for (size_t t = 0; t < b->n_terms; t++)
			if (df[t] && b->pair_left[t] != UINT32_MAX)
				remap[t] = n_feat++;
	/* Aliases whose target is indexed and which are not indexed terms themselves. */
	for (size_t k = 0; k < b->n_alias; k++) {
		uint32_t to = builder_term(b, b->alias_to[k]), from = builder_term(b, b->alias_from[k]);

		alias_to[k] = UINT32_MAX;
		if (to == UINT32_MAX || remap[to] == UINT32_MAX || (from != UINT32_MAX && remap[from] != UINT32_MAX))
			continue;
		alias_to[k] = remap[to];
		ix->n_alias++;
		terms_len += strlen(b->alias_from[k]) + 1;
	}
	/* Spellings of included words that included variants use. */
	if (fremap) {
		for (size_t f = 0; f < b->n_forms; f++)
			fremap[f] = UINT32_MAX;
		for (size_t i = 0; i < nv; i++)
			for (uint32_t e = b->vf_start[vars[i]]; e < b->vf_start[vars[i] + 1]; e++) {
				uint32_t f = b->vf_form[e];

				if (fremap[f] == UINT32_MAX && remap[b->form_term[f]] < ix->n_terms) {
					fremap[f] = ix->n_forms++;
					terms_len += strlen(b->form_chars + b->form_off[f]) + 1;
				}
			}
		if (ids_alloc(ix, &ix->form_term, ix->n_forms, ix->n_terms ? ix->n_terms - 1 : 0))
			goto fail;
	}
	ix->terms = ix_malloc(ix, terms_len);
	ix->term_off = ix_malloc(ix, (ix->n_terms + ix->n_alias + ix->n_forms + 1) * sizeof(uint32_t));
	ix->alias_target = ix_malloc(ix, ix->n_alias * sizeof(uint32_t));
	fuzzy = calloc(ix->n_terms + ix->n_alias + 1, 1);
	if (!ix->term_off || !ix->terms || !fuzzy || !ix->alias_target)
		goto fail;
	{
		size_t at = 0;
		uint32_t id = ix->n_terms;

		for (size_t t = 0; t < b->n_terms; t++) {
			const char *s;
			size_t len;

			if (remap[t] >= ix->n_terms)   /* not included, or a pair */
				continue;
			s = b->terms + b->term_off[t];
			len = strlen(s);
			ix->term_off[remap[t]] = (uint32_t)at;
			memcpy(ix->terms + at, s, len + 1);
			at += len + 1;
			fuzzy[remap[t]] = b->term_fuzzy[t];
		}
		for (size_t k = 0; k < b->n_alias; k++) {
			size_t len = strlen(b->alias_from[k]);

			if (alias_to[k] == UINT32_MAX)
				continue;
			ix->term_off[id] = (uint32_t)at;
			memcpy(ix->terms + at, b->alias_from[k], len + 1);
			at += len + 1;
			fuzzy[id] = 1;
			ix->alias_target[id++ - ix->n_terms] = alias_to[k];
		}
		/* Spellings in form id order (term_len() reads the next one's offset). */
		for (size_t f = 0; fremap && f < b->n_forms; f++)
			if (fremap[f] != UINT32_MAX)
				ix->term_off[id + fremap[f]] = (uint32_t)f;
		for (uint32_t to = 0; to < ix->n_forms; to++) {
			uint32_t f = ix->term_off[id + to];
			const char *s = b->form_chars + b->form_off[f];
			size_t len = strlen(s);

			ix->term_off[id + to] = (uint32_t)at;
			memcpy(ix->terms + at, s, len + 1);
			at += len + 1;
			ids_set(&ix->form_term, to, remap[b->form_term[f]]);
		}
		ix->term_off[id + ix->n_forms] = (uint32_t)at;
	}
	if (table_build(ix, &ix->vocab, &ix->vocab_mask, 0, ix->n_terms) ||
	    (ix->n_forms && table_build(ix, &ix->form_vocab, &ix->form_mask, ix->n_terms + ix->n_alias, ix->n_forms)))
		goto fail;

	if (ix->mode == IDX_TRAINED) {
		/*
		 * Smoothed idf over variants; unit-length TF-IDF vectors over words
		 * and pairs, a pair's value scaled by the pair weight.
		 */
		uint32_t k = 0;

		tidf = malloc((n_feat + 1) * sizeof(float));
		pair_words = malloc((2 * (size_t)(n_feat - ix->n_terms) + 1) * sizeof(uint32_t));
		x.fstart = malloc((nv + 1) * sizeof(uint32_t));
		x.fid = malloc((n_ent + 1) * sizeof(uint32_t));
		x.fval = malloc((n_ent + 1) * sizeof(float));
		x.n_feat = n_feat;
		if (!tidf || !pair_words || !x.fstart || !x.fid || !x.fval)
			goto fail;
		for (size_t t = 0; t < b->n_terms; t++) {
			uint32_t f = remap[t];

			if (f == UINT32_MAX)
				continue;
			tidf[f] = (float)(log((nv + 1.0) / (df[t] + 1.0)) + 1.0);
			if (f >= ix->n_terms) {
				pair_words[2 * (f - ix->n_terms)] = remap[b->pair_left[t]];
				pair_words[2 * (f - ix->n_terms) + 1] = remap[b->pair_right[t]];
			}
		}
		ix->idf_unseen = (float)(log(nv + 1.0) + 1.0);
		if (ix->n_forms && spell_features(ix, b, vars, nv, fremap, n_feat, p, &gr, &gstat, &tidf, &x, n_ent))
			goto fail;
		x.fstart[0] = 0;
		for (size_t i = 0; i < nv; i++) {
			uint32_t v = vars[i], start = k;
			double norm = 0;

			for (uint32_t e = b->var_start[v]; e < b->var_start[v + 1]; e++) {
				uint32_t f = remap[b->ent_term[e]];

				if (f == UINT32_MAX)
					continue;
				x.fid[k] = f;
				x.fval[k] = b->ent_tf[e] * tidf[f] * (f >= ix->n_terms ? ix->pair_weight : 1.0f);
				k++;
			}
			/* The n-grams of its spellings, an n-gram shared by two words counted twice. */
			for (uint32_t e = ix->n_forms ? b->vf_start[v] : 0; e < (ix->n_forms ? b->vf_start[v + 1] : 0); e++) {
				uint32_t f = fremap[b->vf_form[e]];

				if (f == UINT32_MAX)
					continue;
				for (uint32_t j = gr.start[f]; j < gr.start[f + 1]; j++) {
					uint32_t g = gr.feat[j];

					if (gstat[g] == UINT32_MAX) {
						gstat[g] = k;
						x.fid[k] = n_feat + g;
						x.fval[k++] = 0;
					}
					x.fval[gstat[g]] += b->vf_tf[e] * gr.cnt[j] * tidf[n_feat + g];
				}
			}
			for (uint32_t e = start; e < k; e++) {
				if (x.fid[e] >= n_feat)
					gstat[x.fid[e] - n_feat] = UINT32_MAX;
				norm += (double)x.fval[e] * x.fval[e];
			}
			norm = norm > 0 ? 1.0 / sqrt(norm) : 0;
			for (uint32_t e = start; e < k; e++)
				x.fval[e] = (float)(x.fval[e] * norm);
			x.fstart[i + 1] = k;
		}
		if (train_svm(ix, b, vars, nv, &x, &tp, ix->n_forms ? &gr : NULL, tidf, n_feat, &tr) ||
		    keep_pairs(ix, tidf, n_feat, pair_words, &tr))
			goto fail;
	} else {
		/* Entry-level BM25: a doc's variants pooled into one document. */
		float *len = calloc(n_docs + 1, sizeof(float));
		uint32_t *ddf = calloc(ix->n_terms + 1, sizeof(uint32_t));
		float *f = NULL;
		uint32_t *seen = NULL;
		double avg = 0;
		size_t ndocs_nonempty = 0;
		int rc = 0;

		/* Pooled term frequencies: a dense row per doc would be too big; accumulate per doc. */
		f = calloc(ix->n_terms + 1, sizeof(float));
		seen = malloc((ix->n_terms + 1) * sizeof(uint32_t));
		ix->idf = ix_calloc(ix, ix->n_terms, sizeof(float));
		if (!len || !ddf || !f || !seen || !ix->idf) {
			free(len); free(ddf); free(f); free(seen);
			goto fail;
		}
		for (size_t i = 0; i < nv; i++)
			for (uint32_t e = b->var_start[vars[i]]; e < b->var_start[vars[i] + 1]; e++)
				if (remap[b->ent_term[e]] != UINT32_MAX)   /* pairs are not BM25 terms */
					len[b->var_doc[vars[i]]] += b->ent_tf[e];
		for (uint32_t d = 0; d < n_docs; d++)
			if (len[d] > 0) {
				avg += len[d];
				ndocs_nonempty++;
			}
		avg = ndocs_nonempty ? avg / ndocs_nonempty : 1;
		/* Variants sorted by doc: vars[] is in insertion order, group by doc. */
		{
			uint32_t *bydoc = malloc((nv + 1) * sizeof(uint32_t));
			uint32_t *dstart = calloc(n_docs + 2, sizeof(uint32_t));

			if (!bydoc || !dstart) {
				free(bydoc); free(dstart); free(len); free(ddf); free(f); free(seen);
				goto fail;
			}
			for (size_t i = 0; i < nv; i++)
				dstart[b->var_doc[vars[i]] + 2]++;
			for (uint32_t d = 2; d < n_docs + 2; d++)
				dstart[d] += dstart[d - 1];
			for (size_t i = 0; i < nv; i++)
				bydoc[dstart[b->var_doc[vars[i]] + 1]++] = vars[i];
			/* Pass 1: doc frequencies. Pass 2: weights. */
			for (int pass = 0; pass < 2 && !rc; pass++) {
				for (uint32_t d = 0; d < n_docs && !rc; d++) {
					size_t ns = 0;

					for (uint32_t k = dstart[d]; k < dstart[d + 1]; k++) {
						uint32_t v = bydoc[k];

						for (uint32_t e = b->var_start[v]; e < b->var_start[v + 1]; e++) {
							uint32_t t = remap[b->ent_term[e]];

							if (t == UINT32_MAX)
								continue;
							if (f[t] == 0)
								seen[ns++] = t;
							f[t] += b->ent_tf[e];
						}
					}
					for (size_t s = 0; s < ns && !rc; s++) {
						uint32_t t = seen[s];

						if (pass == 0) {
							ddf[t]++;
						} else {
							double idf = log(1.0 + (n_docs - ddf[t] + 0.5) / (ddf[t] + 0.5));
							double w = idf * f[t] * (p->k1 + 1) /
								   (f[t] + p->k1 * (1 - p->b + p->b * len[d] / avg));

							rc = triple_add(&tr, t, d, (float)w);
						}
						f[t] = 0;
					}
				}
			}
			free(bydoc);
			free(dstart);
		}
		for (uint32_t t = 0; t < ix->n_terms; t++)
			ix->idf[t] = (float)(log(1.0 + (n_docs - ddf[t] + 0.5) / (ddf[t] + 0.5)) * (p->k1 + 1));
		ix->idf_unseen = (float)(log(1.0 + (n_docs + 0.5) / 0.5) * (p->k1 + 1));
		free(len);
		free(ddf);
		free(f);
		free(seen);
		if (rc)
			goto fail;
	}
	if (to_csr(ix, &tr) || build_typo(ix, fuzzy) || build_domain(ix, b))
		goto fail;
	triples_free(&tr);
	grams_free(&gr);
	free(gstat);
	free(fremap);
	free(remap);
	free(vars);
	free(df);
	free(alias_to);
	free(fuzzy);
	free(tidf);
	free(pair_words);
	free(x.fstart);
	free(x.fid);
	free(x.fval);
	return ix;
fail:
	triples_free(&tr);
	grams_free(&gr);
	free(gstat);
	free(fremap);
	free(remap);
	free(vars);
	free(df);
	free(alias_to);
	free(fuzzy);
	free(tidf);
	free(pair_words);
	free(x.fstart);
	free(x.fid);
	free(x.fval);
	idx_free(ix);
	return NULL;
}

/* ---- query ---- */

struct idx_scratch {
	float *acc;
	uint32_t *touched;
	uint8_t *mark;
	uint32_t n_docs;
};

struct idx_scratch *idx_scratch_new(uint32_t n_docs)
{
	struct idx_scratch *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->n_docs = n_docs;
	s->acc = calloc(n_docs + 1, sizeof(float));
	s->touched = malloc((n_docs + 1) * sizeof(uint32_t));
	s->mark = calloc(n_docs + 1, 1);
	if (!s->acc || !s->touched || !s->mark) {
		idx_scratch_free(s);
		return NULL;
	}
	return s;
}

size_t idx_scratch_bytes(const struct idx_scratch *s)
{
	return sizeof(*s) + (s->n_docs + 1) * (sizeof(float) + sizeof(uint32_t) + 1);
}

void idx_scratch_free(struct idx_scratch *s)
{
	if (!s)
		return;
	free(s->acc);
	free(s->touched);
	free(s->mark);
	free(s);
}

struct typo_find {
	const struct idx *ix;
	const char *q;
	size_t ql;
	int maxd;
	size_t nchars;
	int best_d;
	uint32_t best;
	size_t best_post;
};

static int typo_probe(void *arg, const char *d, size_t dl)
{
	struct typo_find *f = arg;
	const struct idx *ix = f->ix;
	uint32_t h = hash32(d, dl);
	size_t lo = 0, hi = ix->n_typo;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ix->typo_hash[mid] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ix->n_typo && ix->typo_hash[lo] == h; lo++) {
		uint32_t t = ids_get(&ix->typo_term, lo);
		const char *s = ix->terms + ix->term_off[t];
		int dist = idx_edit_distance(f->q, f->ql, s, strlen(s), f->maxd);
		size_t np;

		if (t >= ix->n_terms)
			t = ix->alias_target[t - ix->n_terms];   /* a misspelt synonym: its canonical term */
		np = ix->post_start[t + 1] - ix->post_start[t];

		/*
		 * Four-letter words keep their first letter: "trak" is "track", but
		 * "tell" is not "sell".
		 */
		if (f->nchars == 4 && str_utf8_next(s, strlen(s), &(size_t){ 0 }) != str_utf8_next(f->q, f->ql, &(size_t){ 0 }))
			continue;
		/* Closest first; among equals the term with most postings (the common word). */
		if (dist <= f->maxd && (dist < f->best_d || (dist == f->best_d && np > f->best_post))) {
			f->best_d = dist;
			f->best = t;
			f->best_post = np;
		}
	}
	return 0;
}

/* Vocabulary term for a word not in the vocabulary, or UINT32_MAX. */
static uint32_t typo_lookup(const struct idx *ix, const struct tok *t)
{
	struct typo_find f = { ix, t->term, t->len, 0, t->nchars, 99, UINT32_MAX, 0 };

	if (!ix->n_typo || !fuzzy_ok(t) || t->nchars < 4)
		return UINT32_MAX;
	f.maxd = str_utf8_count(t->term, t->len) >= 8 ? 2 : 1;   /* the term compared, not the word typed */
	typo_probe(&f, t->term, t->len);
	deletes(t->term, t->len, f.maxd, typo_probe, &f);
	return f.best;
}

/* Resolve a query token to a term id and its match kind. */
static uint32_t resolve(const struct idx *ix, const struct tok *t, enum idx_match *m)
{
	uint32_t id = vocab_get(ix, t->term, t->len);

	if (id != UINT32_MAX) {
		*m = IDX_MATCH_EXACT;
		return id;
	}
	if (t->kind == TOK_WORD || t->kind == TOK_SYN) {
		uint32_t tt = typo_lookup(ix, t);

		if (tt != UINT32_MAX) {
			*m = IDX_MATCH_TYPO;
			return tt;
		}
	}
	*m = IDX_MATCH_UNKNOWN;
	return UINT32_MAX;
}

/* The pair of adjacent words a, b (term ids), or UINT32_MAX when the index has none. */
static uint32_t pair_get(const struct idx *ix, uint32_t a, uint32_t b)
{
	size_t lo = 0, hi = ix->n_pairs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t l = ids_get(&ix->pair_left, mid);

		if (l < a || (l == a && ids_get(&ix->pair_right, mid) < b))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ix->n_pairs && ids_get(&ix->pair_left, lo) == a && ids_get(&ix->pair_right, lo) == b)
		return ix->n_terms + (uint32_t)lo;
	return UINT32_MAX;
}

/* Query terms: words, then pairs of adjacent words. */
#define QTERMS (2 * LIM_TOKENS)

/* The slot of term t in the query's list, added (weight 0, first seen at word i) if new. */
static size_t query_slot(uint32_t *terms, float *wts, size_t *first, size_t *n, uint32_t t, size_t i)
{
	size_t j;

	for (j = 0; j < *n && terms[j] != t; j++)
		;
	if (j == *n) {
		if (first)
			first[j] = i;
		terms[j] = t;
		wts[j] = 0;
		(*n)++;
	}
	return j;
}

/*
 * Query weights: one (term, weight) per distinct matched term or pair of
 * adjacent words, at most QTERMS; returns the count. Weights are already
 * divided by the query normaliser. first (optional) receives the position
 * in q of each one's first occurrence (of a pair: of its first word).
 */
static size_t query_terms(const struct idx *ix, const struct tok_list *q, uint32_t *terms, float *wts,
			  size_t *first, struct idx_query_info *info)
{
	size_t n = 0;
	double known2 = 0, all2 = 0, known1 = 0, all1 = 0, gram2 = 0, norm;
	struct idx_query_info qi = { 0 };
	uint32_t rt[LIM_TOKENS];
	uint8_t typo[LIM_TOKENS];

	for (size_t i = 0; i < q->n; i++) {
		enum idx_match m = IDX_MATCH_EXACT;
		uint32_t fo = q->t[i].kind == TOK_WORD ? form_get(ix, q->t[i].surface, q->t[i].surface_len) : UINT32_MAX;
		uint32_t t = fo != UINT32_MAX ? ids_get(&ix->form_term, fo) : resolve(ix, &q->t[i], &m);
		float w;
		size_t j;

		rt[i] = t;
		typo[i] = m == IDX_MATCH_TYPO;
		if (m == IDX_MATCH_UNKNOWN) {
			/* A word no answer uses either is evidence of another subject. */
			double u = ix->idf_unseen;

			if (!in_domain(ix, q->t[i].term, q->t[i].len))
				u *= ix->foreign_weight;
			qi.unknown++;
			all2 += u * u;
			all1 += u;
			continue;
		}
		if (m == IDX_MATCH_TYPO)
			qi.typo++;
		else
			qi.known++;
		w = ix->idf[t] * (m == IDX_MATCH_TYPO ? ix->typo_weight : 1.0f);
		/* A known spelling scores through its own postings (its word's, n-grams folded in). */
		j = query_slot(terms, wts, first, &n, fo != UINT32_MAX ? ix->n_terms + ix->n_pairs + fo : t, i);
		if (fo != UINT32_MAX)
			gram2 += (double)ix->gram2[fo] * w * w;
		wts[j] += ix->mode == IDX_BM25 ? (m == IDX_MATCH_TYPO ? ix->typo_weight : 1.0f) : w;
		all1 += ix->idf[t];
		known1 += w;
	}
	/*
	 * Pairs of adjacent words the index kept, as the SVM saw them: a
	 * typo-corrected word makes its pairs count at the typo weight too.
	 * A pair the index does not have is left out, normaliser included.
	 */
	for (size_t i = 0; ix->n_pairs && i + 1 < q->n; i++) {
		uint32_t t;
		size_t j;

		if (rt[i] == UINT32_MAX || rt[i + 1] == UINT32_MAX || !pairs_ok(&q->t[i]) || !pairs_ok(&q->t[i + 1]))
			continue;
		if ((t = pair_get(ix, rt[i], rt[i + 1])) == UINT32_MAX)
			continue;
		j = query_slot(terms, wts, first, &n, t, i);
		wts[j] += ix->pair_weight * ix->idf[t] * (typo[i] || typo[i + 1] ? ix->typo_weight : 1.0f);
	}
	if (ix->mode == IDX_BM25) {
		/* Confidence: the share of the query's best possible score. */
		norm = all1;
		qi.known_share = all1 > 0 ? (float)(known1 / all1) : 0;
	} else {
		for (size_t j = 0; j < n; j++)
			known2 += (double)wts[j] * wts[j];
		known2 += gram2;
		all2 += known2;
		norm = sqrt(all2);
		qi.known_share = all2 > 0 ? (float)sqrt(known2 / all2) : 0;
	}
	for (size_t j = 0; j < n; j++)
		wts[j] = norm > 0 ? (float)(wts[j] / norm) : 0;
	if (info)
		*info = qi;
	return n;
}

static void insert_hit(struct idx_hit *hits, size_t *nh, size_t k, uint32_t doc, float score)
{
	size_t i;

	if (*nh == k && score <= hits[k - 1].score)
		return;
	i = *nh < k ? (*nh)++ : k - 1;
	while (i > 0 && hits[i - 1].score < score) {
		hits[i] = hits[i - 1];
		i--;
	}
	hits[i].doc = doc;
	hits[i].score = score;
}

size_t idx_search(const struct idx *ix, struct idx_scratch *s, const struct tok_list *q,
		  const uint8_t *allow, const float *boost, struct idx_hit *hits, size_t k,
		  struct idx_query_info *info)
{
	uint32_t terms[QTERMS];
	float wts[QTERMS];
	struct idx_query_info qi;
	size_t nt = query_terms(ix, q, terms, wts, NULL, &qi), nh = 0, ntouched = 0;
	/*
	 * A scene says which entries the customer probably means, not that a
	 * question about something else is about them: its boost counts in
	 * proportion to the squared share of the question the KB knows.
	 */
	float bscale = qi.known_share * qi.known_share;

	if (info)
		*info = qi;
	if (!k || s->n_docs < ix->n_docs)
		return 0;
	if (ix->mode == IDX_TRAINED && !boost) {
		/*
		 * Learned weights, no boost: every doc is ranked (its bias can win),
		 * so accumulate into the dense array without tracking which docs
		 * were touched.
		 */
		float *acc = s->acc;

		for (size_t j = 0; j < nt; j++) {
			uint32_t lo = ix->post_start[terms[j]], hi = ix->post_start[terms[j] + 1];
			const float *pw = ix->post_w;
			float qw = wts[j];

			if (ix->post_doc.u16) {
				const uint16_t *pd = ix->post_doc.u16;

				for (uint32_t p = lo; p < hi; p++)
					acc[pd[p]] += pw[p] * qw;
			} else {
				const uint32_t *pd = ix->post_doc.u32;

				for (uint32_t p = lo; p < hi; p++)
					acc[pd[p]] += pw[p] * qw;
			}
		}
		for (uint32_t d = 0; d < ix->n_docs; d++) {
			if (!allow || allow[d])
				insert_hit(hits, &nh, k, d, acc[d] + ix->bias[d]);
			acc[d] = 0;
		}
		return nh;
	}
	for (size_t j = 0; j < nt; j++) {
		uint32_t t = terms[j];

		for (uint32_t p = ix->post_start[t]; p < ix->post_start[t + 1]; p++) {
			uint32_t d = ids_get(&ix->post_doc, p);

			if (!s->mark[d]) {
				s->mark[d] = 1;
				s->touched[ntouched++] = d;
			}
			s->acc[d] += ix->post_w[p] * wts[j];
		}
	}
	/*
	 * A boost only ranks up docs the query's words reached: a scene alone
	 * must never lift an entry nothing in the question matched.
	 */
	if (ix->mode == IDX_TRAINED) {
		/* Every doc can win through its bias: scan them all. */
		for (uint32_t d = 0; d < ix->n_docs; d++) {
			if (!allow || allow[d])
				insert_hit(hits, &nh, k, d, s->acc[d] + ix->bias[d] + (boost && s->mark[d] ? boost[d] * bscale : 0));
		}
	} else {
		for (size_t i = 0; i < ntouched; i++) {
			uint32_t d = s->touched[i];

			if (!allow || allow[d])
				insert_hit(hits, &nh, k, d, s->acc[d] + (boost ? boost[d] * bscale : 0));
		}
	}
	for (size_t i = 0; i < ntouched; i++) {
		s->acc[s->touched[i]] = 0;
		s->mark[s->touched[i]] = 0;
	}
	return nh;
}

/* Doc's weight for term (or pair) t, 0 if none. */
static float doc_weight(const struct idx *ix, uint32_t t, uint32_t doc)
{
	for (uint32_t p = ix->post_start[t]; p < ix->post_start[t + 1]; p++)
		if (ids_get(&ix->post_doc, p) == doc)
			return ix->post_w[p];
	return 0;
}

size_t idx_explain(const struct idx *ix, const struct tok_list *q, uint32_t doc,
		   struct idx_contrib *out, size_t max, float *bias)
{
	uint32_t terms[QTERMS], rt[LIM_TOKENS];
	float wts[QTERMS];
	size_t first[QTERMS];
	size_t nt = query_terms(ix, q, terms, wts, first, NULL), n = 0;

	*bias = doc < ix->n_docs ? ix->bias[doc] : 0;
	for (size_t i = 0; i < q->n; i++) {
		enum idx_match m;

		rt[i] = resolve(ix, &q->t[i], &m);
		if (n == max)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		memcpy(out[n].surface, q->t[i].surface, q->t[i].surface_len + 1u);
		out[n].match = m;
		if (m == IDX_MATCH_UNKNOWN)
			memcpy(out[n].term, q->t[i].term, q->t[i].len + 1u);
		else
			snprintf(out[n].term, sizeof(out[n].term), "%s", ix->terms + ix->term_off[rt[i]]);
		n++;
	}
	/*
	 * A term repeated in the query is shown once, on its first occurrence;
	 * a pair of adjacent words counts half to each of its two words.
	 */
	for (size_t j = 0; j < nt; j++) {
		float c = doc_weight(ix, terms[j], doc) * wts[j];
		size_t at[2] = { first[j], first[j] + 1 };
		int parts = terms[j] >= ix->n_terms && terms[j] < ix->n_terms + ix->n_pairs ? 2 : 1;

		for (int k = 0; k < parts; k++) {
			size_t i = 0;

			while (rt[i] != rt[at[k]])
				i++;
			if (i < n)
				out[i].weight += c / (float)parts;
		}
	}
	return n;
}
