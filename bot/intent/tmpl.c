/*
 * tmpl.c - template checking and rendering (see tmpl.h). One pass over the
 * template; an optional part is rendered into the output and rolled back
 * when one of its variables turns out to be missing.
 */
#include "intent/tmpl.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '-' || c == '.';
}

/*
 * The one walker behind check and render. With out == NULL it only checks.
 * Returns the length, or a negative errno; *err_off / *what on -EINVAL.
 */
static int walk(const char *t, const char *(*lookup)(void *, const char *), void *arg, char *out, size_t cap,
		char *missing, size_t *err_off, const char **what,
		void (*each_var)(void *, const char *, int), void *earg)
{
	size_t i = 0, n = 0, opt_start = 0, opt_n = 0;
	bool in_opt = false, opt_missing = false, too_big = false;
	int rc = 0;

#define FAIL(off, msg) do { if (err_off) *err_off = (off); if (what) *what = (msg); rc = -EINVAL; goto out; } while (0)
#define EMIT(p, l) do { size_t l_ = (l); if (out) { if (n + l_ + 1 > cap) too_big = true; else memcpy(out + n, (p), l_); } n += l_; } while (0)
	while (t[i]) {
		char c = t[i];

		if ((c == '{' || c == '}' || c == '[' || c == ']') && t[i + 1] == c) {
			EMIT(&t[i], 1);
			i += 2;
			continue;
		}
		if (c == '{') {
			char name[TMPL_NAME_BYTES];
			size_t s = ++i, l;
			const char *v = NULL;

			while (t[i] && name_char(t[i]))
				i++;
			l = i - s;
			if (t[i] != '}')
				FAIL(s - 1, "a '{' must be followed by a variable name and '}' (write {{ for a brace)");
			if (!l)
				FAIL(s - 1, "empty variable name");
			if (l >= TMPL_NAME_BYTES)
				FAIL(s, "variable name too long");
			memcpy(name, t + s, l);
			name[l] = '\0';
			i++;
			if (each_var)
				each_var(earg, name, in_opt);
			if (lookup)
				v = lookup(arg, name);
			if (out && (!v || !*v)) {
				if (in_opt) {
					opt_missing = true;
					continue;
				}
				if (missing)
					memcpy(missing, name, l + 1);
				rc = -ENOENT;
				goto out;
			}
			if (v)
				EMIT(v, strlen(v));
			continue;
		}
		if (c == '[') {
			if (in_opt)
				FAIL(i, "optional parts [ ] cannot nest (write [[ for a bracket)");
			in_opt = true;
			opt_missing = false;
			opt_start = i;
			opt_n = n;
			i++;
			continue;
		}
		if (c == ']') {
			if (!in_opt)
				FAIL(i, "']' without '[' (write ]] for a bracket)");
			in_opt = false;
			if (opt_missing)
				n = opt_n;
			i++;
			continue;
		}
		if (c == '}')
			FAIL(i, "'}' without '{' (write }} for a brace)");
		EMIT(&t[i], 1);
		i++;
	}
	if (in_opt)
		FAIL(opt_start, "'[' is never closed");
	if (too_big)
		rc = -E2BIG;
out:
#undef FAIL
#undef EMIT
	if (out && cap) {
		if (rc < 0)
			n = 0;
		out[n < cap ? n : cap - 1] = '\0';
	}
	return rc < 0 ? rc : (int)n;
}

int tmpl_check(const char *t, size_t *err_off, const char **what,
	       void (*each_var)(void *arg, const char *name, int optional), void *arg)
{
	int rc = walk(t, NULL, NULL, NULL, 0, NULL, err_off, what, each_var, arg);

	return rc < 0 ? rc : 0;
}

int tmpl_render(const char *t, const char *(*lookup)(void *arg, const char *name), void *arg,
		char *out, size_t cap, char *missing)
{
	size_t off;
	const char *what;

	if (!t || !lookup || !out || !cap)
		return -EINVAL;
	if (tmpl_check(t, &off, &what, NULL, NULL))
		return (out[0] = '\0', -EINVAL);
	return walk(t, lookup, arg, out, cap, missing, NULL, NULL, NULL, NULL);
}
