/*
 * test_config.c - the configuration file: a full valid file, every kind of
 * malformed line with its exact line number and message, cfg_dump round
 * trips and cfg_load_file.  With "--keywords" it prints the keywords the
 * parser takes instead (test_docs.py checks them against sockward.conf(5)).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "profile.h"
#include "resp_filter.h"

#define FNAME "/etc/sockward/test.conf"

static struct cfg c, c2;
static char err[512];

static int
teardown(void **state)
{
	(void)state;
	cfg_free(&c);
	cfg_free(&c2);
	return 0;
}

static int
parse(const char *text, struct cfg *out)
{
	return cfg_parse(text, strlen(text), FNAME, out, err, sizeof(err));
}

static void
parse_ok(const char *text, struct cfg *out, int line)
{
	if (parse(text, out) != 0)
		fail_msg("line %d: refused: %s\n%s", line, err, text);
}

/* The number of rules profile name brings. */
static size_t
profile_nrules(const char *name)
{
	struct rule_set s;
	size_t n;

	memset(&s, 0, sizeof(s));
	assert_non_null(profile_find(name));
	assert_int_equal(profile_load(profile_find(name), &s), 0);
	n = s.nrules;
	rule_set_free(&s);
	return n;
}

static const char full_conf[] =
    "# A full configuration.\n"					/* 1 */
    "upstream \"unix:///var/run/docker.sock\"   # the daemon\n"	/* 2 */
    "log-format json\n"						/* 3 */
    "header-timeout 5\n"					/* 4 */
    "\n"							/* 5 */
    "listener traefik {\t# comment after the brace\n"		/* 6 */
    "\tlisten \"tcp://0.0.0.0:2375\"\n"				/* 7 */
    "\tlisten tcp://[::]:2375\n"				/* 8 */
    "\tclients 172.16.0.0/12 10.0.0.0/8\n"			/* 9 */
    "\tclients ::1\n"						/* 10 */
    "\tdeny POST /containers/{id}/exec reason \"no # shells, "
    "\\\"really\\\" \\\\o/\"  # why\n"				/* 11 */
    "\tprofile traefik,dozzle\n"				/* 12 */
    "\tallow GET /containers/json query all=1|true # listing\n"	/* 13 */
    "\tmode audit\n"						/* 14 */
    "}\n"							/* 15 */
    "log-level debug\n"						/* 16 */
    "idle-timeout 120\r\n"					/* 17 */
    "listener \"ro-sock\" {\n"					/* 18 */
    "  listen unix:///run/sockward/ro.sock\n"			/* 19 */
    "  peer-uid 0 1000\n"					/* 20 */
    "  peer-gid 999\n"						/* 21 */
    "  socket-mode 0640\n"					/* 22 */
    "  socket-owner 0:999\n"					/* 23 */
    "  allow GET,HEAD /_ping\n"					/* 24 */
    "  profile traefik\n"					/* 25 */
    "  deny * /** reason \"read-only # socket\"\n"		/* 26 */
    "}";							/* 27 */

static void
test_full(void **state)
{
	const struct cfg_listener *l;
	const struct rule *r;
	size_t nt, nd, n;

	(void)state;
	nt = profile_nrules("traefik");
	nd = profile_nrules("dozzle");
	parse_ok(full_conf, &c, __LINE__);
	assert_string_equal(c.upstream, "/var/run/docker.sock");
	assert_string_equal(c.log_format, "json");
	assert_string_equal(c.log_level, "debug");
	assert_int_equal(c.header_timeout_s, 5);
	assert_int_equal(c.idle_timeout_s, 120);
	assert_int_equal(c.nlisteners, 2);

	l = &c.listeners[0];
	assert_string_equal(l->name, "traefik");
	assert_int_equal(l->line, 6);
	assert_int_equal(l->naddrs, 2);
	assert_string_equal(l->addrs[0], "tcp://0.0.0.0:2375");
	assert_string_equal(l->addrs[1], "tcp://[::]:2375");
	assert_int_equal(l->mode, CFG_AUDIT);
	assert_int_equal(l->admit.nnets, 3);
	assert_int_equal(l->admit.nets[0].family, 4);
	assert_int_equal(l->admit.nets[0].prefix, 12);
	assert_int_equal(l->admit.nets[2].family, 6);
	assert_int_equal(l->admit.nuids, 0);
	assert_int_equal(l->sock_mode, -1);
	assert_int_equal(l->sock_uid, -1);
	assert_int_equal(l->sock_gid, -1);
	assert_string_equal(l->rules.name, "traefik+dozzle");
	assert_int_equal(l->rules.nrules, 1 + nt + nd + 1);
	/* File order, the profiles expanded where they stand. */
	r = &l->rules.rules[0];
	assert_int_equal(r->action, RULE_DENY);
	assert_string_equal(r->reason, "no # shells, \"really\" \\o/");
	assert_string_equal(r->origin, "test.conf:11");
	assert_int_equal(r->index, 1);
	assert_string_equal(l->rules.rules[1].origin, "profile traefik");
	assert_string_equal(l->rules.rules[1 + nt].origin, "profile dozzle");
	r = &l->rules.rules[1 + nt + nd];
	assert_int_equal(r->action, RULE_ALLOW);
	assert_string_equal(r->origin, "test.conf:13");
	assert_int_equal(r->nquery, 1);
	assert_string_equal(r->query[0].key, "all");
	assert_string_equal(r->query[0].values, "1|true");
	assert_string_equal(r->reason, "");

	l = &c.listeners[1];
	assert_string_equal(l->name, "ro-sock");
	assert_int_equal(l->line, 18);
	assert_int_equal(l->naddrs, 1);
	assert_string_equal(l->addrs[0], "unix:///run/sockward/ro.sock");
	assert_int_equal(l->mode, CFG_ENFORCE);
	assert_int_equal(l->admit.nnets, 0);
	assert_int_equal(l->admit.nuids, 2);
	assert_int_equal(l->admit.uids[1], 1000);
	assert_int_equal(l->admit.ngids, 1);
	assert_int_equal(l->admit.gids[0], 999);
	assert_int_equal(l->sock_mode, 0640);
	assert_int_equal(l->sock_uid, 0);
	assert_int_equal(l->sock_gid, 999);
	assert_string_equal(l->rules.name, "traefik");
	n = l->rules.nrules;
	assert_int_equal(n, 1 + nt + 1);
	assert_string_equal(l->rules.rules[0].origin, "test.conf:24");
	assert_string_equal(l->rules.rules[0].text, "GET,HEAD /_ping");
	r = &l->rules.rules[n - 1];
	assert_int_equal(r->action, RULE_DENY);
	assert_string_equal(r->reason, "read-only # socket");
	assert_string_equal(r->origin, "test.conf:26");
}

