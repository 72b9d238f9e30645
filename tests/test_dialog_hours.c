/*
 * test_dialog_hours.c - business hours as written in the config: offsets,
 * day lists and ranges, spans, and what handoff_hours_open makes of them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "dialog/hours.h"

#include <errno.h>
#include <string.h>

static void hours_should_read_utc_offsets(void **state)
{
	int m = 99;

	assert_int_equal(hours_parse_offset("+08:00", &m), 0);
	assert_int_equal(m, 480);
	assert_int_equal(hours_parse_offset("-05:30", &m), 0);
	assert_int_equal(m, -330);
	assert_int_equal(hours_parse_offset("+8", &m), 0);
	assert_int_equal(m, 480);
	assert_int_equal(hours_parse_offset("UTC+01:00", &m), 0);
	assert_int_equal(m, 60);
	assert_int_equal(hours_parse_offset("UTC", &m), 0);
	assert_int_equal(m, 0);
	assert_int_equal(hours_parse_offset("", &m), 0);
	assert_int_equal(hours_parse_offset("+15:00", &m), -EINVAL);
	assert_int_equal(hours_parse_offset("08:00", &m), -EINVAL);
	assert_int_equal(hours_parse_offset("+08:7", &m), -EINVAL);
	assert_int_equal(hours_parse_offset("+08:60", &m), -EINVAL);
	assert_int_equal(hours_parse_offset("Europe/Paris", &m), -EINVAL);
}

static void hours_should_read_days_lists_and_ranges(void **state)
{
	unsigned m = 0;

	assert_int_equal(hours_parse_days("mon-fri", &m), 0);
	assert_int_equal(m, 0x3e);
	assert_int_equal(hours_parse_days("Sat, Sun", &m), 0);
	assert_int_equal(m, 0x41);
	assert_int_equal(hours_parse_days("fri-mon", &m), 0);     /* wraps over the weekend */
	assert_int_equal(m, 0x63);
	assert_int_equal(hours_parse_days("daily", &m), 0);
	assert_int_equal(m, 0x7f);
	assert_int_equal(hours_parse_days("weekdays", &m), 0);
	assert_int_equal(m, 0x3e);
	assert_int_equal(hours_parse_days("wednesday", &m), 0);
	assert_int_equal(m, 0x08);
	assert_int_equal(hours_parse_days("mo", &m), -EINVAL);
	assert_int_equal(hours_parse_days("mon-", &m), -EINVAL);
	assert_int_equal(hours_parse_days("mon,", &m), -EINVAL);
	assert_int_equal(hours_parse_days("", &m), -EINVAL);
	assert_int_equal(hours_parse_days("funday", &m), -EINVAL);
}

static void hours_should_read_spans_and_refuse_overnight_ones(void **state)
{
	uint16_t o = 1, c = 1;

	assert_int_equal(hours_parse_span("09:00-18:00", &o, &c), 0);
	assert_int_equal(o, 540);
	assert_int_equal(c, 1080);
	assert_int_equal(hours_parse_span("9:30 - 24:00", &o, &c), 0);
	assert_int_equal(o, 570);
	assert_int_equal(c, 1440);
	assert_int_equal(hours_parse_span("closed", &o, &c), 0);
	assert_int_equal(o, 0);
	assert_int_equal(c, 0);
	assert_int_equal(hours_parse_span("22:00-06:00", &o, &c), -EINVAL);
	assert_int_equal(hours_parse_span("09:00-09:00", &o, &c), -EINVAL);
	assert_int_equal(hours_parse_span("24:30-25:00", &o, &c), -EINVAL);
	assert_int_equal(hours_parse_span("09:00", &o, &c), -EINVAL);
	assert_int_equal(hours_parse_span("09:00-18:00x", &o, &c), -EINVAL);
}

static void hours_should_open_only_on_the_days_and_times_given(void **state)
{
	struct handoff_hours h;
	unsigned m;
	uint16_t o, c;
	/* 2026-11-30 is a Monday. 01:30 UTC = 09:30 at +08:00. */
	const int64_t mon_0130_utc = 1796002200000LL;

	memset(&h, 0, sizeof(h));
	assert_int_equal(hours_parse_offset("+08:00", &h.utc_offset_min), 0);
	assert_int_equal(hours_parse_days("mon-fri", &m), 0);
	assert_int_equal(hours_parse_span("09:00-18:00", &o, &c), 0);
	hours_apply(&h, m, o, c);
	assert_true(handoff_hours_open(&h, mon_0130_utc));
	assert_false(handoff_hours_open(&h, mon_0130_utc - 3600000));           /* 08:30 local */
	assert_false(handoff_hours_open(&h, mon_0130_utc - 2 * 86400000LL));    /* Saturday */
	assert_true(handoff_hours_open(&h, mon_0130_utc + 4 * 86400000LL));     /* Friday */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hours_should_read_utc_offsets),
		cmocka_unit_test(hours_should_read_days_lists_and_ranges),
		cmocka_unit_test(hours_should_read_spans_and_refuse_overnight_ones),
		cmocka_unit_test(hours_should_open_only_on_the_days_and_times_given),
	};

	return cmocka_run_group_tests_name("dialog/hours", tests, NULL, NULL);
}
