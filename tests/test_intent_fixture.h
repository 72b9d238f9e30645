/*
 * test_intent_fixture.h - shared helpers of the intent suites: an en+zh
 * analyzer with a few synonym sets, the tests/data/intents-mini set, token
 * lists and contexts. Included by tests/test_intent_*.c only.
 */
#ifndef TEST_INTENT_FIXTURE_H
#define TEST_INTENT_FIXTURE_H

#include "intent/context.h"
#include "intent/intent.h"
#include "text/tokenize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FX_DIR "tests/data/intents-mini"

struct fx {
	struct tok_analyzer *an;
	struct intent_set *set;
	struct tok_list *tl;
	struct context *ctx;
};

static inline struct tok_analyzer *fx_analyzer(void)
{
	static const char *const refund[] = { "refund", "money back", "reimbursement" };
	static const char *const person[] = { "person", "human", "real person", "agent", "representative" };
	static const char *const human_zh[] = { "人工客服", "人工", "真人" };
	static const char *const parcel[] = { "package", "parcel" };
	struct tok_config cfg = { .langs = { "en", "zh" }, .n_langs = 2 };
	char err[256];
	struct tok_analyzer *an = tok_analyzer_new(&cfg, err, sizeof(err));

	if (!an) {
		fprintf(stderr, "analyzer: %s\n", err);
		return NULL;
	}
	if (tok_add_synonyms(an, refund, 3) || tok_add_synonyms(an, person, 5) || tok_add_synonyms(an, human_zh, 3) ||
	    tok_add_synonyms(an, parcel, 2)) {
		tok_analyzer_free(an);
		return NULL;
	}
	return an;
}

/* Load dir with an; prints the diagnostics; NULL on errors. */
static inline struct intent_set *fx_load_dir(struct tok_analyzer *an, const char *dir)
{
	struct intent_diag d = { 0 };
	struct intent_set *s = intent_load(dir, an, &d);

	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "%s\n", d.msgs[i]);
	intent_diag_clear(&d);
	return s;
}

static inline int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->an = fx_analyzer();
	f->set = f->an ? fx_load_dir(f->an, FX_DIR) : NULL;
	f->tl = malloc(sizeof(*f->tl));
	f->ctx = context_new();
	*state = f;
	return f->set && f->tl && f->ctx ? 0 : -1;
}

static inline int fx_teardown(void **state)
{
	struct fx *f = *state;

	if (!f)
		return 0;
	intent_set_free(f->set);
	tok_analyzer_free(f->an);
	context_free(f->ctx);
	free(f->tl);
	free(f);
	return 0;
}

/* Reset the context to the hello's scene (page) and JSON context (may be NULL). */
static inline void fx_hello(struct fx *f, const char *page, const char *json)
{
	context_clear(f->ctx);
	if (json)
		context_load(f->ctx, json, strlen(json), NULL, 0);
	if (page)
		context_set(f->ctx, "page", page, false);
}

static inline const struct tok_list *fx_toks(struct fx *f, const char *text)
{
	tok_run(f->an, text, strlen(text), 0, f->tl);
	return f->tl;
}

/* Match text in the scene of the current context; returns the result (static storage). */
static inline const struct intent_result *fx_match_at(struct fx *f, const char *text, const char *lang, time_t now)
{
	static struct intent_result r;
	const struct intent_scene *sc = intent_scene_match(f->set, f->ctx, 0);
	struct intent_input in = { fx_toks(f, text), text, strlen(text), f->ctx, lang, now, NULL, 0 };

	if (intent_match(f->set, sc, &in, &r))
		r.action = INTENT_NONE;
	return &r;
}

static inline const struct intent_result *fx_match(struct fx *f, const char *text)
{
	return fx_match_at(f, text, "en", 1795000000);
}

#endif
