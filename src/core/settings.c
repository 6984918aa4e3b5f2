/*
 * settings.c - the settings table and its resolution (see settings.h).
 *
 * Pure: inet_pton is a libc text conversion; nothing here touches a file
 * or a socket.  Validation that start-up needs before it binds lives here
 * so that `sockward check`, start-up and the config parser share it.
 */
#include <arpa/inet.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "settings.h"
#include "tecnativa.h"

#define SET_POLICY_CONFLICT "--listen, --profile, --allow, --deny, " \
	"--mode and the other per-listener settings (sockward settings) go " \
	"in the config file when one is used"

/*
 * Reloadable or not, decided per row.  Restart-only settings are those
 * acted on once, before the event loop: sockets bound, permissions set,
 * privileges dropped, the sandbox built, timer lists ordered.
 */
const struct set_def set_table[SET_N] = {
	{ SET_CONFIG, "config", "--config", "SOCKWARD_CONFIG", NULL, NULL,
	    SET_T_PATH, NULL, 0, 0, NULL, NULL, "none", 0, 0,
	    "SIGHUP re-reads the file named at start",
	    "the configuration file, sockward.conf(5); also check FILE" },
	{ SET_LISTEN, "listen", "--listen", "SOCKWARD_LISTEN", "listen",
	    "DISABLE_IPV6", SET_T_ADDRS, NULL, 0, 0, ", \t\n",
	    "tcp://127.0.0.1:2375", "tcp://127.0.0.1:2375; Tecnativa mode: "
	    "tcp://*:2375, or tcp://0.0.0.0:2375 with DISABLE_IPV6=1", 1, 0,
	    "sockets are bound before privileges are dropped; a reload that "
	    "changes them is refused",
	    "addresses to listen on: tcp://HOST:PORT (numeric IPv4, [IPv6] "
	    "or *), tls://HOST:PORT (the same hosts), unix:///PATH" },
	{ SET_UPSTREAM, "upstream", "--upstream", "SOCKWARD_UPSTREAM",
	    "upstream", "SOCKET_PATH", SET_T_PATH, NULL, 0, 0, NULL,
	    "/var/run/docker.sock", "/var/run/docker.sock", 0, 0,
	    "the sandbox (Landlock) admits only the socket named at start",
	    "the Docker socket to forward to, or tls://HOST:PORT of a "
	    "dockerd over TLS" },
	{ SET_PROFILE, "profile", "--profile", "SOCKWARD_PROFILE", "profile",
	    NULL, SET_T_NAMES, NULL, 0, 0, ", \t", "traefik",
	    "traefik; none in Tecnativa mode", 1, 1, "judged per request",
	    "built-in rule sets, listed by sockward profiles" },
	{ SET_DENY, "deny", "--deny", "SOCKWARD_DENY", "deny", NULL,
	    SET_T_RULES, NULL, 0, 0, ";\n", NULL, "none", 1, 1,
	    "judged per request",
	    "deny rules, before any other rule; flag and variable both apply" },
	{ SET_ALLOW, "allow", "--allow", "SOCKWARD_ALLOW", "allow",
	    "the section variables: CONTAINERS, POST, ALLOW_START and others", SET_T_RULES, NULL, 0, 0,
	    ";\n", NULL, "none", 1, 1, "judged per request",
	    "allow rules, after the profiles; flag and variable both apply" },
	{ SET_MODE, "mode", "--mode", "SOCKWARD_MODE", "mode", NULL,
	    SET_T_ENUM, "enforce|audit", 0, 0, NULL, "enforce", "enforce", 1,
	    1, "judged per request",
	    "audit forwards what would be denied and logs it" },
	{ SET_CLIENTS, "clients", NULL, "SOCKWARD_CLIENTS", "clients", NULL,
	    SET_T_NETS, NULL, 0, 0, ", \t\n", NULL, "any", 1, 1,
	    "checked per connection",
	    "networks whose TCP clients are admitted" },
	{ SET_PEER_UID, "peer-uid", NULL, "SOCKWARD_PEER_UID", "peer-uid",
	    NULL, SET_T_IDS, NULL, 0, 0, ", \t\n", NULL, "any", 1, 1,
	    "checked per connection",
	    "uids whose unix-socket clients are admitted" },
	{ SET_PEER_GID, "peer-gid", NULL, "SOCKWARD_PEER_GID", "peer-gid",
	    NULL, SET_T_IDS, NULL, 0, 0, ", \t\n", NULL, "any", 1, 1,
	    "checked per connection",
	    "gids whose unix-socket clients are admitted" },
	{ SET_SOCKET_MODE, "socket-mode", NULL, NULL, "socket-mode", NULL,
	    SET_T_OCTAL, NULL, 0, 0777, NULL, "0660", "0660", 1, 0,
	    "set on the socket file when it is bound",
	    "mode of a unix listener's socket file" },
	{ SET_SOCKET_OWNER, "socket-owner", NULL, NULL, "socket-owner", NULL,
	    SET_T_OWNER, NULL, 0, 0, NULL, NULL, "unchanged", 1, 0,
	    "set on the socket file when it is bound",
	    "owner UID[:GID] of a unix listener's socket file" },
	{ SET_LOG_FORMAT, "log-format", "--log-format", "SOCKWARD_LOG_FORMAT",
	    "log-format", NULL, SET_T_ENUM, "text|json", 0, 0, NULL, "text",
	    "text", 0, 0, "one format per run, so a log reader never sees both",
	    "access and event log format" },
	{ SET_LOG_LEVEL, "log-level", "--log-level", "SOCKWARD_LOG_LEVEL",
	    "log-level", "LOG_LEVEL", SET_T_ENUM, "debug|info|warn|error", 0, 0,
	    NULL, "info", "info", 0, 1, "read at each log line",
	    "least severe level logged" },
	{ SET_HEADER_TIMEOUT, "header-timeout", "--header-timeout",
	    "SOCKWARD_HEADER_TIMEOUT", "header-timeout", NULL, SET_T_INT, NULL,
	    1, 86400, NULL, "10", "10", 0, 0,
	    "timer lists stay in order only with one fixed timeout",
	    "seconds allowed to send a request head" },
	{ SET_IDLE_TIMEOUT, "idle-timeout", "--idle-timeout",
	    "SOCKWARD_IDLE_TIMEOUT", "idle-timeout", NULL, SET_T_INT, NULL,
	    1, 86400, NULL, "60", "60", 0, 0,
	    "timer lists stay in order only with one fixed timeout",
	    "seconds before an idle keep-alive connection is closed" },
	{ SET_BODY_TIMEOUT, "body-timeout", "--body-timeout",
	    "SOCKWARD_BODY_TIMEOUT", "body-timeout", NULL, SET_T_INT, NULL,
	    1, 86400, NULL, "60", "60", 0, 0,
	    "timer lists stay in order only with one fixed timeout",
	    "seconds a request body may stall before 408" },
	{ SET_SEND_TIMEOUT, "send-timeout", "--send-timeout",
	    "SOCKWARD_SEND_TIMEOUT", "send-timeout", NULL, SET_T_INT, NULL,
	    1, 86400, NULL, "60", "60", 0, 0,
	    "timer lists stay in order only with one fixed timeout",
	    "seconds a client may leave answers unread (streams too)" },
	{ SET_CLIENT_CONNS, "client-conns", "--client-conns",
	    "SOCKWARD_CLIENT_CONNS", "client-conns", NULL, SET_T_INT, NULL,
	    0, 1000000, NULL, "256", "256", 0, 1,
	    "applies to connections accepted after the reload",
	    "connections one client address or unix uid may hold; 0: no cap" },
	{ SET_CLIENT_STREAMS, "client-streams", "--client-streams",
	    "SOCKWARD_CLIENT_STREAMS", "client-streams", NULL, SET_T_INT, NULL,
	    0, 1000000, NULL, "128", "128", 0, 1,
	    "applies to streams opened after the reload",
	    "streams and hijacks one client may hold open; 0: no cap" },
	{ SET_STREAMS, "streams", "--streams", "SOCKWARD_STREAMS", "streams",
	    NULL, SET_T_INT, NULL, 0, 1000000, NULL, "1024", "1024", 0, 1,
	    "applies to streams opened after the reload",
	    "streams and hijacks all clients together may hold open; 0: no "
	    "cap" },
	{ SET_BODY_MAX, "body-max", "--body-max", "SOCKWARD_BODY_MAX",
	    "body-max", NULL, SET_T_INT, NULL, 1024, 67108864, NULL,
	    "1048576", "1048576 (1 MiB)", 0, 1,
	    "applies to requests read after the reload",
	    "bytes of a request body the body policy reads whole; 413 "
	    "beyond" },
	{ SET_BODY_POLICY, "body-policy", "--body-policy",
	    "SOCKWARD_BODY_POLICY", "body-policy", NULL, SET_T_ENUM,
	    "no-host-escape|off", 0, 0, NULL, "no-host-escape",
	    "no-host-escape", 1, 1, "judged per request",
	    "how request bodies that can reach the host are judged; a config "
	    "file may name its own body-policy blocks" },
	{ SET_HOST_PATH, "host-path", "--host-path", "SOCKWARD_HOST_PATHS",
	    "host-path", NULL, SET_T_LIST, NULL, 0, 0, ", \t\n", NULL,
	    "none", 1, 1, "judged per request",
	    "host paths bind mounts may use: PATH[:ro|:rw] (read-only by "
	    "default)" },
	{ SET_CAP_ADD, "cap-add", "--cap-add", "SOCKWARD_CAP_ADD", "cap-add",
	    NULL, SET_T_LIST, NULL, 0, 0, ", \t\n", NULL, "none", 1, 1,
	    "judged per request",
	    "capabilities CapAdd may name (NET_ADMIN or CAP_NET_ADMIN)" },
	{ SET_VOLUME_DRIVER, "volume-driver", "--volume-driver",
	    "SOCKWARD_VOLUME_DRIVERS", "volume-driver", NULL, SET_T_LIST,
	    NULL, 0, 0, ", \t\n", NULL, "local only", 1, 1,
	    "judged per request",
	    "volume drivers other than local that volumes may use" },
	{ SET_REDACT, "redact", "--redact", "SOCKWARD_REDACT", "redact", NULL,
	    SET_T_ENUM, "auto|on|off", 0, 0, NULL, "auto",
	    "auto (on unless a profile needs the secrets)", 1, 1,
	    "applies to responses that start after the reload",
	    "blank secrets in responses: container, service and task Env, "
	    "volume and driver options" },
	{ SET_VISIBLE_LABEL, "visible-label", "--visible-label",
	    "SOCKWARD_VISIBLE_LABEL", "visible-label", NULL, SET_T_LIST, NULL,
	    0, 0, ", \t\n", NULL, "none (every container)", 1, 1,
	    "applies to requests that start after the reload",
	    "KEY[=VALUE]: only containers and services with one of these "
	    "labels exist for clients" },
	{ SET_TLS_CERT, "tls-cert", "--tls-cert", "SOCKWARD_TLS_CERT",
	    "tls-cert", NULL, SET_T_PATH, NULL, 0, 0, NULL, NULL, "none", 1, 1,
	    "re-read on SIGHUP (by a helper that kept the right to read it); "
	    "open connections keep their session",
	    "PEM certificate chain of tls:// listeners" },
	{ SET_TLS_KEY, "tls-key", "--tls-key", "SOCKWARD_TLS_KEY", "tls-key",
	    NULL, SET_T_PATH, NULL, 0, 0, NULL, NULL, "none", 1, 1,
	    "re-read on SIGHUP, with the certificate",
	    "PEM private key of tls-cert (read as root, before privileges "
	    "are dropped)" },
	{ SET_TLS_CLIENT_CA, "tls-client-ca", "--tls-client-ca",
	    "SOCKWARD_TLS_CLIENT_CA", "tls-client-ca", NULL, SET_T_PATH, NULL,
	    0, 0, NULL, NULL, "none", 1, 1, "re-read on SIGHUP",
	    "PEM CA bundle: tls:// clients must present a certificate it "
	    "signed" },
	{ SET_TLS_NO_CLIENT_CERT, "insecure-tls-no-client-cert",
	    "--insecure-tls-no-client-cert", "SOCKWARD_INSECURE_TLS_NO_CLIENT_CERT",
	    "insecure-tls-no-client-cert", NULL, SET_T_ENUM, "off|on", 0, 0,
	    NULL, "off", "off", 1, 1, "checked per connection",
	    "on: a tls:// listener beyond loopback accepts clients without a "
	    "certificate (anyone who reaches the port)" },
	{ SET_CERT_CN, "cert-cn", NULL, "SOCKWARD_CERT_CN", "cert-cn", NULL,
	    SET_T_LIST, NULL, 0, 0, ", \t\n", NULL, "any", 1, 1,
	    "checked per connection",
	    "client certificate subject common names admitted on tls://" },
	{ SET_CERT_SAN, "cert-san", NULL, "SOCKWARD_CERT_SAN", "cert-san",
	    NULL, SET_T_LIST, NULL, 0, 0, ", \t\n", NULL, "any", 1, 1,
	    "checked per connection",
	    "client certificate SANs admitted on tls://: dns:NAME, ip:ADDR, "
	    "uri:URI, email:ADDR" },
	{ SET_UPSTREAM_CA, "upstream-ca", "--upstream-ca",
	    "SOCKWARD_UPSTREAM_CA", "upstream-ca", NULL, SET_T_PATH, NULL, 0, 0,
	    NULL, NULL, "none", 0, 1, "re-read on SIGHUP",
	    "PEM CA bundle that signed a tls:// upstream's certificate" },
	{ SET_UPSTREAM_CERT, "upstream-cert", "--upstream-cert",
	    "SOCKWARD_UPSTREAM_CERT", "upstream-cert", NULL, SET_T_PATH, NULL,
	    0, 0, NULL, NULL, "none", 0, 1, "re-read on SIGHUP",
	    "PEM client certificate for a tls:// upstream (dockerd "
	    "--tlsverify)" },
	{ SET_UPSTREAM_KEY, "upstream-key", "--upstream-key",
	    "SOCKWARD_UPSTREAM_KEY", "upstream-key", NULL, SET_T_PATH, NULL, 0,
	    0, NULL, NULL, "none", 0, 1, "re-read on SIGHUP",
	    "PEM private key of upstream-cert" },
	{ SET_UPSTREAM_NAME, "upstream-server-name", "--upstream-server-name",
	    "SOCKWARD_UPSTREAM_SERVER_NAME", "upstream-server-name", NULL,
	    SET_T_LIST, NULL, 0, 0, NULL, NULL, "the upstream's address", 0, 1,
	    "applies to upstream connections opened after the reload",
	    "DNS name (or IP) a tls:// upstream's certificate must carry" },
	{ SET_METRICS, "metrics", "--metrics", "SOCKWARD_METRICS", "metrics",
	    NULL, SET_T_ADDRS, NULL, 0, 0, NULL, NULL, "off", 0, 0,
	    "sockets are bound before privileges are dropped",
	    "serve GET /metrics (Prometheus text format) on this tcp:// or "
	    "unix:// address, apart from the proxy's listeners" },
	{ SET_USER, "user", "--user", "SOCKWARD_USER", NULL, NULL, SET_T_INT,
	    NULL, 0, 4294967294L, NULL, NULL, "65534", 0, 0,
	    "privileges are dropped once, at start",
	    "numeric uid to switch to when started as root; 0 stays root" },
	{ SET_SANDBOX, "sandbox", NULL, "SOCKWARD_SANDBOX", NULL, NULL,
	    SET_T_ENUM, "0|1", 0, 0, NULL, "1", "1", 0, 0,
	    "the sandbox is built once, at start",
	    "0 turns Landlock and seccomp off, for debugging only" },
	{ SET_COMPAT, "compat", NULL, "SOCKWARD_COMPAT", NULL, NULL,
	    SET_T_ENUM, "tecnativa|linuxserver", 0, 0, NULL, NULL, "none", 0,
	    0, "ignored with a config file, the only thing SIGHUP re-reads",
	    "Tecnativa compatibility (case-insensitive); without a config "
	    "file only" },
};

