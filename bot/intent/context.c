/*
 * context.c - flattened scene context with per-field trust. Parses the
 * hello's context with cJSON and verifies its signed block (core/sign).
 * Bounded: at most CONTEXT_MAX_FIELDS fields of bounded size.
 */
#include "intent/context.h"

#include "core/sign.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct field {
	char path[CONTEXT_PATH_BYTES];
	char value[CONTEXT_VALUE_BYTES];
	bool trusted;
};

struct context {
	struct field f[CONTEXT_MAX_FIELDS];
	size_t n;
};

struct context *context_new(void)
{
	return calloc(1, sizeof(struct context));
}

void context_free(struct context *c)
{
	free(c);
}

void context_clear(struct context *c)
{
	c->n = 0;
}

static struct field *find(const struct context *c, const char *path)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->f[i].path, path))
			return (struct field *)&c->f[i];
	return NULL;
}

/* Copy a value: bounded, cut at a UTF-8 boundary, control characters to spaces. */
static void copy_value(char *dst, const char *src)
{
	size_t n = strlen(src);

	if (n >= CONTEXT_VALUE_BYTES) {
		n = CONTEXT_VALUE_BYTES - 1;
		while (n && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	for (size_t i = 0; i < n; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7F ? ' ' : src[i];
	dst[n] = '\0';
}

int context_set(struct context *c, const char *path, const char *value, bool trusted)
{
	struct field *f;

	if (!path || !*path || !value || strlen(path) >= CONTEXT_PATH_BYTES)
		return -EINVAL;
	f = find(c, path);
	if (f && f->trusted && !trusted)
		return -EPERM;
	if (!f) {
		if (c->n >= CONTEXT_MAX_FIELDS)
			return -E2BIG;
		f = &c->f[c->n++];
		memcpy(f->path, path, strlen(path) + 1);
	}
	copy_value(f->value, value);
	f->trusted = trusted;
	return 0;
}

/* Add every scalar under j with the path prefix; returns -E2BIG if something was dropped. */
static int flatten(struct context *c, const cJSON *j, char *path, size_t plen, int depth, bool trusted)
{
	const cJSON *it;
	int rc = 0, idx = 0;

	if (cJSON_IsString(j) || cJSON_IsNumber(j) || cJSON_IsBool(j)) {
		char num[32];
		const char *v;

		if (!plen)
			return 0;
		if (cJSON_IsString(j)) {
			v = j->valuestring;
		} else if (cJSON_IsBool(j)) {
			v = cJSON_IsTrue(j) ? "true" : "false";
		} else {
			double d = j->valuedouble;

			if (d == (double)(long long)d && d > -1e15 && d < 1e15)
				snprintf(num, sizeof(num), "%lld", (long long)d);
			else
				snprintf(num, sizeof(num), "%.15g", d);
			v = num;
		}
		rc = context_set(c, path, v, trusted);
		return rc == -E2BIG ? rc : 0;
	}
	if (!cJSON_IsObject(j) && !cJSON_IsArray(j))
		return 0;
	if (depth >= CONTEXT_MAX_DEPTH)
		return 0;
	for (it = j->child; it; it = it->next, idx++) {
		char seg[24];
		const char *name = cJSON_IsArray(j) ? seg : it->string;
		size_t nl;

		if (cJSON_IsArray(j))
			snprintf(seg, sizeof(seg), "%d", idx);
		if (!name || !*name || strchr(name, '.'))
			continue;
		if (!plen && depth == 0 && !strcmp(name, "signed"))
			continue;
		nl = strlen(name);
		if (plen + (plen ? 1 : 0) + nl >= CONTEXT_PATH_BYTES)
			continue;
		if (plen)
			path[plen] = '.';
		memcpy(path + plen + (plen ? 1 : 0), name, nl + 1);
		if (flatten(c, it, path, plen + (plen ? 1 : 0) + nl, depth + 1, trusted) == -E2BIG)
			rc = -E2BIG;
		path[plen] = '\0';
	}
	return rc;
}

int context_load(struct context *c, const char *json, size_t len, const char *secret, time_t now)
{
	cJSON *root = cJSON_ParseWithLength(json, len), *data = NULL;
	const cJSON *sg, *d, *e, *s;
	char path[CONTEXT_PATH_BYTES];
	int rc = 0, frc;

	if (!cJSON_IsObject(root)) {
		rc = -EINVAL;
		goto out;
	}
	sg = cJSON_GetObjectItemCaseSensitive(root, "signed");
	if (sg) {
		d = cJSON_GetObjectItemCaseSensitive(sg, "data");
		e = cJSON_GetObjectItemCaseSensitive(sg, "exp");
		s = cJSON_GetObjectItemCaseSensitive(sg, "sig");
		if (!cJSON_IsString(d) || !cJSON_IsNumber(e) || !cJSON_IsString(s) ||
		    e->valuedouble != (double)(int64_t)e->valuedouble) {
			rc = -EINVAL;
		} else {
			rc = sign_verify(secret, d->valuestring, (int64_t)e->valuedouble, s->valuestring, now);
			if (!rc) {
				data = cJSON_Parse(d->valuestring);
				if (!cJSON_IsObject(data))
					rc = -EINVAL;
			}
		}
	}
	/* Signed fields first: unsigned ones cannot replace them afterwards. */
	if (!rc && data) {
		path[0] = '\0';
		rc = flatten(c, data, path, 0, 0, true);
	}
	path[0] = '\0';
	frc = flatten(c, root, path, 0, 0, false);
	if (!rc)
		rc = frc;
out:
	cJSON_Delete(data);
	cJSON_Delete(root);
	return rc;
}

const char *context_get(const struct context *c, const char *path, bool *trusted)
{
	const struct field *f = c && path ? find(c, path) : NULL;

	if (trusted)
		*trusted = f && f->trusted;
	return f ? f->value : NULL;
}

bool context_has(const struct context *c, const char *path, bool trusted_only)
{
	size_t pl;

	if (!c || !path)
		return false;
	pl = strlen(path);
	for (size_t i = 0; i < c->n; i++) {
		const struct field *f = &c->f[i];

		if (trusted_only && !f->trusted)
			continue;
		if (!strncmp(f->path, path, pl) && (f->path[pl] == '\0' || f->path[pl] == '.'))
			return true;
	}
	return false;
}

size_t context_count(const struct context *c)
{
	return c ? c->n : 0;
}

int context_field(const struct context *c, size_t i, const char **path, const char **value, bool *trusted)
{
	if (!c || i >= c->n)
		return -ENOENT;
	if (path)
		*path = c->f[i].path;
	if (value)
		*value = c->f[i].value;
	if (trusted)
		*trusted = c->f[i].trusted;
	return 0;
}
