/*
 * slot.c - hand-written matchers for typed slot values (see slot.h). Text is
 * first copied with full-width ASCII folded to ASCII; then dates are found
 * (so their digits are not taken for order or phone numbers), then phones,
 * then order numbers.
 */
#include "intent/slot.h"

#include "core/limits.h"
#include "core/str.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MAX_SPANS 32

struct span {
	size_t from, to;
};

struct text {
	char b[LIM_UTTERANCE + 1];
	size_t n;
	struct span dates[MAX_SPANS], phones[MAX_SPANS];
	size_t n_dates, n_phones;
};

static const char *const type_names[] = { "text", "order_number", "email", "phone", "date" };

int slot_type_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (name && !strcmp(name, type_names[i]))
			return (int)i;
	return -EINVAL;
}

const char *slot_type_name(enum slot_type t)
{
	return (unsigned)t < sizeof(type_names) / sizeof(type_names[0]) ? type_names[t] : "?";
}

/* ---- character classes (ASCII only: the copy has full-width folded) ---- */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }
static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

static int put(char *out, size_t cap, const char *s, size_t n)
{
	if (n + 1 > cap)
		return -E2BIG;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* Copy text with full-width ASCII (U+FF01..FF5E) and U+3000 folded; cut at LIM_UTTERANCE. */
static void normalise(struct text *t, const char *s, size_t len)
{
	size_t i = 0;

	t->n = 0;
	t->n_dates = t->n_phones = 0;
	if (!str_utf8_valid(s, len, NULL))
		len = 0;
	while (i < len) {
		size_t at = i;
		uint32_t cp = str_utf8_next(s, len, &i);

		if (cp >= 0xFF01 && cp <= 0xFF5E)
			cp -= 0xFEE0;
		else if (cp == 0x3000)
			cp = ' ';
		if (cp < 0x80) {
			if (t->n + 1 > LIM_UTTERANCE)
				break;
			t->b[t->n++] = (char)cp;
		} else {
			if (t->n + (i - at) > LIM_UTTERANCE)
				break;
			memcpy(t->b + t->n, s + at, i - at);
			t->n += i - at;
		}
	}
	t->b[t->n] = '\0';
}

static bool in_spans(const struct span *sp, size_t n, size_t from, size_t to)
{
	for (size_t i = 0; i < n; i++)
		if (from < sp[i].to && to > sp[i].from)
			return true;
	return false;
}

/* Digits at b[*i], 1..maxd of them, as a number; advances *i. */
static int number(const char *b, size_t n, size_t *i, int mind, int maxd)
{
	int v = 0, k = 0;

	while (*i < n && is_digit(b[*i]) && k < maxd) {
		v = v * 10 + (b[*i] - '0');
		(*i)++;
		k++;
	}
	if (k < mind || (*i < n && is_digit(b[*i])))
		return -1;
	return v;
}

static bool starts_with(const char *b, size_t n, size_t i, const char *w)
{
	size_t l = strlen(w);

	return i + l <= n && !memcmp(b + i, w, l);
}

/* ---- dates ---- */

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static bool valid_ymd(int y, int m, int d)
{
	static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1)
		return false;
	return d <= dim[m - 1] + (m == 2 && leap(y));
}

static const char *const months[] = { "january", "february", "march", "april", "may", "june", "july",
				      "august", "september", "october", "november", "december" };

/* An English month name (full or 3+ letters of it, "sept") at b[*i] followed by a non-letter. */
static int month_at(const char *b, size_t n, size_t *i)
{
	size_t j = *i, l;
	char w[16];

	while (j < n && is_alpha(b[j]) && j - *i < sizeof(w) - 1) {
		w[j - *i] = lower(b[j]);
		j++;
	}
	l = j - *i;
	if (l < 3 || (j < n && is_alpha(b[j])))
		return -1;
	w[l] = '\0';
	for (int m = 0; m < 12; m++) {
		size_t ml = strlen(months[m]);

		if ((l == ml || l == 3 || (m == 8 && l == 4)) && l <= ml && !strncmp(w, months[m], l)) {
			*i = j;
			if (j < n && b[j] == '.')
				(*i)++;
			return m + 1;
		}
	}
	return -1;
}

