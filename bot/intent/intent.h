/*
 * intent.h - scenes and rule-based intents, loaded from an intents directory
 * (docs/intents-format.md), and the pure dialogue helpers around them:
 * follow-ups, "was this solved?", survey values.
 *
 * An intent set is immutable after intent_load() and holds no pointer to the
 * analyzer it was compiled with; its terms depend on that analyzer (stems,
 * synonyms, dictionary), so rebuild the set whenever the KB is reloaded.
 * Code that must survive a reload keeps scene and intent ids, never pointers.
 * Not thread-safe; no function here does I/O except intent_load().
 */
#ifndef BOT_INTENT_INTENT_H
#define BOT_INTENT_INTENT_H

#include "core/limits.h"
#include "intent/context.h"
#include "intent/tmpl.h"
#include "text/tokenize.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define INTENT_MAX_SLOTS    8       /* slots per intent */
#define INTENT_VALUE_BYTES  128     /* one slot value */
#define INTENT_TEXT_BYTES   (LIM_ANSWER_BYTES + 1)   /* a rendered response */
#define INTENT_MAX_FILES    256
#define INTENT_FILE_BYTES   (1u << 20)

struct intent_set;
struct intent_scene;

/* Diagnostics of a load: "file:line:col: message" lines, as for the KB. */
struct intent_diag {
	char *msgs[LIM_ERRORS];
	size_t n;            /* messages kept */
	size_t errors;       /* errors seen (may exceed n) */
	size_t warnings;
};

/* Free the messages (the struct itself is the caller's). */
void intent_diag_clear(struct intent_diag *d);

/*
 * Load and validate every *.json file under dir (sorted, recursive), compiling
 * trigger words with an (borrowed for the call only; pass kb_analyzer(kb)).
 * Returns the set (free with intent_set_free) with only warnings in d, or
 * NULL with every error in d. The caller must intent_diag_clear(d) in both
 * cases.
 */
struct intent_set *intent_load(const char *dir, struct tok_analyzer *an, struct intent_diag *d);

/* Free. NULL is a no-op. */
void intent_set_free(struct intent_set *s);

/*
 * Check the set's references to KB entries (intent "entry", scene "boost" and
 * "exclude", follow-up targets and "after" ids that are not intents) with
 * has_entry (e.g. a wrapper of kb_find). Problems are added to d as errors
 * with their positions. Returns the number of missing entries.
 */
size_t intent_check_entries(const struct intent_set *s, bool (*has_entry)(void *arg, const char *id), void *arg,
			    struct intent_diag *d);

size_t intent_count(const struct intent_set *s);
size_t intent_scene_count(const struct intent_set *s);

/* ---- scenes ---- */

#define INTENT_TRUSTED_ONLY 1u   /* intent_scene_match: privileged fields count only when signed */

/*
 * The scene for ctx: among the scenes whose predicates all hold (their own
 * and their parents'), the one with the most predicates; ties go to the one
 * defined first; the default scene when none holds. Predicates read ctx's
 * fields, including the reserved "page" (hello's scene) and "lang". With
 * INTENT_TRUSTED_ONLY, unsigned fields under the set's privileged prefixes
 * ("customer" by default) are treated as absent. Never NULL. Borrowed: valid
 * until intent_set_free.
 */
const struct intent_scene *intent_scene_match(const struct intent_set *s, const struct context *ctx, unsigned flags);

/* The scene with this id, or NULL. Borrowed. */
const struct intent_scene *intent_scene_find(const struct intent_set *s, const char *id);

/* The scene's id ("order_detail.shipped") and the scene name for kb_query.scene ("order_detail"). Borrowed. */
const char *intent_scene_id(const struct intent_scene *sc);
const char *intent_scene_kb_name(const struct intent_scene *sc);

/*
 * The greeting in lang (falling back to the set's first language), rendered
 * with ctx into out[0..cap). A scene without a greeting, or whose greeting
 * needs a variable ctx lacks, uses its parent's, up to the default scene's
 * (which always renders). Returns the length, -ENOENT when no scene on the
 * way has a greeting, -E2BIG when it does not fit.
 */
int intent_scene_greeting(const struct intent_set *s, const struct intent_scene *sc, const struct context *ctx,
			  const char *lang, char *out, size_t cap);

/*
 * "You may want to ask": the scene's suggestions in lang, in file order, or
 * ranked by usage (most used first, ties in file order) when usage is not
 * NULL: usage(arg, text) returns how often customers in this scene asked or
 * tapped text. Writes up to max borrowed strings to out; returns how many.
 */
size_t intent_scene_suggestions(const struct intent_scene *sc, const char *lang,
				uint32_t (*usage)(void *arg, const char *text), void *arg,
				const char **out, size_t max);

/*
 * KB entry ids to rank up (boost) or never answer (exclude) in this scene.
 * *ids receives a borrowed array; returns its length.
 */
size_t intent_scene_boosts(const struct intent_scene *sc, const char *const **ids);
size_t intent_scene_excludes(const struct intent_scene *sc, const char *const **ids);

struct intent_notice {
	const char *id;          /* stable id, to show a notice once per conversation */
	const char *text;        /* in the language asked for */
	time_t start, end;       /* active while start <= now < end */
};

/* The scene's notices active at now, in lang. Returns how many were written (up to max). */
size_t intent_scene_notices(const struct intent_scene *sc, const char *lang, time_t now,
			    struct intent_notice *out, size_t max);

enum intent_priority { INTENT_PRIO_NORMAL = 0, INTENT_PRIO_HIGH, INTENT_PRIO_URGENT };

struct intent_route {
	const char *scene;       /* the scene the route comes from (borrowed) */
	const char *team;        /* agent team (borrowed), never NULL */
	enum intent_priority priority;
	bool always_human;       /* policy: hand off instead of answering */
};

