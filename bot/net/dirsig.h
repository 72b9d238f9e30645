/*
 * dirsig.h - a cheap signature of a directory tree (names, sizes, mtimes,
 * inodes of its regular files), polled to notice that the KB changed.
 * Hidden files and editor backups ("~") are ignored.
 */
#ifndef BOT_NET_DIRSIG_H
#define BOT_NET_DIRSIG_H

#include <stddef.h>
#include <stdint.h>

/*
 * Compute the signature of the tree at dir, down to max_depth levels and at
 * most max_files files. Returns 0 with *sig set, or a negative errno when dir
 * cannot be read (then *sig is 0).
 */
int dirsig_compute(const char *dir, int max_depth, size_t max_files, uint64_t *sig);

#endif
