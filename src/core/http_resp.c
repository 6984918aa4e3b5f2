/*
 * http_resp.c - upstream response-head parser, body framing decision and
 * the head forwarded to the client.
 *
 * Like req_parse, resp_parse is restartable: it re-reads the whole buffer
 * each time and never looks past min(len, RESP_MAX_HEAD).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http_resp.h"

/* Connection-specific fields; sockward writes its own Connection. */
static const char *const resp_hop_names[] = {
	"connection", "keep-alive", "proxy-connection", "te", "trailer",
	"upgrade", "proxy-authenticate"
};

static int	resp_short(size_t);

static int
resp_short(size_t len)
{
	return len >= RESP_MAX_HEAD ? REQ_ERROR : REQ_INCOMPLETE;
}

int
resp_parse(const char *buf, size_t len, struct resp_head *out)
{
	static const char	 pfx[] = "HTTP/1.";
	size_t			 lim = len < RESP_MAX_HEAD ? len : RESP_MAX_HEAD;
	size_t			 p, i, nh, pos, tl;
	const char		*tok, *last_te = NULL;
	size_t			 last_te_len = 0;
	int			 status = 0, ncl = 0, nte = 0;
	unsigned		 conn = 0;
	uint64_t		 cl = 0, v;
	enum lex_line		 ln;
	struct req_hdr		*hd;

	/* Status line: "HTTP/1." DIGIT SP 3DIGIT [SP reason] CRLF. */
	for (p = 0; p < sizeof(pfx) - 1; p++) {
		if (p == lim)
			return resp_short(len);
		if (buf[p] != pfx[p])
			return REQ_ERROR;
	}
	if (p == lim)
		return resp_short(len);
	if (buf[p] != '0' && buf[p] != '1')
		return REQ_ERROR;
	out->minor = buf[p++] - '0';
	if (p == lim)
		return resp_short(len);
	if (buf[p++] != ' ')
		return REQ_ERROR;
	for (i = 0; i < 3; i++, p++) {
		if (p == lim)
			return resp_short(len);
		if (buf[p] < '0' || buf[p] > '9')
			return REQ_ERROR;
		status = status * 10 + (buf[p] - '0');
	}
	/* RFC 9110 15: the first digit is the class, 1 to 5. */
	if (status < 100 || status > 599)
		return REQ_ERROR;
	out->status = status;
	if (p == lim)
		return resp_short(len);
	if (buf[p] == ' ')
		p++;
	else if (buf[p] != '\r')
		return REQ_ERROR;
	out->reason = buf + p;
	while (p < lim && buf[p] != '\r' && buf[p] != '\n' && buf[p] != '\0')
		p++;
	if (p == lim)
		return resp_short(len);
	if (buf[p] != '\r')
		return REQ_ERROR;
	out->reason_len = (size_t)(buf + p - out->reason);
	if (p + 1 == lim)
		return resp_short(len);
	if (buf[p + 1] != '\n')
		return REQ_ERROR;
	p += 2;

	/* Header fields, with the request grammar; the reasons are not kept. */
	nh = 0;
	while ((ln = lex_field_line(buf, lim, &p, nh == RESP_MAX_HEADERS,
	    out->hdrs + nh, NULL)) == LEX_LINE_FIELD)
		nh++;
	if (ln == LEX_LINE_SHORT)
		return resp_short(len);
	if (ln != LEX_LINE_END)
		return REQ_ERROR;
	out->nhdrs = nh;

	for (i = 0; i < nh; i++) {
		hd = &out->hdrs[i];
		if (req_token_eq(hd->name, hd->name_len, "content-length")) {
			if (lex_content_length(hd->value, hd->value_len, &v) ==
			    -1)
				return REQ_ERROR;
			/* Repeats of one value are harmless; others are not. */
			if (ncl++ > 0 && v != cl)
				return REQ_ERROR;
			cl = v;
		} else if (req_token_eq(hd->name, hd->name_len,
		    "transfer-encoding")) {
			nte++;
			/* Codings of repeated fields append, in order. */
			pos = 0;
			while (lex_list_next(hd->value, hd->value_len, &pos,
			    &tok, &tl)) {
				last_te = tok;
				last_te_len = tl;
			}
		} else if (req_token_eq(hd->name, hd->name_len,
		    "connection")) {
			/* Lenient: dockerd's options need not be tokens. */
			(void)lex_conn_options(hd->value, hd->value_len, 0,
			    &conn);
		}
	}

	out->chunked = last_te != NULL &&
	    req_token_eq(last_te, last_te_len, "chunked");
	/*
	 * RFC 9112 6.3: Transfer-Encoding overrides Content-Length, and a
	 * response whose final coding is not chunked runs until close.
	 */
	if (nte > 0) {
		out->has_length = 0;
		out->content_length = 0;
	} else {
		out->has_length = ncl > 0;
		out->content_length = cl;
	}
	out->conn_close = (conn & LEX_CONN_CLOSE) ||
	    (out->minor == 0 && !(conn & LEX_CONN_KEEP_ALIVE)) ||
	    (nte > 0 && !out->chunked);
	return (int)p;
}

