/*
 * jsonpos.c - skip over JSON values to find where members and elements start.
 */
#include "core/jsonpos.h"

#include <stdint.h>
#include <string.h>

void jpos_line_col(const char *text, size_t len, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80) {
			(*col)++;
		}
	}
}

size_t jpos_ws(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

static size_t skip_string(const char *s, size_t n, size_t i)
{
	for (i++; i < n && s[i] != '"'; i++)
		if (s[i] == '\\')
			i++;
	return i < n ? i + 1 : n;
}

size_t jpos_skip_value(const char *s, size_t n, size_t i)
{
	int depth = 0;

	i = jpos_ws(s, n, i);
	if (i < n && s[i] == '"')
		return skip_string(s, n, i);
	for (; i < n; i++) {
		char c = s[i];

		if (c == '"') {
			i = skip_string(s, n, i) - 1;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				return i;
			if (--depth == 0)
				return i + 1;
		} else if ((c == ',' || c == ':') && depth == 0) {
			return i;
		}
	}
	return n;
}

size_t jpos_find_key(const char *s, size_t n, size_t i, const char *key, size_t *kpos)
{
	size_t kl = strlen(key);

	i = jpos_ws(s, n, i);
	if (i >= n || s[i] != '{')
		return SIZE_MAX;
	i++;
	for (;;) {
		size_t ks, ke;

		i = jpos_ws(s, n, i);
		if (i >= n || s[i] != '"')
			return SIZE_MAX;
		ks = i + 1;
		ke = skip_string(s, n, i);
		i = jpos_ws(s, n, ke);
		if (i >= n || s[i] != ':')
			return SIZE_MAX;
		i = jpos_ws(s, n, i + 1);
		if (ke - ks - 1 == kl && !memcmp(s + ks, key, kl)) {
			if (kpos)
				*kpos = ks - 1;
			return i;
		}
		i = jpos_ws(s, n, jpos_skip_value(s, n, i));
		if (i >= n || s[i] != ',')
			return SIZE_MAX;
		i++;
	}
}

size_t jpos_find_index(const char *s, size_t n, size_t i, int idx)
{
	i = jpos_ws(s, n, i);
	if (i >= n || s[i] != '[')
		return SIZE_MAX;
	i = jpos_ws(s, n, i + 1);
	for (int k = 0; k < idx; k++) {
		i = jpos_ws(s, n, jpos_skip_value(s, n, i));
		if (i >= n || s[i] != ',')
			return SIZE_MAX;
		i = jpos_ws(s, n, i + 1);
	}
	return i;
}
