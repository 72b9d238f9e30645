/*
 * decide.c - answer / clarify / fallback, and threshold calibration.
 */
#include "search/decide.h"

#include <errno.h>
#include <stdlib.h>

enum dec_verdict dec_decide(const struct dec_thresholds *th, const struct idx_hit *hits, size_t n, size_t words,
			    size_t *n_cand)
{
	size_t c = 0;

	*n_cand = 0;
	if (!n || hits[0].score < th->clarify)
		return DEC_FALLBACK;
	/*
	 * One word ("refund?") that another entry answers about as well (at least
	 * half as far above the answer threshold as the best): ask which.
	 */
	if (words == 1 && n > 1 && hits[0].score >= th->answer &&
	    hits[1].score - th->answer >= (hits[0].score - th->answer) / 2) {
		while (c < n && c < LIM_CANDIDATES && hits[c].score - th->answer >= (hits[0].score - th->answer) / 2)
			c++;
		*n_cand = c;
		return DEC_CLARIFY;
	}
	if (hits[0].score >= th->answer && (n == 1 || hits[0].score - hits[1].score >= th->margin)) {
		*n_cand = 1;
		return DEC_ANSWER;
	}
	/* Close call or low confidence: offer the plausible ones. */
	while (c < n && c < LIM_CANDIDATES && hits[c].score >= th->clarify &&
	       (c == 0 || hits[0].score - hits[c].score < th->margin + (th->answer - th->clarify)))
		c++;
	*n_cand = c;
	return DEC_CLARIFY;
}

void dec_defaults(enum idx_mode m, struct dec_thresholds *th)
{
	if (m == IDX_BM25) {
		th->answer = 0.30f;
		th->margin = 0.05f;
		th->clarify = 0.15f;
	} else {
		th->answer = -0.30f;
		th->margin = 0.10f;
		th->clarify = -0.60f;
	}
}

static int by_top(const void *a, const void *b)
{
	float x = ((const struct dec_sample *)a)->top, y = ((const struct dec_sample *)b)->top;

	return x < y ? -1 : x > y;
}

int dec_calibrate(struct dec_sample *in, size_t n_in, struct dec_sample *oos, size_t n_oos, double p_in, struct dec_thresholds *th)
{
	size_t i = 0, j = 0, correct_above;
	double best = -1;
	float cut = 0;

	if (n_in < 5 || n_oos < 5)
		return -EINVAL;
	qsort(in, n_in, sizeof(*in), by_top);
	qsort(oos, n_oos, sizeof(*oos), by_top);
	correct_above = 0;
	for (size_t k = 0; k < n_in; k++)
		correct_above += in[k].correct != 0;
	/*
	 * Sweep the cut upwards over every observed score: at cut c, in-scope
	 * samples with top >= c are answered, out-of-scope ones below c rejected.
	 */
	while (i < n_in || j < n_oos) {
		float c = (j >= n_oos || (i < n_in && in[i].top <= oos[j].top)) ? in[i].top : oos[j].top;
		double v = p_in * correct_above / n_in + (1 - p_in) * j / n_oos;

		if (v > best) {
			best = v;
			cut = c;
		}
		while (i < n_in && in[i].top <= c)
			correct_above -= in[i++].correct != 0;
		while (j < n_oos && oos[j].top <= c)
			j++;
	}
	th->answer = cut;
	/* The margin stays as set by dec_defaults() or the KB: too few close calls to learn it from. */
	{
		float med = oos[n_oos / 2].top;

		th->clarify = med < cut ? cut - (cut - med) / 2 : cut;
	}
	return 0;
}
