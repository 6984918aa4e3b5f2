/*
 * test_admit.c - client admission: CIDR parsing and matching (IPv4, IPv6,
 * IPv4-mapped), peer uid/gid lists, and admit_str round trips.
 */
#include <arpa/inet.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "admit.h"

static struct admit a;

static int
setup(void **state)
{
	(void)state;
	memset(&a, 0, sizeof(a));
	return 0;
}

static void
add_ok(struct admit *ad, const char *cidr, int line)
{
	const char *why = NULL;

	if (admit_add_net(ad, cidr, &why) != 0)
		fail_msg("line %d: '%s' refused: %s", line, cidr, why);
}

static void
add_bad(const char *cidr, const char *reason_part, int line)
{
	struct admit t;
	const char *why = NULL;

	memset(&t, 0, sizeof(t));
	if (admit_add_net(&t, cidr, &why) != -1)
		fail_msg("line %d: '%s' accepted", line, cidr);
	if (why == NULL || strstr(why, reason_part) == NULL)
		fail_msg("line %d: '%s' refused with '%s', expected '%s'", line,
		    cidr, why ? why : "(null)", reason_part);
	if (t.nnets != 0)
		fail_msg("line %d: '%s' refused but added", line, cidr);
}

/* Judge a client written as text (v4 or v6). */
static int
judge(const struct admit *ad, const char *client)
{
	uint8_t b[16];

	if (inet_pton(AF_INET, client, b) == 1)
		return admit_tcp(ad, 4, b);
	if (inet_pton(AF_INET6, client, b) == 1)
		return admit_tcp(ad, 6, b);
	fail_msg("bad test client %s", client);
	return -1;
}

#define ADD_OK(c)       add_ok(&a, (c), __LINE__)
#define ADD_BAD(c, why) add_bad((c), (why), __LINE__)
#define IN(c)  do { if (judge(&a, (c)) != 1) \
	fail_msg("line %d: %s refused", __LINE__, (c)); } while (0)
#define OUT(c) do { if (judge(&a, (c)) != 0) \
	fail_msg("line %d: %s admitted", __LINE__, (c)); } while (0)

static void
test_empty_admits_all(void **state)
{
	(void)state;
	IN("10.1.2.3");
	IN("::1");
	IN("::ffff:1.2.3.4");
	assert_int_equal(admit_unix(&a, 1000, 1000), 1);
	assert_int_equal(admit_unix(&a, 0, 0), 1);
}

static void
test_v4(void **state)
{
	(void)state;
	ADD_OK("10.0.0.0/8");
	ADD_OK("192.168.1.0/24");
	ADD_OK("172.16.0.0/12");
	assert_int_equal(a.nnets, 3);
	assert_int_equal(a.nets[0].family, 4);
	assert_int_equal(a.nets[0].prefix, 8);
	IN("10.0.0.0");
	IN("10.255.255.255");
	OUT("11.0.0.0");
	OUT("9.255.255.255");
	IN("192.168.1.77");
	OUT("192.168.2.1");
	IN("172.31.255.254");
	OUT("172.32.0.1");
	OUT("172.15.255.255");
	/* A v4 network does not admit v6 clients. */
	OUT("::a00:1");
	OUT("2001:db8::1");
}

static void
test_v4_edges(void **state)
{
	struct admit b;

	(void)state;
	ADD_OK("127.0.0.1");		/* bare: /32 */
	assert_int_equal(a.nets[0].prefix, 32);
	IN("127.0.0.1");
	OUT("127.0.0.2");
	ADD_OK("203.0.113.7/32");
	IN("203.0.113.7");
	OUT("203.0.113.6");

	memset(&b, 0, sizeof(b));
	add_ok(&b, "0.0.0.0/0", __LINE__);
	assert_int_equal(judge(&b, "1.2.3.4"), 1);
	assert_int_equal(judge(&b, "255.255.255.255"), 1);
	assert_int_equal(judge(&b, "::ffff:8.8.8.8"), 1);	/* mapped */
	assert_int_equal(judge(&b, "2001:db8::1"), 0);	/* v6 is not v4 */

	/* Prefixes that end inside a byte. */
	memset(&b, 0, sizeof(b));
	add_ok(&b, "10.0.0.128/25", __LINE__);
	assert_int_equal(judge(&b, "10.0.0.128"), 1);
	assert_int_equal(judge(&b, "10.0.0.255"), 1);
	assert_int_equal(judge(&b, "10.0.0.127"), 0);
	memset(&b, 0, sizeof(b));
	add_ok(&b, "10.0.0.0/31", __LINE__);
	assert_int_equal(judge(&b, "10.0.0.1"), 1);
	assert_int_equal(judge(&b, "10.0.0.2"), 0);
}

