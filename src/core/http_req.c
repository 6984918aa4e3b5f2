/*
 * http_req.c - strict HTTP/1.x request-head parser and serializer.
 *
 * The parser is restartable rather than incremental: it is called again on
 * the whole buffer whenever more bytes arrive, and answers REQ_INCOMPLETE
 * until a head is complete.  Errors are reported as soon as the bytes seen
 * so far prove the head invalid, so garbage is refused without waiting for
 * a terminator that may never come.  Every read is bounded by
 * min(len, REQ_MAX_HEAD).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http_req.h"

static const char *const req_methods[REQ_M_COUNT] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"
};

/*
 * Connection-specific fields (RFC 9110 7.6.1) plus the method-override
 * headers: the latter would let a client run a method the policy never
 * saw, so they are treated as hop-by-hop and never forwarded.
 */
static const char *const req_hop_names[] = {
	"connection", "keep-alive", "proxy-connection", "te", "trailer",
	"transfer-encoding", "upgrade", "proxy-authorization",
	"proxy-authenticate", "x-http-method-override", "x-http-method",
	"x-method-override"
};

static int	req_fail(struct req_error *, int, const char *);
static int	req_short(size_t, struct req_error *);
static int	req_host_ok(const char *, size_t);

static int
req_fail(struct req_error *err, int status, const char *reason)
{
	if (err != NULL) {
		err->status = status;
		err->reason = reason;
	}
	return REQ_ERROR;
}

/* Ran out of bytes: wait for more unless the size limit is reached. */
static int
req_short(size_t len, struct req_error *err)
{
	if (len >= REQ_MAX_HEAD)
		return req_fail(err, 431, "request head too large");
	return REQ_INCOMPLETE;
}

