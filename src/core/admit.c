/*
 * admit.c - client admission: source networks for TCP listeners, peer
 * credentials for unix listeners, certificate names for TLS listeners.
 *
 * Pure.  inet_pton and inet_ntop are libc text conversions; nothing here
 * opens a socket.
 */
#include <arpa/inet.h>
#include <sys/socket.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "admit.h"

#define ADMIT_ID_MAX	4294967294UL	/* (uint32_t)-1 means "no id" */

static const uint8_t admit_mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* Does addr match net (same family assumed)?  Compares prefix bits. */
static int
admit_net_match(const struct admit_net *n, const uint8_t *addr)
{
	unsigned full = n->prefix / 8, rest = n->prefix % 8;
	uint8_t mask;

	if (memcmp(n->addr, addr, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (uint8_t)(0xff << (8 - rest));
	return (addr[full] & mask) == n->addr[full];
}

/* Parse a decimal prefix length "0".."max"; no sign, no leading zero. */
static int
admit_parse_prefix(const char *s, unsigned max, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	if (s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 3)
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

int
admit_add_net(struct admit *a, const char *cidr, const char **reason)
{
	struct admit_net n;
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash, *why;
	size_t alen, i, bytes;
	unsigned max, bit;

	memset(&n, 0, sizeof(n));
	if (a == NULL || cidr == NULL || cidr[0] == '\0') {
		why = "empty network";
		goto fail;
	}
	slash = strchr(cidr, '/');
	alen = slash != NULL ? (size_t)(slash - cidr) : strlen(cidr);
	if (alen == 0 || alen >= sizeof(addr)) {
		why = "not an IPv4 or IPv6 address";
		goto fail;
	}
	memcpy(addr, cidr, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, n.addr) == 1) {
		n.family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, n.addr) == 1) {
		n.family = 6;
		max = 128;
	} else {
		why = addr[0] == '[' ? "write IPv6 networks without brackets" :
		    "not an IPv4 or IPv6 address";
		goto fail;
	}
	if (slash == NULL)
		n.prefix = max;
	else if (admit_parse_prefix(slash + 1, max, &n.prefix) == -1) {
		why = n.family == 4 ? "prefix length must be 0 to 32" :
		    "prefix length must be 0 to 128";
		goto fail;
	}
	/* Clients in ::ffff:0:0/96 are judged as IPv4, so such a network
	 * could never match: say how to write it instead. */
	if (n.family == 6 && n.prefix >= 96 &&
	    memcmp(n.addr, admit_mapped_prefix, 12) == 0) {
		why = "IPv4-mapped IPv6 network: write it as IPv4";
		goto fail;
	}
	bytes = n.family == 4 ? 4 : 16;
	for (bit = n.prefix; bit < bytes * 8; bit++) {
		if (n.addr[bit / 8] & (0x80u >> (bit % 8))) {
			why = "address has bits set beyond the prefix length "
			    "(write the network address, e.g. 10.0.0.0/8)";
			goto fail;
		}
	}
	for (i = 0; i < a->nnets; i++)
		if (a->nets[i].family == n.family &&
		    a->nets[i].prefix == n.prefix &&
		    memcmp(a->nets[i].addr, n.addr, 16) == 0)
			return 0;	/* already listed */
	if (a->nnets >= ADMIT_MAX) {
		why = "too many networks (at most 32 per listener)";
		goto fail;
	}
	a->nets[a->nnets++] = n;
	return 0;

fail:
	if (reason != NULL)
		*reason = why;
	return -1;
}

/* Parse a decimal id 0..4294967294 (digits only). */
static int
admit_parse_id(const char *s, uint32_t *out)
{
	unsigned long long v = 0;
	size_t i;

	if (s == NULL || s[0] == '\0')
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 10)
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > ADMIT_ID_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int
admit_add_id(uint32_t *ids, size_t *nids, const char *num, const char *bad,
    const char *full, const char **reason)
{
	uint32_t v;
	size_t i;

	if (admit_parse_id(num, &v) == -1) {
		if (reason != NULL)
			*reason = bad;
		return -1;
	}
	for (i = 0; i < *nids; i++)
		if (ids[i] == v)
			return 0;	/* already listed */
	if (*nids >= ADMIT_MAX) {
		if (reason != NULL)
			*reason = full;
		return -1;
	}
	ids[(*nids)++] = v;
	return 0;
}

int
admit_add_uid(struct admit *a, const char *num, const char **reason)
{
	if (a == NULL) {
		if (reason != NULL)
			*reason = "no admission list";
		return -1;
	}
	return admit_add_id(a->uids, &a->nuids, num,
	    "uid must be a number from 0 to 4294967294",
	    "too many uids (at most 32 per listener)", reason);
}

int
admit_add_gid(struct admit *a, const char *num, const char **reason)
{
	if (a == NULL) {
		if (reason != NULL)
			*reason = "no admission list";
		return -1;
	}
	return admit_add_id(a->gids, &a->ngids, num,
	    "gid must be a number from 0 to 4294967294",
	    "too many gids (at most 32 per listener)", reason);
}

int
admit_tcp(const struct admit *a, int family, const uint8_t *addr)
{
	size_t i;

	if (a == NULL || addr == NULL || (family != 4 && family != 6))
		return 0;
	if (a->nnets == 0)
		return 1;
	if (family == 6 && memcmp(addr, admit_mapped_prefix, 12) == 0) {
		family = 4;
		addr += 12;
	}
	for (i = 0; i < a->nnets; i++)
		if (a->nets[i].family == family &&
		    admit_net_match(&a->nets[i], addr))
			return 1;
	return 0;
}

int
admit_unix(const struct admit *a, uint32_t uid, uint32_t gid)
{
	size_t i;

	if (a == NULL)
		return 0;
	if (a->nuids == 0 && a->ngids == 0)
		return 1;
	for (i = 0; i < a->nuids; i++)
		if (a->uids[i] == uid)
			return 1;
	for (i = 0; i < a->ngids; i++)
		if (a->gids[i] == gid)
			return 1;
	return 0;
}

/* Append s to dst[0..cap) at *len; truncates, always NUL-terminated. */
/* The SAN prefixes, by kind (ADMIT_CN has none). */
static const char *const admit_san_prefix[] = {
	[ADMIT_CN] = "", [ADMIT_SAN_DNS] = "dns:", [ADMIT_SAN_IP] = "ip:",
	[ADMIT_SAN_URI] = "uri:", [ADMIT_SAN_EMAIL] = "email:",
};

/* A name fit for the config file and the log as it is: printable ASCII,
 * no blank, no quote, backslash or '#' (so it needs no quoting). */
static int
admit_name_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == '"' || s[i] == '\'' ||
		    s[i] == '\\' || s[i] == '#')
			return 0;
	return i > 0 && i < ADMIT_NAME_MAX;
}

