/*
 * test_query.c - query constraints: parsing, rule text, and matching the
 * way dockerd (Go net/url + moby filters.FromJSON) reads a query.
 *
 * Every query is placed so that it ends at a PROT_NONE page (guard.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "guard.h"
#include "query.h"

#define AUTOHEAL "filters={\"health\":[\"unhealthy\"],"			\
	"\"label\":[\"autoheal=true\"],\"status\":[\"running\"]}"

static struct query_cond
cond(enum query_kind kind, const char *arg)
{
	struct query_cond	c;
	const char		*why = NULL;

	if (query_cond_parse(kind, arg, &c, &why) != 0)
		fail_msg("cannot parse \"%s\": %s", arg, why);
	return c;
}

static int
match_n(const struct query_cond *c, const char *q, size_t n)
{
	return query_cond_match(c, guard_place(0, q, n), n);
}

static int
match(enum query_kind kind, const char *arg, const char *q)
{
	struct query_cond c = cond(kind, arg);

	return match_n(&c, q, strlen(q));
}

#define YES(kind, arg, q) do {						\
	if (match((kind), (arg), (q)) != 1)				\
		fail_msg("\"%s\" should satisfy %s", (q), (arg));	\
} while (0)

#define NO(kind, arg, q) do {						\
	if (match((kind), (arg), (q)) != 0)				\
		fail_msg("\"%s\" should not satisfy %s", (q), (arg));	\
} while (0)

/* Percent-encode every byte but [A-Za-z0-9] (what a careful client does). */
static const char *
urlenc(const char *s)
{
	static char	buf[16384];
	static const char hexd[] = "0123456789ABCDEF";
	size_t		w = 0;
	unsigned char	c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		assert_true(w + 4 < sizeof(buf));
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9'))
			buf[w++] = (char)c;
		else {
			buf[w++] = '%';
			buf[w++] = hexd[c >> 4];
			buf[w++] = hexd[c & 15];
		}
	}
	buf[w] = '\0';
	return buf;
}

/* "filters=" + the encoded JSON. */
static const char *
filters_enc(const char *json)
{
	static char	buf[16384];

	snprintf(buf, sizeof(buf), "filters=%s", urlenc(json));
	return buf;
}

static void
test_parse(void **state)
{
	struct query_cond	c;
	const char		*why;
	char			long_key[64], long_val[256];

	(void)state;
	c = cond(QUERY_ONE_OF, "all=1|true");
	assert_int_equal(c.kind, QUERY_ONE_OF);
	assert_string_equal(c.key, "all");
	assert_string_equal(c.values, "1|true");
	c = cond(QUERY_REQUIRE, "filters=*");
	assert_int_equal(c.kind, QUERY_REQUIRE);
	assert_string_equal(c.values, "*");
	c = cond(QUERY_FILTER, "label=autoheal=true");
	assert_int_equal(c.kind, QUERY_FILTER);
	assert_string_equal(c.key, "label");
	assert_string_equal(c.values, "autoheal=true");
	c = cond(QUERY_FILTER, "label=a|b");
	assert_string_equal(c.values, "a|b");
	c = cond(QUERY_ONE_OF, "A-z_0.9=");
	assert_string_equal(c.key, "A-z_0.9");
	assert_string_equal(c.values, "");
	c = cond(QUERY_ONE_OF, "k=|1|");
	assert_string_equal(c.values, "|1|");
	c = cond(QUERY_ONE_OF, "k=**");	/* a literal value, not "any" */
	c = cond(QUERY_ONE_OF, "k=~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{}");

	/* Limits: key 1..31 bytes, values < QUERY_MAX_VALUES bytes. */
	memset(long_key, 'k', sizeof(long_key));
	long_key[QUERY_MAX_KEY - 1] = '=';
	long_key[QUERY_MAX_KEY] = '\0';
	c = cond(QUERY_ONE_OF, long_key);
	assert_int_equal(strlen(c.key), QUERY_MAX_KEY - 1);
	long_key[QUERY_MAX_KEY - 1] = 'k';
	long_key[QUERY_MAX_KEY] = '=';
	long_key[QUERY_MAX_KEY + 1] = '\0';
	assert_int_equal(query_cond_parse(QUERY_ONE_OF, long_key, &c, &why),
	    -1);
	assert_string_equal(why, "constraint key too long");

	memcpy(long_val, "k=", 2);
	memset(long_val + 2, 'v', QUERY_MAX_VALUES - 1);
	long_val[2 + QUERY_MAX_VALUES - 1] = '\0';
	c = cond(QUERY_FILTER, long_val);
	assert_int_equal(strlen(c.values), QUERY_MAX_VALUES - 1);
	long_val[2 + QUERY_MAX_VALUES - 1] = 'v';
	long_val[2 + QUERY_MAX_VALUES] = '\0';
	assert_int_equal(query_cond_parse(QUERY_FILTER, long_val, &c, &why),
	    -1);
	assert_string_equal(why, "constraint values too long");

#define REJECT(kind, arg) do {						\
	why = NULL;							\
	if (query_cond_parse((kind), (arg), &c, &why) != -1)		\
		fail_msg("\"%s\" should be refused", (const char *)(arg));\
	assert_non_null(why);						\
} while (0)
	REJECT(QUERY_ONE_OF, "");
	REJECT(QUERY_ONE_OF, "all");
	REJECT(QUERY_ONE_OF, "=1");
	REJECT(QUERY_ONE_OF, "a l=1");
	REJECT(QUERY_ONE_OF, "a+l=1");
	REJECT(QUERY_ONE_OF, "a%6c=1");
	REJECT(QUERY_ONE_OF, "a/b=1");
	REJECT(QUERY_ONE_OF, "\xc3\xa9=1");
	REJECT(QUERY_ONE_OF, "all=a b");
	REJECT(QUERY_ONE_OF, "all=a\tb");
	REJECT(QUERY_ONE_OF, "all=\x7f");
	REJECT(QUERY_ONE_OF, "all=\xc3\xa9");
	REJECT(QUERY_ONE_OF, "all=1|*");
	REJECT(QUERY_ONE_OF, "all=*|1");
	REJECT(QUERY_REQUIRE, "all=|*");
	REJECT(QUERY_FILTER, "label=");
	REJECT(QUERY_FILTER, "label");
	REJECT(QUERY_FILTER, "=x");
	REJECT(QUERY_FILTER, "label=a b");
	REJECT((enum query_kind)7, "all=1");
	REJECT(QUERY_ONE_OF, NULL);
