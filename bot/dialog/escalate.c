/*
 * escalate.c - from a conversation to a hand-off: customer, route, signals
 * and the case file (escalate.h).
 */
#include "dialog/escalate.h"

#include "intent/context.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* s's context with its page and language, signed fields checked. NULL when out of memory. */
static struct context *context_of(const struct sess *s, const char *secret, time_t now)
{
	struct context *c = context_new();

	if (!c)
		return NULL;
	if (s->context)
		context_load(c, s->context, strlen(s->context), secret && *secret ? secret : NULL, now);
	if (s->page[0])
		context_set(c, "page", s->page, false);
	if (s->lang[0])
		context_set(c, "lang", s->lang, false);
	return c;
}

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

void escalate_customer(const struct sess *s, const char *secret, time_t now, struct escalate_customer *out)
{
	struct context *c = context_of(s, secret, now);
	bool id_signed = false, tier_signed = false;
	const char *v;

	memset(out, 0, sizeof(*out));
	if (!c)
		return;
	if ((v = context_get(c, "customer.id", &id_signed)))
		copy(out->id, sizeof(out->id), v);
	if ((v = context_get(c, "customer.name", NULL)))
		copy(out->name, sizeof(out->name), v);
	if ((v = context_get(c, "customer.tier", &tier_signed)))
		copy(out->tier, sizeof(out->tier), v);
	/* every identity field present must be signed: an unsigned tier beside a signed id is not a verified VIP */
	out->verified = (out->id[0] || out->tier[0]) && (!out->id[0] || id_signed) && (!out->tier[0] || tier_signed);
	out->vip = !strcmp(out->tier, "vip");
	context_free(c);
}

void escalate_route(const struct intent_set *set, const struct sess *s, const char *secret, time_t now,
		    struct intent_route *out)
{
	struct context *c;

	memset(out, 0, sizeof(*out));
	out->team = "support";
	out->priority = INTENT_PRIO_NORMAL;
	if (!set || !(c = context_of(s, secret, now)))
		return;
	intent_route(set, c, out);
	if (!out->team || !*out->team)
		out->team = "support";
	context_free(c);
}

void escalate_policy(const struct handoff_policy *base, const struct intent_route *route, struct handoff_policy *out)
{
	*out = *base;
	if (route->team && *route->team && strlen(route->team) <= HANDOFF_CODE_LEN)
		copy(out->team, sizeof(out->team), route->team);
	out->priority = base->priority + (route->priority == INTENT_PRIO_URGENT ? 5 : route->priority == INTENT_PRIO_HIGH ? 2 : 0);
	out->always_person = base->always_person || route->always_human;
}

void escalate_signals(const struct escalate_turn *t, struct handoff_signals *out)
{
	memset(out, 0, sizeof(*out));
	out->asked = t->asked;
	out->fallbacks = t->s->fallbacks;
	out->dislikes = t->dislikes;
	out->sentiment = t->sentiment ? sentiment_total(t->sentiment) : 0.0f;
	out->intent_always_person = t->always_person;
	out->vip = t->cust && t->cust->vip;
	out->verified = t->cust && t->cust->verified;
}

static int add_msg(void *arg, const struct handoff_msg *m)
{
	return casefile_add_message(arg, m->from, m->author, m->text, m->at) == -ENOMEM ? -ENOMEM : 0;
}

/* "order-status" -> "order status" */
static void humane(const char *id, char *out, size_t size)
{
	size_t i;

	for (i = 0; id[i] && i + 1 < size; i++)
		out[i] = id[i] == '-' || id[i] == '_' ? ' ' : id[i];
	out[i] = '\0';
}

struct casefile *escalate_casefile(struct handoff *h, const struct kb_snapshot *kb, const struct escalate_turn *t,
				   enum handoff_reason reason, const char *secret, const char *lang, int64_t now)
{
	const struct sess *s = t->s;
	struct handoff_conv prev[LIM_HANDOFF_HISTORY];
	struct casefile *cf = casefile_new(t->conv, now);
	struct context *c;
	int n;

