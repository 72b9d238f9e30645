/*
 * agent_cli.c - faqbot agent add|disable|enable|passwd|list: agent accounts
 * in the hand-off database of a data directory. Passwords are read twice
 * from the terminal with echo off, or as one line from stdin when it is not
 * a terminal (scripts); they are never printed, and `list` never shows a
 * hash. Wiring only: the rules live in dialog/handoff.c.
 */
#include "agent_cli.h"

#include "config.h"
#include "core/clock.h"
#include "dialog/handoff.h"
#include "store/handoff_db.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define PASSWORD_MIN 8

static void usage(FILE *f)
{
	fprintf(f, "usage: faqbot agent add USER --team T[,T2] --name \"Display name\" [--capacity N]\n"
		   "       faqbot agent disable USER | enable USER | passwd USER | list\n"
		   "  common options: [--data DIR] [--db FILE] [--config FILE]\n"
		   "  Accounts live in the hand-off database, DIR/faqbot.db (default data directory: var).\n"
		   "  add and passwd ask for the password twice, or read one line from stdin when it is not a terminal.\n"
		   "  --team \"*\" sees every team's chats. --capacity: chats held at once (1-20, default 3).\n");
}

struct opts {
	const char *cmd, *user, *team, *name, *data, *db, *config;
	unsigned capacity;
};

static int parse(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->capacity = 3;
	if (argc < 2)
		return -1;
	o->cmd = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char **dst = NULL;

		if (!strcmp(a, "--team"))
			dst = &o->team;
		else if (!strcmp(a, "--name"))
			dst = &o->name;
		else if (!strcmp(a, "--data"))
			dst = &o->data;
		else if (!strcmp(a, "--db"))
			dst = &o->db;
		else if (!strcmp(a, "--config"))
			dst = &o->config;
		else if (!strcmp(a, "--capacity")) {
			char *end;
			long v;

			if (i + 1 >= argc)
				return -1;
			v = strtol(argv[++i], &end, 10);
			if (*end || v < 1 || v > LIM_HANDOFF_CAPACITY) {
				fprintf(stderr, "faqbot agent: --capacity must be 1-%d\n", LIM_HANDOFF_CAPACITY);
				return -1;
			}
			o->capacity = (unsigned)v;
			continue;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "faqbot agent: unknown option %s\n", a);
			return -1;
		} else if (!o->user) {
			o->user = a;
			continue;
		} else {
			fprintf(stderr, "faqbot agent: unexpected argument %s\n", a);
			return -1;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "faqbot agent: %s needs a value\n", a);
			return -1;
		}
		*dst = argv[++i];
	}
	return 0;
}

/* The database path: --db, else --data/faqbot.db, else the config's. */
static int db_path(const struct opts *o, char *out, size_t size)
{
	struct config cfg;
	char err[256];
	int rc;

	if (o->db) {
		snprintf(out, size, "%s", o->db);
		return 0;
	}
	if (config_init(&cfg))
		return -ENOMEM;
	rc = o->config ? config_load_file(&cfg, o->config, err, sizeof(err)) : 0;
	if (rc)
		fprintf(stderr, "faqbot agent: %s\n", err);
	else if (o->data)
		rc = config_set(&cfg, "data", o->data, err, sizeof(err));
	if (!rc)
		rc = config_db_path(&cfg, out, size);
	config_free(&cfg);
	return rc;
}

