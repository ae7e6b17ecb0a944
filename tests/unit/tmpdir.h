/*
 * tmpdir.h: a private temporary directory for one test, made with
 * mkdtemp and removed with everything in it. Include after <cmocka.h>.
 */
#ifndef KLOPF_TEST_TMPDIR_H
#define KLOPF_TEST_TMPDIR_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int
tmpdir_rm_entry(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Fills dir (at least 64 bytes) with a new /tmp/klopf-WHAT-XXXXXX. */
static inline void
tmpdir_make(char *dir, size_t len, const char *what)
{
	snprintf(dir, len, "/tmp/klopf-%s-XXXXXX", what);
	assert_non_null(mkdtemp(dir));
}

static inline void
tmpdir_remove(const char *dir)
{
	nftw(dir, tmpdir_rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

#endif
