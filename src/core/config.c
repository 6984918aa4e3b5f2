/*
 * config.c - the configuration file (sockward.conf(5)).
 *
 * A line-based parser: each line is split into words (bare or
 * double-quoted, '#' starts a comment outside quotes), then the first word
 * selects a statement.  Rules are handed to rule_parse as the raw text
 * after "allow" / "deny" (minus the comment), so that the file and --allow
 * share one rule syntax.  The first error stops the parse and is reported
 * as "FILE:LINE: message".
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "profile.h"
#include "settings.h"

#define CFG_LINE_MAX	4096		/* bytes per line */
#define CFG_MAX_WORDS	128		/* words per line */
#define CFG_FILE_MAX	(1024 * 1024)	/* cfg_load_file limit */
#define CFG_ID_MAX	4294967294UL

/* One line split into words. */
struct cfg_line {
	const char	*raw;		/* the line, without '\n' (and '\r') */
	size_t		 end;		/* where the comment starts, or len */
	size_t		 nwords;
	char		*word[CFG_MAX_WORDS];	/* unescaped, NUL-terminated */
	int		 quoted[CFG_MAX_WORDS];
	size_t		 start[CFG_MAX_WORDS];	/* offset in raw */
	char		 buf[CFG_LINE_MAX + CFG_MAX_WORDS];
};

/* Per-listener facts needed when its block closes. */
struct cfg_block {
	struct cfg_listener *l;
	int		 clients_line;	/* first "clients", 0 if none */
	int		 peer_line;	/* first "peer-uid"/"peer-gid" */
	const char	*peer_kw;
	int		 sock_line;	/* first "socket-mode"/"socket-owner" */
	const char	*sock_kw;
	int		 mode_line;
	int		 sock_mode_line, sock_owner_line;
	char		 profiles[64];	/* "traefik+dozzle" */
	int		 nprofiles;
	int		 body_policy_line;	/* "body-policy NAME" */
	int		 widen_line;	/* first host-path, cap-add, ... */
	int		 redact_line;
	int		 tls_line;	/* first tls-* statement */
	int		 tls_cert_line, tls_key_line, tls_ca_line;
	int		 tls_insecure_line;
};

struct cfg_parser {
	const char	*fname;
	char		 origin_base[40];	/* basename of fname, cut */
	struct cfg	*c;
	char		*err;
	size_t		 errlen;
	int		 line;
	struct cfg_block blk;		/* blk.l != NULL inside a block */
	/* Where each global was set (0: not yet). */
	int		 upstream_line, log_format_line, log_level_line;
	int		 header_timeout_line, idle_timeout_line;
	int		 body_timeout_line, send_timeout_line;
	int		 caps_line[3];
	int		 body_max_line;
	int		 metrics_line;
	int		 up_ca_line, up_cert_line, up_key_line, up_name_line;
	struct body_policy *bp;		/* inside "body-policy NAME {" */
};

struct cfg_stmt {
	const char	*kw;
	int		 in_block;	/* 1: listener statement, 0: global */
	int		 min_args, max_args;	/* max -1: unlimited */
	const char	*usage;
	int		(*fn)(struct cfg_parser *, struct cfg_line *);
};

static int cfg_rule_policy(struct cfg_parser *, struct rule *);
static int cfg_errf(struct cfg_parser *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
cfg_errf(struct cfg_parser *p, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->err == NULL || p->errlen == 0)
		return -1;
	n = snprintf(p->err, p->errlen, "%s:%d: ", p->fname, line);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Split raw[0..len) into words.  Returns 0, or -1 with the error set.
 */
static int
cfg_split(struct cfg_parser *p, const char *raw, size_t len,
    struct cfg_line *ln)
{
	size_t i = 0, o = 0;
	unsigned char ch;

	ln->raw = raw;
	ln->nwords = 0;
	ln->end = len;
	if (len > CFG_LINE_MAX)
		return cfg_errf(p, p->line, "line too long (at most %d bytes)",
		    CFG_LINE_MAX);
	for (i = 0; i < len; i++) {
		ch = (unsigned char)raw[i];
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return cfg_errf(p, p->line, "control character 0x%02x "
			    "in line", ch);
	}
	i = 0;
	for (;;) {
		while (i < len && (raw[i] == ' ' || raw[i] == '\t'))
			i++;
		if (i == len)
			break;
		if (raw[i] == '#') {
			ln->end = i;
			break;
		}
		if (ln->nwords == CFG_MAX_WORDS)
			return cfg_errf(p, p->line, "too many words on one line "
			    "(at most %d)", CFG_MAX_WORDS);
		ln->start[ln->nwords] = i;
		ln->word[ln->nwords] = ln->buf + o;
		ln->quoted[ln->nwords] = raw[i] == '"';
		if (raw[i] == '"') {
			for (i++;; i++) {
				if (i == len)
					return cfg_errf(p, p->line,
					    "unterminated quoted string");
				if (raw[i] == '"')
					break;
				if (raw[i] == '\\') {
					if (i + 1 == len)
						return cfg_errf(p, p->line,
						    "unterminated quoted string");
					if (raw[i + 1] != '"' &&
					    raw[i + 1] != '\\')
						return cfg_errf(p, p->line,
						    "bad escape '\\%c' in quoted "
						    "string (only \\\" and \\\\)",
						    raw[i + 1]);
					i++;
				}
				ln->buf[o++] = raw[i];
			}
			i++;	/* closing quote */
			if (i < len && raw[i] != ' ' && raw[i] != '\t' &&
			    raw[i] != '#')
				return cfg_errf(p, p->line, "text right after "
				    "a closing quote (separate words with a "
				    "space)");
		} else {
			for (; i < len && raw[i] != ' ' && raw[i] != '\t' &&
			    raw[i] != '#'; i++) {
				if (raw[i] == '"')
					return cfg_errf(p, p->line, "quote inside "
					    "a word (quote the whole word)");
				ln->buf[o++] = raw[i];
			}
		}
		ln->buf[o++] = '\0';
		ln->nwords++;
	}
	return 0;
}

/* Is word w of ln exactly the bare (unquoted) string s? */
static int
cfg_bare(const struct cfg_line *ln, size_t w, const char *s)
{
	return w < ln->nwords && !ln->quoted[w] && strcmp(ln->word[w], s) == 0;
}

/* Parse whole seconds 1..86400 (digits only). */
static int
cfg_seconds(const char *s, int *out)
{
	long v = 0;
	size_t i;

	if (s[0] == '\0')
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 6)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > 86400)
		return -1;
	*out = (int)v;
	return 0;
}

/* Parse a numeric uid/gid 0..4294967294 from s[0..n). */
static int
cfg_id(const char *s, size_t n, long *out)
{
	unsigned long long v = 0;
	size_t i;

	if (n == 0 || n > 10)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > CFG_ID_MAX)
		return -1;
	*out = (long)v;
	return 0;
}

static int
cfg_once(struct cfg_parser *p, int *where, const char *kw)
{
	if (*where != 0)
		return cfg_errf(p, p->line, "duplicate %s (already set on "
		    "line %d)", kw, *where);
	*where = p->line;
	return 0;
}

/* Globals. */

static int
cfg_upstream(struct cfg_parser *p, struct cfg_line *ln)
{
	const char *v, *why;

	if (cfg_once(p, &p->upstream_line, "upstream") == -1)
		return -1;
	if (set_upstream_parse(ln->word[1], &v, &why) == -1)
		return cfg_errf(p, p->line, "%s", why);
	snprintf(p->c->upstream, sizeof(p->c->upstream), "%s", v);
	return 0;
}

/* An absolute path into dst (CFG_PATH_MAX bytes). */
static int
cfg_path(struct cfg_parser *p, const char *kw, const char *v, char *dst)
{
	if (v[0] != '/')
		return cfg_errf(p, p->line, "%s must be an absolute path", kw);
	if (strlen(v) >= CFG_PATH_MAX)
		return cfg_errf(p, p->line, "%s path too long (at most %d "
		    "bytes)", kw, CFG_PATH_MAX - 1);
	snprintf(dst, CFG_PATH_MAX, "%s", v);
	return 0;
}

