/*
 * ws_load.c - WebSocket load generator for the customer protocol (make bench-ws).
 *
 * Plain POSIX sockets and one epoll loop; its own HTTP upgrade (SHA-1 and
 * base64 for Sec-WebSocket-Accept) and RFC 6455 client framing (masked
 * frames out, fragmented messages and ping/pong/close in). It shares no code
 * with the server. Every connection says {"v":1,"type":"hello"} and waits for
 * the first frame back (faqbot's welcome, or the echo server's copy), then:
 *
 *   closed  send a golden-set question, wait for the reply, send the next;
 *           reports round trips/s and p50/p99/max latency over --secs after
 *           --warmup seconds.
 *   open    each connection asks --rate questions per second (one a second by
 *           default) from a random phase, without waiting for replies;
 *           reports p50/p99/max latency from the moment each was written.
 *   idle    opens the connections, lets them sit --settle seconds and reads
 *           VmRSS of --pid before the first connect and after; reports KiB
 *           per connection.
 *
 * Any frame is taken as the reply to the oldest question in flight (the
 * protocol answers each message with exactly one answer, clarify, fallback or
 * error frame on a single-tab conversation). Server-initiated closes are
 * counted by close code. Output: human lines on stderr, then one
 * "RESULT key=value ..." line on stdout for bench/ws_run.sh.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define RBUF_INIT   4096
#define RBUF_MAX    (1u << 20)   /* largest message we accept from the server */
#define FIFO_LEN    64           /* open loop: questions in flight per connection */
#define MAX_EVENTS  512

enum mode { MODE_CLOSED, MODE_OPEN, MODE_IDLE };
enum state { ST_NEW, ST_CONNECTING, ST_UPGRADING, ST_HELLO, ST_READY, ST_CLOSING, ST_DEAD };

struct conn {
	int fd;
	enum state st;
	char key[32];                     /* Sec-WebSocket-Key sent */
	unsigned char *rbuf;              /* bytes read, not yet parsed: rbuf[roff, rlen) */
	size_t roff, rlen, rcap;
	unsigned char *msg;               /* reassembly of a fragmented message */
	size_t mlen, mcap;
	bool in_frag;
	unsigned char *wbuf;              /* bytes the kernel did not take yet */
	size_t woff, wlen, wcap;
	bool want_out;
	uint64_t fifo[FIFO_LEN];          /* send times of questions in flight */
	unsigned fh, fn;
	unsigned q;                       /* next question */
	unsigned long next_id;
	uint64_t phase;                   /* open loop: offset of its first question */
	uint64_t close_at;                /* closing: give up waiting for the server's close */
};

struct lat {
	uint64_t *v;
	size_t n, cap;
};

static struct {
	enum mode mode;
	const char *host, *path, *proto, *golden;
	int port, src, ramp, pid;
	unsigned conns;
	double secs, warmup, settle, rate, setup_secs;
	unsigned long seed;
} opt = {
	.mode = MODE_CLOSED, .host = "127.0.0.1", .path = "/ws", .proto = "faq-chat",
	.golden = "tests/golden/en.jsonl", .port = 0, .src = 1, .ramp = 256, .pid = 0,
	.conns = 100, .secs = 5, .warmup = 1, .settle = 2, .rate = 1, .setup_secs = 60, .seed = 1,
};

static struct {
	unsigned long opened, upgraded, welcomed, failed_connect, failed_upgrade, lost_early;
	unsigned long sent, replies, in_window, errors, fifo_full, late;
	unsigned long closes_by_server, close_codes[5000], disconnects;
	unsigned long answer, clarify, fallback, other;
	uint64_t max_lag;
	char first_failure[160];
} st;

static char **questions;
static size_t n_questions;
static struct conn *conns;
static int ep;
static struct lat lat;
static uint64_t win_start, win_end;   /* closed loop: replies counted in [start, end) */
static bool sending;                   /* new questions may be sent */
static volatile sig_atomic_t interrupted;
static struct {
	uint64_t wall;                     /* start of the measured window */
	double cpu;                        /* our CPU seconds then */
	long long ticks;                   /* the server's CPU ticks then, or -1 */
	long long self_ticks, all_ticks;   /* ours, and busy ticks of every CPU (/proc/stat) */
} mark0;

/* ---- small helpers ---- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t rnd_state = 88172645463325252ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static void fail_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fail_note(const char *fmt, ...)
{
	va_list ap;

	if (st.first_failure[0])
		return;
	va_start(ap, fmt);
	vsnprintf(st.first_failure, sizeof(st.first_failure), fmt, ap);
	va_end(ap);
}

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* ---- SHA-1 (RFC 3174) and base64, for the upgrade ---- */