static void
test_small(void **state)
{
	static const char small[] = "listener a {\nlisten tcp://127.0.0.1:1\n"
	    "allow GET /x\n}\n";

	(void)state;
	/* No profile: the policy is named after the listener; no trailing
	 * newline; defaults. */
	parse_ok("listener api {\nlisten tcp://127.0.0.1:2375\n"
	    "allow GET /version\n}", &c, __LINE__);
	assert_int_equal(c.nlisteners, 1);
	assert_string_equal(c.listeners[0].rules.name, "api");
	assert_string_equal(c.upstream, "");
	assert_string_equal(c.log_format, "");
	assert_string_equal(c.log_level, "");
	assert_int_equal(c.header_timeout_s, 0);
	assert_int_equal(c.idle_timeout_s, 0);
	assert_int_equal(c.listeners[0].mode, CFG_ENFORCE);
	assert_int_equal(c.listeners[0].sock_mode, -1);
	cfg_free(&c);

	/* A profile named twice appears once in the policy name. */
	parse_ok("listener a {\nlisten unix:///x.sock\nprofile dozzle\n"
	    "profile traefik,dozzle\nsocket-owner 5\n}\n", &c, __LINE__);
	assert_string_equal(c.listeners[0].rules.name, "dozzle+traefik");
	assert_int_equal(c.listeners[0].rules.nrules,
	    2 * profile_nrules("dozzle") + profile_nrules("traefik"));
	assert_int_equal(c.listeners[0].sock_uid, 5);
	assert_int_equal(c.listeners[0].sock_gid, -1);
	cfg_free(&c);

	/* A listener with tcp and unix addresses takes both kinds of
	 * admission; a '#' inside a quoted word is not a comment. */
	parse_ok("listener m {\nlisten tcp://[::1]:1\n"
	    "listen \"unix:///run/a#b.sock\"\nclients 127.0.0.1\n"
	    "peer-gid 0\nsocket-mode 0\nallow * /**\n}\n", &c, __LINE__);
	assert_string_equal(c.listeners[0].addrs[1], "unix:///run/a#b.sock");
	assert_int_equal(c.listeners[0].sock_mode, 0);

	/* The origin keeps the end of a long file name. */
	cfg_free(&c);
	assert_int_equal(cfg_parse(small, strlen(small),
	    "/a/very-long-configuration-file-name-for-sockward.conf", &c,
	    err, sizeof(err)), 0);
	assert_string_equal(c.listeners[0].rules.rules[0].origin,
	    "nfiguration-file-name-for-sockward.conf:3");
}

struct bad_case {
	const char	*text;
	int		 line;
	const char	*msg;	/* must appear in the message */
};

#define L_OPEN  "listener a {\nlisten tcp://0.0.0.0:1\n"
#define L_UNIX  "listener u {\nlisten unix:///run/u.sock\n"
#define L_RULE  "allow GET /_ping\n"

#define L_TLS   "listener t {\nlisten tls://127.0.0.1:2376\n" L_RULE
#define T_CERT  "tls-cert /c.pem\ntls-key /k.pem\n"