static size_t skip_sp(const char *b, size_t n, size_t i)
{
	while (i < n && b[i] == ' ')
		i++;
	return i;
}

/* Ordinal suffix after a day number: 1st 2nd 3rd 4th. */
static size_t skip_ordinal(const char *b, size_t n, size_t i)
{
	static const char *const suf[] = { "st", "nd", "rd", "th" };

	for (int k = 0; k < 4; k++)
		if (i + 2 <= n && lower(b[i]) == suf[k][0] && lower(b[i + 1]) == suf[k][1] &&
		    (i + 2 == n || !is_alpha(b[i + 2])))
			return i + 2;
	return i;
}

/* An optional ", 2026" / " 2026" after a day-month; returns the year or 0. */
static int opt_year(const char *b, size_t n, size_t *i)
{
	size_t j = *i;
	int y;

	if (j < n && b[j] == ',')
		j++;
	j = skip_sp(b, n, j);
	if (j >= n || !is_digit(b[j]))
		return 0;
	y = number(b, n, &j, 4, 4);
	if (y < 0)
		return 0;
	*i = j;
	return y;
}

static const struct {
	const char *w;
	int days;
} relative[] = { { "today", 0 }, { "yesterday", -1 }, { "tomorrow", 1 }, { "今天", 0 }, { "今日", 0 },
		 { "昨天", -1 }, { "昨日", -1 }, { "前天", -2 }, { "明天", 1 } };

