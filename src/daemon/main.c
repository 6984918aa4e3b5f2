/*
 * main.c - command line, start-up and the main loop.
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
#include <unistd.h>

#include "canon.h"
#include "conn.h"
#include "ev.h"
#include "http_req.h"
#include "listen.h"
#include "log.h"
#include "profile.h"
#include "rule.h"

#define MAIN_DEFAULT_LISTEN   "tcp://127.0.0.1:2375"
#define MAIN_DEFAULT_UPSTREAM "/var/run/docker.sock"
#define MAIN_DEFAULT_PROFILE  "traefik"
#define MAIN_DRAIN_MS         10000	/* SIGTERM: in-flight requests get this long */

struct main_opts {
	const char	*listen[LISTEN_MAX];
	size_t		 nlisten;
	const char	*upstream;
	const char	*profile;
	const char	*allow[RULE_MAX_RULES];
	size_t		 nallow;
	enum log_format	 log_format;
	enum log_level	 log_level;
	int		 header_timeout_s;
	int		 idle_timeout_s;
};

static struct rule_set	main_rules;
static struct listener	main_listeners[LISTEN_MAX];

static const char main_usage[] =
"usage: sockward [options]\n"
"       sockward explain [options] METHOD TARGET\n"
"\n"
"A Docker socket proxy that lets through only the Engine API calls a\n"
"profile allows and answers everything else with 403.\n"
"\n"
"options:\n"
"  --listen ADDR          listen on ADDR (repeatable): tcp://HOST:PORT,\n"
"                         tcp://[IPv6]:PORT, tcp://*:PORT or unix:///path\n"
"                         (default " MAIN_DEFAULT_LISTEN ")\n"
"  --upstream PATH        Docker socket to forward to\n"
"                         (default " MAIN_DEFAULT_UPSTREAM ")\n"
"  --profile NAME         built-in rule set: traefik (default) or none\n"
"  --allow 'METHODS PATTERN'\n"
"                         also allow these requests (repeatable), e.g.\n"
"                         --allow 'POST /containers/{id}/exec'\n"
"  --log-format text|json access and event log format (default text)\n"
"  --log-level LEVEL      debug, info (default), warn or error\n"
"  --header-timeout SECS  time allowed to send a request head (default 10)\n"
"  --idle-timeout SECS    idle keep-alive connections are closed after\n"
"                         SECS (default 60); streams are never cut\n"
"  --version              print the version and exit\n"
"  --help                 print this help and exit\n"
"\n"
"explain prints the verdict for METHOD TARGET and the rule that decided\n"
"it; exit status 0 means allowed, 1 denied, 2 a usage error.\n";

enum { OPT_LISTEN = 256, OPT_UPSTREAM, OPT_PROFILE, OPT_ALLOW, OPT_LOG_FORMAT,
	OPT_LOG_LEVEL, OPT_HEADER_TIMEOUT, OPT_IDLE_TIMEOUT, OPT_VERSION,
	OPT_HELP };

static const struct option main_longopts[] = {
	{ "listen",		required_argument, NULL, OPT_LISTEN },
	{ "upstream",		required_argument, NULL, OPT_UPSTREAM },
	{ "profile",		required_argument, NULL, OPT_PROFILE },
	{ "allow",		required_argument, NULL, OPT_ALLOW },
	{ "log-format",		required_argument, NULL, OPT_LOG_FORMAT },
	{ "log-level",		required_argument, NULL, OPT_LOG_LEVEL },
	{ "header-timeout",	required_argument, NULL, OPT_HEADER_TIMEOUT },
	{ "idle-timeout",	required_argument, NULL, OPT_IDLE_TIMEOUT },
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

static int
main_seconds(const char *s)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < 1 || v > 86400)
		main_usage_exit("timeouts are whole seconds from 1 to 86400");
	return (int)v;
}

