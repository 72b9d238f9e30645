/*
 * cli.c - faqbot ask / kb check / kb test / kb stats, and the chat engine
 * outside the server (cli_chat_open) that ask and test dialogs drive. Output
 * for people goes to stdout, problems to stderr; exit status 0 ok, 1 failed
 * check, 2 usage.
 */
#include "cli.h"

#include "dialog/engine.h"
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

/* ---- the chat engine outside the server (ask, test dialogs) ---- */

int cli_chat_open(struct cli_chat *ch, const char *kb_dir, const char *intents_dir, const struct kb_options *ko,
		  const char *secret)
{
	struct kb_diag d = { 0 };
	struct intent_diag id = { 0 };
	struct engine_opts eo;
	struct sess_opts so;

	memset(ch, 0, sizeof(*ch));
	ch->kb = kb_load(kb_dir, ko, &d);
	for (size_t i = 0; i < d.n && !ch->kb; i++)
		fprintf(stderr, "%s\n", d.msgs[i]);
	if (!ch->kb) {
		if (d.n < d.errors + d.warnings)
			fprintf(stderr, "... and %zu more\n", d.errors + d.warnings - d.n);
		fprintf(stderr, "faqbot: %s: %zu error(s); the KB was not loaded\n", kb_dir, d.errors);
		kb_diag_clear(&d);
		return 1;
	}
	kb_diag_clear(&d);
	if (intents_dir) {
		ch->set = engine_load_intents(intents_dir, ch->kb, &id);
		for (size_t i = 0; i < id.n; i++)
			fprintf(stderr, "%s\n", id.msgs[i]);
		if (id.n < id.errors + id.warnings)
			fprintf(stderr, "... and %zu more\n", id.errors + id.warnings - id.n);
		if (!ch->set)
			fprintf(stderr, "faqbot: %s: %zu error(s); the intents were not loaded\n", intents_dir, id.errors);
		intent_diag_clear(&id);
		if (!ch->set) {
			cli_chat_close(ch);
			return 1;
		}
	}
	engine_opts_default(&eo);
	eo.context_secret = secret;
	ch->e = engine_new(&eo);
	sess_opts_default(&so);
	so.max_sessions = 16;
	ch->st = sess_store_new(&so);
	if (!ch->e || !ch->st) {
		fprintf(stderr, "faqbot: out of memory\n");
		cli_chat_close(ch);
		return 1;
	}
	engine_set_content(ch->e, ch->kb, ch->set);
	return 0;
}

void cli_chat_close(struct cli_chat *ch)
{
	sess_store_free(ch->st);
	engine_free(ch->e);
	intent_set_free(ch->set);
	kb_snapshot_free(ch->kb);
	memset(ch, 0, sizeof(*ch));
}

/* ---- faqbot ask: what the server would reply ---- */

static const char *const slot_from[] = { "?", "context", "earlier turns", "text" };

