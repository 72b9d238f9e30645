/*
 * bucket.c - token bucket arithmetic in doubles (microsecond precision over
 * years of uptime is well inside a double's 53 bits).
 */
#include "dialog/bucket.h"

void bucket_init(struct bucket *b, double rate, unsigned burst, uint64_t now)
{
	b->rate = rate > 0 ? rate : 1;
	b->burst = burst >= 1 ? burst : 1;
	b->tokens = b->burst;
	b->last = now;
}

bool bucket_take(struct bucket *b, uint64_t now, uint64_t *retry_us)
{
	if (now > b->last) {
		b->tokens += (double)(now - b->last) * b->rate / 1e6;
		if (b->tokens > b->burst)
			b->tokens = b->burst;
		b->last = now;
	}
	if (b->tokens >= 1) {
		b->tokens -= 1;
		return true;
	}
	if (retry_us) {
		double us = (1 - b->tokens) * 1e6 / b->rate;

		*retry_us = (uint64_t)us + 1;
	}
	return false;
}
