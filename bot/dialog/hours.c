/*
 * hours.c - business hours from config strings (hours.h).
 */
#include "dialog/hours.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

/* A copy of s without spaces, lowercased. Returns 0 or -EINVAL when it does not fit. */
static int squeeze(const char *s, char *out, size_t size)
{
	size_t n = 0;

	if (!s)
		return -EINVAL;
	for (; *s; s++) {
		if (isspace((unsigned char)*s))
			continue;
		if (n + 1 >= size)
			return -EINVAL;
		out[n++] = (char)tolower((unsigned char)*s);
	}
	out[n] = '\0';
	return 0;
}

int hours_parse_offset(const char *s, int *minutes)
{
	char b[16];
	int sign = 1, h = 0, m = 0, nd = 0;
	const char *p;

	if (squeeze(s, b, sizeof(b)))
		return -EINVAL;
	if (!b[0] || !strcmp(b, "utc") || !strcmp(b, "z") || !strcmp(b, "gmt")) {
		*minutes = 0;
		return 0;
	}
	p = b;
	if (!strncmp(p, "utc", 3))
		p += 3;
	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	else
		return -EINVAL;
	for (; isdigit((unsigned char)*p) && nd < 2; p++, nd++)
		h = h * 10 + (*p - '0');
	if (!nd)
		return -EINVAL;
	if (*p == ':') {
		p++;
		if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]))
			return -EINVAL;
		m = (p[0] - '0') * 10 + (p[1] - '0');
		p += 2;
	}
	if (*p || m > 59 || h * 60 + m > 14 * 60)
		return -EINVAL;
	*minutes = sign * (h * 60 + m);
	return 0;
}

static int day_index(const char *s)
{
	static const char *const names[7] = { "sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
					      "saturday" };
	size_t n = strlen(s);

	for (int i = 0; i < 7; i++)
		if (n >= 3 && n <= strlen(names[i]) && !strncmp(s, names[i], n))
			return i;
	return -1;
}

int hours_parse_days(const char *s, unsigned *mask)
{
	char b[128];
	unsigned m = 0;

	if (squeeze(s, b, sizeof(b)) || !b[0] || b[0] == ',' || b[strlen(b) - 1] == ',' || strstr(b, ",,"))
		return -EINVAL;
	for (char *save = NULL, *tok = strtok_r(b, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(tok, '-');
		int a, z;

		if (!strcmp(tok, "daily") || !strcmp(tok, "everyday")) {
			m |= 0x7f;
			continue;
		}
		if (!strcmp(tok, "weekdays")) {
			m |= 0x3e;
			continue;
		}
		if (!strcmp(tok, "weekends") || !strcmp(tok, "weekend")) {
			m |= 0x41;
			continue;
		}
		if (dash)
			*dash = '\0';
		a = day_index(tok);
		z = dash ? day_index(dash + 1) : a;
		if (a < 0 || z < 0)
			return -EINVAL;
		for (int d = a;; d = (d + 1) % 7) {
			m |= 1u << d;
			if (d == z)
				break;
		}
	}
	*mask = m;
	return 0;
}

/* "HH:MM" (00:00..24:00) at p into minutes; advances p. */
static int clock_time(const char **p, int *out)
{
	const char *s = *p;
	int h, m;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	h = s[0] - '0';
	s++;
	if (isdigit((unsigned char)*s))
		h = h * 10 + (*s++ - '0');
	if (*s++ != ':' || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
		return -EINVAL;
	m = (s[0] - '0') * 10 + (s[1] - '0');
	s += 2;
	if (m > 59 || h > 24 || (h == 24 && m))
		return -EINVAL;
	*out = h * 60 + m;
	*p = s;
	return 0;
}

int hours_parse_span(const char *s, uint16_t *open, uint16_t *close)
{
	char b[32];
	const char *p = b;
	int o, c;

	if (squeeze(s, b, sizeof(b)))
		return -EINVAL;
	if (!strcmp(b, "closed")) {
		*open = *close = 0;
		return 0;
	}
	if (clock_time(&p, &o) || *p++ != '-' || clock_time(&p, &c) || *p || o >= c)
		return -EINVAL;
	*open = (uint16_t)o;
	*close = (uint16_t)c;
	return 0;
}

void hours_apply(struct handoff_hours *h, unsigned mask, uint16_t open, uint16_t close)
{
	h->always = false;
	for (int d = 0; d < 7; d++)
		if (mask & (1u << d)) {
			h->open[d] = open;
			h->close[d] = close;
		}
}