static uint32_t rol(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static void sha1_block(uint32_t h[5], const unsigned char *p)
{
	uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (int i = 0; i < 80; i++) {
		uint32_t f, k, t;

		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5A827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ED9EBA1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8F1BBCDC;
		} else {
			f = b ^ c ^ d;
			k = 0xCA62C1D6;
		}
		t = rol(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = rol(b, 30);
		b = a;
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

static void sha1(const void *data, size_t len, unsigned char out[20])
{
	uint32_t h[5] = { 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0 };
	const unsigned char *p = data;
	unsigned char blk[64];
	size_t i = 0, r;
	uint64_t bits = (uint64_t)len * 8;

	for (; i + 64 <= len; i += 64)
		sha1_block(h, p + i);
	r = len - i;
	memset(blk, 0, sizeof(blk));
	memcpy(blk, p + i, r);
	blk[r] = 0x80;
	if (r >= 56) {
		sha1_block(h, blk);
		memset(blk, 0, sizeof(blk));
	}
	for (int j = 0; j < 8; j++)
		blk[63 - j] = (unsigned char)(bits >> (8 * j));
	sha1_block(h, blk);
	for (int j = 0; j < 5; j++) {
		out[4 * j] = (unsigned char)(h[j] >> 24);
		out[4 * j + 1] = (unsigned char)(h[j] >> 16);
		out[4 * j + 2] = (unsigned char)(h[j] >> 8);
		out[4 * j + 3] = (unsigned char)h[j];
	}
}

static void base64(const unsigned char *in, size_t len, char *out)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;

	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = tab[(v >> 6) & 63];
		out[o++] = tab[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0);

		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
}

/* ---- the golden set: the "text" of each line, kept JSON-escaped as written ---- */

static int load_golden(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[16384];
	size_t cap = 0;

	if (!f) {
		fprintf(stderr, "ws_load: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "\"text\""), *s;

		if (!p)
			continue;
		p += 6;
		p += strspn(p, " \t");
		if (*p++ != ':')
			continue;
		p += strspn(p, " \t");
		if (*p++ != '"')
			continue;
		for (s = p; *s && *s != '"'; s++)
			if (*s == '\\' && s[1])
				s++;
		if (*s != '"' || s == p || s - p > 4000)
			continue;
		if (n_questions == cap) {
			char **nq;

			cap = cap ? 2 * cap : 256;
			nq = realloc(questions, cap * sizeof(*questions));
			if (!nq)
				abort();
			questions = nq;
		}
		questions[n_questions] = strndup(p, (size_t)(s - p));
		if (!questions[n_questions])
			abort();
		n_questions++;
	}
	fclose(f);
	if (!n_questions) {
		fprintf(stderr, "ws_load: %s: no \"text\" fields\n", path);
		return -1;
	}
	return 0;
}

/* ---- latency samples ---- */

static void lat_add(uint64_t ns)
{
	if (lat.n == lat.cap) {
		uint64_t *nv;

		lat.cap = lat.cap ? 2 * lat.cap : 65536;
		nv = realloc(lat.v, lat.cap * sizeof(*lat.v));
		if (!nv)
			abort();
		lat.v = nv;
	}
	lat.v[lat.n++] = ns;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of the sorted samples, in microseconds. */
static double pct_us(double p)
{
	size_t i;

	if (!lat.n)
		return 0;
	i = (size_t)(p / 100.0 * (double)lat.n + 0.999999);
	if (i < 1)
		i = 1;
	if (i > lat.n)
		i = lat.n;
	return (double)lat.v[i - 1] / 1000.0;
}

/* ---- /proc ---- */

static long vmrss_kib(int pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6)) {
			kib = strtol(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return kib;
}

/* utime + stime of pid in clock ticks, or -1. */
static long long proc_ticks(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, sy;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');   /* the command name may contain spaces */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &sy) != 2)
		return -1;
	return (long long)(ut + sy);
}

/* Busy ticks of all CPUs together (user, nice, system, irq, softirq, steal), or -1. */
static long long busy_ticks(void)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
		   &v[7]);
	fclose(f);
	return n == 8 ? (long long)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) : -1;
}

static double self_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec / 1e6;
}

/* ---- connections: output ---- */

