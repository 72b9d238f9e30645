/*
 * cli.c - faqbot ask / kb check / kb test / kb stats. Output for people goes
 * to stdout, problems to stderr; exit status 0 ok, 1 failed check, 2 usage.
 */
#include "cli.h"

#include "intent/intent.h"
#include "kb/kb.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct common {
	const char *kb_dir, *lang, *scene, *dict, *t2s;
	const char *intents_dir, *context;   /* ask: intents are tried when --scene, --context or --intents is given */
	int explain, bm25;
	double min;
};

static void usage_ask(void)
{
	fprintf(stderr, "usage: faqbot ask [--kb DIR] [--lang L] [--scene S] [--context JSON] [--intents DIR] [--explain] [\"question\"]\n"
			"       without a question: an interactive session (one question per line)\n"
			"       with --scene, --context or --intents the scene's intents are tried before the FAQ\n");
}

/* Parse the options shared by the commands; returns the index of the first operand or -1. */
static int parse_common(int argc, char **argv, int start, struct common *c)
{
	int i;

	for (i = start; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-' || a[1] != '-')
			break;
		if (!strcmp(a, "--"))
			return i + 1;
#define OPT(name, field) \
		if (!strcmp(a, name)) { if (++i >= argc) { fprintf(stderr, "faqbot: %s needs a value\n", name); return -1; } c->field = argv[i]; continue; }
		OPT("--kb", kb_dir)
		OPT("--lang", lang)
		OPT("--scene", scene)
		OPT("--dict", dict)
		OPT("--t2s", t2s)
		OPT("--intents", intents_dir)
		OPT("--context", context)
#undef OPT
		if (!strcmp(a, "--explain")) {
			c->explain = 1;
			continue;
		}
		if (!strcmp(a, "--bm25")) {
			c->bm25 = 1;
			continue;
		}
		if (!strcmp(a, "--min")) {
			char *end;

			if (++i >= argc || (c->min = strtod(argv[i], &end), *end) || c->min < 0 || c->min > 100) {
				fprintf(stderr, "faqbot: --min needs a percentage 0-100\n");
				return -1;
			}
			continue;
		}
		fprintf(stderr, "faqbot: unknown option %s\n", a);
		return -1;
	}
	return i;
}

static struct kb_snapshot *open_kb(const struct common *c, int quiet)
{
	struct kb_options o;
	struct kb_diag d = { 0 };
	struct kb_snapshot *kb;

	kb_options_default(&o);
	o.dict_path = c->dict;
	o.t2s_config = c->t2s;
	if (c->bm25)
		o.mode = IDX_BM25;
	kb = kb_load(c->kb_dir, &o, &d);
	for (size_t i = 0; i < d.n; i++)
		if (!kb || !quiet)
			fprintf(stderr, "%s\n", d.msgs[i]);
	if (d.n < d.errors + d.warnings)
		fprintf(stderr, "... and %zu more\n", d.errors + d.warnings - d.n);
	if (!kb)
		fprintf(stderr, "faqbot: %s: %zu error(s); the KB was not loaded\n", c->kb_dir, d.errors);
	kb_diag_clear(&d);
	return kb;
}

static void print_result(struct kb_snapshot *kb, const struct kb_result *r)
{
	switch (r->verdict) {
	case DEC_ANSWER:
		printf("answer: %s (score %.3f)\n%s\n", r->cand[0]->id, r->score[0], r->cand[0]->answer);
		for (size_t i = 0; i < r->cand[0]->n_links; i++)
			printf("  link: %s <%s>\n", r->cand[0]->links[i].title, r->cand[0]->links[i].url);
		for (size_t i = 0; i < r->cand[0]->n_quick; i++)
			printf("  quick reply: %s\n", r->cand[0]->quick_replies[i]);
		break;
	case DEC_CLARIFY:
		printf("clarify: did you mean\n");
		for (size_t i = 0; i < r->n_cand; i++)
			printf("  %zu. %s (score %.3f): %s\n", i + 1, r->cand[i]->id, r->score[i], r->cand[i]->questions[0]);
		break;
	case DEC_FALLBACK:
		if (r->n_top)
			printf("fallback: no confident answer (best: %s, score %.3f)\n", r->top_entry[0]->id, r->top[0].score);
		else
			printf("fallback: no confident answer\n");
		break;
	}
	(void)kb;
}

/* ---- intents: faqbot ask --scene S --context JSON (what the server would reply) ---- */

