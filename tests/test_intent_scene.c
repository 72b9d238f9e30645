/*
 * test_intent_scene.c - scene matching (predicates, specificity, default,
 * ties), what a scene offers (greeting, suggestions ranked by usage, boosts,
 * notices with a fake clock), routing that trusts only signed context, the
 * context itself, and the loader's positioned diagnostics.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/sign.h"
#include "test_intent_fixture.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *scene_of(struct fx *f, const char *page, const char *json)
{
	fx_hello(f, page, json);
	return intent_scene_id(intent_scene_match(f->set, f->ctx, 0));
}

static void scene_should_fall_back_to_the_default_scene(void **state)
{
	struct fx *f = *state;

	assert_string_equal(scene_of(f, NULL, NULL), "home");
	assert_string_equal(scene_of(f, "nowhere", "{\"order\": {\"status\": \"shipped\"}}"), "home");
}

static void scene_should_match_the_page(void **state)
{
	struct fx *f = *state;

	assert_string_equal(scene_of(f, "order_detail", NULL), "order");
	assert_string_equal(scene_of(f, "refund_form", NULL), "refund");
}

static void scene_should_prefer_the_most_specific_match(void **state)
{
	struct fx *f = *state;

	assert_string_equal(scene_of(f, "order_detail", "{\"order\": {\"status\": \"shipped\"}}"), "order.shipped");
	assert_string_equal(scene_of(f, "order_detail", "{\"order\": {\"status\": \"SHIPPED\", \"delayed_days\": 5}}"),
			    "order.shipped.late");
	assert_string_equal(scene_of(f, "order_detail", "{\"order\": {\"status\": \"shipped\", \"delayed_days\": 2}}"),
			    "order.shipped");
	assert_string_equal(scene_of(f, "order_detail", "{\"order\": {\"status\": \"paid\"}}"), "order");
}

static void scene_should_inherit_the_parents_conditions(void **state)
{
	struct fx *f = *state;

	/* order.shipped needs page order_detail too: the refund form with a shipped order is the refund scene. */
	assert_string_equal(scene_of(f, "refund_form", "{\"order\": {\"status\": \"shipped\"}}"), "refund");
}

static void scene_should_keep_the_first_defined_on_a_tie(void **state)
{
	struct fx *f = *state;
	char g[64];

	assert_string_equal(scene_of(f, "tie", NULL), "tie-first");
	assert_true(intent_scene_greeting(f->set, intent_scene_match(f->set, f->ctx, 0), f->ctx, "en", g, sizeof(g)) > 0);
	assert_string_equal(g, "first");
}

static void scene_predicates_should_support_in_exists_not_and_numbers(void **state)
{
	struct fx *f = *state;
	const char *ok = "{\"journey\": \"after_sale\", \"cart\": {\"items\": [{\"sku\": \"A\"}], \"total\": 120}}";

	assert_string_equal(scene_of(f, "pred", ok), "pred");
	/* in: not one of the values */
	assert_string_equal(scene_of(f, "pred", "{\"journey\": \"browsing\", \"cart\": {\"items\": [1], \"total\": 120}}"), "home");
	/* exists: no cart items */
	assert_string_equal(scene_of(f, "pred", "{\"journey\": \"pre_sale\", \"cart\": {\"total\": 120}}"), "home");
	/* false: a coupon is present */
	assert_string_equal(scene_of(f, "pred", "{\"journey\": \"pre_sale\", \"coupon\": \"X\", \"cart\": {\"items\": [1], \"total\": 120}}"), "home");
	/* not */
	assert_string_equal(scene_of(f, "pred", "{\"journey\": \"pre_sale\", \"customer\": {\"lang\": \"fr\"}, \"cart\": {\"items\": [1], \"total\": 120}}"), "home");
	assert_string_equal(scene_of(f, "pred", "{\"journey\": \"pre_sale\", \"customer\": {\"lang\": \"de\"}, \"cart\": {\"items\": [1], \"total\": 120}}"), "pred");
	/* gte: a number below, and a value that is not a number */
	assert_string_equal(scene_of(f, "pred", "{\"journey\": \"pre_sale\", \"cart\": {\"items\": [1], \"total\": 99.5}}"), "home");
	assert_string_equal(scene_of(f, "pred", "{\"journey\": \"pre_sale\", \"cart\": {\"items\": [1], \"total\": \"lots\"}}"), "home");
}

