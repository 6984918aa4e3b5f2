/*
 * guard.h - test helper: place bytes so that they end exactly at the start
 * of a PROT_NONE page.  A parser that reads even one byte past the end of
 * its input then dies with SIGSEGV instead of passing by luck.
 *
 * Two independent slots, so a test can keep one parsed buffer alive while
 * placing another.
 */
#ifndef SOCKWARD_TEST_GUARD_H
#define SOCKWARD_TEST_GUARD_H

#include <sys/mman.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GUARD_BYTES	(64 * 1024)	/* largest input a test places */
#define GUARD_SLOTS	2

static char	*guard_end[GUARD_SLOTS];

static char *
guard_place(int slot, const void *data, size_t n)
{
	size_t	pg, span;
	char	*base;

	if (n > GUARD_BYTES) {
		fprintf(stderr, "guard_place: %zu bytes too many\n", n);
		abort();
	}
	if (guard_end[slot] == NULL) {
		pg = (size_t)sysconf(_SC_PAGESIZE);
		span = (GUARD_BYTES + pg - 1) / pg * pg;
		base = mmap(NULL, span + pg, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (base == MAP_FAILED || mprotect(base + span, pg,
		    PROT_NONE) == -1) {
			perror("guard_place");
			abort();
		}
		guard_end[slot] = base + span;
	}
	if (n > 0)
		memcpy(guard_end[slot] - n, data, n);
	return guard_end[slot] - n;
}

#endif