	if (!cf)
		return NULL;
	casefile_set_customer(cf, t->cust && t->cust->id[0] ? t->cust->id : NULL, t->cust ? t->cust->name : NULL,
			      t->cust && t->cust->tier[0] ? t->cust->tier : NULL, s->lang, t->cust && t->cust->verified);
	casefile_set_scene(cf, s->scene[0] ? s->scene : s->page[0] ? s->page : NULL, NULL);
	c = context_of(s, secret, (time_t)(now / 1000));
	for (size_t i = 0; c && i < context_count(c); i++) {
		const char *path, *value;

		if (!context_field(c, i, &path, &value, NULL) && strcmp(path, "lang") && strcmp(path, "page") &&
		    strncmp(path, "signed.", 7))
			casefile_add_context(cf, path, value);
	}
	context_free(c);
	casefile_set_reason(cf, reason);
	if (t->sentiment)
		casefile_set_sentiment(cf, t->sentiment);
	handoff_transcript(h, t->conv, add_msg, cf);
	for (size_t i = 0; i < t->n_answers; i++) {
		const struct escalate_answer *a = &t->answers[i];
		const struct kb_entry *e = kb ? kb_find(kb, a->entry, NULL) : NULL;

		if (casefile_add_answer(cf, a->entry, e && e->questions && e->questions[0] ? e->questions[0] : "", a->at))
			continue;
		if (a->reaction == CASEFILE_UP || a->reaction == CASEFILE_DOWN)
			casefile_react(cf, a->entry, a->reaction);
	}
	if (t->intent && *t->intent) {
		char label[LIM_HANDOFF_NAME + 1];

		humane(t->intent, label, sizeof(label));
		casefile_set_intent(cf, t->intent, label, 1.0f);
	}
	for (size_t i = 0; i < s->n_slots; i++)
		if (s->slots[i].value[0])
			casefile_add_slot(cf, s->slots[i].name, s->slots[i].value);
	n = handoff_history(h, t->cust && t->cust->verified && t->cust->id[0] ? t->cust->id : t->conv, t->conv, prev,
			    LIM_HANDOFF_HISTORY);
	for (int i = 0; i < n; i++)
		casefile_add_previous(cf, &prev[i]);
	casefile_summarize(cf, lang && *lang ? lang : "en");
	return cf;
}

void escalate_status_text(const struct handoff_status *st, const char *why, const char *lang, char *out, size_t size)
{
	bool chose = why && !strcmp(why, "message"), closed = why && !strcmp(why, "closed");

	bool zh = lang && !strncmp(lang, "zh", 2) && (!lang[2] || lang[2] == '-' || lang[2] == '_');
	const char *name = st->agent_name[0] ? st->agent_name : st->agent;

	switch (st->state) {
	case HANDOFF_QUEUED:
		if (zh && st->wait.confident)
			snprintf(out, size, "正在为您转接人工客服，您排在第 %zu 位，预计等待约 %u 分钟。", st->position, st->wait.minutes);
		else if (zh)
			snprintf(out, size, "正在为您转接人工客服，您排在第 %zu 位，等待可能超过 %u 分钟；您也可以改为留言。", st->position,
				 st->wait.minutes);
		else if (st->wait.confident)
			snprintf(out, size, "You're number %zu in the queue for a person. The wait is about %u minute%s.", st->position,
				 st->wait.minutes, st->wait.minutes == 1 ? "" : "s");
		else
			snprintf(out, size, "You're number %zu in the queue for a person. The wait may be more than %u minutes; "
					    "you can leave a message instead.",
				 st->position, st->wait.minutes);
		break;
	case HANDOFF_ASSIGNED:
		snprintf(out, size, zh ? "人工客服 %s 已加入对话。" : "%s has joined the chat.", name[0] ? name : zh ? "" : "An agent");
		break;
	case HANDOFF_TICKET:
		if (zh)
			snprintf(out, size, "%s已为您创建工单 %s，您的消息都已记录。再次联系我们时请提供这个编号。",
				 chose ? "" : closed ? "现在是非工作时间，" : "现在没有客服可以即时接待，", st->ticket);
		else
			snprintf(out, size, "%s saved your conversation as ticket %s with everything you wrote. Quote this reference "
					    "when you contact us.",
				 chose ? "We've" : closed ? "Our team is closed right now, so we've" :
					    "No one can take your chat live right now, so we've", st->ticket);
		break;
	case HANDOFF_RESOLVED:
		snprintf(out, size, zh ? "人工客服已结束对话。还有其他问题可以继续问我。"
				       : "The agent has closed the chat. If there's anything else, ask me here.");
		break;
	default:
		snprintf(out, size, zh ? "您已回到智能助手。需要人工时随时点「转人工」。"
				       : "You're back with the virtual assistant. Tap Talk to a person at any time.");
		break;
	}
}