static void print_reply(const struct engine_reply *r, bool scenes)
{
	const struct kb_entry *e = r->entry;

	if (scenes)
		printf("scene: %s\n", r->scene[0] ? r->scene : "-");
	if (r->followup)
		printf("follow-up of the previous answer\n");
	if (r->intent) {
		printf("intent: %s (%s", r->intent, engine_kind_name(r->kind));
		if (r->kind == ENGINE_ASK && r->ask)
			printf(" for %s", r->ask);
		if (r->kind == ENGINE_HANDOFF || r->kind == ENGINE_TICKET)
			printf(" to team %s, priority %s", r->team, r->priority);
		if (r->coverage)
			printf(", %u word(s) matched", r->coverage);
		printf(")\n");
		for (size_t i = 0; i < r->n_slots; i++)
			printf("  slot %s = %s (from the %s)\n", r->slots[i].name, r->slots[i].value,
			       slot_from[r->slots[i].source < 4 ? r->slots[i].source : 0]);
	} else if (r->kind == ENGINE_HANDOFF || r->kind == ENGINE_TICKET) {
		printf("%s: to team %s, priority %s\n", engine_kind_name(r->kind), r->team, r->priority);
	}
	switch (r->kind) {
	case ENGINE_ANSWER:
		if (e && r->intent)
			printf("answer: %s (intent)\n", e->id);
		else if (e && r->followup)
			printf("answer: %s (follow-up)\n", e->id);
		else if (e)
			printf("answer: %s (score %.3f)\n", e->id, r->score);
		printf("%s\n", engine_reply_text(r));
		for (size_t i = 0; e && i < e->n_links; i++)
			printf("  link: %s <%s>\n", e->links[i].title, e->links[i].url);
		break;
	case ENGINE_CLARIFY:
		printf("clarify: %s\n", r->text);
		for (size_t i = 0; i < r->n_cand; i++)
			printf("  %zu. %s: %s\n", i + 1, r->cand[i].entry, r->cand[i].question);
		break;
	case ENGINE_FALLBACK:
		printf("fallback: no confident answer\n%s\n", r->text);
		break;
	default:
		printf("%s\n", r->text);
		break;
	}
	for (size_t i = 0; i < r->n_quick; i++)
		printf("  quick reply: %s\n", r->quick[i]);
	for (size_t i = 0; i < r->n_notices; i++)
		printf("notice: %s\n", r->notices[i].text);
}

static int ask_one(struct cli_chat *ch, struct sess *s, const struct common *c, const char *text)
{
	struct engine_reply *r = malloc(sizeof(*r));
	int rc;

	if (!r) {
		fprintf(stderr, "faqbot: out of memory\n");
		return 1;
	}
	rc = engine_message(ch->e, s, NULL, text, strlen(text), 0, r);
	if (rc == -EILSEQ)
		fprintf(stderr, "faqbot: the question is not valid UTF-8\n");
	else if (rc)
		fprintf(stderr, "faqbot: cannot match: %s\n", strerror(-rc));
	else
		print_reply(r, ch->set != NULL);
	free(r);
	if (!rc && c->explain)
		engine_explain(ch->e, s, NULL, text, strlen(text), 0, stdout);
	return rc ? 1 : 0;
}

int cli_ask(int argc, char **argv)
{
	struct common c = { .kb_dir = "kb" };
	struct engine_where where;
	struct engine_welcome w;
	struct kb_options o;
	struct cli_chat ch;
	struct sess *s;
	int i = parse_common(argc, argv, 1, &c), rc = 0;
	bool scenes;

	if (i < 0) {
		usage_ask();
		return 2;
	}
	if (c.context) {
		cJSON *j = cJSON_Parse(c.context);
		bool ok = cJSON_IsObject(j);

		cJSON_Delete(j);
		if (!ok) {
			fprintf(stderr, "faqbot: --context must be a JSON object\n");
			return 1;
		}
	}
	/* The scene's intents are tried when asked for; the FAQ alone otherwise. */
	scenes = c.scene || c.context || c.intents_dir;
	kb_options_default(&o);
	o.dict_path = c.dict;
	o.t2s_config = c.t2s;
	if (c.bm25)
		o.mode = IDX_BM25;
	if (cli_chat_open(&ch, c.kb_dir, scenes ? (c.intents_dir ? c.intents_dir : "intents") : NULL, &o, NULL))
		return 1;
	if (sess_open(ch.st, NULL, 0, &s) < 0) {
		cli_chat_close(&ch);
		return 1;
	}
	where = (struct engine_where){ c.scene, c.context };
	engine_welcome(ch.e, s, &where, c.lang, 0, &w);
	if (s->context_check == -EKEYREJECTED || s->context_check == -ETIME)
		fprintf(stderr, "faqbot: the signed part of --context cannot be verified here: treated as a hint\n");
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
		rc = ask_one(&ch, s, &c, buf);
	} else {
		char line[LIM_UTTERANCE + 2];
		int tty = isatty(0);

		if (tty) {
			printf("faqbot: %s, %zu entries. Ask a question (Ctrl-D to quit).\n", kb_name(ch.kb),
			       kb_entry_count(ch.kb));
			if (scenes)
				printf("scene: %s\n%s\n", w.scene[0] ? w.scene : "-", w.greeting);
		}
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
			ask_one(&ch, s, &c, line);
			fflush(stdout);
		}
	}
	cli_chat_close(&ch);
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