static void
test_v6(void **state)
{
	struct admit b;

	(void)state;
	ADD_OK("2001:db8::/32");
	ADD_OK("::1");
	ADD_OK("fd00::/8");
	assert_int_equal(a.nets[0].family, 6);
	assert_int_equal(a.nets[1].prefix, 128);
	IN("2001:db8::1");
	IN("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
	OUT("2001:db9::1");
	IN("::1");
	OUT("::2");
	IN("fdab:cd::5");
	OUT("fe80::1");
	OUT("10.0.0.1");

	memset(&b, 0, sizeof(b));
	add_ok(&b, "::/0", __LINE__);
	assert_int_equal(judge(&b, "2001:db8::1"), 1);
	assert_int_equal(judge(&b, "::"), 1);
	/* Mapped clients are IPv4 clients: ::/0 does not cover them. */
	assert_int_equal(judge(&b, "::ffff:10.0.0.1"), 0);
	assert_int_equal(judge(&b, "10.0.0.1"), 0);

	memset(&b, 0, sizeof(b));
	add_ok(&b, "2001:db8::80/121", __LINE__);
	assert_int_equal(judge(&b, "2001:db8::80"), 1);
	assert_int_equal(judge(&b, "2001:db8::ff"), 1);
	assert_int_equal(judge(&b, "2001:db8::7f"), 0);
	assert_int_equal(judge(&b, "2001:db8::100"), 0);
}

static void
test_mapped(void **state)
{
	(void)state;
	ADD_OK("10.0.0.0/8");
	IN("::ffff:10.1.2.3");
	OUT("::ffff:11.1.2.3");
	/* Only ::ffff:0:0/96 is mapped; the old compatible form is v6. */
	OUT("::10.1.2.3");
	OUT("64:ff9b::a01:203");
	/* A mapped network could never match: refused. */
	ADD_BAD("::ffff:10.0.0.0/104", "IPv4-mapped");
	ADD_BAD("::ffff:10.0.0.1", "IPv4-mapped");
	ADD_BAD("::ffff:0:0/96", "IPv4-mapped");
}

static void
test_bad_nets(void **state)
{
	(void)state;
	ADD_BAD("", "empty");
	ADD_BAD("10.1.2.3/8", "beyond the prefix");
	ADD_BAD("10.0.0.1/31", "beyond the prefix");
	ADD_BAD("2001:db8::1/64", "beyond the prefix");
	ADD_BAD("0.0.0.1/0", "beyond the prefix");
	ADD_BAD("::1/0", "beyond the prefix");
	ADD_BAD("10.0.0.0/33", "0 to 32");
	ADD_BAD("::/129", "0 to 128");
	ADD_BAD("10.0.0.0/", "0 to 32");
	ADD_BAD("10.0.0.0/-1", "0 to 32");
	ADD_BAD("10.0.0.0/+8", "0 to 32");
	ADD_BAD("10.0.0.0/08", "0 to 32");
	ADD_BAD("10.0.0.0/8/8", "0 to 32");
	ADD_BAD("10.0.0.0/ 8", "0 to 32");
	ADD_BAD("10.0.0", "not an IPv4");
	ADD_BAD("010.0.0.0/8", "not an IPv4");
	ADD_BAD("10.0.0.256", "not an IPv4");
	ADD_BAD("/8", "not an IPv4");
	ADD_BAD("localhost", "not an IPv4");
	ADD_BAD("fe80::1%eth0", "not an IPv4");
	ADD_BAD("[::1]", "without brackets");
	ADD_BAD(" 10.0.0.0/8", "not an IPv4");
	ADD_BAD("10.0.0.0/8 ", "0 to 32");
	assert_int_equal(admit_add_net(NULL, "10.0.0.0/8", NULL), -1);
	assert_int_equal(admit_add_net(&a, NULL, NULL), -1);
}

static void
test_net_limit(void **state)
{
	char buf[32];
	const char *why = NULL;
	int i;

	(void)state;
	for (i = 0; i < ADMIT_MAX; i++) {
		snprintf(buf, sizeof(buf), "10.%d.0.0/16", i);
		ADD_OK(buf);
	}
	ADD_OK("10.0.0.0/16");		/* duplicate: not added again */
	assert_int_equal(a.nnets, ADMIT_MAX);
	assert_int_equal(admit_add_net(&a, "192.168.0.0/16", &why), -1);
	assert_non_null(strstr(why, "too many"));
	assert_int_equal(a.nnets, ADMIT_MAX);
}

static void
test_tcp_bad_family(void **state)
{
	uint8_t b[16] = { 10, 0, 0, 1 };

	(void)state;
	ADD_OK("0.0.0.0/0");
	assert_int_equal(admit_tcp(&a, 4, b), 1);
	assert_int_equal(admit_tcp(&a, 5, b), 0);
	assert_int_equal(admit_tcp(&a, 0, b), 0);
	assert_int_equal(admit_tcp(&a, 4, NULL), 0);
	assert_int_equal(admit_tcp(NULL, 4, b), 0);
}

static void
test_ids(void **state)
{
	const char *why = NULL;

	(void)state;
	assert_int_equal(admit_add_uid(&a, "1000", &why), 0);
	assert_int_equal(admit_add_uid(&a, "0", &why), 0);
	assert_int_equal(admit_add_gid(&a, "999", &why), 0);
	assert_int_equal(admit_add_uid(&a, "4294967294", &why), 0);
	assert_int_equal(a.nuids, 3);
	assert_int_equal(a.ngids, 1);

	assert_int_equal(admit_unix(&a, 1000, 1000), 1);
	assert_int_equal(admit_unix(&a, 0, 5), 1);
	assert_int_equal(admit_unix(&a, 4294967294u, 5), 1);
	assert_int_equal(admit_unix(&a, 1001, 999), 1);	/* by gid */
	assert_int_equal(admit_unix(&a, 1001, 1001), 0);
	assert_int_equal(admit_unix(&a, 4294967295u, 4294967295u), 0);
	assert_int_equal(admit_unix(NULL, 0, 0), 0);
	/* Peer credentials say nothing about TCP clients. */
	IN("192.0.2.1");
}

static void
test_ids_only_gid(void **state)
{
	(void)state;
	assert_int_equal(admit_add_gid(&a, "998", NULL), 0);
	assert_int_equal(admit_unix(&a, 998, 0), 0);	/* uid 998: no */
	assert_int_equal(admit_unix(&a, 0, 998), 1);
}

static void
test_bad_ids(void **state)
{
	static const char *const bad[] = { "", "-1", "+5", "4294967295",
	    "99999999999", "12a", "0x10", " 1", "1 ", "root", NULL };
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++) {
		why = NULL;
		if (admit_add_uid(&a, bad[i], &why) != -1)
			fail_msg("uid '%s' accepted", bad[i]);
		assert_non_null(why);
		assert_non_null(strstr(why, "uid"));
		why = NULL;
		if (admit_add_gid(&a, bad[i], &why) != -1)
			fail_msg("gid '%s' accepted", bad[i]);
		assert_non_null(strstr(why, "gid"));
	}
	assert_int_equal(a.nuids, 0);
	assert_int_equal(a.ngids, 0);
	assert_int_equal(admit_add_uid(&a, NULL, NULL), -1);
}

