/*
 * main.c - command line, configuration assembly, start-up and the loop.
 *
 * The policy comes from exactly one place: a config file (--config or
 * SOCKWARD_CONFIG), or else flags and environment (SOCKWARD_* and the
 * Tecnativa variables).  Every setting, its sources and their precedence
 * are in settings.h; main_prepare is the start-up path short of binding,
 * which `check` runs too, so that what check accepts also starts.
 */
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <netinet/in.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "canon.h"
#include "config.h"
#include "conn.h"
#include "door.h"
#include "ev.h"
#include "health.h"
#include "http_req.h"
#include "keeper.h"
#include "judge.h"
#include "learn.h"
#include "listen.h"
#include "log.h"
#include "metrics_srv.h"
#include "profile.h"
#include "profile_doc.h"
#include "rule.h"
#include "sandbox.h"
#include "settings.h"
#include "tecnativa.h"
#include "tls.h"

#define MAIN_DRAIN_MS         5000	/* SIGTERM: in-flight requests get this long */
#define MAIN_LOG_RETRY_MS     50	/* a blocked log output is retried this often */

/* What the daemon runs with. */
struct main_state {
	struct cfg	*cfg;
	struct set_res	*res;		/* every setting and its source */
	const char	*cfg_path;	/* NULL: built from flags and env */
	char		 upstream[108];
	enum log_format	 log_format;
	enum log_level	 log_level;
	int		 header_timeout_s;
	int		 idle_timeout_s;
	int		 body_timeout_s;
	int		 send_timeout_s;
	struct climit_limits limits;
	long		 uid;		/* --user, -1: the default */
	int		 sandbox;	/* 0: SOCKWARD_SANDBOX=0 */
};

static struct main_state main_st;
static struct cfg	*main_boot_cfg;	/* what start-up bound and applied */
static struct set_res	*main_boot_res;
static struct listener	main_listeners[LISTEN_MAX];
static size_t		main_nlisteners;
static struct set_args	main_args;	/* the flags, kept for reload */
static const char	*main_listener;	/* explain --listener */
static const char	*main_body;	/* explain --body FILE */
static int		 main_markdown;	/* profiles --markdown */

static const char main_usage[] =
"usage: sockward [options]\n"
"       sockward explain [--listener NAME] [--body FILE] [options] METHOD "
"TARGET\n"
"       sockward check [options] [FILE]\n"
"       sockward health [options] [ADDR]\n"
"       sockward profiles [--markdown | NAME]\n"
"       sockward settings [man]\n"
"\n"
"  --config FILE                 listeners and policies (sockward.conf(5))\n"
"  --listen ADDR                 tcp://HOST:PORT, tls://HOST:PORT, "
"unix:///PATH\n"
"  --upstream PATH|tls://HOST:PORT  dockerd (default /var/run/docker.sock)\n"
"  --upstream-ca PEM             CA of a tls:// upstream's certificate\n"
"  --upstream-cert PEM           client certificate shown to it\n"
"  --upstream-key PEM            and its key\n"
"  --upstream-server-name NAME   name its certificate must carry\n"
"  --tls-cert PEM                certificate chain of tls:// listeners\n"
"  --tls-key PEM                 and its key\n"
"  --tls-client-ca PEM           CA that signs tls:// clients' "
"certificates\n"
"  --insecure-tls-no-client-cert on|off  none needed beyond loopback\n"
"  --profile NAME[,NAME]         built-in rule sets (default traefik)\n"
"  --deny RULE                   deny rule, before any other\n"
"  --allow RULE                  allow rule, after the profiles\n"
"  --mode enforce|audit          audit forwards denials as would_deny\n"
"  --body-policy no-host-escape|off  judge bodies that reach the host\n"
"  --host-path PATH[:ro|:rw]     host path bind mounts may use\n"
"  --cap-add CAP                 capability CapAdd may name\n"
"  --volume-driver NAME          volume driver besides local\n"
"  --body-max BYTES              largest judged body (default 1048576)\n"
"  --redact auto|on|off          blank secrets in responses (default "
"auto)\n"
"  --visible-label KEY[=VALUE]   only containers with such a label exist\n"
"  --log-format text|json        log format (default text)\n"
"  --log-level LEVEL             debug, info (default), warn or error\n"
"  --header-timeout SECS         to send a request head (default 10)\n"
"  --idle-timeout SECS           idle keep-alive connections (default 60)\n"
"  --body-timeout SECS           a stalled request body (default 60)\n"
"  --send-timeout SECS           a client not reading (default 60)\n"
"  --client-conns N              connections per client (default 256)\n"
"  --client-streams N            streams per client (default 128)\n"
"  --streams N                   streams in all (default 1024)\n"
"  --metrics ADDR                serve Prometheus /metrics on ADDR\n"
"  --user UID                    uid to switch to as root (default 65534)\n"
"  --listener NAME               explain: judge with this listener\n"
"  --body FILE                   explain: the request body ('-': stdin)\n"
"  --version                     print the version and exit\n"
"  --help                        print this help and exit\n"
"Options have SOCKWARD_* variables; see sockward(8) and sockward.conf(5).\n";

enum { OPT_SET = 256, OPT_LISTENER = OPT_SET + SET_N, OPT_BODY, OPT_VERSION,
	OPT_HELP, OPT_MARKDOWN };

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

/*
 * Parse options into main_args (every setting flag, from the settings
 * table) and main_listener; returns the index of the first operand.
 */