/* upstream-ca, upstream-cert, upstream-key, upstream-server-name. */
static int
cfg_upstream_tls(struct cfg_parser *p, struct cfg_line *ln)
{
	const char *kw = ln->word[0], *v = ln->word[1];
	struct cfg *c = p->c;
	size_t i;

	if (strcmp(kw, "upstream-server-name") == 0) {
		if (cfg_once(p, &p->up_name_line, kw) == -1)
			return -1;
		for (i = 0; v[i] != '\0'; i++)
			if (!((v[i] >= 'a' && v[i] <= 'z') ||
			    (v[i] >= 'A' && v[i] <= 'Z') ||
			    (v[i] >= '0' && v[i] <= '9') || v[i] == '.' ||
			    v[i] == '-' || v[i] == ':'))
				return cfg_errf(p, p->line, "upstream-server-name"
				    " must be a DNS name or an IP address");
		if (i == 0 || i >= sizeof(c->upstream_name))
			return cfg_errf(p, p->line, "upstream-server-name "
			    "must be a DNS name or an IP address");
		snprintf(c->upstream_name, sizeof(c->upstream_name), "%s", v);
		return 0;
	}
	if (strcmp(kw, "upstream-ca") == 0)
		return cfg_once(p, &p->up_ca_line, kw) == -1 ? -1 :
		    cfg_path(p, kw, v, c->upstream_ca);
	if (strcmp(kw, "upstream-cert") == 0)
		return cfg_once(p, &p->up_cert_line, kw) == -1 ? -1 :
		    cfg_path(p, kw, v, c->upstream_cert);
	return cfg_once(p, &p->up_key_line, kw) == -1 ? -1 :
	    cfg_path(p, kw, v, c->upstream_key);
}

/* "metrics ADDR": tcp:// or unix://; overlaps are judged with the
 * listeners, once all are read (set_resolve). */
static int
cfg_metrics(struct cfg_parser *p, struct cfg_line *ln)
{
	struct set_addr a;
	char msg[320];

	if (cfg_once(p, &p->metrics_line, "metrics") == -1)
		return -1;
	if (set_addr_parse(ln->word[1], &a, msg, sizeof(msg)) == -1)
		return cfg_errf(p, p->line, "metrics: %s", msg);
	if (a.tls)
		return cfg_errf(p, p->line, "metrics: tcp:// or unix://, not "
		    "tls://");
	snprintf(p->c->metrics, sizeof(p->c->metrics), "%s", ln->word[1]);
	return 0;
}

static int
cfg_log_format(struct cfg_parser *p, struct cfg_line *ln)
{
	if (cfg_once(p, &p->log_format_line, "log-format") == -1)
		return -1;
	if (strcmp(ln->word[1], "text") != 0 &&
	    strcmp(ln->word[1], "json") != 0)
		return cfg_errf(p, p->line, "log-format must be text or json");
	snprintf(p->c->log_format, sizeof(p->c->log_format), "%s",
	    ln->word[1]);
	return 0;
}

static int
cfg_log_level(struct cfg_parser *p, struct cfg_line *ln)
{
	static const char *const levels[] = { "debug", "info", "warn",
	    "error", NULL };
	size_t i;

	if (cfg_once(p, &p->log_level_line, "log-level") == -1)
		return -1;
	for (i = 0; levels[i] != NULL; i++)
		if (strcmp(ln->word[1], levels[i]) == 0)
			break;
	if (levels[i] == NULL)
		return cfg_errf(p, p->line, "log-level must be debug, info, "
		    "warn or error");
	snprintf(p->c->log_level, sizeof(p->c->log_level), "%s", levels[i]);
	return 0;
}

/* The timeouts: keyword, where the parser notes its line, its value. */
static const struct {
	const char	*kw;
	size_t		 line_off;	/* in struct cfg_parser */
	size_t		 val_off;	/* in struct cfg */
} cfg_timeouts[] = {
	{ "header-timeout", offsetof(struct cfg_parser, header_timeout_line),
	    offsetof(struct cfg, header_timeout_s) },
	{ "idle-timeout", offsetof(struct cfg_parser, idle_timeout_line),
	    offsetof(struct cfg, idle_timeout_s) },
	{ "body-timeout", offsetof(struct cfg_parser, body_timeout_line),
	    offsetof(struct cfg, body_timeout_s) },
	{ "send-timeout", offsetof(struct cfg_parser, send_timeout_line),
	    offsetof(struct cfg, send_timeout_s) },
};

static int
cfg_timeout(struct cfg_parser *p, struct cfg_line *ln)
{
	size_t	 k;

	for (k = 0; k < sizeof(cfg_timeouts) / sizeof(cfg_timeouts[0]); k++)
		if (strcmp(ln->word[0], cfg_timeouts[k].kw) == 0)
			break;
	if (k == sizeof(cfg_timeouts) / sizeof(cfg_timeouts[0]) ||
	    cfg_once(p, (int *)(void *)((char *)p +
	    cfg_timeouts[k].line_off), ln->word[0]) == -1)
		return -1;
	if (cfg_seconds(ln->word[1], (int *)(void *)((char *)p->c +
	    cfg_timeouts[k].val_off)) == -1)
		return cfg_errf(p, p->line, "%s must be whole seconds from 1 "
		    "to 86400", ln->word[0]);
	return 0;
}

/* The caps, in the order of cfg.caps. */
static const char *const cfg_cap_kw[3] = {
	"client-conns", "client-streams", "streams"
};

static int
cfg_cap(struct cfg_parser *p, struct cfg_line *ln)
{
	const char *s = ln->word[1];
	long	 v = 0;
	size_t	 i, k;

	for (k = 0; k < 3; k++)
		if (strcmp(ln->word[0], cfg_cap_kw[k]) == 0)
			break;
	if (k == 3 || cfg_once(p, &p->caps_line[k], ln->word[0]) == -1)
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 7)
			break;
		v = v * 10 + (s[i] - '0');
	}
	if (i == 0 || s[i] != '\0' || v > 1000000)
		return cfg_errf(p, p->line, "%s must be a number from 0 (no "
		    "cap) to 1000000", ln->word[0]);
	p->c->caps[k] = v;
	return 0;
}

/* Blocks. */

static int
cfg_name_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return 0;
	return i >= 1 && i <= 31;
}

static int
cfg_listener_open(struct cfg_parser *p, struct cfg_line *ln)
{
	struct cfg *c = p->c;
	struct cfg_listener *l;
	size_t i;

	if (p->blk.l != NULL)
		return cfg_errf(p, p->line, "listener inside listener \"%s\" "
		    "(opened on line %d; missing '}'?)", p->blk.l->name,
		    p->blk.l->line);
	if (ln->nwords < 3 || !cfg_bare(ln, ln->nwords - 1, "{")) {
		for (i = 2; i < ln->nwords; i++)
			if (cfg_bare(ln, i, "{"))
				return cfg_errf(p, p->line, "'{' must end the "
				    "listener line; put each statement on its "
				    "own line");
		return cfg_errf(p, p->line, "usage: listener NAME {");
	}
	if (ln->nwords > 3)
		return cfg_errf(p, p->line, "usage: listener NAME {");
	if (!cfg_name_ok(ln->word[1]))
		return cfg_errf(p, p->line, "bad listener name \"%s\": 1 to 31 "
		    "of A-Z a-z 0-9 _ . -", ln->word[1]);
	for (i = 0; i < c->nlisteners; i++)
		if (strcmp(c->listeners[i].name, ln->word[1]) == 0)
			return cfg_errf(p, p->line, "duplicate listener \"%s\" "
			    "(first defined on line %d)", ln->word[1],
			    c->listeners[i].line);
	if (c->nlisteners == CFG_MAX_LISTENERS)
		return cfg_errf(p, p->line, "too many listeners (at most %d)",
		    CFG_MAX_LISTENERS);
	l = &c->listeners[c->nlisteners++];
	cfg_listener_defaults(l);
	snprintf(l->name, sizeof(l->name), "%s", ln->word[1]);
	l->line = p->line;
	memset(&p->blk, 0, sizeof(p->blk));
	p->blk.l = l;
	return 0;
}