#undef REJECT
	/* reason may be NULL. */
	assert_int_equal(query_cond_parse(QUERY_ONE_OF, "x", &c, NULL), -1);
	assert_int_equal(query_cond_parse(QUERY_ONE_OF, "x=1", &c, NULL), 0);
}

static void
test_str_roundtrip(void **state)
{
	static const struct {
		enum query_kind	 kind;
		const char	*arg;
		const char	*text;
	} t[] = {
		{ QUERY_ONE_OF, "all=1|true", "query all=1|true" },
		{ QUERY_ONE_OF, "k=", "query k=" },
		{ QUERY_ONE_OF, "k=|a||b", "query k=|a||b" },
		{ QUERY_REQUIRE, "filters=*", "require filters=*" },
		{ QUERY_REQUIRE, "x.y-z_0=a=b", "require x.y-z_0=a=b" },
		{ QUERY_FILTER, "label=autoheal=true",
		    "filter label=autoheal=true" },
		{ QUERY_FILTER, "label=a|b", "filter label=a|b" },
	};
	struct query_cond	c, back;
	char			buf[256], small[8];
	const char		*sp;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		c = cond(t[i].kind, t[i].arg);
		assert_ptr_equal(query_cond_str(&c, buf, sizeof(buf)), buf);
		assert_string_equal(buf, t[i].text);
		/* The text after the keyword parses back to the same thing. */
		sp = strchr(buf, ' ');
		assert_non_null(sp);
		back = cond(c.kind, sp + 1);
		assert_int_equal(back.kind, c.kind);
		assert_string_equal(back.key, c.key);
		assert_string_equal(back.values, c.values);
	}
	/* Truncated, but always terminated; cap 0 writes nothing. */
	c = cond(QUERY_ONE_OF, "all=1|true");
	query_cond_str(&c, small, sizeof(small));
	assert_string_equal(small, "query a");
	small[0] = 'X';
	query_cond_str(&c, small, 0);
	assert_int_equal(small[0], 'X');
}

