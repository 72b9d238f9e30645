/*
 * fake_handoff_store.h - an in-memory struct handoff_store_ops for the
 * dialog/ suites: the same contract as store/handoff_db.c (compare-and-set
 * writes, -EEXIST on a taken ticket ref) without SQLite, plus switches to
 * make the next write fail and counters to prove that nothing was written.
 */
#ifndef TESTS_FAKE_HANDOFF_STORE_H
#define TESTS_FAKE_HANDOFF_STORE_H

#include "dialog/handoff.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FAKE_MAX 256

struct fake_store {
	struct handoff_conv conv[FAKE_MAX];
	char *casefile[FAKE_MAX];
	size_t n_conv;
	struct handoff_ticket ticket[FAKE_MAX];
	size_t n_ticket;
	struct handoff_sample sample[FAKE_MAX];
	size_t n_sample;
	struct { char conv[LIM_ID + 1]; int64_t at; enum handoff_from from; char author[LIM_ID + 1]; char *text; } msg[FAKE_MAX];
	size_t n_msg;
	struct { enum handoff_state from, to; char detail[64]; } event[FAKE_MAX];
	size_t n_event;
	struct handoff_agent agent[16];
	size_t n_agent;
	struct { char hash[65]; char agent[LIM_ID + 1]; int64_t expires; } session[16];
	size_t n_session;
	size_t n_draft;
	char last_draft_q[128];
	int fail_next_write;      /* error returned by the next write, then cleared */
	size_t writes;            /* successful writes */
};

static int fake_conv_index(struct fake_store *f, const char *id)
{
	for (size_t i = 0; i < f->n_conv; i++)
		if (strcmp(f->conv[i].id, id) == 0)
			return (int)i;
	return -1;
}

static int fake_write(void *self, const struct handoff_write *w)
{
	struct fake_store *f = self;
	int i = fake_conv_index(f, w->conv->id);
	enum handoff_state stored = i < 0 ? HANDOFF_BOT : f->conv[i].state;

	if (f->fail_next_write) {
		int rc = f->fail_next_write;

		f->fail_next_write = 0;
		return rc;
	}
	if (stored != w->expect)
		return -EBUSY;
	if (w->ticket) {
		size_t k;

		for (k = 0; k < f->n_ticket && strcmp(f->ticket[k].ref, w->ticket->ref); k++)
			;
		if (k < f->n_ticket && f->ticket[k].open && w->ticket->open)
			return -EEXIST;
		if (k == f->n_ticket)
			f->n_ticket++;
		f->ticket[k] = *w->ticket;
	}
	if (i < 0)
		i = (int)f->n_conv++;
	f->conv[i] = *w->conv;
	if (w->casefile) {
		free(f->casefile[i]);
		f->casefile[i] = strndup(w->casefile, w->casefile_len);
	}
	if (w->sample)
		f->sample[f->n_sample++] = *w->sample;
	f->event[f->n_event].from = w->event->from;
	f->event[f->n_event].to = w->event->to;
	strncpy(f->event[f->n_event].detail, w->event->detail ? w->event->detail : "", 63);
	f->n_event++;
	f->writes++;
	return 0;
}

static int fake_load_open(void *self, int (*fn)(void *, const struct handoff_conv *), void *arg)
{
	struct fake_store *f = self;

	for (size_t i = 0; i < f->n_conv; i++) {
		enum handoff_state s = f->conv[i].state;
		int rc;

		if (s != HANDOFF_QUEUED && s != HANDOFF_ASSIGNED && s != HANDOFF_TICKET)
			continue;
		rc = fn(arg, &f->conv[i]);
		if (rc)
			return rc;
	}
	return 0;
}

static int fake_get_conv(void *self, const char *id, struct handoff_conv *out)
{
	struct fake_store *f = self;
	int i = fake_conv_index(f, id);

	if (i < 0)
		return -ENOENT;
	*out = f->conv[i];
	return 0;
}

static int fake_history(void *self, const char *customer, const char *except, size_t max,
			int (*fn)(void *, const struct handoff_conv *), void *arg)
{
	struct fake_store *f = self;
	size_t n = 0;

	for (size_t i = f->n_conv; i-- > 0 && n < max;) {
		if (strcmp(f->conv[i].customer, customer) || (except && !strcmp(f->conv[i].id, except)))
			continue;
		fn(arg, &f->conv[i]);
		n++;
	}
	return 0;
}

static int fake_get_casefile(void *self, const char *conv, char **out, size_t *len)
{
	struct fake_store *f = self;
	int i = fake_conv_index(f, conv);

	if (i < 0 || !f->casefile[i])
		return -ENOENT;
	*out = strdup(f->casefile[i]);
	*len = strlen(*out);
	return 0;
}

static int fake_append_msg(void *self, const struct handoff_msg *m)
{
	struct fake_store *f = self;

	if (f->n_msg == FAKE_MAX)
		return -ENOSPC;
	strcpy(f->msg[f->n_msg].conv, m->conv);
	f->msg[f->n_msg].at = m->at;
	f->msg[f->n_msg].from = m->from;
	strcpy(f->msg[f->n_msg].author, m->author);
	f->msg[f->n_msg].text = strndup(m->text, m->text_len);
	f->n_msg++;
	return 0;
}