static int
cfg_listener_close(struct cfg_parser *p)
{
	struct cfg_block *b = &p->blk;
	struct cfg_listener *l = b->l;
	int has_tcp = 0, has_unix = 0, nallow = 0;
	size_t i;
	char msg[300];

	if (l->naddrs == 0)
		return cfg_errf(p, l->line, "listener \"%s\" has no listen "
		    "address", l->name);
	for (i = 0; i < l->naddrs; i++) {
		if (strncmp(l->addrs[i], "unix://", 7) == 0)
			has_unix = 1;
		else
			has_tcp = 1;
	}
	for (i = 0; i < l->rules.nrules; i++)
		if (l->rules.rules[i].action == RULE_ALLOW)
			nallow++;
	if (l->rules.nrules == 0)
		return cfg_errf(p, l->line, "listener \"%s\": no rules: "
		    "everything would be denied; add a profile or allow rules",
		    l->name);
	if (nallow == 0)
		return cfg_errf(p, l->line, "listener \"%s\": only deny rules: "
		    "everything would be denied; add a profile or allow rules",
		    l->name);
	if (b->clients_line != 0 && !has_tcp)
		return cfg_errf(p, b->clients_line, "clients applies to tcp:// "
		    "addresses, and listener \"%s\" has none (use peer-uid or "
		    "peer-gid for unix sockets)", l->name);
	if (b->peer_line != 0 && !has_unix)
		return cfg_errf(p, b->peer_line, "%s applies to unix:// "
		    "addresses, and listener \"%s\" has none (use clients for "
		    "tcp)", b->peer_kw, l->name);
	if (b->sock_line != 0 && !has_unix)
		return cfg_errf(p, b->sock_line, "%s applies to unix:// "
		    "addresses, and listener \"%s\" has none", b->sock_kw,
		    l->name);
	snprintf(l->rules.name, sizeof(l->rules.name), "%s",
	    b->nprofiles > 0 ? b->profiles : l->name);
	if (cfg_listener_filters(l, msg, sizeof(msg)) == -1)
		return cfg_errf(p, l->line, "listener \"%s\": %s", l->name,
		    msg);
	memset(b, 0, sizeof(*b));
	return 0;
}

int
cfg_listener_filters(struct cfg_listener *l, char *err, size_t errlen)
{
	const char	*specs[JRW_MAX_LABELS];
	const struct profile *pr;
	struct rule	*r;
	char		 msg[200];
	size_t		 i;
	int		 redact = l->redact, k;

	rf_policy_unref(l->rf);
	l->rf = NULL;
	for (i = 0; redact == -1 && i < l->rules.nrules; i++) {
		r = &l->rules.rules[i];
		if (strncmp(r->origin, "profile ", 8) == 0 &&
		    (pr = profile_find(r->origin + 8)) != NULL &&
		    pr->needs_secrets)
			redact = 0;
	}
	for (i = 0; i < l->nvisible; i++)
		specs[i] = l->visible[i];
	if ((l->rf = rf_policy_new(redact != 0, specs, l->nvisible, err,
	    errlen)) == NULL)
		return -1;
	/* Bodies may not name another container sockward cannot check. */
	for (i = 0; i < l->nbody; i++)
		l->body[i].hiding = rf_hiding(l->rf);
	for (i = 0; i < l->rules.nrules; i++) {
		r = &l->rules.rules[i];
		r->redact_idx = 0;
		if (r->redact[0] == '\0')
			continue;
		if ((k = rf_policy_rule(l->rf, rf_kind_of(r->route),
		    r->redact, msg, sizeof(msg))) == -1) {
			snprintf(err, errlen, "%s #%d (%s): %s", r->origin,
			    r->index, r->text, msg);
			return -1;
		}
		r->redact_idx = k;
	}
	return 0;
}

/*
 * The address is parsed as start-up will bind it, and compared with every
 * address before it, so that what parses also binds (as far as this
 * process alone decides).
 */
/* Two blocks may listen on one tls:// address, written the same way:
 * the certificate a client presents picks the block (cfg_tls_groups). */
static int
cfg_tls_shared(const struct set_addr *a, const struct set_addr *b)
{
	return a->tls && b->tls && strcmp(a->text, b->text) == 0;
}

static int
cfg_listen(struct cfg_parser *p, struct cfg_line *ln)
{
	struct cfg_listener *l = p->blk.l, *o;
	struct set_addr a, b;
	const char *v = ln->word[1], *why;
	char msg[320];
	size_t i, j, total = 0;

	if (l->naddrs == CFG_MAX_ADDRS)
		return cfg_errf(p, p->line, "too many listen addresses (at most "
		    "%d per listener)", CFG_MAX_ADDRS);
	if (set_addr_parse(v, &a, msg, sizeof(msg)) == -1)
		return cfg_errf(p, p->line, "%s", msg);
	for (i = 0; i < p->c->nlisteners; i++) {
		o = &p->c->listeners[i];
		for (j = 0; j < o->naddrs; j++, total++) {
			if (set_addr_parse(o->addrs[j], &b, msg,
			    sizeof(msg)) == -1)
				return cfg_errf(p, p->line, "%s", msg);
			if (o != l && cfg_tls_shared(&a, &b))
				continue;	/* judged by cfg_tls_groups */
			if (set_addr_overlap(&b, &a, &why))
				return cfg_errf(p, p->line, "listen address %s "
				    "overlaps %s (listener \"%s\", line %d): %s",
				    v, o->addrs[j], o->name, o->line, why);
		}
	}
	if (total == CFG_MAX_ALL_ADDRS)
		return cfg_errf(p, p->line, "too many listen addresses (at most "
		    "%d in all listeners)", CFG_MAX_ALL_ADDRS);
	snprintf(l->addrs[l->naddrs++], sizeof(l->addrs[0]), "%s", v);
	return 0;
}

/* Is name one of the '+'-separated names in list? */
static int
cfg_name_listed(const char *list, const char *name)
{
	size_t k, n = strlen(name);

	while (*list != '\0') {
		k = strcspn(list, "+");
		if (k == n && strncmp(list, name, n) == 0)
			return 1;
		list += k;
		if (*list == '+')
			list++;
	}
	return 0;
}

static int
cfg_profile(struct cfg_parser *p, struct cfg_line *ln)
{
	const struct profile *const *all;
	const struct profile *pr;
	struct cfg_block *b = &p->blk;
	char names[CFG_LINE_MAX], avail[256], *s, *next;
	size_t i, n, k;

	snprintf(names, sizeof(names), "%s", ln->word[1]);
	for (s = names; s != NULL; s = next) {
		if ((next = strchr(s, ',')) != NULL)
			*next++ = '\0';
		if (s[0] == '\0')
			return cfg_errf(p, p->line, "empty profile name in "
			    "\"%s\"", ln->word[1]);
		if ((pr = profile_find(s)) == NULL) {
			all = profile_all();
			avail[0] = '\0';
			for (i = 0, n = 0; all[i] != NULL &&
			    n < sizeof(avail); i++)
				n += (size_t)snprintf(avail + n,
				    sizeof(avail) - n, "%s%s", i > 0 ? ", " : "",
				    all[i]->name);
			return cfg_errf(p, p->line, "unknown profile \"%s\"; "
			    "built-in profiles: %s", s, avail);
		}
		if (profile_load(pr, &b->l->rules) == -1)
			return cfg_errf(p, p->line, "too many rules (at most "
			    "%d per listener)", RULE_MAX_RULES);
		if (!cfg_name_listed(b->profiles, pr->name)) {
			k = strlen(b->profiles);
			snprintf(b->profiles + k, sizeof(b->profiles) - k,
			    "%s%s", k > 0 ? "+" : "", pr->name);
			b->nprofiles++;
		}
	}
	return 0;
}

static int
cfg_rule(struct cfg_parser *p, struct cfg_line *ln)
{
	char text[CFG_LINE_MAX + 1], origin[sizeof(((struct rule *)0)->origin)];
	const char *why;
	struct rule r;
	size_t s, e;

	/* The raw text after the keyword, so that rule_parse sees the
	 * quoting of reason "..." exactly as written. */
	s = ln->start[1];
	e = ln->end;
	while (e > s && (ln->raw[e - 1] == ' ' || ln->raw[e - 1] == '\t'))
		e--;
	memcpy(text, ln->raw + s, e - s);
	text[e - s] = '\0';
	if (rule_parse(text, ln->word[0][0] == 'a' ? RULE_ALLOW : RULE_DENY,
	    &r, &why) == -1)
		return cfg_errf(p, p->line, "bad rule: %s", why);
	if (cfg_rule_policy(p, &r) == -1)
		return -1;
	snprintf(origin, sizeof(origin), "%s:%d", p->origin_base, p->line);
	if (rule_set_add(&p->blk.l->rules, &r, origin) == -1)
		return cfg_errf(p, p->line, "too many rules (at most %d per "
		    "listener)", RULE_MAX_RULES);
	return 0;
}

