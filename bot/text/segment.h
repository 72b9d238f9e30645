/*
 * segment.h - Chinese word segmentation with a word-frequency dictionary
 * (jieba's dict.txt format: "word freq [tag]" per line): the maximum-
 * probability path over the word graph of a run of Han characters. Runs of
 * characters the dictionary does not join are reported as single characters
 * flagged unknown, so the caller can index their bigrams.
 */
#ifndef BOT_TEXT_SEGMENT_H
#define BOT_TEXT_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

struct segment;

/* Create an empty dictionary. Returns NULL on allocation failure. */
struct segment *segment_new(void);

/* Free. NULL is a no-op. */
void segment_free(struct segment *sg);

/*
 * Load a dictionary file ("word [freq] [tag]" lines, '#' comments); words
 * without a frequency get default_freq. Returns 0, -ENOENT when the file
 * cannot be opened, -ENOMEM.
 */
int segment_load(struct segment *sg, const char *path, uint32_t default_freq);

/* Add one word (UTF-8) with freq; an existing word keeps the larger one. */
int segment_add(struct segment *sg, const char *word, size_t len, uint32_t freq);

/* Number of words. */
size_t segment_words(const struct segment *sg);

/* Bytes held by the dictionary. */
size_t segment_bytes(const struct segment *sg);

struct segment_word {
	uint32_t off, len;  /* byte range in the run */
	int known;          /* 0 = a single character the dictionary did not place in a word */
};

/*
 * Segment run[0..len), UTF-8 made only of Han characters, into at most max
 * words. Returns the number of words written to out.
 */
size_t segment_run(const struct segment *sg, const char *run, size_t len, struct segment_word *out, size_t max);

#endif
