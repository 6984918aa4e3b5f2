/*
 * main.c - command line, configuration assembly, start-up and the loop.
 *
 * The policy comes from exactly one place: a config file (--config or
 * SOCKWARD_CONFIG), or else flags and environment (SOCKWARD_* and the
 * Tecnativa variables).  Global settings take, in order of precedence,
 * a flag, a SOCKWARD_* variable, a Tecnativa variable, the file, the
 * default.
 */
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "canon.h"
#include "config.h"
#include "conn.h"
#include "ev.h"
#include "health.h"
#include "http_req.h"
#include "judge.h"
#include "learn.h"
#include "listen.h"
#include "log.h"
#include "profile.h"
#include "rule.h"
#include "sandbox.h"
#include "tecnativa.h"

#define MAIN_DEFAULT_LISTEN   "tcp://127.0.0.1:2375"
#define MAIN_DEFAULT_UPSTREAM "/var/run/docker.sock"
#define MAIN_DEFAULT_PROFILE  "traefik"
#define MAIN_DRAIN_MS         5000	/* SIGTERM: in-flight requests get this long */
#define MAIN_MAX_ITEMS        64

struct main_opts {
	const char	*config;
	const char	*listen[CFG_MAX_ADDRS];
	size_t		 nlisten;
	const char	*upstream;
	const char	*profile;
	const char	*allow[MAIN_MAX_ITEMS];
	size_t		 nallow;
	const char	*deny[MAIN_MAX_ITEMS];
	size_t		 ndeny;
	const char	*mode;
	const char	*log_format;
	const char	*log_level;
	const char	*listener;	/* explain --listener */
	const char	*user;		/* --user UID */
	int		 header_timeout_s;
	int		 idle_timeout_s;
};

/* What the daemon runs with. */
struct main_state {
	struct cfg	*cfg;
	const char	*cfg_path;	/* NULL: built from flags and env */
	char		 upstream[108];
	enum log_format	 log_format;
	enum log_level	 log_level;
	int		 header_timeout_s;
	int		 idle_timeout_s;
};

static struct listener	main_listeners[LISTEN_MAX];
static size_t		main_nlisteners;
static struct main_opts	main_o;

static const char main_usage[] =
"usage: sockward [options]\n"
"       sockward explain [--listener NAME] [options] METHOD TARGET\n"
"       sockward check [FILE]\n"
"       sockward profiles [NAME]\n"
"       sockward health [ADDR]\n"
"\n"
"A Docker socket proxy that lets through only the Engine API calls a\n"
"policy allows and answers everything else with 403.\n"
"\n"
"options:\n"
"  --config FILE          read listeners and policies from FILE\n"
"                         (sockward.conf(5)); also SOCKWARD_CONFIG\n"
"  --listen ADDR          listen on ADDR (repeatable): tcp://HOST:PORT,\n"
"                         tcp://[IPv6]:PORT, tcp://*:PORT or unix:///path\n"
"                         (default " MAIN_DEFAULT_LISTEN ")\n"
"  --upstream PATH        Docker socket to forward to\n"
"                         (default " MAIN_DEFAULT_UPSTREAM ")\n"
"  --profile NAME[,NAME]  built-in rule sets (default traefik); see\n"
"                         'sockward profiles'\n"
"  --allow 'METHODS PATTERN [CONSTRAINTS]'\n"
"                         also allow these requests (repeatable), e.g.\n"
"                         --allow 'POST /containers/{id}/exec'\n"
"  --deny 'METHODS PATTERN [CONSTRAINTS] [reason \"TEXT\"]'\n"
"                         deny these requests, before any other rule\n"
"  --mode enforce|audit   audit forwards what would be denied and logs\n"
"                         it as would_deny (default enforce)\n"
"  --log-format text|json access and event log format (default text)\n"
"  --log-level LEVEL      debug, info (default), warn or error\n"
"  --header-timeout SECS  time allowed to send a request head (default 10)\n"
"  --idle-timeout SECS    idle keep-alive connections are closed after\n"
"                         SECS (default 60); streams are never cut\n"
"  --user UID             started as root, switch to this numeric uid\n"
"                         (default 65534) with the Docker socket's group;\n"
"                         0 stays root (not recommended); also SOCKWARD_USER\n"
"  --version              print the version and exit\n"
"  --help                 print this help and exit\n"
"\n"
"explain prints the verdict for METHOD TARGET and the rule that decided\n"
"it; exit status 0 means allowed, 1 denied or rejected, 2 a usage error.\n"
"check validates a config (FILE, or the one flags and environment make)\n"
"and prints the effective policy of every listener; exit status 0 or 1.\n"
"Signals: SIGTERM/SIGINT drain and exit, SIGHUP reloads the config file,\n"
"SIGUSR1 logs the rules that audit mode has seen.\n";