/* A date starting at b[i]: fills y-m-d and the end offset. */
static bool date_at(const char *b, size_t n, size_t i, time_t now, int *y, int *m, int *d, size_t *end)
{
	bool word_start = i == 0 || !is_alnum(b[i - 1]);
	struct tm tm;
	size_t j = i;

	gmtime_r(&now, &tm);
	*y = tm.tm_year + 1900;
	for (size_t k = 0; k < sizeof(relative) / sizeof(relative[0]); k++) {
		size_t l = strlen(relative[k].w), q;
		time_t t;

		if (i + l > n)
			continue;
		if (is_alpha(relative[k].w[0])) {
			if (!word_start || (i + l < n && is_alpha(b[i + l])))
				continue;
			for (q = 0; q < l && lower(b[i + q]) == relative[k].w[q]; q++)
				;
			if (q < l)
				continue;
		} else if (memcmp(b + i, relative[k].w, l)) {
			continue;
		}
		t = now + (time_t)relative[k].days * 86400;
		gmtime_r(&t, &tm);
		*y = tm.tm_year + 1900;
		*m = tm.tm_mon + 1;
		*d = tm.tm_mday;
		*end = i + l;
		return true;
	}
	if (is_digit(b[i]) && (i == 0 || !is_digit(b[i - 1]))) {
		int a;

		j = i;
		a = number(b, n, &j, 1, 4);
		if (a < 0)
			return false;
		/* YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD */
		if (j - i == 4 && j < n && (b[j] == '-' || b[j] == '/' || b[j] == '.')) {
			char sep = b[j];
			size_t k = j + 1;
			int mm = number(b, n, &k, 1, 2), dd;

			if (mm > 0 && k < n && b[k] == sep) {
				k++;
				dd = number(b, n, &k, 1, 2);
				if (dd > 0 && valid_ymd(a, mm, dd) && (k == n || !is_alnum(b[k]))) {
					*y = a, *m = mm, *d = dd, *end = k;
					return true;
				}
			}
		}
		/* D/M/YYYY or M/D/YYYY, only when one reading is possible. */
		if (j - i <= 2 && j < n && (b[j] == '/' || b[j] == '.') && word_start) {
			char sep = b[j];
			size_t k = j + 1;
			int c2 = number(b, n, &k, 1, 2), yy;

			if (c2 > 0 && k < n && b[k] == sep) {
				k++;
				yy = number(b, n, &k, 4, 4);
				if (yy > 0 && (k == n || !is_alnum(b[k]))) {
					bool dm = valid_ymd(yy, c2, a), md = valid_ymd(yy, a, c2);

					if (dm != md || (dm && a == c2)) {
						*y = yy, *m = dm ? c2 : a, *d = dm ? a : c2, *end = k;
						return true;
					}
				}
			}
		}
		/* 2026年11月27日, 11月27日, 11月27号 */
		{
			size_t k = j;
			int yy = *y, mm, dd;

			if (j - i == 4 && starts_with(b, n, k, "年")) {
				yy = a;
				k += strlen("年");
				k = skip_sp(b, n, k);
				mm = number(b, n, &k, 1, 2);
			} else {
				mm = j - i <= 2 ? a : -1;
			}
			if (mm > 0 && starts_with(b, n, k, "月")) {
				k += strlen("月");
				k = skip_sp(b, n, k);
				dd = number(b, n, &k, 1, 2);
				if (dd > 0 && (starts_with(b, n, k, "日") || starts_with(b, n, k, "号")) && valid_ymd(yy, mm, dd)) {
					*y = yy, *m = mm, *d = dd, *end = k + strlen("日");
					return true;
				}
			}
		}
		/* 27 Nov[ember] [2026], 27th of November */
		if (j - i <= 2 && word_start) {
			size_t k = skip_sp(b, n, skip_ordinal(b, n, j));
			int mm;

			if (starts_with(b, n, k, "of "))
				k = skip_sp(b, n, k + 3);
			mm = month_at(b, n, &k);
			if (mm > 0) {
				int yy = opt_year(b, n, &k);

				if (valid_ymd(yy ? yy : *y, mm, a)) {
					*y = yy ? yy : *y, *m = mm, *d = a, *end = k;
					return true;
				}
			}
		}
		return false;
	}
	/* Nov[ember] 27[th][, 2026] */
	if (is_alpha(b[i]) && word_start) {
		int mm = month_at(b, n, &j), dd, yy;
		size_t k;

		if (mm < 0)
			return false;
		k = skip_sp(b, n, j);
		if (k == j || k >= n || !is_digit(b[k]))
			return false;
		dd = number(b, n, &k, 1, 2);
		if (dd < 0)
			return false;
		k = skip_ordinal(b, n, k);
		if (k < n && is_alnum(b[k]))
			return false;
		yy = opt_year(b, n, &k);
		if (!valid_ymd(yy ? yy : *y, mm, dd))
			return false;
		*y = yy ? yy : *y, *m = mm, *d = dd, *end = k;
		return true;
	}
	return false;
}

static void find_dates(struct text *t, time_t now)
{
	for (size_t i = 0; i < t->n && t->n_dates < MAX_SPANS; i++) {
		int y, m, d;
		size_t e;

		if (date_at(t->b, t->n, i, now, &y, &m, &d, &e)) {
			t->dates[t->n_dates++] = (struct span){ i, e };
			i = e - 1;
		}
	}
}

static int find_date(const struct text *t, time_t now, char *out, size_t cap)
{
	for (size_t i = 0; i < t->n; i++) {
		int y, m, d;
		size_t e;
		char v[16];

		if (date_at(t->b, t->n, i, now, &y, &m, &d, &e)) {
			snprintf(v, sizeof(v), "%04d-%02d-%02d", y, m, d);
			return put(out, cap, v, strlen(v));
		}
	}
	return -ENOENT;
}

/* ---- phones ---- */