static int
main_parse_opts(int argc, char **argv)
{
	struct option	 opts[SET_N + 6];
	size_t		 i, n = 0;
	int		 ch;

	for (i = 0; i < SET_N; i++) {
		if (set_table[i].flag == NULL)
			continue;
		opts[n].name = set_table[i].flag + 2;
		opts[n].has_arg = required_argument;
		opts[n].flag = NULL;
		opts[n++].val = OPT_SET + (int)i;
	}
	opts[n++] = (struct option){ "listener", required_argument, NULL,
	    OPT_LISTENER };
	opts[n++] = (struct option){ "body", required_argument, NULL,
	    OPT_BODY };
	opts[n++] = (struct option){ "version", no_argument, NULL,
	    OPT_VERSION };
	opts[n++] = (struct option){ "help", no_argument, NULL, OPT_HELP };
	opts[n++] = (struct option){ "markdown", no_argument, NULL,
	    OPT_MARKDOWN };
	opts[n] = (struct option){ NULL, 0, NULL, 0 };

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch >= OPT_SET && ch < OPT_SET + SET_N) {
			if (set_args_add(&main_args, (enum set_id)(ch - OPT_SET),
			    optarg) == -1)
				main_usage_exit("too many options");
			continue;
		}
		switch (ch) {
		case OPT_LISTENER:
			main_listener = optarg;
			break;
		case OPT_BODY:
			main_body = optarg;
			break;
		case OPT_MARKDOWN:
			main_markdown = 1;
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
main_getenv(void *arg, const char *name)
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

/* ---- building the policy from flags and environment ---- */

struct main_build {
	struct cfg_listener *l;
	const char	*origin;
	enum rule_action action;
	char		 names[64];
};

static void
main_add_rule(struct main_build *b, const char *text)
{
	struct rule	 r;
	const char	*why;

	if (rule_parse(text, b->action, &r, &why) == -1)
		main_config_exit("rule '%s': %s", text, why);
	if (cfg_rule_builtin_policy(b->l, &r, &why) == -1)
		main_config_exit("rule '%s': %s", text, why);
	if (rule_set_add(&b->l->rules, &r, b->origin) == -1)
		main_config_exit("too many rules%s%s", "", "");
}

static void
main_add_profile(struct main_build *b, const char *name)
{
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

/* Add the rules of list setting id to b, each with its own origin. */
static void
main_add_rules(struct main_build *b, const struct set_value *v,
    enum rule_action action)
{
	size_t	 i;

	b->action = action;
	for (i = 0; i < v->nitems; i++) {
		b->origin = v->item_origin[i];
		main_add_rule(b, v->item[i]);
	}
}

/* The caps as resolved (0: no cap). */
static void
main_limits(const struct set_res *res, struct climit_limits *lim)
{
	lim->conns = (unsigned)res->v[SET_CLIENT_CONNS].num;
	lim->streams = (unsigned)res->v[SET_CLIENT_STREAMS].num;
	lim->streams_total = (unsigned)res->v[SET_STREAMS].num;
}

/* Every listener reads judged bodies up to body-max bytes. */
static void
main_body_max(const struct set_res *res, struct cfg *cfg)
{
	size_t	i;

	for (i = 0; i < cfg->nlisteners; i++)
		cfg->listeners[i].body_max = (size_t)res->v[SET_BODY_MAX].num;
}

/* The default listener's body policy from --body-policy, --host-path,
 * --cap-add and --volume-driver (and their variables). */
static void
main_body_from_flags(const struct set_res *res, struct cfg_listener *l)
{
	const struct set_value *v;
	struct body_policy *bp = &l->body[0];
	const char	*why;
	size_t		 i, k;
	static const enum set_id widen[] = { SET_HOST_PATH, SET_CAP_ADD,
	    SET_VOLUME_DRIVER };

	if (strcmp(res->v[SET_BODY_POLICY].text, "off") == 0)
		body_policy_init_off(bp);
	for (k = 0; k < sizeof(widen) / sizeof(widen[0]); k++) {
		v = &res->v[widen[k]];
		if (v->nitems > 0 && bp->off)
			main_config_exit("%s has no effect with body-policy "
			    "off%s", v->item_origin[0], "");
		for (i = 0; i < v->nitems; i++) {
			if ((widen[k] == SET_HOST_PATH ?
			    body_policy_add_host_path(bp, v->item[i], &why) :
			    widen[k] == SET_CAP_ADD ?
			    body_policy_add_cap(bp, v->item[i], &why) :
			    body_policy_add_driver(bp, v->item[i], &why)) == -1)
				main_config_exit("%s: %s", v->item_origin[i],
				    why);
		}
	}
}

/* The default listener's response filters from --redact and
 * --visible-label (and their variables). */
static void
main_filters_from_flags(const struct set_res *res, struct cfg_listener *l)
{
	const struct set_value *v = &res->v[SET_VISIBLE_LABEL];
	const char	*r = res->v[SET_REDACT].text;
	struct jrw_label lab;
	char		 err[300];
	size_t		 i;

	l->redact = strcmp(r, "on") == 0 ? 1 : strcmp(r, "off") == 0 ? 0 : -1;
	if (v->nitems > JRW_MAX_LABELS)
		main_config_exit("%s: more than 16 visible labels%s",
		    v->item_origin[0], "");
	for (i = 0; i < v->nitems; i++) {
		if (jrw_label_parse(v->item[i], &lab, err, sizeof(err)) == -1)
			main_config_exit("%s: %s", v->item_origin[i], err);
		snprintf(l->visible[l->nvisible++], sizeof(l->visible[0]),
		    "%s", v->item[i]);
	}
	if (cfg_listener_filters(l, err, sizeof(err)) == -1)
		main_config_exit("%s%s", err, "");
}

/* The default listener's TLS files and certificate names. */
static void
main_tls_from_flags(const struct set_res *res, struct cfg_listener *l)
{
	static const struct {
		enum set_id	 id;
		size_t		 off;
	} files[] = {
		{ SET_TLS_CERT, offsetof(struct cfg_tls, cert) },
		{ SET_TLS_KEY, offsetof(struct cfg_tls, key) },
		{ SET_TLS_CLIENT_CA, offsetof(struct cfg_tls, client_ca) },
	};
	const struct set_value *v;
	const char	*why;
	char		 err[400];
	size_t		 i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		v = &res->v[files[i].id];
		if (v->text == NULL)
			continue;
		if (strlen(v->text) >= CFG_PATH_MAX)
			main_config_exit("%s: path too long%s", v->origin, "");
		snprintf((char *)&l->tls + files[i].off, CFG_PATH_MAX, "%s",
		    v->text);
	}
	l->tls.no_client_cert = strcmp(res->v[SET_TLS_NO_CLIENT_CERT].text,
	    "on") == 0;
	v = &res->v[SET_CERT_CN];
	for (i = 0; i < v->nitems; i++)
		if (admit_add_cert(&l->admit, ADMIT_CN, v->item[i], &why) == -1)
			main_config_exit("%s: %s", v->item_origin[i], why);
	v = &res->v[SET_CERT_SAN];
	for (i = 0; i < v->nitems; i++)
		if (admit_add_cert(&l->admit, ADMIT_SAN_DNS, v->item[i],
		    &why) == -1)
			main_config_exit("%s: %s", v->item_origin[i], why);
	if (cfg_listener_tls_check(l, err, sizeof(err)) == -1)
		main_config_exit("%s%s", err, "");
}

/*
 * One listener named "default" from the resolved flags and environment:
 * --deny and SOCKWARD_DENY rules first, then the profiles, then
 * Tecnativa's rules, then --allow and SOCKWARD_ALLOW rules.  The listen
 * addresses were validated by set_resolve.
 */
static void
main_cfg_from_flags(const struct set_res *res, struct cfg *cfg, int quiet)
{
	struct cfg_listener *l = &cfg->listeners[0];
	const struct set_value *v;
	struct main_build b;
	const char	*why;
	size_t		 i;

	cfg->nlisteners = 1;
	cfg->caps[0] = cfg->caps[1] = cfg->caps[2] = -1;
	cfg->body_max = -1;
	cfg_listener_defaults(l);
	snprintf(l->name, sizeof(l->name), "default");
	v = &res->v[SET_LISTEN];
	for (i = 0; i < v->nitems; i++)
		snprintf(l->addrs[l->naddrs++], sizeof(l->addrs[0]), "%s",
		    v->item[i]);

	memset(&b, 0, sizeof(b));
	b.l = l;
	main_add_rules(&b, &res->v[SET_DENY], RULE_DENY);
	v = &res->v[SET_PROFILE];
	for (i = 0; i < v->nitems; i++)
		main_add_profile(&b, v->item[i]);
	if (res->tec) {
		if (tec_check_names(environ, &why) == -1)
			main_config_exit("tecnativa compatibility: %s%s", why, "");
		if (tec_load(main_getenv, NULL, &l->rules, quiet ? NULL :
		    main_tec_warn, NULL, &why) == -1)
			main_config_exit("tecnativa compatibility: %s%s", why, "");
		if (b.names[0] != '\0')
			strncat(b.names, "+", sizeof(b.names) - strlen(b.names) - 1);
		strncat(b.names, "tecnativa", sizeof(b.names) -
		    strlen(b.names) - 1);
	}
	main_add_rules(&b, &res->v[SET_ALLOW], RULE_ALLOW);
	snprintf(l->rules.name, sizeof(l->rules.name), "%s",
	    b.names[0] != '\0' ? b.names : "custom");
	if (strcmp(res->v[SET_MODE].text, "audit") == 0)
		l->mode = CFG_AUDIT;
	main_body_from_flags(res, l);
	main_filters_from_flags(res, l);
	v = &res->v[SET_CLIENTS];
	for (i = 0; i < v->nitems; i++)
		if (admit_add_net(&l->admit, v->item[i], &why) == -1)
			main_config_exit("SOCKWARD_CLIENTS '%s': %s", v->item[i],
			    why);
	v = &res->v[SET_PEER_UID];
	for (i = 0; i < v->nitems; i++)
		if (admit_add_uid(&l->admit, v->item[i], &why) == -1)
			main_config_exit("SOCKWARD_PEER_UID '%s': %s", v->item[i],
			    why);
	v = &res->v[SET_PEER_GID];
	for (i = 0; i < v->nitems; i++)
		if (admit_add_gid(&l->admit, v->item[i], &why) == -1)
			main_config_exit("SOCKWARD_PEER_GID '%s': %s", v->item[i],
			    why);
	main_tls_from_flags(res, l);
}

/*
 * The start-up path short of binding, shared by `check`, `explain`,
 * `health` and the daemon: read the file, resolve every setting
 * (set_resolve validates them, listen addresses included, as config.c
 * does for the file's), build the policy and the values the daemon runs
 * with.  Anything wrong exits: 1 for the file, 2 for flags and
 * environment.  file: the operand of `check`, or NULL.  quiet: do not log
 * compatibility warnings (explain, check).
 */
static void
main_prepare(struct main_state *st, const char *file, int quiet)
{
	char	 err[512];

	if (file != NULL && set_args_add(&main_args, SET_CONFIG, file) == -1)
		main_usage_exit("too many options");
	if ((st->cfg = calloc(1, sizeof(*st->cfg))) == NULL ||
	    (st->res = calloc(1, sizeof(*st->res))) == NULL)
		fatal("out of memory");
	st->cfg_path = set_config_path(&main_args, main_getenv, NULL);
	if (st->cfg_path != NULL &&
	    cfg_load_file(st->cfg_path, st->cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "sockward: %s\n", err);
		exit(1);
	}
	if (set_resolve(&main_args, main_getenv, NULL, st->cfg_path != NULL ?
	    st->cfg : NULL, st->res, err, sizeof(err)) == -1)
		main_config_exit("%s%s", err, "");
	if (st->cfg_path != NULL && st->res->ignored != NULL && !quiet)
		log_msg(LOG_WARN, "config file %s in use: policy and Tecnativa "
		    "environment variables are ignored (%s is set)",
		    st->cfg_path, st->res->ignored);
	if (st->cfg_path == NULL)
		main_cfg_from_flags(st->res, st->cfg, quiet);
	main_body_max(st->res, st->cfg);

	snprintf(st->upstream, sizeof(st->upstream), "%s",
	    st->res->v[SET_UPSTREAM].text);
	if (log_format_parse(st->res->v[SET_LOG_FORMAT].text,
	    &st->log_format) == -1 ||
	    log_level_parse(st->res->v[SET_LOG_LEVEL].text,
	    &st->log_level) == -1)
		fatal("log settings out of step with the settings table");
	st->header_timeout_s = (int)st->res->v[SET_HEADER_TIMEOUT].num;
	st->idle_timeout_s = (int)st->res->v[SET_IDLE_TIMEOUT].num;
	st->body_timeout_s = (int)st->res->v[SET_BODY_TIMEOUT].num;
	st->send_timeout_s = (int)st->res->v[SET_SEND_TIMEOUT].num;
	main_limits(st->res, &st->limits);
	st->uid = st->res->v[SET_USER].num;
	st->sandbox = strcmp(st->res->v[SET_SANDBOX].text, "0") != 0;
}

/* ---- TLS ---- */

/*
 * The TLS files are registered with the keeper once, from the start-up
 * configuration: per listener block (cert, key, client CA) and for the
 * upstream.  A reload re-reads these paths (through the keeper); a path
 * changed in the file takes effect after a restart.
 */
struct main_tls_idx {
	int		 cert, key, ca;	/* keeper indices, -1: none */
};

static struct main_tls_idx main_tls_blk[CFG_MAX_LISTENERS];
static struct main_tls_idx main_tls_up = { -1, -1, -1 };
static int		 main_tls_any;	/* some file registered */

/* Does l listen on a tls:// address? */
static int
main_is_tls(const struct cfg_listener *l)
{
	size_t i;

	for (i = 0; i < l->naddrs; i++)
		if (strncmp(l->addrs[i], "tls://", 6) == 0)
			return 1;
	return 0;
}

/* insecure-tls-no-client-cert on is a choice to take anyone: say so at
 * every start and TLS reload, once per tls:// address of each block that
 * made it. */
static void
main_warn_insecure(const struct cfg *cfg)
{
	const struct cfg_listener *l;
	size_t i, k;

	for (i = 0; i < cfg->nlisteners; i++) {
		l = &cfg->listeners[i];
		if (l->tls.no_client_cert != 1)
			continue;
		for (k = 0; k < l->naddrs; k++)
			if (strncmp(l->addrs[k], "tls://", 6) == 0)
				log_msg(LOG_WARN, "listener %s on %s: "
				    "insecure-tls-no-client-cert on: clients "
				    "without a certificate are admitted", l->name,
				    l->addrs[k]);
	}
}

static int
main_upstream_is_tls(const struct main_state *st)
{
	return strncmp(st->upstream, "tls://", 6) == 0;
}

static int
main_tls_add(const char *path)
{
	int i;

	if (path == NULL || path[0] == '\0')
		return -1;
	if ((i = keeper_add(path)) == -1)
		main_config_exit("too many TLS files (at most 64)%s%s", "",
		    "");
	main_tls_any = 1;
	return i;
}

/* Register every TLS file of st and read them all (as we are now). */
static void
main_tls_load(const struct main_state *st)
{
	const struct cfg_listener *l;
	const struct set_value *v = st->res->v;
	char	 err[512];
	size_t	 i;

	for (i = 0; i < CFG_MAX_LISTENERS; i++)
		main_tls_blk[i].cert = main_tls_blk[i].key =
		    main_tls_blk[i].ca = -1;
	for (i = 0; i < st->cfg->nlisteners; i++) {
		l = &st->cfg->listeners[i];
		if (!main_is_tls(l))
			continue;
		main_tls_blk[i].cert = main_tls_add(l->tls.cert);
		main_tls_blk[i].key = main_tls_add(l->tls.key);
		main_tls_blk[i].ca = main_tls_add(l->tls.client_ca);
	}
	if (main_upstream_is_tls(st)) {
		main_tls_up.ca = main_tls_add(v[SET_UPSTREAM_CA].text);
		main_tls_up.cert = main_tls_add(v[SET_UPSTREAM_CERT].text);
		main_tls_up.key = main_tls_add(v[SET_UPSTREAM_KEY].text);
	}
	if (!main_tls_any)
		return;
	if (tls_init(err, sizeof(err)) == -1)
		main_config_exit("TLS: %s%s", err, "");
	if (keeper_read_all(err, sizeof(err)) == -1)
		main_config_exit("TLS: %s%s", err, "");
}

static void
main_tls_pem(int idx, struct tls_pem *p)
{
	memset(p, 0, sizeof(*p));
	if (idx < 0)
		return;
	p->path = keeper_path(idx);
	p->data = keeper_data(idx, &p->len);
}

static void
main_tls_material(const struct main_tls_idx *x, struct tls_material *m)
{
	main_tls_pem(x->cert, &m->cert);
	main_tls_pem(x->key, &m->key);
	main_tls_pem(x->ca, &m->ca);
}

/* The name a tls:// upstream's certificate must carry: the setting, or
 * the address as written. */
static void
main_upstream_name(const struct main_state *st, char *dst, size_t len)
{
	const struct set_value *v = &st->res->v[SET_UPSTREAM_NAME];
	struct set_addr a;
	char	 msg[256];

	if (v->nitems > 0) {
		snprintf(dst, len, "%s", v->item[0]);
		return;
	}
	if (set_addr_parse(st->upstream, &a, msg, sizeof(msg)) == -1)
		a.host[0] = '\0';
	snprintf(dst, len, "%s", a.host);
}

/*
 * Build a server context for each block of st->cfg that listens on
 * tls:// (into srv[block], NULL for the others) and the upstream's client
 * context, from the files as last read.  Returns 0, or -1 with a message
 * naming the listener or the upstream in err (nothing kept).
 */
static int
main_tls_build(const struct main_state *st,
    struct tls_server *srv[CFG_MAX_LISTENERS], struct tls_client **up,
    char *err, size_t errlen)
{
	const struct cfg_listener *l;
	struct tls_material m;
	char	 why[400], name[CFG_PATH_MAX];
	int64_t	 now = (int64_t)time(NULL);
	size_t	 i;

	memset(srv, 0, sizeof(srv[0]) * CFG_MAX_LISTENERS);
	*up = NULL;
	for (i = 0; i < st->cfg->nlisteners; i++) {
		l = &st->cfg->listeners[i];
		if (!main_is_tls(l))
			continue;
		main_tls_material(&main_tls_blk[i], &m);
		if ((srv[i] = tls_server_new(&m, l->tls.no_client_cert == 1,
		    now, why, sizeof(why))) == NULL) {
			snprintf(err, errlen, "listener %s: %s", l->name, why);
			goto fail;
		}
	}
	if (main_upstream_is_tls(st)) {
		main_tls_material(&main_tls_up, &m);
		main_upstream_name(st, name, sizeof(name));
		if ((*up = tls_client_new(&m, name, now, why,
		    sizeof(why))) == NULL) {
			snprintf(err, errlen, "upstream %s: %s", st->upstream,
			    why);
			goto fail;
		}
	}
	return 0;
fail:
	for (i = 0; i < CFG_MAX_LISTENERS; i++)
		if (srv[i] != NULL)
			tls_server_unref(srv[i]);
	memset(srv, 0, sizeof(srv[0]) * CFG_MAX_LISTENERS);
	return -1;
}

/* Index of dl's block in cfg. */
static size_t
main_block_of(const struct cfg *cfg, const struct listener *dl)
{
	size_t k;

	for (k = 0; k < cfg->nlisteners; k++)
		if (dl->pol == &cfg->listeners[k])
			break;
	return k;
}

/*
 * Give every tls:// listener its new context and the upstream its own
 * (each listener takes a reference; the ones replaced are released,
 * sessions keep theirs).  Consumes srv[] and up.
 */
static void
main_tls_apply(struct tls_server *srv[CFG_MAX_LISTENERS],
    struct tls_client *up)
{
	struct listener	*dl;
	struct tls_server *old;
	size_t	 i, k;

	for (i = 0; i < main_nlisteners; i++) {
		dl = &main_listeners[i];
		k = main_block_of(main_st.cfg, dl);
		if (k >= CFG_MAX_LISTENERS || srv[k] == NULL ||
		    strncmp(dl->name, "tls://", 6) != 0)
			continue;
		old = dl->tls;
		dl->tls = srv[k];
		tls_server_ref(srv[k]);
		if (old != NULL)
			tls_server_unref(old);
	}
	for (k = 0; k < CFG_MAX_LISTENERS; k++)
		if (srv[k] != NULL)
			tls_server_unref(srv[k]);
	if (up != NULL) {
		conn_set_upstream_tls(up);
		tls_client_unref(up);
	}
}

/* `check`: the TLS files read and their contexts built, or exit 1. */
static void
main_tls_check(const struct main_state *st)
{
	struct tls_server *srv[CFG_MAX_LISTENERS];
	struct tls_client *up;
	char	 err[600];
	size_t	 i;

	if (!main_tls_any)
		return;
	if (main_tls_build(st, srv, &up, err, sizeof(err)) == -1) {
		fprintf(stderr, "sockward: TLS: %s\n", err);
		exit(1);
	}
	for (i = 0; i < CFG_MAX_LISTENERS; i++)
		if (srv[i] != NULL)
			tls_server_unref(srv[i]);
	if (up != NULL)
		tls_client_unref(up);
	printf("# TLS (%s): certificates, keys and CAs OK\n", tls_library());
}

/*
 * SIGHUP: the TLS files read again by the keeper and every context
 * rebuilt; anything wrong keeps all the old ones.  Paths changed in the
 * file since start-up are said to need a restart.
 */
static void
main_tls_reload(void)
{
	struct tls_server *srv[CFG_MAX_LISTENERS];
	struct tls_client *up;
	const struct cfg_tls *a, *b;
	char	 err[600];
	size_t	 i;

	if (!main_tls_any)
		return;
	for (i = 0; i < main_st.cfg->nlisteners && main_st.cfg !=
	    main_boot_cfg; i++) {
		a = &main_boot_cfg->listeners[i].tls;
		b = &main_st.cfg->listeners[i].tls;
		if (strcmp(a->cert, b->cert) != 0 ||
		    strcmp(a->key, b->key) != 0 ||
		    strcmp(a->client_ca, b->client_ca) != 0)
			log_msg(LOG_WARN, "reload: listener %s: TLS file paths "
			    "changed; the files named at start are re-read, "
			    "the new paths take effect after a restart",
			    main_st.cfg->listeners[i].name);
	}
	for (i = SET_UPSTREAM_CA; i <= SET_UPSTREAM_KEY; i++)
		if (main_st.res != main_boot_res &&
		    main_boot_res->v[i].text != NULL &&
		    main_st.res->v[i].text != NULL &&
		    strcmp(main_boot_res->v[i].text,
		    main_st.res->v[i].text) != 0)
			log_msg(LOG_WARN, "reload: %s changed from %s to %s; "
			    "the file named at start is re-read, the new path "
			    "takes effect after a restart", set_table[i].name,
			    main_boot_res->v[i].text, main_st.res->v[i].text);
	if (keeper_refresh(err, sizeof(err)) == -1) {
		log_msg(LOG_ERROR, "reload: TLS files not re-read: %s; the "
		    "old certificates stay", err);
		return;
	}
	if (main_tls_build(&main_st, srv, &up, err, sizeof(err)) == -1) {
		log_msg(LOG_ERROR, "reload: TLS refused: %s; the old "
		    "certificates stay", err);
		return;
	}
	main_tls_apply(srv, up);
	log_msg(LOG_INFO, "reload: TLS certificates, keys and CAs re-read "
	    "(%d files); open connections keep their sessions",
	    keeper_count());
	main_warn_insecure(main_st.cfg);
}

/* ---- subcommands ---- */

static void
main_print_line(void *arg, const char *line)
{
	(void)arg;
	puts(line);
}

/*
 * Read the body for `explain --body FILE` ("-": standard input), at most
 * max bytes.  Returns 0 with a malloc'd *out (never NULL) and *len, or -1
 * when it is larger; exits when it cannot be read.
 */
static int
main_read_body(const char *file, size_t max, char **out, size_t *len)
{
	int	 from_stdin = strcmp(file, "-") == 0;
	FILE	*f = from_stdin ? stdin : fopen(file, "rb");
	char	*buf;
	size_t	 n;
	int	 bad;

	if (f == NULL)
		main_usage_exit("explain --body: cannot open the file");
	if ((buf = malloc(max + 1)) == NULL) {
		if (!from_stdin)
			fclose(f);
		fatal("out of memory");
	}
	n = fread(buf, 1, max + 1, f);
	bad = ferror(f);
	if (!from_stdin)
		fclose(f);
	if (bad) {
		free(buf);
		main_usage_exit("explain --body: cannot read the file");
	}
	if (n > max) {
		free(buf);
		return -1;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* One line of rf_explain, indented as explain's others. */
static void
main_explain_line(void *arg, const char *line)
{
	(void)arg;
	printf("  %s\n", line);
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
	size_t		 i, blen = 0;
	char		*body = NULL;

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
	if (main_body != NULL) {
		if (main_read_body(main_body, l->body_max, &body, &blen) == -1) {
			printf("reject %s %s\n  status: 413\n  message: "
			    "sockward: request body larger than %zu bytes "
			    "(body-max)\n", argv[0], argv[1], l->body_max);
			return 1;
		}
		h.body = REQ_BODY_LENGTH;
		h.content_length = blen;
	}
	judge_request(l, &h, head, sizeof(head), &res);
	if (res.body_collect)
		judge_body(l, body, blen, &res);
	free(body);
	if (res.verdict == JUDGE_REJECT && res.status == 400 &&
	    res.body_field[0] == '\0' && strncmp(res.message,
	    "sockward: bad request target: ", 30) == 0) {
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
	if (res.body != NULL && main_body != NULL)
		printf("  body: %zu bytes judged by body policy %s%s%s\n", blen,
		    res.body->name, res.body_field[0] != '\0' ? "; decided by "
		    : "", res.body_field);
	else if (res.body != NULL && res.body_kind != BODY_K_OUTRIGHT &&
	    res.body_kind != BODY_K_IMAGE_CREATE &&
	    res.body_kind != BODY_K_LIBPOD)
		printf("  body: judged by body policy %s (give it with "
		    "--body FILE)\n", res.body->name);
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
	if (res.route != NULL)
		printf("  route: %s %s\n", argv[0], res.route->tmpl);
	else
		printf("  route: none (dockerd answers 404)\n");
	if (res.hijack)
		printf("  note: this endpoint may hijack the connection "
		    "(raw stream)\n");
	else if (res.stream)
		printf("  note: the response may stream for as long as the "
		    "client reads\n");
	rf_explain(l->rf, res.route, res.rule != NULL &&
	    res.rule->redact_idx > 0 ? res.rule->redact : NULL,
	    main_explain_line, NULL);
	return 0;
}

static int
main_profiles(int argc, char **argv)
{
	const struct profile *const *all = profile_all();
	const struct profile *p;
	size_t	 i;

	if (main_markdown) {
		/* docs/PROFILES.md (make docs); a document the generator
		 * finds wrong must not be committed, so it fails. */
		if (argc != 0)
			main_usage_exit("profiles --markdown takes no NAME");
		if (profile_doc_markdown(main_print_line, NULL) != 0) {
			fprintf(stderr, "sockward: the profile document is "
			    "incomplete (profile_doc.c)\n");
			return 1;
		}
		return fflush(stdout) == 0 ? 0 : 1;
	}
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
 * the first tcp:// or unix:// listen address of the effective config: the
 * probe speaks plain HTTP and has no client certificate).  Exit 0
 * healthy, 1 not, with one line on stderr saying why.
 */
static int
main_health(const struct main_state *st, int argc, char **argv)
{
	const char	*addr = NULL;
	char		 err[512];
	size_t		 i, k;

	if (argc > 1)
		main_usage_exit("health takes at most one ADDR");
	for (i = 0; argc == 0 && addr == NULL && i < st->cfg->nlisteners; i++)
		for (k = 0; addr == NULL && k < st->cfg->listeners[i].naddrs;
		    k++)
			if (strncmp(st->cfg->listeners[i].addrs[k], "tls://",
			    6) != 0)
				addr = st->cfg->listeners[i].addrs[k];
	if (argc == 1)
		addr = argv[0];
	if (addr == NULL || strncmp(addr, "tls://", 6) == 0) {
		fprintf(stderr, "sockward: health speaks plain HTTP without a "
		    "client certificate, and %s: give it the tcp:// or unix:// "
		    "address of a listener of this sockward that allows HEAD "
		    "/_ping (a loopback one, say)\n", addr == NULL ?
		    "every listen address is tls://" : "this is a tls:// "
		    "address");
		return 1;
	}
	if (health_check(addr, HEALTH_TIMEOUT_MS, err, sizeof(err)) == -1) {
		fprintf(stderr, "sockward: health %s: %s\n", addr, err);
		return 1;
	}
	return 0;
}

/*
 * `sockward check [FILE]`: main_prepare has run, the same start-up path
 * as the daemon's up to binding; print what it resolved.
 */
static int
main_check(const struct main_state *st)
{
	const struct set_value *v;
	size_t	 i;

	if (st->cfg_path != NULL)
		printf("# %s: configuration OK\n", st->cfg_path);
	else
		printf("# configuration from flags and environment: OK\n");
	printf("# upstream %s, log %s, header-timeout %d s, idle-timeout "
	    "%d s\n", st->upstream, st->log_format == LOG_FMT_JSON ? "json" :
	    "text", st->header_timeout_s, st->idle_timeout_s);
	for (i = 0; i < SET_N; i++) {
		v = &st->res->v[i];
		if (set_table[i].per_listener || v->text == NULL ||
		    v->text[0] == '\0')
			continue;
		printf("# setting %s = %s (%s)\n", set_table[i].name, v->text,
		    v->origin);
	}
	cfg_dump(st->cfg, main_print_line, NULL);
	return 0;
}

/* `sockward settings [man]`: the settings table. */
static int
main_settings(int argc, char **argv)
{
	if (argc > 1 || (argc == 1 && strcmp(argv[0], "man") != 0))
		main_usage_exit("settings takes no operand but 'man'");
	set_print_table(argc == 1, main_print_line, NULL);
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

/*
 * Same listeners, same addresses, same order?  If not, 0 with what
 * differs in why.
 */
static int
main_same_listeners(const struct cfg *a, const struct cfg *b, char *why,
    size_t len)
{
	size_t	 i, k;

	if (a->nlisteners != b->nlisteners) {
		snprintf(why, len, "%zu listeners instead of %zu",
		    b->nlisteners, a->nlisteners);
		return 0;
	}
	for (i = 0; i < a->nlisteners; i++) {
		if (strcmp(a->listeners[i].name, b->listeners[i].name) != 0) {
			snprintf(why, len, "listener \"%s\" became \"%s\"",
			    a->listeners[i].name, b->listeners[i].name);
			return 0;
		}
		for (k = 0; k < a->listeners[i].naddrs ||
		    k < b->listeners[i].naddrs; k++)
			if (k >= a->listeners[i].naddrs ||
			    k >= b->listeners[i].naddrs ||
			    strcmp(a->listeners[i].addrs[k],
			    b->listeners[i].addrs[k]) != 0) {
				snprintf(why, len, "listener \"%s\" listen "
				    "changed from %s to %s", a->listeners[i].name,
				    k < a->listeners[i].naddrs ?
				    a->listeners[i].addrs[k] : "nothing",
				    k < b->listeners[i].naddrs ?
				    b->listeners[i].addrs[k] : "nothing");
				return 0;
			}
	}
	return 1;
}


static void
main_restart_only(const char *what, const char *from, const char *to)
{
	log_msg(LOG_WARN, "reload: %s changed from %s to %s; takes effect "
	    "after a restart", what, from, to);
}

static void
main_sock_str(const struct cfg_listener *l, int owner, char *buf,
    size_t len)
{
	if (!owner)
		snprintf(buf, len, "%04o", (unsigned)(l->sock_mode == -1 ?
		    0660 : l->sock_mode));
	else if (l->sock_uid == -1)
		snprintf(buf, len, "unchanged");
	else if (l->sock_gid == -1)
		snprintf(buf, len, "%ld", l->sock_uid);
	else
		snprintf(buf, len, "%ld:%ld", l->sock_uid, l->sock_gid);
}

/*
 * One line for each restart-only setting whose new value differs from
 * what start-up applied (so it is said again at each reload until the
 * restart); apply the reloadable global ones.  Per-listener policy
 * settings are applied by swapping the cfg.
 */
static void
main_reload_settings(const struct set_res *nres, const struct cfg *ncfg)
{
	const struct set_value *bv, *nv, *cv;
	const struct cfg_listener *bl, *nl;
	enum log_level	 lv;
	char		 what[80], from[32], to[32];
	size_t		 i;

	for (i = 0; i < SET_N; i++) {
		bv = &main_boot_res->v[i];
		nv = &nres->v[i];
		cv = &main_st.res->v[i];
		if (set_table[i].per_listener)
			continue;
		if (!set_table[i].reload) {
			if (bv->text != NULL && nv->text != NULL &&
			    strcmp(bv->text, nv->text) != 0)
				main_restart_only(set_table[i].name, bv->text,
				    nv->text);
			continue;
		}
		if ((i == SET_CLIENT_CONNS || i == SET_CLIENT_STREAMS ||
		    i == SET_STREAMS) && strcmp(cv->text, nv->text) != 0)
			log_msg(LOG_INFO, "reload: %s changed from %s to %s "
			    "(for what opens next)", set_table[i].name,
			    cv->text, nv->text);
		if (i == SET_LOG_LEVEL && strcmp(cv->text, nv->text) != 0 &&
		    log_level_parse(nv->text, &lv) == 0) {
			main_st.log_level = lv;
			log_init(main_st.log_format, lv);
			log_msg(LOG_INFO, "reload: log-level changed from %s to "
			    "%s", cv->text, nv->text);
		}
	}
	for (i = 0; i < ncfg->nlisteners; i++) {
		bl = &main_boot_cfg->listeners[i];
		nl = &ncfg->listeners[i];
		if (bl->sock_mode != nl->sock_mode) {
			snprintf(what, sizeof(what), "listener %s socket-mode",
			    nl->name);
			main_sock_str(bl, 0, from, sizeof(from));
			main_sock_str(nl, 0, to, sizeof(to));
			main_restart_only(what, from, to);
		}
		if (bl->sock_uid != nl->sock_uid ||
		    bl->sock_gid != nl->sock_gid) {
			snprintf(what, sizeof(what), "listener %s socket-owner",
			    nl->name);
			main_sock_str(bl, 1, from, sizeof(from));
			main_sock_str(nl, 1, to, sizeof(to));
			main_restart_only(what, from, to);
		}
	}
}

/*
 * SIGHUP: re-read the file and resolve the settings again, with the same
 * flags and environment.  Open connections keep going, each new request
 * judged by the new policy, unless the new admission rules refuse them
 * (conn_revalidate).  Anything invalid keeps the old one.
 */
static void
main_reload(void)
{
	struct cfg	*ncfg;
	struct set_res	*nres = NULL;
	char		 err[512];

	if (main_st.cfg_path == NULL) {
		if (main_tls_any)
			main_tls_reload();
		else
			log_msg(LOG_WARN, "SIGHUP: no config file in use, "
			    "nothing to reload");
		return;
	}
	if ((ncfg = calloc(1, sizeof(*ncfg))) == NULL ||
	    (nres = calloc(1, sizeof(*nres))) == NULL) {
		log_msg(LOG_ERROR, "reload: out of memory; old policy stays");
		free(ncfg);
		metrics_reload(metrics_reg, 0, (int64_t)time(NULL));
		return;
	}
	if (cfg_load_file(main_st.cfg_path, ncfg, err, sizeof(err)) == -1) {
		log_msg(LOG_ERROR, "reload refused: %s; old policy stays", err);
		goto drop;
	}
	if (set_resolve(&main_args, main_getenv, NULL, ncfg, nres, err,
	    sizeof(err)) == -1) {
		log_msg(LOG_ERROR, "reload refused: %s; old policy stays", err);
		goto drop_cfg;
	}
	if (!main_same_listeners(main_st.cfg, ncfg, err, sizeof(err))) {
		log_msg(LOG_ERROR, "reload refused: %s (listeners and their "
		    "addresses need a restart); old policy stays", err);
		goto drop_cfg;
	}
	main_reload_settings(nres, ncfg);
	main_body_max(nres, ncfg);
	main_attach_policies(ncfg);
	main_limits(nres, &main_st.limits);
	door_set_limits(&main_st.limits);
	/* Admission is judged again: a narrowed clients list revokes. */
	(void)conn_revalidate();
	if (main_st.cfg != main_boot_cfg) {
		cfg_free(main_st.cfg);
		free(main_st.cfg);
	}
	if (main_st.res != main_boot_res)
		free(main_st.res);
	main_st.cfg = ncfg;
	main_st.res = nres;
	main_tls_reload();
	log_msg(LOG_INFO, "reloaded %s", main_st.cfg_path);
	main_log_policy(ncfg);
	metrics_reload(metrics_reg, 1, (int64_t)time(NULL));
	return;

drop_cfg:
	cfg_free(ncfg);
drop:
	free(ncfg);
	free(nres);
	metrics_reload(metrics_reg, 0, (int64_t)time(NULL));
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

	const char	*addr[LISTEN_MAX];
	struct tls_server *srv[CFG_MAX_LISTENERS];
	struct tls_client *up;
	struct listener	*head;
	size_t		 j;

	for (i = 0; i < main_st.cfg->nlisteners; i++) {
		l = &main_st.cfg->listeners[i];
		for (k = 0; k < l->naddrs; k++) {
			if (main_nlisteners == LISTEN_MAX)
				fatal("too many listen addresses (max %d)",
				    LISTEN_MAX);
			dl = &main_listeners[main_nlisteners];
			addr[main_nlisteners] = l->addrs[k];
			/* A tls:// address another block opened: one
			 * socket, the certificate picks the block. */
			for (j = 0, head = NULL; j < main_nlisteners; j++)
				if (strncmp(l->addrs[k], "tls://", 6) == 0 &&
				    strcmp(addr[j], l->addrs[k]) == 0)
					head = &main_listeners[j];
			if (head != NULL) {
				memset(dl, 0, sizeof(*dl));
				ev_io_init(&dl->io, -1, NULL);
				snprintf(dl->name, sizeof(dl->name), "%s",
				    head->name);
				while (head->next_shared != NULL)
					head = head->next_shared;
				head->next_shared = dl;
				dl->pol = l;
				dl->mx = (unsigned)i;
				main_nlisteners++;
				log_msg(LOG_INFO, "listener %s on %s (shared; "
				    "picked by client certificate)", l->name,
				    dl->name);
				continue;
			}
			if (listen_open(l->addrs[k], l->sock_mode, dl, err,
			    sizeof(err)) == -1)
				fatal("listener %s: %s", l->name, err);
			if (listen_unix_owner(dl, l->sock_uid, l->sock_gid,
			    err, sizeof(err)) == -1)
				fatal("listener %s: %s", l->name, err);
			dl->pol = l;
			dl->mx = (unsigned)i;
			main_nlisteners++;
			log_msg(LOG_INFO, "listener %s on %s", l->name, dl->name);
		}
	}
	main_attach_policies(main_st.cfg);
	main_warn_insecure(main_st.cfg);
	if (main_tls_any) {
		if (main_tls_build(&main_st, srv, &up, err, sizeof(err)) == -1)
			fatal("TLS: %s", err);
		main_tls_apply(srv, up);
		log_msg(LOG_INFO, "TLS: %s", tls_library());
	}
	for (i = 0; i < main_nlisteners; i++)
		if (main_listeners[i].io.fd != -1 &&
		    door_listen(&main_listeners[i]) == -1)
			fatal("epoll: %s", strerror(errno));
}

/* --metrics: its listener, bound now (before privileges drop), and the
 * registry, one series per listener block. */
static void
main_metrics(void)
{
	const struct set_value *v = &main_st.res->v[SET_METRICS];
	const char	*names[CFG_MAX_LISTENERS];
	char		 err[512];
	size_t		 i;

	if (v->text == NULL || v->nitems == 0)
		return;
	for (i = 0; i < main_st.cfg->nlisteners; i++)
		names[i] = main_st.cfg->listeners[i].name;
	if (metrics_srv_start(v->item[0], names, main_st.cfg->nlisteners,
	    main_st.header_timeout_s * 1000, main_st.send_timeout_s * 1000,
	    err, sizeof(err)) == -1)
		fatal("metrics: %s", err);
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

/* Where conn.c connects: the unix socket, or dockerd over TLS. */
static void
main_conn_upstream(struct conn_config *cc)
{
	struct sockaddr_in  *sin = (struct sockaddr_in *)(void *)&cc->up_addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)&cc->up_addr;
	struct set_addr	 a;
	char		 err[256];

	memset(cc, 0, sizeof(*cc));
	if (!main_upstream_is_tls(&main_st)) {
		cc->upstream = main_st.upstream;
		return;
	}
	if (set_addr_parse(main_st.upstream, &a, err, sizeof(err)) == -1)
		fatal("upstream: %s", err);
	cc->up_tcp = 1;
	snprintf(cc->up_name, sizeof(cc->up_name), "%s", main_st.upstream);
	if (a.kind == SET_ADDR_TCP4) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)a.port);
		memcpy(&sin->sin_addr, a.ip, 4);
		cc->up_addrlen = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)a.port);
		memcpy(&sin6->sin6_addr, a.ip, 16);
		cc->up_addrlen = sizeof(*sin6);
	}
}