/* A SET_T_INT row counts seconds (the timeouts), not things (the caps). */
static int
set_is_seconds(const struct set_def *d)
{
	return strstr(d->name, "-timeout") != NULL;
}

int
set_args_add(struct set_args *args, enum set_id id, const char *text)
{
	if (args->n == SET_MAX_ARGS)
		return -1;
	args->a[args->n].id = id;
	args->a[args->n].text = text;
	args->n++;
	return 0;
}

const char *
set_src_name(enum set_src src)
{
	switch (src) {
	case SET_SRC_FLAG:
		return "flag";
	case SET_SRC_ENV:
		return "env";
	case SET_SRC_TEC:
		return "tecnativa";
	case SET_SRC_CONFIG:
		return "config";
	default:
		return "default";
	}
}

/* A variable, with empty read as unset. */
static const char *
set_env(set_getenv_fn get, void *arg, const char *name)
{
	const char *v;

	if (get == NULL || name == NULL)
		return NULL;
	v = get(arg, name);
	return v != NULL && v[0] != '\0' ? v : NULL;
}

const char *
set_config_path(const struct set_args *args, set_getenv_fn get, void *arg)
{
	const char *v = NULL;
	size_t i;

	for (i = 0; args != NULL && i < args->n; i++)
		if (args->a[i].id == SET_CONFIG)
			v = args->a[i].text;
	return v != NULL ? v : set_env(get, arg, "SOCKWARD_CONFIG");
}