static void
test_id_limit(void **state)
{
	char buf[16];
	const char *why = NULL;
	int i;

	(void)state;
	for (i = 0; i < ADMIT_MAX; i++) {
		snprintf(buf, sizeof(buf), "%d", 1000 + i);
		assert_int_equal(admit_add_gid(&a, buf, &why), 0);
	}
	assert_int_equal(admit_add_gid(&a, "1000", &why), 0);	/* dup */
	assert_int_equal(admit_add_gid(&a, "5", &why), -1);
	assert_non_null(strstr(why, "too many"));
	assert_int_equal(a.ngids, ADMIT_MAX);
}

/* Re-add every word of an admit_str line into b. */
static void
reparse(const char *text, struct admit *b)
{
	char copy[ADMIT_STR_MAX], *line, *save1, *w, *save2;
	const char *kw, *why = NULL;
	int rc = -1;

	memset(b, 0, sizeof(*b));
	snprintf(copy, sizeof(copy), "%s", text);
	for (line = strtok_r(copy, "\n", &save1); line != NULL;
	    line = strtok_r(NULL, "\n", &save1)) {
		kw = strtok_r(line, " ", &save2);
		assert_non_null(kw);
		while ((w = strtok_r(NULL, " ", &save2)) != NULL) {
			if (strcmp(kw, "clients") == 0)
				rc = admit_add_net(b, w, &why);
			else if (strcmp(kw, "peer-uid") == 0)
				rc = admit_add_uid(b, w, &why);
			else if (strcmp(kw, "peer-gid") == 0)
				rc = admit_add_gid(b, w, &why);
			else if (strcmp(kw, "cert-cn") == 0)
				rc = admit_add_cert(b, ADMIT_CN, w, &why);
			else if (strcmp(kw, "cert-san") == 0)
				rc = admit_add_cert(b, ADMIT_SAN_DNS, w, &why);
			else
				fail_msg("unknown keyword '%s' in '%s'", kw,
				    text);
			if (rc != 0)
				fail_msg("'%s' from '%s' refused: %s", w, text,
				    why);
		}
	}
}