/* One line from f without its newline; false at EOF. */
static bool read_line(FILE *f, char *buf, size_t size)
{
	size_t n;

	if (!fgets(buf, (int)size, f))
		return false;
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (n && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return true;
}

static bool prompt_hidden(const char *prompt, char *buf, size_t size)
{
	struct termios old, quiet;
	bool ok, echo_off;

	fprintf(stderr, "%s", prompt);
	fflush(stderr);
	echo_off = !tcgetattr(STDIN_FILENO, &old);
	if (echo_off) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	ok = read_line(stdin, buf, size);
	if (echo_off)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fprintf(stderr, "\n");
	return ok;
}

/* The new password into buf. Returns 0 or 1 (message printed). */
static int read_password(const char *user, char *buf, size_t size)
{
	char again[KDF_PASSWORD_MAX + 2];
	char prompt[128];

	if (isatty(STDIN_FILENO)) {
		snprintf(prompt, sizeof(prompt), "Password for %s: ", user);
		if (!prompt_hidden(prompt, buf, size) || !prompt_hidden("Again: ", again, sizeof(again))) {
			fprintf(stderr, "faqbot agent: no password given\n");
			return 1;
		}
		if (strcmp(buf, again)) {
			memset(again, 0, sizeof(again));
			fprintf(stderr, "faqbot agent: the passwords differ; nothing changed\n");
			return 1;
		}
		memset(again, 0, sizeof(again));
	} else if (!read_line(stdin, buf, size)) {
		fprintf(stderr, "faqbot agent: no password on stdin\n");
		return 1;
	}
	if (strlen(buf) < PASSWORD_MIN || strlen(buf) > KDF_PASSWORD_MAX) {
		fprintf(stderr, "faqbot agent: a password needs %d to %d bytes\n", PASSWORD_MIN, KDF_PASSWORD_MAX);
		return 1;
	}
	return 0;
}

static int print_agent(void *arg, const struct handoff_agent *a)
{
	char when[32] = "-";
	time_t t = (time_t)(a->created_at / 1000);
	struct tm tm;

	if (a->created_at && gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d", &tm);
	printf("%-20s %-8s %-3u %-24s %-10s %s\n", a->username, a->disabled ? "disabled" : "active", a->capacity, a->teams,
	       when, a->name);
	(*(unsigned *)arg)++;
	return 0;
}

static const char *why(int rc)
{
	switch (rc) {
	case -ENOENT:
		return "no such agent";
	case -EINVAL:
		return "invalid (username [A-Za-z0-9._-] up to 64, teams [a-z0-9_-] comma-separated or \"*\", a name, capacity 1-20)";
	case -E2BIG:
		return "too many agents";
	default:
		return strerror(-rc);
	}
}

int agent_cli_main(int argc, char **argv)
{
	struct opts o;
	char path[4096], pw[KDF_PASSWORD_MAX + 2];
	struct handoff_config hc;
	struct handoff_db *db = NULL;
	struct handoff *h = NULL;
	int64_t now = (int64_t)(clock_wall() * 1000);
	int err = 0, rc = 1;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))) {
		usage(stdout);
		return 0;
	}
	if (parse(argc, argv, &o)) {
		usage(stderr);
		return 2;
	}
	if (strcmp(o.cmd, "add") && strcmp(o.cmd, "disable") && strcmp(o.cmd, "enable") && strcmp(o.cmd, "passwd") &&
	    strcmp(o.cmd, "list")) {
		fprintf(stderr, "faqbot agent: unknown command \"%s\"\n", o.cmd);
		usage(stderr);
		return 2;
	}
	if (strcmp(o.cmd, "list") && !o.user) {
		fprintf(stderr, "faqbot agent %s: which agent? (a username)\n", o.cmd);
		return 2;
	}
	if (!strcmp(o.cmd, "add") && (!o.team || !o.name)) {
		fprintf(stderr, "faqbot agent add: --team and --name are required\n");
		return 2;
	}
	if (db_path(&o, path, sizeof(path)))
		return 1;
	db = handoff_db_open(path, 0, &err);
	if (!db) {
		fprintf(stderr, "faqbot agent: %s: %s\n", path,
			err == -EPROTO ? "written by a newer faqbot" : "cannot open the hand-off database");
		return 1;
	}
	handoff_config_default(&hc);
	h = handoff_new(&hc, handoff_db_ops(), db, now, &err);
	if (!h) {
		fprintf(stderr, "faqbot agent: %s: cannot read the hand-off database: %s\n", path, strerror(-err));
		goto out;
	}
	if (!strcmp(o.cmd, "list")) {
		unsigned n = 0;

		printf("%-20s %-8s %-3s %-24s %-10s %s\n", "USERNAME", "STATUS", "CAP", "TEAMS", "CREATED", "NAME");
		err = handoff_db_ops()->agent_list(db, print_agent, &n);
		if (err)
			fprintf(stderr, "faqbot agent list: %s\n", strerror(-err));
		rc = err ? 1 : 0;
		goto out;
	}
	if (!strcmp(o.cmd, "disable") || !strcmp(o.cmd, "enable")) {
		err = handoff_agent_disable(h, o.user, !strcmp(o.cmd, "disable"));
		if (err)
			fprintf(stderr, "faqbot agent %s %s: %s\n", o.cmd, o.user, why(err));
		else
			printf("%s %sd\n", o.user, o.cmd);
		rc = err ? 1 : 0;
		goto out;
	}
	if (!strcmp(o.cmd, "passwd")) {
		const struct handoff_agent *a;

		if (handoff_agent_reload(h, o.user) || !(a = handoff_agent_find(h, o.user))) {
			fprintf(stderr, "faqbot agent passwd %s: no such agent\n", o.user);
			goto out;
		}
		if (read_password(o.user, pw, sizeof(pw)))
			goto out;
		err = handoff_agent_add(h, o.user, a->name, a->teams, a->capacity, pw, now);
	} else {
		if (handoff_agent_reload(h, o.user) == 0) {
			fprintf(stderr, "faqbot agent add: %s exists; use passwd, enable or disable\n", o.user);
			goto out;
		}
		if (read_password(o.user, pw, sizeof(pw)))
			goto out;
		err = handoff_agent_add(h, o.user, o.name, o.team, o.capacity, pw, now);
	}
	memset(pw, 0, sizeof(pw));
	if (err) {
		fprintf(stderr, "faqbot agent %s %s: %s\n", o.cmd, o.user, why(err));
		goto out;
	}
	printf("%s %s\n", o.user, !strcmp(o.cmd, "add") ? "added" : "password changed");
	rc = 0;
out:
	memset(pw, 0, sizeof(pw));
	handoff_free(h);
	handoff_db_close(db);
	return rc;
}
