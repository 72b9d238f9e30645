/*
 * decide.h - the answer decision over ranked hits, and the derivation of its
 * thresholds from scored samples (cross-validation over a KB's own variants).
 * Pure functions: no I/O, no allocation beyond what calibrate documents.
 */
#ifndef BOT_SEARCH_DECIDE_H
#define BOT_SEARCH_DECIDE_H

#include "search/index.h"

#include <stddef.h>

enum dec_verdict { DEC_ANSWER = 0, DEC_CLARIFY, DEC_FALLBACK };

struct dec_thresholds {
	float answer;    /* the top score must reach this to answer */
	float margin;    /* ... and lead the runner-up by this much */
	float clarify;   /* candidates at or above this may be offered as "did you mean" */
};

/*
 * Decide over hits (descending) for a question of `words` matched words.
 * Writes to *n_cand how many leading hits are the answer (1) or the
 * clarification candidates (1..LIM_CANDIDATES), 0 for a fallback.
 */
enum dec_verdict dec_decide(const struct dec_thresholds *th, const struct idx_hit *hits, size_t n, size_t words,
			    size_t *n_cand);

struct dec_sample {
	float top, margin;   /* score of the best hit, lead over the second */
	int correct;         /* in-scope sample: best hit was the right entry */
};

/*
 * Choose thresholds from in-scope samples (held-out variants of entries that
 * stay in the KB) and out-of-scope samples (variants of held-out entries):
 * answer = the cut maximising (in-scope answered-correctly rate + out-of-scope
 * rejected rate) / 2, the criterion the benchmark uses; margin = the lead
 * maximising correct answers minus twice the wrong ones above that cut;
 * clarify = half-way from answer down to the out-of-scope median.
 * th->margin is left as it is. Returns 0, or -EINVAL when there are too few
 * samples (th untouched).
 * The sample arrays are reordered.
 */
int dec_calibrate(struct dec_sample *in, size_t n_in, struct dec_sample *oos, size_t n_oos, double p_in,
		  struct dec_thresholds *th);

/* Defaults for an index built in mode m, used when calibration cannot run. */
void dec_defaults(enum idx_mode m, struct dec_thresholds *th);

#endif
