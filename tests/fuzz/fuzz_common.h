/*
 * fuzz_common.h - helpers shared by the libFuzzer targets in tests/fuzz.
 *
 * Every target is a plain LLVMFuzzerTestOneInput over the pure modules of
 * src/core.  A broken property is reported with FUZZ_CHECK, which prints
 * the condition and aborts, so libFuzzer saves the input as a crash.
 */
#ifndef SOCKWARD_FUZZ_COMMON_H
#define SOCKWARD_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: property violated: %s: ",	\
		    __FILE__, __LINE__, #cond);				\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		abort();						\
	}								\
} while (0)

/*
 * A copy of data[0..size) in a malloc'd block of exactly size bytes (one
 * byte when size is 0), so ASan reports any read past the end.  nul: one
 * more byte holding '\0' for the parsers that take C strings.
 */
static inline char *
fuzz_dup(const uint8_t *data, size_t size, int nul)
{
	char *p = malloc(size + (nul ? 1 : 0) + (size == 0 && !nul));

	if (p == NULL)
		abort();
	if (size > 0)
		memcpy(p, data, size);
	if (nul)
		p[size] = '\0';
	return p;
}

/*
 * Open bugs, by id (tests/fuzz/README.md lists them with their
 * reproducers in tests/fuzz/regress/).  A target checks fuzz_known(id)
 * before a property that such a bug breaks: with SOCKWARD_FUZZ_KNOWN set
 * to "all" or to a list holding id (make FUZZ_KNOWN=...), inputs hitting
 * the bug are let through, so fuzzing can go on looking for other bugs;
 * unset (the default), they fail as they should.
 */
static inline int
fuzz_known(const char *id)
{
	const char *e = getenv("SOCKWARD_FUZZ_KNOWN");

	return e != NULL && (strcmp(e, "all") == 0 || strstr(e, id) != NULL);
}

/* Do a[0..alen) and b[0..blen) hold the same bytes? */
static inline int
fuzz_same(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

#endif