/* ---- addresses ---- */

int
set_addr_parse(const char *text, struct set_addr *a, char *err,
    size_t errlen)
{
	static const unsigned char v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0xff, 0xff };
	const char *hp, *colon, *portstr;
	size_t hlen, i;
	unsigned long port = 0;

	memset(a, 0, sizeof(*a));
	if (strlen(text) >= sizeof(a->text)) {
		snprintf(err, errlen, "listen address too long (at most %zu "
		    "bytes): %.40s...", sizeof(a->text) - 1, text);
		return -1;
	}
	snprintf(a->text, sizeof(a->text), "%s", text);
	if (strncmp(text, "unix://", 7) == 0) {
		if (text[7] != '/' || strlen(text + 7) >= sizeof(a->path)) {
			snprintf(err, errlen, "unix listener path must be "
			    "absolute and shorter than %zu bytes: %s",
			    sizeof(a->path), text);
			return -1;
		}
		a->kind = SET_ADDR_UNIX;
		snprintf(a->path, sizeof(a->path), "%s", text + 7);
		return 0;
	}
	if (strncmp(text, "tls://", 6) == 0)
		a->tls = 1;
	else if (strncmp(text, "tcp://", 6) != 0) {
		snprintf(err, errlen, "bad listen address (want tcp://HOST:PORT, "
		    "tls://HOST:PORT or unix:///path): %s", text);
		return -1;
	}
	hp = text + 6;
	if (hp[0] == '[') {
		if ((colon = strstr(hp, "]:")) == NULL)
			goto bad;
		hlen = (size_t)(colon - hp - 1);
		portstr = colon + 2;
		if (hlen == 0 || hlen >= sizeof(a->host))
			goto bad;
		memcpy(a->host, hp + 1, hlen);
		if (inet_pton(AF_INET6, a->host, a->ip) != 1) {
			snprintf(err, errlen, "not a numeric IPv6 address in "
			    "[...]: %s", text);
			return -1;
		}
		a->kind = SET_ADDR_TCP6;
	} else {
		if ((colon = strrchr(hp, ':')) == NULL)
			goto bad;
		hlen = (size_t)(colon - hp);
		portstr = colon + 1;
		if (hlen >= sizeof(a->host) || memchr(hp, ':', hlen) != NULL)
			goto bad;
		memcpy(a->host, hp, hlen);
		if (hlen == 0 || strcmp(a->host, "*") == 0) {
			a->host[0] = '\0';
			a->kind = SET_ADDR_TCP_ANY;
		} else if (inet_pton(AF_INET, a->host, a->ip) == 1) {
			a->kind = SET_ADDR_TCP4;
		} else {
			/* Names would need the resolver (NSS); numeric only. */
			snprintf(err, errlen, "listen host must be a numeric "
			    "address, [IPv6] or * (sockward resolves no names): "
			    "%s", text);
			return -1;
		}
	}
	for (i = 0; portstr[i] != '\0'; i++) {
		if (portstr[i] < '0' || portstr[i] > '9' || i >= 5)
			goto bad;
		port = port * 10 + (unsigned long)(portstr[i] - '0');
	}
	if (i == 0)
		goto bad;
	if (port < 1 || port > 65535) {
		snprintf(err, errlen, "listen port must be from 1 to 65535: %s",
		    text);
		return -1;
	}
	/* A v4-mapped address on an IPv6-only socket cannot be bound. */
	if (a->kind == SET_ADDR_TCP6 && memcmp(a->ip, v4mapped, 12) == 0) {
		snprintf(err, errlen, "IPv4-mapped IPv6 address: write the IPv4 "
		    "address instead: %s", text);
		return -1;
	}
	a->port = (unsigned)port;
	return 0;
