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

#endif
