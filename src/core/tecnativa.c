/*
 * tecnativa.c - tecnativa/docker-socket-proxy's environment, as sockward
 * rules.
 *
 * Tecnativa's haproxy.cfg (master) is, in order:
 *
 *	http-request deny unless METH_GET || { env(POST) -m bool }
 *	http-request allow if { path,url_dec -m reg -i
 *	    ^(/v[\d\.]+)?/containers/[a-zA-Z0-9_.-]+/((stop)|(restart)|(kill)) }
 *	    { env(ALLOW_RESTARTS) -m bool }
 *	... ALLOW_START, ALLOW_STOP, ALLOW_PAUSE, ALLOW_UNPAUSE likewise
 *	http-request allow if { path,url_dec -m reg -i ^(/v[\d\.]+)?/auth }
 *	    { env(AUTH) -m bool }
 *	... one such line per section ...
 *	http-request deny
 *
 * so a section is a prefix, every method passes once POST is on, and the
 * ALLOW_* lines sit behind the method gate: without POST=1 they change
 * nothing (Tecnativa issue #101).
 *
 * linuxserver/socket-proxy (SOCKWARD_COMPAT=linuxserver), a fork with the
 * same variables, reads them differently; its haproxy.cfg (2026-08) is,
 * in order:
 *
 *	deny  (/libpod)?/(containers|pods)/ID/archive unless ALLOW_ARCHIVE
 *	      ... change (ALLOW_CHANGES), export, logs, top likewise
 *	allow (/libpod)?/(containers|pods)/ID/(stop|restart|kill)
 *	      if ALLOW_RESTARTS ... ALLOW_START, _STOP, _PAUSE, _UNPAUSE
 *	allow /libpod/containers/ID/start if LIBPOD_ALLOW_START ... and
 *	      /libpod/pods/ID/... for LIBPOD_ALLOW_POD_*
 *	deny unless METH_GET || POST
 *	allow /auth if AUTH ... the Docker sections, as Tecnativa
 *	allow /libpod/containers if LIBPOD_CONTAINERS ... the libpod
 *	      sections (LIBPOD_PING and LIBPOD_VERSION default to 1)
 *	deny
 *
 * so there ALLOW_* work without POST, the five subpath denies hold
 * whatever the sections say, and the libpod sections are GET/HEAD-only
 * until POST=1.  Those linuxserver-only variables (LIBPOD_*, ALLOW_ARCHIVE
 * and the like) are a start-up error in Tecnativa mode: the two images
 * read ALLOW_* differently, so the user must say which file this is.
 *
 * Each enabled section becomes one rule: methods GET,HEAD (POST off) or
 * "*" (POST on), pattern "/section" then a final "**" segment.  That does
 * not match "/sectionXYZ" as Tecnativa's unanchored regex does, but no
 * dockerd route is spelt like that, so the same docker commands succeed
 * and fail.  A libpod section names the literal "/libpod" first segment,
 * as an allow rule must to grant libpod paths (rule.h).  The subpath
 * denies name the subpath and everything below it; on /containers the
 * ID also spans segments where dockerd binds a legacy "web/db" name, which
 * linuxserver's one-segment regex lets through (sockward denies more).
 * Its "/pods/ID/start" without "/libpod" is no route on dockerd or on
 * Podman's compat API, so sockward allows only the libpod spelling.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tecnativa.h"

#define TEC_ORIGIN	"tecnativa"

/* What a section opens beyond its name, for the warnings. */
enum {
	TEC_RO = 0,		/* no write routes: POST=1 adds nothing */
	TEC_RW = 1		/* has write routes */
};

struct tec_section {
	const char	*var;
	const char	*pattern;
	int		 dflt;	/* Tecnativa's Dockerfile ENV default */
	int		 kind;	/* TEC_RO or TEC_RW */
	const char	*del;	/* a path DELETE opens with POST=1, or NULL */
	int		 lsio;	/* linuxserver's only (a libpod section) */
};