static const struct bad_case bad_cases[] = {
	/* Issue 14: TLS listeners, certificate names, the upstream. */
	{ L_TLS "}\n", 1, "listener \"t\": a tls:// address needs tls-cert "
	    "and tls-key" },
	{ L_TLS "tls-cert /c.pem\n}\n", 1, "needs tls-cert and tls-key" },
	{ L_TLS T_CERT "cert-cn traefik\n}\n", 1, "cert-cn and cert-san "
	    "need tls-client-ca" },
	{ "listener t {\nlisten tcp://127.0.0.1:1\n" L_RULE T_CERT "}\n", 1,
	    "apply to tls:// addresses, and there is none" },
	{ "listener t {\nlisten tcp://127.0.0.1:1\n" L_RULE
	    "cert-cn a\n}\n", 1, "cert-cn and cert-san apply to tls://" },
	{ "listener t {\nlisten tls://0.0.0.0:2376\n" L_RULE T_CERT "}\n",
	    1, "tls://0.0.0.0:2376 is not loopback and has no tls-client-ca" },
	{ "listener t {\nlisten tls://*:2376\n" L_RULE T_CERT
	    "insecure-tls-no-client-cert off\n}\n", 1, "is not loopback" },
	{ L_TLS T_CERT "tls-cert /d.pem\n}\n", 6, "duplicate tls-cert" },
	{ L_TLS "tls-cert c.pem\n}\n", 4, "tls-cert must be an absolute "
	    "path" },
	{ L_TLS "insecure-tls-no-client-cert yes\n}\n", 4,
	    "usage: insecure-tls-no-client-cert on|off" },
	{ L_TLS "cert-san traefik\n}\n", 4, "cert-san \"traefik\": a SAN "
	    "is dns:NAME" },
	{ L_TLS "cert-cn \"a b\"\n}\n", 4, "cert-cn \"a b\": a certificate "
	    "name is" },
	{ L_TLS T_CERT "tls-client-ca /ca.pem\ncert-cn a\n}\n"
	    "listener u {\nlisten tls://127.0.0.1:2376\n" L_RULE "}\n", 9,
	    "listener \"u\" shares tls://127.0.0.1:2376 with \"t\": each "
	    "must name the certificates it admits" },
	{ L_TLS T_CERT "tls-client-ca /ca.pem\ncert-cn a\n}\n"
	    "listener u {\nlisten tls://127.0.0.1:2376\n" L_RULE
	    "tls-cert /other.pem\ncert-cn b\n}\n", 9, "listeners \"t\" and "
	    "\"u\" share tls://127.0.0.1:2376 and must use the same" },
	{ L_TLS T_CERT "}\nlistener u {\nlisten tcp://127.0.0.1:2376\n"
	    L_RULE "}\n", 8, "overlaps tls://127.0.0.1:2376" },
	{ "metrics tls://127.0.0.1:9100\n", 1, "metrics: tcp:// or unix://, "
	    "not tls://" },
	{ "metrics 127.0.0.1:9100\n", 1, "metrics: bad listen address" },
	{ "upstream tls://docker.example:2376\n", 1, "numeric IPv4 or "
	    "[IPv6] address" },
	{ "upstream tls://0.0.0.0:2376\n", 1, "numeric IPv4 or [IPv6]" },
	{ "upstream-ca ca.pem\n", 1, "upstream-ca must be an absolute path" },
	{ "upstream-server-name \"a b\"\n", 1, "upstream-server-name must be "
	    "a DNS name" },
	{ "frobnicate 1\n", 1, "unknown keyword \"frobnicate\"" },
	{ "\n# c\nupstream \"/var/run/docker.sock\n", 3,
	    "unterminated quoted string" },
	{ "upstream \"/var/run\\n.sock\"\n", 1,
	    "bad escape '\\n' in quoted string" },
	{ L_OPEN L_RULE, 1, "listener \"a\" is not closed: missing '}'" },
	{ "log-level info\n}\n", 2, "'}' without a listener block" },
	{ L_OPEN L_RULE "listener b {\n}\n", 4,
	    "listener inside listener \"a\" (opened on line 1" },
	{ L_OPEN L_RULE "}\nlistener a {\n", 5,
	    "duplicate listener \"a\" (first defined on line 1)" },
	{ "log-format json\n\nlog-format text\n", 3,
	    "duplicate log-format (already set on line 1)" },
	{ "upstream /a.sock\n" L_OPEN L_RULE "}\nupstream unix:///b.sock\n", 6,
	    "duplicate upstream (already set on line 1)" },
	{ "idle-timeout 0\n", 1, "idle-timeout must be whole seconds from "
	    "1 to 86400" },
	{ "header-timeout 86401\n", 1, "header-timeout must be whole" },
	{ "idle-timeout 5s\n", 1, "idle-timeout must be whole" },
	{ L_OPEN "profile traefik,nosuch\n}\n", 3,
	    "unknown profile \"nosuch\"; built-in profiles: traefik" },
	{ L_OPEN "profile traefik,\n}\n", 3, "empty profile name" },
	{ L_OPEN "allow GOT /x\n}\n", 3, "bad rule: " },
	{ L_OPEN "deny GET containers\n}\n", 3, "bad rule: " },
	{ L_OPEN L_RULE "clients 10.0.0.0/8 10.0.0.0/33\n}\n", 4,
	    "bad network \"10.0.0.0/33\": prefix length must be 0 to 32" },
	{ L_OPEN "clients 10.1.2.3/8\n" L_RULE "}\n", 3,
	    "bad network \"10.1.2.3/8\": address has bits set beyond" },
	{ L_UNIX L_RULE "\n\nclients 10.0.0.0/8\n}\n", 6,
	    "clients applies to tcp:// addresses, and listener \"u\" has "
	    "none" },
	{ L_OPEN "peer-uid 1000\n" L_RULE "}\n", 3,
	    "peer-uid applies to unix:// addresses" },
	{ L_OPEN L_RULE "peer-gid 10\n}\n", 4,
	    "peer-gid applies to unix:// addresses" },
	{ L_OPEN L_RULE "socket-mode 0600\n}\n", 4,
	    "socket-mode applies to unix:// addresses" },
	{ "\nlistener a {\n" L_RULE "}\n", 2,
	    "listener \"a\" has no listen address" },
	{ L_OPEN "mode audit\n}\n", 1, "listener \"a\": no rules: "
	    "everything would be denied; add a profile or allow rules" },
	{ L_OPEN "deny * /**\n}\n", 1, "only deny rules" },
	{ L_UNIX L_RULE "socket-mode 0999\n}\n", 4,
	    "socket-mode must be octal from 0 to 0777" },
	{ L_UNIX L_RULE "socket-mode 1000\n}\n", 4,
	    "socket-mode must be octal" },
	{ L_UNIX L_RULE "socket-mode rw\n}\n", 4,
	    "socket-mode must be octal" },
	{ L_UNIX L_RULE "socket-owner root\n}\n", 4,
	    "socket-owner must be UID or UID:GID" },
	{ L_UNIX L_RULE "socket-owner 0:\n}\n", 4,
	    "socket-owner must be UID or UID:GID" },
	{ L_UNIX L_RULE "peer-uid 0 -1\n}\n", 4,
	    "peer-uid \"-1\": uid must be a number" },
	{ "listener a {\nlisten http://x:1\n", 2,
	    "bad listen address (want tcp://HOST:PORT, tls://HOST:PORT or "
	    "unix:///path): http://x:1" },
	{ "listener a {\nlisten unix://rel.sock\n", 2,
	    "unix listener path must be absolute" },
	{ "listener a {\nlisten tcp://\n", 2, "bad listen address (want "
	    "tcp://HOST:PORT, tcp://[V6]:PORT, tls://HOST:PORT or "
	    "unix:///path): tcp://" },
	/* What start-up could not bind, refused by the parser already. */
	{ "listener a {\nlisten tcp://localhost:2375\n", 2, "listen host "
	    "must be a numeric address, [IPv6] or * (sockward resolves no "
	    "names): tcp://localhost:2375" },
	{ "listener a {\nlisten tcp://127.0.0.1:99999\n", 2, "listen port "
	    "must be from 1 to 65535: tcp://127.0.0.1:99999" },
	{ "listener a {\nlisten tcp://127.0.0.1:0\n", 2, "listen port "
	    "must be from 1 to 65535" },
	{ "listener a {\nlisten tcp://[::ffff:127.0.0.1]:2375\n", 2,
	    "IPv4-mapped IPv6 address" },
	{ L_OPEN L_RULE "}\nlistener b {\nlisten tcp://127.0.0.1:1\n", 6,
	    "listen address tcp://127.0.0.1:1 overlaps tcp://0.0.0.0:1 "
	    "(listener \"a\", line 1): 0.0.0.0 takes the port on every IPv4 "
	    "address" },
	{ "listener a {\nlisten tcp://*:2376\nlisten tcp://[::]:2376\n", 3,
	    "listen address tcp://[::]:2376 overlaps tcp://*:2376 (listener "
	    "\"a\", line 1): * takes the port" },
	{ "listener a {\nlisten unix:///run/a.sock\n"
	    "listen unix:///run/a.sock\n", 3, "listen address "
	    "unix:///run/a.sock overlaps unix:///run/a.sock" },
	{ L_OPEN "listen tcp://127.0.0.1:2\nlisten tcp://127.0.0.1:3\n"
	    "listen tcp://127.0.0.1:4\nlisten tcp://127.0.0.1:5\n", 6, "too many listen addresses (at most 4" },
	{ L_OPEN L_RULE "}\nlistener b {\nlisten tcp://0.0.0.0:1\n", 6,
	    "listen address tcp://0.0.0.0:1 overlaps tcp://0.0.0.0:1 "
	    "(listener \"a\", line 1): the same address twice" },
	{ L_OPEN "upstream /x.sock\n", 3,
	    "upstream is a global setting: move it out of listener \"a\"" },
	{ "allow GET /_ping\n", 1, "allow belongs inside a listener block" },
	{ "listener a { listen tcp://127.0.0.1:1\n", 1,
	    "'{' must end the listener line" },
	{ "listener a\n", 1, "usage: listener NAME {" },
	{ "listener a b {\n", 1, "usage: listener NAME {" },
	{ "listener \"a/b\" {\n", 1, "bad listener name \"a/b\"" },
	{ "listener abcdefghijabcdefghijabcdefghij12 {\n", 1,
	    "bad listener name" },
	{ "upstream \"/x\"y\n", 1, "text right after a closing quote" },
	{ "upstream /x\"y\"\n", 1, "quote inside a word" },
	{ "log-format\n", 1, "usage: log-format text|json" },
	{ "log-format json text\n", 1, "usage: log-format text|json" },
	{ "log-format yaml\n", 1, "log-format must be text or json" },
	{ "log-level loud\n", 1, "log-level must be debug, info, warn or "
	    "error" },
	{ L_OPEN L_RULE "} # ok\n" L_UNIX L_RULE "} x\n", 8,
	    "'}' must stand on its own line" },
	{ L_OPEN L_RULE "mode audit\nmode enforce\n}\n", 5,
	    "duplicate mode (already set on line 4)" },
	{ L_OPEN L_RULE "mode learn\n}\n", 4, "mode must be enforce or "
	    "audit" },
	{ "# nothing\nupstream /x.sock\n", 2, "no listener block" },
	{ "", 1, "no listener block" },
	{ "upstream tcp://127.0.0.1:2375\n", 1, "upstream must be a unix "
	    "socket path" },
	{ "upstream \"\"\n", 1, "empty upstream path" },
	{ "upstream /a/very/long/path/that/goes/on/and/on/and/on/and/on/"
	    "and/on/and/on/and/on/and/on/and/on/and/on/and/on/and/on/and/on/"
	    "x.sock\n", 1,
	    "upstream path too long (at most 107 bytes)" },
	{ "upstream /x\001\n", 1, "control character 0x01" },
	{ L_OPEN "allow GET /x reason \"abc\n}\n", 3,
	    "unterminated quoted string" },
	{ L_OPEN "allow GET /x reason \"a\\tb\"\n}\n", 3, "bad escape" },
	{ L_OPEN "allow\n}\n", 3, "usage: allow METHODS PATTERN" },
	{ L_OPEN "allow \"GET\" /x reason\n}\n", 3, "bad rule: " },
	/* The first error wins. */
	{ "log-format x\nfrobnicate\n", 1, "log-format must be" },
	{ "\n\n\n\n\n\n\n\n\n\nlisten tcp://127.0.0.1:1\n", 11,
	    "listen belongs inside a listener block" },
};