enum { OPT_CONFIG = 256, OPT_LISTEN, OPT_UPSTREAM, OPT_PROFILE, OPT_ALLOW,
	OPT_DENY, OPT_MODE, OPT_LOG_FORMAT, OPT_LOG_LEVEL, OPT_HEADER_TIMEOUT,
	OPT_IDLE_TIMEOUT, OPT_LISTENER, OPT_VERSION, OPT_HELP, OPT_USER };

static const struct option main_longopts[] = {
	{ "config",		required_argument, NULL, OPT_CONFIG },
	{ "listen",		required_argument, NULL, OPT_LISTEN },
	{ "upstream",		required_argument, NULL, OPT_UPSTREAM },
	{ "profile",		required_argument, NULL, OPT_PROFILE },
	{ "allow",		required_argument, NULL, OPT_ALLOW },
	{ "deny",		required_argument, NULL, OPT_DENY },
	{ "mode",		required_argument, NULL, OPT_MODE },
	{ "log-format",		required_argument, NULL, OPT_LOG_FORMAT },
	{ "log-level",		required_argument, NULL, OPT_LOG_LEVEL },
	{ "header-timeout",	required_argument, NULL, OPT_HEADER_TIMEOUT },
	{ "idle-timeout",	required_argument, NULL, OPT_IDLE_TIMEOUT },
	{ "listener",		required_argument, NULL, OPT_LISTENER },
	{ "user",		required_argument, NULL, OPT_USER },
	{ "version",		no_argument,	   NULL, OPT_VERSION },
	{ "help",		no_argument,	   NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

static void
main_usage_exit(const char *msg)
{
	if (msg != NULL)
		fprintf(stderr, "sockward: %s\n", msg);
	fputs(main_usage, stderr);
	exit(2);
}

/* Configuration errors before the loop: message and exit status 2. */
static void
main_config_exit(const char *fmt, const char *a, const char *b)
{
	fputs("sockward: ", stderr);
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	exit(2);
}

static int
main_seconds(const char *s, const char *what)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < 1 || v > 86400)
		main_config_exit("%s must be whole seconds from 1 to 86400, "
		    "not '%s'", what, s);
	return (int)v;
}

static void
main_add(const char **arr, size_t *n, size_t max, const char *v,
    const char *what)
{
	if (*n == max)
		main_config_exit("too many %s%s", what, "");
	arr[(*n)++] = v;
}

