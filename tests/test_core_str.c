/*
 * test_core_str.c - UTF-8 validation and folding.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/str.h"
#include "core/strmap.h"

static void utf8_should_accept_mixed_scripts(void **state)
{
	const char *s = "iPhone 退货 Ελλάδα Москва";

	assert_true(str_utf8_valid(s, strlen(s), NULL));
}

static void utf8_should_reject_overlongs_surrogates_and_truncation_with_offset(void **state)
{
	size_t off = 99;

	assert_false(str_utf8_valid("ab\xC0\xAF", 4, &off));    /* overlong '/' */
	assert_int_equal(off, 2);
	assert_false(str_utf8_valid("\xED\xA0\x80", 3, &off));  /* surrogate */
	assert_int_equal(off, 0);
	assert_false(str_utf8_valid("x\xE9\x80", 3, &off));     /* truncated */
	assert_int_equal(off, 1);
	assert_false(str_utf8_valid("\xF4\x90\x80\x80", 4, NULL)); /* above U+10FFFF */
}

static void fold_should_lowercase_latin_greek_and_cyrillic(void **state)
{
	assert_int_equal(str_fold('A'), 'a');
	assert_int_equal(str_fold(0xC9), 0xE9);   /* É -> é (accent kept) */
	assert_int_equal(str_fold(0x0152), 0x0153); /* Œ -> œ */
	assert_int_equal(str_fold(0x0394), 0x03B4); /* Δ -> δ */
	assert_int_equal(str_fold(0x03C2), 0x03C3); /* final sigma -> sigma */
	assert_int_equal(str_fold(0x041C), 0x043C); /* М -> м */
	assert_int_equal(str_fold(0x0401), 0x0451); /* Ё -> ё */
}

static void fold_should_turn_full_width_ascii_into_half_width(void **state)
{
	assert_int_equal(str_fold(0xFF21), 'a');  /* Ａ -> a */
	assert_int_equal(str_fold(0xFF11), '1');  /* １ */
	assert_int_equal(str_fold(0xFF1F), '?');  /* ？ */
	assert_int_equal(str_fold(0x3000), ' ');  /* ideographic space */
	assert_int_equal(str_fold(0x2019), '\''); /* typographic apostrophe */
}

static void class_should_separate_words_han_and_punctuation(void **state)
{
	assert_int_equal(str_class_of('a'), STR_WORD);
	assert_int_equal(str_class_of('7'), STR_WORD);
	assert_int_equal(str_class_of(0x9000), STR_HAN);
	assert_int_equal(str_class_of(0x3002), STR_SPACE);  /* 。 */
	assert_int_equal(str_class_of('?'), STR_SPACE);
	assert_int_equal(str_class_of('\''), STR_JOINER);
}

static void decode_should_roundtrip_every_length(void **state)
{
	const uint32_t cps[] = { 0x41, 0xE9, 0x9000, 0x1F600 };

	for (size_t k = 0; k < 4; k++) {
		char buf[4];
		size_t n = str_utf8_put(buf, cps[k]), i = 0;

		assert_int_equal(n, k + 1);
		assert_int_equal(str_utf8_next(buf, n, &i), cps[k]);
		assert_int_equal(i, n);
	}
}

static void strmap_should_keep_every_key_across_growth(void **state)
{
	struct strmap *m = strmap_new();
	char key[32];
	int ins;

	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "key-%d", i);
		assert_non_null(strmap_put(m, key, strlen(key), (uint32_t)i, &ins));
		assert_true(ins);
	}
	assert_non_null(strmap_put(m, "key-7", 5, 99, &ins));
	assert_false(ins);
	for (int i = 0; i < 5000; i++) {
		uint32_t *v;

		snprintf(key, sizeof(key), "key-%d", i);
		v = strmap_get(m, key, strlen(key));
		assert_non_null(v);
		assert_int_equal(*v, (uint32_t)i);
	}
	assert_null(strmap_get(m, "absent", 6));
	assert_int_equal(strmap_count(m), 5000);
	strmap_free(m);
	strmap_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(utf8_should_accept_mixed_scripts),
		cmocka_unit_test(utf8_should_reject_overlongs_surrogates_and_truncation_with_offset),
		cmocka_unit_test(fold_should_lowercase_latin_greek_and_cyrillic),
		cmocka_unit_test(fold_should_turn_full_width_ascii_into_half_width),
		cmocka_unit_test(class_should_separate_words_han_and_punctuation),
		cmocka_unit_test(decode_should_roundtrip_every_length),
		cmocka_unit_test(strmap_should_keep_every_key_across_growth),
	};
	return cmocka_run_group_tests_name("core/str", tests, NULL, NULL);
}
