/*
 * test_search_index.c - per-entry scoring, typo tolerance, unknown words,
 * explanations, and the answer decision.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#include "search/decide.h"
#include "search/index.h"

static struct tok_analyzer *an;
static struct tok_list tl;

static const char *docs[][4] = {
	{ "how long does a refund take", "when will i get my refund", "refund not arrived", "refund timing" },
	{ "where is my order", "track my order", "order status", "has my order shipped" },
	{ "how much is shipping", "shipping fee", "delivery cost", "is delivery free" },
	{ "forgot my password", "reset password", "cannot log in", "change password" },
};
#define NDOCS 4

/* Add the sample docs' variants to b. */
static void add_docs(struct idx_builder *b)
{
	for (uint32_t d = 0; d < NDOCS; d++)
		for (int v = 0; v < 4; v++) {
			assert_int_equal(tok_run(an, docs[d][v], strlen(docs[d][v]), TOK_LEARN, &tl), 0);
			assert_true(idx_builder_add(b, d, &tl) >= 0);
		}
}

static struct idx *build(enum idx_mode mode)
{
	struct idx_builder *b = idx_builder_new();
	struct idx_params p;
	struct idx *ix;

	add_docs(b);
	idx_params_default(&p);
	p.mode = mode;
	ix = idx_build(b, NDOCS, &p);
	idx_builder_free(b);
	assert_non_null(ix);
	assert_int_equal(idx_mode_of(ix), mode);
	return ix;
}

static size_t search(struct idx *ix, const char *q, struct idx_hit *h, struct idx_query_info *info)
{
	struct idx_scratch *s = idx_scratch_new(NDOCS);
	size_t n;

	assert_int_equal(tok_run(an, q, strlen(q), 0, &tl), 0);
	n = idx_search(ix, s, &tl, NULL, NULL, h, 3, info);
	idx_scratch_free(s);
	return n;
}

static int setup(void **state)
{
	struct tok_config c = { .langs = { "en" }, .n_langs = 1 };
	char err[128];

	an = tok_analyzer_new(&c, err, sizeof(err));
	return an ? 0 : -1;
}

static int teardown(void **state)
{
	tok_analyzer_free(an);
	return 0;
}

static void index_should_rank_the_entry_whose_variants_share_the_words(void **state)
{
	enum idx_mode modes[] = { IDX_TRAINED, IDX_BM25 };

	for (int m = 0; m < 2; m++) {
		struct idx *ix = build(modes[m]);
		struct idx_hit h[3];

		assert_true(search(ix, "my refund has not arrived", h, NULL) >= 1);
		assert_int_equal(h[0].doc, 0);
		assert_true(search(ix, "tracking my order", h, NULL) >= 1);
		assert_int_equal(h[0].doc, 1);
		assert_true(search(ix, "I forgot the password", h, NULL) >= 1);
		assert_int_equal(h[0].doc, 3);
		idx_free(ix);
	}
}

static void index_should_match_typos_within_edit_distance(void **state)
{
	struct idx *ix = build(IDX_TRAINED);
	struct idx_hit h[3];
	struct idx_query_info qi;

	assert_true(search(ix, "pasword resset", h, &qi) >= 1);
	assert_int_equal(h[0].doc, 3);
	assert_int_equal(qi.typo, 2);
	/* Four-letter words keep their first letter: "trak" is "track", "rack" is not. */
	assert_true(search(ix, "trak", h, &qi) >= 1);
	assert_int_equal(qi.typo, 1);
	assert_int_equal(h[0].doc, 1);
	search(ix, "rack", h, &qi);
	assert_int_equal(qi.typo, 0);
	/* Shorter words get no typo tolerance: "fea" is not "fee". */
	search(ix, "fea", h, &qi);
	assert_int_equal(qi.typo, 0);
	assert_int_equal(qi.unknown, 1);
	/* Nor are shorter terms typo targets: "feed" is not a misspelt "fee". */
	search(ix, "feed", h, &qi);
	assert_int_equal(qi.typo, 0);
	idx_free(ix);
}