static int
cfg_mode(struct cfg_parser *p, struct cfg_line *ln)
{
	if (cfg_once(p, &p->blk.mode_line, "mode") == -1)
		return -1;
	if (strcmp(ln->word[1], "enforce") == 0)
		p->blk.l->mode = CFG_ENFORCE;
	else if (strcmp(ln->word[1], "audit") == 0)
		p->blk.l->mode = CFG_AUDIT;
	else
		return cfg_errf(p, p->line, "mode must be enforce or audit");
	return 0;
}

static int
cfg_clients(struct cfg_parser *p, struct cfg_line *ln)
{
	const char *why;
	size_t i;

	if (p->blk.clients_line == 0)
		p->blk.clients_line = p->line;
	for (i = 1; i < ln->nwords; i++)
		if (admit_add_net(&p->blk.l->admit, ln->word[i], &why) == -1)
			return cfg_errf(p, p->line, "bad network \"%s\": %s",
			    ln->word[i], why);
	return 0;
}

static int
cfg_peer(struct cfg_parser *p, struct cfg_line *ln)
{
	const char *why;
	size_t i;
	int uid = strcmp(ln->word[0], "peer-uid") == 0;

	if (p->blk.peer_line == 0) {
		p->blk.peer_line = p->line;
		p->blk.peer_kw = uid ? "peer-uid" : "peer-gid";
	}
	for (i = 1; i < ln->nwords; i++)
		if ((uid ? admit_add_uid(&p->blk.l->admit, ln->word[i], &why) :
		    admit_add_gid(&p->blk.l->admit, ln->word[i], &why)) == -1)
			return cfg_errf(p, p->line, "%s \"%s\": %s",
			    ln->word[0], ln->word[i], why);
	return 0;
}

static int
cfg_sock_note(struct cfg_parser *p, const char *kw)
{
	if (p->blk.sock_line == 0) {
		p->blk.sock_line = p->line;
		p->blk.sock_kw = kw;
	}
	return 0;
}

static int
cfg_socket_mode(struct cfg_parser *p, struct cfg_line *ln)
{
	const char *s = ln->word[1];
	int v = 0;
	size_t i;

	if (cfg_once(p, &p->blk.sock_mode_line, "socket-mode") == -1)
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '7' || i >= 4)
			return cfg_errf(p, p->line, "socket-mode must be octal "
			    "from 0 to 0777, e.g. 0660");
		v = v * 8 + (s[i] - '0');
	}
	if (i == 0 || v > 0777)
		return cfg_errf(p, p->line, "socket-mode must be octal from 0 "
		    "to 0777, e.g. 0660");
	p->blk.l->sock_mode = v;
	return cfg_sock_note(p, "socket-mode");
}

static int
cfg_socket_owner(struct cfg_parser *p, struct cfg_line *ln)
{
	struct cfg_listener *l = p->blk.l;
	const char *s = ln->word[1], *colon;
	long uid, gid = -1;

	if (cfg_once(p, &p->blk.sock_owner_line, "socket-owner") == -1)
		return -1;
	colon = strchr(s, ':');
	if (cfg_id(s, colon != NULL ? (size_t)(colon - s) : strlen(s),
	    &uid) == -1 || (colon != NULL &&
	    cfg_id(colon + 1, strlen(colon + 1), &gid) == -1))
		return cfg_errf(p, p->line, "socket-owner must be UID or "
		    "UID:GID, numbers from 0 to 4294967294");
	l->sock_uid = uid;
	l->sock_gid = gid;
	return cfg_sock_note(p, "socket-owner");
}


/* Body policies. */

/* "body-max BYTES", with an optional K or M suffix (KiB, MiB). */
static int
cfg_body_max(struct cfg_parser *p, struct cfg_line *ln)
{
	const char *s = ln->word[1];
	long	 v = 0;
	size_t	 i;

	if (cfg_once(p, &p->body_max_line, "body-max") == -1)
		return -1;
	for (i = 0; s[i] >= '0' && s[i] <= '9' && i < 9; i++)
		v = v * 10 + (s[i] - '0');
	if (i > 0 && (s[i] == 'K' || s[i] == 'k') && s[i + 1] == '\0')
		v *= 1024;
	else if (i > 0 && (s[i] == 'M' || s[i] == 'm') && s[i + 1] == '\0')
		v *= 1024 * 1024;
	else if (i == 0 || s[i] != '\0')
		v = -1;
	if (v < 1024 || v > 64L * 1024 * 1024)
		return cfg_errf(p, p->line, "body-max must be bytes from 1024 "
		    "to 64M (a K or M suffix allowed), not \"%s\"", s);
	p->c->body_max = v;
	return 0;
}

/* The policy named name: built-in or a block before this line. */
static int
cfg_policy_find(struct cfg_parser *p, const char *name,
    struct body_policy *out)
{
	size_t	i;

	if (strcmp(name, "no-host-escape") == 0) {
		body_policy_init(out, name);
		return 0;
	}
	if (strcmp(name, "off") == 0) {
		body_policy_init_off(out);
		return 0;
	}
	for (i = 0; i < p->c->npolicies; i++)
		if (strcmp(p->c->policies[i].name, name) == 0) {
			*out = p->c->policies[i];
			return 0;
		}
	return cfg_errf(p, p->line, "no body policy \"%s\" (built-in: "
	    "no-host-escape, off; a body-policy block must come first)", name);
}

/* "body-policy NAME {" at the top level. */
static int
cfg_policy_open(struct cfg_parser *p, struct cfg_line *ln)
{
	struct body_policy *bp;
	size_t	i;

	if (ln->nwords != 3 || !cfg_bare(ln, 2, "{"))
		return cfg_errf(p, p->line, "usage: body-policy NAME { (at the "
		    "top level), or body-policy NAME inside a listener");
	if (!cfg_name_ok(ln->word[1]) || strcmp(ln->word[1], "off") == 0 ||
	    strcmp(ln->word[1], "no-host-escape") == 0)
		return cfg_errf(p, p->line, "bad body policy name \"%s\": 1 to "
		    "31 of A-Z a-z 0-9 _ . -, not a built-in name", ln->word[1]);
	for (i = 0; i < p->c->npolicies; i++)
		if (strcmp(p->c->policies[i].name, ln->word[1]) == 0)
			return cfg_errf(p, p->line, "duplicate body policy "
			    "\"%s\" (first defined on line %d)", ln->word[1],
			    p->c->policies[i].line);
	if (p->c->npolicies == CFG_MAX_BODY)
		return cfg_errf(p, p->line, "too many body policies (at most "
		    "%d)", CFG_MAX_BODY);
	bp = &p->c->policies[p->c->npolicies++];
	body_policy_init(bp, ln->word[1]);
	bp->line = p->line;
	p->bp = bp;
	return 0;
}

/* The policy a widening statement applies to: the open block's, or the
 * listener's default. */
static struct body_policy *
cfg_widen_target(struct cfg_parser *p)
{
	if (p->bp != NULL)
		return p->bp;
	if (p->blk.widen_line == 0)
		p->blk.widen_line = p->line;
	return &p->blk.l->body[0];
}