/* Parse options into *o; returns the index of the first operand. */
static int
main_parse_opts(int argc, char **argv, struct main_opts *o)
{
	int	ch;

	while ((ch = getopt_long(argc, argv, "", main_longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_LISTEN:
			if (o->nlisten == LISTEN_MAX)
				main_usage_exit("too many --listen addresses");
			o->listen[o->nlisten++] = optarg;
			break;
		case OPT_UPSTREAM:
			o->upstream = strncmp(optarg, "unix://", 7) == 0 ?
			    optarg + 7 : optarg;
			break;
		case OPT_PROFILE:
			o->profile = optarg;
			break;
		case OPT_ALLOW:
			if (o->nallow == RULE_MAX_RULES)
				main_usage_exit("too many --allow rules");
			o->allow[o->nallow++] = optarg;
			break;
		case OPT_LOG_FORMAT:
			if (log_format_parse(optarg, &o->log_format) == -1)
				main_usage_exit("--log-format must be text or json");
			break;
		case OPT_LOG_LEVEL:
			if (log_level_parse(optarg, &o->log_level) == -1)
				main_usage_exit("--log-level must be debug, info, "
				    "warn or error");
			break;
		case OPT_HEADER_TIMEOUT:
			o->header_timeout_s = main_seconds(optarg);
			break;
		case OPT_IDLE_TIMEOUT:
			o->idle_timeout_s = main_seconds(optarg);
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

/* Build the rule set: the profile's rules, then each --allow in order. */
static void
main_build_rules(const struct main_opts *o)
{
	const struct profile *p;
	struct rule	 r;
	const char	*why;
	size_t		 i;

	if ((p = profile_find(o->profile)) == NULL) {
		fprintf(stderr, "sockward: unknown profile '%s'; built-in "
		    "profiles:", o->profile);
		for (i = 0; profile_all()[i] != NULL; i++)
			fprintf(stderr, " %s", profile_all()[i]->name);
		fputc('\n', stderr);
		exit(2);
	}
	snprintf(main_rules.name, sizeof(main_rules.name), "%s", p->name);
	if (profile_load(p, &main_rules) == -1)
		fatal("profile %s does not load", p->name);
	for (i = 0; i < o->nallow; i++) {
		if (rule_parse(o->allow[i], RULE_ALLOW, &r, &why) == -1) {
			fprintf(stderr, "sockward: --allow '%s': %s\n",
			    o->allow[i], why);
			exit(2);
		}
		if (rule_set_add(&main_rules, &r, "--allow") == -1) {
			fprintf(stderr, "sockward: too many rules\n");
			exit(2);
		}
	}
}

/* `sockward explain METHOD TARGET`: judge one request, no network. */
static int
main_explain(int argc, char **argv)
{
	struct canon_target t;
	const struct rule *r;
	const char	*why;
	char		 out[3 * REQ_MAX_TARGET + 64];
	long		 n;
	int		 m;

	if (argc != 2)
		main_usage_exit("explain needs METHOD and TARGET");
	for (m = 0; m < REQ_M_COUNT; m++)
		if (strcmp(argv[0], req_method_name((enum req_method)m)) == 0)
			break;
	if (m == REQ_M_COUNT) {
		printf("reject %s %s\n  status: 501 (method not implemented; "
		    "methods are case-sensitive)\n", argv[0], argv[1]);
		return 1;
	}
	if (canon_target(argv[1], strlen(argv[1]), &t, &why) == -1) {
		printf("reject %s %s\n  status: 400 (%s)\n", argv[0], argv[1],
		    why);
		return 1;
	}
	r = rule_match(&main_rules, (enum req_method)m, t.path);
	if (r == NULL || r->action != RULE_ALLOW) {
		printf("deny %s %s\n", argv[0], t.path);
		if (r != NULL)
			printf("  rule: %s #%d: deny %s\n", r->origin, r->index,
			    r->text);
		else
			printf("  rule: none matched (default deny, profile "
			    "%s)\n", main_rules.name);
		printf("  status: 403\n");
		return 1;
	}
	n = canon_serialize(&t, out, sizeof(out));
	printf("allow %s %s\n", argv[0], t.path);
	printf("  rule: %s #%d: %s\n", r->origin, r->index, r->text);
	if (t.version[0] != '\0')
		printf("  api version: %s\n", t.version);
	printf("  forwarded as: %s %.*s\n", argv[0], (int)(n < 0 ? 0 : n), out);
	if (rule_endpoint_hijacks((enum req_method)m, t.path))
		printf("  note: this endpoint may hijack the connection "
		    "(raw stream)\n");
	return 0;
}

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
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		fatal("sigprocmask: %s", strerror(errno));
	if ((fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		fatal("signalfd: %s", strerror(errno));
	return fd;
}

static int	main_stopping;

static void
main_signal_cb(struct ev_io *io, unsigned revents)
{
	struct signalfd_siginfo si;

	(void)revents;
	while (read(io->fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		if (!main_stopping) {
			main_stopping = 1;
			log_msg(LOG_INFO, "signal %u: draining connections "
			    "(up to %d ms), then exiting", si.ssi_signo,
			    MAIN_DRAIN_MS);
		}
}

static void
main_log_rules(void)
{
	size_t	i;
	const struct rule *r;

	log_msg(LOG_INFO, "profile %s: %zu rules, everything else denied",
	    main_rules.name, main_rules.nrules);
	for (i = 0; i < main_rules.nrules; i++) {
		r = &main_rules.rules[i];
		log_msg(LOG_INFO, "rule %zu: %s %s (%s #%d)", i + 1,
		    r->action == RULE_ALLOW ? "allow" : "deny", r->text,
		    r->origin, r->index);
	}
}

int
main(int argc, char **argv)
{
	struct main_opts o;
	struct conn_config cc;
	struct ev_io	 sigio;
	struct stat	 st;
	char		 err[512];
	uint64_t	 now, drain_deadline = 0;
	size_t		 i;
	int		 first, timeout, explain = 0;

	memset(&o, 0, sizeof(o));
	o.upstream = MAIN_DEFAULT_UPSTREAM;
	o.profile = MAIN_DEFAULT_PROFILE;
	o.log_format = LOG_FMT_TEXT;
	o.log_level = LOG_INFO;
	o.header_timeout_s = 10;
	o.idle_timeout_s = 60;

	if (argc > 1 && strcmp(argv[1], "explain") == 0) {
		explain = 1;
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	first = main_parse_opts(argc, argv, &o);
	log_init(o.log_format, o.log_level);
	main_build_rules(&o);
	if (explain)
		return main_explain(argc - first, argv + first);
	if (first != argc)
		main_usage_exit("unexpected operand");
	if (o.nlisten == 0)
		o.listen[o.nlisten++] = MAIN_DEFAULT_LISTEN;

	main_raise_nofile();
	if (ev_init() == -1)
		fatal("epoll: %s", strerror(errno));
	ev_io_init(&sigio, main_signals(), main_signal_cb);
	if (ev_io_set(&sigio, EV_READ) == -1)
		fatal("epoll: %s", strerror(errno));

	cc.upstream = o.upstream;
	cc.rules = &main_rules;
	cc.header_timeout_ms = o.header_timeout_s * 1000;
	cc.idle_timeout_ms = o.idle_timeout_s * 1000;
	conn_setup(&cc);

	log_msg(LOG_INFO, "sockward %s starting", SOCKWARD_VERSION);
	main_log_rules();
	for (i = 0; i < o.nlisten; i++) {
		if (listen_open(o.listen[i], &main_listeners[i], err,
		    sizeof(err)) == -1)
			fatal("%s", err);
		if (conn_listen(&main_listeners[i]) == -1)
			fatal("epoll: %s", strerror(errno));
		log_msg(LOG_INFO, "listening on %s", main_listeners[i].name);
	}
	if (stat(o.upstream, &st) == -1)
		log_msg(LOG_WARN, "upstream %s: %s (requests get 502 until it "
		    "appears)", o.upstream, strerror(errno));
	else if (access(o.upstream, R_OK | W_OK) == -1)
		log_msg(LOG_WARN, "upstream %s is not accessible to uid %u "
		    "gid %u; it belongs to group %u", o.upstream,
		    (unsigned)getuid(), (unsigned)getgid(), (unsigned)st.st_gid);
	log_msg(LOG_INFO, "forwarding allowed requests to unix://%s",
	    o.upstream);

	for (;;) {
		now = ev_now_ms();
		conn_expire(now);
		conn_reap();
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
		if (ev_run_once(timeout) == -1)
			fatal("epoll_wait: %s", strerror(errno));
		conn_reap();
	}
	log_msg(LOG_INFO, "exiting with %zu connections open", conn_count());
	return 0;
}
