/*
 * limits_serve.h - the chat server's caps and their defaults (faqbot serve).
 * Every value here can be overridden by the config file (docs/config.md);
 * the LIM_*_MAX values bound what the config may ask for. Kept beside
 * limits.h, whose LIM_WS_MSG and LIM_MSG_TEXT are the frame and text defaults.
 */
#ifndef BOT_CORE_LIMITS_SERVE_H
#define BOT_CORE_LIMITS_SERVE_H

#include "core/limits.h"

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

#endif
