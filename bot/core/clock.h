/*
 * clock.h - the monotonic clock in microseconds. Code that needs the time
 * for decisions (TTLs, rate limits) takes "now" as a parameter, so tests pass
 * a fake time; only the callers at the edge (net/) read this clock.
 */
#ifndef BOT_CORE_CLOCK_H
#define BOT_CORE_CLOCK_H

#include <stdint.h>

#define CLOCK_US_PER_SEC 1000000ull
#define CLOCK_US_PER_MS  1000ull

/* Microseconds since an arbitrary fixed point (CLOCK_MONOTONIC): never goes back. */
uint64_t clock_now_us(void);

/* Seconds since the epoch, with microseconds (wall clock, for timestamps shown to people). */
double clock_wall(void);

#endif
