/*
 * escalate.h - turning a conversation into a hand-off: who the customer is
 * (from the host site's signed context), the route of their scene (team,
 * priority, "always a person"), the trigger signals of a turn, and the case
 * file the agent receives. Glue over the session, context, intents,
 * sentiment, hand-off desk and case file; no I/O of its own beyond the
 * desk's store.
 */
#ifndef BOT_DIALOG_ESCALATE_H
#define BOT_DIALOG_ESCALATE_H

#include "dialog/casefile.h"
#include "dialog/handoff.h"
#include "dialog/sentiment.h"
#include "dialog/session.h"
#include "intent/intent.h"
#include "kb/kb.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define ESCALATE_ANSWERS LIM_REPLIES_KEPT   /* answers remembered per conversation for the case file */

/* The customer, as far as the context says. Only signed fields make it verified. */
struct escalate_customer {
	char id[LIM_ID + 1];                    /* "customer.id", "" when none */
	char name[LIM_HANDOFF_NAME + 1];        /* "customer.name", "" when none */
	char tier[LIM_ID + 1];                  /* "customer.tier", "" when none */
	bool verified;                          /* id (or tier) came from the signed block */
	bool vip;                               /* tier is "vip" (signed or not: see handoff_priority) */
};

/*
 * Read the customer from s's context (s->context, the hello's JSON, with its
 * signed block checked with secret at now; secret NULL or "": nothing is
 * verified).
 */
void escalate_customer(const struct sess *s, const char *secret, time_t now, struct escalate_customer *out);

/*
 * The hand-off route of s's scene: intent_route over s's page and trusted
 * context. set NULL (no intents): team "support", normal priority.
 */
void escalate_route(const struct intent_set *set, const struct sess *s, const char *secret, time_t now,
		    struct intent_route *out);

/* base (the desk's default policy) with the route's team, priority (high +2, urgent +5) and always-a-person. */
void escalate_policy(const struct handoff_policy *base, const struct intent_route *route, struct handoff_policy *out);

/* An answer the bot showed, and the customer's 👍/👎 on it. */
struct escalate_answer {
	char entry[LIM_ID + 1];
	int64_t at;
	enum casefile_reaction reaction;       /* CASEFILE_IGNORED until the customer reacts */
};

/* What the net layer knows at this turn. */
struct escalate_turn {
	const struct sess *s;
	const char *conv;                       /* handoff_conv_id(s->token) */
	const struct escalate_customer *cust;
	const struct sentiment_result *sentiment;   /* of the customer's message this turn, or NULL */
	bool asked;                             /* the button, or the customer's words (the engine's request) */
	bool always_person;                     /* the engine handed off by policy (an "always a person" intent) */
	unsigned dislikes;                      /* 👎 since the last hand-off */
	const struct escalate_answer *answers;  /* oldest first */
	size_t n_answers;
	const char *intent;                     /* the intent of the customer's topic, or NULL */
};

/* The signals for handoff_should_trigger. */
void escalate_signals(const struct escalate_turn *t, struct handoff_signals *out);

/*
 * Build the case file of t->conv for reason: the customer, the scene and its
 * context, the sentiment, the whole transcript from the desk (h), the
 * answers with their reactions (their questions from kb, may be NULL), the
 * intent and slots, earlier hand-offs of the same customer, and the summary
 * in lang. Returns it (free with casefile_free) or NULL when out of memory.
 */
struct casefile *escalate_casefile(struct handoff *h, const struct kb_snapshot *kb, const struct escalate_turn *t,
				   enum handoff_reason reason, const char *secret, const char *lang, int64_t now);

/*
 * What to tell the customer about st, in lang ("zh", "zh-*": Chinese;
 * otherwise English), into out[0..size): the place in the queue and an
 * honest wait ("about 3 minutes", or "more than 10 minutes" when unsure),
 * the agent's name, the ticket reference to quote (why: the ticket's reason,
 * "message", "closed", "no_agent", or NULL), or that the bot is back.
 */
void escalate_status_text(const struct handoff_status *st, const char *why, const char *lang, char *out, size_t size);

#endif