static void index_should_match_a_misspelt_synonym_to_its_canonical_term(void **state)
{
	struct idx_builder *b = idx_builder_new();
	struct idx_params p;
	struct idx *ix;
	struct idx_hit h[3];
	struct idx_query_info qi;

	add_docs(b);
	/* "reimbursement" is rewritten to "refund" by a synonym set: it never reaches the index. */
	assert_int_equal(idx_builder_alias(b, "reimburs", "refund"), 0);
	idx_params_default(&p);
	ix = idx_build(b, NDOCS, &p);
	idx_builder_free(b);
	assert_true(search(ix, "reimbursment", h, &qi) >= 1);
	assert_int_equal(qi.typo, 1);
	assert_int_equal(h[0].doc, 0);
	idx_free(ix);
}

static void index_should_lower_the_score_for_words_it_does_not_know(void **state)
{
	struct idx *ix = build(IDX_TRAINED);
	struct idx_hit a[3], b[3];
	struct idx_query_info qi;

	search(ix, "refund timing", a, NULL);
	search(ix, "refund timing pangolin zeppelin", b, &qi);
	assert_int_equal(a[0].doc, 0);
	assert_int_equal(b[0].doc, 0);
	assert_int_equal(qi.unknown, 2);
	assert_true(qi.known_share < 1.0f);
	assert_true(b[0].score < a[0].score);
	idx_free(ix);
}

static void a_word_no_answer_uses_should_lower_the_score_more_than_one_an_answer_uses(void **state)
{
	struct idx_builder *b = idx_builder_new();
	struct idx_params p;
	struct idx *ix;
	struct idx_hit domain[3], foreign[3];
	const char *answer = "Refunds reach your bank within 5 days; a parcel left on the porch counts as delivered.";

	add_docs(b);
	assert_int_equal(tok_run(an, answer, strlen(answer), 0, &tl), 0);
	assert_int_equal(idx_builder_domain(b, &tl), 0);
	idx_params_default(&p);
	ix = idx_build(b, NDOCS, &p);
	idx_builder_free(b);
	/* Both words are unknown to the questions; only "bank" is a word the shop talks about. */
	search(ix, "refund timing bank", domain, NULL);
	search(ix, "refund timing student", foreign, NULL);
	assert_int_equal(domain[0].doc, 0);
	assert_int_equal(foreign[0].doc, 0);
	assert_true(foreign[0].score < domain[0].score);
	idx_free(ix);
}

static void explain_should_list_each_query_word_with_its_weight(void **state)
{
	struct idx *ix = build(IDX_TRAINED);
	struct idx_contrib c[8];
	float bias;
	size_t n;

	assert_int_equal(tok_run(an, "refund zeppelin", 15, 0, &tl), 0);
	n = idx_explain(ix, &tl, 0, c, 8, &bias);
	assert_int_equal(n, 2);
	assert_string_equal(c[0].term, "refund");
	assert_int_equal(c[0].match, IDX_MATCH_EXACT);
	assert_true(c[0].weight > 0);
	assert_int_equal(c[1].match, IDX_MATCH_UNKNOWN);
	assert_true(c[1].weight == 0);
	idx_free(ix);
}

/* The four entries, and two more with the same words in other orders. */
static struct idx *build_with_pairs(float pair_weight)
{
	static const char *more[][2] = {
		{ "payment declined card", "card pending payment" },
		{ "card payment declined", "pending card payment" },
	};
	struct idx_builder *b = idx_builder_new();
	struct idx_params p;
	struct idx *ix;

