/*
 * config.h - the server's configuration: one struct, filled from defaults
 * (core/limits.h), then a JSON config file, then command-line flags.
 * Table-driven: every key has a type, a default, bounds and a line of
 * documentation (docs/config.md lists them). Plain data once loaded.
 */
#ifndef BOT_CONFIG_H
#define BOT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define FAQBOT_VERSION "0.1.0"

struct config {
	/* Listening. */
	char *bind;
	int port;
	char *tls_cert, *tls_key;
	/* Content and state. */
	char *kb, *intents, *web, *data;
	char *ws_path;
	char *db;                       /* the hand-off database; NULL: <data>/faqbot.db */
	/* Who may connect. */
	char **origins;
	size_t n_origins;
	bool origins_localhost;
	bool trust_proxy;
	/* Limits. */
	unsigned ws_frame_bytes, msg_text_bytes;
	double rate_per_sec;
	unsigned rate_burst, rate_strikes;
	unsigned conns_per_ip, conns_total;
	unsigned out_queue_frames, out_queue_bytes;
	unsigned ping_secs, idle_timeout_secs;
	unsigned sessions_max, session_ttl_secs, transcript_envelopes, transcript_bytes, tabs_per_session;
	/* Behaviour. */
	unsigned kb_poll_ms;
	unsigned suggestions, fallbacks_before_human;
	unsigned shutdown_ms;
	char *log_level;
	char *context_secret;     /* verifies signed context; "" or unset: nothing is trusted */
	/* Hand-off. */
	char *handoff_teams;            /* compact JSON object: team -> {utc_offset, hours}, or NULL */
	unsigned agent_grace_secs, ticket_after_secs;
};

struct handoff_hours;

/* Fill c with the defaults. Release with config_free(). Returns 0 or -ENOMEM. */
int config_init(struct config *c);

/* Free the strings c owns and zero it. NULL is a no-op. */
void config_free(struct config *c);

/*
 * Apply a JSON config file: an object whose keys are config keys. Unknown
 * keys, wrong types and out-of-range values are errors. Returns 0, or a
 * negative errno with a sentence in err ("FILE: ...").
 */
int config_load_file(struct config *c, const char *path, char *err, size_t errlen);

/*
 * Set one key from a string (command line): numbers and booleans are
 * parsed, "origins" takes a comma-separated list. Returns 0 or -EINVAL /
 * -ENOENT (unknown key) / -ENOMEM with a sentence in err.
 */
int config_set(struct config *c, const char *key, const char *value, char *err, size_t errlen);

/* Cross-field checks (TLS needs both files, ...). Returns 0 or -EINVAL with err. */
int config_check(const struct config *c, char *err, size_t errlen);

/*
 * Walk the teams of "handoff_teams" with their business hours:
 * {"support": {"utc_offset": "+08:00", "hours": {"mon-fri": "09:00-18:00"}},
 *  "billing": {"hours": "always"}}. Calls fn for each (a non-zero return
 * stops the walk and is returned). Returns 0, or -EINVAL with a sentence in
 * err naming the key at fault.
 */
int config_teams(const struct config *c, int (*fn)(void *arg, const char *team, const struct handoff_hours *hours),
		 void *arg, char *err, size_t errlen);

/* The hand-off database path: "db", else <data>/faqbot.db, into out. Returns 0 or -ENAMETOOLONG. */
int config_db_path(const struct config *c, char *out, size_t size);

/* Print the effective configuration as a JSON object (for --print-config). */
void config_print(const struct config *c, FILE *out);

#endif