/* Tecnativa's order (alphabetical), so explain names the same line. */
static const struct tec_section tec_sections[] = {
	{ "AUTH",	  "/auth/**",	      0, TEC_RW, NULL, 0 },
	{ "BUILD",	  "/build/**",	      0, TEC_RW, NULL, 0 },
	{ "COMMIT",	  "/commit/**",	      0, TEC_RW, NULL, 0 },
	{ "CONFIGS",	  "/configs/**",      0, TEC_RW, "/configs/{id}", 0 },
	{ "CONTAINERS",	  "/containers/**",   0, TEC_RW, "/containers/{id}",
	    0 },
	{ "DISTRIBUTION", "/distribution/**", 0, TEC_RO, NULL, 0 },
	{ "EVENTS",	  "/events/**",	      1, TEC_RO, NULL, 0 },
	{ "EXEC",	  "/exec/**",	      0, TEC_RW, NULL, 0 },
	{ "GRPC",	  "/grpc/**",	      0, TEC_RW, NULL, 0 },
	{ "IMAGES",	  "/images/**",	      0, TEC_RW, "/images/{name}", 0 },
	{ "INFO",	  "/info/**",	      0, TEC_RO, NULL, 0 },
	{ "NETWORKS",	  "/networks/**",     0, TEC_RW, "/networks/{id}", 0 },
	{ "NODES",	  "/nodes/**",	      0, TEC_RW, "/nodes/{id}", 0 },
	/* dockerd has nothing below /_ping: the exact path says so. */
	{ "PING",	  "/_ping",	      1, TEC_RO, NULL, 0 },
	{ "PLUGINS",	  "/plugins/**",      0, TEC_RW, "/plugins/{name}", 0 },
	{ "SECRETS",	  "/secrets/**",      0, TEC_RW, "/secrets/{id}", 0 },
	{ "SERVICES",	  "/services/**",     0, TEC_RW, "/services/{id}", 0 },
	{ "SESSION",	  "/session/**",      0, TEC_RW, NULL, 0 },
	{ "SWARM",	  "/swarm/**",	      0, TEC_RW, NULL, 0 },
	{ "SYSTEM",	  "/system/**",	      0, TEC_RO, NULL, 0 },
	{ "TASKS",	  "/tasks/**",	      0, TEC_RO, NULL, 0 },
	{ "VERSION",	  "/version/**",      1, TEC_RO, NULL, 0 },
	{ "VOLUMES",	  "/volumes/**",      0, TEC_RW, "/volumes/{name}", 0 },
	/* linuxserver's libpod sections, its order and Dockerfile defaults. */
	{ "LIBPOD_CONTAINERS", "/libpod/containers/**", 0, TEC_RW,
	    "/libpod/containers/{name}", 1 },
	{ "LIBPOD_EVENTS", "/libpod/events/**",	0, TEC_RO, NULL, 1 },
	{ "LIBPOD_EXEC",   "/libpod/exec/**",	0, TEC_RW, NULL, 1 },
	{ "LIBPOD_GENERATE", "/libpod/generate/**", 0, TEC_RO, NULL, 1 },
	{ "LIBPOD_IMAGES", "/libpod/images/**",	0, TEC_RW,
	    "/libpod/images/{name}", 1 },
	{ "LIBPOD_INFO",   "/libpod/info/**",	0, TEC_RO, NULL, 1 },
	{ "LIBPOD_MANIFESTS", "/libpod/manifests/**", 0, TEC_RW,
	    "/libpod/manifests/{name}", 1 },
	{ "LIBPOD_NETWORKS", "/libpod/networks/**", 0, TEC_RW,
	    "/libpod/networks/{name}", 1 },
	/* Podman has nothing below /libpod/_ping either. */
	{ "LIBPOD_PING",   "/libpod/_ping",	1, TEC_RO, NULL, 1 },
	{ "LIBPOD_PLAY",   "/libpod/play/**",	0, TEC_RW,
	    "/libpod/play/kube", 1 },
	{ "LIBPOD_PODS",   "/libpod/pods/**",	0, TEC_RW,
	    "/libpod/pods/{name}", 1 },
	{ "LIBPOD_SECRETS", "/libpod/secrets/**", 0, TEC_RW,
	    "/libpod/secrets/{name}", 1 },
	{ "LIBPOD_SYSTEM", "/libpod/system/**",	0, TEC_RW, NULL, 1 },
	{ "LIBPOD_VERSION", "/libpod/version/**", 1, TEC_RO, NULL, 1 },
	{ "LIBPOD_VOLUMES", "/libpod/volumes/**", 0, TEC_RW,
	    "/libpod/volumes/{name}", 1 },
};
#define TEC_NSECTIONS (sizeof(tec_sections) / sizeof(tec_sections[0]))

/* Where an ALLOW_* action applies: bits of tec_families. */
enum {
	TEC_F_DOCKER = 1u,	/* /containers/{id}/ACTION */
	TEC_F_LPCTR = 2u,	/* /libpod/containers/{id}/ACTION */
	TEC_F_LPPOD = 4u	/* /libpod/pods/{id}/ACTION */
};
static const char *const tec_families[] = {
	"/containers", "/libpod/containers", "/libpod/pods"
};
#define TEC_NFAMILIES (sizeof(tec_families) / sizeof(tec_families[0]))

#define TEC_ALLOW_MAX 3
struct tec_allow {
	const char	*var;
	const char	*acts[TEC_ALLOW_MAX + 1];	/* NULL-terminated */
	unsigned	 fam;	/* families under linuxserver */
	int		 lsio;	/* linuxserver's only */
};

/*
 * Tecnativa's ALLOW_* regexes take any method; dockerd and Podman only
 * route POST there, so POST alone gives the same outcomes.  "{id}" is one
 * segment, like the regexes' [a-zA-Z0-9_.-]+.  Tecnativa's ALLOW_* name
 * /containers only; linuxserver's now take "(/libpod)?/(containers|pods)"
 * too, and its older LIBPOD_ALLOW_* one libpod family each.
 */
