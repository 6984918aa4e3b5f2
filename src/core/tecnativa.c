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
 * nothing (Tecnativa issue #101).  linuxserver/socket-proxy, a fork with
 * the same variables, moved the ALLOW_* lines above the gate; that reading
 * is available as SOCKWARD_COMPAT=linuxserver.
 *
 * Each enabled section becomes one rule: methods GET,HEAD (POST off) or
 * "*" (POST on), pattern "/section" then a final "**" segment.  That does
 * not match "/sectionXYZ" as Tecnativa's unanchored regex does, but no
 * dockerd route is spelt like that, so the same docker commands succeed
 * and fail.
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
};

/* Tecnativa's order (alphabetical), so explain names the same line. */
static const struct tec_section tec_sections[] = {
	{ "AUTH",	  "/auth/**",	      0, TEC_RW, NULL },
	{ "BUILD",	  "/build/**",	      0, TEC_RW, NULL },
	{ "COMMIT",	  "/commit/**",	      0, TEC_RW, NULL },
	{ "CONFIGS",	  "/configs/**",      0, TEC_RW, "/configs/{id}" },
	{ "CONTAINERS",	  "/containers/**",   0, TEC_RW, "/containers/{id}" },
	{ "DISTRIBUTION", "/distribution/**", 0, TEC_RO, NULL },
	{ "EVENTS",	  "/events/**",	      1, TEC_RO, NULL },
	{ "EXEC",	  "/exec/**",	      0, TEC_RW, NULL },
	{ "GRPC",	  "/grpc/**",	      0, TEC_RW, NULL },
	{ "IMAGES",	  "/images/**",	      0, TEC_RW, "/images/{name}" },
	{ "INFO",	  "/info/**",	      0, TEC_RO, NULL },
	{ "NETWORKS",	  "/networks/**",     0, TEC_RW, "/networks/{id}" },
	{ "NODES",	  "/nodes/**",	      0, TEC_RW, "/nodes/{id}" },
	/* dockerd has nothing below /_ping: the exact path says so. */
	{ "PING",	  "/_ping",	      1, TEC_RO, NULL },
	{ "PLUGINS",	  "/plugins/**",      0, TEC_RW, "/plugins/{name}" },
	{ "SECRETS",	  "/secrets/**",      0, TEC_RW, "/secrets/{id}" },
	{ "SERVICES",	  "/services/**",     0, TEC_RW, "/services/{id}" },
	{ "SESSION",	  "/session/**",      0, TEC_RW, NULL },
	{ "SWARM",	  "/swarm/**",	      0, TEC_RW, NULL },
	{ "SYSTEM",	  "/system/**",	      0, TEC_RO, NULL },
	{ "TASKS",	  "/tasks/**",	      0, TEC_RO, NULL },
	{ "VERSION",	  "/version/**",      1, TEC_RO, NULL },
	{ "VOLUMES",	  "/volumes/**",      0, TEC_RW, "/volumes/{name}" },
};
#define TEC_NSECTIONS (sizeof(tec_sections) / sizeof(tec_sections[0]))

#define TEC_ALLOW_MAX 3
struct tec_allow {
	const char	*var;
	const char	*rules[TEC_ALLOW_MAX + 1];	/* NULL-terminated */
};

/*
 * Tecnativa's ALLOW_* regexes take any method; dockerd only routes POST
 * there, so POST alone gives the same outcomes.  "{id}" is one segment,
 * like Tecnativa's [a-zA-Z0-9_.-]+.
 */
static const struct tec_allow tec_allows[] = {
	{ "ALLOW_RESTARTS", { "POST /containers/{id}/stop",
	    "POST /containers/{id}/restart", "POST /containers/{id}/kill",
	    NULL } },
	{ "ALLOW_START", { "POST /containers/{id}/start", NULL } },
	{ "ALLOW_STOP", { "POST /containers/{id}/stop", NULL } },
	{ "ALLOW_PAUSE", { "POST /containers/{id}/pause", NULL } },
	{ "ALLOW_UNPAUSE", { "POST /containers/{id}/unpause", NULL } },
};
#define TEC_NALLOWS (sizeof(tec_allows) / sizeof(tec_allows[0]))

/* Where *reason points for the errors that name a variable. */
static char tec_reason[160];

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

/* Append rule text to set; 0, or -1 with *reason. */
static int
tec_add(struct rule_set *set, const char *text, const char **reason)
{
	struct rule r;
	const char *why = NULL;

	memset(&r, 0, sizeof(r));
	if (rule_parse(text, RULE_ALLOW, &r, &why) != 0) {
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

/* The variables as read. */
struct tec_env {
	int	lsio;			/* SOCKWARD_COMPAT=linuxserver */
	int	post, post_word;
	int	sec[TEC_NSECTIONS], sec_word[TEC_NSECTIONS];
	int	allow[TEC_NALLOWS], allow_word[TEC_NALLOWS];
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
	char list[160], rules[512], msg[1024];
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
		for (k = 0; tec_allows[i].rules[k] != NULL; k++) {
			/* ALLOW_RESTARTS and ALLOW_STOP share stop. */
			if (strstr(rules, tec_allows[i].rules[k]) != NULL)
				continue;
			tec_cat(rules, sizeof(rules), " --allow '");
			tec_cat(rules, sizeof(rules), tec_allows[i].rules[k]);
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

	if (sec[tec_sec("CONTAINERS")]) {
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
	return 0;
}

int
tec_load(tec_getenv_fn get, void *arg, struct rule_set *set,
    void (*warn)(void *warg, const char *text), void *warg,
    const char **reason)
{
	static const char *dummy;
	struct tec_env e;
	size_t i, k, saved;
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
		if (tec_var(get, arg, tec_allows[i].var, 0, &e.allow[i],
		    &e.allow_word[i], reason) != 0)
			return -1;
	for (i = 0; i < TEC_NSECTIONS; i++)
		if (tec_var(get, arg, tec_sections[i].var,
		    tec_sections[i].dflt, &e.sec[i], &e.sec_word[i],
		    reason) != 0)
			return -1;

	saved = set->nrules;
	/* Tecnativa: behind the method gate, so only with POST=1. */
	if (e.post || e.lsio)
		for (i = 0; i < TEC_NALLOWS; i++)
			for (k = 0; e.allow[i] && tec_allows[i].rules[k]; k++)
				if (tec_add(set, tec_allows[i].rules[k],
				    reason) != 0)
					goto fail;
	for (i = 0; i < TEC_NSECTIONS; i++) {
		if (!e.sec[i])
			continue;
		/* haproxy's METH_GET is GET or HEAD; POST=1 lifts the gate
		 * for every method. */
		snprintf(text, sizeof(text), "%s %s",
		    e.post ? "*" : "GET,HEAD", tec_sections[i].pattern);
		if (tec_add(set, text, reason) != 0)
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