static void greeting_should_fill_context_and_drop_optional_parts(void **state)
{
	struct fx *f = *state;
	const struct intent_scene *sc;
	char g[200];

	fx_hello(f, "order_detail", "{\"order\": {\"id\": \"1234\", \"status\": \"shipped\", \"carrier\": \"SF Express\"}}");
	sc = intent_scene_match(f->set, f->ctx, 0);
	assert_true(intent_scene_greeting(f->set, sc, f->ctx, "en", g, sizeof(g)) > 0);
	assert_string_equal(g, "Order 1234 is on its way with SF Express.");
	assert_true(intent_scene_greeting(f->set, sc, f->ctx, "zh", g, sizeof(g)) > 0);
	assert_string_equal(g, "订单 1234 已发货（SF Express）。");
	fx_hello(f, "order_detail", "{\"order\": {\"id\": \"1234\", \"status\": \"shipped\"}}");
	assert_true(intent_scene_greeting(f->set, sc, f->ctx, "en", g, sizeof(g)) > 0);
	assert_string_equal(g, "Order 1234 is on its way.");
}

static void greeting_should_fall_back_to_the_parent_when_a_variable_is_missing(void **state)
{
	struct fx *f = *state;
	const struct intent_scene *sc;
	char g[200];

	/* No order id: neither order.shipped's nor order's greeting can be said; home's can. */
	fx_hello(f, "order_detail", "{\"order\": {\"status\": \"shipped\"}}");
	sc = intent_scene_match(f->set, f->ctx, 0);
	assert_string_equal(intent_scene_id(sc), "order.shipped");
	assert_true(intent_scene_greeting(f->set, sc, f->ctx, "en", g, sizeof(g)) > 0);
	assert_string_equal(g, "Hi! How can I help?");
	assert_null(strchr(g, '{'));
	/* A scene without a greeting uses its parent's. */
	fx_hello(f, "refund_form", NULL);
	sc = intent_scene_match(f->set, f->ctx, 0);
	assert_true(intent_scene_greeting(f->set, sc, f->ctx, "zh", g, sizeof(g)) > 0);
	assert_string_equal(g, "你好！有什么可以帮你？");
	/* An unknown language gets the first declared one. */
	assert_true(intent_scene_greeting(f->set, sc, f->ctx, "fr", g, sizeof(g)) > 0);
	assert_string_equal(g, "Hi! How can I help?");
}

static uint32_t usage(void *arg, const char *text)
{
	(void)arg;
	if (!strcmp(text, "Are returns free?"))
		return 7;
	if (!strcmp(text, "How long does delivery take?"))
		return 7;
	return 1;
}

static void suggestions_should_follow_the_list_then_rank_by_usage(void **state)
{
	struct fx *f = *state;
	const struct intent_scene *home = intent_scene_find(f->set, "home");
	const char *out[8];

	assert_int_equal(intent_scene_suggestions(home, "en", NULL, NULL, out, 8), 3);
	assert_string_equal(out[0], "Where is my order?");
	assert_string_equal(out[2], "Are returns free?");
	/* Most used first; ties keep the file order. */
	assert_int_equal(intent_scene_suggestions(home, "en", usage, NULL, out, 8), 3);
	assert_string_equal(out[0], "How long does delivery take?");
	assert_string_equal(out[1], "Are returns free?");
	assert_string_equal(out[2], "Where is my order?");
	assert_int_equal(intent_scene_suggestions(home, "zh", NULL, NULL, out, 2), 2);
	assert_string_equal(out[0], "我的快递到哪了？");
	/* Inherited from the parent when the scene has none; one list for every language. */
	assert_int_equal(intent_scene_suggestions(intent_scene_find(f->set, "order.shipped"), "en", NULL, NULL, out, 8), 3);
	assert_int_equal(intent_scene_suggestions(intent_scene_find(f->set, "refund.vip"), "zh", NULL, NULL, out, 8), 2);
	assert_string_equal(out[0], "How long does a refund take?");
}

