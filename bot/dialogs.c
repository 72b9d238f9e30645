/*
 * dialogs.c - faqbot test dialogs [DIR]: dialogue scripts (tests/dialogs/NAME.json,
 * format in docs/dialog-tests.md) played against the engine the server uses:
 * the same KB, the same intents, the same engine functions, a fake clock.
 * Prints "ok - FILE: NAME" or "not ok - FILE: NAME" per dialogue with the
 * reasons, then a total; exits 0 when all pass, 1 when one fails, 2 when a
 * script cannot be read.
 */
#include "cli.h"

#include "core/sign.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DLG_MAX_FILES  512
#define DLG_FILE_BYTES (1u << 20)
#define DLG_WHY_BYTES  4096
#define DLG_SECRET     "faqbot-dialog-tests"   /* signs the scripts' "signed" context, as a host backend would */

/* What went wrong in one dialogue, for the report. */
struct why {
	char buf[DLG_WHY_BYTES];
	size_t n;
	unsigned fails;
};

static void whyf(struct why *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void whyf(struct why *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	w->fails++;
	if (w->n + 1 >= sizeof(w->buf))
		return;
	va_start(ap, fmt);
	n = vsnprintf(w->buf + w->n, sizeof(w->buf) - w->n, fmt, ap);
	va_end(ap);
	if (n > 0)
		w->n += (size_t)n < sizeof(w->buf) - w->n ? (size_t)n : sizeof(w->buf) - w->n - 1;
}

/* ---- time ---- */

static long days_from_civil(long y, unsigned m, unsigned d)
{
	long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

/* "2026-11-20", "2026-11-20T10:00:00Z", "2026-11-20T10:00+08:00" (no zone: UTC) or a Unix time. */
static int parse_time(const cJSON *v, time_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, zh = 0, zm = 0, n = 0;
	const char *s;
	char sign = 0;

	if (cJSON_IsNumber(v)) {
		*out = (time_t)v->valuedouble;
		return 0;
	}
	if (!cJSON_IsString(v))
		return -EINVAL;
	s = v->valuestring;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || mo < 1 || mo > 12 || d < 1 || d > 31)
		return -EINVAL;
	s += n;
	if (*s == 'T' || *s == ' ') {
		n = 0;
		if (sscanf(s + 1, "%2d:%2d%n", &h, &mi, &n) != 2)
			return -EINVAL;
		s += 1 + n;
		if (*s == ':') {
			n = 0;
			if (sscanf(s + 1, "%2d%n", &sec, &n) != 1)
				return -EINVAL;
			s += 1 + n;
		}
	}
	if (*s == 'Z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s;
		n = 0;
		if (sscanf(s + 1, "%2d:%2d%n", &zh, &zm, &n) != 2)
			return -EINVAL;
		s += 1 + n;
	}
	if (*s)
		return -EINVAL;
	*out = (time_t)(days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400L + h * 3600L + mi * 60L + sec);
	if (sign)
		*out += (sign == '+' ? -1 : 1) * (time_t)(zh * 3600 + zm * 60);
	return 0;
}

/* ---- expectations ---- */

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* Each string of v (a string or an array of them) must (want) or must not occur in text. */
static void check_contains(struct why *w, const char *what, const cJSON *v, const char *text, bool want)
{
	const cJSON *it;

	if (!v)
		return;
	if (cJSON_IsString(v)) {
		if ((strstr(text, v->valuestring) != NULL) != want)
			whyf(w, "%s %s \"%s\"; got \"%.300s\"\n", what, want ? "lacks" : "has", v->valuestring, text);
		return;
	}
	cJSON_ArrayForEach(it, v)
		if (cJSON_IsString(it) && (strstr(text, it->valuestring) != NULL) != want)
			whyf(w, "%s %s \"%s\"; got \"%.300s\"\n", what, want ? "lacks" : "has", it->valuestring, text);
}

/* A string field: v is a string (must equal got) or null (got must be NULL). */
static void check_str(struct why *w, const char *what, const cJSON *v, const char *got)
{
	if (!v)
		return;
	if (cJSON_IsNull(v)) {
		if (got)
			whyf(w, "%s: expected none, got %s\n", what, got);
	} else if (cJSON_IsString(v) && (!got || strcmp(v->valuestring, got))) {
		whyf(w, "%s: expected %s, got %s\n", what, v->valuestring, got ? got : "none");
	}
}

static void check_bool(struct why *w, const char *what, const cJSON *v, bool got)
{
	if (cJSON_IsBool(v) && cJSON_IsTrue(v) != got)
		whyf(w, "%s: expected %s, got %s\n", what, cJSON_IsTrue(v) ? "true" : "false", got ? "true" : "false");
}

static void check_notices(struct why *w, const cJSON *exp, const struct engine_notice *nv, size_t n)
{
	const cJSON *c = get(exp, "notices"), *t = get(exp, "notice_contains");
	char all[2048];
	size_t k = 0;

	if (cJSON_IsNumber(c) && (size_t)c->valuedouble != n)
		whyf(w, "notices: expected %d, got %zu\n", (int)c->valuedouble, n);
	all[0] = '\0';
	for (size_t i = 0; i < n; i++)
		k += (size_t)snprintf(all + k, k < sizeof(all) ? sizeof(all) - k : 0, "%s ", nv[i].text);
	check_contains(w, "the notices", t, all, true);
}

static void check_reply(struct why *w, const cJSON *exp, const struct engine_reply *r)
{
	const cJSON *c;
	char all[ENGINE_TEXT_BYTES + 1024];
	size_t k;

	check_str(w, "kind", get(exp, "kind"), engine_kind_name(r->kind));
	check_str(w, "entry", get(exp, "entry"), r->entry ? r->entry->id : NULL);
	check_str(w, "intent", get(exp, "intent"), r->intent);
	check_str(w, "lang", get(exp, "lang"), r->lang);
	check_str(w, "scene", get(exp, "scene"), r->scene[0] ? r->scene : NULL);
	check_str(w, "ask", get(exp, "ask"), r->ask);
	check_str(w, "team", get(exp, "team"), r->team);
	check_str(w, "priority", get(exp, "priority"), r->priority);
	check_bool(w, "survey", get(exp, "survey"), r->survey);
	check_bool(w, "followup", get(exp, "followup"), r->followup);
	/* The words, with clarify's questions and the quick replies. */
	k = (size_t)snprintf(all, sizeof(all), "%s", engine_reply_text(r));
	for (size_t i = 0; i < r->n_cand && k < sizeof(all); i++)
		k += (size_t)snprintf(all + k, sizeof(all) - k, " | %s", r->cand[i].question);
	check_contains(w, "the reply", get(exp, "contains"), all, true);
	check_contains(w, "the reply", get(exp, "not_contains"), all, false);
	if ((c = get(exp, "candidates"))) {
		const cJSON *it;

		cJSON_ArrayForEach(it, c) {
			bool seen = false;

			for (size_t i = 0; i < r->n_cand && cJSON_IsString(it); i++)
				seen |= !strcmp(r->cand[i].entry, it->valuestring);
			if (!seen)
				whyf(w, "candidates: %s was not offered\n", cJSON_IsString(it) ? it->valuestring : "?");
		}
	}
	if ((c = get(exp, "slots"))) {
		const cJSON *it;

		cJSON_ArrayForEach(it, c) {
			bool seen = false;

			for (size_t i = 0; i < r->n_slots && cJSON_IsString(it); i++)
				seen |= !strcmp(r->slots[i].name, it->string) && !strcmp(r->slots[i].value, it->valuestring);
			if (!seen)
				whyf(w, "slots: %s = %s was not filled\n", it->string, cJSON_IsString(it) ? it->valuestring : "?");
		}
	}
	check_notices(w, exp, r->notices, r->n_notices);
}

static void check_welcome(struct why *w, const cJSON *exp, const struct engine_welcome *wl)
{
	const cJSON *c, *it;

	if (!exp)
		return;
	check_str(w, "welcome scene", get(exp, "scene"), wl->scene[0] ? wl->scene : NULL);
	check_str(w, "welcome lang", get(exp, "lang"), wl->lang);
	check_contains(w, "the greeting", get(exp, "contains"), wl->greeting, true);
	check_contains(w, "the greeting", get(exp, "not_contains"), wl->greeting, false);
	if ((c = get(exp, "suggestions"))) {
		cJSON_ArrayForEach(it, c) {
			bool seen = false;

			for (size_t i = 0; i < wl->n_suggestions && cJSON_IsString(it); i++)
				seen |= !strcmp(wl->suggestions[i], it->valuestring);
			if (!seen)
				whyf(w, "suggestions: \"%s\" is not offered\n", cJSON_IsString(it) ? it->valuestring : "?");
		}
	}
	if ((c = get(exp, "first_suggestion")) && cJSON_IsString(c) &&
	    (!wl->n_suggestions || strcmp(wl->suggestions[0], c->valuestring)))
		whyf(w, "first suggestion: expected \"%s\", got \"%s\"\n", c->valuestring,
		     wl->n_suggestions ? wl->suggestions[0] : "none");
	check_notices(w, exp, wl->notices, wl->n_notices);
}

/* ---- running a dialogue ---- */

struct run {
	struct cli_chat *ch;
	struct engine *e;          /* one per dialogue: usage counts start from zero */
	struct sess *s;
	char *context;             /* the page's context, compact JSON, owned */
	char page[LIM_SCENE_BYTES + 1];
	time_t now;
	uint32_t last_answer, last_clarify;
	struct engine_reply r;
};

/*
 * The page's context as compact JSON: "context", plus "signed" (an object)
 * signed with DLG_SECRET for an hour from now, as the host's backend would.
 */
static char *page_context(const cJSON *o, time_t now)
{
	const cJSON *ctx = get(o, "context"), *sg = get(o, "signed");
	cJSON *c = cJSON_IsObject(ctx) ? cJSON_Duplicate(ctx, 1) : cJSON_IsObject(sg) ? cJSON_CreateObject() : NULL;
	char *out = NULL, *data = NULL, hex[SIGN_HEX_BYTES + 1];

	if (c && cJSON_IsObject(sg) && (data = cJSON_PrintUnformatted(sg)) &&
	    !sign_context(DLG_SECRET, data, (int64_t)now + 3600, hex)) {
		cJSON *b = cJSON_AddObjectToObject(c, "signed");

		if (b) {
			cJSON_AddStringToObject(b, "data", data);
			cJSON_AddNumberToObject(b, "exp", (double)now + 3600);
			cJSON_AddStringToObject(b, "sig", hex);
		}
	}
	if (c)
		out = cJSON_PrintUnformatted(c);
	cJSON_free(data);
	cJSON_Delete(c);
	return out;
}

/* Go to a page (the dialogue's start, or a "scene" turn) and check the welcome. */
static void go(struct run *rn, struct why *w, const cJSON *o, const char *lang)
{
	const cJSON *sc = get(o, "scene");
	struct engine_where where;
	struct engine_welcome wl;

	free(rn->context);
	rn->context = page_context(o, rn->now);
	snprintf(rn->page, sizeof(rn->page), "%s", cJSON_IsString(sc) ? sc->valuestring : "");
	where = (struct engine_where){ rn->page, rn->context };
	engine_welcome(rn->e, rn->s, &where, lang, rn->now, &wl);
	check_welcome(w, get(o, "welcome"), &wl);
	if (cJSON_IsBool(get(o, "signed_ok")) && cJSON_IsTrue(get(o, "signed_ok")) != rn->s->context_signed)
		whyf(w, "signed context: expected it %s\n", cJSON_IsTrue(get(o, "signed_ok")) ? "trusted" : "refused");
}

/* One turn; n is its number (1-based) for the report. Returns -1 for a malformed turn. */
static int turn(struct run *rn, struct why *w, const cJSON *t, int n)
{
	const cJSON *v, *say = get(t, "say");
	struct engine_where where = { rn->page, rn->context };
	size_t before = w->fails;
	bool handled = false, replied = false;
	int rc;

	if (!cJSON_IsObject(t))
		return -1;
	if ((v = get(t, "wait")) && cJSON_IsNumber(v))
		rn->now += (time_t)v->valuedouble;
	if ((v = get(t, "wait_minutes")) && cJSON_IsNumber(v))
		rn->now += (time_t)(v->valuedouble * 60);
	if ((v = get(t, "typing")) && cJSON_IsBool(v)) {
		engine_typing(rn->s, cJSON_IsTrue(v), rn->now);
		handled = true;
	}
	if (cJSON_IsString(say)) {
		rc = engine_message(rn->e, rn->s, &where, say->valuestring, strlen(say->valuestring), rn->now, &rn->r);
		if (rc)
			whyf(w, "the engine refused the text: %s\n", strerror(-rc));
		handled = true;
		replied = !rc;
	} else if ((v = get(t, "resolved")) && cJSON_IsBool(v)) {
		rc = engine_resolved(rn->e, rn->s, &where, rn->last_answer, cJSON_IsTrue(v), rn->now, &rn->r);
		if (rc)
			whyf(w, "there was no answer to resolve\n");
		handled = true;
		replied = !rc;
	} else if ((v = get(t, "choose"))) {
		rc = engine_choose(rn->e, rn->s, &where, rn->last_clarify, cJSON_IsString(v) ? v->valuestring : NULL,
				   rn->now, &rn->r);
		if (rc)
			whyf(w, "the choice was refused: %s\n", strerror(-rc));
		handled = true;
		replied = !rc;
	} else if ((v = get(t, "survey")) && cJSON_IsObject(v)) {
		const cJSON *a = get(v, "csat"), *b = get(v, "ces"), *ok = get(t, "ok");

		rc = engine_survey(rn->s, cJSON_IsNumber(a) ? a->valueint : -1, cJSON_IsNumber(b) ? b->valueint : -1);
		if ((rc == 0) != (!ok || cJSON_IsTrue(ok)))
			whyf(w, "the survey was %s\n", rc ? "refused" : "accepted");
		handled = true;
	} else if (get(t, "scene")) {
		go(rn, w, t, NULL);
		handled = true;
	}
	if (!handled)
		return -1;
	if (replied) {
		check_reply(w, t, &rn->r);
		if (rn->r.kind == ENGINE_ANSWER)
			rn->last_answer = rn->r.id;
		if (rn->r.kind == ENGINE_CLARIFY)
			rn->last_clarify = rn->r.id;
	}
	if ((v = get(t, "outcome")) && cJSON_IsString(v)) {
		static const char *const names[] = { "unknown", "solved", "unsolved" };

		if (strcmp(names[rn->s->outcome], v->valuestring))
			whyf(w, "outcome: expected %s, got %s\n", v->valuestring, names[rn->s->outcome]);
	}
	if ((v = get(t, "handoff_requested")) && cJSON_IsBool(v) && cJSON_IsTrue(v) != rn->s->handoff.requested)
		whyf(w, "hand-off requested: expected %s\n", cJSON_IsTrue(v) ? "yes" : "no");
	if (w->fails > before) {
		whyf(w, "  (turn %d%s%s%s)\n", n, cJSON_IsString(say) ? ": \"" : "", cJSON_IsString(say) ? say->valuestring : "",
		     cJSON_IsString(say) ? "\"" : "");
		w->fails--;   /* the turn's note is not a failure of its own */
	}
	return 0;
}

/* Play one dialogue. Returns 0 when it passed, 1 when it failed, 2 when it is malformed. */
static int play(struct cli_chat *ch, const char *file, const cJSON *d, size_t idx)
{
	const cJSON *name = get(d, "name"), *lang = get(d, "lang"), *now = get(d, "now"), *turns = get(d, "turns"), *t;
	struct run *rn = calloc(1, sizeof(*rn));
	struct why *w = calloc(1, sizeof(*w));
	char label[512];
	int n = 0, rc = 0;

	snprintf(label, sizeof(label), "%s: %s", file, cJSON_IsString(name) ? name->valuestring : "(unnamed)");
	if (!rn || !w || !cJSON_IsObject(d) || !cJSON_IsArray(turns)) {
		fprintf(stderr, "%s: dialogue %zu: expected {\"name\", \"scene\", \"context\", \"turns\": [...]}\n", file, idx + 1);
		rc = 2;
		goto out;
	}
	rn->ch = ch;
	{
		struct engine_opts eo;

		engine_opts_default(&eo);
		eo.context_secret = DLG_SECRET;
		rn->e = engine_new(&eo);
		if (!rn->e) {
			rc = 2;
			goto out;
		}
		engine_set_content(rn->e, ch->kb, ch->set);
	}
	rn->now = time(NULL);
	if (now && parse_time(now, &rn->now)) {
		fprintf(stderr, "%s: dialogue %zu: \"now\" must be a date, a date and time, or a Unix time\n", file, idx + 1);
		rc = 2;
		goto out;
	}
	if (sess_open(ch->st, NULL, 0, &rn->s) < 0) {
		rc = 2;
		goto out;
	}
	go(rn, w, d, cJSON_IsString(lang) ? lang->valuestring : NULL);
	cJSON_ArrayForEach(t, turns) {
		if (turn(rn, w, t, ++n) < 0) {
			fprintf(stderr, "%s: dialogue %zu, turn %d: expected \"say\", \"resolved\", \"choose\", \"survey\", "
					"\"scene\" or \"typing\"\n", file, idx + 1, n);
			rc = 2;
			goto out;
		}
	}
	rc = w->fails ? 1 : 0;
	printf("%s - %s\n", rc ? "not ok" : "ok", label);
	if (rc) {
		char *line = w->buf, *nl;

		for (; *line; line = nl + 1) {
			nl = strchr(line, '\n');
			if (!nl)
				nl = line + strlen(line) - 1;
			printf("#   %.*s\n", (int)(nl - line), line);
		}
	}
out:
	if (rn) {
		free(rn->context);
		engine_free(rn->e);
	}
	free(rn);
	free(w);
	return rc;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	struct stat st;

	if (!f)
		return NULL;
	if (!fstat(fileno(f), &st) && st.st_size >= 0 && (size_t)st.st_size <= DLG_FILE_BYTES &&
	    (buf = malloc((size_t)st.st_size + 1))) {
		*len = fread(buf, 1, (size_t)st.st_size, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

/* Play every dialogue of one file: an object with "dialogs": [...], or one dialogue. */
static int play_file(struct cli_chat *ch, const char *path, size_t *pass, size_t *fail)
{
	size_t len = 0;
	char *buf = read_all(path, &len);
	cJSON *j = buf ? cJSON_ParseWithLength(buf, len) : NULL;
	const cJSON *list, *d;
	size_t i = 0;
	int worst = 0;

	free(buf);
	if (!cJSON_IsObject(j)) {
		fprintf(stderr, "%s: not a JSON object\n", path);
		cJSON_Delete(j);
		return 2;
	}
	list = get(j, "dialogs");
	if (!list) {
		int rc = play(ch, path, j, 0);

		*pass += rc == 0;
		*fail += rc == 1;
		cJSON_Delete(j);
		return rc;
	}
	cJSON_ArrayForEach(d, list) {
		int rc = play(ch, path, d, i++);

		*pass += rc == 0;
		*fail += rc == 1;
		worst = rc > worst ? rc : worst;
	}
	cJSON_Delete(j);
	return worst;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int test_dialogs(const char *dir, const char *kb_dir, const char *intents_dir)
{
	struct cli_chat ch;
	struct kb_options ko;
	char *files[DLG_MAX_FILES];
	size_t nf = 0, pass = 0, fail = 0;
	struct dirent *de;
	DIR *dp = opendir(dir);
	int worst = 0;

	if (!dp) {
		fprintf(stderr, "faqbot: %s: %s\n", dir, strerror(errno));
		return 2;
	}
	while ((de = readdir(dp)) && nf < DLG_MAX_FILES) {
		size_t l = strlen(de->d_name);
		char *p;

		if (de->d_name[0] == '.' || l < 6 || strcmp(de->d_name + l - 5, ".json"))
			continue;
		p = malloc(strlen(dir) + l + 2);
		if (!p)
			break;
		sprintf(p, "%s/%s", dir, de->d_name);
		files[nf++] = p;
	}
	closedir(dp);
	qsort(files, nf, sizeof(files[0]), cmp_str);
	if (!nf) {
		fprintf(stderr, "faqbot: %s: no *.json dialogue scripts\n", dir);
		return 2;
	}
	kb_options_default(&ko);
	if (cli_chat_open(&ch, kb_dir, intents_dir, &ko, DLG_SECRET)) {
		worst = 2;
		goto out;
	}
	for (size_t i = 0; i < nf; i++) {
		int rc = play_file(&ch, files[i], &pass, &fail);

		worst = rc > worst ? rc : worst;
	}
	printf("%zu passed, %zu failed\n", pass, fail);
	cli_chat_close(&ch);
out:
	for (size_t i = 0; i < nf; i++)
		free(files[i]);
	return worst;
}

int cli_test(int argc, char **argv)
{
	const char *dir = "tests/dialogs", *kb_dir = "kb", *intents_dir = "intents";
	int i = 2, ops = 0;

	if (argc < 2 || strcmp(argv[1], "dialogs"))
		goto usage;
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--kb") && i + 1 < argc)
			kb_dir = argv[++i];
		else if (!strcmp(argv[i], "--intents") && i + 1 < argc)
			intents_dir = argv[++i];
		else if (argv[i][0] != '-' && !ops++)
			dir = argv[i];
		else
			goto usage;
	}
	return test_dialogs(dir, kb_dir, intents_dir);
usage:
	fprintf(stderr, "usage: faqbot test dialogs [DIR] [--kb DIR] [--intents DIR]\n"
			"  plays the dialogue scripts DIR/*.json (default tests/dialogs) against the engine\n");
	return 2;
}
