/*
 * serve.c - faqbot serve: options -> config (defaults, then --config FILE,
 * then the other flags, whatever their order) -> the hand-off database ->
 * net/server. Wiring only.
 */
#include "serve.h"

#include "config.h"
#include "net/server.h"
#include "store/handoff_db.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: faqbot serve [--config FILE] [--port N] [--bind ADDR] [--kb DIR] [--intents DIR]\n"
		   "                    [--web DIR] [--data DIR] [--set KEY=VALUE]... [--print-config]\n"
		   "  Serves the chat widget, the demo pages in --web and the customer protocol at /ws.\n"
		   "  Defaults: 127.0.0.1:8080, kb/ intents/ web/ in the current directory, data in ./var.\n"
		   "  --port 0 picks a free port. Every config key is in docs/config.md.\n");
}

static const struct {
	const char *flag, *key;
} flags[] = {
	{ "--port", "port" }, { "--bind", "bind" }, { "--kb", "kb" },     { "--intents", "intents" },
	{ "--web", "web" },   { "--data", "data" }, { "--log-level", "log_level" },
};

/* Open the hand-off database (creating the data directory), serve, close. */
static int run(const struct config *cfg)
{
	char path[4096];
	struct handoff_db *db;
	int err = 0, rc;

	if (cfg->data && mkdir(cfg->data, 0750) && errno != EEXIST)
		fprintf(stderr, "faqbot: data directory %s cannot be created: %s\n", cfg->data, strerror(errno));
	if (config_db_path(cfg, path, sizeof(path))) {
		fprintf(stderr, "faqbot: the database path is too long\n");
		return 1;
	}
	db = handoff_db_open(path, 0, &err);
	if (!db) {
		fprintf(stderr, "faqbot: %s: %s\n", path,
			err == -EPROTO ? "written by a newer faqbot; upgrade faqbot or use another data directory"
				       : err == -ENOMEM ? "out of memory"
							: "cannot open the hand-off database (is it a faqbot database, is the directory writable?)");
		return 1;
	}
	/* claim times feed the wait estimate (the last hour); keep 30 days of them */
	handoff_db_prune_claims(db, (int64_t)time(NULL) * 1000 - 30LL * 86400 * 1000);
	rc = server_run(cfg, handoff_db_ops(), db);
	handoff_db_close(db);
	return rc;
}

int serve_main(int argc, char **argv)
{
	struct config cfg;
	char err[256];
	const char *file = NULL;
	int print = 0, rc = 2;

	if (config_init(&cfg)) {
		fprintf(stderr, "faqbot: out of memory\n");
		return 1;
	}
	/* Pass 1: find --config (and --help), so the flags below override the file. */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			rc = 0;
			goto out;
		}
		if (!strcmp(argv[i], "--config")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "faqbot: --config needs a file\n");
				goto out;
			}
			file = argv[++i];
		}
	}
	if (file && config_load_file(&cfg, file, err, sizeof(err))) {
		fprintf(stderr, "faqbot: %s\n", err);
		goto out;
	}
	/* Pass 2: the flags. */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *key = NULL;

		if (!strcmp(a, "--config")) {
			i++;
			continue;
		}
		if (!strcmp(a, "--print-config")) {
			print = 1;
			continue;
		}
		if (!strcmp(a, "--set")) {
			char *eq;

			if (i + 1 >= argc || !(eq = strchr(argv[i + 1], '='))) {
				fprintf(stderr, "faqbot: --set needs KEY=VALUE\n");
				goto out;
			}
			*eq = '\0';
			if (config_set(&cfg, argv[i + 1], eq + 1, err, sizeof(err))) {
				fprintf(stderr, "faqbot: --set: %s\n", err);
				goto out;
			}
			i++;
			continue;
		}
		for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
			if (!strcmp(a, flags[k].flag))
				key = flags[k].key;
		if (!key) {
			fprintf(stderr, "faqbot: unknown option %s\n", a);
			usage(stderr);
			goto out;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "faqbot: %s needs a value\n", a);
			goto out;
		}
		if (config_set(&cfg, key, argv[++i], err, sizeof(err))) {
			fprintf(stderr, "faqbot: %s: %s\n", a, err);
			goto out;
		}
	}
	if (config_check(&cfg, err, sizeof(err))) {
		fprintf(stderr, "faqbot: %s\n", err);
		goto out;
	}
	if (print) {
		config_print(&cfg, stdout);
		rc = 0;
		goto out;
	}
	rc = run(&cfg);
out:
	config_free(&cfg);
	return rc;
}