static const struct tec_allow tec_allows[] = {
	{ "ALLOW_RESTARTS", { "stop", "restart", "kill", NULL },
	    TEC_F_DOCKER | TEC_F_LPCTR | TEC_F_LPPOD, 0 },
	{ "ALLOW_START", { "start", NULL },
	    TEC_F_DOCKER | TEC_F_LPCTR | TEC_F_LPPOD, 0 },
	{ "ALLOW_STOP", { "stop", NULL },
	    TEC_F_DOCKER | TEC_F_LPCTR | TEC_F_LPPOD, 0 },
	{ "ALLOW_PAUSE", { "pause", NULL },
	    TEC_F_DOCKER | TEC_F_LPCTR | TEC_F_LPPOD, 0 },
	{ "ALLOW_UNPAUSE", { "unpause", NULL },
	    TEC_F_DOCKER | TEC_F_LPCTR | TEC_F_LPPOD, 0 },
	{ "LIBPOD_ALLOW_RESTARTS", { "stop", "restart", "kill", NULL },
	    TEC_F_LPCTR, 1 },
	{ "LIBPOD_ALLOW_START", { "start", NULL }, TEC_F_LPCTR, 1 },
	{ "LIBPOD_ALLOW_STOP", { "stop", NULL }, TEC_F_LPCTR, 1 },
	{ "LIBPOD_ALLOW_PAUSE", { "pause", NULL }, TEC_F_LPCTR, 1 },
	{ "LIBPOD_ALLOW_UNPAUSE", { "unpause", NULL }, TEC_F_LPCTR, 1 },
	{ "LIBPOD_ALLOW_POD_RESTARTS", { "stop", "restart", "kill", NULL },
	    TEC_F_LPPOD, 1 },
	{ "LIBPOD_ALLOW_POD_START", { "start", NULL }, TEC_F_LPPOD, 1 },
	{ "LIBPOD_ALLOW_POD_STOP", { "stop", NULL }, TEC_F_LPPOD, 1 },
	{ "LIBPOD_ALLOW_POD_PAUSE", { "pause", NULL }, TEC_F_LPPOD, 1 },
	{ "LIBPOD_ALLOW_POD_UNPAUSE", { "unpause", NULL }, TEC_F_LPPOD, 1 },
};
#define TEC_NALLOWS (sizeof(tec_allows) / sizeof(tec_allows[0]))

/*
 * linuxserver's subpath denies: unless its variable is on, every method on
 * (/libpod)?/(containers|pods)/ID/SUB and below is refused, whatever the
 * sections allow.  Its regex says "change", a prefix of the route
 * "changes".  Read only under linuxserver (default 0).
 */
struct tec_gate {
	const char	*var;
	const char	*sub;
};
static const struct tec_gate tec_gates[] = {
	{ "ALLOW_ARCHIVE", "archive" },
	{ "ALLOW_CHANGES", "changes" },
	{ "ALLOW_EXPORT", "export" },
	{ "ALLOW_LOGS", "logs" },
	{ "ALLOW_TOP", "top" },
};
#define TEC_NGATES (sizeof(tec_gates) / sizeof(tec_gates[0]))

/* Where *reason points for the errors that name a variable. */
static char tec_reason[320];

/*
 * Value v as a boolean: 1 on, 0 off, -1 not a boolean.  "true", "yes" and
 * "on" are off, as haproxy's "-m bool" reads them (its string-to-integer
 * cast stops at the first non-digit): a compose file must mean the same
 * under both.  *word is set to 1 for them so the caller can warn.
 */
static int
tec_bool(const char *v, int *word)
{
	static const char *const on[] = { "true", "yes", "on" };
	static const char *const off[] = { "false", "no", "off" };
	const char *p = v;
	int nonzero = 0;
	size_t i;

	*word = 0;
	if (v == NULL || *v == '\0')
		return 0;	/* haproxy: an empty string is no integer */
	if (*p == '-' || *p == '+')
		p++;
	if (*p >= '0' && *p <= '9') {
		/* Scan, do not convert: "00000000000000000000001" is on. */
		for (; *p >= '0' && *p <= '9'; p++)
			if (*p != '0')
				nonzero = 1;
		return *p == '\0' ? nonzero : -1;
	}
	for (i = 0; i < sizeof(on) / sizeof(on[0]); i++) {
		if (strcasecmp(v, on[i]) == 0) {
			*word = 1;
			return 0;
		}
		if (strcasecmp(v, off[i]) == 0)
			return 0;
	}
	return -1;
}

/* Copy at most 32 bytes of v into dst, non-printables as '?'. */
static void
tec_quote(char *dst, size_t cap, const char *v)
{
	size_t i;

	for (i = 0; i + 1 < cap && i < 32 && v[i] != '\0'; i++)
		dst[i] = (v[i] >= 0x20 && v[i] <= 0x7e) ? v[i] : '?';
	dst[i] = '\0';
}

