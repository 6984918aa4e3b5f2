/*
 * fuzz_http_resp.c - resp_parse on arbitrary bytes; for a parsed head,
 * resp_framing for every (is_head, hijack_ok), and resp_serialize as the
 * daemon calls it (conn.c conn_resp_start: dechunk for an HTTP/1.0
 * client of a chunked response; no keep-alive after close-delimited,
 * hijacked or de-chunked bodies), then resp_parse of the head the client
 * receives.
 *
 * Properties:
 *  - no read past len (exact-size copy); REQ_INCOMPLETE only below
 *    RESP_MAX_HEAD; a success ends in CRLFCRLF with every pointer inside
 *    buf[0..n); the head alone parses to the same length and one byte
 *    short of it is REQ_INCOMPLETE;
 *  - resp_framing follows resp_framing's contract (101 hijacks only when
 *    hijack_ok; 1xx/204/304/HEAD have no body; chunked before length);
 *  - the serialized head fits in exactly its length and not in one byte
 *    less, and (when it fits RESP_MAX_HEAD and RESP_MAX_HEADERS) parses
 *    again: the same status and reason, the forwarded end-to-end fields
 *    first and unchanged, in order, followed only by sockward's own
 *    Connection (and Upgrade for a 101);
 *  - the client frames the body as sockward sends it: resp_framing of the
 *    re-parsed head equals the upstream framing (de-chunked: no framing
 *    field left and the connection closes), and "close" is announced
 *    whenever sockward will close.
 */
#include "fuzz_common.h"

#include "http_resp.h"

static int
inside(const char *base, size_t n, const char *p, size_t len)
{
	return p >= base && p <= base + n && len <= (size_t)(base + n - p);
}

/* What resp_serialize forwards of h's fields (see its contract). */
static int
forwarded(const struct resp_head *h, const struct req_hdr *hd, int dechunk,
    int has_te)
{
	/* Framing fields stay even when Connection names them. */
	if (resp_hdr_is_hop(h, hd->name, hd->name_len) &&
	    !req_token_eq(hd->name, hd->name_len, "content-length") &&
	    !req_token_eq(hd->name, hd->name_len, "transfer-encoding"))
		return 0;
	if (dechunk && req_token_eq(hd->name, hd->name_len,
	    "transfer-encoding"))
		return 0;
	if (has_te && req_token_eq(hd->name, hd->name_len, "content-length"))
		return 0;
	return 1;
}

static void
check_framing(const struct resp_head *h, int is_head, int hijack_ok,
    enum resp_framing f)
{
	if (h->status == 101)
		FUZZ_CHECK(f == (hijack_ok ? RESP_FRAME_HIJACK :
		    RESP_FRAME_NONE), "101 framing %d", f);
	else if (h->status < 200 || is_head || h->status == 204 ||
	    h->status == 304)
		FUZZ_CHECK(f == RESP_FRAME_NONE, "bodiless framing %d", f);
	else if (h->chunked)
		FUZZ_CHECK(f == RESP_FRAME_CHUNKED, "chunked framing %d", f);
	else if (h->has_length)
		FUZZ_CHECK(f == RESP_FRAME_LENGTH, "length framing %d", f);
	else
		FUZZ_CHECK(f == RESP_FRAME_CLOSE || (f == RESP_FRAME_HIJACK &&
		    hijack_ok), "unframed framing %d", f);
}