/* Host: reg-name, IPv4 or bracketed IPv6 with an optional port. */
static int
req_host_ok(const char *v, size_t len)
{
	size_t	i;
	char	c;

	for (i = 0; i < len; i++) {
		c = v[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9'))
			continue;
		if (c == '.' || c == '-' || c == '_' || c == ':' ||
		    c == '[' || c == ']')
			continue;
		return 0;
	}
	return 1;
}

int
req_parse(const char *buf, size_t len, struct req_head *out,
    struct req_error *err)
{
	size_t		 lim = len < REQ_MAX_HEAD ? len : REQ_MAX_HEAD;
	size_t		 p = 0, mlen, tstart, tlen, vstart, vlen;
	size_t		 i, nh, ncl = 0, nte = 0, nhost = 0, nup = 0;
	const char	*v, *why, *up = NULL, *host = NULL;
	size_t		 up_len = 0, host_len = 0;
	int		 te_chunked = 0, bad_expect = 0, expect = 0, minor;
	unsigned	 conn = 0;
	uint64_t	 cl = 0;
	enum req_method	 m;
	enum lex_line	 ln;
	struct req_hdr	*hd;

	/* Request line: method SP request-target SP HTTP-version CRLF. */
	while (p < lim && lex_is_tchar((unsigned char)buf[p]))
		p++;
	if (p == lim)
		return req_short(len, err);
	if (p == 0) {
		if (buf[0] == '\r' || buf[0] == '\n')
			return req_fail(err, 400, "empty line before request");
		return req_fail(err, 400, "malformed method");
	}
	if (buf[p] != ' ')
		return req_fail(err, 400, "invalid character in method");
	mlen = p++;

	tstart = p;
	while (p < lim && buf[p] >= 0x21 && buf[p] <= 0x7e && buf[p] != '#') {
		p++;
		if (p - tstart > REQ_MAX_TARGET)
			return req_fail(err, 414, "request target too long");
	}
	if (p == lim)
		return req_short(len, err);
	tlen = p - tstart;
	if (tlen == 0)
		return req_fail(err, 400, "empty request target");
	switch (buf[p]) {
	case ' ':
		break;
	case '#':
		return req_fail(err, 400, "fragment in request target");
	case '\r':
		return req_fail(err, 400, "missing HTTP version");
	case '\n':
		return req_fail(err, 400, "bare LF in request line");
	default:
		return req_fail(err, 400, "invalid byte in request target");
	}
	p++;

	vstart = p;
	while (p < lim && buf[p] != '\r' && buf[p] != '\n') {
		/* "HTTP/x.y" is 8 bytes; anything longer is malformed. */
		if (++p - vstart > 8)
			return req_fail(err, 400, "malformed HTTP version");
	}
	if (p == lim)
		return req_short(len, err);
	if (buf[p] == '\n')
		return req_fail(err, 400, "bare LF in request line");
	if (p + 1 == lim)
		return req_short(len, err);
	if (buf[p + 1] != '\n')
		return req_fail(err, 400, "bare CR in request line");
	vlen = p - vstart;
	p += 2;

	/* The line is complete: judge version, then method, then target. */
	v = buf + vstart;
	if (vlen != 8 || memcmp(v, "HTTP/", 5) != 0 ||
	    v[5] < '0' || v[5] > '9' || v[6] != '.' || v[7] < '0' || v[7] > '9')
		return req_fail(err, 400, "malformed HTTP version");
	if (v[5] != '1' || (v[7] != '0' && v[7] != '1'))
		return req_fail(err, 505, "HTTP version not supported");
	minor = v[7] - '0';

	if (req_method_parse(buf, mlen, &m) == -1)
		return req_fail(err, 501, "method not implemented");
	if (buf[tstart] != '/')
		return req_fail(err, 400, "request target not in origin-form");

	out->method = m;
	out->target = buf + tstart;
	out->target_len = tlen;
	out->minor = minor;

	/* Header fields: name ":" OWS value OWS CRLF, until an empty line. */
	nh = 0;
	while ((ln = lex_field_line(buf, lim, &p, nh == REQ_MAX_HEADERS,
	    out->hdrs + nh, &why)) == LEX_LINE_FIELD)
		nh++;
	if (ln == LEX_LINE_SHORT)
		return req_short(len, err);
	if (ln == LEX_LINE_FULL)
		return req_fail(err, 431, "too many header fields");
	if (ln == LEX_LINE_BAD)
		return req_fail(err, 400, why);
	out->nhdrs = nh;

	/*
	 * Semantics.  Every 400 is decided before any 501 or 417, so a
	 * request that is both malformed and unsupported is called malformed.
	 */
	for (i = 0; i < nh; i++) {
		hd = &out->hdrs[i];
		if (req_token_eq(hd->name, hd->name_len, "content-length")) {
			if (++ncl > 1)
				return req_fail(err, 400,
				    "duplicate Content-Length");
			if (lex_content_length(hd->value, hd->value_len, &cl) ==
			    -1)
				return req_fail(err, 400,
				    "invalid Content-Length");
		} else if (req_token_eq(hd->name, hd->name_len,
		    "transfer-encoding")) {
			if (++nte > 1)
				return req_fail(err, 400,
				    "duplicate Transfer-Encoding");
			te_chunked = req_token_eq(hd->value, hd->value_len,
			    "chunked");
		} else if (req_token_eq(hd->name, hd->name_len, "host")) {
			if (++nhost > 1)
				return req_fail(err, 400, "duplicate Host");
			if (!req_host_ok(hd->value, hd->value_len))
				return req_fail(err, 400, "invalid Host");
			host = hd->value;
			host_len = hd->value_len;
		} else if (req_token_eq(hd->name, hd->name_len,
		    "connection")) {
			if (lex_conn_options(hd->value, hd->value_len, 1,
			    &conn) == -1)
				return req_fail(err, 400,
				    "invalid Connection option");
		} else if (req_token_eq(hd->name, hd->name_len, "expect")) {
			if (req_token_eq(hd->value, hd->value_len,
			    "100-continue"))
				expect = 1;
			else
				bad_expect = 1;
		} else if (req_token_eq(hd->name, hd->name_len, "upgrade")) {
			if (++nup > 1)
				return req_fail(err, 400, "duplicate Upgrade");
			up = hd->value;
			up_len = hd->value_len;
		}
	}
	if (nte > 0 && ncl > 0)
		return req_fail(err, 400,
		    "both Transfer-Encoding and Content-Length");
	if (nte > 0 && minor == 0)
		return req_fail(err, 400, "Transfer-Encoding in HTTP/1.0");
	if (minor == 1 && nhost == 0)
		return req_fail(err, 400, "missing Host");
	if (nte > 0 && !te_chunked)
		return req_fail(err, 501, "transfer coding not implemented");
	if (bad_expect)
		return req_fail(err, 417, "unsupported expectation");

	if (nte > 0)
		out->body = REQ_BODY_CHUNKED;
	else if (ncl > 0)
		out->body = REQ_BODY_LENGTH;
	else
		out->body = REQ_BODY_NONE;
	out->content_length = ncl > 0 ? cl : 0;
	if (minor == 1)
		out->keep_alive = !(conn & LEX_CONN_CLOSE);
	else
		out->keep_alive = (conn & LEX_CONN_KEEP_ALIVE) &&
		    !(conn & LEX_CONN_CLOSE);
	/* RFC 9110 10.1.1: 100-continue in an HTTP/1.0 request is ignored. */
	out->expect_continue = expect && minor == 1;
	/* RFC 9110 7.8: Upgrade in an HTTP/1.0 request is ignored too. */
	if (up != NULL && (conn & LEX_CONN_UPGRADE) && minor == 1) {
		out->upgrade = up;
		out->upgrade_len = up_len;
	} else {
		out->upgrade = NULL;
		out->upgrade_len = 0;
	}
	out->host = host;
	out->host_len = host_len;
	return (int)p;
}

const char *
req_method_name(enum req_method m)
{
	if ((unsigned)m >= REQ_M_COUNT)
		return "";
	return req_methods[m];
}

int
req_method_parse(const char *s, size_t len, enum req_method *m)
{
	int	i;

	for (i = 0; i < REQ_M_COUNT; i++)
		if (strlen(req_methods[i]) == len &&
		    memcmp(req_methods[i], s, len) == 0) {
			*m = (enum req_method)i;
			return 0;
		}
	return -1;
}

int
req_hdr_is_hop(const struct req_head *h, const char *name, size_t len)
{
	size_t	i;

	for (i = 0; i < sizeof(req_hop_names) / sizeof(req_hop_names[0]); i++)
		if (req_token_eq(name, len, req_hop_names[i]))
			return 1;
	return lex_conn_lists(h->hdrs, h->nhdrs, name, len);
}

long
req_serialize(const struct req_head *h, const char *target, size_t tlen,
    int forward_upgrade, char *dst, size_t cap)
{
	struct lex_out		 o = { dst, 0, cap, 0 };
	const struct req_hdr	*hd;
	size_t			 i;

	lex_puts(&o, req_method_name(h->method));
	lex_put(&o, " ", 1);
	lex_put(&o, target, tlen);
	lex_puts(&o, " HTTP/1.1\r\nHost: ");
	if (h->host != NULL)
		lex_put(&o, h->host, h->host_len);
	else
		lex_puts(&o, "docker");
	lex_puts(&o, "\r\n");

	for (i = 0; i < h->nhdrs; i++) {
		hd = &h->hdrs[i];
		if (req_hdr_is_hop(h, hd->name, hd->name_len) ||
		    req_token_eq(hd->name, hd->name_len, "content-length") ||
		    req_token_eq(hd->name, hd->name_len, "host") ||
		    req_token_eq(hd->name, hd->name_len, "expect"))
			continue;
		lex_put_field(&o, hd);
	}

	if (h->body == REQ_BODY_LENGTH) {
		lex_puts(&o, "Content-Length: ");
		lex_put_u64(&o, h->content_length);
		lex_puts(&o, "\r\n");
	} else if (h->body == REQ_BODY_CHUNKED)
		lex_puts(&o, "Transfer-Encoding: chunked\r\n");

	if (forward_upgrade && h->upgrade != NULL) {
		lex_puts(&o, "Connection: Upgrade\r\nUpgrade: ");
		lex_put(&o, h->upgrade, h->upgrade_len);
		lex_puts(&o, "\r\n");
	}
	lex_puts(&o, "\r\n");

	if (o.over)
		return -1;
	return (long)o.len;
}