static void
test_one_of(void **state)
{
	struct query_cond c;

	(void)state;
	c = cond(QUERY_ONE_OF, "all=1|true");
	assert_int_equal(query_cond_match(&c, NULL, 0), 1);
	assert_int_equal(query_cond_match(&c, NULL, 7), 1);
	assert_int_equal(match_n(&c, "", 0), 1);

	YES(QUERY_ONE_OF, "all=1|true", "");
	YES(QUERY_ONE_OF, "all=1|true", "size=1");
	YES(QUERY_ONE_OF, "all=1|true", "all=1");
	YES(QUERY_ONE_OF, "all=1|true", "all=true");
	YES(QUERY_ONE_OF, "all=1|true", "size=0&all=1&limit=5");
	YES(QUERY_ONE_OF, "all=1|true", "all=1&all=true&all=1");
	NO(QUERY_ONE_OF, "all=1|true", "all=0");
	NO(QUERY_ONE_OF, "all=1|true", "all=TRUE");	/* exact */
	NO(QUERY_ONE_OF, "all=1|true", "all=1 ");
	NO(QUERY_ONE_OF, "all=1|true", "all=11");
	NO(QUERY_ONE_OF, "all=1|true", "all=tru");
	NO(QUERY_ONE_OF, "all=1|true", "all=1|true");
	NO(QUERY_ONE_OF, "all=1|true", "all=");
	NO(QUERY_ONE_OF, "all=1|true", "all");
	/* Every occurrence, not just the first that dockerd reads. */
	NO(QUERY_ONE_OF, "all=1|true", "all=1&all=0");
	NO(QUERY_ONE_OF, "all=1|true", "all=0&all=1");
	NO(QUERY_ONE_OF, "all=1|true", "all=1&x=2&all=");
	/* Values and keys are compared decoded. */
	YES(QUERY_ONE_OF, "all=1|true", "all=%31");
	YES(QUERY_ONE_OF, "all=1|true", "all=%74%72%75%65");
	NO(QUERY_ONE_OF, "all=1|true", "a%6cl=0");
	NO(QUERY_ONE_OF, "all=1|true", "all=1&%61%6c%6c=0");
	NO(QUERY_ONE_OF, "all=1|true", "all=1%00");
	/* Keys are exact: dockerd does not read "ALL" or "all ". */
	YES(QUERY_ONE_OF, "all=1|true", "ALL=0&all =0&all+=0&al=0&alll=0");
	/* '+' is a space, "%2B" a plus. */
	NO(QUERY_ONE_OF, "name=a+b", "name=a+b");
	YES(QUERY_ONE_OF, "name=a+b", "name=a%2Bb");
	YES(QUERY_ONE_OF, "name=a+b", "name=a%2bb");
	NO(QUERY_ONE_OF, "name=a%20b", "name=a+b");
	YES(QUERY_ONE_OF, "name=a%20b", "name=a%2520b");
	/* The value splits at the first '='. */
	YES(QUERY_ONE_OF, "k=a=b", "k=a=b");
	YES(QUERY_ONE_OF, "k=a=b", "k=a%3Db");
	NO(QUERY_ONE_OF, "k=b", "k=a=b");
	/* Empty values. */
	YES(QUERY_ONE_OF, "all=|1", "all");
	YES(QUERY_ONE_OF, "all=|1", "all=");
	YES(QUERY_ONE_OF, "all=|1", "all=&all=1&all");
	YES(QUERY_ONE_OF, "all=", "all=");
	NO(QUERY_ONE_OF, "all=", "all=0");
	/* Empty pairs are skipped, as Go does. */
	YES(QUERY_ONE_OF, "all=1|true", "&&all=1&&");
	YES(QUERY_ONE_OF, "all=1|true", "&");
	/* Go errors (dockerd answers 400): the constraint fails. */
	NO(QUERY_ONE_OF, "all=1|true", "all=1;x");
	NO(QUERY_ONE_OF, "all=1|true", "all=1&x=1;2");
	NO(QUERY_ONE_OF, "all=1|true", ";");
	NO(QUERY_ONE_OF, "all=1|true", "x=1;y=2");	/* even w/o key */
	YES(QUERY_ONE_OF, "all=1|true", "x=%3B");	/* encoded is fine */
	NO(QUERY_ONE_OF, "all=1|true", "all=%G1");
	NO(QUERY_ONE_OF, "all=1|true", "all=%1G");
	NO(QUERY_ONE_OF, "all=1|true", "all=%");
	NO(QUERY_ONE_OF, "all=1|true", "all=%3");
	NO(QUERY_ONE_OF, "all=1|true", "all=1%");
	NO(QUERY_ONE_OF, "all=1|true", "all=1&x=%zz");
	NO(QUERY_ONE_OF, "all=1|true", "x%=1");
	NO(QUERY_ONE_OF, "all=1|true", "x=%%31");
	/* Control bytes: net/url refuses the URL. */
	NO(QUERY_ONE_OF, "all=1|true", "all=1&x=\t");
	NO(QUERY_ONE_OF, "all=1|true", "x=\x7f");
	c = cond(QUERY_ONE_OF, "all=1|true");
	assert_int_equal(match_n(&c, "all=1\0", 6), 0);
	assert_int_equal(match_n(&c, "all=1", 5), 1);
	/* Raw non-ASCII bytes are just bytes to Go. */
	YES(QUERY_ONE_OF, "all=1|true", "x=\xc3\xa9&all=1");
	/* "*" alone: any value, including none and the empty one. */
	YES(QUERY_ONE_OF, "all=*", "");
	YES(QUERY_ONE_OF, "all=*", "all=whatever&all=&all");
	NO(QUERY_ONE_OF, "all=*", "all=%zz");
	/* A decoded value longer than any of the set. */
	{
		char q[1024];

		memcpy(q, "all=", 4);
		memset(q + 4, '1', sizeof(q) - 5);
		q[sizeof(q) - 1] = '\0';
		NO(QUERY_ONE_OF, "all=1|true", q);
		YES(QUERY_ONE_OF, "all=*", q);
	}
	/* No length limit on a query that is not "filters". */
	{
		static char q[60000];
		size_t w = 0;

		while (w + 8 < sizeof(q) - 16) {
			memcpy(q + w, "size=1&", 7);
			w += 7;
		}
		memcpy(q + w, "all=1", 6);
		YES(QUERY_ONE_OF, "all=1|true", q);
		memcpy(q + w, "all=0", 6);
		NO(QUERY_ONE_OF, "all=1|true", q);
	}
}

