/*
 * settings.h - every setting of sockward in one table, and the pure
 * resolution of flags, environment, Tecnativa variables, the config file
 * and defaults into the values the daemon runs with.
 *
 * Pure: the environment is read through a lookup callback and the config
 * file arrives parsed, so tests pass tables.  The table is the one source
 * of the option list (getopt), of `sockward settings` and of the settings
 * section of sockward(8).
 *
 * Precedence of a global setting: a flag, a SOCKWARD_* variable, a
 * Tecnativa variable (Tecnativa mode only, which a config file turns
 * off), the config file, the default.  The policy settings (listen,
 * profile, allow, deny, mode, clients, peer-uid, peer-gid) come from the
 * file alone when one is used; flags for them are then an error and their
 * variables are ignored.  Without a file, --allow and SOCKWARD_ALLOW both
 * apply, and so do --deny and SOCKWARD_DENY.
 */
#ifndef SOCKWARD_SETTINGS_H
#define SOCKWARD_SETTINGS_H

#include <stddef.h>

#include "config.h"

#define SET_MAX_ARGS	256		/* flags on one command line */
#define SET_MAX_ITEMS	128		/* items of one list setting */
#define SET_ARENA	(64 * 1024)	/* resolved text, all settings */

enum set_id {
	SET_CONFIG, SET_LISTEN, SET_UPSTREAM, SET_PROFILE, SET_DENY, SET_ALLOW,
	SET_MODE, SET_CLIENTS, SET_PEER_UID, SET_PEER_GID, SET_SOCKET_MODE,
	SET_SOCKET_OWNER, SET_LOG_FORMAT, SET_LOG_LEVEL, SET_HEADER_TIMEOUT,
	SET_IDLE_TIMEOUT, SET_BODY_TIMEOUT, SET_SEND_TIMEOUT,
	SET_CLIENT_CONNS, SET_CLIENT_STREAMS, SET_STREAMS, SET_BODY_MAX,
	SET_BODY_POLICY, SET_HOST_PATH, SET_CAP_ADD, SET_VOLUME_DRIVER,
	SET_REDACT, SET_VISIBLE_LABEL,
	SET_TLS_CERT, SET_TLS_KEY, SET_TLS_CLIENT_CA, SET_TLS_NO_CLIENT_CERT,
	SET_CERT_CN, SET_CERT_SAN,
	SET_UPSTREAM_CA, SET_UPSTREAM_CERT, SET_UPSTREAM_KEY, SET_UPSTREAM_NAME,
	SET_METRICS,
	SET_USER, SET_SANDBOX, SET_COMPAT, SET_N
};

enum set_type {
	SET_T_PATH,		/* absolute path */
	SET_T_ADDRS,		/* listen addresses, see set_addr_parse */
	SET_T_NAMES,		/* profile names */
	SET_T_RULES,		/* rules, rule_parse syntax */
	SET_T_ENUM,		/* one of set_def.values */
	SET_T_NETS,		/* CIDR networks */
	SET_T_IDS,		/* numeric uids or gids */
	SET_T_OCTAL,		/* file mode */
	SET_T_OWNER,		/* UID[:GID] */
	SET_T_INT,		/* integer from set_def.min to set_def.max */
	SET_T_LIST		/* words (host paths, capabilities, drivers),
				   checked where they are used */
};

enum set_src { SET_SRC_DEFAULT, SET_SRC_FLAG, SET_SRC_ENV, SET_SRC_TEC,
	SET_SRC_CONFIG };

struct set_def {
	enum set_id	 id;
	const char	*name;		/* "idle-timeout" */
	const char	*flag;		/* "--idle-timeout", or NULL */
	const char	*env;		/* "SOCKWARD_IDLE_TIMEOUT", or NULL */
	const char	*keyword;	/* config keyword, or NULL */
	const char	*tec;		/* Tecnativa variable, or NULL */
	enum set_type	 type;
	const char	*values;	/* SET_T_ENUM: "text|json" */
	long		 min, max;	/* SET_T_INT */
	const char	*seps;		/* list: separators in a variable */
	const char	*def;		/* default value, or NULL */
	const char	*def_doc;	/* the default as documented */
	int		 per_listener;	/* a listener block statement */
	int		 reload;	/* SIGHUP applies a change */
	const char	*reload_why;	/* why (not) */
	const char	*doc;		/* one line */
};

/* The SET_N rows, row i has id i. */
extern const struct set_def set_table[SET_N];

/* Returns the value of variable name, or NULL when unset. */
typedef const char *(*set_getenv_fn)(void *arg, const char *name);

/* The flags of one command line, in order. */
struct set_args {
	size_t		 n;
	struct {
		enum set_id	 id;
		const char	*text;	/* borrowed: argv */
	}		 a[SET_MAX_ARGS];
};