static void
test_str(void **state)
{
	struct admit b;
	char buf[ADMIT_STR_MAX];

	(void)state;
	assert_string_equal(admit_str(&a, buf, sizeof(buf)), "");
	ADD_OK("10.0.0.0/8");
	ADD_OK("::1");
	ADD_OK("192.0.2.1/32");
	ADD_OK("2001:db8::/48");
	ADD_OK("0.0.0.0/0");
	assert_string_equal(admit_str(&a, buf, sizeof(buf)),
	    "clients 10.0.0.0/8 ::1 192.0.2.1 2001:db8::/48 0.0.0.0/0");
	assert_int_equal(admit_add_uid(&a, "0", NULL), 0);
	assert_int_equal(admit_add_uid(&a, "1000", NULL), 0);
	assert_int_equal(admit_add_gid(&a, "4294967294", NULL), 0);
	assert_string_equal(admit_str(&a, buf, sizeof(buf)),
	    "clients 10.0.0.0/8 ::1 192.0.2.1 2001:db8::/48 0.0.0.0/0\n"
	    "peer-uid 0 1000\npeer-gid 4294967294");
	reparse(buf, &b);
	assert_memory_equal(&a, &b, sizeof(a));

	/* Truncation keeps a terminated string. */
	assert_string_equal(admit_str(&a, buf, 8), "clients");
	buf[0] = 'x';
	admit_str(&a, buf, 1);
	assert_int_equal(buf[0], '\0');
	assert_null(admit_str(&a, NULL, 10));
}

static void
test_str_full(void **state)
{
	struct admit b;
	char buf[ADMIT_STR_MAX], n[64];
	int i;

	(void)state;
	/* The longest text: 32 long IPv6 networks and 10-digit ids. */
	for (i = 0; i < ADMIT_MAX; i++) {
		snprintf(n, sizeof(n), "ffff:ffff:ffff:ffff:ffff:ffff:ff%02x:"
		    "fffe/127", i);
		ADD_OK(n);
		snprintf(n, sizeof(n), "%lld", 4294967200LL + i);
		assert_int_equal(admit_add_uid(&a, n, NULL), 0);
		assert_int_equal(admit_add_gid(&a, n, NULL), 0);
	}
	admit_str(&a, buf, sizeof(buf));
	assert_true(strlen(buf) < sizeof(buf) - 1);
	reparse(buf, &b);
	assert_memory_equal(&a, &b, sizeof(a));
}