static void
test_require(void **state)
{
	struct query_cond c;

	(void)state;
	c = cond(QUERY_REQUIRE, "all=1|true");
	assert_int_equal(query_cond_match(&c, NULL, 0), 0);
	assert_int_equal(match_n(&c, "", 0), 0);
	NO(QUERY_REQUIRE, "all=1|true", "");
	NO(QUERY_REQUIRE, "all=1|true", "size=1");
	NO(QUERY_REQUIRE, "all=1|true", "ALL=1");
	YES(QUERY_REQUIRE, "all=1|true", "all=1");
	YES(QUERY_REQUIRE, "all=1|true", "size=1&all=true");
	YES(QUERY_REQUIRE, "all=1|true", "a%6cl=%31");
	NO(QUERY_REQUIRE, "all=1|true", "all=1&all=0");
	NO(QUERY_REQUIRE, "all=1|true", "all=0&all=1");
	NO(QUERY_REQUIRE, "all=1|true", "all=1;");
	NO(QUERY_REQUIRE, "all=1|true", "all=1&x=%");
	/* "*": presence of the key is all that is demanded. */
	NO(QUERY_REQUIRE, "filters=*", "");
	NO(QUERY_REQUIRE, "filters=*", "filter=x");
	NO(QUERY_REQUIRE, "filters=*", "Filters=x");
	YES(QUERY_REQUIRE, "filters=*", "filters");
	YES(QUERY_REQUIRE, "filters=*", "filters=");
	YES(QUERY_REQUIRE, "filters=*", "filters=x&filters=y");
	YES(QUERY_REQUIRE, "filters=*", AUTOHEAL);
	YES(QUERY_REQUIRE, "filters=*", "fil%74ers=x");
	NO(QUERY_REQUIRE, "filters=*", "filters=%x");
	NO(QUERY_REQUIRE, "filters=*", "filters=x;");
	/* Empty value in the set. */
	YES(QUERY_REQUIRE, "force=", "force");
	NO(QUERY_REQUIRE, "force=", "force=1");
}

/*
 * "K=true" / "K=false" are judged as dockerd's httputils.BoolValue reads
 * them: trimmed of Unicode space, case-folded, "" "0" "no" "false" "none"
 * false, anything else true.  docker-py sends stream=False.
 */
static void
test_boolean(void **state)
{
	struct query_cond	c;
	char			buf[64];

	(void)state;
	c = cond(QUERY_REQUIRE, "stream=false");
	assert_int_equal(c.boolean, QUERY_BOOL_FALSE);
	assert_string_equal(query_cond_str(&c, buf, sizeof(buf)),
	    "require stream=false");
	YES(QUERY_REQUIRE, "stream=false", "stream=false");
	YES(QUERY_REQUIRE, "stream=false", "stream=False");
	YES(QUERY_REQUIRE, "stream=false", "stream=FALSE");
	YES(QUERY_REQUIRE, "stream=false", "stream=0");
	YES(QUERY_REQUIRE, "stream=false", "stream=no");
	YES(QUERY_REQUIRE, "stream=false", "stream=No");
	YES(QUERY_REQUIRE, "stream=false", "stream=none");
	YES(QUERY_REQUIRE, "stream=false", "stream=");
	YES(QUERY_REQUIRE, "stream=false", "stream");
	YES(QUERY_REQUIRE, "stream=false", "stream=+false+");
	YES(QUERY_REQUIRE, "stream=false", "stream=%09false%0A%0B%0C%0D");
	YES(QUERY_REQUIRE, "stream=false", "stream=%C2%A0false%E3%80%80");
	YES(QUERY_REQUIRE, "stream=false", "stream=%C2%850%E2%80%8A%E2%80%A8");
	YES(QUERY_REQUIRE, "stream=false", "stream=%E1%9A%80no%E2%81%9F");
	YES(QUERY_REQUIRE, "stream=false", "stream=%E2%80%AF%E2%80%A9");
	NO(QUERY_REQUIRE, "stream=false", "");
	NO(QUERY_REQUIRE, "stream=false", "stream=1");
	NO(QUERY_REQUIRE, "stream=false", "stream=true");
	NO(QUERY_REQUIRE, "stream=false", "stream=yes");
	NO(QUERY_REQUIRE, "stream=false", "stream=f");
	NO(QUERY_REQUIRE, "stream=false", "stream=fals");
	NO(QUERY_REQUIRE, "stream=false", "stream=false0");
	NO(QUERY_REQUIRE, "stream=false", "stream=n%C3%B3");
	/* U+200B is not space to Go: "\u200bfalse" is true. */
	NO(QUERY_REQUIRE, "stream=false", "stream=%E2%80%8Bfalse");
	NO(QUERY_REQUIRE, "stream=false", "stream=%C2false");
	/* Every occurrence: dockerd reads the first, a rule all. */
	NO(QUERY_REQUIRE, "stream=false", "stream=false&stream=1");
	NO(QUERY_REQUIRE, "stream=false", "stream=1&stream=false");
	YES(QUERY_REQUIRE, "stream=false", "stream=0&stream=False");
	/* query: absent is fine, present must be false. */
	YES(QUERY_ONE_OF, "size=false", "");
	YES(QUERY_ONE_OF, "size=false", "all=1&size=False");
	NO(QUERY_ONE_OF, "size=false", "size=1");
	NO(QUERY_ONE_OF, "size=false", "size=True");

	c = cond(QUERY_ONE_OF, "all=true");
	assert_int_equal(c.boolean, QUERY_BOOL_TRUE);
	YES(QUERY_ONE_OF, "all=true", "all=1");
	YES(QUERY_ONE_OF, "all=true", "all=True");
	YES(QUERY_ONE_OF, "all=true", "all=x");
	NO(QUERY_ONE_OF, "all=true", "all=0");
	NO(QUERY_ONE_OF, "all=true", "all=+");
	NO(QUERY_ONE_OF, "all=true", "all=%C2%85");

	/* Only the bare words make a boolean: lists stay byte for byte. */
	c = cond(QUERY_REQUIRE, "stream=0|false");
	assert_int_equal(c.boolean, QUERY_BOOL_NONE);
	NO(QUERY_REQUIRE, "stream=0|false", "stream=False");
	c = cond(QUERY_REQUIRE, "stream=False");
	assert_int_equal(c.boolean, QUERY_BOOL_NONE);
	c = cond(QUERY_FILTER, "status=true");
	assert_int_equal(c.boolean, QUERY_BOOL_NONE);
}