static void scene_should_expose_boost_and_exclude_lists(void **state)
{
	struct fx *f = *state;
	const char *const *ids;

	assert_int_equal(intent_scene_boosts(intent_scene_find(f->set, "order.shipped"), &ids), 2);
	assert_string_equal(ids[0], "order-tracking");
	assert_int_equal(intent_scene_excludes(intent_scene_find(f->set, "order.shipped.late"), &ids), 1);
	assert_string_equal(ids[0], "refund-time");
	assert_int_equal(intent_scene_boosts(intent_scene_find(f->set, "home"), &ids), 0);
	assert_string_equal(intent_scene_kb_name(intent_scene_find(f->set, "order.shipped")), "order");
}

static void notices_should_be_active_only_inside_their_window(void **state)
{
	struct fx *f = *state;
	const struct intent_scene *sc = intent_scene_find(f->set, "order.shipped.late");
	struct intent_notice n[4];
	const time_t nov20 = 1795132800;   /* 2026-11-20T00:00:00Z */

	assert_int_equal(intent_scene_notices(sc, "en", nov20 - 1, n, 4), 0);
	assert_int_equal(intent_scene_notices(sc, "en", nov20, n, 4), 1);
	assert_string_equal(n[0].id, "storm");
	assert_string_equal(n[0].text, "A storm is delaying deliveries.");
	/* The second starts at 2026-11-21T08:00+08:00 = 2026-11-21T00:00Z. */
	assert_int_equal(intent_scene_notices(sc, "zh", nov20 + 86400 - 1, n, 4), 1);
	assert_string_equal(n[0].text, "暴风雨导致配送延迟。");
	assert_int_equal(intent_scene_notices(sc, "zh", nov20 + 86400, n, 4), 2);
	assert_string_equal(n[1].id, "order.shipped#2");
	assert_string_equal(n[1].text, "Peak season: 1-2 extra days.");
	assert_int_equal(intent_scene_notices(sc, "en", nov20 + 2 * 86400, n, 4), 1);
	assert_int_equal(intent_scene_notices(sc, "en", 1796083200, n, 4), 0);   /* 2026-12-01: ended */
	assert_int_equal(intent_scene_notices(sc, "en", nov20 + 86400, n, 1), 1);
	assert_int_equal(intent_scene_notices(intent_scene_find(f->set, "home"), "en", nov20, n, 4), 0);
}

static void route_should_not_grant_priority_on_unsigned_context(void **state)
{
	struct fx *f = *state;
	struct intent_route r;

	fx_hello(f, "refund_form", "{\"customer\": {\"id\": \"c-1\", \"tier\": \"vip\"}}");
	/* The hint still picks the scene (ranking, greeting)... */
	assert_string_equal(intent_scene_id(intent_scene_match(f->set, f->ctx, 0)), "refund.vip");
	/* ...but routing ignores it. */
	intent_route(f->set, f->ctx, &r);
	assert_string_equal(r.scene, "refund");
	assert_string_equal(r.team, "returns");
	assert_int_equal(r.priority, INTENT_PRIO_NORMAL);
	assert_false(r.always_human);
}