static void
test_bad(void **state)
{
	char want[64];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		err[0] = '\0';
		if (parse(bad_cases[i].text, &c) != -1) {
			cfg_free(&c);
			fail_msg("case %zu accepted:\n%s", i,
			    bad_cases[i].text);
		}
		snprintf(want, sizeof(want), FNAME ":%d: ", bad_cases[i].line);
		n = strlen(want);
		if (strncmp(err, want, n) != 0 ||
		    strstr(err + n, bad_cases[i].msg) == NULL)
			fail_msg("case %zu: got '%s', want '%s%s...'", i, err,
			    want, bad_cases[i].msg);
		/* Nothing is left to free: the result is empty. */
		assert_int_equal(c.nlisteners, 0);
		assert_null(c.listeners[0].rules.rules);
	}
	assert_true(i >= 25);
}

static void
test_limits(void **state)
{
	char *text, *p;
	size_t cap = 64 * 1024;
	int i;

	(void)state;
	text = malloc(cap);
	assert_non_null(text);

	/* 17 addresses in 5 listeners: start-up binds at most 16. */
	for (p = text, i = 0; i <= CFG_MAX_ALL_ADDRS; i++) {
		if (i % 4 == 0)
			p += sprintf(p, "%slistener l%d {\nallow GET /x\n",
			    i > 0 ? "}\n" : "", i);
		p += sprintf(p, "listen tcp://127.0.0.1:%d\n", i + 1);
	}
	p += sprintf(p, "}\n");
	assert_int_equal(parse(text, &c), -1);
	assert_non_null(strstr(err, ":31: too many listen addresses (at most "
	    "16 in all listeners)"));

	/* 17 listeners. */
	for (p = text, i = 0; i <= CFG_MAX_LISTENERS; i++)
		p += sprintf(p, "listener l%d {\nlisten tcp://127.0.0.1:%d\n"
		    "allow GET /x\n}\n", i, i + 1);
	assert_int_equal(parse(text, &c), -1);
	assert_string_equal(err, FNAME ":65: too many listeners (at most "
	    "16)");

	/* 33 networks. */
	p = text + sprintf(text, L_OPEN L_RULE "clients");
	for (i = 0; i <= ADMIT_MAX; i++)
		p += sprintf(p, " 10.%d.0.0/16", i);
	sprintf(p, "\n}\n");
	assert_int_equal(parse(text, &c), -1);
	assert_non_null(strstr(err, ":4: bad network \"10.32.0.0/16\": too "
	    "many networks"));

	/* Too many words on a line, and too long a line. */
	p = text + sprintf(text, L_OPEN L_RULE "clients");
	for (i = 0; i < 200; i++)
		p += sprintf(p, " 1.1.1.1");
	sprintf(p, "\n}\n");
	assert_int_equal(parse(text, &c), -1);
	assert_non_null(strstr(err, ":4: too many words on one line"));
	memset(text, ' ', 5000);
	strcpy(text + 5000, "x\n");
	assert_int_equal(parse(text, &c), -1);
	assert_string_equal(err, FNAME ":1: line too long (at most 4096 "
	    "bytes)");

	/* More than RULE_MAX_RULES rules in one listener. */
	p = text + sprintf(text, L_OPEN);
	for (i = 0; i <= RULE_MAX_RULES; i++)
		p += sprintf(p, "allow GET /r%d\n", i);
	sprintf(p, "}\n");
	assert_int_equal(parse(text, &c), -1);
	assert_non_null(strstr(err, ":1027: too many rules (at most 1024"));
	free(text);

	/* A NUL byte is a control character, not the end of the text. */
	assert_int_equal(cfg_parse("upstream /x\0y\n", 14, FNAME, &c, err,
	    sizeof(err)), -1);
	assert_string_equal(err, FNAME ":1: control character 0x00 in line");

	/* A short error buffer is still terminated. */
	assert_int_equal(cfg_parse("x\n", 2, FNAME, &c, err, 10), -1);
	assert_int_equal(strlen(err), 9);
}

/* Dump collection. */
struct sink {
	char	 buf[256 * 1024];
	size_t	 len;
	size_t	 nlines;
};

static struct sink sink1, sink2;

static void
sink_out(void *arg, const char *line)
{
	struct sink *s = arg;
	size_t n = strlen(line);

	assert_true(strchr(line, '\n') == NULL);
	assert_true(s->len + n + 1 < sizeof(s->buf));
	memcpy(s->buf + s->len, line, n);
	s->buf[s->len + n] = '\n';
	s->len += n + 1;
	s->buf[s->len] = '\0';
	s->nlines++;
}

static void
same_policy(const struct cfg *a, const struct cfg *b)
{
	const struct cfg_listener *la, *lb;
	const struct rule *ra, *rb;
	size_t i, j;

	assert_string_equal(a->upstream, b->upstream);
	assert_string_equal(a->log_format, b->log_format);
	assert_string_equal(a->log_level, b->log_level);
	assert_int_equal(a->header_timeout_s, b->header_timeout_s);
	assert_int_equal(a->idle_timeout_s, b->idle_timeout_s);
	assert_int_equal(a->nlisteners, b->nlisteners);
	for (i = 0; i < a->nlisteners; i++) {
		la = &a->listeners[i];
		lb = &b->listeners[i];
		assert_string_equal(la->name, lb->name);
		assert_int_equal(la->naddrs, lb->naddrs);
		for (j = 0; j < la->naddrs; j++)
			assert_string_equal(la->addrs[j], lb->addrs[j]);
		assert_int_equal(la->mode, lb->mode);
		assert_memory_equal(&la->admit, &lb->admit, sizeof(la->admit));
		assert_int_equal(la->sock_mode, lb->sock_mode);
		assert_int_equal(la->sock_uid, lb->sock_uid);
		assert_int_equal(la->sock_gid, lb->sock_gid);
		assert_int_equal(la->rules.nrules, lb->rules.nrules);
		for (j = 0; j < la->rules.nrules; j++) {
			ra = &la->rules.rules[j];
			rb = &lb->rules.rules[j];
			assert_int_equal(ra->action, rb->action);
			assert_int_equal(ra->methods, rb->methods);
			assert_string_equal(ra->text, rb->text);
			assert_string_equal(ra->reason, rb->reason);
			assert_int_equal(ra->nsegs, rb->nsegs);
			assert_memory_equal(ra->segs, rb->segs,
			    sizeof(ra->segs));
			assert_int_equal(ra->nquery, rb->nquery);
			assert_memory_equal(ra->query, rb->query,
			    sizeof(ra->query));
			assert_string_equal(ra->redact, rb->redact);
			assert_int_equal(ra->redact_idx, rb->redact_idx);
		}
		/* The response filter: what it does, not how it was said
		 * (auto redaction may come back as an explicit value). */
		assert_non_null(la->rf);
		assert_non_null(lb->rf);
		assert_int_equal(la->rf->redact, lb->rf->redact);
		assert_int_equal(la->nvisible, lb->nvisible);
		for (j = 0; j < la->nvisible; j++)
			assert_string_equal(la->visible[j], lb->visible[j]);
		assert_int_equal(la->rf->nlabels, lb->rf->nlabels);
		assert_memory_equal(la->rf->labels, lb->rf->labels,
		    sizeof(la->rf->labels));
		assert_int_equal(la->rf->nrule_plan, lb->rf->nrule_plan);
	}
}

