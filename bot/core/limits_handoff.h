/*
 * limits_handoff.h - the caps of the human hand-off: queue, agents, case
 * files, sentiment lists. Kept beside limits.h (which holds LIM_ID and the
 * message sizes) so the hand-off modules bound everything they accept from
 * the network, the database or a data file with constants from one place.
 */
#ifndef BOT_CORE_LIMITS_HANDOFF_H
#define BOT_CORE_LIMITS_HANDOFF_H

#include "core/limits.h"

/* Queue and agents. */
#define LIM_HANDOFF_OPEN      10000   /* open conversations (queued, assigned, ticket) held at once */
#define LIM_HANDOFF_NAME      128     /* bytes of a display name or customer name */
#define LIM_HANDOFF_TEAM      32      /* bytes of a team name */
#define LIM_HANDOFF_TEAMS     16      /* teams per agent */
#define LIM_HANDOFF_TEAM_LIST (LIM_HANDOFF_TEAMS * (LIM_HANDOFF_TEAM + 1))
#define LIM_HANDOFF_ROUTES    256     /* scene -> team routes */
#define LIM_HANDOFF_AGENTS    1000    /* agent accounts known at once */
#define LIM_HANDOFF_CAPACITY  20      /* most chats one agent may hold */
#define LIM_HANDOFF_SUMMARY   1024    /* bytes of a one-paragraph summary */
#define LIM_HANDOFF_DETAIL    256     /* bytes of a transition's detail (resolution code, note) */
#define LIM_HANDOFF_SAMPLES   64      /* claim times kept per team for the wait estimate */
#define LIM_HANDOFF_CASEFILE  (256u << 10)  /* bytes of an encoded case file */
#define LIM_HANDOFF_DRAFT     4096    /* bytes of a proposed KB question or answer */
#define LIM_HANDOFF_HISTORY   10      /* previous conversations shown in a case file */
#define LIM_HANDOFF_SUGGEST   3       /* KB suggestions shown to an agent */

/* Case file. */
#define LIM_CASE_MESSAGES     500     /* transcript messages (the oldest are dropped, counted) */
#define LIM_CASE_ANSWERS      50      /* bot answers with the customer's reaction */
#define LIM_CASE_PAIRS        32      /* context keys, slots */
#define LIM_CASE_VALUE        512     /* bytes of one context value or slot value */

/* Sentiment. */
#define LIM_SENTIMENT_ENTRIES 4096    /* words, phrases, negators, intensifiers in all languages */
#define LIM_SENTIMENT_UNITS   6       /* words (or Han characters) in one phrase */
#define LIM_SENTIMENT_WORD    64      /* bytes of one phrase */
#define LIM_SENTIMENT_HITS    16      /* hits reported per message */
#define LIM_SENTIMENT_FILE    (1u << 20)  /* bytes of the word-list file */

#endif