	for (uint32_t d = 0; d < NDOCS + 2; d++)
		for (int v = 0; v < (d < NDOCS ? 4 : 2); v++) {
			const char *q = d < NDOCS ? docs[d][v] : more[d - NDOCS][v];

			assert_int_equal(tok_run(an, q, strlen(q), TOK_LEARN, &tl), 0);
			assert_true(idx_builder_add(b, d, &tl) >= 0);
		}
	idx_params_default(&p);
	p.mode = IDX_TRAINED;
	p.pair_weight = pair_weight;
	ix = idx_build(b, NDOCS + 2, &p);
	idx_builder_free(b);
	assert_non_null(ix);
	return ix;
}

static void a_pair_of_adjacent_words_should_outrank_the_same_words_in_another_entry(void **state)
{
	/* Entries 4 and 5 have the same words: only their order tells these two apart. */
	static const char *q[2] = { "payment declined card", "card payment declined" };
	struct idx *words = build_with_pairs(0), *pairs = build_with_pairs(0.3f);
	struct idx_scratch *s = idx_scratch_new(NDOCS + 2);
	struct idx_hit h[3];
	uint32_t top[2];

	for (int k = 0; k < 2; k++) {
		assert_int_equal(tok_run(an, q[k], strlen(q[k]), 0, &tl), 0);
		assert_int_equal(idx_search(words, s, &tl, NULL, NULL, h, 3, NULL), 3);
		top[k] = h[0].doc;
		assert_int_equal(idx_search(pairs, s, &tl, NULL, NULL, h, 3, NULL), 3);
		assert_int_equal(h[0].doc, NDOCS + k);
		assert_int_equal(h[1].doc, NDOCS + 1 - k);
		assert_true(h[0].score > h[1].score);
	}
	assert_int_equal(top[0], top[1]);   /* words alone rank both the same way */
	assert_true(idx_terms(pairs) > idx_terms(words));
	idx_scratch_free(s);
	idx_free(words);
	idx_free(pairs);
}

static void explain_should_add_up_to_the_score_with_a_pair_split_between_its_words(void **state)
{
	struct idx *ix = build_with_pairs(0.3f);
	struct idx_scratch *s = idx_scratch_new(NDOCS + 2);
	struct idx_hit h[3];
	struct idx_contrib c[8];
	float bias, sum;
	size_t n;

	assert_int_equal(tok_run(an, "card payment card", 17, 0, &tl), 0);
	assert_true(idx_search(ix, s, &tl, NULL, NULL, h, 3, NULL) >= 1);
	assert_int_equal(h[0].doc, NDOCS + 1);   /* through the pair "card payment" */
	n = idx_explain(ix, &tl, h[0].doc, c, 8, &bias);
	assert_int_equal(n, 3);   /* one line per word, no line for the pair */
	assert_string_equal(c[0].term, "card");
	assert_true(c[2].weight == 0);   /* a repeated word is counted on its first occurrence */
	sum = bias;
	for (size_t i = 0; i < n; i++)
		sum += c[i].weight;
	assert_float_equal(sum, h[0].score, 1e-4);
	idx_scratch_free(s);
	idx_free(ix);
}

/*
 * Two entries with five variants each: with gram_variants at 5 or less the
 * index has spellings (the words as written, character n-grams folded in),
 * with the default (20) words only.
 */
static const char *spell_docs[2][5] = {
	{ "verify my identity", "how to verify", "verify account", "verified identity please", "need to verify" },
	{ "top up failed", "top up declined", "top up not working", "top up error", "verification of top up" },
};

/* Add spell_docs' variants to b. */
static void add_spell_docs(struct idx_builder *b)
{
	for (uint32_t d = 0; d < 2; d++)
		for (int v = 0; v < 5; v++) {
			assert_int_equal(tok_run(an, spell_docs[d][v], strlen(spell_docs[d][v]), TOK_LEARN, &tl), 0);
			assert_true(idx_builder_add(b, d, &tl) >= 0);
		}
}