/* "host-path PATH [ro|rw]", "cap-add CAP...", "volume-driver NAME...". */
static int
cfg_widen(struct cfg_parser *p, struct cfg_line *ln)
{
	struct body_policy *bp = cfg_widen_target(p);
	char	 spec[BODY_MAX_PATH + 8];
	const char *why;
	size_t	 i;

	if (bp->off)
		return cfg_errf(p, p->line, "%s has no effect under body-policy "
		    "off", ln->word[0]);
	if (strcmp(ln->word[0], "host-path") == 0) {
		if (ln->nwords == 3 && !cfg_bare(ln, 2, "ro") &&
		    !cfg_bare(ln, 2, "rw"))
			return cfg_errf(p, p->line, "usage: host-path PATH "
			    "[ro|rw]");
		snprintf(spec, sizeof(spec), "%s:%s", ln->word[1],
		    ln->nwords == 3 ? ln->word[2] : "ro");
		if (strchr(ln->word[1], ':') != NULL ||
		    body_policy_add_host_path(bp, spec, &why) == -1)
			return cfg_errf(p, p->line, "host-path \"%s\": %s",
			    ln->word[1], strchr(ln->word[1], ':') != NULL ?
			    "':' is not allowed in a host path" : why);
		return 0;
	}
	for (i = 1; i < ln->nwords; i++) {
		if (strcmp(ln->word[0], "cap-add") == 0 ?
		    body_policy_add_cap(bp, ln->word[i], &why) :
		    body_policy_add_driver(bp, ln->word[i], &why))
			return cfg_errf(p, p->line, "%s \"%s\": %s",
			    ln->word[0], ln->word[i], why);
	}
	return 0;
}

/* "body-policy NAME" inside a listener: its default body policy. */
static int
cfg_listener_policy(struct cfg_parser *p, struct cfg_line *ln)
{
	struct cfg_listener *l = p->blk.l;

	if (cfg_once(p, &p->blk.body_policy_line, "body-policy") == -1)
		return -1;
	if (p->blk.widen_line != 0)
		return cfg_errf(p, p->line, "body-policy must come before the "
		    "host-path, cap-add and volume-driver of line %d",
		    p->blk.widen_line);
	return cfg_policy_find(p, ln->word[1], &l->body[0]);
}

/* "redact on|off": redaction of the listener's responses. */
static int
cfg_redact(struct cfg_parser *p, struct cfg_line *ln)
{
	if (cfg_once(p, &p->blk.redact_line, "redact") == -1)
		return -1;
	if (!cfg_bare(ln, 1, "on") && !cfg_bare(ln, 1, "off"))
		return cfg_errf(p, p->line, "usage: redact on|off");
	p->blk.l->redact = cfg_bare(ln, 1, "on");
	return 0;
}

/* tls-cert, tls-key, tls-client-ca PATH; insecure-tls-no-client-cert. */
static int
cfg_tls(struct cfg_parser *p, struct cfg_line *ln)
{
	struct cfg_tls *t = &p->blk.l->tls;
	const char *kw = ln->word[0], *v = ln->word[1];

	if (p->blk.tls_line == 0)
		p->blk.tls_line = p->line;
	if (strcmp(kw, "insecure-tls-no-client-cert") == 0) {
		if (cfg_once(p, &p->blk.tls_insecure_line, kw) == -1)
			return -1;
		if (!cfg_bare(ln, 1, "on") && !cfg_bare(ln, 1, "off"))
			return cfg_errf(p, p->line, "usage: %s on|off", kw);
		t->no_client_cert = cfg_bare(ln, 1, "on");
		return 0;
	}
	if (strcmp(kw, "tls-cert") == 0)
		return cfg_once(p, &p->blk.tls_cert_line, kw) == -1 ? -1 :
		    cfg_path(p, kw, v, t->cert);
	if (strcmp(kw, "tls-key") == 0)
		return cfg_once(p, &p->blk.tls_key_line, kw) == -1 ? -1 :
		    cfg_path(p, kw, v, t->key);
	return cfg_once(p, &p->blk.tls_ca_line, kw) == -1 ? -1 :
	    cfg_path(p, kw, v, t->client_ca);
}

/* "cert-cn NAME..." and "cert-san dns:NAME|ip:ADDR|uri:URI|email:ADDR...". */
static int
cfg_cert_names(struct cfg_parser *p, struct cfg_line *ln)
{
	int cn = strcmp(ln->word[0], "cert-cn") == 0;
	const char *why;
	size_t i;

	for (i = 1; i < ln->nwords; i++)
		if (admit_add_cert(&p->blk.l->admit, cn ? ADMIT_CN :
		    ADMIT_SAN_DNS, ln->word[i], &why) == -1)
			return cfg_errf(p, p->line, "%s \"%s\": %s",
			    ln->word[0], ln->word[i], why);
	return 0;
}

/* "visible-label KEY[=VALUE]...": the labels that make a container or
 * service visible to the listener's clients (any one suffices). */
static int
cfg_visible_label(struct cfg_parser *p, struct cfg_line *ln)
{
	struct cfg_listener *l = p->blk.l;
	struct jrw_label lab;
	char	 msg[200];
	size_t	 i;

	for (i = 1; i < ln->nwords; i++) {
		if (l->nvisible == JRW_MAX_LABELS)
			return cfg_errf(p, p->line, "too many visible labels "
			    "(at most %d)", JRW_MAX_LABELS);
		if (jrw_label_parse(ln->word[i], &lab, msg, sizeof(msg)) == -1)
			return cfg_errf(p, p->line, "visible-label \"%s\": %s",
			    ln->word[i], msg);
		snprintf(l->visible[l->nvisible++], sizeof(l->visible[0]),
		    "%s", ln->word[i]);
	}
	return 0;
}

/* The index of l's policy called name past the default (0: none). */
static int
cfg_body_index(const struct cfg_listener *l, const char *name)
{
	size_t	 i;

	for (i = 1; i < l->nbody; i++)
		if (strcmp(l->body[i].name, name) == 0)
			return (int)i;
	return 0;
}

/*
 * The first step of resolving rule r's "body NAME" against l: 0 when it
 * is done (no clause: body_idx 0; l already has that policy), 1 when the
 * policy must be added at l->body[l->nbody], -1 when l has no room.
 */
static int
cfg_rule_body_lookup(const struct cfg_listener *l, struct rule *r)
{
	int	 i;

	r->body_idx = 0;
	if (r->body[0] == '\0')
		return 0;
	if ((i = cfg_body_index(l, r->body)) > 0) {
		r->body_idx = i;
		return 0;
	}
	return l->nbody == CFG_MAX_BODY ? -1 : 1;
}

int
cfg_rule_builtin_policy(struct cfg_listener *l, struct rule *r,
    const char **why)
{
	int	 k = cfg_rule_body_lookup(l, r);

	if (k <= 0) {
		if (k == -1)
			*why = "too many body policies in one listener";
		return k;
	}
	if (strcmp(r->body, "off") == 0)
		body_policy_init_off(&l->body[l->nbody]);
	else if (strcmp(r->body, "no-host-escape") == 0)
		body_policy_init(&l->body[l->nbody], r->body);
	else {
		*why = "only the built-in body policies no-host-escape and off "
		    "can be named here; define others in a config file";
		return -1;
	}
	r->body_idx = (int)l->nbody++;
	return 0;
}

/* A rule's "body NAME": its index among the listener's policies. */
static int
cfg_rule_policy(struct cfg_parser *p, struct rule *r)
{
	struct cfg_listener *l = p->blk.l;
	int	 k = cfg_rule_body_lookup(l, r);

	if (k <= 0) {
		if (k == -1)
			return cfg_errf(p, p->line, "too many body policies in "
			    "one listener (at most %d)", CFG_MAX_BODY - 1);
		return 0;
	}
	if (cfg_policy_find(p, r->body, &l->body[l->nbody]) == -1)
		return -1;
	r->body_idx = (int)l->nbody++;
	return 0;
}