bad:
	snprintf(err, errlen, "bad listen address (want tcp://HOST:PORT, "
	    "tcp://[V6]:PORT, tls://HOST:PORT or unix:///path): %s", text);
	return -1;
}

static int
set_ip_zero(const struct set_addr *a)
{
	static const unsigned char zero[16];

	return memcmp(a->ip, zero, a->kind == SET_ADDR_TCP4 ? 4 : 16) == 0;
}

int
set_addr_overlap(const struct set_addr *a, const struct set_addr *b,
    const char **why)
{
	const struct set_addr *t;

	if (a->kind == SET_ADDR_UNIX || b->kind == SET_ADDR_UNIX) {
		if (a->kind != b->kind || strcmp(a->path, b->path) != 0)
			return 0;
		*why = "the same socket path twice";
		return 1;
	}
	if (a->port != b->port)
		return 0;
	if (a->kind == SET_ADDR_TCP_ANY || b->kind == SET_ADDR_TCP_ANY) {
		*why = "* takes the port on every IPv4 and IPv6 address";
		return 1;
	}
	if (a->kind != b->kind)
		return 0;
	if (memcmp(a->ip, b->ip, a->kind == SET_ADDR_TCP4 ? 4 : 16) == 0) {
		*why = "the same address twice";
		return 1;
	}
	t = set_ip_zero(a) ? a : set_ip_zero(b) ? b : NULL;
	if (t == NULL)
		return 0;
	*why = t->kind == SET_ADDR_TCP4 ? "0.0.0.0 takes the port on every "
	    "IPv4 address" : "[::] takes the port on every IPv6 address";
	return 1;
}

int
set_addr_loopback(const struct set_addr *a)
{
	static const unsigned char v6lo[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 0, 0, 1 };

	if (a->kind == SET_ADDR_TCP4)
		return a->ip[0] == 127;
	if (a->kind == SET_ADDR_TCP6)
		return memcmp(a->ip, v6lo, 16) == 0;
	return 0;
}

