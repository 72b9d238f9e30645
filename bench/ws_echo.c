/*
 * ws_echo.c - the physical limit for make bench-ws: a minimal libwebsockets
 * server, built from the same library as faqbot serve and run the same way
 * (one explicit vhost, the default poll() loop, one service thread). It has
 * one protocol, "faq-chat", which sends every message back as it came.
 *
 * Per connection it keeps only a queue of messages to send: a message that
 * arrives in one piece is copied straight into a queue entry (with LWS_PRE
 * headroom); a fragmented one is reassembled first, up to MAX_MSG. Frames are
 * written from SERVER_WRITEABLE only, one lws_write per callback, and a
 * client that stops reading is closed after MAX_QUEUE messages.
 *
 * usage: ws_echo [--port N] [--bind ADDR]; prints "open http://ADDR:PORT/".
 */
#include <libwebsockets.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MSG   (64u << 10)
#define MAX_QUEUE 64

struct msg {
	struct msg *next;
	size_t len;
	int binary;
	unsigned char buf[];   /* LWS_PRE bytes of headroom, then the payload */
};

struct pss {
	struct msg *head, *tail;
	unsigned n;
	unsigned char *rx;     /* reassembly of a fragmented message, or NULL */
	size_t rx_len;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static struct msg *msg_new(size_t len, int binary)
{
	struct msg *m = malloc(sizeof(*m) + LWS_PRE + len);

	if (m) {
		m->next = NULL;
		m->len = len;
		m->binary = binary;
	}
	return m;
}

static void push(struct pss *p, struct msg *m)
{
	if (p->tail)
		p->tail->next = m;
	else
		p->head = m;
	p->tail = m;
	p->n++;
}

static void clear(struct pss *p)
{
	struct msg *m, *next;

	for (m = p->head; m; m = next) {
		next = m->next;
		free(m);
	}
	p->head = p->tail = NULL;
	p->n = 0;
	free(p->rx);
	p->rx = NULL;
	p->rx_len = 0;
}

static int receive(struct lws *wsi, struct pss *p, const void *in, size_t len)
{
	int first = lws_is_first_fragment(wsi), final = lws_is_final_fragment(wsi);
	int binary = lws_frame_is_binary(wsi);
	struct msg *m;

	if (p->n >= MAX_QUEUE) {
		lws_close_reason(wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION, (unsigned char *)"not reading", 11);
		return -1;
	}
	if (first && final) {   /* the usual case: no reassembly */
		m = msg_new(len, binary);
		if (!m)
			return -1;
		memcpy(m->buf + LWS_PRE, in, len);
	} else {
		unsigned char *nrx;

		if (first)
			p->rx_len = 0;
		if (len > MAX_MSG - p->rx_len) {
			lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, (unsigned char *)"too big", 7);
			return -1;
		}
		nrx = realloc(p->rx, p->rx_len + len);
		if (!nrx)
			return -1;
		p->rx = nrx;
		memcpy(p->rx + p->rx_len, in, len);
		p->rx_len += len;
		if (!final)
			return 0;
		m = msg_new(p->rx_len, binary);
		if (!m)
			return -1;
		memcpy(m->buf + LWS_PRE, p->rx, p->rx_len);
		free(p->rx);
		p->rx = NULL;
		p->rx_len = 0;
	}
	push(p, m);
	lws_callback_on_writable(wsi);
	return 0;
}

static int writeable(struct lws *wsi, struct pss *p)
{
	struct msg *m = p->head;

	if (!m)
		return 0;   /* one we did not ask for */
	if (lws_write(wsi, m->buf + LWS_PRE, m->len, m->binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT) < (int)m->len)
		return -1;
	p->head = m->next;
	if (!p->head)
		p->tail = NULL;
	p->n--;
	free(m);
	if (p->head)
		lws_callback_on_writable(wsi);
	return 0;
}

static int echo_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct pss *p = user;

	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		memset(p, 0, sizeof(*p));
		return 0;
	case LWS_CALLBACK_RECEIVE:
		return receive(wsi, p, in, len);
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return writeable(wsi, p);
	case LWS_CALLBACK_CLOSED:
		clear(p);
		return 0;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

int main(int argc, char **argv)
{
	static const struct lws_protocols protocols[] = {
		{ "faq-chat", echo_callback, sizeof(struct pss), 4096, 0, NULL, 4096 },
		{ NULL, NULL, 0, 0, 0, NULL, 0 },
	};
	struct lws_context_creation_info info;
	struct lws_context *ctx;
	struct lws_vhost *vh;
	struct sigaction sa;
	const char *iface = "127.0.0.1";
	int port = 0;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--port"))
			port = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--bind"))
			iface = argv[i + 1];
		else {
			fprintf(stderr, "usage: ws_echo [--port N] [--bind ADDR]\n");
			return 2;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;   /* no SA_RESTART: poll() returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	lws_set_log_level(LLL_ERR | LLL_WARN, NULL);

	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
	ctx = lws_create_context(&info);
	if (!ctx) {
		fprintf(stderr, "ws_echo: cannot create the context\n");
		return 1;
	}
	info.vhost_name = "echo";
	info.port = port;
	info.iface = iface;
	info.protocols = protocols;
	vh = lws_create_vhost(ctx, &info);
	if (!vh) {
		fprintf(stderr, "ws_echo: cannot listen on %s:%d\n", iface, port);
		lws_context_destroy(ctx);
		return 1;
	}
	printf("open http://%s:%d/\n", iface, lws_get_vhost_listen_port(vh));
	fflush(stdout);
	while (!stop && lws_service(ctx, 0) >= 0)
		;
	lws_context_destroy(ctx);
	return 0;
}
