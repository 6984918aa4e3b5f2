/*
 * admit.h - client admission per listener: source networks for TCP, peer
 * credentials (SO_PEERCRED) for unix sockets.
 *
 * Pure.  An empty list admits everyone of that kind; a listener with any
 * entry admits only what some entry matches.
 */
#ifndef SOCKWARD_ADMIT_H
#define SOCKWARD_ADMIT_H

#include <stddef.h>
#include <stdint.h>

#define ADMIT_MAX 32
#define ADMIT_STR_MAX 2560	/* admit_str of a full list fits */

struct admit_net {
	int		 family;	/* 4 or 6 */
	uint8_t		 addr[16];	/* network bytes, masked */
	unsigned	 prefix;	/* 0..32 or 0..128 */
};

struct admit {
	struct admit_net nets[ADMIT_MAX];
	size_t		 nnets;
	uint32_t	 uids[ADMIT_MAX];
	size_t		 nuids;
	uint32_t	 gids[ADMIT_MAX];
	size_t		 ngids;
};

/*
 * Add "ADDR/PREFIX" or a bare address (host route) to a: IPv4 dotted quad
 * or IPv6 (no brackets).  Host bits set beyond the prefix are refused
 * (write 10.0.0.0/8, not 10.1.2.3/8), and so are IPv4-mapped networks
 * (::ffff:a.b.c.d/96..128: write them as IPv4).  An entry already listed
 * is accepted and not added twice.  Returns 0, or -1 with *reason set.
 */
int	admit_add_net(struct admit *a, const char *cidr, const char **reason);

/* Add a numeric uid / gid.  Returns 0, or -1 with *reason set. */
int	admit_add_uid(struct admit *a, const char *num, const char **reason);
int	admit_add_gid(struct admit *a, const char *num, const char **reason);

/*
 * TCP client: family 4 (addr = 4 bytes) or 6 (16 bytes).  IPv4-mapped IPv6
 * addresses (::ffff:a.b.c.d) are judged as IPv4.  Returns 1 if admitted.
 */
int	admit_tcp(const struct admit *a, int family, const uint8_t *addr);

/* Unix client with peer credentials uid/gid.  With neither uids nor gids
 * configured everyone is admitted; otherwise uid in uids or gid in gids. */
int	admit_unix(const struct admit *a, uint32_t uid, uint32_t gid);

/*
 * Write the admission list as config text to dst[0..cap): up to three
 * statements separated by '\n' ("clients 10.0.0.0/8 ::1", "peer-uid 0 1000",
 * "peer-gid 999"; host routes without a prefix), "" when all lists are
 * empty.  Truncated if cap < ADMIT_STR_MAX.  Returns dst.
 */
char	*admit_str(const struct admit *a, char *dst, size_t cap);

#endif
