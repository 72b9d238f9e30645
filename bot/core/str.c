/*
 * str.c - UTF-8 and case folding. Tables cover the scripts faqbot matches
 * (Latin, Greek, Cyrillic, CJK); other code points pass through unchanged.
 */
#include "core/str.h"

/* ---- UTF-8 ---- */

bool str_utf8_valid(const char *s, size_t len, size_t *bad_off)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned c = p[i];
		size_t n;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			n = 1; cp = c & 0x1F; min = 0x80;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 2; cp = c & 0x0F; min = 0x800;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3; cp = c & 0x07; min = 0x10000;
		} else {
			goto bad;
		}
		if (len - i <= n)
			goto bad;
		for (size_t k = 1; k <= n; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				goto bad;
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			goto bad;
		i += n + 1;
	}
	return true;
bad:
	if (bad_off)
		*bad_off = i;
	return false;
}

uint32_t str_utf8_next(const char *s, size_t len, size_t *i)
{
	const unsigned char *p = (const unsigned char *)s + *i;
	size_t left = len - *i;
	uint32_t c = p[0];

	if (c < 0x80) {
		*i += 1;
		return c;
	}
	if (c >= 0xC2 && c <= 0xDF && left >= 2) {
		*i += 2;
		return ((c & 0x1F) << 6) | (p[1] & 0x3F);
	}
	if (c >= 0xE0 && c <= 0xEF && left >= 3) {
		*i += 3;
		return ((c & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
	}
	if (c >= 0xF0 && c <= 0xF4 && left >= 4) {
		*i += 4;
		return ((c & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
		       ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
	}
	*i += 1;
	return 0xFFFD;
}

size_t str_utf8_put(char *out, uint32_t cp)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

size_t str_utf8_count(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

/* ---- folding ---- */

uint32_t str_fold(uint32_t cp)
{
	if (cp < 0x80) {
		if (cp >= 'A' && cp <= 'Z')
			return cp + 32;
		return cp;
	}
	/* Full-width ASCII and the ideographic space. */
	if (cp >= 0xFF01 && cp <= 0xFF5E)
		return str_fold(cp - 0xFEE0);
	if (cp == 0x3000)
		return ' ';
	/* Typographic quotes and dashes that customers' keyboards produce. */
	if (cp == 0x2018 || cp == 0x2019 || cp == 0x02BC)
		return '\'';
	if (cp == 0x201C || cp == 0x201D)
		return '"';
	/* Latin-1 Supplement. */
	if ((cp >= 0xC0 && cp <= 0xDE) && cp != 0xD7)
		return cp + 32;
	/* Latin Extended-A: case pairs alternate (even upper, odd lower), with two offset runs. */
	if (cp >= 0x100 && cp <= 0x17F) {
		if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E))
			return (cp & 1) ? cp + 1 : cp;
		if (cp == 0x130)
			return 'i';
		if (cp == 0x138 || cp == 0x149)
			return cp;
		if (cp == 0x178)
			return 0xFF;
		if (cp == 0x17F)
			return 's';
		return (cp & 1) ? cp : cp + 1;
	}
	/* Greek. */
	if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2)
		return cp + 32;
	if (cp == 0x386)
		return 0x3AC;
	if (cp >= 0x388 && cp <= 0x38A)
		return cp + 37;
	if (cp == 0x38C)
		return 0x3CC;
	if (cp == 0x38E || cp == 0x38F)
		return cp + 63;
	if (cp == 0x3C2)
		return 0x3C3;
	/* Cyrillic. */
	if (cp >= 0x410 && cp <= 0x42F)
		return cp + 32;
	if (cp >= 0x400 && cp <= 0x40F)
		return cp + 80;
	if (cp >= 0x460 && cp <= 0x4FF && !(cp >= 0x482 && cp <= 0x489))
		return (cp & 1) ? cp : cp + 1;
	return cp;
}

enum str_script str_script_of(uint32_t cp)
{
	if ((cp >= 'a' && cp <= 'z') || (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7))
		return SCRIPT_LATIN;
	if (cp >= 0x370 && cp <= 0x3FF)
		return SCRIPT_GREEK;
	if (cp >= 0x400 && cp <= 0x4FF)
		return SCRIPT_CYRILLIC;
	if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
	    (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FA1F))
		return SCRIPT_HAN;
	return SCRIPT_OTHER;
}

enum str_class str_class_of(uint32_t cp)
{
	if ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z'))
		return STR_WORD;
	if (cp == '\'' || cp == '-')
		return STR_JOINER;
	if (cp < 0x80)
		return STR_SPACE;
	switch (str_script_of(cp)) {
	case SCRIPT_HAN:
		return STR_HAN;
	case SCRIPT_LATIN:
	case SCRIPT_GREEK:
	case SCRIPT_CYRILLIC:
		return STR_WORD;
	default:
		break;
	}
	/* Combining accents stay inside words. */
	if (cp >= 0x300 && cp <= 0x36F)
		return STR_WORD;
	return STR_SPACE;
}