static int fake_load_msgs(void *self, const char *conv, int64_t after, size_t max,
			  int (*fn)(void *, const struct handoff_msg *), void *arg)
{
	struct fake_store *f = self;

	for (size_t i = 0; i < f->n_msg && max; i++) {
		struct handoff_msg m = { (int64_t)i + 1, f->msg[i].conv, f->msg[i].at, f->msg[i].from, f->msg[i].author,
					 f->msg[i].text, strlen(f->msg[i].text) };

		if (strcmp(f->msg[i].conv, conv) || m.id <= after)
			continue;
		max--;
		if (fn(arg, &m))
			break;
	}
	return 0;
}

static int fake_get_ticket(void *self, const char *ref, struct handoff_ticket *out)
{
	struct fake_store *f = self;

	for (size_t i = 0; i < f->n_ticket; i++)
		if (!strcmp(f->ticket[i].ref, ref)) {
			*out = f->ticket[i];
			return 0;
		}
	return -ENOENT;
}

static int fake_load_samples(void *self, int64_t since, int (*fn)(void *, const struct handoff_sample *), void *arg)
{
	struct fake_store *f = self;

	for (size_t i = 0; i < f->n_sample; i++)
		if (f->sample[i].claimed_at >= since)
			fn(arg, &f->sample[i]);
	return 0;
}

static int fake_agent_put(void *self, const struct handoff_agent *a)
{
	struct fake_store *f = self;
	size_t i;

	for (i = 0; i < f->n_agent && strcmp(f->agent[i].username, a->username); i++)
		;
	if (i == 16)
		return -ENOSPC;
	if (i == f->n_agent)
		f->n_agent++;
	f->agent[i] = *a;
	return 0;
}

static int fake_agent_get(void *self, const char *username, struct handoff_agent *out)
{
	struct fake_store *f = self;

	for (size_t i = 0; i < f->n_agent; i++)
		if (!strcmp(f->agent[i].username, username)) {
			*out = f->agent[i];
			return 0;
		}
	return -ENOENT;
}

static int fake_agent_list(void *self, int (*fn)(void *, const struct handoff_agent *), void *arg)
{
	struct fake_store *f = self;

	for (size_t i = 0; i < f->n_agent; i++) {
		int rc = fn(arg, &f->agent[i]);

		if (rc)
			return rc;
	}
	return 0;
}

static int fake_agent_delete(void *self, const char *username)
{
	return -ENOENT;
}

static int fake_session_put(void *self, const char *hash, const char *agent, int64_t expires, int64_t now)
{
	struct fake_store *f = self;

	if (f->n_session == 16)
		return -ENOSPC;
	strcpy(f->session[f->n_session].hash, hash);
	strcpy(f->session[f->n_session].agent, agent);
	f->session[f->n_session].expires = expires;
	f->n_session++;
	return 0;
}

static int fake_session_get(void *self, const char *hash, char agent[LIM_ID + 1], int64_t *expires)
{
	struct fake_store *f = self;

	for (size_t i = 0; i < f->n_session; i++)
		if (!strcmp(f->session[i].hash, hash)) {
			strcpy(agent, f->session[i].agent);
			*expires = f->session[i].expires;
			return 0;
		}
	return -ENOENT;
}

static int fake_session_delete(void *self, const char *hash)
{
	struct fake_store *f = self;

	for (size_t i = 0; i < f->n_session; i++)
		if (!strcmp(f->session[i].hash, hash)) {
			f->session[i] = f->session[--f->n_session];
			return 0;
		}
	return -ENOENT;
}

static int fake_draft_insert(void *self, struct handoff_draft *d)
{
	struct fake_store *f = self;

	strncpy(f->last_draft_q, d->question, sizeof(f->last_draft_q) - 1);
	d->id = (int64_t)++f->n_draft;
	return 0;
}

static int fake_draft_list(void *self, size_t max, int (*fn)(void *, const struct handoff_draft *), void *arg)
{
	return 0;
}

static const struct handoff_store_ops fake_ops = {
	.write = fake_write,
	.load_open = fake_load_open,
	.get_conv = fake_get_conv,
	.history = fake_history,
	.get_casefile = fake_get_casefile,
	.append_msg = fake_append_msg,
	.load_msgs = fake_load_msgs,
	.get_ticket = fake_get_ticket,
	.load_samples = fake_load_samples,
	.agent_put = fake_agent_put,
	.agent_get = fake_agent_get,
	.agent_list = fake_agent_list,
	.agent_delete = fake_agent_delete,
	.session_put = fake_session_put,
	.session_get = fake_session_get,
	.session_delete = fake_session_delete,
	.draft_insert = fake_draft_insert,
	.draft_list = fake_draft_list,
};

static void fake_store_clear(struct fake_store *f)
{
	for (size_t i = 0; i < FAKE_MAX; i++)
		free(f->casefile[i]);
	for (size_t i = 0; i < f->n_msg; i++)
		free(f->msg[i].text);
	memset(f, 0, sizeof(*f));
}

#endif