static void set_events(struct conn *c, bool out)
{
	struct epoll_event ev = { .events = EPOLLIN | (out ? EPOLLOUT : 0), .data.u32 = (uint32_t)(c - conns) };

	if (c->want_out == out)
		return;
	c->want_out = out;
	epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static void conn_kill(struct conn *c)
{
	if (c->fd >= 0) {
		epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	c->fd = -1;
	c->st = ST_DEAD;
	free(c->rbuf);
	free(c->msg);
	free(c->wbuf);
	c->rbuf = c->msg = c->wbuf = NULL;
	c->roff = c->rlen = c->rcap = c->mlen = c->mcap = c->woff = c->wlen = c->wcap = 0;
}

/* The connection broke outside a close handshake we started. */
static void conn_lost(struct conn *c, const char *why, int err)
{
	if (c->st == ST_CONNECTING) {
		st.failed_connect++;
		fail_note("connect: %s (%d)", why, err);
	} else if (c->st == ST_UPGRADING) {
		st.failed_upgrade++;
		fail_note("upgrade: %s (%d)", why, err);
	} else if (c->st == ST_HELLO) {
		st.lost_early++;
		fail_note("before the welcome: %s (%d)", why, err);
	} else if (c->st == ST_READY) {
		st.disconnects++;
		fail_note("while running: %s (%d)", why, err);
	}
	conn_kill(c);
}

/* Write bytes, keeping what the kernel does not take. Returns 0 or -1 (the connection is dead). */
static int conn_write(struct conn *c, const void *data, size_t len)
{
	ssize_t n = 0;

	if (!c->wlen) {
		n = send(c->fd, data, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				conn_lost(c, "send", errno);
				return -1;
			}
			n = 0;
		}
		if ((size_t)n == len)
			return 0;
	}
	if (c->woff && c->woff == c->wlen)
		c->woff = c->wlen = 0;
	if (c->wlen + len - (size_t)n > c->wcap) {
		size_t cap = c->wcap ? c->wcap : 4096;
		unsigned char *nb;

		while (cap < c->wlen + len - (size_t)n)
			cap *= 2;
		nb = realloc(c->wbuf, cap);
		if (!nb)
			abort();
		c->wbuf = nb;
		c->wcap = cap;
	}
	memcpy(c->wbuf + c->wlen, (const unsigned char *)data + n, len - (size_t)n);
	c->wlen += len - (size_t)n;
	set_events(c, true);
	return 0;
}

static int conn_flush(struct conn *c)
{
	while (c->woff < c->wlen) {
		ssize_t n = send(c->fd, c->wbuf + c->woff, c->wlen - c->woff, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			conn_lost(c, "send", errno);
			return -1;
		}
		c->woff += (size_t)n;
	}
	c->woff = c->wlen = 0;
	set_events(c, false);
	return 0;
}

/* Send one masked frame (RFC 6455 5.2). */
static int send_frame(struct conn *c, int opcode, const void *payload, size_t len)
{
	unsigned char hdr[14], *buf, stackbuf[512];
	const unsigned char *p = payload;
	uint32_t mask = (uint32_t)rnd();
	size_t h = 0;
	int rc;

	hdr[h++] = (unsigned char)(0x80 | opcode);
	if (len < 126) {
		hdr[h++] = (unsigned char)(0x80 | len);
	} else if (len < 65536) {
		hdr[h++] = 0x80 | 126;
		hdr[h++] = (unsigned char)(len >> 8);
		hdr[h++] = (unsigned char)len;
	} else {
		hdr[h++] = 0x80 | 127;
		for (int i = 7; i >= 0; i--)
			hdr[h++] = (unsigned char)((uint64_t)len >> (8 * i));
	}
	memcpy(hdr + h, &mask, 4);
	h += 4;
	buf = h + len <= sizeof(stackbuf) ? stackbuf : malloc(h + len);
	if (!buf)
		abort();
	memcpy(buf, hdr, h);
	for (size_t i = 0; i < len; i++)
		buf[h + i] = p[i] ^ hdr[h - 4 + (i & 3)];
	rc = conn_write(c, buf, h + len);
	if (buf != stackbuf)
		free(buf);
	return rc;
}

static int send_text(struct conn *c, const char *s, size_t len)
{
	return send_frame(c, 1, s, len);
}

static int send_question(struct conn *c, uint64_t t)
{
	char buf[4200];
	const char *q = questions[c->q++ % n_questions];
	int n = snprintf(buf, sizeof(buf), "{\"v\":1,\"type\":\"message\",\"id\":\"c-%lu\",\"text\":\"%s\"}", ++c->next_id, q);

	if (n < 0 || (size_t)n >= sizeof(buf))
		return -1;
	if (c->fn == FIFO_LEN) {
		st.fifo_full++;
		return 0;
	}
	c->fifo[(c->fh + c->fn++) % FIFO_LEN] = t;
	st.sent++;
	return send_text(c, buf, (size_t)n);
}

static void start_close(struct conn *c, uint64_t now)
{
	static const unsigned char normal[2] = { 0x03, 0xe8 };   /* 1000 */

	if (c->st == ST_DEAD || c->st == ST_CLOSING)
		return;
	if (c->st != ST_READY && c->st != ST_HELLO) {
		conn_kill(c);
		return;
	}
	c->st = ST_CLOSING;
	c->close_at = now + 2000000000ull;
	send_frame(c, 8, normal, 2);
}

/* ---- connections: input ---- */

static void classify(const unsigned char *m, size_t len)
{
	static const char key[] = "\"type\":\"";
	const unsigned char *p = memmem(m, len, key, sizeof(key) - 1);
	size_t rest;

	if (!p) {
		st.other++;
		return;
	}
	p += sizeof(key) - 1;
	rest = len - (size_t)(p - m);
#define IS(word) (rest > sizeof(word) - 1 && !memcmp(p, word "\"", sizeof(word)))
	if (IS("answer"))
		st.answer++;
	else if (IS("clarify"))
		st.clarify++;
	else if (IS("fallback"))
		st.fallback++;
	else if (IS("error"))
		st.errors++;
	else
		st.other++;
#undef IS
}

/* One whole data message from the server. */
static void on_message(struct conn *c, const unsigned char *m, size_t len, uint64_t now)
{
	if (c->st == ST_HELLO) {
		static const char err[] = "\"type\":\"error\"";

		if (memmem(m, len, err, sizeof(err) - 1)) {
			fail_note("the hello was answered with %.*s", len > 200 ? 200 : (int)len, (const char *)m);
			st.lost_early++;
			start_close(c, now);
			return;
		}
		c->st = ST_READY;
		st.welcomed++;
		if (opt.mode == MODE_CLOSED && sending)
			send_question(c, now_ns());
		return;
	}
	if (c->st != ST_READY)
		return;
	if (!c->fn) {
		st.other++;   /* unsolicited: a notice */
		return;
	}
	st.replies++;
	classify(m, len);
	{
		uint64_t sent = c->fifo[c->fh];

		c->fh = (c->fh + 1) % FIFO_LEN;
		c->fn--;
		if (opt.mode == MODE_OPEN || (now >= win_start && now < win_end)) {
			lat_add(now - sent);
			st.in_window++;
		}
	}
	if (opt.mode == MODE_CLOSED && sending)
		send_question(c, now_ns());
}

static void on_close_frame(struct conn *c, const unsigned char *p, size_t len)
{
	int code = len >= 2 ? p[0] << 8 | p[1] : 1005;

	if (c->st != ST_CLOSING) {
		st.closes_by_server++;
		if (code >= 0 && code < 5000)
			st.close_codes[code]++;
		if (c->st == ST_HELLO)
			st.lost_early++;
		fail_note("the server closed with %d: %.*s", code, len > 2 ? (int)len - 2 : 0, (const char *)p + 2);
		c->st = ST_CLOSING;
		send_frame(c, 8, p, len >= 2 ? 2 : 0);
	}
	conn_kill(c);
}

/* Parse the upgrade response in rbuf. Returns 1 done, 0 need more, -1 refused. */
static int parse_upgrade(struct conn *c)
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	unsigned char *end = memmem(c->rbuf + c->roff, c->rlen - c->roff, "\r\n\r\n", 4), dig[20];
	char expect[40], cat[80], line[512], *hdrs, *l, *save = NULL;
	bool accept_ok = false, proto_ok = false;
	size_t n;

	if (!end)
		return c->rlen - c->roff > 8192 ? -1 : 0;
	n = (size_t)(end - (c->rbuf + c->roff)) + 4;
	hdrs = strndup((const char *)c->rbuf + c->roff, n);
	if (!hdrs)
		abort();
	c->roff += n;
	snprintf(cat, sizeof(cat), "%s%s", c->key, guid);
	sha1(cat, strlen(cat), dig);
	base64(dig, 20, expect);
	if (strncmp(hdrs, "HTTP/1.1 101", 12)) {
		snprintf(line, sizeof(line), "%.*s", (int)strcspn(hdrs, "\r\n"), hdrs);
		fail_note("upgrade refused: %s", line);
		free(hdrs);
		return -1;
	}
	for (l = strtok_r(hdrs, "\r\n", &save); l; l = strtok_r(NULL, "\r\n", &save)) {
		char *v = strchr(l, ':');

		if (!v)
			continue;
		*v++ = '\0';
		v += strspn(v, " \t");
		if (!strcasecmp(l, "Sec-WebSocket-Accept") && !strcmp(v, expect))
			accept_ok = true;
		else if (!strcasecmp(l, "Sec-WebSocket-Protocol") && !strcmp(v, opt.proto))
			proto_ok = true;
	}
	free(hdrs);
	if (!accept_ok || !proto_ok) {
		fail_note("upgrade: %s", !accept_ok ? "bad Sec-WebSocket-Accept" : "no subprotocol");
		return -1;
	}
	return 1;
}