/* A phone number starting at b[i]; writes its digits (with "+") into v. */
static bool phone_at(const struct text *t, size_t i, char *v, size_t *vl, size_t *end)
{
	const char *b = t->b;
	size_t n = t->n, j = i, last = 0, first_digit = SIZE_MAX;
	int digits = 0, groups = 0, seps = 0;
	bool plus = false, in_group = false;

	if (i > 0 && (is_alnum(b[i - 1]) || b[i - 1] == '+' || b[i - 1] == '-' || b[i - 1] == '.' || b[i - 1] == '#'))
		return false;
	if (b[i] == '+') {
		plus = true;
		j++;
	}
	if (j >= n || !(is_digit(b[j]) || b[j] == '('))
		return false;
	*vl = 0;
	if (plus)
		v[(*vl)++] = '+';
	for (; j < n; j++) {
		char c = b[j];

		if (is_digit(c)) {
			if (digits >= 15)
				return false;
			if (first_digit == SIZE_MAX)
				first_digit = j;
			v[(*vl)++] = c;
			digits++;
			last = j;
			if (!in_group)
				groups++;
			in_group = true;
		} else if ((c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') && digits < 15) {
			/* One separator between groups ("(0)20 7946-0958"); two spaces end the number. */
			if (c == ' ' && j + 1 < n && b[j + 1] == ' ')
				break;
			if (c != '(' && c != ')' && !in_group && !(j > i && b[j - 1] == ')'))
				break;
			if (in_group)
				seps++;
			in_group = false;
		} else {
			break;
		}
	}
	v[*vl] = '\0';
	*end = last + 1;
	if (*end < n && b[*end] == ')')
		(*end)++;
	if (*end < n && (is_alpha(b[*end]) || b[*end] == '@'))
		return false;
	if (digits < 7 || in_spans(t->dates, t->n_dates, i, *end))
		return false;
	if (plus)
		return true;
	if (seps > 0 && groups >= 2)
		return true;
	return digits == 11 && b[first_digit] == '1' && b[first_digit + 1] >= '3' && b[first_digit + 1] <= '9';
}

static void find_phones(struct text *t)
{
	char v[32];
	size_t vl, e;

	for (size_t i = 0; i < t->n && t->n_phones < MAX_SPANS; i++)
		if (phone_at(t, i, v, &vl, &e)) {
			t->phones[t->n_phones++] = (struct span){ i, e };
			i = e - 1;
		}
}

static int find_phone(const struct text *t, char *out, size_t cap)
{
	char v[32];
	size_t vl, e;

	for (size_t i = 0; i < t->n; i++)
		if (phone_at(t, i, v, &vl, &e))
			return put(out, cap, v, vl);
	return -ENOENT;
}

/* ---- e-mail ---- */

static bool local_char(char c) { return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'; }
static bool domain_char(char c) { return is_alnum(c) || c == '.' || c == '-'; }

/* The e-mail address around the '@' at b[at], if any: its span. */
static bool email_at(const char *b, size_t n, size_t at, size_t *from, size_t *to)
{
	size_t s = at, e = at + 1, dot = 0, tld;

	while (s > 0 && local_char(b[s - 1]))
		s--;
	while (s < at && b[s] == '.')
		s++;
	while (e < n && domain_char(b[e]))
		e++;
	while (e > at + 1 && (b[e - 1] == '.' || b[e - 1] == '-'))
		e--;
	if (s == at || e <= at + 1)
		return false;
	for (size_t k = at + 1; k < e; k++) {
		if (b[k] == '.') {
			if (k == at + 1 || b[k - 1] == '.')
				return false;
			dot = k;
		}
	}
	if (!dot)
		return false;
	for (tld = dot + 1; tld < e; tld++)
		if (!is_alpha(b[tld]))
			return false;
	if (e - dot - 1 < 2)
		return false;
	*from = s;
	*to = e;
	return true;
}

static int find_email(const struct text *t, char *out, size_t cap)
{
	for (size_t i = 0; i < t->n; i++) {
		size_t f, e;

		if (t->b[i] == '@' && email_at(t->b, t->n, i, &f, &e)) {
			char v[256];

			if (e - f >= sizeof(v))
				return -E2BIG;
			for (size_t k = f; k < e; k++)
				v[k - f] = lower(t->b[k]);
			return put(out, cap, v, e - f);
		}
	}
	return -ENOENT;
}

/* ---- order numbers ---- */

/* True when an order word (or '#') ends just before b[i] (spaces, ':' and '：' skipped). */
static bool after_order_word(const char *b, size_t i)
{
	static const char *const words[] = { "#", "order", "order number", "order no", "order no.", "no.", "no",
					     "number", "订单", "订单号", "单号", "编号", "订单编号" };
	size_t j = i;

	while (j > 0 && (b[j - 1] == ' ' || b[j - 1] == ':'))
		j--;
	if (j >= 3 && !memcmp(b + j - 3, "：", 3))
		j -= 3;
	while (j > 0 && b[j - 1] == ' ')
		j--;
	for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
		size_t l = strlen(words[k]), q;

		if (l > j)
			continue;
		for (q = 0; q < l && lower(b[j - l + q]) == words[k][q]; q++)
			;
		if (q == l && (j == l || !is_alpha(b[j - l - 1]) || !is_alpha(words[k][0])))
			return true;
	}
	return false;
}

static int find_order(const struct text *t, char *out, size_t cap)
{
	const char *b = t->b;
	size_t n = t->n, best_f = 0, best_e = 0;
	bool have = false;

	for (size_t i = 0; i < n; i++) {
		size_t j = i, digits = 0;
		bool keyword;

		if (!is_alnum(b[i]) || (i > 0 && (is_alnum(b[i - 1]) || b[i - 1] == '-')))
			continue;
		while (j < n && (is_alnum(b[j]) || (b[j] == '-' && j + 1 < n && is_alnum(b[j + 1]))))
			digits += is_digit(b[j++]);
		if (j - i < 4 || j - i > 32 || digits < 4)
			goto next;
		/* Parts of an e-mail address or a decimal number, dates and phone numbers are not order numbers. */
		if ((i > 0 && (b[i - 1] == '@' || b[i - 1] == '.' || b[i - 1] == '+')) ||
		    (j < n && (b[j] == '@' || (b[j] == '.' && j + 1 < n && is_alnum(b[j + 1])))))
			goto next;
		if (in_spans(t->dates, t->n_dates, i, j) || in_spans(t->phones, t->n_phones, i, j))
			goto next;
		keyword = after_order_word(b, i);
		if (keyword) {
			best_f = i, best_e = j, have = true;
			break;
		}
		if (!have)
			best_f = i, best_e = j, have = true;
next:
		i = j > i ? j - 1 : i;
	}
	if (!have)
		return -ENOENT;
	return put(out, cap, b + best_f, best_e - best_f);
}

/* ---- entry point ---- */

int slot_extract(enum slot_type type, const char *text, size_t len, time_t now, char *out, size_t cap)
{
	struct text t;

	if (!text || !out || !cap)
		return -EINVAL;
	normalise(&t, text, len);
	switch (type) {
	case SLOT_TEXT: {
		size_t f = 0, e = t.n;

		while (f < e && (t.b[f] == ' ' || t.b[f] == '\t' || t.b[f] == '\n' || t.b[f] == '\r'))
			f++;
		while (e > f && (t.b[e - 1] == ' ' || t.b[e - 1] == '\t' || t.b[e - 1] == '\n' || t.b[e - 1] == '\r'))
			e--;
		if (e == f)
			return -ENOENT;
		return put(out, cap, t.b + f, e - f);
	}
	case SLOT_ORDER_NUMBER:
		find_dates(&t, now);
		find_phones(&t);
		return find_order(&t, out, cap);
	case SLOT_EMAIL:
		return find_email(&t, out, cap);
	case SLOT_PHONE:
		find_dates(&t, now);
		return find_phone(&t, out, cap);
	case SLOT_DATE:
		return find_date(&t, now, out, cap);
	}
	return -EINVAL;
}