static void
test_dump_round_trip(void **state)
{
	(void)state;
	parse_ok(full_conf, &c, __LINE__);
	memset(&sink1, 0, sizeof(sink1));
	cfg_dump(&c, sink_out, &sink1);
	if (cfg_parse(sink1.buf, sink1.len, "dump", &c2, err,
	    sizeof(err)) != 0)
		fail_msg("dump does not parse: %s\n%s", err, sink1.buf);
	same_policy(&c, &c2);
	/* Dumped rules name where they came from. */
	assert_non_null(strstr(sink1.buf, "\t# profile dozzle\n"));
	assert_non_null(strstr(sink1.buf, "\t# test.conf:26\n"));

	/* A dump of the dump differs only in comments; parse it again. */
	memset(&sink2, 0, sizeof(sink2));
	cfg_dump(&c2, sink_out, &sink2);
	assert_int_equal(sink1.nlines, sink2.nlines);
	cfg_free(&c);
	parse_ok(sink2.buf, &c, __LINE__);
	same_policy(&c, &c2);
}

/* Issue 14: TLS listeners, shared tls:// addresses, the upstream and
 * metrics; and the dump reads back the same. */
static void
test_tls(void **state)
{
	const struct cfg_listener *t, *u;

	(void)state;
	parse_ok("upstream tls://10.0.0.2:2376\n"
	    "upstream-ca /etc/sockward/docker-ca.pem\n"
	    "upstream-cert /etc/sockward/client.pem\n"
	    "upstream-key /etc/sockward/client-key.pem\n"
	    "upstream-server-name docker.internal\n"
	    "metrics tcp://127.0.0.1:9100\n"
	    "listener t {\n"
	    "\tlisten tls://0.0.0.0:2376\n"
	    "\ttls-cert /etc/sockward/server.pem\n"
	    "\ttls-key /etc/sockward/server-key.pem\n"
	    "\ttls-client-ca /etc/sockward/ca.pem\n"
	    "\tcert-cn traefik\n"
	    "\tprofile traefik\n"
	    "}\n"
	    "listener u {\n"
	    "\tlisten tls://0.0.0.0:2376\n"
	    "\tlisten tcp://127.0.0.1:2375\n"
	    "\tcert-san dns:ci.internal ip:10.0.0.9\n"
	    "\tclients 10.0.0.0/8\n"
	    "\tprofile readonly\n"
	    "}\n"
	    "listener open {\n"
	    "\tlisten tls://[::1]:2377\n"
	    "\ttls-cert /c.pem\n"
	    "\ttls-key /k.pem\n"
	    "\tprofile readonly\n"
	    "}\n", &c, __LINE__);
	assert_string_equal(c.upstream, "tls://10.0.0.2:2376");
	assert_string_equal(c.upstream_ca, "/etc/sockward/docker-ca.pem");
	assert_string_equal(c.upstream_name, "docker.internal");
	assert_string_equal(c.metrics, "tcp://127.0.0.1:9100");
	t = &c.listeners[0];
	u = &c.listeners[1];
	assert_string_equal(t->tls.client_ca, "/etc/sockward/ca.pem");
	/* u shares t's address and inherits its files. */
	assert_string_equal(u->tls.cert, "/etc/sockward/server.pem");
	assert_string_equal(u->tls.key, "/etc/sockward/server-key.pem");
	assert_string_equal(u->tls.client_ca, "/etc/sockward/ca.pem");
	assert_int_equal(t->admit.ncerts, 1);
	assert_int_equal(u->admit.ncerts, 2);
	assert_int_equal(u->admit.certs[1].kind, ADMIT_SAN_IP);
	/* Loopback without a client CA needs no insecure option. */
	assert_int_equal(c.listeners[2].tls.client_ca[0], '\0');
	assert_int_equal(c.listeners[2].tls.no_client_cert, -1);

	memset(&sink1, 0, sizeof(sink1));
	cfg_dump(&c, sink_out, &sink1);
	assert_non_null(strstr(sink1.buf, "upstream \"tls://10.0.0.2:2376\"\n"));
	assert_non_null(strstr(sink1.buf, "metrics \"tcp://127.0.0.1:9100\"\n"));
	assert_non_null(strstr(sink1.buf, "\tcert-san dns:ci.internal "
	    "ip:10.0.0.9\n"));
	assert_non_null(strstr(sink1.buf, "\ttls-client-ca "
	    "\"/etc/sockward/ca.pem\"\n"));
	if (cfg_parse(sink1.buf, sink1.len, "dump", &c2, err,
	    sizeof(err)) != 0)
		fail_msg("dump does not parse: %s\n%s", err, sink1.buf);
	same_policy(&c, &c2);
	assert_memory_equal(&c.listeners[1].tls, &c2.listeners[1].tls,
	    sizeof(struct cfg_tls));
	assert_string_equal(c.upstream_key, c2.upstream_key);
	cfg_free(&c);
	cfg_free(&c2);

	/* The insecure option lets a wildcard go without a client CA. */
	parse_ok("listener t {\n\tlisten tls://*:2376\n\ttls-cert /c.pem\n"
	    "\ttls-key /k.pem\n\tinsecure-tls-no-client-cert on\n"
	    "\tprofile traefik\n}\n", &c, __LINE__);
	assert_int_equal(c.listeners[0].tls.no_client_cert, 1);
}

