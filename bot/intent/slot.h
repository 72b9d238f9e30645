/*
 * slot.h - typed slot values found in customer text by hand-written
 * matchers (no regex library): order numbers, e-mail addresses, phone
 * numbers and dates. Pure functions; never allocate.
 */
#ifndef BOT_INTENT_SLOT_H
#define BOT_INTENT_SLOT_H

#include <stddef.h>
#include <time.h>

enum slot_type {
	SLOT_TEXT = 0,       /* the whole answer to a prompt, trimmed */
	SLOT_ORDER_NUMBER,   /* "#A-10023", "order 1234", "订单号 20261127001" */
	SLOT_EMAIL,          /* "name@example.com", lowercased */
	SLOT_PHONE,          /* "+44 20 7946 0958", "138 0013 8000" -> digits with a leading "+" if given */
	SLOT_DATE            /* "2026-11-27", "27 Nov 2026", "11月27日", "yesterday" -> "YYYY-MM-DD" */
};

/* The type named name ("text", "order_number", "email", "phone", "date"), or -EINVAL. */
int slot_type_from_name(const char *name);

/* The name of a type (static string). */
const char *slot_type_name(enum slot_type t);

/*
 * Find the first value of type t in the UTF-8 text[0..len) and write its
 * normal form (NUL-terminated) into out[0..cap). Full-width digits and
 * letters are read as ASCII. now resolves relative and year-less dates (UTC).
 * Returns 0, -ENOENT when there is none, -E2BIG when it does not fit.
 *
 * Order numbers: a run of 4-32 letters, digits and inner hyphens holding at
 * least 4 digits, optionally after "#"; a run introduced by "#" or an order
 * word ("order", "no", "订单", "单号") is preferred. Runs that are e-mail
 * parts, dates, or phone numbers (a leading "+", or 11 digits starting with
 * 13-19) are skipped.
 * Phones: 7-15 digits, either after "+", or grouped with spaces, hyphens,
 * dots or parentheses, or a Chinese mobile number (11 digits, 13-19...).
 * Dates: YYYY-MM-DD (also / and .), YYYY年M月D日, M月D日/号, "27 Nov[ember]
 * [2026]", "Nov[ember] 27[th][, 2026]", today/yesterday/tomorrow, 今天/昨天/
 * 前天/明天; day/month order is never guessed ("3/4/2026" is not a date).
 */
int slot_extract(enum slot_type t, const char *text, size_t len, time_t now, char *out, size_t cap);

#endif