/*
 * Read variable name (default dflt when unset) into *out; *word as
 * tec_bool.  Returns 0, or -1 with *reason.
 */
static int
tec_var(tec_getenv_fn get, void *arg, const char *name, int dflt, int *out,
    int *word, const char **reason)
{
	char q[40];
	const char *v = get(arg, name);
	int b;

	*word = 0;
	if (v == NULL) {
		*out = dflt;
		return 0;
	}
	if ((b = tec_bool(v, word)) < 0) {
		tec_quote(q, sizeof(q), v);
		snprintf(tec_reason, sizeof(tec_reason),
		    "%s=%s%s is not a boolean (Tecnativa mode; use 1 or 0)",
		    name, q, strlen(v) > 32 ? "..." : "");
		*reason = tec_reason;
		return -1;
	}
	*out = b;
	return 0;
}

/* Append rule text (action a) to set; 0, or -1 with *reason. */
static int
tec_add(struct rule_set *set, enum rule_action a, const char *text,
    const char **reason)
{
	struct rule r;
	const char *why = NULL;

	memset(&r, 0, sizeof(r));
	if (rule_parse(text, a, &r, &why) != 0) {
		/* Our own texts: only a parser change can get here. */
		snprintf(tec_reason, sizeof(tec_reason),
		    "internal rule '%s' refused: %s", text,
		    why != NULL ? why : "?");
		*reason = tec_reason;
		return -1;
	}
	if (rule_set_add(set, &r, TEC_ORIGIN) != 0) {
		*reason = "rule set full or out of memory";
		return -1;
	}
	return 0;
}

/* Index of section var in tec_sections. */
static size_t
tec_sec(const char *var)
{
	size_t i;

	for (i = 0; i < TEC_NSECTIONS; i++)
		if (strcmp(tec_sections[i].var, var) == 0)
			return i;
	return 0;	/* not reached: callers name listed sections */
}

/* Append s to dst[0..cap) (always NUL-terminated, truncating). */
static void
tec_cat(char *dst, size_t cap, const char *s)
{
	size_t n = strlen(dst);

	if (n + 1 < cap)
		snprintf(dst + n, cap - n, "%s", s);
}

/* "POST FAMILY/{id}/ACT" for family index f into dst[0..cap). */
static void
tec_allow_text(char *dst, size_t cap, size_t f, const char *act)
{
	snprintf(dst, cap, "POST %s/{id}/%s", tec_families[f], act);
}

/* The variables as read. */
struct tec_env {
	int	lsio;			/* SOCKWARD_COMPAT=linuxserver */
	int	post, post_word;
	int	sec[TEC_NSECTIONS], sec_word[TEC_NSECTIONS];
	int	allow[TEC_NALLOWS], allow_word[TEC_NALLOWS];
	int	gate[TEC_NGATES], gate_word[TEC_NGATES];
};

/* Warn about name=true and the like, read as off (see tec_bool). */
static void
tec_warn_word(const char *name, tec_getenv_fn get, void *arg,
    void (*warn)(void *, const char *), void *warg)
{
	char q[40], msg[320];

	tec_quote(q, sizeof(q), get(arg, name));
	snprintf(msg, sizeof(msg),
	    "%s=%s is read as 0 (off), as Tecnativa's haproxy reads any "
	    "value that is not a number; write %s=1 to turn it on, %s=0 to "
	    "say off", name, q, name, name);
	warn(warg, msg);
}

/* The ALLOW_* variables that Tecnativa's method gate makes dead. */
static void
tec_warn_allow(const struct tec_env *e, void (*warn)(void *, const char *),
    void *warg)
{
	char list[160], rules[512], msg[1024], one[RULE_MAX_TEXT];
	size_t i, k;
	int n = 0;

	list[0] = rules[0] = '\0';
	for (i = 0; i < TEC_NALLOWS; i++) {
		if (!e->allow[i])
			continue;
		if (n++)
			tec_cat(list, sizeof(list), ", ");
		tec_cat(list, sizeof(list), tec_allows[i].var);
		tec_cat(list, sizeof(list), "=1");
		for (k = 0; tec_allows[i].acts[k] != NULL; k++) {
			/* Tecnativa's ALLOW_* name /containers only. */
			tec_allow_text(one, sizeof(one), 0,
			    tec_allows[i].acts[k]);
			/* ALLOW_RESTARTS and ALLOW_STOP share stop. */
			if (strstr(rules, one) != NULL)
				continue;
			tec_cat(rules, sizeof(rules), " --allow '");
			tec_cat(rules, sizeof(rules), one);
			tec_cat(rules, sizeof(rules), "'");
		}
	}
	if (n == 0)
		return;
	snprintf(msg, sizeof(msg),
	    "%s %s no effect while POST=0: Tecnativa checks the method before "
	    "its ALLOW_* lines (its issue #101) and sockward does the same; "
	    "to allow just that, use%s, or set SOCKWARD_COMPAT=linuxserver "
	    "for linuxserver/socket-proxy's reading, where ALLOW_* works "
	    "without POST", list, n > 1 ? "have" : "has", rules);
	warn(warg, msg);
}