static void
test_filter(void **state)
{
	struct query_cond	c;
	const char		*lab = "label=autoheal=true";

	(void)state;
	c = cond(QUERY_FILTER, lab);
	assert_int_equal(query_cond_match(&c, NULL, 0), 0);
	NO(QUERY_FILTER, lab, "");
	NO(QUERY_FILTER, lab, "all=1");

	/* The autoheal client: raw JSON characters right in the query. */
	YES(QUERY_FILTER, lab, AUTOHEAL);
	YES(QUERY_FILTER, lab, "all=1&" AUTOHEAL "&limit=3");
	YES(QUERY_FILTER, "health=unhealthy", AUTOHEAL);
	YES(QUERY_FILTER, "status=running", AUTOHEAL);
	NO(QUERY_FILTER, "status=exited", AUTOHEAL);
	NO(QUERY_FILTER, "label=autoheal", AUTOHEAL);
	NO(QUERY_FILTER, "label=true", AUTOHEAL);
	NO(QUERY_FILTER, "name=autoheal=true", AUTOHEAL);
	/* ...and the same, URL-encoded. */
	YES(QUERY_FILTER, lab, filters_enc("{\"health\":[\"unhealthy\"],"
	    "\"label\":[\"autoheal=true\"],\"status\":[\"running\"]}"));
	NO(QUERY_FILTER, lab, urlenc(AUTOHEAL));	/* '=' encoded: no value */
	YES(QUERY_FILTER, lab, "%66%69%6c%74%65%72%73="
	    "%7B%22label%22%3A%5B%22autoheal%3Dtrue%22%5D%7D");
	YES(QUERY_FILTER, lab,
	    "filters=%7B%22label%22%3A%5B%22autoheal%3Dtrue%22%5D%7D");
	/* New style: the value must be true.  Some of moby's filters honour
	 * a false (ExactMatch), others ignore it (Get, MatchKVList), so a
	 * false is refused rather than guessed at. */
	YES(QUERY_FILTER, lab, "filters={\"label\":{\"autoheal=true\":true}}");
	YES(QUERY_FILTER, lab, filters_enc("{\"label\":{\"autoheal=true\":true}}"));
	NO(QUERY_FILTER, lab,
	    "filters={\"label\":{\"autoheal=true\":false}}");
	/* Exactly the one value: moby ORs the values of most keys, so any
	 * other value for the key could widen the result. */
	NO(QUERY_FILTER, lab,
	    "filters={\"label\":{\"x=1\":true,\"autoheal=true\":true},"
	    "\"status\":{\"running\":true}}");
	NO(QUERY_FILTER, lab,
	    "filters={\"label\":[\"a=b\",\"autoheal=true\",\"c\"]}");
	YES(QUERY_FILTER, lab,
	    "filters={\"label\":[\"autoheal=true\",\"autoheal=true\"]}");
	/* Inner duplicates: the last one is what Go's map keeps. */
	NO(QUERY_FILTER, lab, "filters={\"label\":{\"autoheal=true\":true,"
	    "\"autoheal=true\":false}}");
	YES(QUERY_FILTER, lab, "filters={\"label\":{\"autoheal=true\":false,"
	    "\"autoheal=true\":true}}");
	/* The autoheal profile's health filter (issue: listed healthy
	 * containers): ORed values, a false, an empty entry. */
	NO(QUERY_FILTER, "health=unhealthy",
	    "filters={\"health\":[\"unhealthy\",\"healthy\"]}");
	NO(QUERY_FILTER, "health=unhealthy",
	    "filters={\"health\":{\"unhealthy\":false,\"healthy\":true}}");
	NO(QUERY_FILTER, "health=unhealthy",
	    "filters={\"health\":{\"unhealthy\":true,\"healthy\":false}}");
	NO(QUERY_FILTER, "health=unhealthy", "filters={\"health\":[]}");
	NO(QUERY_FILTER, "health=unhealthy", "filters={\"health\":{}}");
	YES(QUERY_FILTER, "health=unhealthy",
	    "filters={\"health\":{\"unhealthy\":true}}");
	/* Whitespace (raw and encoded) and escapes in the JSON. */
	YES(QUERY_FILTER, lab,
	    "filters=+{+\"label\"+:+[+\"autoheal=true\"+]+}+");
	YES(QUERY_FILTER, lab,
	    "filters=%0A{%09\"label\":%0D[\"autoheal=true\"]}%20");
	YES(QUERY_FILTER, lab, "filters={\"label\":[\"autoheal\\u003dtrue\"]}");
	YES(QUERY_FILTER, lab, "filters={\"l\\u0061bel\":[\"autoheal=true\"]}");
	YES(QUERY_FILTER, lab, "filters={\"label\":[\"autoheal=\\u0074rue\"]}");
	NO(QUERY_FILTER, lab, "filters={\"label\":[\"autoheal\\/=true\"]}");
	YES(QUERY_FILTER, "label=a/b", "filters={\"label\":[\"a\\/b\"]}");

	/* Last duplicate key wins, in either shape. */
	NO(QUERY_FILTER, lab,
	    "filters={\"label\":[\"autoheal=true\"],\"label\":[\"x\"]}");
	YES(QUERY_FILTER, lab,
	    "filters={\"label\":[\"x\"],\"label\":[\"autoheal=true\"]}");
	NO(QUERY_FILTER, lab,
	    "filters={\"label\":{\"autoheal=true\":true},\"label\":{}}");
	NO(QUERY_FILTER, lab, "filters={\"label\":[\"autoheal=true\"],"
	    "\"status\":[],\"l\\u0061bel\":[]}");
	/* Keys are case-sensitive. */
	NO(QUERY_FILTER, lab, "filters={\"Label\":[\"autoheal=true\"]}");
	NO(QUERY_FILTER, lab, "filters={\"LABEL\":[\"autoheal=true\"]}");
	YES(QUERY_FILTER, lab,
	    "filters={\"label\":[\"autoheal=true\"],\"Label\":[\"x\"]}");
	/* Values are exact. */
	NO(QUERY_FILTER, lab, "filters={\"label\":[\"autoheal=TRUE\"]}");
	NO(QUERY_FILTER, lab, "filters={\"label\":[\"autoheal=true \"]}");
	NO(QUERY_FILTER, lab, "filters={\"label\":[\"autoheal=truex\"]}");
	NO(QUERY_FILTER, lab, "filters={\"label\":[\"autoheal=tru\"]}");
	NO(QUERY_FILTER, lab, "filters={\"label\":[\"autoheal=true\\u0000\"]}");
	NO(QUERY_FILTER, lab, "filters={\"label\":{\"autoheal\":true}}");
	/* '+' in the raw query is a space; "%2B" is a plus. */
	NO(QUERY_FILTER, "label=a+b", "filters={\"label\":[\"a+b\"]}");
	YES(QUERY_FILTER, "label=a+b", "filters={\"label\":[\"a%2Bb\"]}");
	/* A filter VALUE may hold '|': it is one value. */
	YES(QUERY_FILTER, "label=a|b", "filters={\"label\":[\"a|b\"]}");
	NO(QUERY_FILTER, "label=a|b", "filters={\"label\":[\"a\"]}");
	/* '&' and ';' raw break the query; encoded they are fine. */
	NO(QUERY_FILTER, "label=a&b", "filters={\"label\":[\"a&b\"]}");
	YES(QUERY_FILTER, "label=a&b", "filters={\"label\":[\"a%26b\"]}");
	NO(QUERY_FILTER, "label=a;b", "filters={\"label\":[\"a;b\"]}");
	YES(QUERY_FILTER, "label=a;b", "filters={\"label\":[\"a%3Bb\"]}");

	/* Exactly one "filters" parameter. */
	NO(QUERY_FILTER, lab, AUTOHEAL "&" AUTOHEAL);
	NO(QUERY_FILTER, lab, AUTOHEAL "&filters={}");
	NO(QUERY_FILTER, lab, "filters={}&" AUTOHEAL);
	NO(QUERY_FILTER, lab, AUTOHEAL "&filters=");
	NO(QUERY_FILTER, lab, AUTOHEAL "&filters");
	NO(QUERY_FILTER, lab, AUTOHEAL "&fil%74ers={}");
	YES(QUERY_FILTER, lab, AUTOHEAL "&Filters={}&filter={}");
	/* Errors elsewhere in the query. */
	NO(QUERY_FILTER, lab, AUTOHEAL "&x=%");
	NO(QUERY_FILTER, lab, AUTOHEAL "&x=1;");
	NO(QUERY_FILTER, lab, "filters={\"label\":[\"autoheal=true%\"]}");

	/* No filters, or not the shape filters.FromJSON takes. */
	NO(QUERY_FILTER, lab, "filters");
	NO(QUERY_FILTER, lab, "filters=");
	NO(QUERY_FILTER, lab, "filters=+");
	NO(QUERY_FILTER, lab, "filters=null");
	NO(QUERY_FILTER, lab, "filters={}");
	NO(QUERY_FILTER, lab, "filters=[]");
	NO(QUERY_FILTER, lab, "filters=\"label\"");
	NO(QUERY_FILTER, lab, "filters=[\"autoheal=true\"]");
	NO(QUERY_FILTER, lab, "filters={\"label\":null}");
	NO(QUERY_FILTER, lab, "filters={\"label\":\"autoheal=true\"}");
	NO(QUERY_FILTER, lab, "filters={\"label\":[[\"autoheal=true\"]]}");
	NO(QUERY_FILTER, lab, "filters={\"label\":[\"autoheal=true\",null]}");
	NO(QUERY_FILTER, lab, "filters={\"label\":[\"autoheal=true\",1]}");
	NO(QUERY_FILTER, lab, "filters={\"label\":{\"autoheal=true\":1}}");
	NO(QUERY_FILTER, lab,
	    "filters={\"label\":{\"autoheal=true\":\"true\"}}");
	NO(QUERY_FILTER, lab, "filters={\"label\":{\"autoheal=true\":null}}");
	NO(QUERY_FILTER, lab,
	    "filters={\"label\":{\"autoheal=true\":{}}}");
	/* A bad member elsewhere spoils the whole (Go: type error). */
	NO(QUERY_FILTER, lab,
	    "filters={\"label\":[\"autoheal=true\"],\"status\":\"running\"}");
	NO(QUERY_FILTER, lab,
	    "filters={\"label\":[\"autoheal=true\"],\"status\":null}");
	NO(QUERY_FILTER, lab,
	    "filters={\"label\":[\"autoheal=true\"],\"x\":[1]}");
	/* ...even when it is shadowed by a later good one. */
	NO(QUERY_FILTER, lab,
	    "filters={\"x\":7,\"x\":[],\"label\":[\"autoheal=true\"]}");
	/* Mixed shapes. */
	NO(QUERY_FILTER, lab, "filters={\"label\":[\"autoheal=true\"],"
	    "\"status\":{\"running\":true}}");
	NO(QUERY_FILTER, lab, "filters={\"status\":{\"running\":true},"
	    "\"label\":[\"autoheal=true\"]}");
	NO(QUERY_FILTER, lab, "filters={\"label\":{\"x\":true},"
	    "\"label\":[\"autoheal=true\"]}");
	/* Empty entries are fine shape-wise in either form. */
	YES(QUERY_FILTER, lab,
	    "filters={\"status\":[],\"label\":[\"autoheal=true\"]}");
	YES(QUERY_FILTER, lab,
	    "filters={\"status\":{},\"label\":{\"autoheal=true\":true}}");

	/* Invalid JSON. */
	NO(QUERY_FILTER, lab, "filters={\"label\":[\"autoheal=true\"]");
	NO(QUERY_FILTER, lab, "filters={\"label\":[\"autoheal=true\"");
	NO(QUERY_FILTER, lab, "filters={\"label\":[\"autoheal=true\"],}");
	NO(QUERY_FILTER, lab, "filters={\"label\":[\"autoheal=true\",]}");
	NO(QUERY_FILTER, lab, "filters={label:[\"autoheal=true\"]}");
	NO(QUERY_FILTER, lab, "filters={'label':['autoheal=true']}");
	NO(QUERY_FILTER, lab, "filters={\"label\":[\"autoheal=true\"]}x");
	NO(QUERY_FILTER, lab, "filters={\"label\":[\"autoheal=true\"]}{}");
	NO(QUERY_FILTER, lab, "filters={\"label\":[\"autoheal=true\"]}%00");
	NO(QUERY_FILTER, lab, "filters={\"label\":[\"autoheal=true\"]}}");
	/* Unicode Go would repair with U+FFFD. */
	NO(QUERY_FILTER, lab,
	    "filters={\"label\":[\"autoheal=true\",\"\\ud800\"]}");
	NO(QUERY_FILTER, lab,
	    "filters={\"label\":[\"autoheal=true\",\"\\udc00\"]}");
	NO(QUERY_FILTER, lab,
	    "filters={\"label\":[\"autoheal=true\",\"%FF\"]}");
	NO(QUERY_FILTER, lab,
	    "filters={\"label\":[\"autoheal=true\",\"%C0%80\"]}");
	NO(QUERY_FILTER, lab,
	    "filters={\"label\":[\"autoheal=true\",\"%ED%A0%80\"]}");
	NO(QUERY_FILTER, lab,
	    "filters={\"label\":[\"autoheal=true\",\"\xff\"]}");
	NO(QUERY_FILTER, lab,
	    "filters={\"x\\udfff\":[],\"label\":[\"autoheal=true\"]}");
	YES(QUERY_FILTER, lab, "filters={\"label\":[\"autoheal=true\"],"
	    "\"name\":[\"%C3%A9\\ud83d\\ude00\"]}");
	/* Raw control bytes (even encoded) inside a JSON string. */
	NO(QUERY_FILTER, lab,
	    "filters={\"label\":[\"autoheal=true\",\"%01\"]}");
	/* Nesting beyond JSON_MAX_DEPTH is refused, like any bad shape. */
	NO(QUERY_FILTER, lab, "filters={\"label\":[\"autoheal=true\"],\"x\":"
	    "[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]}");
}

