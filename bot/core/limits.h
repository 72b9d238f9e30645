/*
 * limits.h - every size and count cap in faqbot, in one place.
 * Input from the network or from files is bounded by these; code never
 * invents its own caps.
 */
#ifndef BOT_CORE_LIMITS_H
#define BOT_CORE_LIMITS_H

/* Text pipeline. */
#define LIM_UTTERANCE      4096    /* bytes of customer text matched */
#define LIM_TOKENS         256     /* tokens kept per utterance */
#define LIM_TOKEN_BYTES    64      /* longer "words" are truncated */
#define LIM_SYN_WORDS      4       /* words in one synonym phrase */

/* Knowledge base. */
#define LIM_KB_FILE        (8u << 20)   /* bytes per KB file */
#define LIM_KB_FILES       4096
#define LIM_KB_ENTRIES     200000
#define LIM_ID             64
#define LIM_QUESTIONS      1000    /* variants per entry */
#define LIM_QUESTION_BYTES 500
#define LIM_ANSWER_BYTES   4000
#define LIM_QUICK_REPLIES  6
#define LIM_LINKS          6
#define LIM_SCENES         32
#define LIM_TAGS           32
#define LIM_LANGS          8
#define LIM_SYN_SETS       10000
#define LIM_SYN_MEMBERS    32
#define LIM_ERRORS         200     /* diagnostics kept per load */

/* Decision. */
#define LIM_CANDIDATES     3

/* Customer protocol. */
#define LIM_WS_MSG         16384   /* bytes of one reassembled frame */
#define LIM_MSG_TEXT       4096    /* bytes of message text */
#define LIM_HTTP_BODY      65536

/* ---- the chat server (faqbot serve): defaults the config may override; the *_MAX values bound what it may ask for ---- */

/* WebSocket input. */
#define LIM_WS_MSG_MAX          (1u << 20)   /* largest frame the config may allow */
#define LIM_WIRE_ID             64           /* bytes of a client message id or reply_to */
#define LIM_WIRE_TOKEN          64           /* bytes of a token as sent (ours are 32 hex) */
#define LIM_WIRE_LANG           35           /* bytes of a BCP 47 tag */
#define LIM_SCENE_BYTES         64           /* bytes of a scene name */
#define LIM_CONTEXT_BYTES       4096         /* bytes of the hello's context, as compact JSON */

/* Rate limiting: a token bucket per connection. */
#define LIM_RATE_PER_SEC        5            /* frames per second, sustained */
#define LIM_RATE_BURST          10           /* frames at once */
#define LIM_RATE_STRIKES        10           /* refused frames in a row before close 1008 */

/* Connections. */
#define LIM_CONNS_PER_IP        50
#define LIM_CONNS_TOTAL         20000

/* Output queue per connection: beyond either bound the client is closed. */
#define LIM_OUT_FRAMES          64
#define LIM_OUT_BYTES           (256u << 10)
#define LIM_TX_CHUNK            4096         /* bytes per lws_write */

/* Keepalive (seconds). */
#define LIM_PING_SECS           20
#define LIM_HANGUP_SECS         30

/* Sessions. */
#define LIM_SESSIONS            10000        /* sessions kept at once */
#define LIM_SESSION_TTL_SECS    1800         /* kept this long after the last tab left */
#define LIM_TRANSCRIPT          50           /* envelopes replayed on resume */
#define LIM_TRANSCRIPT_BYTES    (96u << 10)  /* bytes of transcript kept per session */
#define LIM_TABS                8            /* connections sharing one session */
#define LIM_REPLIES_KEPT        16           /* recent answers remembered for feedback */

/* Replies. */
#define LIM_SUGGESTIONS         8            /* welcome and fallback suggestions, at most */
#define LIM_UI_TEXT             1024         /* bytes of a composed UI text (greeting, fallback) */

/* Files and timers. */
#define LIM_KB_POLL_MS          2000         /* KB directory poll period */
#define LIM_KB_DEPTH            8            /* directory levels scanned by the poll */
#define LIM_SHUTDOWN_MS         3000         /* wait for close handshakes on shutdown */
#define LIM_ORIGINS             64           /* origin allowlist entries */

/* ---- the human hand-off: queue, agents, case files, sentiment lists ---- */

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
