/*
 * hours.h - reading business hours as people write them in the config
 * ("mon-fri": "09:00-18:00", "utc_offset": "+08:00") into struct
 * handoff_hours (dialog/handoff.h). Pure string parsing, no I/O.
 */
#ifndef BOT_DIALOG_HOURS_H
#define BOT_DIALOG_HOURS_H

#include "dialog/handoff.h"

#include <stdint.h>

/*
 * A fixed UTC offset: "+08:00", "-05:30", "+8", "UTC", "Z" (and "" for 0),
 * within ±14:00. Sets *minutes. Returns 0 or -EINVAL.
 */
int hours_parse_offset(const char *s, int *minutes);

/*
 * Days: a comma-separated list of days ("mon".."sun", or full names) and
 * ranges ("mon-fri", "fri-mon" wraps), or "daily", "weekdays", "weekends".
 * Case-insensitive, spaces ignored. Sets *mask (bit 0 Sunday .. bit 6
 * Saturday). Returns 0 or -EINVAL.
 */
int hours_parse_days(const char *s, unsigned *mask);

/*
 * A span of one day: "09:00-18:00" (close up to "24:00", after open), or
 * "closed" (both 0). Minutes after local midnight. Returns 0 or -EINVAL
 * (overnight spans such as "22:00-06:00" are refused: split them in two days).
 */
int hours_parse_span(const char *s, uint16_t *open, uint16_t *close);

/* Set the span for every day in mask (always is turned off). */
void hours_apply(struct handoff_hours *h, unsigned mask, uint16_t open, uint16_t close);

#endif