static void route_should_grant_priority_on_signed_context(void **state)
{
	struct fx *f = *state;
	const char *data = "{\"customer\":{\"id\":\"c-1\",\"tier\":\"vip\"}}";
	char hex[SIGN_HEX_BYTES + 1], json[512];
	struct intent_route r;
	int n;

	assert_int_equal(sign_context("s3cret", data, 2000000000, hex), 0);
	n = snprintf(json, sizeof(json),
		     "{\"signed\": {\"data\": \"{\\\"customer\\\":{\\\"id\\\":\\\"c-1\\\",\\\"tier\\\":\\\"vip\\\"}}\", \"exp\": 2000000000, \"sig\": \"%s\"}}",
		     hex);
	assert_true(n > 0 && (size_t)n < sizeof(json));
	context_clear(f->ctx);
	assert_int_equal(context_load(f->ctx, json, strlen(json), "s3cret", 1900000000), 0);
	context_set(f->ctx, "page", "refund_form", false);
	intent_route(f->set, f->ctx, &r);
	assert_string_equal(r.scene, "refund.vip");
	assert_string_equal(r.team, "returns");
	assert_int_equal(r.priority, INTENT_PRIO_URGENT);
	assert_true(r.always_human);
	/* An unsigned claim can override a signed field? Never. */
	assert_int_equal(context_set(f->ctx, "customer.tier", "basic", false), -EPERM);
}

static void route_should_come_from_the_nearest_scene_that_sets_it(void **state)
{
	struct fx *f = *state;
	struct intent_route r;

	fx_hello(f, "order_detail", "{\"order\": {\"status\": \"shipped\", \"delayed_days\": 9}}");
	intent_route(f->set, f->ctx, &r);
	assert_string_equal(r.scene, "order.shipped.late");
	assert_string_equal(r.team, "orders");
	assert_int_equal(r.priority, INTENT_PRIO_HIGH);
	fx_hello(f, NULL, NULL);
	intent_route(f->set, f->ctx, &r);
	assert_string_equal(r.team, "general");
}

/* ---- context ---- */

static void context_should_flatten_objects_and_arrays(void **state)
{
	struct context *c = context_new();
	const char *j = "{\"order\": {\"id\": 1234, \"paid\": true, \"items\": [{\"sku\": \"A-1\"}, \"x\"], \"n\": null, "
			"\"price\": 12.5}, \"a.b\": \"skipped\", \"t\": \"tab\\there\"}";
	bool trusted = true;

	(void)state;
	assert_non_null(c);
	assert_int_equal(context_load(c, j, strlen(j), NULL, 0), 0);
	assert_string_equal(context_get(c, "order.id", &trusted), "1234");
	assert_false(trusted);
	assert_string_equal(context_get(c, "order.paid", NULL), "true");
	assert_string_equal(context_get(c, "order.items.0.sku", NULL), "A-1");
	assert_string_equal(context_get(c, "order.items.1", NULL), "x");
	assert_string_equal(context_get(c, "order.price", NULL), "12.5");
	assert_string_equal(context_get(c, "t", NULL), "tab here");
	assert_null(context_get(c, "order.n", NULL));
	assert_null(context_get(c, "a.b", NULL));
	assert_true(context_has(c, "order", false));
	assert_true(context_has(c, "order.items", false));
	assert_false(context_has(c, "ord", false));
	assert_false(context_has(c, "order", true));
	assert_int_equal(context_load(c, "[1]", 3, NULL, 0), -EINVAL);
	assert_int_equal(context_load(c, "{bad", 4, NULL, 0), -EINVAL);
	context_free(c);
}