static const struct cfg_stmt cfg_stmts[] = {
	{ "upstream",	    0, 1, 1, "upstream PATH|tls://HOST:PORT",
	    cfg_upstream },
	{ "upstream-ca",    0, 1, 1, "upstream-ca PATH", cfg_upstream_tls },
	{ "upstream-cert",  0, 1, 1, "upstream-cert PATH", cfg_upstream_tls },
	{ "upstream-key",   0, 1, 1, "upstream-key PATH", cfg_upstream_tls },
	{ "upstream-server-name", 0, 1, 1, "upstream-server-name NAME",
	    cfg_upstream_tls },
	{ "metrics",	    0, 1, 1, "metrics tcp://HOST:PORT|unix:///PATH",
	    cfg_metrics },
	{ "log-format",	    0, 1, 1, "log-format text|json", cfg_log_format },
	{ "log-level",	    0, 1, 1, "log-level debug|info|warn|error",
	    cfg_log_level },
	{ "header-timeout", 0, 1, 1, "header-timeout SECS",
	    cfg_timeout },
	{ "idle-timeout",   0, 1, 1, "idle-timeout SECS", cfg_timeout },
	{ "body-timeout",   0, 1, 1, "body-timeout SECS", cfg_timeout },
	{ "send-timeout",   0, 1, 1, "send-timeout SECS", cfg_timeout },
	{ "client-conns",   0, 1, 1, "client-conns N", cfg_cap },
	{ "client-streams", 0, 1, 1, "client-streams N", cfg_cap },
	{ "streams",	    0, 1, 1, "streams N", cfg_cap },
	{ "body-max",	    0, 1, 1, "body-max BYTES", cfg_body_max },
	{ "listen",	    1, 1, 1,
	    "listen tcp://HOST:PORT|tls://HOST:PORT|unix:///PATH",
	    cfg_listen },
	{ "profile",	    1, 1, 1, "profile NAME[,NAME...]", cfg_profile },
	{ "allow",	    1, 1, -1, "allow METHODS PATTERN [...]", cfg_rule },
	{ "deny",	    1, 1, -1, "deny METHODS PATTERN [...]", cfg_rule },
	{ "mode",	    1, 1, 1, "mode enforce|audit", cfg_mode },
	{ "clients",	    1, 1, -1, "clients CIDR...", cfg_clients },
	{ "peer-uid",	    1, 1, -1, "peer-uid UID...", cfg_peer },
	{ "peer-gid",	    1, 1, -1, "peer-gid GID...", cfg_peer },
	{ "socket-mode",    1, 1, 1, "socket-mode OCTAL", cfg_socket_mode },
	{ "socket-owner",   1, 1, 1, "socket-owner UID[:GID]",
	    cfg_socket_owner },
	{ "body-policy",    1, 1, 1, "body-policy NAME", cfg_listener_policy },
	{ "host-path",	    1, 1, 2, "host-path PATH [ro|rw]", cfg_widen },
	{ "cap-add",	    1, 1, -1, "cap-add CAP...", cfg_widen },
	{ "volume-driver",  1, 1, -1, "volume-driver NAME...", cfg_widen },
	{ "redact",	    1, 1, 1, "redact on|off", cfg_redact },
	{ "visible-label",  1, 1, -1, "visible-label KEY[=VALUE]...",
	    cfg_visible_label },
	{ "tls-cert",	    1, 1, 1, "tls-cert PATH", cfg_tls },
	{ "tls-key",	    1, 1, 1, "tls-key PATH", cfg_tls },
	{ "tls-client-ca",  1, 1, 1, "tls-client-ca PATH", cfg_tls },
	{ "insecure-tls-no-client-cert", 1, 1, 1,
	    "insecure-tls-no-client-cert on|off", cfg_tls },
	{ "cert-cn",	    1, 1, -1, "cert-cn NAME...", cfg_cert_names },
	{ "cert-san",	    1, 1, -1,
	    "cert-san dns:NAME|ip:ADDR|uri:URI|email:ADDR...", cfg_cert_names },
	{ NULL, 0, 0, 0, NULL, NULL }
};

/* What a "body-policy NAME { ... }" block takes (in_block unused). */
static const struct cfg_stmt cfg_bp_stmts[] = {
	{ "host-path",	    1, 1, 2, "host-path PATH [ro|rw]", cfg_widen },
	{ "cap-add",	    1, 1, -1, "cap-add CAP...", cfg_widen },
	{ "volume-driver",  1, 1, -1, "volume-driver NAME...", cfg_widen },
	{ NULL, 0, 0, 0, NULL, NULL }
};

/* The block openers cfg_statement matches before the tables. */
static const char *const cfg_block_kws[] = { "listener", "body-policy",
    NULL };

const char *
cfg_keyword_at(size_t i, enum cfg_scope *scope)
{
	size_t	 n;

	for (n = 0; cfg_block_kws[n] != NULL; n++)
		if (i-- == 0) {
			*scope = CFG_SCOPE_GLOBAL;
			return cfg_block_kws[n];
		}
	for (n = 0; cfg_stmts[n].kw != NULL; n++)
		if (i-- == 0) {
			*scope = cfg_stmts[n].in_block ? CFG_SCOPE_LISTENER :
			    CFG_SCOPE_GLOBAL;
			return cfg_stmts[n].kw;
		}
	for (n = 0; cfg_bp_stmts[n].kw != NULL; n++)
		if (i-- == 0) {
			*scope = CFG_SCOPE_BODY_POLICY;
			return cfg_bp_stmts[n].kw;
		}
	return NULL;
}

static int
cfg_statement(struct cfg_parser *p, struct cfg_line *ln)
{
	const struct cfg_stmt *st;
	int nargs;

	if (ln->nwords == 0)
		return 0;
	if (p->bp != NULL) {
		/* Inside "body-policy NAME {": only the widening clauses. */
		if (cfg_bare(ln, 0, "}")) {
			if (ln->nwords != 1)
				return cfg_errf(p, p->line, "'}' must stand on "
				    "its own line");
			p->bp = NULL;
			return 0;
		}
		for (st = cfg_bp_stmts; st->kw != NULL; st++)
			if (cfg_bare(ln, 0, st->kw))
				break;
		if (st->kw == NULL)
			return cfg_errf(p, p->line, "a body-policy block takes "
			    "host-path, cap-add and volume-driver, not \"%s\"",
			    ln->word[0]);
		nargs = (int)ln->nwords - 1;
		if (nargs < st->min_args || (st->max_args >= 0 &&
		    nargs > st->max_args))
			return cfg_errf(p, p->line, "usage: %s", st->usage);
		return st->fn(p, ln);
	}
	if (cfg_bare(ln, 0, cfg_block_kws[1]) && p->blk.l == NULL)
		return cfg_policy_open(p, ln);
	if (cfg_bare(ln, 0, "}")) {
		if (p->blk.l == NULL)
			return cfg_errf(p, p->line, "'}' without a listener "
			    "block");
		if (ln->nwords != 1)
			return cfg_errf(p, p->line, "'}' must stand on its own "
			    "line");
		return cfg_listener_close(p);
	}
	if (cfg_bare(ln, 0, cfg_block_kws[0]))
		return cfg_listener_open(p, ln);
	for (st = cfg_stmts; st->kw != NULL; st++)
		if (cfg_bare(ln, 0, st->kw))
			break;
	if (st->kw == NULL)
		return cfg_errf(p, p->line, "unknown keyword \"%s\"",
		    ln->word[0]);
	if (st->in_block && p->blk.l == NULL)
		return cfg_errf(p, p->line, "%s belongs inside a listener "
		    "block", st->kw);
	if (!st->in_block && p->blk.l != NULL)
		return cfg_errf(p, p->line, "%s is a global setting: move it "
		    "out of listener \"%s\"", st->kw, p->blk.l->name);
	nargs = (int)ln->nwords - 1;
	if (nargs < st->min_args || (st->max_args >= 0 &&
	    nargs > st->max_args))
		return cfg_errf(p, p->line, "usage: %s", st->usage);
	return st->fn(p, ln);
}

/* Copy what src has and dst lacks (a block sharing a tls:// address
 * need not repeat the files). */
static void
cfg_tls_inherit(struct cfg_tls *dst, const struct cfg_tls *src)
{
	if (dst->cert[0] == '\0')
		memcpy(dst->cert, src->cert, sizeof(dst->cert));
	if (dst->key[0] == '\0')
		memcpy(dst->key, src->key, sizeof(dst->key));
	if (dst->client_ca[0] == '\0')
		memcpy(dst->client_ca, src->client_ca, sizeof(dst->client_ca));
	if (dst->no_client_cert == -1)
		dst->no_client_cert = src->no_client_cert;
}

/* Two blocks sharing a tls:// address must agree on what the socket
 * does before a certificate is seen. */
static int
cfg_tls_same(const struct cfg_tls *a, const struct cfg_tls *b)
{
	return strcmp(a->cert, b->cert) == 0 && strcmp(a->key, b->key) == 0 &&
	    strcmp(a->client_ca, b->client_ca) == 0 &&
	    (a->no_client_cert == 1) == (b->no_client_cert == 1);
}