static int append_msg(struct conn *c, const unsigned char *p, size_t len)
{
	if (c->mlen + len > RBUF_MAX)
		return -1;
	if (c->mlen + len > c->mcap) {
		size_t cap = c->mcap ? c->mcap : 4096;
		unsigned char *nm;

		while (cap < c->mlen + len)
			cap *= 2;
		nm = realloc(c->msg, cap);
		if (!nm)
			abort();
		c->msg = nm;
		c->mcap = cap;
	}
	memcpy(c->msg + c->mlen, p, len);
	c->mlen += len;
	return 0;
}

/* Parse the frames in rbuf. Returns -1 when the connection was closed. */
static int parse_frames(struct conn *c, uint64_t now)
{
	while (c->fd >= 0 && c->rlen - c->roff >= 2) {
		unsigned char *f = c->rbuf + c->roff;
		size_t avail = c->rlen - c->roff, h = 2;
		uint64_t len = f[1] & 0x7f;
		int op = f[0] & 0x0f;
		bool fin = f[0] & 0x80;

		if (f[1] & 0x80) {
			conn_lost(c, "masked frame from the server", 0);
			return -1;
		}
		if (len == 126) {
			if (avail < 4)
				break;
			len = (uint64_t)f[2] << 8 | f[3];
			h = 4;
		} else if (len == 127) {
			if (avail < 10)
				break;
			len = 0;
			for (int i = 0; i < 8; i++)
				len = len << 8 | f[2 + i];
			h = 10;
		}
		if (len > RBUF_MAX) {
			conn_lost(c, "frame too large", 0);
			return -1;
		}
		if (avail < h + len)
			break;
		c->roff += h + (size_t)len;
		f += h;
		switch (op) {
		case 0x0:
		case 0x1:
		case 0x2:
			if (op && c->in_frag) {
				conn_lost(c, "data frame inside a fragmented message", 0);
				return -1;
			}
			if (!op && !c->in_frag) {
				conn_lost(c, "continuation without a start", 0);
				return -1;
			}
			if (fin && !c->in_frag) {
				on_message(c, f, (size_t)len, now);
				break;
			}
			if (append_msg(c, f, (size_t)len)) {
				conn_lost(c, "message too large", 0);
				return -1;
			}
			c->in_frag = !fin;
			if (fin) {
				on_message(c, c->msg, c->mlen, now);
				c->mlen = 0;
			}
			break;
		case 0x8:
			on_close_frame(c, f, (size_t)len);
			return -1;
		case 0x9:
			if (send_frame(c, 0xA, f, (size_t)len))
				return -1;
			break;
		case 0xA:
			break;
		default:
			conn_lost(c, "unknown opcode", op);
			return -1;
		}
	}
	return c->fd >= 0 ? 0 : -1;
}