/* Parse options into *o; returns the index of the first operand. */
static int
main_parse_opts(int argc, char **argv, struct main_opts *o)
{
	int	ch;

	while ((ch = getopt_long(argc, argv, "", main_longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_CONFIG:
			o->config = optarg;
			break;
		case OPT_LISTEN:
			main_add(o->listen, &o->nlisten, CFG_MAX_ADDRS, optarg,
			    "--listen addresses");
			break;
		case OPT_UPSTREAM:
			o->upstream = optarg;
			break;
		case OPT_PROFILE:
			o->profile = optarg;
			break;
		case OPT_ALLOW:
			main_add(o->allow, &o->nallow, MAIN_MAX_ITEMS, optarg,
			    "--allow rules");
			break;
		case OPT_DENY:
			main_add(o->deny, &o->ndeny, MAIN_MAX_ITEMS, optarg,
			    "--deny rules");
			break;
		case OPT_MODE:
			o->mode = optarg;
			break;
		case OPT_LOG_FORMAT:
			o->log_format = optarg;
			break;
		case OPT_LOG_LEVEL:
			o->log_level = optarg;
			break;
		case OPT_HEADER_TIMEOUT:
			o->header_timeout_s = main_seconds(optarg,
			    "--header-timeout");
			break;
		case OPT_IDLE_TIMEOUT:
			o->idle_timeout_s = main_seconds(optarg, "--idle-timeout");
			break;
		case OPT_LISTENER:
			o->listener = optarg;
			break;
		case OPT_USER:
			o->user = optarg;
			break;
		case OPT_VERSION:
			printf("sockward %s\n", SOCKWARD_VERSION);
			exit(0);
		case OPT_HELP:
			fputs(main_usage, stdout);
			exit(0);
		default:
			main_usage_exit(NULL);
		}
	}
	return optind;
}

/* ---- environment ---- */

static const char *
main_env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

static const char *
main_tec_getenv(void *arg, const char *name)
{
	(void)arg;
	return getenv(name);
}

static void
main_tec_warn(void *arg, const char *text)
{
	(void)arg;
	log_msg(LOG_WARN, "tecnativa compatibility: %s", text);
}

/* Tecnativa's LOG_LEVEL uses haproxy's names. */
static const char *
main_tec_log_level(const char *v)
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

/* First non-NULL of a, b, c. */
static const char *
main_pick(const char *a, const char *b, const char *c)
{
	return a != NULL ? a : b != NULL ? b : c;
}

/*
 * Split list (a copy) at any byte of seps, calling fn(arg, item) for every
 * non-empty, blank-trimmed item.
 */
static void
main_split(const char *list, const char *seps,
    void (*fn)(void *arg, const char *item), void *arg)
{
	char	*copy, *p, *item, *save = NULL, *end;

	if (list == NULL)
		return;
	if ((copy = strdup(list)) == NULL)
		fatal("out of memory");
	for (p = copy; (item = strtok_r(p, seps, &save)) != NULL; p = NULL) {
		while (*item == ' ' || *item == '\t')
			item++;
		end = item + strlen(item);
		while (end > item && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*item != '\0')
			fn(arg, item);
	}
	free(copy);
}

/* ---- building the policy from flags and environment ---- */

struct main_build {
	struct cfg_listener *l;
	const char	*origin;
	enum rule_action action;
	char		 names[64];
};

static void
main_add_rule(void *arg, const char *text)
{
	struct main_build *b = arg;
	struct rule	 r;
	const char	*why;

	if (rule_parse(text, b->action, &r, &why) == -1)
		main_config_exit("rule '%s': %s", text, why);
	if (rule_set_add(&b->l->rules, &r, b->origin) == -1)
		main_config_exit("too many rules%s%s", "", "");
}

static void
main_add_profile(void *arg, const char *name)
{
	struct main_build *b = arg;
	const struct profile *p;
	size_t	 i;

	if ((p = profile_find(name)) == NULL) {
		fprintf(stderr, "sockward: unknown profile '%s'; built-in "
		    "profiles:", name);
		for (i = 0; profile_all()[i] != NULL; i++)
			fprintf(stderr, " %s", profile_all()[i]->name);
		fputc('\n', stderr);
		exit(2);
	}
	if (profile_load(p, &b->l->rules) == -1)
		main_config_exit("profile %s does not load%s", name, "");
	if (b->names[0] != '\0')
		strncat(b->names, "+", sizeof(b->names) - strlen(b->names) - 1);
	strncat(b->names, name, sizeof(b->names) - strlen(b->names) - 1);
}

static void
main_add_listen(void *arg, const char *addr)
{
	struct cfg_listener *l = arg;

	if (l->naddrs == CFG_MAX_ADDRS)
		main_config_exit("too many listen addresses (%s)%s", addr, "");
	snprintf(l->addrs[l->naddrs++], sizeof(l->addrs[0]), "%s", addr);
}

static void
main_add_client(void *arg, const char *cidr)
{
	const char *why;

	if (admit_add_net(arg, cidr, &why) == -1)
		main_config_exit("SOCKWARD_CLIENTS '%s': %s", cidr, why);
}

static void
main_add_uid(void *arg, const char *num)
{
	const char *why;

	if (admit_add_uid(arg, num, &why) == -1)
		main_config_exit("SOCKWARD_PEER_UID '%s': %s", num, why);
}

static void
main_add_gid(void *arg, const char *num)
{
	const char *why;

	if (admit_add_gid(arg, num, &why) == -1)
		main_config_exit("SOCKWARD_PEER_GID '%s': %s", num, why);
}

/*
 * One listener named "default" from flags and environment: --deny and
 * SOCKWARD_DENY rules first, then the profiles, then Tecnativa's rules,
 * then --allow and SOCKWARD_ALLOW rules.
 */
static void
main_cfg_from_flags(const struct main_opts *o, struct cfg *cfg, int quiet)
{
	struct cfg_listener *l = &cfg->listeners[0];
	struct main_build b;
	const char	*profile, *mode, *why, *v;
	size_t		 i;
	int		 tec;

	cfg->nlisteners = 1;
	snprintf(l->name, sizeof(l->name), "default");
	l->sock_mode = -1;
	l->sock_uid = l->sock_gid = -1;
	tec = tec_enabled(main_tec_getenv, NULL);
	if ((v = main_env("SOCKWARD_COMPAT")) != NULL &&
	    strcasecmp(v, "tecnativa") != 0 && strcasecmp(v, "linuxserver") != 0)
		main_config_exit("SOCKWARD_COMPAT must be tecnativa or "
		    "linuxserver, not '%s'%s", v, "");

	for (i = 0; i < o->nlisten; i++)
		main_add_listen(l, o->listen[i]);
	if (l->naddrs == 0)
		main_split(main_env("SOCKWARD_LISTEN"), ", \t\n", main_add_listen, l);
	if (l->naddrs == 0)
		main_add_listen(l, tec ? tec_listen(main_tec_getenv, NULL) :
		    MAIN_DEFAULT_LISTEN);

	memset(&b, 0, sizeof(b));
	b.l = l;
	b.action = RULE_DENY;
	b.origin = "--deny";
	for (i = 0; i < o->ndeny; i++)
		main_add_rule(&b, o->deny[i]);
	b.origin = "SOCKWARD_DENY";
	main_split(main_env("SOCKWARD_DENY"), ";\n", main_add_rule, &b);

	profile = main_pick(o->profile, main_env("SOCKWARD_PROFILE"),
	    tec ? NULL : MAIN_DEFAULT_PROFILE);
	main_split(profile, ", \t", main_add_profile, &b);
	if (tec) {
		if (tec_load(main_tec_getenv, NULL, &l->rules, quiet ? NULL :
		    main_tec_warn, NULL, &why) == -1)
			main_config_exit("tecnativa compatibility: %s%s", why, "");
		if (b.names[0] != '\0')
			strncat(b.names, "+", sizeof(b.names) - strlen(b.names) - 1);
		strncat(b.names, "tecnativa", sizeof(b.names) -
		    strlen(b.names) - 1);
	}
	b.action = RULE_ALLOW;
	b.origin = "--allow";
	for (i = 0; i < o->nallow; i++)
		main_add_rule(&b, o->allow[i]);
	b.origin = "SOCKWARD_ALLOW";
	main_split(main_env("SOCKWARD_ALLOW"), ";\n", main_add_rule, &b);
	snprintf(l->rules.name, sizeof(l->rules.name), "%s",
	    b.names[0] != '\0' ? b.names : "custom");

	mode = main_pick(o->mode, main_env("SOCKWARD_MODE"), "enforce");
	if (strcmp(mode, "audit") == 0)
		l->mode = CFG_AUDIT;
	else if (strcmp(mode, "enforce") != 0)
		main_config_exit("mode must be enforce or audit, not '%s'%s",
		    mode, "");
	main_split(main_env("SOCKWARD_CLIENTS"), ", \t\n", main_add_client,
	    &l->admit);
	main_split(main_env("SOCKWARD_PEER_UID"), ", \t\n", main_add_uid,
	    &l->admit);
	main_split(main_env("SOCKWARD_PEER_GID"), ", \t\n", main_add_gid,
	    &l->admit);
}

/*
 * Assemble *st from a file or from flags and environment.  quiet: do not
 * log compatibility warnings (explain, check).
 */
static void
main_build_state(const struct main_opts *o, struct main_state *st,
    const char *file, int quiet)
{
	char	 err[512];
	const char *v;
	int	 tec = tec_enabled(main_tec_getenv, NULL);

	if ((st->cfg = calloc(1, sizeof(*st->cfg))) == NULL)
		fatal("out of memory");
	st->cfg_path = file != NULL ? file : main_pick(o->config,
	    main_env("SOCKWARD_CONFIG"), NULL);
	if (st->cfg_path != NULL) {
		if (o->nlisten || o->profile || o->nallow || o->ndeny || o->mode)
			main_usage_exit("--listen, --profile, --allow, --deny "
			    "and --mode go in the config file when one is used");
		if (cfg_load_file(st->cfg_path, st->cfg, err, sizeof(err)) == -1) {
			fprintf(stderr, "sockward: %s\n", err);
			exit(1);
		}
		if (!quiet && (main_env("SOCKWARD_PROFILE") ||
		    main_env("SOCKWARD_LISTEN") || main_env("SOCKWARD_ALLOW") ||
		    main_env("SOCKWARD_DENY") || main_env("SOCKWARD_MODE") ||
		    main_env("SOCKWARD_CLIENTS") ||
		    main_env("SOCKWARD_PEER_UID") ||
		    main_env("SOCKWARD_PEER_GID") || tec))
			log_msg(LOG_WARN, "config file %s in use: policy "
			    "and Tecnativa environment variables are ignored",
			    st->cfg_path);
		tec = 0;	/* the file decides; SOCKET_PATH etc. too */
	} else
		main_cfg_from_flags(o, st->cfg, quiet);

	v = main_pick(o->upstream, main_env("SOCKWARD_UPSTREAM"),
	    main_pick(tec ? main_env("SOCKET_PATH") : NULL,
	    st->cfg->upstream[0] ? st->cfg->upstream : NULL,
	    MAIN_DEFAULT_UPSTREAM));
	if (strncmp(v, "unix://", 7) == 0)
		v += 7;
	if (strlen(v) >= sizeof(st->upstream))
		main_config_exit("upstream path too long: %s%s", v, "");
	snprintf(st->upstream, sizeof(st->upstream), "%s", v);

	v = main_pick(o->log_format, main_env("SOCKWARD_LOG_FORMAT"),
	    st->cfg->log_format[0] ? st->cfg->log_format : "text");
	if (log_format_parse(v, &st->log_format) == -1)
		main_config_exit("log format must be text or json, not '%s'%s",
		    v, "");
	v = main_pick(o->log_level, main_env("SOCKWARD_LOG_LEVEL"),
	    main_pick(tec ? main_tec_log_level(main_env("LOG_LEVEL")) : NULL,
	    st->cfg->log_level[0] ? st->cfg->log_level : NULL, "info"));
	if (log_level_parse(v, &st->log_level) == -1)
		main_config_exit("log level must be debug, info, warn or "
		    "error, not '%s'%s", v, "");
	st->header_timeout_s = o->header_timeout_s ? o->header_timeout_s :
	    main_env("SOCKWARD_HEADER_TIMEOUT") ? main_seconds(
	    main_env("SOCKWARD_HEADER_TIMEOUT"), "SOCKWARD_HEADER_TIMEOUT") :
	    st->cfg->header_timeout_s ? st->cfg->header_timeout_s : 10;
	st->idle_timeout_s = o->idle_timeout_s ? o->idle_timeout_s :
	    main_env("SOCKWARD_IDLE_TIMEOUT") ? main_seconds(
	    main_env("SOCKWARD_IDLE_TIMEOUT"), "SOCKWARD_IDLE_TIMEOUT") :
	    st->cfg->idle_timeout_s ? st->cfg->idle_timeout_s : 60;
}

/* ---- subcommands ---- */

static void
main_print_line(void *arg, const char *line)
{
	(void)arg;
	puts(line);
}

/* `sockward explain METHOD TARGET`: judge one request, no network. */
static int
main_explain(const struct main_state *st, const char *listener, int argc,
    char **argv)
{
	const struct cfg_listener *l = NULL;
	static struct judge_result res;	/* large: off the stack */
	static char	 head[REQ_MAX_HEAD + 3 * REQ_MAX_TARGET];
	struct req_head	 h;
	size_t		 i;

	if (argc != 2)
		main_usage_exit("explain needs METHOD and TARGET");
	for (i = 0; i < st->cfg->nlisteners; i++)
		if (listener == NULL ||
		    strcmp(st->cfg->listeners[i].name, listener) == 0) {
			l = &st->cfg->listeners[i];
			break;
		}
	if (l == NULL)
		main_config_exit("no listener named '%s'%s", listener, "");
	/* The head a client would send: the request line, nothing else. */
	memset(&h, 0, sizeof(h));
	h.minor = 1;
	h.keep_alive = 1;
	h.target = argv[1];
	h.target_len = strlen(argv[1]);
	if (req_method_parse(argv[0], strlen(argv[0]), &h.method) == -1) {
		printf("reject %s %s\n  status: 501 (method not implemented; "
		    "methods are case-sensitive)\n", argv[0], argv[1]);
		return 1;
	}
	judge_request(l, &h, head, sizeof(head), &res);
	if (res.verdict == JUDGE_REJECT && res.status == 400) {
		printf("reject %s %s\n  status: 400 (%s)\n", argv[0], argv[1],
		    res.message + strlen("sockward: bad request target: "));
		return 1;
	}
	printf("%s %s %s\n", res.verdict == JUDGE_ALLOW ? "allow" :
	    res.verdict == JUDGE_REJECT ? "reject" : "deny", argv[0],
	    res.target.path);
	printf("  listener: %s (policy %s, mode %s)\n", l->name, l->rules.name,
	    l->mode == CFG_AUDIT ? "audit" : "enforce");
	if (res.rule != NULL)
		printf("  rule: %s\n", res.label);
	else if (res.verdict != JUDGE_ALLOW)
		printf("  rule: none matched (default deny)\n");
	if (res.verdict == JUDGE_WOULD_DENY)
		printf("  audit mode: forwarded anyway and logged as "
		    "would_deny\n");
	if (res.status != 0) {
		printf("  status: %d\n", res.status);
		printf("  message: %s\n", res.message);
		return 1;
	}
	if (res.verdict != JUDGE_ALLOW)
		return 1;
	if (res.target.version[0] != '\0')
		printf("  api version: %s\n", res.target.version);
	/* The request line of the canonical head, without " HTTP/1.1". */
	for (i = 0; i < res.head_len && head[i] != '\r'; i++)
		;
	while (i > 0 && head[i - 1] != ' ')
		i--;
	printf("  forwarded as: %.*s\n", (int)(i > 0 ? i - 1 : 0), head);
	if (res.hijack)
		printf("  note: this endpoint may hijack the connection "
		    "(raw stream)\n");
	return 0;
}

static int
main_profiles(int argc, char **argv)
{
	const struct profile *const *all = profile_all();
	const struct profile *p;
	size_t	 i;

	if (argc == 0) {
		for (i = 0; all[i] != NULL; i++)
			printf("%-20s %s\n", all[i]->name, all[i]->summary);
		return 0;
	}
	if (argc != 1)
		main_usage_exit("profiles takes at most one NAME");
	if ((p = profile_find(argv[0])) == NULL) {
		fprintf(stderr, "sockward: unknown profile '%s'\n", argv[0]);
		return 1;
	}
	profile_print(p, main_print_line, NULL);
	return 0;
}

/*
 * `sockward health [ADDR]`: HEAD /_ping through the proxy at ADDR (default:
 * the first listen address of the effective config).  Exit 0 healthy, 1
 * not, with one line on stderr saying why.
 */
static int
main_health(const struct main_state *st, int argc, char **argv)
{
	const char	*addr;
	char		 err[512];

	if (argc > 1)
		main_usage_exit("health takes at most one ADDR");
	addr = argc == 1 ? argv[0] : st->cfg->listeners[0].addrs[0];
	if (health_check(addr, HEALTH_TIMEOUT_MS, err, sizeof(err)) == -1) {
		fprintf(stderr, "sockward: health %s: %s\n", addr, err);
		return 1;
	}
	return 0;
}

static int
main_check(const struct main_state *st)
{
	if (st->cfg_path != NULL)
		printf("# %s: configuration OK\n", st->cfg_path);
	else
		printf("# configuration from flags and environment: OK\n");
	printf("# upstream %s, log %s, header-timeout %d s, idle-timeout "
	    "%d s\n", st->upstream, st->log_format == LOG_FMT_JSON ? "json" :
	    "text", st->header_timeout_s, st->idle_timeout_s);
	cfg_dump(st->cfg, main_print_line, NULL);
	return 0;
}

/* ---- running ---- */

static void
main_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_msg(LOG_WARN, "cannot raise open-file limit: %s",
			    strerror(errno));
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		log_msg(LOG_DEBUG, "open-file limit %llu",
		    (unsigned long long)rl.rlim_cur);
}

