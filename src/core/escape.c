/*
 * escape.c - escaping of request-derived bytes for log lines and JSON.
 *
 * Each input byte maps to one whole output piece; truncation drops whole
 * pieces and appends "...", so an escape is never cut in half (a dangling
 * "\x4" or "\u00" could otherwise glue onto the next log field).
 */
#include <string.h>

#include "escape.h"

#define ESC_PIECE_MAX 6		/* longest piece: "\u00HH" */

typedef size_t (*esc_fn)(unsigned char c, char *piece);

static const char esc_hexd[] = "0123456789abcdef";

/*
 * The piece for c when it needs no escape (printable ASCII, '"' and '\\'
 * as backslash pairs), with its length; 0 when it needs one.  Shared by
 * both formats: they differ only in control and non-ASCII bytes.
 */
static size_t
esc_plain(unsigned char c, char *piece)
{
	if (c == '"' || c == '\\') {
		piece[0] = '\\';
		piece[1] = (char)c;
		return 2;
	}
	if (c >= 0x20 && c <= 0x7e) {
		piece[0] = (char)c;
		return 1;
	}
	return 0;
}

/* prefix, then c as two hex digits (\xHH, \u00HH). */
static size_t
esc_hex(unsigned char c, char *piece, const char *prefix, size_t plen)
{
	memcpy(piece, prefix, plen);
	piece[plen] = esc_hexd[c >> 4];
	piece[plen + 1] = esc_hexd[c & 0x0f];
	return plen + 2;
}

static size_t
esc_text_one(unsigned char c, char *piece)
{
	size_t	n = esc_plain(c, piece);

	return n != 0 ? n : esc_hex(c, piece, "\\x", 2);
}

static size_t
esc_json_one(unsigned char c, char *piece)
{
	size_t	n = esc_plain(c, piece);

	if (n != 0)
		return n;
	piece[0] = '\\';
	switch (c) {
	case '\n':
		piece[1] = 'n';
		return 2;
	case '\r':
		piece[1] = 'r';
		return 2;
	case '\t':
		piece[1] = 't';
		return 2;
	default:
		return esc_hex(c, piece, "\\u00", 4);
	}
}

static size_t
esc_run(char *dst, size_t cap, const char *src, size_t len, esc_fn one)
{
	char piece[ESC_PIECE_MAX];
	size_t i, n, w = 0, total = 0, limit;

	if (dst == NULL || cap == 0)
		return 0;
	if (src == NULL)
		len = 0;
	/* Fast path: what needs no escape in either format (printable
	 * ASCII but '"' and '\\') and fits is copied as is. */
	if (len <= cap - 1) {
		for (i = 0; i < len; i++) {
			n = (unsigned char)src[i];
			if (n < 0x20 || n > 0x7e || n == '"' || n == '\\')
				break;
		}
		if (i == len) {
			if (len > 0)
				memcpy(dst, src, len);
			dst[len] = '\0';
			return len;
		}
	}

	/* Does it all fit?  Stop counting as soon as it does not. */
	for (i = 0; i < len && total <= cap - 1; i++)
		total += one((unsigned char)src[i], piece);
	if (total <= cap - 1)
		limit = cap - 1;
	else	/* leave room for the "..." marker */
		limit = cap - 1 >= 3 ? cap - 1 - 3 : 0;

	for (i = 0; i < len; i++) {
		n = one((unsigned char)src[i], piece);
		if (n > limit - w)
			break;
		memcpy(dst + w, piece, n);
		w += n;
	}
	if (i < len)
		for (n = 0; n < 3 && w < cap - 1; n++)
			dst[w++] = '.';
	dst[w] = '\0';
	return w;
}

size_t
esc_text(char *dst, size_t cap, const char *src, size_t len)
{
	return esc_run(dst, cap, src, len, esc_text_one);
}

size_t
esc_json(char *dst, size_t cap, const char *src, size_t len)
{
	return esc_run(dst, cap, src, len, esc_json_one);
}
