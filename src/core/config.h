/*
 * config.h - the configuration file (sockward.conf(5)).
 *
 * Pure apart from reading the file: no sockets.  The grammar is
 * line-based, in the style of OpenBSD's httpd.conf: global settings, then
 * "listener NAME { ... }" blocks, one statement per line, '#' comments,
 * double-quoted strings with \" and \\ escapes.
 *
 *   upstream "/var/run/docker.sock"
 *   log-format json
 *   listener "traefik" {
 *           listen "tcp://0.0.0.0:2375"
 *           clients 172.16.0.0/12 10.0.0.0/8
 *           deny POST /containers/{id}/exec reason "no shells here"
 *           profile traefik
 *           allow GET /containers/json query all=1|true
 *           mode audit
 *   }
 *
 * Within a listener, rules are evaluated in file order ("profile NAME"
 * inserts that profile's rules where it appears); the first match
 * decides; no match denies.
 */
#ifndef SOCKWARD_CONFIG_H
#define SOCKWARD_CONFIG_H

#include <stddef.h>

#include "admit.h"
#include "body_policy.h"
#include "resp_filter.h"
#include "rule.h"

#define CFG_MAX_LISTENERS 16
#define CFG_MAX_ADDRS     4
#define CFG_MAX_ALL_ADDRS 16	/* listen addresses in all listeners */
#define CFG_MAX_BODY      8	/* body policies per listener, and named
				   ones in a file */

enum cfg_mode { CFG_ENFORCE = 0, CFG_AUDIT };

#define CFG_PATH_MAX 256	/* bytes of a file path, NUL included */

/* A tls:// listener's files, and whether it accepts clients without a
 * certificate (insecure-tls-no-client-cert on). */
struct cfg_tls {
	char		 cert[CFG_PATH_MAX];	/* "" when not set */
	char		 key[CFG_PATH_MAX];
	char		 client_ca[CFG_PATH_MAX];
	int		 no_client_cert;	/* -1 unset, 0 off, 1 on */
};

struct cfg_listener {
	char		 name[32];
	char		 addrs[CFG_MAX_ADDRS][160];	/* "listen" values */
	size_t		 naddrs;
	struct rule_set	 rules;		/* rules.name: "traefik+dozzle" */
	enum cfg_mode	 mode;
	struct admit	 admit;
	int		 sock_mode;	/* unix socket mode, -1: 0660 */
	long		 sock_uid;	/* unix socket owner, -1: unchanged */
	long		 sock_gid;
	int		 line;		/* where the block starts */
	/* Body policies (body_policy.h) the rules use: [0] is the
	 * listener's default ("body-policy", else no-host-escape), the
	 * others those named by a rule's "body NAME" (rule.body_idx). */
	struct body_policy body[CFG_MAX_BODY];
	size_t		 nbody;
	size_t		 body_max;	/* bytes of a judged body (body-max) */
	/* Responses (resp_filter.h): redaction -1 auto (on unless a
	 * profile of the listener needs the secrets), 0 off, 1 on; the
	 * visible labels ("KEY" or "KEY=VALUE"); and the policy built from
	 * them and the rules' redact clauses by cfg_listener_filters. */
	int		 redact;
	char		 visible[JRW_MAX_LABELS][2 * JRW_LABEL_MAX + 2];
	size_t		 nvisible;
	struct rf_policy *rf;
	struct cfg_tls	 tls;		/* for its tls:// addresses */
};

struct cfg {
	char		 upstream[108];	/* "" when not set; a path, or
					   "tls://HOST:PORT" */
	char		 upstream_ca[CFG_PATH_MAX];	/* "" when not set */
	char		 upstream_cert[CFG_PATH_MAX];
	char		 upstream_key[CFG_PATH_MAX];
	char		 upstream_name[CFG_PATH_MAX];	/* server name */
	char		 metrics[160];	/* metrics listen address, or "" */
	char		 log_format[8];	/* "" when not set */
	char		 log_level[8];
	int		 header_timeout_s;	/* 0 when not set */
	int		 idle_timeout_s;
	int		 body_timeout_s;
	int		 send_timeout_s;
	long		 caps[3];	/* client-conns, client-streams,
					   streams; -1 when not set */
	long		 body_max;	/* -1 when not set */
	struct cfg_listener listeners[CFG_MAX_LISTENERS];
	size_t		 nlisteners;
	/* "body-policy NAME { ... }" blocks, for rules and listeners. */
	struct body_policy policies[CFG_MAX_BODY];
	size_t		 npolicies;
};