int
set_upstream_parse(const char *v, const char **path, const char **why)
{
	struct set_addr a;
	char	 msg[256];

	if (strncmp(v, "tls://", 6) == 0) {
		if (strlen(v) >= sizeof(((struct cfg *)0)->upstream) ||
		    set_addr_parse(v, &a, msg, sizeof(msg)) == -1 ||
		    a.kind == SET_ADDR_TCP_ANY || set_ip_zero(&a)) {
			*why = "a tls:// upstream is tls://HOST:PORT with a "
			    "numeric IPv4 or [IPv6] address (sockward resolves "
			    "no names)";
			return -1;
		}
		*path = v;
		return 0;
	}
	if (strncmp(v, "unix://", 7) == 0)
		v += 7;
	else if (strstr(v, "://") != NULL) {
		*why = "upstream must be a unix socket path, unix:///path or "
		    "tls://HOST:PORT";
		return -1;
	}
	if (v[0] == '\0') {
		*why = "empty upstream path";
		return -1;
	}
	if (v[0] != '/') {
		*why = "upstream must be an absolute path";
		return -1;
	}
	if (strlen(v) >= sizeof(((struct cfg *)0)->upstream)) {
		*why = "upstream path too long (at most 107 bytes)";
		return -1;
	}
	*path = v;
	return 0;
}

/* ---- resolution ---- */

struct set_ctx {
	const struct set_args *args;
	set_getenv_fn	 get;
	void		*arg;
	const struct cfg *cfg;
	struct set_res	*res;
	char		*err;
	size_t		 errlen;
};

