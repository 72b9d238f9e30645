/*
 * dirlist.h - the JSON files of a content directory (KB, intents): found
 * recursively, in a stable sorted order, names starting with '.' skipped.
 */
#ifndef BOT_CORE_DIRLIST_H
#define BOT_CORE_DIRLIST_H

#include <stddef.h>

#define DIRLIST_DEPTH 8   /* sub-directory levels searched */

/*
 * Collect the paths ("dir/sub/name.json") of the *.json files under dir,
 * except those directly in dir whose names are listed in skip (NULL-ended,
 * may be NULL), at most max of them. Returns 0 with *files / *n set (free
 * with dirlist_free), -ENOENT when dir cannot be opened (errno tells why),
 * -E2BIG past max files, -ENOMEM. On error nothing is returned to free.
 */
int dirlist_json(const char *dir, const char *const *skip, size_t max, char ***files, size_t *n);

/* Free what dirlist_json returned. NULL is a no-op. */
void dirlist_free(char **files, size_t n);

#endif