/* Give l the defaults of a new listener (zeroed first): enforce mode,
 * socket mode and owner unset, body policy no-host-escape, body-max
 * 1 MiB, redaction auto, no visible labels. */
void	cfg_listener_defaults(struct cfg_listener *l);

/*
 * Resolve rule r's "body NAME" clause against listener l when no config
 * file names policies (--allow, SOCKWARD_ALLOW): r->body_idx becomes
 * the index of l's policy of that name, the built-in "no-host-escape"
 * or "off" being added to l the first time.  No clause: body_idx 0 (the
 * listener's default).  Returns 0, or -1 with *why for any other name
 * or a full l->body.
 */
int	cfg_rule_builtin_policy(struct cfg_listener *l, struct rule *r,
	    const char **why);

/*
 * Build l->rf (released first if set) from l->redact, l->visible and the
 * redact clauses of l's rules (each rule's redact_idx is set).  auto
 * redaction is on unless one of l's rules comes from a profile whose
 * client needs the secrets (profile.h).  Returns 0, or -1 with a message
 * in err[0..errlen).  cfg_parse calls it for every listener block; a
 * listener built otherwise (from flags) must call it once its rules are
 * in.
 */
int	cfg_listener_filters(struct cfg_listener *l, char *err, size_t errlen);

/*
 * Check l's TLS settings against its addresses: a tls:// address needs
 * tls-cert and tls-key; tls-* and cert names need a tls:// address;
 * certificate names (cert-cn, cert-san) need tls-client-ca (names of an
 * unverified certificate prove nothing); a tls:// address that is not
 * loopback needs tls-client-ca unless insecure-tls-no-client-cert is on.
 * Returns 0, or -1 with a message in err[0..errlen).  cfg_parse calls it
 * for every block; a listener built from flags must call it too.
 */
int	cfg_listener_tls_check(const struct cfg_listener *l, char *err,
	    size_t errlen);

/*
 * Parse text[0..len) (fname is used in messages only) into *out, which is
 * initialised first.  Returns 0, or -1 with "FILE:LINE: message" in
 * err[0..errlen).  On success *out owns rule storage: release it with
 * cfg_free.  On failure nothing needs freeing.
 */
int	cfg_parse(const char *text, size_t len, const char *fname,
	    struct cfg *out, char *err, size_t errlen);

/* Read path and cfg_parse it; the file may be at most 1 MiB. */
int	cfg_load_file(const char *path, struct cfg *out, char *err,
	    size_t errlen);

/* Where a keyword is a statement: at the top level, inside a listener
 * block, inside a "body-policy NAME { ... }" block. */
enum cfg_scope { CFG_SCOPE_GLOBAL, CFG_SCOPE_LISTENER, CFG_SCOPE_BODY_POLICY };

/*
 * The i-th keyword cfg_parse accepts (from the tables it matches lines
 * against, block openers first), with its scope in *scope; NULL when i is
 * past the last.  A keyword may come twice with different scopes
 * ("body-policy" opens a block, and names a listener's default policy).
 * For the docs check: every one must be in sockward.conf(5).
 */
const char *cfg_keyword_at(size_t i, enum cfg_scope *scope);

/* Release what cfg_parse allocated; *c may be reused after. */
void	cfg_free(struct cfg *c);

/*
 * Print the effective configuration as config text, one line per call of
 * out(arg, line) (no newline in line), listener by listener, with every
 * rule in evaluation order (profiles expanded).  Parsing that text yields
 * the same policy.
 */
void	cfg_dump(const struct cfg *c, void (*out)(void *arg, const char *line),
	    void *arg);

#endif