static int
main_signals(void)
{
	sigset_t set;
	int	 fd;

	signal(SIGPIPE, SIG_IGN);	/* write errors come back as EPIPE */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		fatal("sigprocmask: %s", strerror(errno));
	if ((fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		fatal("signalfd: %s", strerror(errno));
	return fd;
}

static int		main_stopping;
static int		main_want_reload;
static int		main_want_learned;
static struct main_state main_st;

static void
main_signal_cb(struct ev_io *io, unsigned revents)
{
	struct signalfd_siginfo si;

	(void)revents;
	while (read(io->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			main_want_reload = 1;
		else if (si.ssi_signo == SIGUSR1)
			main_want_learned = 1;
		else if (!main_stopping) {
			main_stopping = 1;
			log_msg(LOG_INFO, "signal %u: draining connections "
			    "(up to %d ms), then exiting", si.ssi_signo,
			    MAIN_DRAIN_MS);
		}
	}
}

static void
main_log_line(void *arg, const char *line)
{
	log_msg(LOG_INFO, "%s%s", (const char *)arg, line);
}

static void
main_log_policy(const struct cfg *cfg)
{
	size_t	 i, k;
	const struct cfg_listener *l;
	const struct rule *r;

	for (i = 0; i < cfg->nlisteners; i++) {
		l = &cfg->listeners[i];
		log_msg(LOG_INFO, "listener %s: policy %s, mode %s, %zu rules, "
		    "everything else denied", l->name, l->rules.name,
		    l->mode == CFG_AUDIT ? "audit" : "enforce", l->rules.nrules);
		for (k = 0; k < l->rules.nrules; k++) {
			r = &l->rules.rules[k];
			log_msg(LOG_INFO, "listener %s rule %zu: %s %s (%s #%d)",
			    l->name, k + 1, r->action == RULE_ALLOW ? "allow" :
			    "deny", r->text, r->origin, r->index);
		}
	}
}

/* Point every open listener at its policy in cfg; learners follow mode. */
static void
main_attach_policies(struct cfg *cfg)
{
	size_t	 i, k;
	struct listener *dl;

	for (i = 0; i < main_nlisteners; i++) {
		dl = &main_listeners[i];
		for (k = 0; k < cfg->nlisteners; k++)
			if (strcmp(cfg->listeners[k].name, dl->pol->name) == 0)
				break;
		dl->pol = &cfg->listeners[k];
		if (dl->pol->mode == CFG_AUDIT && dl->learn == NULL) {
			if ((dl->learn = malloc(sizeof(*dl->learn))) != NULL)
				learn_init(dl->learn);
		} else if (dl->pol->mode != CFG_AUDIT && dl->learn != NULL) {
			free(dl->learn);
			dl->learn = NULL;
		}
	}
}

/* Same listeners, same addresses, same order? */
static int
main_same_listeners(const struct cfg *a, const struct cfg *b)
{
	size_t	 i, k;

	if (a->nlisteners != b->nlisteners)
		return 0;
	for (i = 0; i < a->nlisteners; i++) {
		if (strcmp(a->listeners[i].name, b->listeners[i].name) != 0 ||
		    a->listeners[i].naddrs != b->listeners[i].naddrs)
			return 0;
		for (k = 0; k < a->listeners[i].naddrs; k++)
			if (strcmp(a->listeners[i].addrs[k],
			    b->listeners[i].addrs[k]) != 0)
				return 0;
	}
	return 1;
}

/*
 * SIGHUP: re-read the file.  Open connections keep going; each new request
 * is judged by the new policy.  Anything invalid keeps the old one.
 */
static void
main_reload(void)
{
	struct cfg	*ncfg;
	char		 err[512];

	if (main_st.cfg_path == NULL) {
		log_msg(LOG_WARN, "SIGHUP: no config file in use, nothing to "
		    "reload");
		return;
	}
	if ((ncfg = calloc(1, sizeof(*ncfg))) == NULL) {
		log_msg(LOG_ERROR, "reload: out of memory; old policy stays");
		return;
	}
	if (cfg_load_file(main_st.cfg_path, ncfg, err, sizeof(err)) == -1) {
		log_msg(LOG_ERROR, "reload refused: %s; old policy stays", err);
		free(ncfg);
		return;
	}
	if (!main_same_listeners(main_st.cfg, ncfg)) {
		log_msg(LOG_ERROR, "reload refused: listeners or their "
		    "addresses changed (that needs a restart); old policy "
		    "stays");
		cfg_free(ncfg);
		free(ncfg);
		return;
	}
	main_attach_policies(ncfg);
	cfg_free(main_st.cfg);
	free(main_st.cfg);
	main_st.cfg = ncfg;
	log_msg(LOG_INFO, "reloaded %s", main_st.cfg_path);
	main_log_policy(ncfg);
}

static void
main_log_learned(void)
{
	size_t	 i;
	char	 prefix[128];
	int	 any = 0;

	for (i = 0; i < main_nlisteners; i++) {
		if (main_listeners[i].learn == NULL)
			continue;
		any = 1;
		snprintf(prefix, sizeof(prefix), "learned on %s: ",
		    main_listeners[i].pol->name);
		log_msg(LOG_INFO, "rules covering what audit mode saw on "
		    "listener %s (%s):", main_listeners[i].pol->name,
		    main_listeners[i].name);
		learn_print(main_listeners[i].learn, main_log_line, prefix);
		if (main_listeners[i].learn->overflow)
			log_msg(LOG_WARN, "learned on %s: more than %d distinct "
			    "endpoints; the list above is incomplete",
			    main_listeners[i].pol->name, LEARN_MAX);
	}
	if (!any)
		log_msg(LOG_INFO, "SIGUSR1: no listener is in audit mode");
}

static void
main_open_listeners(void)
{
	const struct cfg_listener *l;
	struct listener	*dl;
	char		 err[512];
	size_t		 i, k;

	for (i = 0; i < main_st.cfg->nlisteners; i++) {
		l = &main_st.cfg->listeners[i];
		for (k = 0; k < l->naddrs; k++) {
			if (main_nlisteners == LISTEN_MAX)
				fatal("too many listen addresses (max %d)",
				    LISTEN_MAX);
			dl = &main_listeners[main_nlisteners];
			if (listen_open(l->addrs[k], dl, err, sizeof(err)) == -1)
				fatal("listener %s: %s", l->name, err);
			if (listen_unix_perms(dl, l->sock_uid, l->sock_gid,
			    l->sock_mode, err, sizeof(err)) == -1)
				fatal("listener %s: %s", l->name, err);
			dl->pol = l;
			main_nlisteners++;
			log_msg(LOG_INFO, "listener %s on %s", l->name, dl->name);
		}
	}
	main_attach_policies(main_st.cfg);
	for (i = 0; i < main_nlisteners; i++)
		if (conn_listen(&main_listeners[i]) == -1)
			fatal("epoll: %s", strerror(errno));
}

static void
main_check_upstream(const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1)
		log_msg(LOG_WARN, "upstream %s: %s (requests get 502 until it "
		    "appears)", path, strerror(errno));
	else if (access(path, R_OK | W_OK) == -1)
		log_msg(LOG_WARN, "upstream %s is not accessible to uid %u "
		    "gid %u; it belongs to group %u", path, (unsigned)getuid(),
		    (unsigned)getgid(), (unsigned)st.st_gid);
}

/* Started as root: switch to --user (default 65534) and confine. */
static void
main_sandbox(long uid)
{
	struct sandbox_opts so;
	const char	*unix_paths[LISTEN_MAX], *sb;
	size_t		 i;

	memset(&so, 0, sizeof(so));
	so.uid = uid;
	so.upstream = main_st.upstream;
	so.config_path = main_st.cfg_path;
	for (i = 0; i < main_nlisteners; i++)
		if (main_listeners[i].is_unix)
			unix_paths[so.n_unix++] = main_listeners[i].unix_path;
	so.unix_paths = unix_paths;
	/* SOCKWARD_SANDBOX=0 is for debugging under valgrind or strace,
	 * which cannot run inside a seccomp filter; the environment is
	 * trusted (docs/THREAT_MODEL.md). */
	so.enable_seccomp = so.enable_landlock = 1;
	if ((sb = main_env("SOCKWARD_SANDBOX")) != NULL && strcmp(sb, "0") == 0) {
		log_msg(LOG_WARN, "SOCKWARD_SANDBOX=0: seccomp and Landlock "
		    "are off (debugging only)");
		so.enable_seccomp = so.enable_landlock = 0;
	}
	if (sandbox_apply(&so) == -1)
		fatal("the switch of user failed half-way; exiting");
}

int
main(int argc, char **argv)
{
	struct conn_config cc;
	struct ev_io	 sigio;
	uint64_t	 now, drain_deadline = 0;
	const char	*cmd = NULL, *file = NULL;
	const char	*u;
	long		 uid = -1;
	int		 first, timeout;

	if (argc > 1 && (strcmp(argv[1], "explain") == 0 ||
	    strcmp(argv[1], "check") == 0 || strcmp(argv[1], "profiles") == 0 ||
	    strcmp(argv[1], "health") == 0)) {
		cmd = argv[1];
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	first = main_parse_opts(argc, argv, &main_o);
	if (cmd != NULL && strcmp(cmd, "profiles") == 0)
		return main_profiles(argc - first, argv + first);
	if (cmd != NULL && strcmp(cmd, "check") == 0) {
		if (argc - first > 1)
			main_usage_exit("check takes at most one FILE");
		file = argc - first == 1 ? argv[first] : NULL;
	}
	log_init(LOG_FMT_TEXT, LOG_INFO);
	main_build_state(&main_o, &main_st, file, cmd != NULL);
	log_init(main_st.log_format, main_st.log_level);
	if (cmd != NULL && strcmp(cmd, "check") == 0)
		return main_check(&main_st);
	if (cmd != NULL && strcmp(cmd, "health") == 0)
		return main_health(&main_st, argc - first, argv + first);
	if (cmd != NULL)
		return main_explain(&main_st, main_o.listener, argc - first,
		    argv + first);
	if (first != argc)
		main_usage_exit("unexpected operand");
	u = main_pick(main_o.user, main_env("SOCKWARD_USER"), NULL);
	if (u != NULL && sandbox_parse_uid(u, &uid) == -1)
		main_config_exit("--user must be a numeric uid, not '%s'%s", u, "");

	main_raise_nofile();
	if (ev_init() == -1)
		fatal("epoll: %s", strerror(errno));
	ev_io_init(&sigio, main_signals(), main_signal_cb);
	if (ev_io_set(&sigio, EV_READ) == -1)
		fatal("epoll: %s", strerror(errno));

	cc.upstream = main_st.upstream;
	cc.header_timeout_ms = main_st.header_timeout_s * 1000;
	cc.idle_timeout_ms = main_st.idle_timeout_s * 1000;
	conn_setup(&cc);

	log_msg(LOG_INFO, "sockward %s starting%s%s", SOCKWARD_VERSION,
	    main_st.cfg_path ? " with " : "", main_st.cfg_path ?
	    main_st.cfg_path : "");
	main_log_policy(main_st.cfg);
	main_open_listeners();
	main_check_upstream(main_st.upstream);
	main_sandbox(uid);
	log_msg(LOG_INFO, "forwarding allowed requests to unix://%s",
	    main_st.upstream);

	for (;;) {
		now = ev_now_ms();
		conn_expire(now);
		conn_reap();
		if (main_want_reload) {
			main_want_reload = 0;
			main_reload();
		}
		if (main_want_learned) {
			main_want_learned = 0;
			main_log_learned();
		}
		if (main_stopping) {
			if (drain_deadline == 0) {
				drain_deadline = now + MAIN_DRAIN_MS;
				conn_drain();
				conn_reap();
			}
			if (conn_count() == 0 || now >= drain_deadline)
				break;
		}
		timeout = conn_next_timeout(now);
		if (main_stopping) {
			int left = (int)(drain_deadline - now);
			if (timeout == -1 || timeout > left)
				timeout = left;
		}
		log_flush();	/* this pass's access lines, one write */
		if (ev_run_once(timeout) == -1)
			fatal("epoll_wait: %s", strerror(errno));
		conn_reap();
	}
	log_msg(LOG_INFO, "exiting with %zu connections open", conn_count());
	return 0;
}
