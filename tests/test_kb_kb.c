/*
 * test_kb_kb.c - KB loading, validation messages with positions, matching,
 * validity windows and scenes. Bad KBs are written to a temporary directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kb/kb.h"

static char tmpdir[64];

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/faqbot-kbtest-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd);
}

/* Load the temporary KB; return the joined diagnostics (static buffer). */
static const char *load_errors(struct kb_snapshot **out)
{
	static char all[8192];
	struct kb_options o;
	struct kb_diag d = { 0 };
	struct kb_snapshot *kb;
	size_t n = 0;

	kb_options_default(&o);
	kb = kb_load(tmpdir, &o, &d);
	all[0] = '\0';
	for (size_t i = 0; i < d.n; i++)
		n += (size_t)snprintf(all + n, sizeof(all) - n, "%s\n", d.msgs[i] + strlen(tmpdir) + 1);
	kb_diag_clear(&d);
	if (out)
		*out = kb;
	else
		kb_snapshot_free(kb);
	return all;
}

static const char *good = "{\"lang\": \"en\", \"entries\": [\n"
	"  {\"id\": \"a\", \"questions\": [\"where is my order\"], \"answer\": \"Track it.\"},\n"
	"  {\"id\": \"b\", \"questions\": [\"how do i pay\"], \"answer\": \"By card.\"}\n"
	"]}\n";

static void kb_should_report_invalid_json_with_line_and_column(void **state)
{
	struct kb_snapshot *kb;

	write_file("kb.json", "{\"languages\": [\"en\"]}");
	write_file("e.json", "{\"lang\": \"en\",\n \"entries\": [\n  {\"id\": \"a\",, }\n]}\n");
	assert_non_null(strstr(load_errors(&kb), "e.json:3:14: invalid JSON"));
	assert_null(kb);
}

static void kb_should_report_duplicate_ids_with_both_places(void **state)
{
	write_file("kb.json", "{\"languages\": [\"en\"]}");
	write_file("e.json", good);
	write_file("f.json", "{\"lang\": \"en\", \"entries\": [\n  {\"id\": \"a\", \"questions\": [\"refund please\"], \"answer\": \"x\"}]}");
	assert_non_null(strstr(load_errors(NULL), "f.json:2:3: entry \"a\": duplicate id (first defined at"));
	unlink("f.json");
	write_file("f.json", "{\"lang\": \"en\", \"entries\": []}");
}

static void kb_should_report_missing_fields_and_unknown_fields(void **state)
{
	const char *msgs;

	write_file("kb.json", "{\"languages\": [\"en\"]}");
	write_file("e.json", "{\"lang\": \"en\", \"entries\": [\n"
			     "  {\"id\": \"a\", \"questions\": [\"where is my order\"]},\n"
			     "  {\"id\": \"b\", \"questions\": [\"pay\"], \"answr\": \"typo\", \"answer\": \"ok\"},\n"
			     "  {\"questions\": [\"x\"], \"answer\": \"y\"}\n]}\n");
	msgs = load_errors(NULL);
	assert_non_null(strstr(msgs, "e.json:2:3: entry \"a\": missing \"answer\""));
	assert_non_null(strstr(msgs, "e.json:3:37: entry \"b\": unknown field \"answr\""));
	assert_non_null(strstr(msgs, "e.json:4:3: entries[2]: missing \"id\""));
}

static void kb_should_report_invalid_utf8_with_its_position(void **state)
{
	write_file("kb.json", "{\"languages\": [\"en\"]}");
	write_file("e.json", "{\"lang\": \"en\", \"entries\": [\n {\"id\": \"a\", \"questions\": [\"bad \xC3\x28\"], \"answer\": \"x\"}]}");
	assert_non_null(strstr(load_errors(NULL), "e.json:2:33: invalid UTF-8"));
}

static void kb_should_refuse_the_same_question_in_two_entries(void **state)
{
	write_file("kb.json", "{\"languages\": [\"en\"]}");
	write_file("e.json", "{\"lang\": \"en\", \"entries\": [\n"
			     "  {\"id\": \"a\", \"questions\": [\"Where is my order?\"], \"answer\": \"x\"},\n"
			     "  {\"id\": \"b\", \"questions\": [\"where is my ORDER\"], \"answer\": \"y\"}\n]}\n");
	assert_non_null(strstr(load_errors(NULL), "entry \"b\": question \"where is my ORDER\" is also a question of entry \"a\""));
}

static void kb_should_refuse_undeclared_languages(void **state)
{
	write_file("kb.json", "{\"languages\": [\"en\"]}");
	write_file("e.json", "{\"lang\": \"fr\", \"entries\": [{\"id\": \"a\", \"questions\": [\"x\"], \"answer\": \"y\"}]}");
	assert_non_null(strstr(load_errors(NULL), "language \"fr\" is not declared in kb.json"));
}