/*
 * ", logs, top" for the subpaths linuxserver's ALLOW_* gates leave open,
 * "" when all are closed, into dst[0..cap).
 */
static void
tec_gates_open(const struct tec_env *e, char *dst, size_t cap)
{
	size_t i;

	dst[0] = '\0';
	for (i = 0; i < TEC_NGATES; i++) {
		if (!e->gate[i])
			continue;
		tec_cat(dst, cap, ", ");
		tec_cat(dst, cap, tec_gates[i].sub);
	}
}

/*
 * The warnings: one per setting whose Tecnativa meaning is wider than it
 * reads, each naming the narrower sockward way.  Only what is true for
 * the values given: a section that is off, or a write risk while POST is
 * off, says nothing.
 */
static void
tec_warnings(const struct tec_env *e, tec_getenv_fn get, void *arg,
    void (*warn)(void *, const char *), void *warg)
{
	char msg[1024], list[256];
	const char *del = NULL;
	const int *sec = e->sec;
	size_t i;

	if (warn == NULL)
		return;

	if (e->post_word)
		tec_warn_word("POST", get, arg, warn, warg);
	for (i = 0; i < TEC_NALLOWS; i++)
		if (e->allow_word[i])
			tec_warn_word(tec_allows[i].var, get, arg, warn, warg);
	for (i = 0; i < TEC_NSECTIONS; i++)
		if (e->sec_word[i])
			tec_warn_word(tec_sections[i].var, get, arg, warn,
			    warg);
	for (i = 0; i < TEC_NGATES; i++)
		if (e->gate_word[i])
			tec_warn_word(tec_gates[i].var, get, arg, warn, warg);

	/* POST: the gate opens for every method, on every section. */
	list[0] = '\0';
	for (i = 0; i < TEC_NSECTIONS; i++) {
		if (!sec[i] || tec_sections[i].kind != TEC_RW)
			continue;
		if (list[0] != '\0')
			tec_cat(list, sizeof(list), ", ");
		tec_cat(list, sizeof(list), tec_sections[i].var);
		if (del == NULL)
			del = tec_sections[i].del;
	}
	if (e->post && list[0] != '\0') {
		snprintf(msg, sizeof(msg),
		    "POST=1 lets every method through (POST, PUT, DELETE, "
		    "...) on every enabled section (%s), not only POST%s%s; "
		    "sockward can allow single writes instead, e.g. "
		    "--allow 'POST /containers/{id}/start'", list,
		    del != NULL ? ": e.g. DELETE " : "",
		    del != NULL ? del : "");
		warn(warg, msg);
	}

	if (sec[tec_sec("CONTAINERS")] && !e->lsio) {
		snprintf(msg, sizeof(msg),
		    "CONTAINERS=1 opens all of /containers, not only list and "
		    "inspect: inspect shows every container's environment "
		    "(often secrets), and logs, archive (any file), export "
		    "(the whole filesystem), stats, top and changes are open "
		    "too, and so is GET /containers/{id}/attach/ws, a "
		    "WebSocket that writes to the container's stdin with no "
		    "POST at all (close it with SOCKWARD_DENY='GET "
		    "/containers/{id}/attach/ws')%s; for a read-only client "
		    "use --profile readonly, or allow only what it calls, "
		    "e.g. --allow 'GET /containers/json'",
		    e->post ? "; with POST=1 also create (a container with "
		    "the host's / mounted is root on the host), exec, attach, "
		    "update, kill and delete" : "");
		warn(warg, msg);
	}
	if (sec[tec_sec("CONTAINERS")] && e->lsio) {
		tec_gates_open(e, list, sizeof(list));
		snprintf(msg, sizeof(msg),
		    "CONTAINERS=1 opens all of /containers but what "
		    "linuxserver's ALLOW_ARCHIVE, ALLOW_CHANGES, ALLOW_EXPORT, "
		    "ALLOW_LOGS and ALLOW_TOP keep closed: inspect shows "
		    "every container's environment (often secrets), stats%s "
		    "%s open too, and so is GET /containers/{id}/attach/ws, a "
		    "WebSocket that writes to the container's stdin with no "
		    "POST at all (close it with SOCKWARD_DENY='GET "
		    "/containers/{id}/attach/ws')%s; for a read-only client "
		    "use --profile readonly, or allow only what it calls, "
		    "e.g. --allow 'GET /containers/json'", list,
		    list[0] != '\0' ? "are" : "is",
		    e->post ? "; with POST=1 also create (a container with "
		    "the host's / mounted is root on the host), exec, attach, "
		    "update, kill and delete" : "");
		warn(warg, msg);
	}

	if (sec[tec_sec("LIBPOD_CONTAINERS")]) {
		tec_gates_open(e, list, sizeof(list));
		snprintf(msg, sizeof(msg),
		    "LIBPOD_CONTAINERS=1 opens all of /libpod/containers: "
		    "inspect shows every container's environment and create "
		    "command (often secrets), stats%s %s open too, and so is "
		    "the attach WebSocket%s; for a read-only client use "
		    "--profile podman-readonly, or allow only what it calls, "
		    "e.g. --allow 'GET /libpod/containers/json'", list,
		    list[0] != '\0' ? "are" : "is",
		    e->post ? "; with POST=1 also create, exec, attach, "
		    "checkpoint, restore, update, kill and delete (libpod "
		    "create and update bodies are refused unless "
		    "SOCKWARD_BODY_POLICY=off: the body policy cannot judge "
		    "them)" : "");
		warn(warg, msg);
	}

	if (sec[tec_sec("LIBPOD_SECRETS")])
		warn(warg, "LIBPOD_SECRETS=1 opens /libpod/secrets, where "
		    "GET /libpod/secrets/{name}/json?showsecret=true returns "
		    "the secret's value (Podman 4.5 and later); allow only "
		    "the list a client needs: --allow "
		    "'GET /libpod/secrets/json'");

	if (sec[tec_sec("LIBPOD_GENERATE")])
		warn(warg, "LIBPOD_GENERATE=1 opens GET /libpod/generate/kube "
		    "and /libpod/generate/{name}/systemd, which print "
		    "containers' and pods' whole configuration, environment "
		    "(often secrets) included");

	if (sec[tec_sec("LIBPOD_IMAGES")])
		warn(warg, e->post ? "LIBPOD_IMAGES=1 with POST=1 lets "
		    "clients pull, import, load, push, tag and delete images, "
		    "so they choose what the next container runs, and export "
		    "any image (GET /libpod/images/{name}/get)" :
		    "LIBPOD_IMAGES=1 opens GET /libpod/images/{name}/get and "
		    "/libpod/images/export, which write whole images out");

	if (e->post && (sec[tec_sec("LIBPOD_PLAY")] ||
	    sec[tec_sec("LIBPOD_PODS")] || sec[tec_sec("LIBPOD_EXEC")] ||
	    sec[tec_sec("LIBPOD_VOLUMES")] ||
	    sec[tec_sec("LIBPOD_MANIFESTS")] ||
	    sec[tec_sec("LIBPOD_SYSTEM")] ||
	    sec[tec_sec("LIBPOD_NETWORKS")]))
		warn(warg, "libpod sections with POST=1 let clients create, "
		    "change and delete what they hold (POST /libpod/play/kube "
		    "runs any pod YAML, host paths and privileges included; "
		    "POST /libpod/exec/{id}/start runs commands; POST "
		    "/libpod/system/prune deletes); sockward refuses the "
		    "libpod request bodies that create or change things "
		    "unless SOCKWARD_BODY_POLICY=off, as its body policy "
		    "cannot judge them");

	if (e->post && sec[tec_sec("IMAGES")])
		warn(warg, "IMAGES=1 with POST=1 lets clients pull, load, "
		    "push, tag and delete images (POST /images/create, "
		    "/images/load, /images/{name}/push, /images/{name}/tag, "
		    "DELETE /images/{name}), so they choose what the next "
		    "container runs; allow single calls instead, e.g. "
		    "--allow 'POST /images/create'");

	if (e->post && sec[tec_sec("EXEC")])
		warn(warg, "EXEC=1 with POST=1 starts exec sessions "
		    "(POST /exec/{id}/start); with CONTAINERS=1 "
		    "(POST /containers/{id}/exec) that runs any command in "
		    "any running container; name the container instead: "
		    "--allow 'POST /containers/NAME/exec' "
		    "--allow 'POST /exec/{id}/start'");

	if (sec[tec_sec("SWARM")]) {
		snprintf(msg, sizeof(msg),
		    "SWARM=1 opens GET /swarm, which returns the swarm's join "
		    "tokens (the manager token lets anyone join as a manager "
		    "and run services on every node)%s; GET /info shows the "
		    "swarm state without the tokens: --allow 'GET /info'",
		    e->post ? "; with POST=1 also init, join, leave, update "
		    "and unlock" : "");
		warn(warg, msg);
	}

	if (e->post && sec[tec_sec("SERVICES")])
		warn(warg, "SERVICES=1 with POST=1 creates and updates swarm "
		    "services, which can mount any host path on every node: "
		    "root on the swarm; allow only the reads a client needs, "
		    "e.g. --allow 'GET /services'");

	if (e->post && sec[tec_sec("PLUGINS")])
		warn(warg, "PLUGINS=1 with POST=1 installs and enables "
		    "plugins (POST /plugins/pull), which can ask for host "
		    "mounts, devices and capabilities: root on the host; "
		    "allow only the reads a client needs, e.g. "
		    "--allow 'GET /plugins'");

	if (e->post && sec[tec_sec("BUILD")])
		warn(warg, "BUILD=1 with POST=1 runs arbitrary build steps "
		    "on the daemon (POST /build) and can replace any image "
		    "tag; allow only the calls a client needs");

	if (e->post && sec[tec_sec("COMMIT")])
		warn(warg, "COMMIT=1 with POST=1 turns any container into an "
		    "image under any tag (POST /commit): a copy of its "
		    "filesystem, and a replacement for the image the next "
		    "container runs");

	if (e->post && (sec[tec_sec("SESSION")] || sec[tec_sec("GRPC")]))
		warn(warg, "SESSION=1 or GRPC=1 with POST=1 opens BuildKit's "
		    "session and gRPC streams (POST /session, POST /grpc): "
		    "hijacked connections that sockward passes through "
		    "without judging what they carry, GRPC=1 being the whole "
		    "BuildKit API");

	if (e->post && sec[tec_sec("SECRETS")])
		warn(warg, "SECRETS=1 with POST=1 creates, replaces and "
		    "deletes swarm secrets; allow only the reads a client "
		    "needs, e.g. --allow 'GET /secrets'");

	if (!e->post && !e->lsio)
		tec_warn_allow(e, warn, warg);
}

