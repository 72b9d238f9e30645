/*
 * handoff_bench.c - hand-off transitions per second with durability on: the
 * desk (dialog/handoff) on the SQLite store (store/handoff_db) in a real
 * file, WAL, every transition its own committed transaction. Each
 * conversation goes bot -> queued -> assigned -> resolved -> bot (four
 * transitions), optionally behind a standing queue. Prints the rate and the
 * per-transition latency percentiles. Usage:
 *   handoff_bench [--dir DIR] [--n CONVERSATIONS] [--backlog N] [--full]
 */
#include "dialog/handoff.h"
#include "store/handoff_db.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int die(const char *what, int rc)
{
	fprintf(stderr, "handoff_bench: %s: %s\n", what, strerror(rc < 0 ? -rc : rc));
	return 1;
}

int main(int argc, char **argv)
{
	const char *dir = "build/bench-handoff";
	long n = 5000, backlog = 0;
	unsigned flags = 0;
	char path[512], id[32];
	struct handoff_db *db;
	struct handoff *h;
	struct handoff_config cfg;
	struct handoff_policy backlog_policy;
	struct handoff_request rq = { .reason = HANDOFF_REASON_ASKED };
	double *lat, t_all, t, total = 0;
	int64_t clock_ms = 1700000000000LL;
	size_t k = 0;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dir") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "--n") && i + 1 < argc)
			n = atol(argv[++i]);
		else if (!strcmp(argv[i], "--backlog") && i + 1 < argc)
			backlog = atol(argv[++i]);
		else if (!strcmp(argv[i], "--full"))
			flags |= HANDOFF_DB_FULLSYNC;
		else {
			fprintf(stderr, "usage: %s [--dir DIR] [--n CONVERSATIONS] [--backlog N] [--full]\n", argv[0]);
			return 2;
		}
	}
	if (n < 1 || backlog < 0 || backlog > 9000)
		return die("arguments", EINVAL);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/handoff-bench.db", dir);
	unlink(path);
	for (int i = 0; i < 2; i++) {
		char side[520];

		snprintf(side, sizeof(side), "%s-%s", path, i ? "shm" : "wal");
		unlink(side);
	}

	db = handoff_db_open(path, flags, &rc);
	if (!db)
		return die(path, rc);
	handoff_config_default(&cfg);
	cfg.kdf_iter = KDF_ITER_MIN;
	h = handoff_new(&cfg, handoff_db_ops(), db, clock_ms, &rc);
	if (!h)
		return die("handoff_new", rc);
	rc = handoff_agent_add(h, "bench", "Bench", "support", LIM_HANDOFF_CAPACITY, "bench password", clock_ms);
	if (!rc)
		rc = handoff_agent_add(h, "idle", "Idle", "backlog", 1, "bench password", clock_ms);
	if (rc || handoff_agent_online(h, "bench", clock_ms) < 0 || handoff_agent_online(h, "idle", clock_ms) < 0)
		return die("agents", rc ? rc : EIO);

	/* a standing queue that nobody claims: every request and claim orders against it */
	handoff_policy_default(&backlog_policy);
	strcpy(backlog_policy.team, "backlog");
	handoff_set_policy(h, "backlog", &backlog_policy);
	for (long i = 0; i < backlog; i++) {
		snprintf(id, sizeof(id), "w%ld", i);
		rq.conv = id;
		rq.scene = "backlog";
		rc = handoff_request(h, &rq, ++clock_ms, NULL);
		if (rc)
			return die("backlog", rc);
	}
	rq.scene = NULL;

	lat = malloc((size_t)n * 4 * sizeof(*lat));
	if (!lat)
		return die("malloc", ENOMEM);
	t_all = now_s();
	for (long i = 0; i < n; i++) {
		enum handoff_state st;

		snprintf(id, sizeof(id), "c%ld", i);
		rq.conv = id;
		t = now_s();
		rc = handoff_request(h, &rq, ++clock_ms, NULL);
		lat[k++] = now_s() - t;
		if (rc)
			return die("request", rc);
		t = now_s();
		rc = handoff_claim(h, "bench", id, ++clock_ms);
		lat[k++] = now_s() - t;
		if (rc)
			return die("claim", rc);
		t = now_s();
		rc = handoff_close(h, "bench", id, "solved", ++clock_ms);
		lat[k++] = now_s() - t;
		if (rc)
			return die("close", rc);
		t = now_s();
		rc = handoff_customer_wrote(h, id, ++clock_ms, &st);
		lat[k++] = now_s() - t;
		if (rc || st != HANDOFF_BOT)
			return die("customer_wrote", rc ? rc : EIO);
	}
	total = now_s() - t_all;
	qsort(lat, k, sizeof(*lat), cmp_double);
	printf("hand-off transitions: %zu in %.3f s = %.0f/s (%s, backlog %ld queued)\n", k, total, (double)k / total,
	       flags & HANDOFF_DB_FULLSYNC ? "WAL, synchronous=FULL" : "WAL, synchronous=NORMAL", backlog);
	printf("latency per transition: p50 %.1f us, p99 %.1f us, max %.1f us\n", lat[k / 2] * 1e6,
	       lat[k * 99 / 100] * 1e6, lat[k - 1] * 1e6);
	printf("target 2000/s: %s\n", (double)k / total >= 2000 ? "met" : "NOT met");
	free(lat);
	handoff_free(h);
	handoff_db_close(db);
	return 0;
}