enum resp_framing
resp_framing(const struct resp_head *h, int is_head, int hijack_ok)
{
	if (h->status == 101)
		return hijack_ok ? RESP_FRAME_HIJACK : RESP_FRAME_NONE;
	if (h->status < 200 || is_head || h->status == 204 ||
	    h->status == 304)
		return RESP_FRAME_NONE;
	if (h->chunked)
		return RESP_FRAME_CHUNKED;
	if (h->has_length)
		return RESP_FRAME_LENGTH;
	/* dockerd hijacks attach/exec with a 200 and no framing at all. */
	if (hijack_ok && h->status < 300)
		return RESP_FRAME_HIJACK;
	return RESP_FRAME_CLOSE;
}

int
resp_hdr_is_hop(const struct resp_head *h, const char *name, size_t len)
{
	size_t	i;

	for (i = 0; i < sizeof(resp_hop_names) / sizeof(resp_hop_names[0]);
	    i++)
		if (req_token_eq(name, len, resp_hop_names[i]))
			return 1;
	return lex_conn_lists(h->hdrs, h->nhdrs, name, len);
}

/* "HTTP/1.1 STATUS REASON\r\n"; status has three digits. */
static void
resp_put_status(struct lex_out *o, int status, const char *reason,
    size_t reason_len)
{
	char	code[4];

	code[0] = (char)('0' + status / 100 % 10);
	code[1] = (char)('0' + status / 10 % 10);
	code[2] = (char)('0' + status % 10);
	code[3] = ' ';
	lex_puts(o, "HTTP/1.1 ");
	lex_put(o, code, sizeof(code));
	lex_put(o, reason, reason_len);
	lex_puts(o, "\r\n");
}

long
resp_serialize(const struct resp_head *h, enum resp_framing f,
    int keep_alive, int dechunk, char *dst, size_t cap)
{
	struct lex_out		 o = { dst, 0, cap, 0 };
	const struct req_hdr	*hd, *up = NULL;
	size_t			 i;
	int			 has_te = 0;

	for (i = 0; i < h->nhdrs; i++)
		if (req_token_eq(h->hdrs[i].name, h->hdrs[i].name_len,
		    "transfer-encoding"))
			has_te = 1;

	resp_put_status(&o, h->status, h->reason, h->reason_len);
	for (i = 0; i < h->nhdrs; i++) {
		hd = &h->hdrs[i];
		if (req_token_eq(hd->name, hd->name_len, "upgrade") &&
		    up == NULL)
			up = hd;
		/* Framing fields are relayed even if Connection names them:
		 * the body is passed through as framed, so they must stay. */
		if (resp_hdr_is_hop(h, hd->name, hd->name_len) &&
		    !req_token_eq(hd->name, hd->name_len, "content-length") &&
		    !req_token_eq(hd->name, hd->name_len, "transfer-encoding"))
			continue;
		if (dechunk && req_token_eq(hd->name, hd->name_len,
		    "transfer-encoding"))
			continue;
		/*
		 * RFC 9112 6.3: with Transfer-Encoding present a received
		 * Content-Length is wrong, and an intermediary must remove
		 * it rather than pass two framings on.
		 */
		if (has_te && req_token_eq(hd->name, hd->name_len,
		    "content-length"))
			continue;
		lex_put_field(&o, hd);
	}

	if (f == RESP_FRAME_HIJACK && h->status == 101) {
		lex_puts(&o, "Connection: Upgrade\r\n");
		if (up != NULL) {
			lex_puts(&o, "Upgrade: ");
			lex_put(&o, up->value, up->value_len);
			lex_puts(&o, "\r\n");
		}
	} else if (keep_alive)
		lex_puts(&o, "Connection: keep-alive\r\n");
	else
		lex_puts(&o, "Connection: close\r\n");
	lex_puts(&o, "\r\n");

	if (o.over)
		return -1;
	return (long)o.len;
}

long
resp_serialize_reframed(const struct resp_head *h, int status,
    const char *reason, size_t reason_len, enum resp_framing out,
    uint64_t length, int keep_alive, char *dst, size_t cap)
{
	struct lex_out		 o = { dst, 0, cap, 0 };
	const struct req_hdr	*hd;
	size_t			 i;

	if (status < 100 || status > 999)
		return -1;
	resp_put_status(&o, status, reason, reason_len);
	for (i = 0; i < h->nhdrs; i++) {
		hd = &h->hdrs[i];
		if (resp_hdr_is_hop(h, hd->name, hd->name_len) ||
		    req_token_eq(hd->name, hd->name_len, "content-length") ||
		    req_token_eq(hd->name, hd->name_len, "transfer-encoding"))
			continue;
		lex_put_field(&o, hd);
	}
	if (out == RESP_FRAME_LENGTH) {
		lex_puts(&o, "Content-Length: ");
		lex_put_u64(&o, length);
		lex_puts(&o, "\r\n");
	} else if (out == RESP_FRAME_CHUNKED)
		lex_puts(&o, "Transfer-Encoding: chunked\r\n");
	lex_puts(&o, keep_alive ? "Connection: keep-alive\r\n" :
	    "Connection: close\r\n");
	lex_puts(&o, "\r\n");
	if (o.over)
		return -1;
	return (long)o.len;
}