/* 1 when SOCKWARD_COMPAT names linuxserver, 0 tecnativa/unset, -1 else. */
static int
tec_compat(tec_getenv_fn get, void *arg)
{
	const char *v = get(arg, "SOCKWARD_COMPAT");

	if (v == NULL || *v == '\0' || strcasecmp(v, "tecnativa") == 0)
		return 0;
	if (strcasecmp(v, "linuxserver") == 0)
		return 1;
	return -1;
}

int
tec_enabled(tec_getenv_fn get, void *arg)
{
	const char *v;
	size_t i;

	if (get == NULL)
		return 0;
	v = get(arg, "SOCKWARD_COMPAT");
	if (v != NULL && (strcasecmp(v, "tecnativa") == 0 ||
	    strcasecmp(v, "linuxserver") == 0))
		return 1;
	if (get(arg, "POST") != NULL)
		return 1;
	for (i = 0; i < TEC_NSECTIONS; i++)
		if (get(arg, tec_sections[i].var) != NULL)
			return 1;
	for (i = 0; i < TEC_NALLOWS; i++)
		if (get(arg, tec_allows[i].var) != NULL)
			return 1;
	for (i = 0; i < TEC_NGATES; i++)
		if (get(arg, tec_gates[i].var) != NULL)
			return 1;
	return 0;
}