/* Issue 13: visible-label, redact and a rule's redact clause. */
static void
test_responses(void **state)
{
	const struct cfg_listener *l;
	const struct rule *r;
	char	*text, *p;
	int	 i;

	(void)state;
	parse_ok("listener a {\n"
	    "\tlisten tcp://127.0.0.1:2375\n"
	    "\tvisible-label app=web team\n"
	    "\tvisible-label \"com.example.owner=web ops\"\n"
	    "\tredact off\n"
	    "\tallow GET /containers/json\n"
	    "}\n", &c, __LINE__);
	l = &c.listeners[0];
	assert_int_equal(l->redact, 0);
	assert_int_equal(l->nvisible, 3);
	assert_string_equal(l->visible[0], "app=web");
	assert_string_equal(l->visible[1], "team");
	assert_string_equal(l->visible[2], "com.example.owner=web ops");
	assert_non_null(l->rf);
	assert_int_equal(l->rf->redact, 0);
	assert_true(rf_hiding(l->rf));
	assert_int_equal(l->rf->nlabels, 3);
	assert_string_equal(l->rf->labels[2].key, "com.example.owner");
	assert_string_equal(l->rf->labels[2].val, "web ops");
	assert_int_equal(l->rf->labels[1].any_value, 1);
	/* Redaction off, labels on: the list is still filtered. */
	assert_non_null(rf_plan(l->rf, RF_CONTAINER_LIST, 0));
	assert_null(rf_plan(l->rf, RF_CONTAINER_INSPECT, 0));
	cfg_free(&c);

	/* Defaults: auto redaction (on with plain rules), no labels. */
	parse_ok("listener a {\nlisten tcp://127.0.0.1:1\nallow GET /x\n}\n",
	    &c, __LINE__);
	l = &c.listeners[0];
	assert_int_equal(l->redact, -1);
	assert_int_equal(l->nvisible, 0);
	assert_non_null(l->rf);
	assert_int_equal(l->rf->redact, 1);
	assert_false(rf_hiding(l->rf));
	cfg_free(&c);

	/* Refusals. */
	assert_int_equal(parse("listener a {\nlisten tcp://127.0.0.1:1\n"
	    "visible-label ok =x\nallow GET /x\n}\n", &c), -1);
	assert_int_equal(strncmp(err, FNAME ":3: ", strlen(FNAME) + 4), 0);
	assert_non_null(strstr(err, ":3: visible-label \"=x\": empty label "
	    "key"));
	assert_int_equal(parse("listener a {\nlisten tcp://127.0.0.1:1\n"
	    "visible-label\nallow GET /x\n}\n", &c), -1);
	assert_non_null(strstr(err, ":3: usage: visible-label"));
	assert_int_equal(parse("listener a {\nlisten tcp://127.0.0.1:1\n"
	    "redact on\nredact off\nallow GET /x\n}\n", &c), -1);
	assert_non_null(strstr(err, ":4: duplicate redact"));
	assert_int_equal(parse("listener a {\nlisten tcp://127.0.0.1:1\n"
	    "redact yes\nallow GET /x\n}\n", &c), -1);
	assert_string_equal(err, FNAME ":3: usage: redact on|off");
	assert_int_equal(parse("listener a {\nlisten tcp://127.0.0.1:1\n"
	    "redact on off\nallow GET /x\n}\n", &c), -1);
	assert_non_null(strstr(err, ":3: usage: redact on|off"));
	assert_int_equal(parse("redact on\n", &c), -1);
	assert_non_null(strstr(err, ":1: redact belongs inside a listener"));

	/* At most JRW_MAX_LABELS, over several lines too. */
	text = malloc(4096);
	assert_non_null(text);
	p = text + sprintf(text, "listener a {\nlisten tcp://127.0.0.1:1\n"
	    "visible-label");
	for (i = 0; i < JRW_MAX_LABELS - 1; i++)
		p += sprintf(p, " l%d", i);
	sprintf(p, "\nvisible-label last\nallow GET /x\n}\n");
	parse_ok(text, &c, __LINE__);
	assert_int_equal(c.listeners[0].nvisible, JRW_MAX_LABELS);
	assert_int_equal(c.listeners[0].rf->nlabels, JRW_MAX_LABELS);
	cfg_free(&c);
	sprintf(p, "\nvisible-label last one-too-many\nallow GET /x\n}\n");
	assert_int_equal(parse(text, &c), -1);
	assert_string_equal(err, FNAME ":4: too many visible labels (at "
	    "most 16)");
	free(text);

	/* A rule's redact clause gets a plan of its own. */
	parse_ok("listener a {\n"
	    "\tlisten tcp://127.0.0.1:1\n"
	    "\tallow GET /containers/{name}/json query size=1 redact off\n"
	    "\tallow GET /containers/{name}/json redact Config.Labels,"
	    "Config.Cmd\n"
	    "\tallow GET /containers/json\n"
	    "}\n", &c, __LINE__);
	l = &c.listeners[0];
	assert_int_equal(l->rf->redact, 1);
	assert_int_equal(l->rf->nrule_plan, 2);
	r = &l->rules.rules[0];
	assert_string_equal(r->redact, "off");
	assert_int_equal(r->redact_idx, 1);
	assert_null(rf_plan(l->rf, RF_CONTAINER_INSPECT, r->redact_idx));
	r = &l->rules.rules[1];
	assert_string_equal(r->redact, "Config.Labels,Config.Cmd");
	assert_int_equal(r->redact_idx, 2);
	assert_non_null(rf_plan(l->rf, RF_CONTAINER_INSPECT, 2));
	assert_ptr_not_equal(rf_plan(l->rf, RF_CONTAINER_INSPECT, 2),
	    rf_plan(l->rf, RF_CONTAINER_INSPECT, 0));
	assert_memory_not_equal(rf_plan(l->rf, RF_CONTAINER_INSPECT, 2),
	    rf_plan(l->rf, RF_CONTAINER_INSPECT, 0), sizeof(struct jrw_plan));
	assert_int_equal(l->rules.rules[2].redact_idx, 0);
	cfg_free(&c);

	/* ... only where sockward filters the route's responses. */
	assert_int_equal(parse("listener a {\n"
	    "\tlisten tcp://127.0.0.1:1\n"
	    "\tallow GET /_ping\n"
	    "\tallow GET /images/json redact off\n"
	    "}\n", &c), -1);
	assert_string_equal(err, FNAME ":1: listener \"a\": test.conf:4 #1 "
	    "(GET /images/json redact off): redact: the rule's route has no "
	    "response sockward filters");
	/* A bad path is refused the same way, naming the rule. */
	assert_int_equal(parse("listener a {\n"
	    "\tlisten tcp://127.0.0.1:1\n"
	    "\tallow GET /volumes redact Volumes,,Name\n"
	    "}\n", &c), -1);
	assert_non_null(strstr(err, "(GET /volumes redact Volumes,,Name): "
	    "redact: empty path"));
	assert_int_equal(parse("listener a {\n"
	    "\tlisten tcp://127.0.0.1:1\n"
	    "\tdeny GET /containers/json redact off\n"
	    "\tallow GET /x\n"
	    "}\n", &c), -1);
	assert_non_null(strstr(err, ":3: bad rule: only an allow rule takes "
	    "redact"));
}

/* Auto redaction: off when a profile's client needs the secrets. */
static void
test_auto_redaction(void **state)
{
	static const struct {
		const char	*stmts;
		int		 redact;
	} cases[] = {
		{ "profile traefik", 1 },
		{ "profile watchtower", 0 },
		{ "profile watchtower-readonly", 0 },
		{ "profile deploy", 0 },
		{ "profile traefik,watchtower", 0 },
		{ "profile readonly\n\tallow GET /x", 1 },
		{ "profile watchtower\n\tredact on", 1 },
		{ "profile traefik\n\tredact off", 0 },
		{ "allow GET /containers/{name}/json", 1 },
	};
	char	 text[512];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "listener a {\n"
		    "\tlisten tcp://127.0.0.1:1\n\t%s\n}\n", cases[i].stmts);
		parse_ok(text, &c, __LINE__);
		if (c.listeners[0].rf == NULL ||
		    c.listeners[0].rf->redact != cases[i].redact)
			fail_msg("'%s': redact %d, want %d", cases[i].stmts,
			    c.listeners[0].rf ? c.listeners[0].rf->redact :
			    -1, cases[i].redact);
		cfg_free(&c);
	}
}