static void context_should_trust_only_a_valid_signature(void **state)
{
	const char *data = "{\"customer\":{\"id\":\"c-9\",\"tier\":\"vip\"}}";
	char hex[SIGN_HEX_BYTES + 1], json[600];
	struct context *c = context_new();
	bool trusted;

	(void)state;
	assert_int_equal(sign_context("k", data, 1000, hex), 0);
#define CTX(d, exp, sig) snprintf(json, sizeof(json), \
	"{\"customer\": {\"tier\": \"gold\", \"name\": \"Alex\"}, \"signed\": {\"data\": \"%s\", \"exp\": %d, \"sig\": \"%s\"}}", d, exp, sig)
	CTX("{\\\"customer\\\":{\\\"id\\\":\\\"c-9\\\",\\\"tier\\\":\\\"vip\\\"}}", 1000, hex);
	/* Valid: signed fields are trusted and win over the unsigned tier. */
	assert_int_equal(context_load(c, json, strlen(json), "k", 999), 0);
	assert_string_equal(context_get(c, "customer.tier", &trusted), "vip");
	assert_true(trusted);
	assert_string_equal(context_get(c, "customer.name", &trusted), "Alex");
	assert_false(trusted);
	assert_null(context_get(c, "signed.sig", NULL));
	/* Expired: only the unsigned part is kept. */
	context_clear(c);
	assert_int_equal(context_load(c, json, strlen(json), "k", 1000), -ETIME);
	assert_string_equal(context_get(c, "customer.tier", &trusted), "gold");
	assert_false(trusted);
	assert_null(context_get(c, "customer.id", NULL));
	/* Wrong secret, tampered data, missing secret. */
	context_clear(c);
	assert_int_equal(context_load(c, json, strlen(json), "other", 999), -EKEYREJECTED);
	assert_false(context_has(c, "customer.id", false));
	context_clear(c);
	CTX("{\\\"customer\\\":{\\\"id\\\":\\\"c-9\\\",\\\"tier\\\":\\\"VIP\\\"}}", 1000, hex);
	assert_int_equal(context_load(c, json, strlen(json), "k", 999), -EKEYREJECTED);
	assert_string_equal(context_get(c, "customer.tier", NULL), "gold");
	context_clear(c);
	assert_int_equal(context_load(c, json, strlen(json), NULL, 999), -EKEYREJECTED);
	/* A malformed signed block. */
	context_clear(c);
	snprintf(json, sizeof(json), "{\"signed\": {\"data\": 5}}");
	assert_int_equal(context_load(c, json, strlen(json), "k", 999), -EINVAL);
#undef CTX
	context_free(c);
}

static void context_should_stay_bounded(void **state)
{
	struct context *c = context_new();
	char json[8192], *p = json;
	char big[CONTEXT_VALUE_BYTES * 2];

	(void)state;
	p += sprintf(p, "{");
	for (int i = 0; i < CONTEXT_MAX_FIELDS + 10; i++)
		p += sprintf(p, "%s\"k%d\": %d", i ? "," : "", i, i);
	sprintf(p, "}");
	assert_int_equal(context_load(c, json, strlen(json), NULL, 0), -E2BIG);
	assert_int_equal(context_count(c), CONTEXT_MAX_FIELDS);
	context_clear(c);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(context_set(c, "v", big, false), 0);
	assert_int_equal(strlen(context_get(c, "v", NULL)), CONTEXT_VALUE_BYTES - 1);
	assert_int_equal(context_set(c, "", "x", false), -EINVAL);
	context_free(c);
}

/* ---- the loader ---- */

static char tmpdir[64];

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* Load tmpdir; return the joined messages without the directory prefix. */
static const char *load_errors(struct fx *f, struct intent_set **out)
{
	static char all[8192];
	struct intent_diag d = { 0 };
	struct intent_set *s = intent_load(tmpdir, f->an, &d);
	size_t n = 0;

	all[0] = '\0';
	for (size_t i = 0; i < d.n; i++) {
		const char *m = d.msgs[i];

		if (!strncmp(m, tmpdir, strlen(tmpdir)))
			m += strlen(tmpdir) + 1;
		n += (size_t)snprintf(all + n, sizeof(all) - n, "%s\n", m);
	}
	intent_diag_clear(&d);
	if (out)
		*out = s;
	else
		intent_set_free(s);
	return all;
}

static const char *base_scenes = "{\"scenes\": [{\"id\": \"home\", \"default\": true, \"greeting\": \"Hi\"}]}\n";

