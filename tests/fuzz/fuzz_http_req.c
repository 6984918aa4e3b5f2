/*
 * fuzz_http_req.c - req_parse on arbitrary bytes, then a structure-aware
 * round trip through the path the daemon takes (HACKING.md "How it works",
 * step 5): canon_target, canon_serialize, req_serialize, and req_parse of
 * the forwarded head again.
 *
 * Properties:
 *  - req_parse never reads past len (the input is an exact-size malloc
 *    copy: ASan catches any over-read);
 *  - REQ_INCOMPLETE only below REQ_MAX_HEAD; errors carry a known status
 *    and a reason; a success lies inside the buffer, ends in CRLFCRLF and
 *    every pointer of the head points into buf[0..n);
 *  - restartable parsing: the head alone parses to the same length, and
 *    the head minus its last byte is REQ_INCOMPLETE;
 *  - for a target that canonicalises, the serialized head (with and
 *    without forward_upgrade) parses again to: the same method, a target
 *    that canonicalises to the same version/path/query (idempotence), the
 *    same end-to-end headers in the same order, the same body framing,
 *    the same Host (or "docker"), and the Upgrade only when forwarded;
 *  - req_serialize with one byte too few returns -1 and writes nothing
 *    past cap.
 *
 * A serialized head may legitimately outgrow the parser's own limits
 * (re-encoding turns one path byte into "%XX", HTTP/1.0 requests gain a
 * "Host: docker" line), so the re-parse is only required when the
 * forwarded head fits REQ_MAX_HEAD, REQ_MAX_TARGET and REQ_MAX_HEADERS.
 */
#include "fuzz_common.h"

#include "canon.h"
#include "http_req.h"

static int
is_e2e(const struct req_head *h, const struct req_hdr *hd)
{
	return !req_hdr_is_hop(h, hd->name, hd->name_len) &&
	    !req_token_eq(hd->name, hd->name_len, "content-length") &&
	    !req_token_eq(hd->name, hd->name_len, "host") &&
	    !req_token_eq(hd->name, hd->name_len, "expect");
}

static int
inside(const char *base, size_t n, const char *p, size_t len)
{
	return p >= base && p <= base + n && len <= (size_t)(base + n - p);
}

static void
check_head(const char *buf, int n, const struct req_head *h)
{
	size_t i;

	FUZZ_CHECK(n >= 4 && memcmp(buf + n - 4, "\r\n\r\n", 4) == 0,
	    "head does not end in CRLFCRLF");
	FUZZ_CHECK((unsigned)h->method < REQ_M_COUNT, "method %d", h->method);
	FUZZ_CHECK(h->minor == 0 || h->minor == 1, "minor %d", h->minor);
	FUZZ_CHECK(inside(buf, (size_t)n, h->target, h->target_len) &&
	    h->target_len > 0 && h->target[0] == '/', "target");
	FUZZ_CHECK(h->target_len <= REQ_MAX_TARGET, "target too long");
	FUZZ_CHECK(h->nhdrs <= REQ_MAX_HEADERS, "nhdrs %zu", h->nhdrs);
	for (i = 0; i < h->nhdrs; i++) {
		FUZZ_CHECK(inside(buf, (size_t)n, h->hdrs[i].name,
		    h->hdrs[i].name_len) && h->hdrs[i].name_len > 0,
		    "header %zu name", i);
		FUZZ_CHECK(inside(buf, (size_t)n, h->hdrs[i].value,
		    h->hdrs[i].value_len), "header %zu value", i);
	}
	FUZZ_CHECK(h->body <= REQ_BODY_CHUNKED, "body kind");
	if (h->body != REQ_BODY_LENGTH)
		FUZZ_CHECK(h->content_length == 0, "content_length set");
	if (h->host != NULL)
		FUZZ_CHECK(inside(buf, (size_t)n, h->host, h->host_len),
		    "host");
	if (h->upgrade != NULL)
		FUZZ_CHECK(inside(buf, (size_t)n, h->upgrade, h->upgrade_len) &&
		    h->minor == 1, "upgrade");
}