int
admit_add_cert(struct admit *a, enum admit_cert_kind kind, const char *text,
    const char **reason)
{
	struct admit_name n;
	unsigned char ip[16];
	size_t	 i, plen;

	memset(&n, 0, sizeof(n));
	if (kind == ADMIT_CN) {
		n.kind = ADMIT_CN;
	} else {
		for (i = ADMIT_SAN_DNS; i <= ADMIT_SAN_EMAIL; i++) {
			plen = strlen(admit_san_prefix[i]);
			if (strncasecmp(text, admit_san_prefix[i], plen) == 0)
				break;
		}
		if (i > ADMIT_SAN_EMAIL) {
			*reason = "a SAN is dns:NAME, ip:ADDR, uri:URI or "
			    "email:ADDR";
			return -1;
		}
		n.kind = (enum admit_cert_kind)i;
		text += plen;
	}
	if (!admit_name_ok(text)) {
		*reason = "a certificate name is 1 to 255 printable ASCII "
		    "characters without blanks, quotes, '\\' or '#'";
		return -1;
	}
	if (strchr(text, '*') != NULL && n.kind != ADMIT_SAN_URI) {
		*reason = "no wildcards: name each certificate";
		return -1;
	}
	if (n.kind == ADMIT_SAN_IP) {
		if (inet_pton(AF_INET, text, ip) == 1)
			inet_ntop(AF_INET, ip, n.value, sizeof(n.value));
		else if (inet_pton(AF_INET6, text, ip) == 1)
			inet_ntop(AF_INET6, ip, n.value, sizeof(n.value));
		else {
			*reason = "ip: needs a numeric IPv4 or IPv6 address";
			return -1;
		}
	} else
		snprintf(n.value, sizeof(n.value), "%s", text);
	for (i = 0; i < a->ncerts; i++)
		if (a->certs[i].kind == n.kind &&
		    strcmp(a->certs[i].value, n.value) == 0)
			return 0;
	if (a->ncerts == ADMIT_MAX) {
		*reason = "too many certificate names (at most 32)";
		return -1;
	}
	a->certs[a->ncerts++] = n;
	return 0;
}

