/*
 * handoff_wire.h - the customer protocol's hand-off envelopes (server to
 * widget, docs/protocol.md): where the conversation stands with a person
 * (handoff_status), what the agent wrote (agent_msg) and whether the agent
 * is typing (typing), plus the envelopes that replay a conversation's stored
 * transcript after a restart. Encoding only; decoding of the customer's
 * `handoff` and `cancel_handoff` frames is in proto/wire.c.
 */
#ifndef BOT_PROTO_HANDOFF_WIRE_H
#define BOT_PROTO_HANDOFF_WIRE_H

#include "dialog/handoff.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Each returns a NUL-terminated envelope and its length in *len, owned by
 * the caller (free with handoff_wire_free), or NULL when out of memory.
 */

/*
 * handoff_status: state, position and wait (queued), ticket (ticket),
 * agent_name (assigned), and text, what to tell the customer in their
 * language (may be NULL).
 */
char *handoff_wire_status(const struct handoff_status *st, const char *text, size_t *len);

/* agent_msg: id ("s-N"), the text, the agent's display name, at (ms since the epoch). */
char *handoff_wire_agent_msg(uint32_t id, const char *text, size_t text_len, const char *agent_name, int64_t at,
			     size_t *len);

/* typing from the agent. */
char *handoff_wire_typing(bool on, size_t *len);

/*
 * One stored transcript message as the envelope the widget shows: the
 * customer's `message`, the bot's words as an `answer` without an entry,
 * an agent's `agent_msg` (author: the display name), a system `notice`.
 */
char *handoff_wire_replay(const struct handoff_msg *m, const char *author_name, size_t *len);

void handoff_wire_free(char *env);

#endif