static void
client_side(const struct resp_head *h, int is_head, int hijack_ok,
    int http10, int want_keep)
{
	static char out[4 * RESP_MAX_HEAD];
	static struct resp_head h2;
	enum resp_framing f, f2;
	const struct req_hdr *up = NULL;
	char *s;
	long len, l2;
	size_t i, j, nfwd = 0, nadd;
	int dechunk, keep, has_te = 0, n2;
	unsigned opts;

	f = resp_framing(h, is_head, hijack_ok);
	check_framing(h, is_head, hijack_ok, f);
	if (h->status == 101 && f != RESP_FRAME_HIJACK)
		return;		/* the daemon answers 502 */
	if (h->status >= 100 && h->status < 200 && h->status != 101)
		return;		/* interim: the daemon skips it */
	dechunk = f == RESP_FRAME_CHUNKED && http10;
	keep = want_keep && !(f == RESP_FRAME_CLOSE ||
	    f == RESP_FRAME_HIJACK || dechunk);

	for (i = 0; i < h->nhdrs; i++) {
		if (req_token_eq(h->hdrs[i].name, h->hdrs[i].name_len,
		    "transfer-encoding"))
			has_te = 1;
		if (up == NULL && req_token_eq(h->hdrs[i].name,
		    h->hdrs[i].name_len, "upgrade"))
			up = &h->hdrs[i];
	}
	len = resp_serialize(h, f, keep, dechunk, out, sizeof(out));
	FUZZ_CHECK(len > 0, "resp_serialize failed with a large buffer");
	s = malloc((size_t)len);
	if (s == NULL)
		abort();
	l2 = resp_serialize(h, f, keep, dechunk, s, (size_t)len);
	FUZZ_CHECK(l2 == len && memcmp(s, out, (size_t)len) == 0,
	    "exact-size resp_serialize gave %ld", l2);
	l2 = resp_serialize(h, f, keep, dechunk, s, (size_t)len - 1);
	FUZZ_CHECK(l2 == -1, "resp_serialize one byte short gave %ld", l2);
	free(s);

	for (i = 0; i < h->nhdrs; i++)
		if (forwarded(h, &h->hdrs[i], dechunk, has_te))
			nfwd++;
	nadd = (f == RESP_FRAME_HIJACK && h->status == 101) ?
	    1 + (up != NULL) : 1;
	if ((size_t)len >= RESP_MAX_HEAD || nfwd + nadd > RESP_MAX_HEADERS)
		return;		/* beyond the parser's own limits */

	s = fuzz_dup((const uint8_t *)out, (size_t)len, 0);
	n2 = resp_parse(s, (size_t)len, &h2);
	FUZZ_CHECK(n2 == len, "client head does not parse (%d)\n%.*s", n2,
	    (int)len, s);
	FUZZ_CHECK(h2.status == h->status && h2.minor == 1, "status line");
	FUZZ_CHECK(fuzz_same(h2.reason, h2.reason_len, h->reason,
	    h->reason_len), "reason changed");
	FUZZ_CHECK(h2.nhdrs == nfwd + nadd, "%zu fields, expected %zu",
	    h2.nhdrs, nfwd + nadd);
	for (i = 0, j = 0; i < h->nhdrs; i++) {
		if (!forwarded(h, &h->hdrs[i], dechunk, has_te))
			continue;
		FUZZ_CHECK(fuzz_same(h2.hdrs[j].name, h2.hdrs[j].name_len,
		    h->hdrs[i].name, h->hdrs[i].name_len) &&
		    fuzz_same(h2.hdrs[j].value, h2.hdrs[j].value_len,
		    h->hdrs[i].value, h->hdrs[i].value_len),
		    "forwarded field %zu changed", i);
		j++;
	}
	FUZZ_CHECK(req_token_eq(h2.hdrs[j].name, h2.hdrs[j].name_len,
	    "connection"), "Connection is not sockward's");

	/* The client must frame the body the way sockward sends it
	 * (regress/http_resp/conn-lists-*: framing fields that the
	 * upstream named in Connection were once dropped). */
	f2 = resp_framing(&h2, is_head, hijack_ok);
	if (dechunk)
		FUZZ_CHECK(!h2.chunked && !h2.has_length && h2.conn_close,
		    "de-chunked response still framed or kept alive");
	else
		FUZZ_CHECK(f2 == f, "client frames the body as %d, sockward "
		    "sends it as %d\n%.*s", f2, f, (int)len, s);
	if (f2 == RESP_FRAME_LENGTH)
		FUZZ_CHECK(h2.content_length == h->content_length,
		    "Content-Length changed");
	/* "Connection: close" exactly when sockward will close (a 101
	 * says "Upgrade" instead). */
	for (i = 0, opts = 0; i < h2.nhdrs; i++)
		if (req_token_eq(h2.hdrs[i].name, h2.hdrs[i].name_len,
		    "connection"))
			(void)lex_conn_options(h2.hdrs[i].value,
			    h2.hdrs[i].value_len, 0, &opts);
	if (f == RESP_FRAME_HIJACK && h->status == 101)
		FUZZ_CHECK(opts == LEX_CONN_UPGRADE, "101 without Upgrade");
	else
		FUZZ_CHECK(!!(opts & LEX_CONN_CLOSE) == !keep,
		    "Connection options %x, keep-alive %d", opts, keep);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct resp_head h, hp;
	char *buf, *head;
	size_t i;
	int n, np, is_head, hijack_ok, http10, keep;

	buf = fuzz_dup(data, size, 0);
	n = resp_parse(buf, size, &h);
	if (n == REQ_INCOMPLETE) {
		FUZZ_CHECK(size < RESP_MAX_HEAD, "INCOMPLETE at %zu", size);
		goto done;
	}
	if (n == REQ_ERROR)
		goto done;
	FUZZ_CHECK(n > 0 && (size_t)n <= size && n <= RESP_MAX_HEAD,
	    "resp_parse returned %d", n);
	FUZZ_CHECK(n >= 4 && memcmp(buf + n - 4, "\r\n\r\n", 4) == 0,
	    "head does not end in CRLFCRLF");
	FUZZ_CHECK(h.status >= 100 && h.status <= 599 &&
	    (h.minor == 0 || h.minor == 1), "status line");
	FUZZ_CHECK(inside(buf, (size_t)n, h.reason, h.reason_len), "reason");
	FUZZ_CHECK(h.nhdrs <= RESP_MAX_HEADERS, "nhdrs");
	for (i = 0; i < h.nhdrs; i++)
		FUZZ_CHECK(inside(buf, (size_t)n, h.hdrs[i].name,
		    h.hdrs[i].name_len) && inside(buf, (size_t)n,
		    h.hdrs[i].value, h.hdrs[i].value_len), "field %zu", i);
	if (!h.has_length)
		FUZZ_CHECK(h.content_length == 0, "content_length set");
	FUZZ_CHECK(!(h.has_length && h.chunked), "length and chunked");

	head = fuzz_dup(data, (size_t)n, 0);
	np = resp_parse(head, (size_t)n, &hp);
	FUZZ_CHECK(np == n, "head alone parses to %d, not %d", np, n);
	np = resp_parse(head, (size_t)n - 1, &hp);
	FUZZ_CHECK(np == REQ_INCOMPLETE, "head minus one byte gave %d", np);
	free(head);

	for (is_head = 0; is_head <= 1; is_head++)
		for (hijack_ok = 0; hijack_ok <= 1; hijack_ok++)
			for (http10 = 0; http10 <= 1; http10++)
				for (keep = 0; keep <= 1; keep++)
					client_side(&h, is_head, hijack_ok,
					    http10, keep);
done:
	free(buf);
	return 0;
}
