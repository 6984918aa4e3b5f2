/*
 * http_lex.h - lexical pieces shared by the HTTP/1.x parsers: character
 * classes, one header-field line, comma-separated lists, Connection
 * options and Content-Length.
 *
 * Pure: no sockets, no allocation, no state.  Nothing here copies: every
 * pointer handed back borrows from the caller's buffer and stays valid
 * exactly as long as those bytes are left unchanged.  No function reads
 * outside the bounds it is given.
 */
#ifndef SOCKWARD_HTTP_LEX_H
#define SOCKWARD_HTTP_LEX_H

#include <stddef.h>
#include <stdint.h>

#define LEX_MAX_CL	((uint64_t)1 << 53)	/* largest Content-Length */

/* Connection options recognised by lex_conn_options. */
#define LEX_CONN_CLOSE		0x1u
#define LEX_CONN_KEEP_ALIVE	0x2u
#define LEX_CONN_UPGRADE	0x4u

/*
 * One header field.  Named for the request parser, its first user, and
 * shared by the response parser; both name and value borrow from the
 * buffer that was parsed.
 */
struct req_hdr {
	const char	*name;
	size_t		 name_len;
	const char	*value;		/* leading/trailing OWS removed */
	size_t		 value_len;
};

/* What lex_field_line found at the start of a line. */
enum lex_line {
	LEX_LINE_FIELD = 0,	/* a field line: *hd filled */
	LEX_LINE_END,		/* the empty line ending the header section */
	LEX_LINE_SHORT,		/* the bytes end inside the line */
	LEX_LINE_FULL,		/* a field starts, but the caller has no room */
	LEX_LINE_BAD		/* malformed: *why says how */
};

/* Returns 1 when c is an RFC 9110 5.6.2 tchar, else 0. */
int	lex_is_tchar(unsigned char c);

/* Value of hex digit c (0-9, a-f, A-F) as 0..15, or -1 for any other byte. */
int	lex_hex(unsigned char c);

/*
 * A bounded output buffer for the serialisers: appends that do not fit set
 * over and write nothing, so a caller checks once at the end.
 */
struct lex_out {
	char	*dst;
	size_t	 len;
	size_t	 cap;
	int	 over;
};

/* Append s[0..n) (or the NUL-terminated s) to o, or set o->over. */
void	lex_put(struct lex_out *o, const char *s, size_t n);
void	lex_puts(struct lex_out *o, const char *s);

/* Append v in decimal to o, or set o->over. */
void	lex_put_u64(struct lex_out *o, uint64_t v);

#define LEX_FIXED_MAX 32	/* room lex_fixed needs, any v and frac */

/*
 * v in decimal into buf (not terminated); with frac > 0 (at most 8) v
 * counts 10^-frac units and is written with that many decimals
 * ("12.345").  Returns the length.  The log and the metrics share it.
 */
size_t	lex_fixed(char buf[LEX_FIXED_MAX], uint64_t v, int frac);

/* Append the field line "NAME: VALUE\r\n" of hd to o, or set o->over. */
void	lex_put_field(struct lex_out *o, const struct req_hdr *hd);

/*
 * Case-insensitive ASCII comparison of s[0..len) against the NUL-terminated
 * lower-case literal lit.  Returns 1 when equal, else 0.  Reads at most len
 * bytes of s and at most len + 1 bytes of lit.
 */
static inline int
lex_token_eq(const char *s, size_t len, const char *lit)
{
	size_t		i;
	unsigned char	c;

	/* Inline: it runs for every header against every name of interest,
	 * and most calls end at the first byte.  lit is read up to its NUL
	 * or len + 1 bytes, whichever comes first. */
	for (i = 0;; i++) {
		if (lit[i] == '\0')
			return i == len;
		if (i == len)
			return 0;
		c = (unsigned char)s[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + ('a' - 'A'));
		if (c != (unsigned char)lit[i])
			return 0;
	}
}

/*
 * Case-insensitive ASCII comparison of a[0..alen) and b[0..blen).  Returns
 * 1 when equal (same length, same letters ignoring case), else 0.
 */
int	lex_name_eq(const char *a, size_t alen, const char *b, size_t blen);

/*
 * Lex the header-field line that starts at buf[*pos], reading no further
 * than buf[lim - 1].  Grammar (RFC 9112 5, no leniencies): either the
 * empty line CRLF, or 1*tchar ":" OWS *(VCHAR / SP / HTAB / obs-text) CRLF;
 * bare CR, bare LF, obsolete line folding, whitespace before the colon and
 * control bytes in the value are all malformed.
 *
 * full: the caller cannot store another field; a line that starts like a
 * field (anything but CR, LF or OWS) then gives LEX_LINE_FULL without
 * being read further.
 *
 * Returns
 *   LEX_LINE_FIELD: *hd is the field (value with OWS trimmed on both
 *     sides, both borrowing from buf) and *pos is past its CRLF;
 *   LEX_LINE_END: the empty line; *pos is past its CRLF;
 *   LEX_LINE_SHORT: buf[*pos..lim) is a valid but unfinished line;
 *   LEX_LINE_FULL: see full;
 *   LEX_LINE_BAD: *why is set to a static explanation ("bare LF in
 *     head", ...), which a caller may show or ignore.
 * *pos is changed only for FIELD and END; *hd only for FIELD (its name
 * may also be set when BAD or SHORT is returned after the colon).  why may
 * be NULL.
 */
enum lex_line lex_field_line(const char *buf, size_t lim, size_t *pos,
	    int full, struct req_hdr *hd, const char **why);

/*
 * Next element of the comma-separated list v[0..len) at or after *pos,
 * with OWS on both sides removed; empty elements are skipped (RFC 9110
 * 5.6.1).  Start with *pos = 0.  Returns 1 and sets (*tok, *tlen), *tok
 * borrowing from v, or 0 at the end of the list.  *pos is advanced either
 * way and must not be changed by the caller between calls.
 */
int	lex_list_next(const char *v, size_t len, size_t *pos,
	    const char **tok, size_t *tlen);

/*
 * ORs into *opts the LEX_CONN_* bits for the options "close",
 * "keep-alive" and "upgrade" (case-insensitive) found in the Connection
 * field value v[0..len); other options are ignored.  strict: every option
 * must be a token (request side); otherwise any bytes are accepted
 * (response side).  Returns 0, or -1 when strict and an option is not a
 * token, *opts then holding the bits of the options before it.
 */
int	lex_conn_options(const char *v, size_t len, int strict, unsigned *opts);

/*
 * Returns 1 when (name, len) is, case-insensitively, an option of one of
 * the Connection fields among hdrs[0..nhdrs), else 0.
 */
int	lex_conn_lists(const struct req_hdr *hdrs, size_t nhdrs,
	    const char *name, size_t len);

/*
 * Parse the Content-Length value v[0..len): 1*DIGIT, no sign, no OWS, at
 * most LEX_MAX_CL.  Returns 0 and sets *out, or -1 leaving *out unchanged.
 */
int	lex_content_length(const char *v, size_t len, uint64_t *out);

#endif