/*
 * A golden line asked as the server would in its scene: the scene's intents,
 * then the FAQ, in a session of its own. Fills r like kb_match (the answered
 * or offered entries; top is the answered one, or the first offered).
 */
static int ask_in_scene(struct cli_chat *ch, const struct kb_query *q, struct kb_result *r)
{
	struct engine_reply *er = malloc(sizeof(*er));
	struct engine_where where = { q->scene, NULL };
	struct engine_welcome w;
	struct sess *s;
	int rc = -ENOMEM;

	memset(r, 0, sizeof(*r));
	r->verdict = DEC_FALLBACK;
	if (!er)
		return rc;
	if ((rc = sess_open(ch->st, NULL, 0, &s)) < 0)
		goto out;
	engine_welcome(ch->e, s, &where, q->lang, 0, &w);
	if ((rc = engine_message(ch->e, s, NULL, q->text, q->len, 0, er)))
		goto out;
	if (er->kind == ENGINE_ANSWER && er->entry) {
		r->verdict = DEC_ANSWER;
		r->n_cand = r->n_top = 1;
		r->cand[0] = r->top_entry[0] = er->entry;
		r->score[0] = er->score;
	} else if (er->kind == ENGINE_CLARIFY) {
		r->verdict = DEC_CLARIFY;
		for (size_t i = 0; i < er->n_cand && r->n_cand < LIM_CANDIDATES; i++) {
			const struct kb_entry *e = kb_find(ch->kb, er->cand[i].entry, q->lang);

			if (e)
				r->cand[r->n_cand++] = e;
		}
		r->n_top = r->n_cand ? 1 : 0;
		r->top_entry[0] = r->n_cand ? r->cand[0] : NULL;
	}
	rc = 0;
out:
	free(er);
	return rc;
}

static int kb_test(struct common *c, const char *golden)
{
	FILE *f = fopen(golden, "r");
	struct kb_snapshot *kb;
	struct cli_chat ch = { 0 };
	char line[LIM_UTTERANCE * 2];
	size_t lineno = 0, total = 0, pass = 0, n_in = 0, pass_in = 0, n_oos = 0, pass_oos = 0, clar = 0, top1 = 0;
	int rc = 0;

	if (!f) {
		fprintf(stderr, "faqbot: %s: %s\n", golden, strerror(errno));
		return 2;
	}
	if (c->intents_dir) {
		struct kb_options o;

		kb_options_default(&o);
		o.dict_path = c->dict;
		o.t2s_config = c->t2s;
		if (c->bm25)
			o.mode = IDX_BM25;
		kb = cli_chat_open(&ch, c->kb_dir, c->intents_dir, &o, NULL) ? NULL : ch.kb;
	} else {
		kb = open_kb(c, 1);
	}
	if (!kb) {
		fclose(f);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		cJSON *j;
		const cJSON *t, *e, *s;
		struct kb_query q = { 0 };
		struct kb_result r;
		bool in_scene;
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
		in_scene = ch.e && q.scene;
		if (in_scene ? ask_in_scene(&ch, &q, &r) : kb_match(kb, &q, &r)) {
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
			if (r.verdict == DEC_ANSWER && in_scene)
				printf("answer %s\n", r.cand[0]->id);   /* an intent's answer has no score */
			else if (r.verdict == DEC_ANSWER)
				printf("answer %s (%.3f)\n", r.cand[0]->id, r.score[0]);
			else if (r.verdict == DEC_CLARIFY) {
				printf("clarify");
				for (size_t k = 0; k < r.n_cand; k++)
					if (in_scene)
						printf(" %s", r.cand[k]->id);
					else
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
	if (ch.e)
		cli_chat_close(&ch);
	else
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
			"       faqbot kb test DIR GOLDEN.jsonl [--min PCT] [--lang L] [--scene S] [--intents DIR]\n"
			"       faqbot kb stats [DIR]\n");
	return 2;
}