/*
 * Hand-off routing for ctx: the team, priority and "always a person" policy
 * of intent_scene_match(s, ctx, INTENT_TRUSTED_ONLY), so unsigned context
 * never grants priority.
 */
void intent_route(const struct intent_set *s, const struct context *ctx, struct intent_route *out);

/* ---- intents ---- */

enum intent_action {
	INTENT_NONE = 0,     /* no intent: go on to the FAQ */
	INTENT_ANSWER,       /* reply with text, or with KB entry `entry` when set */
	INTENT_ASK,          /* ask for slot `ask`, text is the prompt; keep id and slots for intent_run */
	INTENT_HANDOFF,      /* hand off to route.team; text is what to tell the customer */
	INTENT_TICKET        /* open a ticket for route.team; text is what to tell the customer */
};

enum intent_slot_source { INTENT_SLOT_CONTEXT = 1, INTENT_SLOT_EARLIER, INTENT_SLOT_TEXT };

struct intent_slot {
	char name[TMPL_NAME_BYTES];
	char value[INTENT_VALUE_BYTES];
	uint8_t source;          /* enum intent_slot_source */
};

struct intent_input {
	const struct tok_list *toks;     /* text analysed with the same analyzer as the set */
	const char *text;                /* the customer's text (for slot values) */
	size_t len;
	const struct context *ctx;       /* may be NULL */
	const char *lang;                /* the conversation's language ("en", "zh"); NULL = set default */
	time_t now;
	const struct intent_slot *known; /* slots filled in earlier turns (from a previous INTENT_ASK) */
	size_t n_known;
};

/*
 * What an intent says. Pointers marked borrowed point into the set (valid
 * until intent_set_free): encode the reply before swapping sets.
 */
struct intent_result {
	enum intent_action action;
	const char *id;                  /* intent id (borrowed), NULL for INTENT_NONE */
	const char *entry;               /* KB entry to answer with (borrowed), or NULL */
	const char *ask;                 /* INTENT_ASK: the slot asked for (borrowed) */
	char lang[8];                    /* language of text */
	char text[INTENT_TEXT_BYTES];    /* rendered response or prompt; may be "" when entry is set */
	bool used_fallback;              /* a variable was missing: the safe fallback text was used */
	const char *const *quick;        /* quick replies in lang (borrowed) */
	size_t n_quick;
	struct intent_slot slots[INTENT_MAX_SLOTS];   /* filled slots (copies) */
	size_t n_slots;
	struct intent_route route;       /* HANDOFF/TICKET (and always_human): where to */
	unsigned coverage;               /* words of the text matched by the trigger */
	int priority;                    /* the intent's ranking priority */
};

/*
 * Try the intents that apply to sc (their "scenes" list names sc's id, one
 * of its parents, or "*") on in. The best trigger match wins: higher
 * "priority", then more words matched, then the more specific scene, then
 * file order. Slots are filled from ctx, then in->known, then the text;
 * a missing required slot gives INTENT_ASK with its prompt. Returns 0 with
 * out->action INTENT_NONE when nothing matched; -EINVAL for bad arguments.
 */
int intent_match(const struct intent_set *s, const struct intent_scene *sc, const struct intent_input *in,
		 struct intent_result *out);

/*
 * Run intent id without its triggers: to continue after INTENT_ASK (pass
 * the earlier result's slots as in->known; a "text" slot asked for takes the
 * whole text), or for a follow-up whose target is an intent. Returns 0,
 * -ENOENT for an unknown id.
 */
int intent_run(const struct intent_set *s, const char *id, const struct intent_scene *sc,
	       const struct intent_input *in, struct intent_result *out);

/*
 * The reply language for toks: "zh" when the text is mostly Chinese and the
 * set has Chinese, otherwise hint when the set has it (and it is not
 * contradicted by the script), otherwise the set's first language. Borrowed.
 */
const char *intent_reply_lang(const struct intent_set *s, const struct tok_list *toks, const char *hint);

/* ---- follow-ups ---- */

struct intent_target {
	const char *entry;       /* a KB entry id, or NULL */
	const char *intent;      /* an intent id (run it with intent_run), or NULL */
};

/*
 * Resolve a follow-up: prev_id is the previous answer's KB entry or intent
 * id, answered at prev_at; turns counts the customer's messages since (1 for
 * the next one). Returns 0 with out set when a pattern of prev_id's
 * follow-ups matches toks within its window; -ETIME when one would match but
 * the window (turns or minutes) has passed; -ENOENT otherwise.
 */
int intent_followup(const struct intent_set *s, const char *prev_id, unsigned turns, time_t prev_at, time_t now,
		    const struct tok_list *toks, struct intent_target *out);

/* ---- ending well ---- */

enum intent_solved { INTENT_SOLVED_UNKNOWN = 0, INTENT_SOLVED_YES, INTENT_SOLVED_NO };

/* Whether a reply to "Did that solve it?" says yes or no (the set's "solved" rules; "no" wins). */
enum intent_solved intent_solved_reply(const struct intent_set *s, const struct tok_list *toks);

enum intent_survey { INTENT_CSAT = 0, INTENT_CES, INTENT_NPS };

/* 0 when value is on the survey's scale (CSAT 1-5, CES 1-7, NPS 0-10), else -ERANGE. */
int intent_survey_check(enum intent_survey kind, int value);

/*
 * How a valid value counts in the published metrics: +1 satisfied / easy /
 * promoter (CSAT 4-5, CES 5-7, NPS 9-10), -1 difficult / detractor (CES 1-3,
 * NPS 0-6; CSAT 1-3 counts 0, as CSAT is a share of 4-5), 0 otherwise.
 */
int intent_survey_class(enum intent_survey kind, int value);

#endif
