/*
 * climit.h - per-client caps on open connections and open streams.
 *
 * Pure: no I/O.  One admitted peer must not hold every descriptor or every
 * dockerd goroutine: each client (a TCP peer address, IPv6 by its /64 as
 * one host usually holds all of it; a unix peer by uid) may hold at most
 * `conns` connections and `streams` open streams or hijacks, and all
 * clients together at most `streams_total` streams.  The caller asks
 * before it opens and tells when it closes; every open that was granted
 * must be closed exactly once.
 *
 * Clients are kept in an open-addressing hash table that holds only those
 * with something open, so its size follows the number of connections; it
 * grows by doubling and never shrinks below its first size.
 */
#ifndef SOCKWARD_CLIMIT_H
#define SOCKWARD_CLIMIT_H

#include <stddef.h>
#include <stdint.h>

enum climit_kind { CLIMIT_IPV4 = 1, CLIMIT_IPV6, CLIMIT_UID };

/* Who a client is.  Build it with climit_key_ipv4/ipv6/uid. */
struct climit_key {
	enum climit_kind kind;
	uint8_t		 b[8];	/* IPv4: 4 bytes; IPv6: the /64; uid: 4 */
};

struct climit_entry {
	struct climit_key key;
	unsigned	 conns;		/* 0: the slot is free */
	unsigned	 streams;
};

/* Limits: 0 means no limit. */
struct climit_limits {
	unsigned	 conns;		/* per client */
	unsigned	 streams;	/* per client: streams and hijacks */
	unsigned	 streams_total;	/* all clients */
};

struct climit {
	struct climit_entry *slot;
	size_t		 cap;		/* power of two, or 0 before the first use */
	size_t		 n;		/* clients with conns > 0 */
	unsigned long	 streams_total;
	struct climit_limits lim;
};

enum climit_verdict {
	CLIMIT_OK = 0,
	CLIMIT_CLIENT_FULL,	/* this client is at its cap */
	CLIMIT_TOTAL_FULL,	/* all clients together are at the cap */
	CLIMIT_NOMEM		/* the table could not grow */
};

/* Keys.  a4: 4 bytes in network order; a6: 16 bytes (an IPv4-mapped
 * address becomes its IPv4 key). */
struct climit_key climit_key_ipv4(const uint8_t a4[4]);
struct climit_key climit_key_ipv6(const uint8_t a6[16]);
struct climit_key climit_key_uid(uint32_t uid);

/* Zero *c and set its limits.  Nothing is allocated until the first open. */
void	climit_init(struct climit *c, const struct climit_limits *lim);

/* New limits for what opens next; what is open stays open (the caller
 * decides whether to close anything). */
void	climit_set_limits(struct climit *c, const struct climit_limits *lim);

/* Release the table.  *c may be climit_init'ed again. */
void	climit_free(struct climit *c);

/*
 * A connection of client k wants to open.  CLIMIT_OK counts it (close it
 * with climit_conn_close); anything else counts nothing.
 */
enum climit_verdict climit_conn_open(struct climit *c,
	    const struct climit_key *k);

/* A counted connection of k closed (its streams must be closed first). */
void	climit_conn_close(struct climit *c, const struct climit_key *k);

/*
 * A connection of k (counted by climit_conn_open) wants to become a
 * stream or hijack.  CLIMIT_OK counts it (close with climit_stream_close);
 * CLIMIT_CLIENT_FULL or CLIMIT_TOTAL_FULL count nothing.
 */
enum climit_verdict climit_stream_open(struct climit *c,
	    const struct climit_key *k);

/* A counted stream of k ended. */
void	climit_stream_close(struct climit *c, const struct climit_key *k);

/* What k holds now (for tests and metrics); NULL when nothing. */
const struct climit_entry *climit_find(const struct climit *c,
	    const struct climit_key *k);

/* Format k for a log line: "192.0.2.1", "2001:db8:1:2::/64", "uid 1000". */
char	*climit_key_str(const struct climit_key *k, char *dst, size_t cap);

#endif