/*
 * Read a variable only linuxserver has: under Tecnativa set means an
 * error (the file was written for the other image), unset means off.
 */
static int
tec_lsio_var(tec_getenv_fn get, void *arg, int lsio, const char *name,
    int dflt, int *out, int *word, const char **reason)
{
	if (lsio)
		return tec_var(get, arg, name, dflt, out, word, reason);
	*out = *word = 0;
	if (get(arg, name) == NULL)
		return 0;
	snprintf(tec_reason, sizeof(tec_reason),
	    "%s is linuxserver/socket-proxy's variable, not Tecnativa's; "
	    "set SOCKWARD_COMPAT=linuxserver to read it as linuxserver "
	    "does (its ALLOW_* then also work without POST)", name);
	*reason = tec_reason;
	return -1;
}

/* 1 when name (n bytes) is one of linuxserver's LIBPOD_* variables. */
static int
tec_libpod_known(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < TEC_NSECTIONS; i++)
		if (tec_sections[i].lsio && strlen(tec_sections[i].var) == n &&
		    memcmp(tec_sections[i].var, name, n) == 0)
			return 1;
	for (i = 0; i < TEC_NALLOWS; i++)
		if (tec_allows[i].lsio && strlen(tec_allows[i].var) == n &&
		    memcmp(tec_allows[i].var, name, n) == 0)
			return 1;
	return 0;
}

int
tec_check_names(char *const *envp, const char **reason)
{
	static const char *dummy;
	char q[40];
	const char *eq;
	size_t n;

	if (reason == NULL)
		reason = &dummy;
	for (; envp != NULL && *envp != NULL; envp++) {
		if (strncmp(*envp, "LIBPOD_", 7) != 0)
			continue;
		eq = strchr(*envp, '=');
		n = eq != NULL ? (size_t)(eq - *envp) : strlen(*envp);
		if (tec_libpod_known(*envp, n))
			continue;
		tec_quote(q, sizeof(q), *envp);
		if (n < strlen(q))
			q[n] = '\0';
		snprintf(tec_reason, sizeof(tec_reason),
		    "%s%s is not one of linuxserver/socket-proxy's LIBPOD_* "
		    "variables, and sockward will not guess what it should "
		    "allow; remove it or use one of theirs", q,
		    n > 32 ? "..." : "");
		*reason = tec_reason;
		return -1;
	}
	return 0;
}