static void loader_should_point_at_the_problem(void **state)
{
	struct fx *f = *state;
	struct intent_set *s;
	const char *e;

	write_file("a.json", base_scenes);
	write_file("b.json",
		   "{\"intents\": [\n"
		   "  {\"id\": \"x\", \"triggers\": [{\"any\": [\"the\"]}], \"response\": \"ok\"},\n"
		   "  {\"id\": \"y\", \"scenes\": [\"nope\"], \"triggers\": [{\"any\": [\"go\"]}], \"response\": \"a {b\"},\n"
		   "  {\"id\": \"z\", \"triggers\": [{\"any\": [\"go\"]}], \"response\": \"Order {order.id}\", \"answr\": 1},\n"
		   "  {\"id\": \"x\", \"triggers\": [{\"not\": [\"go\"]}], \"response\": \"ok\", \"action\": \"fly\"},\n"
		   "  {\"triggers\": [{\"any\": [\"go\"]}], \"response\": \"no id\"}\n"
		   "], \"followups\": [{\"after\": [\"x\"], \"map\": [{\"when\": {\"any\": [\"go\"]}, \"intent\": \"nobody\"}]}],\n"
		   "\"scenes\": [{\"when\": {\"page\": \"p\"}}]}\n");
	e = load_errors(f, &s);
	assert_null(s);
	assert_non_null(strstr(e, "b.json:2:37: intent \"x\": any word \"the\" has only stop words: it can never match"));
	assert_non_null(strstr(e, "b.json:3:81: intent \"y\": template: a '{' must be followed by a variable name and '}'"));
	assert_non_null(strstr(e, "b.json:4:58: intent \"z\": {order.id} may be missing: add a \"fallback\" text"));
	assert_non_null(strstr(e, "b.json:4:87: intent \"z\": unknown field \"answr\""));
	assert_non_null(strstr(e, "b.json:5:10: intent \"x\": duplicate intent id"));
	assert_non_null(strstr(e, "b.json:5:28: intent \"x\": a rule needs \"all\" or \"any\" words"));
	assert_non_null(strstr(e, "b.json:5:74: intent \"x\": \"action\" must be \"answer\", \"handoff\" or \"ticket\""));
	assert_non_null(strstr(e, "b.json:3:26: intent \"y\": unknown scene \"nope\""));
	assert_non_null(strstr(e, "b.json:6:3: missing \"id\""));
	assert_non_null(strstr(e, "b.json:7:79: unknown intent \"nobody\""));
	assert_non_null(strstr(e, "b.json:8:12: missing \"id\""));
}

static void loader_should_check_scenes_and_texts(void **state)
{
	struct fx *f = *state;
	struct intent_set *s;
	const char *e;

	write_file("a.json",
		   "{\"scenes\": [\n"
		   "  {\"id\": \"home\", \"greeting\": {\"en\": \"Hi {customer.name}\", \"fr\": \"Salut\"}},\n"
		   "  {\"id\": \"Bad Id\", \"when\": {\"page\": {\"like\": \"x\"}}},\n"
		   "  {\"id\": \"p\", \"notices\": [{\"start\": \"2026-13-01\", \"end\": \"2026-01-01\", \"text\": \"x\"}]}\n"
		   "]}\n");
	e = load_errors(f, &s);
	assert_null(s);
	assert_non_null(strstr(e, "a.json:2:65: scene \"home\": language \"fr\" is not one of the settings' languages"));
	assert_non_null(strstr(e, "scene \"Bad Id\": the id must be"));
	assert_non_null(strstr(e, "a.json:3:46: scene \"Bad Id\": a condition must be"));
	assert_non_null(strstr(e, "scene \"p\": a scene other than the default needs \"when\" conditions"));
	assert_non_null(strstr(e, "a.json:4:37: scene \"p\": \"2026-13-01\" is not an ISO 8601 time"));
	assert_non_null(strstr(e, "no scene says \"default\": true"));
	write_file("a.json", "{\"scenes\": [{\"id\": \"home\", \"default\": true, \"greeting\": \"Hi {customer.name}\"}]}");
	e = load_errors(f, &s);
	assert_null(s);
	assert_non_null(strstr(e, "the default scene's greeting is the last resort: it cannot need {customer.name}"));
	write_file("a.json", "{\"scenes\": [ {\"id\": \"home\", \"default\": true} ");
	e = load_errors(f, &s);
	assert_null(s);
	assert_non_null(strstr(e, "a.json:1:45: invalid JSON"));
}