struct ask_state {
	struct intent_set *set;
	struct context *ctx;
	const struct intent_scene *sc;
	struct tok_list *tl;
	char pending[LIM_ID + 1];                  /* intent waiting for a slot value */
	struct intent_slot known[INTENT_MAX_SLOTS];
	size_t n_known;
	char prev[LIM_ID + 1];                     /* the last answer, for follow-ups */
	unsigned turns;
	time_t prev_at;
};

static bool has_entry(void *kb, const char *id)
{
	return kb_find(kb, id, NULL) != NULL;
}

static void ask_state_free(struct ask_state *st)
{
	intent_set_free(st->set);
	context_free(st->ctx);
	free(st->tl);
}

/* Load the intents and the scene for c; 0, or 1 after printing why not. */
static int ask_state_init(struct kb_snapshot *kb, const struct common *c, struct ask_state *st)
{
	struct intent_diag d = { 0 };
	const char *dir = c->intents_dir ? c->intents_dir : "intents";
	int rc;

	memset(st, 0, sizeof(*st));
	st->set = intent_load(dir, kb_analyzer(kb), &d);
	if (st->set)
		intent_check_entries(st->set, has_entry, kb, &d);
	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "%s\n", d.msgs[i]);
	if (d.n < d.errors + d.warnings)
		fprintf(stderr, "... and %zu more\n", d.errors + d.warnings - d.n);
	rc = d.errors ? 1 : 0;
	if (rc)
		fprintf(stderr, "faqbot: %s: %zu error(s); the intents were not loaded\n", dir, d.errors);
	intent_diag_clear(&d);
	st->ctx = context_new();
	st->tl = malloc(sizeof(*st->tl));
	if (rc || !st->ctx || !st->tl)
		return 1;
	if (c->context) {
		rc = context_load(st->ctx, c->context, strlen(c->context), NULL, time(NULL));
		if (rc == -EINVAL) {
			fprintf(stderr, "faqbot: --context must be a JSON object\n");
			return 1;
		}
		if (rc == -EKEYREJECTED || rc == -ETIME)
			fprintf(stderr, "faqbot: the signed part of --context cannot be verified here: treated as a hint\n");
	}
	if (c->scene)
		context_set(st->ctx, "page", c->scene, false);
	if (c->lang)
		context_set(st->ctx, "lang", c->lang, false);
	st->sc = intent_scene_match(st->set, st->ctx, 0);
	return 0;
}

static const char *const action_name[] = { "none", "answer", "ask", "handoff", "ticket" };
static const char *const prio_name[] = { "normal", "high", "urgent" };

static void print_entry(const struct kb_entry *e, const char *how)
{
	printf("answer: %s (%s)\n%s\n", e->id, how, e->answer);
	for (size_t i = 0; i < e->n_links; i++)
		printf("  link: %s <%s>\n", e->links[i].title, e->links[i].url);
	for (size_t i = 0; i < e->n_quick; i++)
		printf("  quick reply: %s\n", e->quick_replies[i]);
}

/*
 * The intent layer, in the order the server uses: a pending slot question,
 * then a follow-up of the last answer, then the scene's intents. Returns 1
 * when it replied, 0 to go on to the FAQ.
 */