/* A certificate identity: CN and SANs "dns:x", "ip:y", ... */
static void
cert_id(struct admit_cert *id, const char *cn, ...)
{
	static const struct { const char *pfx; enum admit_cert_kind k; } kinds[] = {
		{ "dns:", ADMIT_SAN_DNS }, { "ip:", ADMIT_SAN_IP },
		{ "uri:", ADMIT_SAN_URI }, { "email:", ADMIT_SAN_EMAIL },
	};
	va_list ap;
	const char *san;
	size_t i;

	memset(id, 0, sizeof(*id));
	snprintf(id->cn, sizeof(id->cn), "%s", cn);
	va_start(ap, cn);
	while ((san = va_arg(ap, const char *)) != NULL) {
		for (i = 0; i < 4; i++)
			if (strncmp(san, kinds[i].pfx, strlen(kinds[i].pfx)) == 0)
				break;
		assert_true(i < 4);
		id->san[id->nsan].kind = kinds[i].k;
		snprintf(id->san[id->nsan].value, ADMIT_NAME_MAX, "%s",
		    san + strlen(kinds[i].pfx));
		id->nsan++;
	}
	va_end(ap);
}

static void
test_certs(void **state)
{
	struct admit_cert id;
	const char *why;

	(void)state;
	/* No names: every client (and one without a certificate). */
	cert_id(&id, "anyone", NULL);
	assert_int_equal(admit_cert(&a, &id), 1);
	assert_int_equal(admit_cert(&a, NULL), 1);

	assert_int_equal(admit_add_cert(&a, ADMIT_CN, "traefik", &why), 0);
	assert_int_equal(admit_add_cert(&a, ADMIT_SAN_DNS,
	    "dns:Traefik.Internal", &why), 0);
	assert_int_equal(admit_add_cert(&a, ADMIT_SAN_DNS, "ip:10.0.0.5",
	    &why), 0);
	assert_int_equal(admit_add_cert(&a, ADMIT_SAN_DNS,
	    "ip:2001:DB8:0:0::1", &why), 0);
	assert_int_equal(admit_add_cert(&a, ADMIT_SAN_DNS,
	    "uri:spiffe://example.org/ci", &why), 0);
	assert_int_equal(admit_add_cert(&a, ADMIT_SAN_DNS,
	    "email:ops@example.org", &why), 0);
	/* Twice is once. */
	assert_int_equal(admit_add_cert(&a, ADMIT_CN, "traefik", &why), 0);
	assert_int_equal(a.ncerts, 6);

	/* With names, a client without a certificate is refused. */
	assert_int_equal(admit_cert(&a, NULL), 0);
	cert_id(&id, "traefik", NULL);
	assert_int_equal(admit_cert(&a, &id), 1);
	/* CN exactly: case counts, and the CN is not a DNS SAN. */
	cert_id(&id, "Traefik", NULL);
	assert_int_equal(admit_cert(&a, &id), 0);
	cert_id(&id, "traefik.internal", NULL);
	assert_int_equal(admit_cert(&a, &id), 0);
	/* DNS and email: ASCII case-insensitive. */
	cert_id(&id, "x", "dns:other", "dns:traefik.INTERNAL", NULL);
	assert_int_equal(admit_cert(&a, &id), 1);
	cert_id(&id, "x", "email:OPS@example.org", NULL);
	assert_int_equal(admit_cert(&a, &id), 1);
	/* A DNS name is not admitted as a SAN of another kind. */
	cert_id(&id, "x", "uri:traefik.internal", "email:traefik.internal",
	    NULL);
	assert_int_equal(admit_cert(&a, &id), 0);
	/* IP by address, whatever the spelling. */
	cert_id(&id, "x", "ip:2001:db8::1", NULL);
	assert_int_equal(admit_cert(&a, &id), 1);
	cert_id(&id, "x", "ip:10.0.0.6", NULL);
	assert_int_equal(admit_cert(&a, &id), 0);
	/* URI exactly. */
	cert_id(&id, "x", "uri:spiffe://example.org/ci", NULL);
	assert_int_equal(admit_cert(&a, &id), 1);
	cert_id(&id, "x", "uri:spiffe://example.org/CI", NULL);
	assert_int_equal(admit_cert(&a, &id), 0);
	/* A wildcard in a certificate matches only itself. */
	cert_id(&id, "*", "dns:*.internal", NULL);
	assert_int_equal(admit_cert(&a, &id), 0);
}