static struct idx *build_spellings(float gram_variants)
{
	struct idx_builder *b = idx_builder_new();
	struct idx_params p;
	struct idx *ix;

	add_spell_docs(b);
	idx_params_default(&p);
	p.mode = IDX_TRAINED;
	if (gram_variants > 0)
		p.gram_variants = gram_variants;
	ix = idx_build(b, 2, &p);
	idx_builder_free(b);
	assert_non_null(ix);
	return ix;
}

static void spellings_should_be_kept_for_kbs_with_many_variants_per_entry_and_still_match_by_word(void **state)
{
	static const char *q[][2] = {
		{ "verified", "0" },            /* a spelling a variant has */
		{ "verifies", "0" },            /* one no variant has: through its word */
		{ "verfy my identity", "0" },   /* a typo: through the word it is closest to */
		{ "top up declined", "1" },
	};
	struct idx *words = build_spellings(0), *spell = build_spellings(5);
	struct idx_scratch *s = idx_scratch_new(2);
	struct idx_hit h[2];

	assert_true(idx_terms(spell) > idx_terms(words));   /* the spellings are vocabulary too */
	assert_true(idx_bytes(spell) > idx_bytes(words));
	for (size_t k = 0; k < sizeof(q) / sizeof(q[0]); k++) {
		assert_int_equal(tok_run(an, q[k][0], strlen(q[k][0]), 0, &tl), 0);
		assert_int_equal(idx_search(spell, s, &tl, NULL, NULL, h, 2, NULL), 2);
		assert_int_equal(h[0].doc, (uint32_t)(q[k][1][0] - '0'));
	}
	idx_scratch_free(s);
	idx_free(words);
	idx_free(spell);
}

static void spellings_should_be_decided_on_all_variants_so_cross_validation_trains_the_same_model(void **state)
{
	struct idx_builder *b = idx_builder_new();
	struct idx_params p;
	uint8_t skip[10] = { 1, 0, 0, 0, 0, 1, 0, 0, 0, 0 };
	struct idx *all, *fold, *words;

	add_spell_docs(b);
	idx_params_default(&p);
	p.mode = IDX_TRAINED;
	p.gram_variants = 5;
	all = idx_build(b, 2, &p);
	p.skip_variant = skip;   /* four variants per entry left: still spellings */
	fold = idx_build(b, 2, &p);
	p.gram_weight = 0;
	words = idx_build(b, 2, &p);
	assert_non_null(all);
	assert_non_null(fold);
	assert_non_null(words);
	assert_true(idx_terms(fold) > idx_terms(words));
	idx_free(all);
	idx_free(fold);
	idx_free(words);
	idx_builder_free(b);
}

static void explain_should_add_up_to_the_score_with_spellings(void **state)
{
	struct idx *ix = build_spellings(5);
	struct idx_scratch *s = idx_scratch_new(2);
	struct idx_hit h[2];
	struct idx_contrib c[8];
	float bias, sum;
	size_t n;

	assert_int_equal(tok_run(an, "verification of my top up", 25, 0, &tl), 0);
	assert_int_equal(idx_search(ix, s, &tl, NULL, NULL, h, 2, NULL), 2);
	for (int k = 0; k < 2; k++) {
		n = idx_explain(ix, &tl, h[k].doc, c, 8, &bias);
		assert_int_equal(n, tl.n);
		assert_string_equal(c[0].term, "verif");   /* the word's stem, though its spelling scored */
		sum = bias;
		for (size_t i = 0; i < n; i++)
			sum += c[i].weight;
		assert_float_equal(sum, h[k].score, 1e-4);
	}
	idx_scratch_free(s);
	idx_free(ix);
}

/* A word of consonants only (nothing for the stemmer to strip) for each number. */
static void consonant_word(uint32_t n, char *w)
{
	static const char c[] = "bcdfghjklmnpqrtvwxz";

	for (int i = 0; i < 4; i++, n /= 19)
		w[i] = c[n % 19];
	w[4] = 0;
}

