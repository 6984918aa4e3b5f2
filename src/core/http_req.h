/*
 * http_req.h - strict HTTP/1.x request-head parser.
 *
 * Pure: no sockets, no allocation.  The caller owns the buffer; the parsed
 * head holds pointers into it that stay valid until the buffer is changed.
 * Stricter than RFC 9112 requires: anything a lenient peer might read two
 * ways is rejected with a status code instead of repaired.
 */
#ifndef SOCKWARD_HTTP_REQ_H
#define SOCKWARD_HTTP_REQ_H

#include <stddef.h>
#include <stdint.h>

#include "http_lex.h"	/* struct req_hdr */

#define REQ_MAX_HEAD     16384	/* whole head incl. CRLFCRLF; above: 431 */
#define REQ_MAX_HEADERS  64	/* header fields; above: 431 */
#define REQ_MAX_TARGET   8192	/* request-target; above: 414 */

#define REQ_INCOMPLETE  (-2)
#define REQ_ERROR       (-1)

enum req_method {
	REQ_M_GET = 0, REQ_M_HEAD, REQ_M_POST, REQ_M_PUT, REQ_M_DELETE,
	REQ_M_PATCH, REQ_M_OPTIONS, REQ_M_COUNT
};

enum req_body_kind {
	REQ_BODY_NONE = 0,	/* no Content-Length, no Transfer-Encoding */
	REQ_BODY_LENGTH,	/* Content-Length: N (N may be 0) */
	REQ_BODY_CHUNKED	/* Transfer-Encoding: chunked */
};

struct req_head {
	enum req_method	 method;
	const char	*target;	/* origin-form, starts with '/' */
	size_t		 target_len;
	int		 minor;		/* 0 or 1: HTTP/1.0 or HTTP/1.1 */
	struct req_hdr	 hdrs[REQ_MAX_HEADERS];
	size_t		 nhdrs;

	/* Derived from the fields above. */
	enum req_body_kind body;
	uint64_t	 content_length;	/* valid for REQ_BODY_LENGTH */
	int		 keep_alive;	/* client wants the connection kept */
	int		 expect_continue; /* Expect: 100-continue */
	const char	*upgrade;	/* Upgrade value or NULL */
	size_t		 upgrade_len;
	const char	*host;		/* Host value or NULL (HTTP/1.0) */
	size_t		 host_len;
};

struct req_error {
	int		 status;	/* 400, 414, 417, 431, 501 or 505 */
	const char	*reason;	/* static string, for logs and bodies */
};

/*
 * Parse one request head at the start of buf[0..len).
 * Returns the head length in bytes (> 0) and fills *out; REQ_INCOMPLETE when
 * more bytes are needed (never when len >= REQ_MAX_HEAD); or REQ_ERROR with
 * *err set.  *out is only meaningful on success.
 */
int	req_parse(const char *buf, size_t len, struct req_head *out,
	    struct req_error *err);

/*
 * Method name for m ("GET", ...), a static string; "" when m is not a
 * method (m >= REQ_M_COUNT).
 */
const char *req_method_name(enum req_method m);

/*
 * Method named exactly (case-sensitively, RFC 9110 9.1) by s[0..len); s
 * need not be NUL-terminated.  Returns 0 and sets *m, or -1 leaving *m
 * unchanged.
 */
int	req_method_parse(const char *s, size_t len, enum req_method *m);

/*
 * Case-insensitive ASCII comparison of a header name or token against a
 * NUL-terminated lower-case literal.  Returns 1 when equal.
 */
static inline int
req_token_eq(const char *s, size_t len, const char *lit)
{
	return lex_token_eq(s, len, lit);
}

/*
 * Returns 1 when header name (name, len) is hop-by-hop for h: one of the
 * RFC 9110 connection-specific fields, a method-override header, or a field
 * listed in h's Connection header.  Such fields are never forwarded.
 */
int	req_hdr_is_hop(const struct req_head *h, const char *name, size_t len);

/*
 * Write the canonical head forwarded upstream for request h to dst[0..cap):
 * "METHOD target HTTP/1.1", the client's Host (or "Host: docker" when it
 * sent none), every end-to-end header of h in order (hop-by-hop fields,
 * Content-Length, Transfer-Encoding, Host and Expect dropped), then
 * "Content-Length: N" or "Transfer-Encoding: chunked" as h->body says, then
 * "Connection: Upgrade" and "Upgrade: <h->upgrade>" when forward_upgrade is
 * set and h->upgrade is not NULL, then the empty line.  target (len tlen)
 * is the canonical target from canon_serialize.  Returns the length, or -1
 * when cap is too small.
 */
long	req_serialize(const struct req_head *h, const char *target,
	    size_t tlen, int forward_upgrade, char *dst, size_t cap);

#endif