/*
 * Append flag id with value text (borrowed until the args are dropped).
 * Returns 0, or -1 when SET_MAX_ARGS flags are already there.
 */
int	set_args_add(struct set_args *args, enum set_id id, const char *text);

struct set_value {
	const char	*text;		/* NULL: unset and no default */
	long		 num;		/* SET_T_INT, SET_T_OCTAL; -1 unset */
	enum set_src	 src;
	const char	*origin;	/* "--mode", "SOCKWARD_MODE", "default" */
	size_t		 nitems;	/* lists: the items, split and trimmed */
	const char	*item[SET_MAX_ITEMS];
	const char	*item_origin[SET_MAX_ITEMS];
};

/* Resolved settings: self-contained (text lives in arena). */
struct set_res {
	struct set_value v[SET_N];
	int		 tec;		/* Tecnativa mode (never with a file) */
	const char	*ignored;	/* with a file: a policy variable set
					 * and ignored, or NULL */
	size_t		 used;
	char		 arena[SET_ARENA];
};

/*
 * The config file to read: the last --config in args, else a non-empty
 * SOCKWARD_CONFIG, else NULL.  The pointer is borrowed from args or from
 * what get returned.
 */
const char *set_config_path(const struct set_args *args, set_getenv_fn get,
	    void *arg);

/*
 * Resolve every setting from args, the environment (get(arg, NAME); a
 * SOCKWARD_* variable that is empty counts as unset) and cfg (the parsed
 * config file, or NULL when set_config_path said none), and validate each
 * value: listen addresses with set_addr_parse and set_addr_overlap, the
 * upstream with set_upstream_parse, numbers, enums.  With cfg, the
 * per-listener settings take src SET_SRC_CONFIG and no value (they are in
 * cfg's listener blocks).  Returns 0 with *res filled (it borrows
 * nothing), or -1 with a message in err[0..errlen) naming the flag or
 * variable at fault.
 */
int	set_resolve(const struct set_args *args, set_getenv_fn get, void *arg,
	    const struct cfg *cfg, struct set_res *res, char *err,
	    size_t errlen);

/* "flag", "env", "tecnativa", "config", "default". */
const char *set_src_name(enum set_src src);

/*
 * Print the table, one line per call of out(arg, line): man != 0 gives
 * the roff source of the SETTINGS section of sockward(8), else text.
 */
void	set_print_table(int man, void (*out)(void *arg, const char *line),
	    void *arg);

/* ---- listen addresses and the upstream, shared with config.c ---- */

enum set_addr_kind { SET_ADDR_UNIX, SET_ADDR_TCP4, SET_ADDR_TCP6,
	SET_ADDR_TCP_ANY };

struct set_addr {
	enum set_addr_kind kind;
	int		 tls;		/* tls:// (a TCP kind) */
	unsigned char	 ip[16];	/* network order; 4 bytes for TCP4 */
	unsigned	 port;		/* 1..65535 */
	char		 host[64];	/* numeric host as written, "" for * */
	char		 path[108];	/* SET_ADDR_UNIX */
	char		 text[160];	/* the address as written */
};

/*
 * Parse a listen address: "tcp://HOST:PORT" or "tls://HOST:PORT" (tls set)
 * with a numeric IPv4 address,
 * "[IPv6]" (not IPv4-mapped), "*" or an empty host (every address, IPv6
 * dual-stack with IPv4), port 1 to 65535; or "unix:///PATH", absolute,
 * shorter than 108 bytes.  Names are refused: sockward resolves none.
 * Returns 0, or -1 with a message naming text in err[0..errlen).
 */
int	set_addr_parse(const char *text, struct set_addr *a, char *err,
	    size_t errlen);

/*
 * Would binding a and b collide?  Returns 0 when not, or 1 with a short
 * reason in *why (static storage): the same unix path, or the same port
 * where the addresses are equal or one is a wildcard covering the other
 * ("*" covers IPv4 and IPv6; 0.0.0.0 every IPv4, [::] every IPv6).
 */
int	set_addr_overlap(const struct set_addr *a, const struct set_addr *b,
	    const char **why);

/*
 * Check an upstream value: an absolute path, or "unix://" and one, or
 * "tls://HOST:PORT" with a numeric IPv4 or [IPv6] address (not a
 * wildcard).  On success returns 0 and *path points into v past "unix://"
 * (for tls://, *path is v itself); else -1 with *why set (static
 * storage).
 */
int	set_upstream_parse(const char *v, const char **path, const char **why);

/* Is a (set_addr_parse'd, TCP) a loopback address (127.0.0.0/8, ::1)?
 * A wildcard is not. */
int	set_addr_loopback(const struct set_addr *a);

#endif