static void index_should_keep_doc_and_term_ids_beyond_16_bits(void **state)
{
	enum { BIG = 70000 };
	struct idx_builder *b = idx_builder_new();
	struct idx_params p;
	struct idx *ix, *small = build(IDX_BM25);
	struct idx_scratch *s = idx_scratch_new(BIG);
	struct idx_hit h[3];
	struct idx_query_info qi;
	struct idx_contrib c[4];
	float bias;
	char w[8], q[32];

	/* Doc d has one word of its own; the last doc also "zeppelin", term id BIG. */
	for (uint32_t d = 0; d < BIG; d++) {
		consonant_word(d, w);
		snprintf(q, sizeof(q), d == BIG - 1 ? "%s zeppelin" : "%s", w);
		assert_int_equal(tok_run(an, q, strlen(q), TOK_LEARN, &tl), 0);
		assert_true(idx_builder_add(b, d, &tl) >= 0);
	}
	idx_params_default(&p);
	p.mode = IDX_BM25;
	ix = idx_build(b, BIG, &p);
	idx_builder_free(b);
	assert_non_null(ix);
	assert_non_null(s);
	assert_int_equal(idx_terms(ix), BIG + 1);
	/* Doc ids take 32 bits here, 16 in a small index. */
	assert_int_equal(idx_postings_bytes(ix), idx_postings(ix) * 8);
	assert_int_equal(idx_postings_bytes(small), idx_postings(small) * 6);
	assert_true(idx_bytes(ix) > idx_postings_bytes(ix));

	consonant_word(BIG - 2, w);
	assert_int_equal(tok_run(an, w, strlen(w), 0, &tl), 0);
	assert_int_equal(idx_search(ix, s, &tl, NULL, NULL, h, 3, &qi), 1);
	assert_int_equal(h[0].doc, BIG - 2);
	assert_int_equal(qi.known, 1);
	assert_int_equal(tok_run(an, "zepelin", 7, 0, &tl), 0);
	assert_int_equal(idx_search(ix, s, &tl, NULL, NULL, h, 3, &qi), 1);
	assert_int_equal(h[0].doc, BIG - 1);
	assert_int_equal(qi.typo, 1);
	assert_int_equal(idx_explain(ix, &tl, BIG - 1, c, 4, &bias), 1);
	assert_string_equal(c[0].term, "zeppelin");
	assert_true(c[0].weight > 0);
	idx_scratch_free(s);
	idx_free(small);
	idx_free(ix);
}

static void edit_distance_should_count_transpositions_as_one(void **state)
{
	assert_int_equal(idx_edit_distance("recieve", 7, "receive", 7, 2), 1);
	assert_int_equal(idx_edit_distance("shiping", 7, "shipping", 8, 2), 1);
	assert_int_equal(idx_edit_distance("abc", 3, "xyz", 3, 1), 2);
	assert_int_equal(idx_edit_distance("退款", 6, "退货", 6, 1), 1);
}

static void decide_should_answer_clarify_or_fall_back(void **state)
{
	struct dec_thresholds th = { .answer = 0.5f, .margin = 0.1f, .clarify = 0.2f };
	struct idx_hit clear[] = { { 0, 0.9f }, { 1, 0.3f } };
	struct idx_hit close[] = { { 0, 0.9f }, { 1, 0.85f }, { 2, 0.1f } };
	struct idx_hit weak[] = { { 0, 0.3f }, { 1, 0.1f } };
	struct idx_hit none[] = { { 0, 0.1f } };
	size_t n;

	assert_int_equal(dec_decide(&th, clear, 2, 3, &n), DEC_ANSWER);
	assert_int_equal(n, 1);
	assert_int_equal(dec_decide(&th, close, 3, 3, &n), DEC_CLARIFY);
	assert_int_equal(n, 2);
	assert_int_equal(dec_decide(&th, weak, 2, 3, &n), DEC_CLARIFY);
	assert_int_equal(n, 1);
	assert_int_equal(dec_decide(&th, none, 1, 3, &n), DEC_FALLBACK);
	assert_int_equal(n, 0);
	assert_int_equal(dec_decide(&th, NULL, 0, 3, &n), DEC_FALLBACK);
}