/* The dump says the same about responses: parsing it filters alike. */
static void
test_dump_responses(void **state)
{
	static const char *const confs[] = {
		"listener a {\n"
		"\tlisten tcp://127.0.0.1:1\n"
		"\tvisible-label app=web \"owner=a b\" \"q=\\\"x\\\"\"\n"
		"\tredact off\n"
		"\tallow GET /containers/{name}/json redact Config.Labels\n"
		"\tallow GET /volumes redact off\n"
		"}\n",
		"listener a {\n"
		"\tlisten tcp://127.0.0.1:1\n"
		"\tredact on\n"
		"\tprofile watchtower\n"
		"}\n",
		/* Auto, resolved off by the profile: the dump expands the
		 * profile into rules, so it must say "redact off". */
		"listener a {\n"
		"\tlisten tcp://127.0.0.1:1\n"
		"\tprofile watchtower\n"
		"\tvisible-label team\n"
		"}\n",
		"listener a {\n"
		"\tlisten tcp://127.0.0.1:1\n"
		"\tprofile traefik\n"
		"}\n",
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(confs) / sizeof(confs[0]); i++) {
		parse_ok(confs[i], &c, __LINE__);
		memset(&sink1, 0, sizeof(sink1));
		cfg_dump(&c, sink_out, &sink1);
		if (cfg_parse(sink1.buf, sink1.len, "dump", &c2, err,
		    sizeof(err)) != 0)
			fail_msg("dump does not parse: %s\n%s", err, sink1.buf);
		if (c.listeners[0].rf->redact != c2.listeners[0].rf->redact)
			fail_msg("conf %zu: redact %d, after the dump %d\n%s",
			    i, c.listeners[0].rf->redact,
			    c2.listeners[0].rf->redact, sink1.buf);
		same_policy(&c, &c2);
		/* And the dump of the dump is the same text. */
		memset(&sink2, 0, sizeof(sink2));
		cfg_dump(&c2, sink_out, &sink2);
		cfg_free(&c);
		parse_ok(sink2.buf, &c, __LINE__);
		same_policy(&c, &c2);
		cfg_free(&c);
		cfg_free(&c2);
	}
	parse_ok(confs[0], &c, __LINE__);
	memset(&sink1, 0, sizeof(sink1));
	cfg_dump(&c, sink_out, &sink1);
	assert_non_null(strstr(sink1.buf, "\tredact off\n"));
	assert_non_null(strstr(sink1.buf, "\tvisible-label \"app=web\"\n"
	    "\tvisible-label \"owner=a b\"\n"
	    "\tvisible-label \"q=\\\"x\\\"\"\n"));
	assert_non_null(strstr(sink1.buf, "redact Config.Labels\t#"));
}

/* Issue 11: the in-flight timeouts and the caps, parsed and dumped. */
static void
test_limits_keywords(void **state)
{
	static const char conf[] =
	    "body-timeout 5\nsend-timeout 7\nclient-conns 0\n"
	    "client-streams 16\nstreams 1000000\n"
	    "listener a {\n\tlisten \"tcp://127.0.0.1:2375\"\n"
	    "\tprofile traefik\n}\n";

	(void)state;
	assert_int_equal(parse(conf, &c), 0);
	assert_int_equal(c.body_timeout_s, 5);
	assert_int_equal(c.send_timeout_s, 7);
	assert_int_equal(c.caps[0], 0);
	assert_int_equal(c.caps[1], 16);
	assert_int_equal(c.caps[2], 1000000);
	memset(&sink1, 0, sizeof(sink1));
	cfg_dump(&c, sink_out, &sink1);
	assert_non_null(strstr(sink1.buf, "body-timeout 5\nsend-timeout 7\n"
	    "client-conns 0\nclient-streams 16\nstreams 1000000\n"));
	cfg_free(&c);
	/* Not set: -1, and nothing dumped. */
	assert_int_equal(parse("listener a {\n\tlisten \"tcp://127.0.0.1:2375\""
	    "\n\tprofile traefik\n}\n", &c), 0);
	assert_int_equal(c.caps[0], -1);
	memset(&sink1, 0, sizeof(sink1));
	cfg_dump(&c, sink_out, &sink1);
	assert_null(strstr(sink1.buf, "client-conns"));
	cfg_free(&c);
	assert_int_equal(parse("streams 1000001\n", &c), -1);
	assert_non_null(strstr(err, "streams must be a number from 0"));
	assert_int_equal(parse("client-conns -1\n", &c), -1);
	assert_int_equal(parse("client-conns 3\nclient-conns 4\n", &c), -1);
	assert_non_null(strstr(err, "duplicate client-conns"));
	assert_int_equal(parse("send-timeout 0\n", &c), -1);
}

/* The exact dump of a small configuration (gmid-style golden text). */
static void
test_dump_golden(void **state)
{
	static const char want[] =
	    "upstream \"unix:///run/docker \\\"x\\\".sock\"\n"
	    "log-level warn\n"
	    "idle-timeout 30\n"
	    "\n"
	    "listener web {\n"
	    "\tlisten \"tcp://127.0.0.1:2375\"\n"
	    "\tmode enforce\n"
	    "\tclients 10.0.0.0/8 ::1\n"
	    "\t# policy web: 2 rules, first match decides, no match denies\n"
	    "\tdeny POST /containers/{id}/exec reason \"no \\\"#\\\" here\""
	    "\t# t.conf:6\n"
	    "\tallow GET,HEAD /_ping\t# t.conf:8\n"
	    "}\n"
	    "\n"
	    "listener s {\n"
	    "\tlisten \"unix:///run/s.sock\"\n"
	    "\tmode audit\n"
	    "\tpeer-uid 0\n"
	    "\tpeer-gid 10 11\n"
	    "\tsocket-mode 0600\n"
	    "\tsocket-owner 0:10\n"
	    "\t# policy s: 1 rule, first match decides, no match denies\n"
	    "\tallow * /**\t# t.conf:17\n"
	    "}\n";
	static const char conf[] =
	    "idle-timeout 30\n"
	    "listener web {\n"
	    "  clients 10.0.0.0/8\n"
	    "  listen tcp://127.0.0.1:2375\n"
	    "  clients ::1\n"
	    "  deny POST /containers/{id}/exec reason \"no \\\"#\\\" here\"\n"
	    "  mode enforce\n"
	    "  allow HEAD,GET /_ping\n"
	    "}\n"
	    "upstream \"unix:///run/docker \\\"x\\\".sock\"\n"
	    "log-level warn\n"
	    "listener s {\n"
	    "  listen unix:///run/s.sock\n"
	    "  peer-gid 10 11 10\n"
	    "  peer-uid 0\n"
	    "  socket-owner 0:10\n"
	    "  allow * /**\n"
	    "  socket-mode 600\n"
	    "  mode audit\n"
	    "}\n";

	(void)state;
	assert_int_equal(cfg_parse(conf, strlen(conf), "/x/t.conf", &c, err,
	    sizeof(err)), 0);
	memset(&sink1, 0, sizeof(sink1));
	cfg_dump(&c, sink_out, &sink1);
	assert_string_equal(sink1.buf, want);

	/* Only listeners: no leading blank line. */
	cfg_free(&c);
	parse_ok("listener a {\nlisten tcp://127.0.0.1:1\nallow GET /x\n}\n", &c,
	    __LINE__);
	memset(&sink1, 0, sizeof(sink1));
	cfg_dump(&c, sink_out, &sink1);
	assert_string_equal(sink1.buf, "listener a {\n\tlisten "
	    "\"tcp://127.0.0.1:1\"\n\tmode enforce\n\t# policy a: 1 rule, first "
	    "match decides, no match denies\n\tallow GET /x\t# test.conf:3\n"
	    "}\n");
}

