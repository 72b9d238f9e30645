/*
 * handoff_chat.c - the customer's side of the hand-off: what the customer's
 * tabs are told when their conversation changes hands, and the agent's
 * messages and typing on their way to the customer.
 */
#include "net/desk.h"

#include "net/server_int.h"

void desk_tell_customer(struct server *srv, const struct handoff_conv *c, const struct handoff_event *ev)
{
	(void)srv;
	(void)c;
	(void)ev;
}

void desk_customer_agent_msg(struct server *srv, const struct handoff_conv *c, const char *text, size_t len,
			     int64_t at)
{
	(void)srv;
	(void)c;
	(void)text;
	(void)len;
	(void)at;
}

void desk_customer_typing(struct server *srv, const struct handoff_conv *c, bool on)
{
	(void)srv;
	(void)c;
	(void)on;
}