static void a_one_word_question_two_entries_answer_about_as_well_is_clarified(void **state)
{
	struct dec_thresholds th = { .answer = 0.5f, .margin = 0.1f, .clarify = 0.2f };
	struct idx_hit both[] = { { 0, 0.9f }, { 1, 0.75f }, { 2, 0.72f }, { 3, 0.71f }, { 4, 0.1f } };
	struct idx_hit one[] = { { 0, 0.9f }, { 1, 0.6f } };   /* the runner-up answers, but far less well */
	size_t n;

	assert_int_equal(dec_decide(&th, both, 5, 1, &n), DEC_CLARIFY);
	assert_int_equal(n, 3);   /* every entry that would answer, up to the candidate limit */
	assert_int_equal(dec_decide(&th, both, 5, 2, &n), DEC_ANSWER);   /* "refund status" is not ambiguous */
	assert_int_equal(dec_decide(&th, one, 2, 1, &n), DEC_ANSWER);    /* "warranty": one entry answers it best */
	assert_int_equal(n, 1);
}

static void calibrate_should_put_the_cut_between_in_scope_and_out_of_scope_scores(void **state)
{
	struct dec_sample in[10], oos[10];
	struct dec_thresholds th = { 0, 0.1f, 0 };

	for (int i = 0; i < 10; i++) {
		in[i] = (struct dec_sample){ 0.6f + i * 0.02f, 0.3f, 1 };
		oos[i] = (struct dec_sample){ 0.1f + i * 0.02f, 0.1f, 0 };
	}
	assert_int_equal(dec_calibrate(in, 10, oos, 10, 0.5, &th), 0);
	assert_true(th.answer > 0.28f && th.answer <= 0.6f);
	assert_true(th.clarify <= th.answer);
	assert_true(th.margin == 0.1f);
	assert_int_equal(dec_calibrate(in, 2, oos, 2, 0.5, &th), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(index_should_rank_the_entry_whose_variants_share_the_words),
		cmocka_unit_test(index_should_match_typos_within_edit_distance),
		cmocka_unit_test(index_should_match_a_misspelt_synonym_to_its_canonical_term),
		cmocka_unit_test(index_should_lower_the_score_for_words_it_does_not_know),
		cmocka_unit_test(explain_should_list_each_query_word_with_its_weight),
		cmocka_unit_test(a_pair_of_adjacent_words_should_outrank_the_same_words_in_another_entry),
		cmocka_unit_test(explain_should_add_up_to_the_score_with_a_pair_split_between_its_words),
		cmocka_unit_test(spellings_should_be_kept_for_kbs_with_many_variants_per_entry_and_still_match_by_word),
		cmocka_unit_test(spellings_should_be_decided_on_all_variants_so_cross_validation_trains_the_same_model),
		cmocka_unit_test(explain_should_add_up_to_the_score_with_spellings),
		cmocka_unit_test(index_should_keep_doc_and_term_ids_beyond_16_bits),
		cmocka_unit_test(edit_distance_should_count_transpositions_as_one),
		cmocka_unit_test(a_word_no_answer_uses_should_lower_the_score_more_than_one_an_answer_uses),
		cmocka_unit_test(decide_should_answer_clarify_or_fall_back),
		cmocka_unit_test(a_one_word_question_two_entries_answer_about_as_well_is_clarified),
		cmocka_unit_test(calibrate_should_put_the_cut_between_in_scope_and_out_of_scope_scores),
	};
	return cmocka_run_group_tests_name("search/index", tests, setup, teardown);
}