/* Storage limits: 4 KiB of decoded JSON, 256 nodes. */
static void
test_filter_limits(void **state)
{
	static char		q[16384];
	static const char	head[] = "filters=";
	static const char	json[] = "{\"label\":[\"autoheal=true\"]}";
	struct query_cond	c;
	size_t			w, i;

	(void)state;
	c = cond(QUERY_FILTER, "label=autoheal=true");

	/* Pad with spaces to exactly 4096 decoded bytes, then one more. */
	memcpy(q, head, sizeof(head) - 1);
	w = sizeof(head) - 1;
	memcpy(q + w, json, sizeof(json) - 1);
	w += sizeof(json) - 1;
	while (w - (sizeof(head) - 1) < 4096)
		q[w++] = ' ';
	assert_int_equal(match_n(&c, q, w), 1);
	q[w++] = ' ';
	assert_int_equal(match_n(&c, q, w), 0);
	/* Encoded padding counts decoded: 4096 decoded bytes in ~12 KiB. */
	w = sizeof(head) - 1;
	memcpy(q + w, json, sizeof(json) - 1);
	w += sizeof(json) - 1;
	for (i = 0; i < 4096 - (sizeof(json) - 1); i++) {
		memcpy(q + w, "%20", 3);
		w += 3;
	}
	assert_int_equal(match_n(&c, q, w), 1);
	memcpy(q + w, "%20", 3);
	assert_int_equal(match_n(&c, q, w + 3), 0);

	/* Nodes: root + array + 254 strings = 256 fit; one more does not. */
	c = cond(QUERY_FILTER, "label=x");
	w = strlen(strcpy(q, "filters={\"label\":[\"x\""));
	for (i = 0; i < 253; i++) {
		memcpy(q + w, ",\"x\"", 4);
		w += 4;
	}
	memcpy(q + w, "]}", 2);
	assert_int_equal(match_n(&c, q, w + 2), 1);
	memcpy(q + w, ",\"x\"]}", 6);
	assert_int_equal(match_n(&c, q, w + 6), 0);
}