/*
 * After the last block: blocks sharing a tls:// address inherit the
 * files the others name, must then name the same ones, and each must
 * admit by certificate names (else the first would take every client);
 * then every block's TLS settings are checked.
 */
static int
cfg_tls_groups(struct cfg_parser *p)
{
	struct cfg *c = p->c;
	struct cfg_listener *a, *b;
	size_t i, j, k, m;
	int pass;
	char msg[400];

	for (pass = 0; pass < 2; pass++)
	for (i = 0; i < c->nlisteners; i++) {
		a = &c->listeners[i];
		for (j = 0; j < a->naddrs; j++) {
			if (strncmp(a->addrs[j], "tls://", 6) != 0)
				continue;
			for (k = 0; k < c->nlisteners; k++) {
				b = &c->listeners[k];
				if (k == i)
					continue;
				for (m = 0; m < b->naddrs; m++)
					if (strcmp(a->addrs[j], b->addrs[m]) == 0)
						break;
				if (m == b->naddrs)
					continue;
				if (pass == 0) {
					cfg_tls_inherit(&a->tls, &b->tls);
					continue;
				}
				if (!cfg_tls_same(&a->tls, &b->tls))
					return cfg_errf(p, b->line, "listeners "
					    "\"%s\" and \"%s\" share %s and must "
					    "use the same tls-cert, tls-key, "
					    "tls-client-ca and "
					    "insecure-tls-no-client-cert",
					    a->name, b->name, a->addrs[j]);
				if (a->admit.ncerts == 0)
					return cfg_errf(p, a->line, "listener "
					    "\"%s\" shares %s with \"%s\": each "
					    "must name the certificates it "
					    "admits (cert-cn, cert-san)",
					    a->name, a->addrs[j], b->name);
			}
		}
	}
	for (i = 0; i < c->nlisteners; i++) {
		a = &c->listeners[i];
		if (cfg_listener_tls_check(a, msg, sizeof(msg)) == -1)
			return cfg_errf(p, a->line, "listener \"%s\": %s",
			    a->name, msg);
	}
	return 0;
}

int
cfg_listener_tls_check(const struct cfg_listener *l, char *err,
    size_t errlen)
{
	const struct cfg_tls *t = &l->tls;
	struct set_addr a;
	const char *open = NULL;
	char	 msg[320];
	size_t	 i;
	int	 tls = 0;

	for (i = 0; i < l->naddrs; i++) {
		if (set_addr_parse(l->addrs[i], &a, msg, sizeof(msg)) == -1 ||
		    !a.tls)
			continue;
		tls = 1;
		if (!set_addr_loopback(&a) && open == NULL)
			open = l->addrs[i];
	}
	if (!tls) {
		if (t->cert[0] != '\0' || t->key[0] != '\0' ||
		    t->client_ca[0] != '\0' || t->no_client_cert == 1) {
			snprintf(err, errlen, "tls-cert, tls-key, tls-client-ca "
			    "and insecure-tls-no-client-cert apply to tls:// "
			    "addresses, and there is none");
			return -1;
		}
		if (l->admit.ncerts > 0) {
			snprintf(err, errlen, "cert-cn and cert-san apply to "
			    "tls:// addresses, and there is none");
			return -1;
		}
		return 0;
	}
	if (t->cert[0] == '\0' || t->key[0] == '\0') {
		snprintf(err, errlen, "a tls:// address needs tls-cert and "
		    "tls-key");
		return -1;
	}
	if (l->admit.ncerts > 0 && t->client_ca[0] == '\0') {
		snprintf(err, errlen, "cert-cn and cert-san need tls-client-ca "
		    "(the names of a certificate nobody verified prove "
		    "nothing)");
		return -1;
	}
	if (t->client_ca[0] == '\0' && open != NULL &&
	    t->no_client_cert != 1) {
		snprintf(err, errlen, "%s is not loopback and has no "
		    "tls-client-ca: anyone who reaches it would be a client; "
		    "give tls-client-ca, or insecure-tls-no-client-cert on to "
		    "accept that", open);
		return -1;
	}
	return 0;
}

void
cfg_free(struct cfg *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < CFG_MAX_LISTENERS; i++) {
		rule_set_free(&c->listeners[i].rules);
		rf_policy_unref(c->listeners[i].rf);
	}
	memset(c, 0, sizeof(*c));
}

static void
cfg_init(struct cfg *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < 3; i++)
		c->caps[i] = -1;
	c->body_max = -1;
	for (i = 0; i < CFG_MAX_LISTENERS; i++)
		cfg_listener_defaults(&c->listeners[i]);
}

void
cfg_listener_defaults(struct cfg_listener *l)
{
	memset(l, 0, sizeof(*l));
	l->mode = CFG_ENFORCE;
	l->sock_mode = -1;
	l->sock_uid = -1;
	l->sock_gid = -1;
	body_policy_init(&l->body[0], "no-host-escape");
	l->nbody = 1;
	l->body_max = BODY_DEFAULT_MAX;
	l->redact = -1;
	l->tls.no_client_cert = -1;
}

int
cfg_parse(const char *text, size_t len, const char *fname, struct cfg *out,
    char *err, size_t errlen)
{
	struct cfg_line ln;
	struct cfg_parser p;
	const char *base, *s, *nl;
	size_t n, blen;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL)
		return -1;
	cfg_init(out);
	memset(&p, 0, sizeof(p));
	p.fname = fname != NULL ? fname : "(config)";
	p.c = out;
	p.err = err;
	p.errlen = errlen;
	base = strrchr(p.fname, '/');
	base = base != NULL && base[1] != '\0' ? base + 1 : p.fname;
	blen = strlen(base);
	/* Room for ":LINE" in a rule's origin: keep the end of long names. */
	if (blen >= sizeof(p.origin_base))
		base += blen - (sizeof(p.origin_base) - 1);
	snprintf(p.origin_base, sizeof(p.origin_base), "%s", base);
	if (text == NULL)
		len = 0;

	for (s = text; len > 0 && s < text + len; s = nl + 1) {
		p.line++;
		nl = memchr(s, '\n', (size_t)(text + len - s));
		if (nl == NULL)
			nl = text + len;
		n = (size_t)(nl - s);
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (cfg_split(&p, s, n, &ln) == -1 ||
		    cfg_statement(&p, &ln) == -1)
			goto fail;
		if (nl == text + len)
			break;
	}
	if (p.blk.l != NULL) {
		cfg_errf(&p, p.blk.l->line, "listener \"%s\" is not closed: "
		    "missing '}'", p.blk.l->name);
		goto fail;
	}
	if (p.bp != NULL) {
		cfg_errf(&p, p.bp->line, "body-policy \"%s\" is not closed: "
		    "missing '}'", p.bp->name);
		goto fail;
	}
	if (out->nlisteners == 0) {
		cfg_errf(&p, p.line > 0 ? p.line : 1, "no listener block: "
		    "nothing to serve");
		goto fail;
	}
	if (cfg_tls_groups(&p) == -1)
		goto fail;
	return 0;

fail:
	cfg_free(out);
	cfg_init(out);
	return -1;
}

