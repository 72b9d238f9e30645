/*
 * bucket.h - a token bucket: at most `burst` events at once, refilled at
 * `rate` per second. Used to rate-limit each customer connection. Pure: the
 * caller passes the time, so tests need no clock.
 */
#ifndef BOT_DIALOG_BUCKET_H
#define BOT_DIALOG_BUCKET_H

#include <stdbool.h>
#include <stdint.h>

struct bucket {
	double tokens;       /* available now (at `last`) */
	uint64_t last;       /* microseconds of the last refill */
	double rate;         /* tokens per second, > 0 */
	double burst;        /* capacity, >= 1 */
};

/* Start full at time now. rate <= 0 is taken as 1, burst < 1 as 1. */
void bucket_init(struct bucket *b, double rate, unsigned burst, uint64_t now);

/*
 * Take one token at time now. Returns true when one was available. Otherwise
 * returns false and, if retry_us is not NULL, sets it to the microseconds
 * until a token will be available. A clock that goes back is treated as no
 * time passing.
 */
bool bucket_take(struct bucket *b, uint64_t now, uint64_t *retry_us);

#endif