static int ask_intents(struct kb_snapshot *kb, const struct common *c, struct ask_state *st, const char *text)
{
	struct intent_input in = { st->tl, text, strlen(text), st->ctx, c->lang, time(NULL), st->known, st->n_known };
	struct intent_target tg;
	struct intent_result *r = malloc(sizeof(*r));
	const struct kb_entry *e;
	int done = 0;

	if (!r)
		return 0;
	st->turns++;
	printf("scene: %s\n", intent_scene_id(st->sc));
	if (st->pending[0]) {
		/* The answer to a slot question; asked again when it holds no value, unless an intent fits better. */
		intent_run(st->set, st->pending, st->sc, &in, r);
		if (r->action == INTENT_ASK && !strcmp(r->id, st->pending)) {
			struct intent_result *other = malloc(sizeof(*other));

			if (other && !intent_match(st->set, st->sc, &in, other) && other->action != INTENT_NONE &&
			    strcmp(other->id, st->pending))
				memcpy(r, other, sizeof(*r));
			free(other);
		}
	} else if (st->prev[0] && !intent_followup(st->set, st->prev, st->turns, st->prev_at, in.now, st->tl, &tg)) {
		printf("follow-up of %s\n", st->prev);
		if (tg.intent) {
			intent_run(st->set, tg.intent, st->sc, &in, r);
		} else if ((e = kb_find(kb, tg.entry, intent_reply_lang(st->set, st->tl, c->lang)))) {
			print_entry(e, "follow-up");
			snprintf(st->prev, sizeof(st->prev), "%s", e->id);
			st->turns = 0;
			st->prev_at = in.now;
			free(r);
			return 1;
		}
	} else {
		intent_match(st->set, st->sc, &in, r);
	}
	st->pending[0] = '\0';
	st->n_known = 0;
	if (r->action != INTENT_NONE) {
		printf("intent: %s (%s", r->id, action_name[r->action]);
		if (r->action == INTENT_ASK)
			printf(" for %s", r->ask);
		if (r->action == INTENT_HANDOFF || r->action == INTENT_TICKET)
			printf(" to team %s, priority %s", r->route.team, prio_name[r->route.priority]);
		if (r->coverage)
			printf(", %u word(s) matched", r->coverage);
		printf(")\n");
		for (size_t i = 0; i < r->n_slots; i++)
			printf("  slot %s = %s (from the %s)\n", r->slots[i].name, r->slots[i].value,
			       r->slots[i].source == INTENT_SLOT_CONTEXT ? "context" : r->slots[i].source == INTENT_SLOT_TEXT ? "text" : "earlier turns");
		if (r->text[0])
			printf("%s\n", r->text);
		if (r->entry && (e = kb_find(kb, r->entry, r->lang)))
			print_entry(e, "intent");
		for (size_t i = 0; i < r->n_quick; i++)
			printf("  quick reply: %s\n", r->quick[i]);
		if (r->action == INTENT_ASK) {
			snprintf(st->pending, sizeof(st->pending), "%s", r->id);
			memcpy(st->known, r->slots, r->n_slots * sizeof(r->slots[0]));
			st->n_known = r->n_slots;
		} else {
			snprintf(st->prev, sizeof(st->prev), "%s", r->entry ? r->entry : r->id);
			st->turns = 0;
			st->prev_at = in.now;
		}
		done = 1;
	}
	free(r);
	return done;
}

static int ask_one(struct kb_snapshot *kb, const struct common *c, struct ask_state *st, const char *text)
{
	struct kb_query q = { .text = text, .len = strlen(text), .lang = c->lang, .scene = st ? intent_scene_kb_name(st->sc) : c->scene };
	struct kb_result r;
	int rc = st ? tok_run(kb_analyzer(kb), text, strlen(text), 0, st->tl) : 0;

	if (!rc && st && ask_intents(kb, c, st, text))
		return 0;
	if (!rc)
		rc = kb_match(kb, &q, &r);

	if (rc == -EILSEQ) {
		fprintf(stderr, "faqbot: the question is not valid UTF-8\n");
		return 1;
	}
	if (rc) {
		fprintf(stderr, "faqbot: cannot match: %s\n", strerror(-rc));
		return 1;
	}
	print_result(kb, &r);
	if (st && r.verdict == DEC_ANSWER) {
		snprintf(st->prev, sizeof(st->prev), "%s", r.cand[0]->id);
		st->turns = 0;
		st->prev_at = time(NULL);
	}
	if (c->explain)
		kb_explain(kb, &q, stdout);
	return 0;
}

int cli_ask(int argc, char **argv)
{
	struct common c = { .kb_dir = "kb" };
	struct kb_snapshot *kb;
	struct ask_state state, *st = NULL;
	int i = parse_common(argc, argv, 1, &c), rc = 0;

	if (i < 0) {
		usage_ask();
		return 2;
	}
	kb = open_kb(&c, 1);
	if (!kb)
		return 1;
	if (c.scene || c.context || c.intents_dir) {
		st = &state;
		if (ask_state_init(kb, &c, st)) {
			ask_state_free(st);
			kb_snapshot_free(kb);
			return 1;
		}
	}
	if (i < argc) {
		char buf[LIM_UTTERANCE + 1];
		size_t n = 0;

		/* Several operands are one question: faqbot ask where is my order */
		for (; i < argc; i++) {
			size_t l = strlen(argv[i]);

			if (n + l + 1 >= sizeof(buf))
				break;
			if (n)
				buf[n++] = ' ';
			memcpy(buf + n, argv[i], l);
			n += l;
		}
		buf[n] = '\0';
		rc = ask_one(kb, &c, st, buf);
	} else {
		char line[LIM_UTTERANCE + 2];
		int tty = isatty(0);

		if (tty)
			printf("faqbot: %s, %zu entries. Ask a question (Ctrl-D to quit).\n", kb_name(kb), kb_entry_count(kb));
		for (;;) {
			size_t l;

			if (tty) {
				printf("> ");
				fflush(stdout);
			}
			if (!fgets(line, sizeof(line), stdin))
				break;
			l = strlen(line);
			while (l && (line[l - 1] == '\n' || line[l - 1] == '\r'))
				line[--l] = '\0';
			if (!l)
				continue;
			ask_one(kb, &c, st, line);
			fflush(stdout);
		}
	}
	if (st)
		ask_state_free(st);
	kb_snapshot_free(kb);
	return rc;
}