static struct kb_snapshot *load_dir(const char *dir)
{
	struct kb_options o;
	struct kb_diag d = { 0 };
	struct kb_snapshot *kb;

	kb_options_default(&o);
	kb = kb_load(dir, &o, &d);
	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "%s\n", d.msgs[i]);
	kb_diag_clear(&d);
	assert_non_null(kb);
	return kb;
}

static void match(struct kb_snapshot *kb, const char *text, const char *scene, struct kb_result *r)
{
	struct kb_query q = { .text = text, .len = strlen(text), .scene = scene };

	assert_int_equal(kb_match(kb, &q, r), 0);
}

static void kb_should_answer_customer_wording_from_the_sample_fixture(void **state)
{
	struct kb_snapshot *kb = load_dir("tests/data/kb-tiny");
	struct kb_result r;

	match(kb, "wheres my parcel", NULL, &r);
	assert_true(r.n_top > 0);
	assert_string_equal(r.top_entry[0]->id, "order-tracking");
	match(kb, "I want my money back, how long", NULL, &r);
	assert_string_equal(r.top_entry[0]->id, "refund-time");
	match(kb, "pasword reset", NULL, &r);
	assert_string_equal(r.top_entry[0]->id, "reset-password");
	kb_snapshot_free(kb);
}

static void kb_should_not_answer_entries_outside_their_validity_window(void **state)
{
	struct kb_snapshot *kb = load_dir("tests/data/kb-tiny");
	struct kb_result r;

	match(kb, "when is the winter sale", NULL, &r);
	assert_true(r.n_top == 0 || strcmp(r.top_entry[0]->id, "winter-sale"));
	kb_snapshot_free(kb);
}

static void kb_should_rank_entries_of_the_customers_scene_higher(void **state)
{
	struct kb_snapshot *kb = load_dir("tests/data/kb-tiny");
	struct kb_result plain, scene;
	float refund_plain = -1e9f, refund_scene = -1e9f;

	match(kb, "how long", NULL, &plain);
	match(kb, "how long", "refund_form", &scene);
	for (size_t i = 0; i < plain.n_top; i++)
		if (!strcmp(plain.top_entry[i]->id, "refund-time"))
			refund_plain = plain.top[i].score;
	for (size_t i = 0; i < scene.n_top; i++)
		if (!strcmp(scene.top_entry[i]->id, "refund-time"))
			refund_scene = scene.top[i].score;
	assert_true(refund_scene > refund_plain);
	assert_string_equal(scene.top_entry[0]->id, "refund-time");
	kb_snapshot_free(kb);
}

/* The scene's lift of refund-time for text: its score in the refund form minus its score nowhere. */
static float scene_lift(struct kb_snapshot *kb, const char *text, float *known_share)
{
	struct kb_result plain, scene;
	float a = -1e9f, b = -1e9f;

	match(kb, text, NULL, &plain);
	match(kb, text, "refund_form", &scene);
	for (size_t i = 0; i < plain.n_top; i++)
		if (!strcmp(plain.top_entry[i]->id, "refund-time"))
			a = plain.top[i].score;
	for (size_t i = 0; i < scene.n_top; i++)
		if (!strcmp(scene.top_entry[i]->id, "refund-time"))
			b = scene.top[i].score;
	assert_true(a > -1e9f && b > -1e9f);
	*known_share = scene.info.known_share;
	return b - a;
}

static void a_scene_should_lift_its_entries_less_for_a_question_mostly_about_unknown_things(void **state)
{
	struct kb_snapshot *kb = load_dir("tests/data/kb-tiny");
	float share, full = scene_lift(kb, "how long", &share), part;

	assert_float_equal(share, 1.0f, 1e-6);
	assert_float_equal(full, 0.4f, 1e-4);   /* every word known: the whole boost */
	part = scene_lift(kb, "how long is the zeppelin airship voyage", &share);
	assert_true(share < 0.8f);
	assert_float_equal(part, 0.4f * share * share, 1e-4);
	kb_snapshot_free(kb);
}

