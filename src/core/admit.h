/*
 * admit.h - client admission per listener: source networks for TCP, peer
 * credentials (SO_PEERCRED) for unix sockets, certificate names (subject
 * common name, subject alternative names) for TLS.
 *
 * Pure.  An empty list admits everyone of that kind; a listener with any
 * entry admits only what some entry matches.
 */
#ifndef SOCKWARD_ADMIT_H
#define SOCKWARD_ADMIT_H

#include <stddef.h>
#include <stdint.h>

#define ADMIT_MAX 32
#define ADMIT_STR_MAX 12288	/* admit_str of a full list fits */

struct admit_net {
	int		 family;	/* 4 or 6 */
	uint8_t		 addr[16];	/* network bytes, masked */
	unsigned	 prefix;	/* 0..32 or 0..128 */
};

/* Kinds of certificate name: "cert-cn NAME", "cert-san dns:NAME",
 * "ip:ADDR", "uri:URI", "email:ADDR". */
enum admit_cert_kind { ADMIT_CN, ADMIT_SAN_DNS, ADMIT_SAN_IP,
	ADMIT_SAN_URI, ADMIT_SAN_EMAIL };

#define ADMIT_NAME_MAX	256	/* bytes of one name, NUL included */
#define ADMIT_CERT_NAMES 16	/* SANs read from one certificate */

struct admit_name {
	enum admit_cert_kind kind;
	char		 value[ADMIT_NAME_MAX];	/* IP: canonical text */
};

/* What a client certificate says (tls_peer_identity fills it): its
 * subject CN ("" when none) and its first ADMIT_CERT_NAMES SANs. */
struct admit_cert {
	char		 cn[ADMIT_NAME_MAX];
	struct admit_name san[ADMIT_CERT_NAMES];
	size_t		 nsan;
};

struct admit {
	struct admit_net nets[ADMIT_MAX];
	size_t		 nnets;
	uint32_t	 uids[ADMIT_MAX];
	size_t		 nuids;
	uint32_t	 gids[ADMIT_MAX];
	size_t		 ngids;
	struct admit_name certs[ADMIT_MAX];	/* cert-cn, cert-san */
	size_t		 ncerts;
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
 * Add a certificate name: kind ADMIT_CN with the name as text ("cert-cn
 * traefik"), or a SAN "dns:NAME", "ip:ADDR" (IPv4 or IPv6, stored
 * canonical), "uri:URI", "email:ADDR" (kind from the prefix; the kind
 * argument is ignored unless ADMIT_CN).  Names are printable ASCII
 * without blanks, at most ADMIT_NAME_MAX - 1 bytes; no wildcards.
 * Returns 0, or -1 with *reason set.
 */
int	admit_add_cert(struct admit *a, enum admit_cert_kind kind,
	    const char *text, const char **reason);

/*
 * TLS client whose certificate says *id (NULL: it sent none).  With no
 * certificate names configured everyone is admitted; otherwise some
 * configured name must equal one of the certificate's: CN exactly, DNS
 * and email case-insensitively (ASCII), IP by address, URI exactly.
 * Returns 1 if admitted.  (A TLS listener's network list is judged
 * separately, with admit_tcp, at accept.)
 */
int	admit_cert(const struct admit *a, const struct admit_cert *id);

/*
 * Write the admission list as config text to dst[0..cap): up to five
 * statements separated by '\n' ("clients 10.0.0.0/8 ::1", "peer-uid 0 1000",
 * "peer-gid 999", "cert-cn traefik", "cert-san dns:a ip:10.0.0.1"; host
 * routes without a prefix), "" when all lists are empty.  Truncated if cap < ADMIT_STR_MAX.  Returns dst.
 */
char	*admit_str(const struct admit *a, char *dst, size_t cap);

#endif