/* ---- kb check / test / stats ---- */

static int kb_check(struct common *c)
{
	struct kb_options o;
	struct kb_diag d = { 0 };
	struct kb_snapshot *kb;
	struct kb_stats st;

	kb_options_default(&o);
	o.dict_path = c->dict;
	o.t2s_config = c->t2s;
	kb = kb_load(c->kb_dir, &o, &d);
	for (size_t i = 0; i < d.n; i++)
		printf("%s\n", d.msgs[i]);
	if (d.n < d.errors + d.warnings)
		printf("... and %zu more\n", d.errors + d.warnings - d.n);
	if (!kb) {
		printf("%s: %zu error(s), %zu warning(s): not valid\n", c->kb_dir, d.errors, d.warnings);
		kb_diag_clear(&d);
		return 1;
	}
	kb_stats(kb, &st);
	printf("%s: ok: %zu entries, %zu question variants, %zu warning(s)\n", c->kb_dir, st.entries, st.variants, d.warnings);
	kb_diag_clear(&d);
	kb_snapshot_free(kb);
	return 0;
}

static int kb_stats_cmd(struct common *c)
{
	struct kb_snapshot *kb = open_kb(c, 1);
	struct kb_stats st;
	const char *const *langs;
	size_t nl;

	if (!kb)
		return 1;
	kb_stats(kb, &st);
	nl = kb_langs(kb, &langs);
	printf("name            %s\n", kb_name(kb));
	printf("entries         %zu\nvariants        %zu\nterms           %zu\npostings        %zu\n",
	       st.entries, st.variants, st.terms, st.postings);
	printf("scoring         %s\n", st.mode == IDX_BM25 ? "entry-level BM25" : "learned weights (linear SVM)");
	printf("index memory    %zu bytes (%.2fx the question text)\n", st.index_bytes,
	       st.text_bytes ? (double)st.index_bytes / st.text_bytes : 0);
	printf("load time       %.1f ms (training %.1f ms, threshold calibration %.1f ms)\n", st.load_ms, st.train_ms, st.calibrate_ms);
	for (size_t i = 0; i < nl; i++) {
		const struct dec_thresholds *th = kb_thresholds(kb, langs[i]);

		printf("thresholds %-4s answer %.3f, margin %.3f, clarify %.3f\n", langs[i], th->answer, th->margin, th->clarify);
	}
	kb_snapshot_free(kb);
	return 0;
}