static void on_readable(struct conn *c)
{
	for (;;) {
		uint64_t now;
		ssize_t n;

		if (c->roff == c->rlen)
			c->roff = c->rlen = 0;
		if (c->rcap - c->rlen < 2048) {
			if (c->roff) {
				memmove(c->rbuf, c->rbuf + c->roff, c->rlen - c->roff);
				c->rlen -= c->roff;
				c->roff = 0;
			}
			if (c->rcap - c->rlen < 2048) {
				size_t cap = c->rcap ? 2 * c->rcap : RBUF_INIT;
				unsigned char *nb;

				if (cap > 2 * RBUF_MAX) {
					conn_lost(c, "input buffer full", 0);
					return;
				}
				nb = realloc(c->rbuf, cap);
				if (!nb)
					abort();
				c->rbuf = nb;
				c->rcap = cap;
			}
		}
		n = recv(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (c->st == ST_CLOSING)
				conn_kill(c);
			else
				conn_lost(c, "recv", errno);
			return;
		}
		if (n == 0) {
			if (c->st == ST_CLOSING)
				conn_kill(c);
			else
				conn_lost(c, "the server closed the TCP connection", 0);
			return;
		}
		now = now_ns();   /* when these bytes were seen: after every question they answer was sent */
		c->rlen += (size_t)n;
		if (c->st == ST_UPGRADING) {
			int r = parse_upgrade(c);

			if (r < 0) {
				conn_lost(c, "upgrade refused", 0);
				return;
			}
			if (!r)
				continue;
			st.upgraded++;
			c->st = ST_HELLO;
			if (send_text(c, "{\"v\":1,\"type\":\"hello\"}", 22))
				return;
		}
		if (parse_frames(c, now))
			return;
		if ((size_t)n < 2048)
			return;   /* most likely drained: let epoll say if there is more */
	}
}

static void send_upgrade(struct conn *c)
{
	unsigned char k[16];
	char req[512];
	int n;

	for (int i = 0; i < 16; i++)
		k[i] = (unsigned char)rnd();
	base64(k, 16, c->key);
	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		     "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: %s\r\n\r\n",
		     opt.path, opt.host, opt.port, c->key, opt.proto);
	c->st = ST_UPGRADING;
	conn_write(c, req, (size_t)n);
}

