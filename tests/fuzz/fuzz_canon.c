/*
 * fuzz_canon.c - canon_target on arbitrary bytes; for every target it
 * accepts, canon_serialize and canon_target again must give the identical
 * version, path and query (canon.h: "Parsing the result with canon_target
 * yields t again"), and serializing that again must be byte-identical.
 *
 * Also: the input is an exact-size malloc copy (no over-read); on failure
 * the output is cleared and a reason is given; an accepted path starts
 * with '/', has no empty or dot segments and no '%'; query borrows from
 * the input; canon_serialize fails cleanly (-1, nothing written past cap)
 * when cap is one byte short, and keeps room for its NUL.
 */
#include "fuzz_common.h"

#include "canon.h"

static void
same_target(const struct canon_target *a, const struct canon_target *b)
{
	FUZZ_CHECK(strcmp(a->version, b->version) == 0, "version %s != %s",
	    a->version, b->version);
	FUZZ_CHECK(fuzz_same(a->path, a->path_len, b->path, b->path_len),
	    "path differs");
	FUZZ_CHECK((a->query == NULL) == (b->query == NULL), "query presence");
	if (a->query != NULL)
		FUZZ_CHECK(fuzz_same(a->query, a->query_len, b->query,
		    b->query_len), "query differs");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct canon_target c, c2, c3;
	static char ser[3 * CANON_MAX_PATH + CANON_MAX_VERSION + 65536];
	static char ser2[sizeof(ser)];
	const char *why = NULL;
	char *buf, *s, *small;
	long n, n2, ns;
	size_t i;

	if (size > 65536)
		return 0;
	buf = fuzz_dup(data, size, 0);
	if (canon_target(buf, size, &c, &why) != 0) {
		FUZZ_CHECK(why != NULL, "no reason");
		FUZZ_CHECK(c.version[0] == '\0' && c.path_len == 0 &&
		    c.path[0] == '\0' && c.query == NULL, "output not cleared");
		free(buf);
		return 0;
	}
	FUZZ_CHECK(c.path_len > 0 && c.path_len < CANON_MAX_PATH &&
	    c.path[0] == '/' && c.path[c.path_len] == '\0' &&
	    strlen(c.path) == c.path_len, "bad path");
	FUZZ_CHECK(strstr(c.path, "//") == NULL && strchr(c.path, '%') ==
	    NULL && (c.path_len == 1 || c.path[c.path_len - 1] != '/'),
	    "path not canonical: %s", c.path);
	FUZZ_CHECK(strstr(c.path, "/./") == NULL &&
	    strstr(c.path, "/../") == NULL, "dot segment in %s", c.path);
	for (i = 0; i < c.path_len; i++)
		FUZZ_CHECK((unsigned char)c.path[i] > 0x20 &&
		    c.path[i] != 0x7f && c.path[i] != '\\', "byte in path");
	if (c.query != NULL)
		FUZZ_CHECK(c.query > buf && c.query + c.query_len ==
		    buf + size && c.query[-1] == '?', "query not borrowed");

	n = canon_serialize(&c, ser, sizeof(ser));
	FUZZ_CHECK(n > 0 && ser[n] == '\0', "canon_serialize failed");

	/* Too small by one (the NUL needs a byte): -1, nothing past cap. */
	small = malloc((size_t)n);
	if (small == NULL)
		abort();
	ns = canon_serialize(&c, small, (size_t)n);
	FUZZ_CHECK(ns == -1, "canon_serialize into %ld bytes gave %ld", n, ns);
	free(small);
	small = malloc((size_t)n + 1);
	if (small == NULL)
		abort();
	ns = canon_serialize(&c, small, (size_t)n + 1);
	FUZZ_CHECK(ns == n && memcmp(small, ser, (size_t)n + 1) == 0,
	    "exact-size serialize gave %ld", ns);
	free(small);

	s = fuzz_dup((const uint8_t *)ser, (size_t)n, 0);
	FUZZ_CHECK(canon_target(s, (size_t)n, &c2, &why) == 0,
	    "canonical form refused: %s", why);
	same_target(&c, &c2);
	n2 = canon_serialize(&c2, ser2, sizeof(ser2));
	FUZZ_CHECK(n2 == n && memcmp(ser, ser2, (size_t)n) == 0,
	    "second serialization differs");
	/* And once more: a fixed point. */
	FUZZ_CHECK(canon_target(ser2, (size_t)n2, &c3, &why) == 0,
	    "third parse refused");
	same_target(&c2, &c3);
	free(s);
	free(buf);
	return 0;
}