int
tec_load(tec_getenv_fn get, void *arg, struct rule_set *set,
    void (*warn)(void *warg, const char *text), void *warg,
    const char **reason)
{
	static const char *dummy;
	struct tec_env e;
	size_t i, k, f, saved;
	char text[RULE_MAX_TEXT];

	if (reason == NULL)
		reason = &dummy;
	if (get == NULL || set == NULL) {
		*reason = "no environment or no rule set";
		return -1;
	}
	memset(&e, 0, sizeof(e));
	if ((e.lsio = tec_compat(get, arg)) < 0) {
		*reason = "SOCKWARD_COMPAT must be tecnativa or linuxserver";
		return -1;
	}

	/* Read everything first: a bad value adds no rule at all. */
	if (tec_var(get, arg, "POST", 0, &e.post, &e.post_word, reason) != 0)
		return -1;
	for (i = 0; i < TEC_NALLOWS; i++)
		if ((tec_allows[i].lsio ? tec_lsio_var(get, arg, e.lsio,
		    tec_allows[i].var, 0, &e.allow[i], &e.allow_word[i],
		    reason) : tec_var(get, arg, tec_allows[i].var, 0,
		    &e.allow[i], &e.allow_word[i], reason)) != 0)
			return -1;
	for (i = 0; i < TEC_NGATES; i++)
		if (tec_lsio_var(get, arg, e.lsio, tec_gates[i].var, 0,
		    &e.gate[i], &e.gate_word[i], reason) != 0)
			return -1;
	for (i = 0; i < TEC_NSECTIONS; i++)
		if ((tec_sections[i].lsio ? tec_lsio_var(get, arg, e.lsio,
		    tec_sections[i].var, tec_sections[i].dflt, &e.sec[i],
		    &e.sec_word[i], reason) : tec_var(get, arg,
		    tec_sections[i].var, tec_sections[i].dflt, &e.sec[i],
		    &e.sec_word[i], reason)) != 0)
			return -1;

	saved = set->nrules;
	/* linuxserver: its subpath denies come first, for every method. */
	for (i = 0; e.lsio && i < TEC_NGATES; i++) {
		static const char *const fmt[] = {
			/* {id} spans here where dockerd binds "web/db". */
			"* /containers/{id}/%s",
			"* /containers/{id}/%s/**",
			"* /libpod/containers/{id}/%s/**",
			"* /libpod/pods/{id}/%s/**",
		};
		char pat[RULE_MAX_TEXT / 2];

		if (e.gate[i])
			continue;
		for (k = 0; k < sizeof(fmt) / sizeof(fmt[0]); k++) {
			snprintf(pat, sizeof(pat), fmt[k], tec_gates[i].sub);
			snprintf(text, sizeof(text), "%s reason \"%s=0 "
			    "(linuxserver)\"", pat, tec_gates[i].var);
			if (tec_add(set, RULE_DENY, text, reason) != 0)
				goto fail;
		}
	}
	/* Tecnativa: behind the method gate, so only with POST=1;
	 * linuxserver: above it. */
	for (i = 0; (e.post || e.lsio) && i < TEC_NALLOWS; i++) {
		unsigned fam = e.lsio ? tec_allows[i].fam : TEC_F_DOCKER;

		for (f = 0; e.allow[i] && f < TEC_NFAMILIES; f++) {
			if (!(fam & (1u << f)))
				continue;
			for (k = 0; tec_allows[i].acts[k] != NULL; k++) {
				tec_allow_text(text, sizeof(text), f,
				    tec_allows[i].acts[k]);
				if (tec_add(set, RULE_ALLOW, text, reason) != 0)
					goto fail;
			}
		}
	}
	for (i = 0; i < TEC_NSECTIONS; i++) {
		if (!e.sec[i])
			continue;
		/* haproxy's METH_GET is GET or HEAD; POST=1 lifts the gate
		 * for every method. */
		snprintf(text, sizeof(text), "%s %s",
		    e.post ? "*" : "GET,HEAD", tec_sections[i].pattern);
		if (tec_add(set, RULE_ALLOW, text, reason) != 0)
			goto fail;
	}
	tec_warnings(&e, get, arg, warn, warg);
	return 0;
fail:
	/* All or nothing, as profile_load. */
	set->nrules = saved;
	return -1;
}

const char *
tec_listen(tec_getenv_fn get, void *arg)
{
	const char *v = get != NULL ? get(arg, "DISABLE_IPV6") : NULL;

	/* Tecnativa's entrypoint: lower-cased, exactly 1, true or yes. */
	if (v != NULL && (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 ||
	    strcasecmp(v, "yes") == 0))
		return "tcp://0.0.0.0:2375";
	return "tcp://*:2375";
}

const char *
tec_log_level(const char *v)
{
	if (v == NULL)
		return NULL;
	if (strcasecmp(v, "debug") == 0)
		return "debug";
	if (strcasecmp(v, "info") == 0 || strcasecmp(v, "notice") == 0)
		return "info";
	if (strcasecmp(v, "warning") == 0 || strcasecmp(v, "warn") == 0)
		return "warn";
	return "error";		/* err, crit, alert, emerg */
}