static void on_writable(struct conn *c)
{
	if (c->st == ST_CONNECTING) {
		int err = 0;
		socklen_t el = sizeof(err);

		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
		if (err) {
			conn_lost(c, strerror(err), err);
			return;
		}
		set_events(c, false);
		send_upgrade(c);
		return;
	}
	conn_flush(c);
}

static void conn_open(struct conn *c, unsigned idx)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port) };
	struct epoll_event ev = { .events = EPOLLOUT | EPOLLIN, .data.u32 = idx };
	int one = 1;

	st.opened++;
	c->st = ST_CONNECTING;
	c->q = (unsigned)(rnd() % n_questions);
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		conn_lost(c, "socket", errno);
		return;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (opt.src > 1) {
		struct sockaddr_in me = { .sin_family = AF_INET,
					  .sin_addr.s_addr = htonl(0x7f000001u + idx % (unsigned)opt.src) };

		setsockopt(c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
		if (bind(c->fd, (struct sockaddr *)&me, sizeof(me))) {
			conn_lost(c, "bind", errno);
			return;
		}
	}
	inet_pton(AF_INET, opt.host, &sa.sin_addr);
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) && errno != EINPROGRESS) {
		conn_lost(c, "connect", errno);
		return;
	}
	c->want_out = true;
	epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
}

/* ---- the loop ---- */

/* Serve events for up to timeout_ms (or until the timerfd fires). */
static void poll_once(int timeout_ms)
{
	struct epoll_event evs[MAX_EVENTS];
	int n = epoll_wait(ep, evs, MAX_EVENTS, timeout_ms);

	for (int i = 0; i < n; i++) {
		struct conn *c;

		if (evs[i].data.u32 == UINT32_MAX)
			continue;   /* the timer: the caller looks at the clock */
		c = &conns[evs[i].data.u32];
		if (c->fd < 0)
			continue;
		if (evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			on_writable(c);
		if (c->fd >= 0 && evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
			on_readable(c);
	}
}

static unsigned in_setup(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < st.opened; i++)
		if (conns[i].st == ST_CONNECTING || conns[i].st == ST_UPGRADING || conns[i].st == ST_HELLO)
			n++;
	return n;
}

/* Open all connections, at most --ramp in the handshake at once. Returns 0 when all are done. */
static int setup(void)
{
	uint64_t deadline = now_ns() + (uint64_t)(opt.setup_secs * 1e9);
	unsigned pending = 0;

	while (!interrupted) {
		while (st.opened < opt.conns && pending < (unsigned)opt.ramp) {
			conn_open(&conns[st.opened], (unsigned)st.opened);
			pending++;
		}
		poll_once(10);
		pending = in_setup();
		if (st.opened == opt.conns && !pending)
			return 0;
		if (now_ns() > deadline) {
			fprintf(stderr, "ws_load: setup timed out: %u of %u connections still in the handshake\n", pending,
				opt.conns);
			return -1;
		}
	}
	return -1;
}

static void close_all(void)
{
	uint64_t now = now_ns(), deadline = now + 2500000000ull;
	bool left;

	sending = false;
	for (unsigned i = 0; i < opt.conns; i++)
		start_close(&conns[i], now);
	do {
		poll_once(10);
		now = now_ns();
		left = false;
		for (unsigned i = 0; i < opt.conns; i++)
			if (conns[i].st == ST_CLOSING) {
				if (now > conns[i].close_at)
					conn_kill(&conns[i]);
				else
					left = true;
			}
	} while (left && now < deadline);
	for (unsigned i = 0; i < opt.conns; i++)
		if (conns[i].fd >= 0)
			conn_kill(&conns[i]);
}

static unsigned long in_flight(void)
{
	unsigned long n = 0;

	for (unsigned i = 0; i < opt.conns; i++)
		if (conns[i].st == ST_READY)
			n += conns[i].fn;
	return n;
}

/* Note the start of the measured window. */
static void mark_start(void)
{
	mark0.wall = now_ns();
	mark0.cpu = self_cpu_s();
	mark0.ticks = opt.pid ? proc_ticks(opt.pid) : -1;
	mark0.self_ticks = proc_ticks((int)getpid());
	mark0.all_ticks = busy_ticks();
}

static void run_closed(void)
{
	uint64_t t0 = now_ns();

	sending = true;
	for (unsigned i = 0; i < opt.conns; i++)
		if (conns[i].st == ST_READY)
			send_question(&conns[i], now_ns());
	win_start = t0 + (uint64_t)(opt.warmup * 1e9);
	win_end = win_start + (uint64_t)(opt.secs * 1e9);
	while (!interrupted && now_ns() < win_start)
		poll_once(10);
	mark_start();
	while (!interrupted && now_ns() < win_end)
		poll_once(10);
}

static int cmp_phase(const void *a, const void *b)
{
	const struct conn *x = &conns[*(const unsigned *)a], *y = &conns[*(const unsigned *)b];

	return x->phase < y->phase ? -1 : x->phase > y->phase;
}

static void arm(int tfd, uint64_t at)
{
	struct itimerspec its = { .it_value = { .tv_sec = (time_t)(at / 1000000000u), .tv_nsec = (long)(at % 1000000000u) } };

	timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void run_open(void)
{
	uint64_t period = (uint64_t)(1e9 / opt.rate), t0 = now_ns() + 100000000ull, end, grace, now;
	unsigned *order = malloc(opt.conns * sizeof(*order)), idx = 0, lap = 0;
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = UINT32_MAX };

	if (!order || tfd < 0)
		abort();
	epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
	for (unsigned i = 0; i < opt.conns; i++) {
		conns[i].phase = rnd() % period;
		order[i] = i;
	}
	qsort(order, opt.conns, sizeof(*order), cmp_phase);
	end = t0 + (uint64_t)(opt.secs * 1e9);
	sending = true;
	while (!interrupted) {
		uint64_t due = t0 + (uint64_t)lap * period + conns[order[idx]].phase;

		if (due >= end)
			break;
		now = now_ns();
		if (now < due) {
			arm(tfd, due);
			poll_once(-1);
			{
				uint64_t junk;

				if (read(tfd, &junk, sizeof(junk)) < 0 && errno != EAGAIN)
					abort();
			}
			continue;
		}
		if (conns[order[idx]].st == ST_READY) {
			if (now - due > st.max_lag)
				st.max_lag = now - due;
			if (now - due > 1000000)
				st.late++;
			send_question(&conns[order[idx]], now_ns());
		}
		if (++idx == opt.conns) {
			idx = 0;
			lap++;
		}
	}
	/* Wait for the replies still in flight. */
	grace = now_ns() + 2000000000ull;
	while (!interrupted && in_flight() && now_ns() < grace)
		poll_once(10);
	epoll_ctl(ep, EPOLL_CTL_DEL, tfd, NULL);
	close(tfd);
	free(order);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: ws_load --port N [--mode closed|open|idle] [--conns N] [--secs S] [--warmup S]\n"
		"               [--rate R] [--settle S] [--pid PID] [--host IPV4] [--path /ws] [--proto faq-chat]\n"
		"               [--golden FILE] [--src N] [--ramp N] [--seed N]\n");
}