static void loader_should_skip_files_of_another_kind(void **state)
{
	struct fx *f = *state;
	struct intent_set *s;
	const char *e;

	write_file("a.json", base_scenes);
	write_file("other.json", "{\"kind\": \"sentiment\", \"whatever\": {\"x\": 1}}");
	e = load_errors(f, &s);
	assert_string_equal(e, "");
	assert_non_null(s);
	assert_int_equal(intent_scene_count(s), 1);
	intent_set_free(s);
}

static bool only_refund_time(void *arg, const char *id)
{
	(void)arg;
	return !strcmp(id, "refund-time") || !strcmp(id, "order-tracking") || !strcmp(id, "refund-policy");
}

static void loader_should_report_unknown_kb_entries(void **state)
{
	struct fx *f = *state;
	struct intent_diag d = { 0 };

	size_t m = intent_check_entries(f->set, only_refund_time, NULL, &d);

	assert_int_equal(m, 2);
	assert_int_equal(d.errors, 2);
	assert_non_null(strstr(d.msgs[0], "scenes.json:15:35: scene \"order\": boost: \"order-cancel\" is not an entry of the KB"));
	assert_non_null(strstr(d.msgs[1], "followups.json:7:57: follow-up entry: \"return-cost\" is not an entry of the KB"));
	intent_diag_clear(&d);
}

static char old_cwd[4096];

/* Per loader test: a fresh temporary directory as the working directory. */
static int dir_enter(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/faqbot-intenttest-XXXXXX");
	if (!getcwd(old_cwd, sizeof(old_cwd)) || !mkdtemp(tmpdir))
		return -1;
	return chdir(tmpdir) ? -1 : 0;
}

static int dir_leave(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return chdir(old_cwd) | system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scene_should_fall_back_to_the_default_scene),
		cmocka_unit_test(scene_should_match_the_page),
		cmocka_unit_test(scene_should_prefer_the_most_specific_match),
		cmocka_unit_test(scene_should_inherit_the_parents_conditions),
		cmocka_unit_test(scene_should_keep_the_first_defined_on_a_tie),
		cmocka_unit_test(scene_predicates_should_support_in_exists_not_and_numbers),
		cmocka_unit_test(greeting_should_fill_context_and_drop_optional_parts),
		cmocka_unit_test(greeting_should_fall_back_to_the_parent_when_a_variable_is_missing),
		cmocka_unit_test(suggestions_should_follow_the_list_then_rank_by_usage),
		cmocka_unit_test(scene_should_expose_boost_and_exclude_lists),
		cmocka_unit_test(notices_should_be_active_only_inside_their_window),
		cmocka_unit_test(route_should_not_grant_priority_on_unsigned_context),
		cmocka_unit_test(route_should_grant_priority_on_signed_context),
		cmocka_unit_test(route_should_come_from_the_nearest_scene_that_sets_it),
		cmocka_unit_test(context_should_flatten_objects_and_arrays),
		cmocka_unit_test(context_should_trust_only_a_valid_signature),
		cmocka_unit_test(context_should_stay_bounded),
		cmocka_unit_test(loader_should_report_unknown_kb_entries),
		cmocka_unit_test_setup_teardown(loader_should_point_at_the_problem, dir_enter, dir_leave),
		cmocka_unit_test_setup_teardown(loader_should_check_scenes_and_texts, dir_enter, dir_leave),
		cmocka_unit_test_setup_teardown(loader_should_skip_files_of_another_kind, dir_enter, dir_leave),
	};

	return cmocka_run_group_tests_name("intent/scene", tests, fx_setup, fx_teardown);
}