/* Does configured name c equal certificate name v of the same kind? */
static int
admit_name_eq(enum admit_cert_kind kind, const char *c, const char *v)
{
	unsigned char a[16], b[16];

	switch (kind) {
	case ADMIT_SAN_DNS:
	case ADMIT_SAN_EMAIL:
		return strcasecmp(c, v) == 0;
	case ADMIT_SAN_IP:
		if (inet_pton(AF_INET, c, a) == 1)
			return inet_pton(AF_INET, v, b) == 1 &&
			    memcmp(a, b, 4) == 0;
		return inet_pton(AF_INET6, c, a) == 1 &&
		    inet_pton(AF_INET6, v, b) == 1 && memcmp(a, b, 16) == 0;
	default:
		return strcmp(c, v) == 0;
	}
}

int
admit_cert(const struct admit *a, const struct admit_cert *id)
{
	size_t i, k;

	if (a->ncerts == 0)
		return 1;
	if (id == NULL)
		return 0;
	for (i = 0; i < a->ncerts; i++) {
		if (a->certs[i].kind == ADMIT_CN) {
			if (id->cn[0] != '\0' &&
			    strcmp(a->certs[i].value, id->cn) == 0)
				return 1;
			continue;
		}
		for (k = 0; k < id->nsan && k < ADMIT_CERT_NAMES; k++)
			if (id->san[k].kind == a->certs[i].kind &&
			    admit_name_eq(a->certs[i].kind, a->certs[i].value,
			    id->san[k].value))
				return 1;
	}
	return 0;
}

static void
admit_cat(char *dst, size_t cap, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + 1 >= cap)
		return;
	if (n > cap - 1 - *len)
		n = cap - 1 - *len;
	memcpy(dst + *len, s, n);
	*len += n;
	dst[*len] = '\0';
}

static void
admit_ids_str(const char *kw, const uint32_t *ids, size_t n, char *dst,
    size_t cap, size_t *len)
{
	char num[16];
	size_t i;

	if (n == 0)
		return;
	if (*len > 0)
		admit_cat(dst, cap, len, "\n");
	admit_cat(dst, cap, len, kw);
	for (i = 0; i < n; i++) {
		snprintf(num, sizeof(num), " %lu", (unsigned long)ids[i]);
		admit_cat(dst, cap, len, num);
	}
}

/* "cert-cn A B" (cn) or "cert-san dns:x ip:y" (!cn), after a newline. */
static void
admit_certs_str(const struct admit *a, int cn, char *dst, size_t cap,
    size_t *len)
{
	size_t i, n = 0;

	for (i = 0; i < a->ncerts; i++) {
		if ((a->certs[i].kind == ADMIT_CN) != cn)
			continue;
		if (n++ == 0) {
			if (*len > 0)
				admit_cat(dst, cap, len, "\n");
			admit_cat(dst, cap, len, cn ? "cert-cn" : "cert-san");
		}
		admit_cat(dst, cap, len, " ");
		admit_cat(dst, cap, len, admit_san_prefix[a->certs[i].kind]);
		admit_cat(dst, cap, len, a->certs[i].value);
	}
}

char *
admit_str(const struct admit *a, char *dst, size_t cap)
{
	char addr[INET6_ADDRSTRLEN], pfx[8];
	const struct admit_net *n;
	size_t len = 0, i;

	if (dst == NULL || cap == 0)
		return dst;
	dst[0] = '\0';
	if (a == NULL)
		return dst;
	if (a->nnets > 0)
		admit_cat(dst, cap, &len, "clients");
	for (i = 0; i < a->nnets; i++) {
		n = &a->nets[i];
		if (inet_ntop(n->family == 4 ? AF_INET : AF_INET6, n->addr,
		    addr, sizeof(addr)) == NULL)
			snprintf(addr, sizeof(addr), "?");
		admit_cat(dst, cap, &len, " ");
		admit_cat(dst, cap, &len, addr);
		if (n->prefix != (n->family == 4 ? 32u : 128u)) {
			snprintf(pfx, sizeof(pfx), "/%u", n->prefix);
			admit_cat(dst, cap, &len, pfx);
		}
	}
	admit_ids_str("peer-uid", a->uids, a->nuids, dst, cap, &len);
	admit_ids_str("peer-gid", a->gids, a->ngids, dst, cap, &len);
	admit_certs_str(a, 1, dst, cap, &len);
	admit_certs_str(a, 0, dst, cap, &len);
	return dst;
}