int
cfg_load_file(const char *path, struct cfg *out, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, rc, saved;

	if (out != NULL)
		cfg_init(out);
	if (path == NULL || out == NULL) {
		snprintf(err, errlen, "no configuration file");
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((buf = malloc(CFG_FILE_MAX + 1)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		close(fd);
		return -1;
	}
	for (;;) {
		n = read(fd, buf + len, CFG_FILE_MAX + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			saved = errno;
			snprintf(err, errlen, "%s: %s", path, strerror(saved));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > CFG_FILE_MAX) {
			snprintf(err, errlen, "%s: larger than 1 MiB", path);
			goto fail;
		}
	}
	close(fd);
	rc = cfg_parse(buf, len, path, out, err, errlen);
	free(buf);
	return rc;

fail:
	close(fd);
	free(buf);
	return -1;
}

/* Dump. */

/* Write s as a double-quoted string with \" and \\ escapes. */
static void
cfg_quote(const char *s, char *dst, size_t cap)
{
	size_t o = 0;

	if (cap < 3) {
		if (cap > 0)
			dst[0] = '\0';
		return;
	}
	dst[o++] = '"';
	for (; *s != '\0' && o + 3 < cap; s++) {
		if (*s == '"' || *s == '\\')
			dst[o++] = '\\';
		dst[o++] = *s;
	}
	dst[o++] = '"';
	dst[o] = '\0';
}

/* A line of a block, indented by one tab. */
struct cfg_dump_indent {
	void	(*out)(void *, const char *);
	void	*arg;
};

static void
cfg_dump_indented(void *arg, const char *line)
{
	struct cfg_dump_indent *ind = arg;
	char	buf[RULE_MAX_TEXT + 256];

	snprintf(buf, sizeof(buf), "\t%s", line);
	ind->out(ind->arg, buf);
}

/* "KEYWORD VALUE" (quoted as needed) when value is set. */
static void
cfg_dump_path(void (*out)(void *, const char *), void *arg, const char *kw,
    const char *value)
{
	char q[2 * CFG_PATH_MAX + 3], line[2 * CFG_PATH_MAX + 64];

	if (value[0] == '\0')
		return;
	cfg_quote(value, q, sizeof(q));
	snprintf(line, sizeof(line), "%s %s", kw, q);
	out(arg, line);
}

void
cfg_dump(const struct cfg *c, void (*out)(void *arg, const char *line),
    void *arg)
{
	const struct cfg_listener *l;
	const struct rule *r;
	char line[RULE_MAX_TEXT + 256], q[2 * 160 + 3], rl[RULE_MAX_TEXT + 16];
	char adm[ADMIT_STR_MAX], *s, *nl;
	size_t i, j;
	int any = 0;

	if (c == NULL || out == NULL)
		return;
	if (c->upstream[0] != '\0') {
		char u[sizeof(c->upstream) + 8];

		/* Always with the scheme: parsing strips exactly one, so a
		 * path that itself holds "://" reads back unchanged. */
		snprintf(u, sizeof(u), "%s%s", strncmp(c->upstream, "tls://",
		    6) == 0 ? "" : "unix://", c->upstream);
		cfg_quote(u, q, sizeof(q));
		snprintf(line, sizeof(line), "upstream %s", q);
		out(arg, line);
	}
	cfg_dump_path(out, arg, "upstream-ca", c->upstream_ca);
	cfg_dump_path(out, arg, "upstream-cert", c->upstream_cert);
	cfg_dump_path(out, arg, "upstream-key", c->upstream_key);
	cfg_dump_path(out, arg, "upstream-server-name", c->upstream_name);
	cfg_dump_path(out, arg, "metrics", c->metrics);
	if (c->log_format[0] != '\0') {
		snprintf(line, sizeof(line), "log-format %s", c->log_format);
		out(arg, line);
	}
	if (c->log_level[0] != '\0') {
		snprintf(line, sizeof(line), "log-level %s", c->log_level);
		out(arg, line);
	}
	for (i = 0; i < sizeof(cfg_timeouts) / sizeof(cfg_timeouts[0]); i++) {
		int v = *(const int *)(const void *)((const char *)c +
		    cfg_timeouts[i].val_off);

		if (v <= 0)
			continue;
		snprintf(line, sizeof(line), "%s %d", cfg_timeouts[i].kw, v);
		out(arg, line);
	}
	for (i = 0; i < 3; i++) {
		if (c->caps[i] < 0)
			continue;
		snprintf(line, sizeof(line), "%s %ld", cfg_cap_kw[i],
		    c->caps[i]);
		out(arg, line);
	}
	if (c->body_max >= 0) {
		snprintf(line, sizeof(line), "body-max %ld", c->body_max);
		out(arg, line);
	}
	for (i = 0; i < c->npolicies; i++) {
		struct cfg_dump_indent ind = { out, arg };

		if (i > 0 || c->upstream[0] != '\0' || c->body_max >= 0)
			out(arg, "");
		snprintf(line, sizeof(line), "body-policy %s {",
		    c->policies[i].name);
		out(arg, line);
		body_policy_dump(&c->policies[i], NULL, cfg_dump_indented,
		    &ind);
		out(arg, "}");
	}
	any = c->npolicies > 0 || c->body_max >= 0 ||
	    c->upstream[0] != '\0' || c->log_format[0] != '\0' ||
	    c->log_level[0] != '\0' || c->header_timeout_s > 0 ||
	    c->idle_timeout_s > 0 || c->body_timeout_s > 0 ||
	    c->send_timeout_s > 0 || c->caps[0] >= 0 || c->caps[1] >= 0 ||
	    c->caps[2] >= 0 || c->upstream_ca[0] != '\0' ||
	    c->metrics[0] != '\0';
	for (i = 0; i < c->nlisteners; i++) {
		l = &c->listeners[i];
		if (i > 0 || any)
			out(arg, "");
		snprintf(line, sizeof(line), "listener %s {", l->name);
		out(arg, line);
		for (j = 0; j < l->naddrs; j++) {
			cfg_quote(l->addrs[j], q, sizeof(q));
			snprintf(line, sizeof(line), "\tlisten %s", q);
			out(arg, line);
		}
		snprintf(line, sizeof(line), "\tmode %s",
		    l->mode == CFG_AUDIT ? "audit" : "enforce");
		out(arg, line);
		admit_str(&l->admit, adm, sizeof(adm));
		for (s = adm; *s != '\0'; s = nl) {
			if ((nl = strchr(s, '\n')) == NULL)
				nl = s + strlen(s);
			snprintf(line, sizeof(line), "\t%.*s", (int)(nl - s), s);
			out(arg, line);
			if (*nl == '\n')
				nl++;
		}
		cfg_dump_path(out, arg, "\ttls-cert", l->tls.cert);
		cfg_dump_path(out, arg, "\ttls-key", l->tls.key);
		cfg_dump_path(out, arg, "\ttls-client-ca", l->tls.client_ca);
		if (l->tls.no_client_cert == 1)
			out(arg, "\tinsecure-tls-no-client-cert on");
		if (l->sock_mode != -1) {
			snprintf(line, sizeof(line), "\tsocket-mode 0%o",
			    (unsigned)l->sock_mode);
			out(arg, line);
		}
		if (l->sock_uid != -1) {
			if (l->sock_gid != -1)
				snprintf(line, sizeof(line), "\tsocket-owner "
				    "%ld:%ld", l->sock_uid, l->sock_gid);
			else
				snprintf(line, sizeof(line), "\tsocket-owner "
				    "%ld", l->sock_uid);
			out(arg, line);
		}
		if (strcmp(l->body[0].name, "no-host-escape") != 0) {
			snprintf(line, sizeof(line), "\tbody-policy %s",
			    l->body[0].name);
			out(arg, line);
		}
		{
			struct cfg_dump_indent ind = { out, arg };
			const struct body_policy *base = NULL;

			for (j = 0; j < c->npolicies; j++)
				if (strcmp(c->policies[j].name,
				    l->body[0].name) == 0)
					base = &c->policies[j];
			body_policy_dump(&l->body[0], base, cfg_dump_indented,
			    &ind);
		}
		/* Auto redaction resolved off by a profile is written out:
		 * the dump expands profiles into plain rules, which would
		 * read back as auto and so on. */
		if (l->redact != -1 || (l->rf != NULL && !l->rf->redact)) {
			snprintf(line, sizeof(line), "\tredact %s",
			    l->redact == 1 ? "on" : "off");
			out(arg, line);
		}
		for (j = 0; j < l->nvisible; j++) {
			char vq[2 * sizeof(l->visible[0]) + 3];

			cfg_quote(l->visible[j], vq, sizeof(vq));
			snprintf(line, sizeof(line), "\tvisible-label %s", vq);
			out(arg, line);
		}
		snprintf(line, sizeof(line), "\t# policy %s: %zu rule%s, first "
		    "match decides, no match denies", l->rules.name,
		    l->rules.nrules, l->rules.nrules == 1 ? "" : "s");
		out(arg, line);
		for (j = 0; j < l->rules.nrules; j++) {
			r = &l->rules.rules[j];
			rule_line_str(r, rl, sizeof(rl));
			snprintf(line, sizeof(line), "\t%s\t# %s", rl,
			    r->origin);
			out(arg, line);
		}
		out(arg, "}");
	}
}
