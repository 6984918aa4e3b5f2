/*
 * canon.c - canonical form of a request target.
 *
 * dockerd percent-decodes the path once and routes on the decoded bytes,
 * with an optional "/v<version>" first segment.  We decode exactly the
 * same way and refuse every input where a second decoder, a path cleaner
 * or a different router could see something else than the policy did.
 */
#include <string.h>

#include "canon.h"
#include "http_lex.h"

/*
 * The byte encoded by "%HH" at s, where avail bytes are readable, or -1
 * when the escape is malformed or would run past avail.
 */
static int
canon_pct(const char *s, size_t avail)
{
	int hi, lo;

	if (avail < 3 || (hi = lex_hex((unsigned char)s[1])) < 0 ||
	    (lo = lex_hex((unsigned char)s[2])) < 0)
		return -1;
	return hi << 4 | lo;
}

static int
canon_isdigit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Does the first segment (s[0..n), including its leading '/') look like
 * an attempt at a version prefix?  Such a segment must then be well formed,
 * otherwise dockerd's "[0-9.]+" route and our parser could disagree.
 */
static int
canon_version_like(const char *s, size_t n)
{
	return n >= 3 && s[0] == '/' && s[1] == 'v' &&
	    (canon_isdigit((unsigned char)s[2]) || s[2] == '.');
}

/*
 * How many parts the version prefix s[0..n) has: 2 for "/v" [0-9]{1,3}
 * "." [0-9]{1,3} (dockerd's "/v1.41"), 3 for one more "." [0-9]{1,3}
 * (libpod's "/v4.3.1", valid only before "/libpod": see canon_target),
 * 0 when it is malformed.
 */
static int
canon_version_ok(const char *s, size_t n)
{
	size_t i = 2, d;
	int parts = 0;

	for (;;) {
		for (d = 0; i < n && canon_isdigit((unsigned char)s[i]); i++)
			d++;
		if (d < 1 || d > 3)
			return 0;
		parts++;
		if (i == n)
			return parts >= 2 ? parts : 0;
		if (s[i] != '.' || parts == 3)
			return 0;
		i++;
	}
}

/*
 * Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF,
 * no truncated sequence.  A lenient decoder downstream must not be able to
 * fold some odd byte sequence into '/' or '.'.
 */
static int
canon_utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0, k, need;
	unsigned char c, lo, hi;

	while (i < n) {
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		lo = 0x80;
		hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf)
			need = 1;
		else if (c == 0xe0) {
			need = 2;
			lo = 0xa0;	/* overlong below U+0800 */
		} else if (c == 0xed) {
			need = 2;
			hi = 0x9f;	/* surrogates */
		} else if (c >= 0xe1 && c <= 0xef)
			need = 2;
		else if (c == 0xf0) {
			need = 3;
			lo = 0x90;	/* overlong below U+10000 */
		} else if (c >= 0xf1 && c <= 0xf3)
			need = 3;
		else if (c == 0xf4) {
			need = 3;
			hi = 0x8f;	/* above U+10FFFF */
		} else
			return 0;	/* stray continuation, C0/C1, F5.. */
		if (n - i - 1 < need)
			return 0;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (k = 2; k <= need; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xbf)
				return 0;
		i += need + 1;
	}
	return 1;
}

/* Segment rules on the decoded path (version already removed). */
static const char *
canon_check_segments(const char *p, size_t n)
{
	size_t i, start, seglen, nseg = 0;

	if (n == 1)
		return NULL;	/* the root "/" alone */
	for (i = 1, start = 1; i <= n; i++) {
		if (i < n && p[i] != '/')
			continue;
		seglen = i - start;
		if (seglen == 0)
			return "empty segment in path";
		if ((seglen == 1 && p[start] == '.') ||
		    (seglen == 2 && p[start] == '.' && p[start + 1] == '.'))
			return "dot segment in path";
		if (++nseg > CANON_MAX_SEGMENTS)
			return "too many path segments";
		start = i + 1;
	}
	return NULL;
}