static int parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v) {
			usage();
			return -1;
		}
		i++;
		if (!strcmp(a, "--mode")) {
			if (!strcmp(v, "closed"))
				opt.mode = MODE_CLOSED;
			else if (!strcmp(v, "open"))
				opt.mode = MODE_OPEN;
			else if (!strcmp(v, "idle"))
				opt.mode = MODE_IDLE;
			else
				return usage(), -1;
		} else if (!strcmp(a, "--host"))
			opt.host = v;
		else if (!strcmp(a, "--port"))
			opt.port = atoi(v);
		else if (!strcmp(a, "--path"))
			opt.path = v;
		else if (!strcmp(a, "--proto"))
			opt.proto = v;
		else if (!strcmp(a, "--golden"))
			opt.golden = v;
		else if (!strcmp(a, "--conns"))
			opt.conns = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--secs"))
			opt.secs = atof(v);
		else if (!strcmp(a, "--warmup"))
			opt.warmup = atof(v);
		else if (!strcmp(a, "--settle"))
			opt.settle = atof(v);
		else if (!strcmp(a, "--rate"))
			opt.rate = atof(v);
		else if (!strcmp(a, "--src"))
			opt.src = atoi(v);
		else if (!strcmp(a, "--ramp"))
			opt.ramp = atoi(v);
		else if (!strcmp(a, "--pid"))
			opt.pid = atoi(v);
		else if (!strcmp(a, "--seed"))
			opt.seed = strtoul(v, NULL, 10);
		else {
			usage();
			return -1;
		}
	}
	if (opt.port <= 0 || !opt.conns || opt.secs <= 0 || opt.rate <= 0 || opt.src < 1 || opt.src > 250 ||
	    opt.ramp < 1) {
		usage();
		return -1;
	}
	return 0;
}

static void print_closes(void)
{
	for (int i = 0; i < 5000; i++)
		if (st.close_codes[i])
			printf(" close_%d=%lu", i, st.close_codes[i]);
}

