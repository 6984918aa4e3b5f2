/*
 * climit.c - per-client caps on connections and streams (climit.h).
 *
 * Linear probing with backward-shift deletion: no tombstones, so a table
 * that churns through many short-lived clients never degrades.  The load
 * stays at most one half.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "climit.h"

#define CLIMIT_FIRST_CAP 64

struct climit_key
climit_key_ipv4(const uint8_t a4[4])
{
	struct climit_key k;

	memset(&k, 0, sizeof(k));
	k.kind = CLIMIT_IPV4;
	memcpy(k.b, a4, 4);
	return k;
}

struct climit_key
climit_key_ipv6(const uint8_t a6[16])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	struct climit_key k;

	if (memcmp(a6, mapped, sizeof(mapped)) == 0)
		return climit_key_ipv4(a6 + 12);
	memset(&k, 0, sizeof(k));
	k.kind = CLIMIT_IPV6;
	memcpy(k.b, a6, 8);	/* the /64 */
	return k;
}

struct climit_key
climit_key_uid(uint32_t uid)
{
	struct climit_key k;

	memset(&k, 0, sizeof(k));
	k.kind = CLIMIT_UID;
	memcpy(k.b, &uid, sizeof(uid));
	return k;
}

static int
climit_key_eq(const struct climit_key *a, const struct climit_key *b)
{
	return a->kind == b->kind && memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

/* FNV-1a over the key's bytes. */
static size_t
climit_hash(const struct climit_key *k)
{
	uint64_t h = 1469598103934665603ULL;
	size_t	 i;

	h = (h ^ (uint8_t)k->kind) * 1099511628211ULL;
	for (i = 0; i < sizeof(k->b); i++)
		h = (h ^ k->b[i]) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 29));
}

void
climit_init(struct climit *c, const struct climit_limits *lim)
{
	memset(c, 0, sizeof(*c));
	if (lim != NULL)
		c->lim = *lim;
}

void
climit_set_limits(struct climit *c, const struct climit_limits *lim)
{
	c->lim = *lim;
}

void
climit_free(struct climit *c)
{
	free(c->slot);
	c->slot = NULL;
	c->cap = c->n = 0;
	c->streams_total = 0;
}

/* The slot holding k, or the free slot where it would go. */
static size_t
climit_probe(const struct climit *c, const struct climit_key *k)
{
	size_t	 i = climit_hash(k) & (c->cap - 1);

	while (c->slot[i].conns != 0 && !climit_key_eq(&c->slot[i].key, k))
		i = (i + 1) & (c->cap - 1);
	return i;
}

static int
climit_grow(struct climit *c)
{
	struct climit_entry *old = c->slot, *ns;
	size_t	 ocap = c->cap, ncap = c->cap == 0 ? CLIMIT_FIRST_CAP :
		    c->cap * 2, i;

	if ((ns = calloc(ncap, sizeof(*ns))) == NULL)
		return -1;
	c->slot = ns;
	c->cap = ncap;
	for (i = 0; i < ocap; i++)
		if (old[i].conns != 0)
			c->slot[climit_probe(c, &old[i].key)] = old[i];
	free(old);
	return 0;
}

/* The slot of a client with something open, or -1. */
static long
climit_slot(const struct climit *c, const struct climit_key *k)
{
	size_t	 i;

	if (c->cap == 0)
		return -1;
	i = climit_probe(c, k);
	return c->slot[i].conns != 0 ? (long)i : -1;
}

const struct climit_entry *
climit_find(const struct climit *c, const struct climit_key *k)
{
	long	 i = climit_slot(c, k);

	return i >= 0 ? &c->slot[i] : NULL;
}

/* Free slot i and shift later members of its cluster back into place. */
static void
climit_remove(struct climit *c, size_t i)
{
	size_t	 j = i, home;

	c->slot[i].conns = 0;
	for (;;) {
		j = (j + 1) & (c->cap - 1);
		if (c->slot[j].conns == 0)
			break;
		home = climit_hash(&c->slot[j].key) & (c->cap - 1);
		/* Leave j where it is when its home lies cyclically in
		 * (i, j]: the gap at i is not on its probe path. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		c->slot[i] = c->slot[j];
		c->slot[j].conns = 0;
		i = j;
	}
	c->n--;
}

enum climit_verdict
climit_conn_open(struct climit *c, const struct climit_key *k)
{
	size_t	 i;

	if ((c->n + 1) * 2 > c->cap && climit_grow(c) == -1)
		return CLIMIT_NOMEM;
	i = climit_probe(c, k);
	if (c->slot[i].conns == 0) {
		c->slot[i].key = *k;
		c->slot[i].streams = 0;
		c->n++;
	} else if (c->lim.conns != 0 && c->slot[i].conns >= c->lim.conns)
		return CLIMIT_CLIENT_FULL;
	c->slot[i].conns++;
	return CLIMIT_OK;
}

void
climit_conn_close(struct climit *c, const struct climit_key *k)
{
	long	 i = climit_slot(c, k);

	if (i >= 0 && --c->slot[i].conns == 0)	/* -1: never counted */
		climit_remove(c, (size_t)i);
}

enum climit_verdict
climit_stream_open(struct climit *c, const struct climit_key *k)
{
	long	 i = climit_slot(c, k);

	if (i < 0)
		return CLIMIT_CLIENT_FULL;	/* no counted connection */
	if (c->lim.streams != 0 && c->slot[i].streams >= c->lim.streams)
		return CLIMIT_CLIENT_FULL;
	if (c->lim.streams_total != 0 &&
	    c->streams_total >= c->lim.streams_total)
		return CLIMIT_TOTAL_FULL;
	c->slot[i].streams++;
	c->streams_total++;
	return CLIMIT_OK;
}

void
climit_stream_close(struct climit *c, const struct climit_key *k)
{
	long	 i = climit_slot(c, k);

	if (i < 0 || c->slot[i].streams == 0)
		return;
	c->slot[i].streams--;
	c->streams_total--;
}

char *
climit_key_str(const struct climit_key *k, char *dst, size_t cap)
{
	uint32_t uid;

	switch (k->kind) {
	case CLIMIT_IPV4:
		snprintf(dst, cap, "%u.%u.%u.%u", k->b[0], k->b[1], k->b[2],
		    k->b[3]);
		break;
	case CLIMIT_IPV6:
		snprintf(dst, cap, "%x:%x:%x:%x::/64",
		    k->b[0] << 8 | k->b[1], k->b[2] << 8 | k->b[3],
		    k->b[4] << 8 | k->b[5], k->b[6] << 8 | k->b[7]);
		break;
	case CLIMIT_UID:
		memcpy(&uid, k->b, sizeof(uid));
		snprintf(dst, cap, "uid %u", uid);
		break;
	default:
		snprintf(dst, cap, "?");
	}
	return dst;
}