static int kb_test(struct common *c, const char *golden)
{
	FILE *f = fopen(golden, "r");
	struct kb_snapshot *kb;
	char line[LIM_UTTERANCE * 2];
	size_t lineno = 0, total = 0, pass = 0, n_in = 0, pass_in = 0, n_oos = 0, pass_oos = 0, clar = 0, top1 = 0;
	int rc = 0;

	if (!f) {
		fprintf(stderr, "faqbot: %s: %s\n", golden, strerror(errno));
		return 2;
	}
	kb = open_kb(c, 1);
	if (!kb) {
		fclose(f);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		cJSON *j;
		const cJSON *t, *e, *s;
		struct kb_query q = { 0 };
		struct kb_result r;
		int ok;

		lineno++;
		if (line[strspn(line, " \t\r\n")] == '\0')
			continue;
		j = cJSON_Parse(line);
		t = cJSON_GetObjectItemCaseSensitive(j, "text");
		e = cJSON_GetObjectItemCaseSensitive(j, "expect");
		s = cJSON_GetObjectItemCaseSensitive(j, "scene");
		if (!cJSON_IsString(t) || !(cJSON_IsString(e) || cJSON_IsNull(e))) {
			fprintf(stderr, "%s:%zu: expected {\"text\": \"...\", \"expect\": \"id\" or null}\n", golden, lineno);
			cJSON_Delete(j);
			rc = 2;
			continue;
		}
		if (cJSON_IsString(e) && !kb_find(kb, e->valuestring, NULL)) {
			fprintf(stderr, "%s:%zu: expected entry \"%s\" is not in the KB\n", golden, lineno, e->valuestring);
			cJSON_Delete(j);
			rc = 2;
			continue;
		}
		q.text = t->valuestring;
		q.len = strlen(t->valuestring);
		q.lang = c->lang;
		q.scene = cJSON_IsString(s) ? s->valuestring : c->scene;
		if (kb_match(kb, &q, &r)) {
			fprintf(stderr, "%s:%zu: cannot match (invalid text)\n", golden, lineno);
			cJSON_Delete(j);
			rc = 2;
			continue;
		}
		total++;
		if (cJSON_IsNull(e)) {
			n_oos++;
			ok = r.verdict != DEC_ANSWER;
			pass_oos += ok;
		} else {
			n_in++;
			ok = r.verdict == DEC_ANSWER && !strcmp(r.cand[0]->id, e->valuestring);
			pass_in += ok;
			top1 += r.n_top && !strcmp(r.top_entry[0]->id, e->valuestring);
			if (!ok && r.verdict == DEC_CLARIFY)
				for (size_t k = 0; k < r.n_cand; k++)
					clar += !strcmp(r.cand[k]->id, e->valuestring);
		}
		pass += ok;
		if (!ok) {
			printf("miss %s:%zu: \"%s\"%s%s expected %s, got ", golden, lineno, q.text, q.scene ? " in scene " : "",
			       q.scene ? q.scene : "", cJSON_IsNull(e) ? "no answer" : e->valuestring);
			if (r.verdict == DEC_ANSWER)
				printf("answer %s (%.3f)\n", r.cand[0]->id, r.score[0]);
			else if (r.verdict == DEC_CLARIFY) {
				printf("clarify");
				for (size_t k = 0; k < r.n_cand; k++)
					printf(" %s (%.3f)", r.cand[k]->id, r.score[k]);
				printf("\n");
			} else if (r.n_top) {
				printf("fallback (best %s %.3f)\n", r.top_entry[0]->id, r.top[0].score);
			} else {
				printf("fallback\n");
			}
		}
		cJSON_Delete(j);
	}
	fclose(f);
	kb_snapshot_free(kb);
	if (!total) {
		fprintf(stderr, "faqbot: %s: no test lines\n", golden);
		return 2;
	}
	{
		double acc = 100.0 * pass / total;

		printf("%s: accuracy %.1f%% (%zu/%zu); in scope %zu/%zu answered correctly (%zu more offered as did-you-mean), "
		       "out of scope %zu/%zu not answered; ranked first %zu/%zu\n",
		       golden, acc, pass, total, pass_in, n_in, clar, pass_oos, n_oos, top1, n_in);
		if (acc < c->min) {
			printf("%s: below the required %.1f%%\n", golden, c->min);
			return 1;
		}
	}
	return rc;
}

int cli_kb(int argc, char **argv)
{
	struct common c = { .kb_dir = "kb", .min = 95 };
	const char *sub = argc > 1 ? argv[1] : "";
	char *ops[4];
	int nops = 0, i = 2;

	/* Options may come before or after the operands. */
	while (i < argc) {
		int j = parse_common(argc, argv, i, &c);

		if (j < 0)
			return 2;
		if (j >= argc)
			break;
		if (nops < 4)
			ops[nops++] = argv[j];
		i = j + 1;
	}
	if (nops >= 1)
		c.kb_dir = ops[0];
	if (!strcmp(sub, "check") && nops <= 1)
		return kb_check(&c);
	if (!strcmp(sub, "stats") && nops <= 1)
		return kb_stats_cmd(&c);
	if (!strcmp(sub, "test") && nops == 2)
		return kb_test(&c, ops[1]);
	fprintf(stderr, "usage: faqbot kb check [DIR]\n"
			"       faqbot kb test DIR GOLDEN.jsonl [--min PCT] [--lang L] [--scene S]\n"
			"       faqbot kb stats [DIR]\n");
	return 2;
}