static void
test_load_file(void **state)
{
	char path[] = "/tmp/sockward-test-XXXXXX";
	FILE *f;
	int fd;
	size_t i;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd != -1);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(full_conf, f);
	fclose(f);
	assert_int_equal(cfg_load_file(path, &c, err, sizeof(err)), 0);
	assert_int_equal(c.nlisteners, 2);
	cfg_free(&c);

	/* Errors name the path as given. */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("# x\nbogus\n", f);
	fclose(f);
	assert_int_equal(cfg_load_file(path, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":2: unknown keyword \"bogus\""));
	assert_int_equal(strncmp(err, path, strlen(path)), 0);

	/* More than 1 MiB is refused before parsing. */
	f = fopen(path, "w");
	assert_non_null(f);
	for (i = 0; i < 1024 * 1024 / 16 + 1; i++)
		fputs("# padding......\n", f);
	fclose(f);
	assert_int_equal(cfg_load_file(path, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "larger than 1 MiB"));
	unlink(path);

	assert_int_equal(cfg_load_file(path, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
}

/* The documented example (run from the top of the tree, as make does). */
static void
test_example(void **state)
{
	(void)state;
	if (cfg_load_file("examples/sockward.conf", &c, err,
	    sizeof(err)) != 0)
		fail_msg("examples/sockward.conf: %s", err);
	assert_int_equal(c.nlisteners, 3);
	assert_string_equal(c.listeners[0].rules.name, "traefik");
	assert_int_equal(c.listeners[0].rules.rules[0].action, RULE_DENY);
	assert_string_equal(c.listeners[1].rules.name, "readonly");
	assert_int_equal(c.listeners[1].admit.ngids, 1);
	assert_int_equal(c.listeners[2].mode, CFG_AUDIT);
	memset(&sink1, 0, sizeof(sink1));
	cfg_dump(&c, sink_out, &sink1);
	if (cfg_parse(sink1.buf, sink1.len, "dump", &c2, err,
	    sizeof(err)) != 0)
		fail_msg("dump does not parse: %s\n%s", err, sink1.buf);
	same_policy(&c, &c2);
}

/* A rule's body clause on the command line: built-in names only. */
static void
test_rule_builtin_policy(void **state)
{
	static struct cfg_listener l;
	struct rule r, r2, r3;
	const char *why = NULL;

	(void)state;
	cfg_listener_defaults(&l);
	assert_int_equal(l.nbody, 1);
	assert_int_equal(rule_parse_line("allow POST /containers/create body "
	    "off", &r, &why), 0);
	assert_int_equal(cfg_rule_builtin_policy(&l, &r, &why), 0);
	assert_int_equal(r.body_idx, 1);
	assert_true(l.body[1].off);
	/* the same name again: the same index, nothing added */
	assert_int_equal(rule_parse_line("allow POST /libpod/containers/create "
	    "body off", &r2, &why), 0);
	assert_int_equal(cfg_rule_builtin_policy(&l, &r2, &why), 0);
	assert_int_equal(r2.body_idx, 1);
	assert_int_equal(l.nbody, 2);
	assert_int_equal(rule_parse_line("allow POST /volumes/create body "
	    "no-host-escape", &r3, &why), 0);
	assert_int_equal(cfg_rule_builtin_policy(&l, &r3, &why), 0);
	assert_int_equal(r3.body_idx, 2);
	assert_false(l.body[2].off);
	/* no clause: the listener's default */
	assert_int_equal(rule_parse_line("allow POST /build", &r, &why), 0);
	assert_int_equal(cfg_rule_builtin_policy(&l, &r, &why), 0);
	assert_int_equal(r.body_idx, 0);
	/* a block's name needs the config file */
	assert_int_equal(rule_parse_line("allow POST /containers/create body "
	    "mine", &r, &why), 0);
	assert_int_equal(cfg_rule_builtin_policy(&l, &r, &why), -1);
	assert_non_null(strstr(why, "config file"));
	rule_set_free(&l.rules);
}

/*
 * cfg_keyword_at lists what the parser takes: each keyword, in its scope,
 * gets past the keyword lookup (whatever its dummy argument then earns),
 * and the list has every table's entries and then ends.
 */
static void
test_keywords(void **state)
{
	static const char *const wrap[][2] = {
		[CFG_SCOPE_GLOBAL] = { "", "" },
		[CFG_SCOPE_LISTENER] = { "listener a {\n", "}\n" },
		[CFG_SCOPE_BODY_POLICY] = { "body-policy p {\n", "}\n" },
	};
	enum cfg_scope sc;
	const char *kw;
	char	 text[256];
	size_t	 i, nscope[3] = { 0, 0, 0 };

	(void)state;
	for (i = 0; (kw = cfg_keyword_at(i, &sc)) != NULL; i++) {
		assert_true(sc <= CFG_SCOPE_BODY_POLICY);
		nscope[sc]++;
		snprintf(text, sizeof(text), "%s%s x\n%s", wrap[sc][0], kw,
		    wrap[sc][1]);
		if (cfg_parse(text, strlen(text), FNAME, &c, err,
		    sizeof(err)) == 0) {
			cfg_free(&c);
			continue;
		}
		assert_null(strstr(err, "unknown keyword"));
		assert_null(strstr(err, "belongs inside"));
		assert_null(strstr(err, "is a global setting"));
		assert_null(strstr(err, "block takes"));
	}
	/* listener and body-policy blocks, the global settings */
	assert_int_equal(nscope[CFG_SCOPE_GLOBAL], 2 + 16);
	assert_int_equal(nscope[CFG_SCOPE_LISTENER], 22);
	assert_int_equal(nscope[CFG_SCOPE_BODY_POLICY], 3);
	assert_null(cfg_keyword_at(i + 1, &sc));
	/* and a word it does not list is refused as a keyword */
	snprintf(text, sizeof(text), "no-such-keyword x\n");
	assert_int_equal(cfg_parse(text, strlen(text), FNAME, &c, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown keyword"));
}

/* "--keywords": print "SCOPE KEYWORD" lines, one per keyword the parser
 * takes, for tests/integration/test_docs.py (checked against
 * sockward.conf(5)); no tests run. */
static int
print_keywords(void)
{
	static const char *const names[] = { "global", "listener",
	    "body-policy" };
	enum cfg_scope sc;
	const char *kw;
	size_t	 i;

	for (i = 0; (kw = cfg_keyword_at(i, &sc)) != NULL; i++)
		printf("%s %s\n", names[sc], kw);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_full, teardown),
		cmocka_unit_test_teardown(test_small, teardown),
		cmocka_unit_test_teardown(test_bad, teardown),
		cmocka_unit_test_teardown(test_limits_keywords, teardown),
		cmocka_unit_test_teardown(test_limits, teardown),
		cmocka_unit_test_teardown(test_dump_round_trip, teardown),
		cmocka_unit_test_teardown(test_dump_golden, teardown),
		cmocka_unit_test_teardown(test_load_file, teardown),
		cmocka_unit_test_teardown(test_example, teardown),
		cmocka_unit_test_teardown(test_responses, teardown),
		cmocka_unit_test_teardown(test_auto_redaction, teardown),
		cmocka_unit_test_teardown(test_dump_responses, teardown),
		cmocka_unit_test_teardown(test_tls, teardown),
		cmocka_unit_test(test_rule_builtin_policy),
		cmocka_unit_test_teardown(test_keywords, teardown),
	};

	if (argc == 2 && strcmp(argv[1], "--keywords") == 0)
		return print_keywords();

	return cmocka_run_group_tests(tests, NULL, NULL);
}