int
canon_target(const char *target, size_t len, struct canon_target *out,
    const char **reason)
{
	const char *why;
	size_t i, qpos, w = 0;
	unsigned char c;
	int esc, in_first = 1, v;

	if (out == NULL) {
		why = "no output";
		goto fail_noout;
	}
	out->version[0] = '\0';
	out->path[0] = '\0';
	out->path_len = 0;
	out->query = NULL;
	out->query_len = 0;

	if (target == NULL || len == 0 || target[0] != '/') {
		why = "target must start with '/'";
		goto fail;
	}

	/* Byte check over the whole target, and find the first '?'. */
	qpos = len;
	for (i = 0; i < len; i++) {
		c = (unsigned char)target[i];
		if (c < 0x21 || c > 0x7e) {
			why = "invalid byte in target";
			goto fail;
		}
		if (c == '#') {
			why = "fragment in target";
			goto fail;
		}
		if (c == '?' && qpos == len)
			qpos = i;
	}

	/*
	 * Decode the path once.  The version segment is detected when its
	 * closing '/' arrives, so the length limit applies to the path that
	 * is left once the prefix is gone.  %2F is refused, hence a '/' in
	 * the output is always a real separator.
	 */
	for (i = 0; i < qpos;) {
		c = (unsigned char)target[i];
		esc = 0;
		if (c == '%') {
			if ((v = canon_pct(target + i, qpos - i)) < 0) {
				why = "malformed percent escape in path";
				goto fail;
			}
			c = (unsigned char)v;
			esc = 1;
			i += 3;
		} else
			i++;

		if (esc) {
			/* Podman routes libpod paths on the encoded path and
			 * its client escapes the '/' of image names
			 * ("localhost%2Fapp:1"), so there %2F is decoded like
			 * any escape: the policy judges, and Podman gets, the
			 * decoded path, whose names span segments by the
			 * routes' "{name:.*}".  Elsewhere a second decoder
			 * could split it where the policy did not. */
			if (c == '/' && !(w >= 8 &&
			    memcmp(out->path, "/libpod/", 8) == 0)) {
				why = "encoded slash in path";
				goto fail;
			}
			if (c == '?' || c == '#') {
				why = "encoded '?' or '#' in path";
				goto fail;
			}
			if (c == '%') {
				why = "double percent encoding in path";
				goto fail;
			}
		}
		if (c == '\\') {
			why = "backslash in path";
			goto fail;
		}
		if (c < 0x21 || c == 0x7f) {
			why = "control byte or space in path";
			goto fail;
		}

		if (c == '/' && w > 0 && in_first) {
			in_first = 0;
			if (canon_version_like(out->path, w)) {
				if (!canon_version_ok(out->path, w)) {
					why = "malformed API version prefix";
					goto fail;
				}
				memcpy(out->version, out->path + 2, w - 2);
				out->version[w - 2] = '\0';
				w = 0;
			}
		}
		if (w >= CANON_MAX_PATH - 1) {
			why = "path too long";
			goto fail;
		}
		out->path[w++] = (char)c;
	}
	out->path[w] = '\0';
	out->path_len = w;

	if (in_first && canon_version_like(out->path, w)) {
		why = canon_version_ok(out->path, w) ?
		    "empty path after API version" :
		    "malformed API version prefix";
		goto fail;
	}
	/* "/v1.41/" would leave the bare root: dockerd has no such route. */
	if (out->version[0] != '\0' && w == 1) {
		why = "empty path after API version";
		goto fail;
	}
	/* Podman's libpod API is versioned "/v4.3.1/libpod/...", dockerd's
	 * and Podman's Docker-compatible API "/v1.41/...": a three-part
	 * version anywhere else is a prefix no router here was written
	 * for. */
	if (strchr(out->version, '.') != strrchr(out->version, '.') &&
	    !(strncmp(out->path, "/libpod", 7) == 0 &&
	    (out->path[7] == '/' || out->path[7] == '\0'))) {
		why = "a three-part API version is only valid before /libpod";
		goto fail;
	}
	if (!canon_utf8_ok((const unsigned char *)out->path, w)) {
		why = "invalid UTF-8 in path";
		goto fail;
	}
	if ((why = canon_check_segments(out->path, w)) != NULL)
		goto fail;

	/* The query stays raw, but its escapes must be well formed. */
	if (qpos < len) {
		for (i = qpos + 1; i < len; i++) {
			if (target[i] == '%' &&
			    canon_pct(target + i, len - i) < 0) {
				why = "malformed percent escape in query";
				goto fail;
			}
		}
		out->query = target + qpos + 1;
		out->query_len = len - qpos - 1;
	}
	return 0;

fail:
	out->version[0] = '\0';
	out->path[0] = '\0';
	out->path_len = 0;
	out->query = NULL;
	out->query_len = 0;
fail_noout:
	if (reason != NULL)
		*reason = why;
	return -1;
}

/* Bytes that survive re-encoding as themselves (RFC 3986 pchar + '/'). */
static int
canon_path_safe(unsigned char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("-._~!$&'()*+,;=:@/", c) != NULL;
}

long
canon_serialize(const struct canon_target *t, char *dst, size_t cap)
{
	static const char hexd[] = "0123456789ABCDEF";
	size_t w = 0, i, vlen;
	unsigned char c;

	/* Never emit something that is not origin-form. */
	if (t == NULL || dst == NULL || t->path_len == 0 ||
	    t->path_len >= CANON_MAX_PATH || t->path[0] != '/')
		return -1;
	vlen = 0;
	while (vlen < CANON_MAX_VERSION && t->version[vlen] != '\0')
		vlen++;
	if (vlen == CANON_MAX_VERSION)
		return -1;

	/* Every "cap - w" test below keeps one byte for the final NUL. */
	if (vlen > 0) {
		if (cap - w <= 2 + vlen)
			return -1;
		dst[w++] = '/';
		dst[w++] = 'v';
		memcpy(dst + w, t->version, vlen);
		w += vlen;
	}
	for (i = 0; i < t->path_len; i++) {
		c = (unsigned char)t->path[i];
		if (canon_path_safe(c)) {
			if (cap - w <= 1)
				return -1;
			dst[w++] = (char)c;
		} else {
			if (cap - w <= 3)
				return -1;
			dst[w++] = '%';
			dst[w++] = hexd[c >> 4];
			dst[w++] = hexd[c & 0x0f];
		}
	}
	if (t->query != NULL) {
		/* Written so that a huge query_len cannot wrap around. */
		if (cap - w < 2 || t->query_len > cap - w - 2)
			return -1;
		dst[w++] = '?';
		memcpy(dst + w, t->query, t->query_len);
		w += t->query_len;
	}
	if (cap - w < 1)
		return -1;
	dst[w] = '\0';
	return (long)w;
}