int main(int argc, char **argv)
{
	struct rlimit rl;
	struct sigaction sa;
	long rss0 = -1, rss1 = -1;
	long long tk1 = -1, self1, all1;
	double cpu1, wall, hz = (double)sysconf(_SC_CLK_TCK);
	uint64_t w1;

	if (parse_args(argc, argv) || load_golden(opt.golden))
		return 2;
	rnd_state ^= opt.seed * 0x9E3779B97F4A7C15ull;
	if (!rnd_state)
		rnd_state = 1;
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < opt.conns + 16) {
		fprintf(stderr, "ws_load: %u connections need %u file descriptors; the limit is %llu (ulimit -n)\n",
			opt.conns, opt.conns + 16, (unsigned long long)rl.rlim_cur);
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	conns = calloc(opt.conns, sizeof(*conns));
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (!conns || ep < 0)
		return 1;
	for (unsigned i = 0; i < opt.conns; i++)
		conns[i].fd = -1;
	if (opt.pid)
		rss0 = vmrss_kib(opt.pid);

	if (setup()) {
		close_all();
		printf("RESULT mode=setup_failed conns=%u welcomed=%lu failed_connect=%lu failed_upgrade=%lu lost=%lu\n",
		       opt.conns, st.welcomed, st.failed_connect, st.failed_upgrade, st.lost_early);
		return 1;
	}
	fprintf(stderr, "ws_load: %lu of %u connections ready%s%s\n", st.welcomed, opt.conns,
		st.first_failure[0] ? "; first failure: " : "", st.first_failure);

	if (opt.mode == MODE_CLOSED) {
		run_closed();
	} else if (opt.mode == MODE_OPEN) {
		mark_start();
		run_open();
	} else {
		mark_start();
		uint64_t until = now_ns() + (uint64_t)(opt.settle * 1e9);

		while (!interrupted && now_ns() < until)
			poll_once(10);
		if (opt.pid)
			rss1 = vmrss_kib(opt.pid);
	}
	w1 = now_ns();
	cpu1 = self_cpu_s();
	if (opt.pid)
		tk1 = proc_ticks(opt.pid);
	self1 = proc_ticks((int)getpid());
	all1 = busy_ticks();
	unsigned long alive = 0, hung = in_flight();

	{
		for (unsigned i = 0; i < opt.conns; i++)
			alive += conns[i].st == ST_READY;
		wall = (double)(w1 - mark0.wall) / 1e9;
		close_all();
		if (lat.n)
			qsort(lat.v, lat.n, sizeof(*lat.v), cmp_u64);
		printf("RESULT mode=%s conns=%u ready=%lu alive=%lu failed=%lu",
		       opt.mode == MODE_CLOSED ? "closed" : opt.mode == MODE_OPEN ? "open" : "idle", opt.conns,
		       st.welcomed, alive, st.failed_connect + st.failed_upgrade + st.lost_early);
	}
	if (opt.mode == MODE_IDLE) {
		printf(" rss_before_kib=%ld rss_after_kib=%ld kib_per_conn=%.2f", rss0, rss1,
		       rss0 > 0 && rss1 > 0 && st.welcomed ? (double)(rss1 - rss0) / (double)st.welcomed : 0.0);
	} else {
		double secs = opt.secs;

		printf(" secs=%.2f sent=%lu replies=%lu samples=%zu rps=%.0f p50_us=%.1f p99_us=%.1f max_us=%.1f"
		       " unanswered=%lu answer=%lu clarify=%lu fallback=%lu error=%lu other=%lu",
		       secs, st.sent, st.replies, lat.n, (double)lat.n / secs, pct_us(50), pct_us(99), pct_us(100), hung,
		       st.answer, st.clarify, st.fallback, st.errors, st.other);
		if (opt.mode == MODE_OPEN)
			printf(" late_sends=%lu max_send_lag_us=%.1f fifo_full=%lu", st.late, (double)st.max_lag / 1000.0,
			       st.fifo_full);
	}
	printf(" client_cpu_pct=%.0f", wall > 0 ? 100.0 * (cpu1 - mark0.cpu) / wall : 0.0);
	if (mark0.ticks >= 0 && tk1 >= 0 && wall > 0) {
		double server = (double)(tk1 - mark0.ticks) / hz / wall;

		printf(" server_cpu_pct=%.0f", 100.0 * server);
		if (opt.mode == MODE_CLOSED && server > 0)
			printf(" rps_per_server_cpu=%.0f", (double)lat.n / opt.secs / server);
		/* Everything else the machine ran meanwhile (other processes, the kernel's softirq work). */
		if (mark0.all_ticks >= 0 && all1 >= 0 && mark0.self_ticks >= 0 && self1 >= 0) {
			/* Per-process and per-CPU tick counts are sampled apart: small negative differences are noise. */
			long long others = (all1 - mark0.all_ticks) - (tk1 - mark0.ticks) - (self1 - mark0.self_ticks);

			printf(" others_cpu_pct=%.0f", others > 0 ? 100.0 * (double)others / hz / wall : 0.0);
		}
	}
	printf(" server_closes=%lu disconnects=%lu", st.closes_by_server, st.disconnects);
	print_closes();
	printf("\n");
	if (st.first_failure[0])
		fprintf(stderr, "ws_load: first failure: %s\n", st.first_failure);
	return 0;
}