static void
round_trip(const struct req_head *h, const struct canon_target *c,
    int fwd_up)
{
	static char tgt[3 * REQ_MAX_TARGET + 64];
	static char out[4 * REQ_MAX_HEAD + 3 * REQ_MAX_TARGET];
	static struct req_head h2;
	static struct canon_target c2;
	struct req_error err;
	const char *why;
	char *s, *small;
	long tl, len, l2;
	size_t i, j, ne2e = 0, nexp;
	int n2;

	tl = canon_serialize(c, tgt, sizeof(tgt));
	FUZZ_CHECK(tl > 0, "canon_serialize failed on a canonical target");
	len = req_serialize(h, tgt, (size_t)tl, fwd_up, out, sizeof(out));
	FUZZ_CHECK(len > 0, "req_serialize failed with a large buffer");

	/* Exactly len bytes are enough; len - 1 are not, and nothing is
	 * written past cap (ASan watches the exact-size block). */
	small = malloc((size_t)len);
	if (small == NULL)
		abort();
	l2 = req_serialize(h, tgt, (size_t)tl, fwd_up, small, (size_t)len);
	FUZZ_CHECK(l2 == len && memcmp(small, out, (size_t)len) == 0,
	    "req_serialize with cap == len gave %ld", l2);
	l2 = req_serialize(h, tgt, (size_t)tl, fwd_up, small, (size_t)len - 1);
	FUZZ_CHECK(l2 == -1, "req_serialize with cap == len-1 gave %ld", l2);
	free(small);

	for (i = 0; i < h->nhdrs; i++)
		if (is_e2e(h, &h->hdrs[i]))
			ne2e++;
	/* Host + end-to-end + framing + Connection/Upgrade. */
	nexp = 1 + ne2e + (h->body != REQ_BODY_NONE) +
	    (fwd_up && h->upgrade != NULL ? 2 : 0);
	if ((size_t)len >= REQ_MAX_HEAD || (size_t)tl > REQ_MAX_TARGET ||
	    nexp > REQ_MAX_HEADERS)
		return;		/* beyond the parser's limits: see above */

	s = fuzz_dup((const uint8_t *)out, (size_t)len, 0);
	n2 = req_parse(s, (size_t)len, &h2, &err);
	FUZZ_CHECK(n2 == len, "re-parse of forwarded head gave %d (%d %s)",
	    n2, n2 == REQ_ERROR ? err.status : 0,
	    n2 == REQ_ERROR ? err.reason : "");
	check_head(s, n2, &h2);
	FUZZ_CHECK(h2.method == h->method, "method changed");
	FUZZ_CHECK(h2.minor == 1, "forwarded head is not HTTP/1.1");
	FUZZ_CHECK(h2.nhdrs == nexp, "forwarded %zu fields, expected %zu",
	    h2.nhdrs, nexp);

	/* The target canonicalises to the very same thing. */
	FUZZ_CHECK(canon_target(h2.target, h2.target_len, &c2, &why) == 0,
	    "canonical target refused: %s", why);
	FUZZ_CHECK(strcmp(c2.version, c->version) == 0, "version changed");
	FUZZ_CHECK(fuzz_same(c2.path, c2.path_len, c->path, c->path_len),
	    "path changed");
	FUZZ_CHECK((c2.query == NULL) == (c->query == NULL) &&
	    fuzz_same(c2.query ? c2.query : "", c2.query_len,
	    c->query ? c->query : "", c->query_len), "query changed");

	/* The same end-to-end fields, in order. */
	for (i = 0, j = 0;; i++, j++) {
		while (i < h->nhdrs && !is_e2e(h, &h->hdrs[i]))
			i++;
		while (j < h2.nhdrs && !is_e2e(&h2, &h2.hdrs[j]))
			j++;
		if (i == h->nhdrs || j == h2.nhdrs) {
			FUZZ_CHECK(i == h->nhdrs && j == h2.nhdrs,
			    "end-to-end field lists differ in length");
			break;
		}
		FUZZ_CHECK(fuzz_same(h->hdrs[i].name, h->hdrs[i].name_len,
		    h2.hdrs[j].name, h2.hdrs[j].name_len) &&
		    fuzz_same(h->hdrs[i].value, h->hdrs[i].value_len,
		    h2.hdrs[j].value, h2.hdrs[j].value_len),
		    "end-to-end field %zu differs", i);
	}

	/* Framing, Host, Upgrade. */
	FUZZ_CHECK(h2.body == h->body, "body framing changed: %d -> %d",
	    h->body, h2.body);
	FUZZ_CHECK(h2.content_length == h->content_length,
	    "Content-Length changed");
	FUZZ_CHECK(h2.host != NULL, "forwarded head without Host");
	if (h->host != NULL)
		FUZZ_CHECK(fuzz_same(h2.host, h2.host_len, h->host,
		    h->host_len), "Host changed");
	else
		FUZZ_CHECK(fuzz_same(h2.host, h2.host_len, "docker", 6),
		    "default Host is not docker");
	if (fwd_up && h->upgrade != NULL)
		FUZZ_CHECK(h2.upgrade != NULL && fuzz_same(h2.upgrade,
		    h2.upgrade_len, h->upgrade, h->upgrade_len),
		    "Upgrade not forwarded");
	else
		FUZZ_CHECK(h2.upgrade == NULL, "Upgrade forwarded unasked");
	FUZZ_CHECK(h2.expect_continue == 0, "Expect forwarded");
	FUZZ_CHECK(h2.keep_alive == 1, "forwarded head asks for close");
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct req_head h, hp;
	static struct canon_target c;
	struct req_error err = { 0, NULL };
	const char *why;
	char *buf, *head;
	int n, np;

	buf = fuzz_dup(data, size, 0);
	n = req_parse(buf, size, &h, &err);
	if (n == REQ_INCOMPLETE) {
		FUZZ_CHECK(size < REQ_MAX_HEAD, "INCOMPLETE at %zu bytes", size);
		goto done;
	}
	if (n == REQ_ERROR) {
		FUZZ_CHECK(err.reason != NULL && (err.status == 400 ||
		    err.status == 414 || err.status == 417 ||
		    err.status == 431 || err.status == 501 ||
		    err.status == 505), "error status %d", err.status);
		goto done;
	}
	FUZZ_CHECK(n > 0 && (size_t)n <= size && n <= REQ_MAX_HEAD,
	    "req_parse returned %d for %zu bytes", n, size);
	check_head(buf, n, &h);

	/* Restartable: the head alone, and one byte short of it. */
	head = fuzz_dup(data, (size_t)n, 0);
	np = req_parse(head, (size_t)n, &hp, &err);
	FUZZ_CHECK(np == n, "head alone parses to %d, not %d", np, n);
	np = req_parse(head, (size_t)n - 1, &hp, &err);
	FUZZ_CHECK(np == REQ_INCOMPLETE, "head minus one byte gave %d", np);
	free(head);

	if (canon_target(h.target, h.target_len, &c, &why) != 0)
		goto done;
	round_trip(&h, &c, 0);
	round_trip(&h, &c, 1);
done:
	free(buf);
	return 0;
}
