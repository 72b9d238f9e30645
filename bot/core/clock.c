/*
 * clock.c - monotonic and wall clocks. Never used for anything but reading
 * the time.
 */
#include "core/clock.h"

#include <time.h>

uint64_t clock_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * CLOCK_US_PER_SEC + (uint64_t)ts.tv_nsec / 1000u;
}

double clock_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}