static void tokens_given_with_the_query_should_be_matched_without_tokenizing_again(void **state)
{
	static const char text[] = "I want my money back, how long";
	struct kb_snapshot *kb = load_dir("tests/data/kb-tiny");
	static struct tok_list tl;
	struct kb_query q = { .text = text, .len = strlen(text), .toks = &tl };
	struct kb_result a, b;

	match(kb, text, NULL, &a);
	assert_int_equal(tok_run(kb_analyzer(kb), text, strlen(text), 0, &tl), 0);
	assert_int_equal(kb_match(kb, &q, &b), 0);
	assert_int_equal(a.n_top, b.n_top);
	assert_true(a.n_top > 0);
	for (size_t i = 0; i < a.n_top; i++) {
		assert_ptr_equal(a.top_entry[i], b.top_entry[i]);
		assert_float_equal(a.top[i].score, b.top[i].score, 0);
	}
	/* They are what is matched: the text is not tokenized again. */
	assert_int_equal(tok_run(kb_analyzer(kb), "wheres my parcel", 16, 0, &tl), 0);
	assert_int_equal(kb_match(kb, &q, &b), 0);
	assert_string_equal(b.top_entry[0]->id, "order-tracking");
	kb_snapshot_free(kb);
}

static void kb_should_match_chinese_and_traditional_in_the_chinese_entries(void **state)
{
	struct kb_snapshot *kb = load_dir("tests/data/kb-zh");
	struct kb_result r;

	match(kb, "怎麼退貨", NULL, &r);
	assert_string_equal(r.lang, "zh");
	assert_string_equal(r.top_entry[0]->id, "return-how");
	assert_string_equal(r.top_entry[0]->lang, "zh");
	match(kb, "can i get an invoice", NULL, &r);
	assert_string_equal(r.lang, "en");
	assert_string_equal(r.top_entry[0]->id, "invoice");
	assert_non_null(kb_find(kb, "invoice", "zh"));
	kb_snapshot_free(kb);
}

static void kb_should_know_every_word_of_a_long_answer_as_the_shops_own(void **state)
{
	char answer[3000] = "", json[3600];
	struct kb_snapshot *kb;
	struct kb_result domain, foreign;

	/* 400 words (more than the tokenizer keeps in one run), then "porch". */
	for (int i = 0; i < 80; i++)
		strcat(answer, "we ship your parcel quickly ");
	strcat(answer, "porch");
	snprintf(json, sizeof(json), "{\"lang\": \"en\", \"entries\": [\n"
		 "  {\"id\": \"a\", \"questions\": [\"where is my order\", \"track my order\"], \"answer\": \"%s\"},\n"
		 "  {\"id\": \"b\", \"questions\": [\"how do i pay\"], \"answer\": \"By card.\"}\n]}\n", answer);
	write_file("kb.json", "{\"languages\": [\"en\"]}");
	write_file("e.json", json);
	assert_string_equal(load_errors(&kb), "");
	assert_non_null(kb);
	/* Neither word is in a question; only "porch" is in an answer. */
	match(kb, "track my order porch", NULL, &domain);
	match(kb, "track my order zeppelin", NULL, &foreign);
	assert_string_equal(domain.top_entry[0]->id, "a");
	assert_string_equal(foreign.top_entry[0]->id, "a");
	assert_true(foreign.top[0].score < domain.top[0].score);
	kb_snapshot_free(kb);
}

static void kb_should_fall_back_on_stop_words_only(void **state)
{
	struct kb_snapshot *kb = load_dir("tests/data/kb-tiny");
	struct kb_result r;

	match(kb, "hello", NULL, &r);
	assert_int_equal(r.verdict, DEC_FALLBACK);
	assert_int_equal(r.n_top, 0);
	kb_snapshot_free(kb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(kb_should_report_invalid_json_with_line_and_column, setup, teardown),
		cmocka_unit_test_setup_teardown(kb_should_report_duplicate_ids_with_both_places, setup, teardown),
		cmocka_unit_test_setup_teardown(kb_should_report_missing_fields_and_unknown_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(kb_should_report_invalid_utf8_with_its_position, setup, teardown),
		cmocka_unit_test_setup_teardown(kb_should_refuse_the_same_question_in_two_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(kb_should_refuse_undeclared_languages, setup, teardown),
		cmocka_unit_test_setup_teardown(kb_should_know_every_word_of_a_long_answer_as_the_shops_own, setup, teardown),
		cmocka_unit_test(kb_should_answer_customer_wording_from_the_sample_fixture),
		cmocka_unit_test(kb_should_not_answer_entries_outside_their_validity_window),
		cmocka_unit_test(kb_should_rank_entries_of_the_customers_scene_higher),
		cmocka_unit_test(a_scene_should_lift_its_entries_less_for_a_question_mostly_about_unknown_things),
		cmocka_unit_test(tokens_given_with_the_query_should_be_matched_without_tokenizing_again),
		cmocka_unit_test(kb_should_match_chinese_and_traditional_in_the_chinese_entries),
		cmocka_unit_test(kb_should_fall_back_on_stop_words_only),
	};
	return cmocka_run_group_tests_name("kb/kb", tests, NULL, NULL);
}