/*
 * Every prefix of these queries, read right up to the guard page: nothing
 * may be read past the end (a "%4" cut at the end, a JSON cut short).
 */
static void
test_prefixes(void **state)
{
	static const struct {
		enum query_kind	 kind;
		const char	*arg;
		const char	*q;
	} t[] = {
		{ QUERY_ONE_OF, "all=1|true", "all=%31&x=%2B%2b+&&y&all=true" },
		{ QUERY_REQUIRE, "all=*", "a%6cl=%74%72ue" },
		{ QUERY_FILTER, "label=autoheal=true", AUTOHEAL },
		{ QUERY_FILTER, "label=autoheal=true",
		    "filters=%7B%22label%22%3A%7B%22autoheal%3Dtrue%22%3Atrue"
		    "%7D%7D" },
	};
	struct query_cond	c;
	size_t			i, n, len;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		c = cond(t[i].kind, t[i].arg);
		len = strlen(t[i].q);
		assert_int_equal(match_n(&c, t[i].q, len), 1);
		for (n = 0; n < len; n++)
			(void)match_n(&c, t[i].q, n);
	}
	c = cond(QUERY_ONE_OF, "all=1");
	assert_int_equal(match_n(&c, "all=%3", 6), 0);
	assert_int_equal(match_n(&c, "all=%", 5), 0);
	assert_int_equal(match_n(&c, "all=%31", 7), 1);
	c = cond(QUERY_FILTER, "label=autoheal=true");
	len = strlen(AUTOHEAL);
	assert_int_equal(match_n(&c, AUTOHEAL, len), 1);
	assert_int_equal(match_n(&c, AUTOHEAL, len - 1), 0);
}

static void
test_bad_args(void **state)
{
	struct query_cond c;
	char buf[16];

	(void)state;
	assert_int_equal(query_cond_match(NULL, "all=1", 5), 0);
	c = cond(QUERY_ONE_OF, "all=1");
	c.kind = (enum query_kind)9;
	assert_int_equal(query_cond_match(&c, "all=1", 5), 0);
	assert_string_equal(query_cond_str(&c, buf, sizeof(buf)), "?");
	assert_string_equal(query_cond_str(NULL, buf, sizeof(buf)), "?");
	assert_null(query_cond_str(&c, NULL, 4));
	assert_int_equal(query_cond_parse(QUERY_ONE_OF, "x=1", NULL, NULL),
	    -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_str_roundtrip),
		cmocka_unit_test(test_one_of),
		cmocka_unit_test(test_require),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_boolean),
		cmocka_unit_test(test_filter_limits),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