static int set_fail(struct set_ctx *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static int
set_fail(struct set_ctx *x, const char *fmt, ...)
{
	va_list ap;

	if (x->err == NULL || x->errlen == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(x->err, x->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Copy s[0..n) into the arena; NULL when it is full. */
static const char *
set_keep(struct set_res *r, const char *s, size_t n)
{
	char *p;

	if (n + 1 > sizeof(r->arena) - r->used)
		return NULL;
	p = r->arena + r->used;
	memcpy(p, s, n);
	p[n] = '\0';
	r->used += n + 1;
	return p;
}

static int
set_add_item(struct set_ctx *x, struct set_value *v, const char *s, size_t n,
    const char *origin)
{
	const struct set_def *d = &set_table[v - x->res->v];

	if (v->nitems == SET_MAX_ITEMS)
		return set_fail(x, "too many %s values (at most %d)", d->name,
		    SET_MAX_ITEMS);
	if ((v->item[v->nitems] = set_keep(x->res, s, n)) == NULL)
		return set_fail(x, "settings too long");
	v->item_origin[v->nitems++] = origin;
	return 0;
}

/* Split s at any byte of seps into blank-trimmed, non-empty items. */
static int
set_split(struct set_ctx *x, struct set_value *v, const char *s,
    const char *seps, const char *origin)
{
	size_t n;

	if (seps == NULL)
		return set_add_item(x, v, s, strlen(s), origin);
	while (*s != '\0') {
		n = strcspn(s, seps);
		while (n > 0 && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		}
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n > 0 && set_add_item(x, v, s, n, origin) == -1)
			return -1;
		s += n;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s != '\0' && strchr(seps, *s) != NULL)
			s++;
	}
	return 0;
}

/* v->text for a list: the items joined, for display and comparison. */
static int
set_join(struct set_ctx *x, struct set_value *v, const char *sep)
{
	char buf[SET_ARENA / 4];
	size_t i, o = 0, n;

	buf[0] = '\0';
	for (i = 0; i < v->nitems; i++) {
		n = (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s",
		    i > 0 ? sep : "", v->item[i]);
		if (n >= sizeof(buf) - o)
			return set_fail(x, "settings too long");
		o += n;
	}
	if ((v->text = set_keep(x->res, buf, o)) == NULL)
		return set_fail(x, "settings too long");
	return 0;
}

/* Digits only, min..max. */
static int
set_number(const char *s, long min, long max, long *out)
{
	long v = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 10)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (i == 0 || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Is s one of the '|'-separated values (case-insensitive: icase)? */
static const char *
set_enum_find(const char *values, const char *s, int icase)
{
	size_t n = strlen(s), k;

	while (*values != '\0') {
		k = strcspn(values, "|");
		if (k == n && (icase ? strncasecmp(values, s, n) :
		    strncmp(values, s, n)) == 0)
			return values;
		values += k;
		if (*values == '|')
			values++;
	}
	return NULL;
}

/* "a, b or c" from "a|b|c". */
static void
set_enum_words(const char *values, char *buf, size_t len)
{
	size_t i, o = 0, last = strlen(values);

	while (last > 0 && values[last - 1] != '|')
		last--;
	for (i = 0; values[i] != '\0' && o + 5 < len; i++) {
		if (values[i] != '|') {
			buf[o++] = values[i];
			continue;
		}
		if (i + 1 == last) {
			memcpy(buf + o, " or ", 4);
			o += 4;
		} else {
			memcpy(buf + o, ", ", 2);
			o += 2;
		}
	}
	buf[o] = '\0';
}

/* Check and convert a scalar value. */
static int
set_check(struct set_ctx *x, const struct set_def *d, struct set_value *v)
{
	char words[128];
	const char *p, *why;
	long n;

	v->num = -1;
	if (v->text == NULL)
		return 0;
	switch (d->type) {
	case SET_T_ENUM:
		if (d->id == SET_LOG_LEVEL && strcmp(v->text, "warning") == 0)
			p = "warn";	/* an alias the flag always took */
		else
			p = set_enum_find(d->values, v->text,
			    d->id == SET_COMPAT);
		if (p == NULL) {
			set_enum_words(d->values, words, sizeof(words));
			return set_fail(x, "%s must be %s, not '%s'", v->origin,
			    words, v->text);
		}
		if (d->id != SET_COMPAT)
			v->text = set_keep(x->res, p, strcspn(p, "|"));
		break;
	case SET_T_INT:
		if (set_number(v->text, d->min, d->max, &n) == -1) {
			if (d->id == SET_USER)
				return set_fail(x, "%s must be a numeric uid "
				    "from 0 to %ld, not '%s'", v->origin,
				    d->max, v->text);
			return set_fail(x, "%s must be %s from %ld to %ld, "
			    "not '%s'", v->origin, set_is_seconds(d) ?
			    "whole seconds" : "a number", d->min, d->max,
			    v->text);
		}
		v->num = n;
		break;
	case SET_T_PATH:
		if (d->id == SET_UPSTREAM) {
			if (set_upstream_parse(v->text, &p, &why) == -1)
				return set_fail(x, "%s '%s': %s", v->origin,
				    v->text, why);
			v->text = p;
		}
		break;
	default:
		break;
	}
	if (v->text == NULL)
		return set_fail(x, "settings too long");
	return 0;
}

/* Parse every listen item and refuse overlapping pairs. */
static int
set_check_listen(struct set_ctx *x, struct set_value *v)
{
	struct set_addr a[CFG_MAX_ADDRS];
	const char *why;
	char msg[320];
	size_t i, k;

	if (v->nitems > CFG_MAX_ADDRS)
		return set_fail(x, "too many listen addresses from %s (at most "
		    "%d)", v->origin, CFG_MAX_ADDRS);
	for (i = 0; i < v->nitems; i++) {
		if (set_addr_parse(v->item[i], &a[i], msg, sizeof(msg)) == -1)
			return set_fail(x, "%s: %s", v->item_origin[i], msg);
		for (k = 0; k < i; k++)
			if (set_addr_overlap(&a[k], &a[i], &why))
				return set_fail(x, "listen addresses %s and %s "
				    "overlap: %s", a[k].text, a[i].text, why);
	}
	return 0;
}

/* A tls:// upstream needs its CA; the client certificate and key come
 * together; none of them means anything for a unix socket. */
static int
set_check_upstream_tls(struct set_ctx *x)
{
	const struct set_value *v = x->res->v;
	int	 tls = v[SET_UPSTREAM].text != NULL &&
	    strncmp(v[SET_UPSTREAM].text, "tls://", 6) == 0;
	size_t	 i;
	static const enum set_id files[] = { SET_UPSTREAM_CA,
	    SET_UPSTREAM_CERT, SET_UPSTREAM_KEY, SET_UPSTREAM_NAME };

	if (!tls) {
		for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
			if (v[files[i]].src != SET_SRC_DEFAULT)
				return set_fail(x, "%s (from %s) applies to a "
				    "tls:// upstream, and the upstream is %s",
				    set_table[files[i]].name, v[files[i]].origin,
				    v[SET_UPSTREAM].text);
		return 0;
	}
	if (v[SET_UPSTREAM_CA].text == NULL)
		return set_fail(x, "upstream %s: upstream-ca is required (the "
		    "daemon's certificate is always verified)",
		    v[SET_UPSTREAM].text);
	if ((v[SET_UPSTREAM_CERT].text == NULL) !=
	    (v[SET_UPSTREAM_KEY].text == NULL))
		return set_fail(x, "upstream-cert and upstream-key go "
		    "together (%s is set alone, by %s)",
		    v[SET_UPSTREAM_CERT].text != NULL ? "upstream-cert" :
		    "upstream-key", v[SET_UPSTREAM_CERT].text != NULL ?
		    v[SET_UPSTREAM_CERT].origin : v[SET_UPSTREAM_KEY].origin);
	if (v[SET_UPSTREAM_NAME].nitems > 1)
		return set_fail(x, "%s: one server name",
		    v[SET_UPSTREAM_NAME].origin);
	return 0;
}

/* One metrics address, tcp:// or unix://, none of the proxy's. */
static int
set_check_metrics(struct set_ctx *x)
{
	const struct set_value *m = &x->res->v[SET_METRICS];
	const struct set_value *l = &x->res->v[SET_LISTEN];
	struct set_addr a, b;
	const char *why;
	char	 msg[320];
	size_t	 i, j;

	if (m->text == NULL || m->nitems == 0)
		return 0;
	if (m->nitems != 1)
		return set_fail(x, "%s: one address", m->origin);
	if (set_addr_parse(m->item[0], &a, msg, sizeof(msg)) == -1)
		return set_fail(x, "%s: %s", m->origin, msg);
	if (a.tls)
		return set_fail(x, "%s: tcp:// or unix://, not tls://",
		    m->origin);
	for (i = 0; x->cfg == NULL && i < l->nitems; i++)
		if (set_addr_parse(l->item[i], &b, msg, sizeof(msg)) == 0 &&
		    set_addr_overlap(&a, &b, &why))
			return set_fail(x, "metrics %s (%s) overlaps listen "
			    "address %s: %s (metrics are served apart from the "
			    "proxy)", a.text, m->origin, b.text, why);
	for (i = 0; x->cfg != NULL && i < x->cfg->nlisteners; i++)
		for (j = 0; j < x->cfg->listeners[i].naddrs; j++)
			if (set_addr_parse(x->cfg->listeners[i].addrs[j], &b,
			    msg, sizeof(msg)) == 0 &&
			    set_addr_overlap(&a, &b, &why))
				return set_fail(x, "metrics %s (%s) overlaps "
				    "listen address %s of listener \"%s\": %s "
				    "(metrics are served apart from the proxy)",
				    a.text, m->origin, b.text,
				    x->cfg->listeners[i].name, why);
	return 0;
}

/* The config file's value of a global setting, or NULL. */
static const char *
set_from_cfg(const struct cfg *c, enum set_id id, char *buf, size_t len)
{
	switch (id) {
	case SET_UPSTREAM:
		return c->upstream[0] != '\0' ? c->upstream : NULL;
	case SET_LOG_FORMAT:
		return c->log_format[0] != '\0' ? c->log_format : NULL;
	case SET_LOG_LEVEL:
		return c->log_level[0] != '\0' ? c->log_level : NULL;
	case SET_HEADER_TIMEOUT:
		if (c->header_timeout_s <= 0)
			return NULL;
		snprintf(buf, len, "%d", c->header_timeout_s);
		return buf;
	case SET_IDLE_TIMEOUT:
		if (c->idle_timeout_s <= 0)
			return NULL;
		snprintf(buf, len, "%d", c->idle_timeout_s);
		return buf;
	case SET_BODY_TIMEOUT:
		if (c->body_timeout_s <= 0)
			return NULL;
		snprintf(buf, len, "%d", c->body_timeout_s);
		return buf;
	case SET_SEND_TIMEOUT:
		if (c->send_timeout_s <= 0)
			return NULL;
		snprintf(buf, len, "%d", c->send_timeout_s);
		return buf;
	case SET_CLIENT_CONNS:
	case SET_CLIENT_STREAMS:
	case SET_STREAMS:
		if (c->caps[id - SET_CLIENT_CONNS] < 0)
			return NULL;
		snprintf(buf, len, "%ld", c->caps[id - SET_CLIENT_CONNS]);
		return buf;
	case SET_BODY_MAX:
		if (c->body_max < 0)
			return NULL;
		snprintf(buf, len, "%ld", c->body_max);
		return buf;
	case SET_UPSTREAM_CA:
		return c->upstream_ca[0] != '\0' ? c->upstream_ca : NULL;
	case SET_UPSTREAM_CERT:
		return c->upstream_cert[0] != '\0' ? c->upstream_cert : NULL;
	case SET_UPSTREAM_KEY:
		return c->upstream_key[0] != '\0' ? c->upstream_key : NULL;
	case SET_UPSTREAM_NAME:
		return c->upstream_name[0] != '\0' ? c->upstream_name : NULL;
	case SET_METRICS:
		return c->metrics[0] != '\0' ? c->metrics : NULL;
	default:
		return NULL;
	}
}

/* What Tecnativa mode gives a setting, or NULL. */
static const char *
set_from_tec(struct set_ctx *x, enum set_id id)
{
	switch (id) {
	case SET_LISTEN:
		return tec_listen(x->get, x->arg);
	case SET_UPSTREAM:
		return set_env(x->get, x->arg, "SOCKET_PATH");
	case SET_LOG_LEVEL:
		return tec_log_level(set_env(x->get, x->arg, "LOG_LEVEL"));
	default:
		return NULL;
	}
}

static int
set_is_list(const struct set_def *d)
{
	return d->type == SET_T_ADDRS || d->type == SET_T_NAMES ||
	    d->type == SET_T_RULES || d->type == SET_T_NETS ||
	    d->type == SET_T_IDS || d->type == SET_T_LIST;
}

static int
set_one(struct set_ctx *x, const struct set_def *d)
{
	struct set_value *v = &x->res->v[d->id];
	const char *flag = NULL, *env, *t;
	char num[24];
	size_t i, nflags = 0;
	int list = set_is_list(d);
	/* One item per flag, or the flag's value split like the variable. */
	int per_flag = d->type == SET_T_ADDRS || d->type == SET_T_RULES;

	v->num = -1;
	for (i = 0; i < x->args->n; i++)
		if (x->args->a[i].id == d->id) {
			flag = x->args->a[i].text;
			nflags++;
			if (list && per_flag && set_add_item(x, v, flag,
			    strlen(flag), d->flag) == -1)
				return -1;
		}
	env = set_env(x->get, x->arg, d->env);

	if (x->cfg != NULL && d->per_listener) {
		if (nflags > 0)
			return set_fail(x, "%s", SET_POLICY_CONFLICT);
		if (env != NULL && x->res->ignored == NULL)
			x->res->ignored = d->env;
		v->nitems = 0;
		v->src = SET_SRC_CONFIG;
		v->origin = "config file";
		return 0;
	}
	if (nflags > 0) {
		v->src = SET_SRC_FLAG;
		v->origin = d->flag;
		/* Every flag counts: "--host-path /a --host-path /b" is
		 * both, like "--host-path /a,/b". */
		for (i = 0; list && !per_flag && i < x->args->n; i++)
			if (x->args->a[i].id == d->id && set_split(x, v,
			    x->args->a[i].text, d->seps, d->flag) == -1)
				return -1;
		if (!list && (v->text = set_keep(x->res, flag,
		    strlen(flag))) == NULL)
			return set_fail(x, "settings too long");
		/* Rules add up: the variable's come after the flags'. */
		if (d->type != SET_T_RULES || env == NULL)
			goto done;
		return set_split(x, v, env, d->seps, d->env) == -1 ? -1 :
		    set_join(x, v, "; ");
	}
	if (env != NULL) {
		v->src = SET_SRC_ENV;
		v->origin = d->env;
		t = env;
	} else if (x->res->tec && (t = set_from_tec(x, d->id)) != NULL) {
		v->src = SET_SRC_TEC;
		v->origin = d->tec != NULL ? d->tec : "tecnativa";
	} else if (x->cfg != NULL && (t = set_from_cfg(x->cfg, d->id, num,
	    sizeof(num))) != NULL) {
		v->src = SET_SRC_CONFIG;
		v->origin = "config file";
	} else {
		v->src = SET_SRC_DEFAULT;
		v->origin = "default";
		/* Tecnativa mode has no default profile: its rules stand. */
		t = d->id == SET_PROFILE && x->res->tec ? NULL : d->def;
		if (t == NULL)
			goto done;
	}
	if (list) {
		if (set_split(x, v, t, d->seps, v->origin) == -1)
			return -1;
	} else if ((v->text = set_keep(x->res, t, strlen(t))) == NULL)
		return set_fail(x, "settings too long");
done:
	if (list)
		return set_join(x, v, d->type == SET_T_RULES ? "; " : ", ");
	return 0;
}

int
set_resolve(const struct set_args *args, set_getenv_fn get, void *arg,
    const struct cfg *cfg, struct set_res *res, char *err, size_t errlen)
{
	static const struct set_args none;
	struct set_ctx x;
	const struct set_def *d;
	size_t i;

	memset(res, 0, sizeof(*res));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	x.args = args != NULL ? args : &none;
	x.get = get;
	x.arg = arg;
	x.cfg = cfg;
	x.res = res;
	x.err = err;
	x.errlen = errlen;
	/* The file decides: SOCKET_PATH, LOG_LEVEL and the sections too. */
	if (cfg == NULL)
		res->tec = get != NULL && tec_enabled(get, arg);
	else if (get != NULL && tec_enabled(get, arg))
		res->ignored = "Tecnativa variables";
	for (i = 0; i < SET_N; i++) {
		d = &set_table[i];
		if (set_one(&x, d) == -1)
			return -1;
		if (d->id == SET_COMPAT && cfg != NULL)
			continue;	/* not read with a file */
		if (!set_is_list(d) && set_check(&x, d, &res->v[i]) == -1)
			return -1;
	}
	if (cfg == NULL && set_check_listen(&x, &res->v[SET_LISTEN]) == -1)
		return -1;
	if (set_check_upstream_tls(&x) == -1 || set_check_metrics(&x) == -1)
		return -1;
	return 0;
}

/* ---- the table as text and as roff ---- */

/* Escape s for roff: '-' as \-, '\' as \e. */
static void
set_roff(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	for (; *s != '\0' && o + 3 < len; s++) {
		if (*s == '-' || *s == '\\') {
			buf[o++] = '\\';
			buf[o++] = *s == '-' ? '-' : 'e';
		} else
			buf[o++] = *s;
	}
	buf[o] = '\0';
}

static const char *
set_type_doc(const struct set_def *d, char *buf, size_t len)
{
	switch (d->type) {
	case SET_T_PATH:
		return d->id == SET_UPSTREAM ? "absolute path, "
		    "unix:///path or tls://HOST:PORT" : "path";
	case SET_T_ADDRS:
		return "listen addresses";
	case SET_T_NAMES:
		return "profile names";
	case SET_T_RULES:
		return "rules";
	case SET_T_ENUM:
		set_enum_words(d->values, buf, len);
		return buf;
	case SET_T_NETS:
		return "networks (CIDR)";
	case SET_T_IDS:
		return "numeric ids";
	case SET_T_OCTAL:
		return "octal mode";
	case SET_T_OWNER:
		return "UID[:GID]";
	case SET_T_LIST:
		return "list";
	case SET_T_INT:
		if (d->id == SET_USER)
			return "numeric uid";
		snprintf(buf, len, "%s from %ld to %ld", set_is_seconds(d) ?
		    "whole seconds" : "a number", d->min, d->max);
		return buf;
	}
	return "";
}

/* "option --x; variable SOCKWARD_X; ..." for the fields a row has. */
static void
set_where(const struct set_def *d, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	if (d->flag != NULL)
		o += (size_t)snprintf(buf + o, len - o, "option %s", d->flag);
	if (d->env != NULL && o < len)
		o += (size_t)snprintf(buf + o, len - o, "%svariable %s",
		    o > 0 ? "; " : "", d->env);
	if (d->keyword != NULL && o < len)
		o += (size_t)snprintf(buf + o, len - o, "%sconfig %s %s",
		    o > 0 ? "; " : "", d->per_listener ? "listener statement" :
		    "global", d->keyword);
	if (d->tec != NULL && o < len)
		snprintf(buf + o, len - o, "%sTecnativa %s", o > 0 ? "; " : "",
		    d->tec);
}

/* Out one roff text line: escaped, capitalised, never a request. */
static void
set_roff_line(const char *text, void (*out)(void *arg, const char *line),
    void *arg)
{
	char esc[2048], line[2056];

	set_roff(text, esc, sizeof(esc));
	if (esc[0] >= 'a' && esc[0] <= 'z')
		esc[0] = (char)(esc[0] - 'a' + 'A');
	snprintf(line, sizeof(line), "%s%s", esc[0] == '.' || esc[0] == '\'' ?
	    "\\&" : "", esc);
	out(arg, line);
}

void
set_print_table(int man, void (*out)(void *arg, const char *line),
    void *arg)
{
	const struct set_def *d;
	char line[1024], tbuf[128], where[512];
	size_t i;

	for (i = 0; i < SET_N; i++) {
		d = &set_table[i];
		set_where(d, where, sizeof(where));
		if (!man) {
			snprintf(line, sizeof(line), "%-15s %s", d->name,
			    d->doc);
			out(arg, line);
			snprintf(line, sizeof(line), "%-15s %s", "", where);
			out(arg, line);
			snprintf(line, sizeof(line), "%-15s %s; default %s; "
			    "%s: %s", "", set_type_doc(d, tbuf, sizeof(tbuf)),
			    d->def_doc, d->reload ? "reloadable" :
			    "restart only", d->reload_why);
			out(arg, line);
			continue;
		}
		out(arg, ".TP");
		snprintf(line, sizeof(line), ".B %s", d->name);
		set_roff(line, tbuf, sizeof(tbuf));
		/* ".B" itself has no '-' to escape. */
		out(arg, tbuf);
		snprintf(line, sizeof(line), "%s.", d->doc);
		set_roff_line(line, out, arg);
		out(arg, ".br");
		snprintf(line, sizeof(line), "%s.", where);
		set_roff_line(line, out, arg);
		out(arg, ".br");
		snprintf(line, sizeof(line), "%s; default %s; %s: %s.",
		    set_type_doc(d, tbuf, sizeof(tbuf)), d->def_doc,
		    d->reload ? "reloadable" : "restart only", d->reload_why);
		set_roff_line(line, out, arg);
	}
}