/* Started as root: switch to --user (default 65534) and confine. */
static void
main_sandbox(void)
{
	struct sandbox_opts so;
	const char	*unix_paths[LISTEN_MAX + 1];
	size_t		 i;

	memset(&so, 0, sizeof(so));
	so.uid = main_st.uid;
	so.upstream = main_st.upstream;
	so.config_path = main_st.cfg_path;
	for (i = 0; i < main_nlisteners; i++)
		if (main_listeners[i].is_unix)
			unix_paths[so.n_unix++] = main_listeners[i].unix_path;
	if (metrics_srv_unix_path() != NULL)
		unix_paths[so.n_unix++] = metrics_srv_unix_path();
	so.unix_paths = unix_paths;
	/* SOCKWARD_SANDBOX=0 is for debugging under valgrind or strace,
	 * which cannot run inside a seccomp filter; the environment is
	 * trusted (docs/THREAT_MODEL.md). */
	so.enable_seccomp = so.enable_landlock = 1;
	if (!main_st.sandbox) {
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
	int		 first, timeout;

	if (argc > 1 && (strcmp(argv[1], "explain") == 0 ||
	    strcmp(argv[1], "check") == 0 || strcmp(argv[1], "profiles") == 0 ||
	    strcmp(argv[1], "health") == 0 ||
	    strcmp(argv[1], "settings") == 0)) {
		cmd = argv[1];
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	first = main_parse_opts(argc, argv);
	if (main_markdown && (cmd == NULL || strcmp(cmd, "profiles") != 0))
		main_usage_exit("--markdown goes with profiles");
	if (cmd != NULL && strcmp(cmd, "profiles") == 0)
		return main_profiles(argc - first, argv + first);
	if (cmd != NULL && strcmp(cmd, "settings") == 0)
		return main_settings(argc - first, argv + first);
	if (cmd != NULL && strcmp(cmd, "check") == 0) {
		if (argc - first > 1)
			main_usage_exit("check takes at most one FILE");
		file = argc - first == 1 ? argv[first] : NULL;
	}
	log_init(LOG_FMT_TEXT, LOG_INFO);
	main_prepare(&main_st, file, cmd != NULL);
	log_init(main_st.log_format, main_st.log_level);
	if (cmd != NULL && strcmp(cmd, "check") == 0) {
		/* TLS files first: an expired certificate prints nothing
		 * that looks like success. */
		main_tls_load(&main_st);
		main_tls_check(&main_st);
		return main_check(&main_st);
	}
	if (cmd != NULL && strcmp(cmd, "health") == 0)
		return main_health(&main_st, argc - first, argv + first);
	if (cmd != NULL)
		return main_explain(&main_st, main_listener, argc - first,
		    argv + first);
	if (first != argc)
		main_usage_exit("unexpected operand");
	main_boot_cfg = main_st.cfg;
	main_boot_res = main_st.res;

	main_raise_nofile();
	if (ev_init() == -1)
		fatal("epoll: %s", strerror(errno));
	ev_io_init(&sigio, main_signals(), main_signal_cb);
	if (ev_io_set(&sigio, EV_READ) == -1)
		fatal("epoll: %s", strerror(errno));

	main_conn_upstream(&cc);
	cc.header_timeout_ms = main_st.header_timeout_s * 1000;
	cc.idle_timeout_ms = main_st.idle_timeout_s * 1000;
	cc.body_timeout_ms = main_st.body_timeout_s * 1000;
	cc.send_timeout_ms = main_st.send_timeout_s * 1000;
	cc.limits = main_st.limits;
	conn_setup(&cc);

	log_msg(LOG_INFO, "sockward %s starting%s%s", SOCKWARD_VERSION,
	    main_st.cfg_path ? " with " : "", main_st.cfg_path ?
	    main_st.cfg_path : "");
	main_log_policy(main_st.cfg);
	main_tls_load(&main_st);
	main_open_listeners();
	main_metrics();
	if (!main_upstream_is_tls(&main_st))
		main_check_upstream(main_st.upstream);
	if (log_nonblocking() == -1)
		log_msg(LOG_WARN, "log: cannot open the log output "
		    "non-blocking (%s): a stalled log reader would stall "
		    "sockward", strerror(errno));
	/* Before the sandbox: the keeper keeps root's right to read. */
	(void)keeper_start();
	main_sandbox();
	log_msg(LOG_INFO, "forwarding allowed requests to %s%s",
	    main_upstream_is_tls(&main_st) ? "" : "unix://", main_st.upstream);

	for (;;) {
		now = ev_now_ms();
		conn_expire(now);
		metrics_srv_expire(now);
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
		timeout = metrics_srv_timeout(now, conn_next_timeout(now));
		if (main_stopping) {
			int left = (int)(drain_deadline - now);
			if (timeout == -1 || timeout > left)
				timeout = left;
		}
		log_flush();	/* this pass's access lines, one write */
		/* Lines the log output could not take yet: retry soon. */
		if (log_pending() && (timeout == -1 ||
		    timeout > MAIN_LOG_RETRY_MS))
			timeout = MAIN_LOG_RETRY_MS;
		if (ev_run_once(timeout) == -1)
			fatal("epoll_wait: %s", strerror(errno));
		conn_reap();
	}
	metrics_srv_close();
	log_msg(LOG_INFO, "exiting with %zu connections open", conn_count());
	return 0;
}