static void
test_bad_certs(void **state)
{
	const char *why = NULL;
	char	 n[32];
	int	 i;

	(void)state;
	assert_int_equal(admit_add_cert(&a, ADMIT_SAN_DNS, "traefik", &why),
	    -1);
	assert_non_null(strstr(why, "dns:NAME"));
	assert_int_equal(admit_add_cert(&a, ADMIT_SAN_DNS, "dns:", &why), -1);
	assert_int_equal(admit_add_cert(&a, ADMIT_SAN_DNS, "dns:a b", &why),
	    -1);
	assert_int_equal(admit_add_cert(&a, ADMIT_CN, "a\"b", &why), -1);
	assert_int_equal(admit_add_cert(&a, ADMIT_CN, "a#b", &why), -1);
	assert_int_equal(admit_add_cert(&a, ADMIT_CN, "caf\xc3\xa9", &why),
	    -1);
	assert_int_equal(admit_add_cert(&a, ADMIT_SAN_DNS, "dns:*.internal",
	    &why), -1);
	assert_non_null(strstr(why, "wildcard"));
	assert_int_equal(admit_add_cert(&a, ADMIT_CN, "*", &why), -1);
	assert_int_equal(admit_add_cert(&a, ADMIT_SAN_DNS, "ip:10.0.0", &why),
	    -1);
	assert_int_equal(a.ncerts, 0);
	for (i = 0; i < ADMIT_MAX; i++) {
		snprintf(n, sizeof(n), "client-%d", i);
		assert_int_equal(admit_add_cert(&a, ADMIT_CN, n, &why), 0);
	}
	assert_int_equal(admit_add_cert(&a, ADMIT_CN, "one-more", &why), -1);
}

static void
test_str_certs(void **state)
{
	struct admit b;
	char	 buf[ADMIT_STR_MAX];
	const char *why;

	(void)state;
	assert_int_equal(admit_add_net(&a, "10.0.0.0/8", &why), 0);
	assert_int_equal(admit_add_cert(&a, ADMIT_CN, "traefik", &why), 0);
	assert_int_equal(admit_add_cert(&a, ADMIT_SAN_DNS, "ip:::1", &why), 0);
	assert_int_equal(admit_add_cert(&a, ADMIT_SAN_DNS, "dns:b.internal",
	    &why), 0);
	assert_int_equal(admit_add_cert(&a, ADMIT_CN, "ci", &why), 0);
	admit_str(&a, buf, sizeof(buf));
	assert_string_equal(buf, "clients 10.0.0.0/8\ncert-cn traefik ci\n"
	    "cert-san ip:::1 dns:b.internal");
	reparse(buf, &b);
	/* Same names; the order within a kind group may differ. */
	assert_int_equal(b.ncerts, a.ncerts);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_empty_admits_all, setup),
		cmocka_unit_test_setup(test_v4, setup),
		cmocka_unit_test_setup(test_v4_edges, setup),
		cmocka_unit_test_setup(test_v6, setup),
		cmocka_unit_test_setup(test_mapped, setup),
		cmocka_unit_test_setup(test_bad_nets, setup),
		cmocka_unit_test_setup(test_net_limit, setup),
		cmocka_unit_test_setup(test_tcp_bad_family, setup),
		cmocka_unit_test_setup(test_ids, setup),
		cmocka_unit_test_setup(test_ids_only_gid, setup),
		cmocka_unit_test_setup(test_bad_ids, setup),
		cmocka_unit_test_setup(test_id_limit, setup),
		cmocka_unit_test_setup(test_str, setup),
		cmocka_unit_test_setup(test_str_full, setup),
		cmocka_unit_test_setup(test_certs, setup),
		cmocka_unit_test_setup(test_bad_certs, setup),
		cmocka_unit_test_setup(test_str_certs, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
