/*
 * http_lex.c - lexical pieces shared by the request and response parsers.
 *
 * Both parsers are restartable and bounded: they call in here with the
 * limit they read up to, and nothing here looks past it.
 */
#include <stddef.h>
#include <stdint.h>

#include <string.h>

#include "http_lex.h"

static int	lex_is_vchar(unsigned char);
static int	lex_is_ows(unsigned char);
static int	lex_lower(unsigned char);
static enum lex_line lex_bad(const char **, const char *);

/* Bytes allowed inside a field value: HTAB, SP, VCHAR, obs-text. */
static int
lex_is_vchar(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c <= 0x7e) || c >= 0x80;
}

static int
lex_is_ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static int
lex_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static enum lex_line
lex_bad(const char **why, const char *reason)
{
	if (why != NULL)
		*why = reason;
	return LEX_LINE_BAD;
}

/* tchar (RFC 9110 5.6.2) as a 256-bit set: ALPHA, DIGIT and
 * !#$%&'*+-.^_`|~.  A bit test, since every head byte goes through it. */
static const uint64_t lex_tchar_set[4] = {
	0x03ff6cfa00000000ULL, 0x57ffffffc7fffffeULL, 0, 0
};

int
lex_is_tchar(unsigned char c)
{
	return (int)(lex_tchar_set[c >> 6] >> (c & 63)) & 1;
}

int
lex_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
lex_name_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t	i;

	if (alen != blen)
		return 0;
	for (i = 0; i < alen; i++)
		if (lex_lower((unsigned char)a[i]) !=
		    lex_lower((unsigned char)b[i]))
			return 0;
	return 1;
}

enum lex_line
lex_field_line(const char *buf, size_t lim, size_t *pos, int full,
    struct req_hdr *hd, const char **why)
{
	size_t		p = *pos, ns, vs, ve;
	unsigned char	c;

	if (p == lim)
		return LEX_LINE_SHORT;
	c = (unsigned char)buf[p];
	if (c == '\r') {
		if (p + 1 == lim)
			return LEX_LINE_SHORT;
		if (buf[p + 1] != '\n')
			return lex_bad(why, "bare CR in head");
		*pos = p + 2;
		return LEX_LINE_END;
	}
	if (c == '\n')
		return lex_bad(why, "bare LF in head");
	if (lex_is_ows(c))
		return lex_bad(why, "obsolete line folding");
	if (full)
		return LEX_LINE_FULL;

	ns = p;
	while (p < lim && lex_is_tchar((unsigned char)buf[p]))
		p++;
	if (p == lim)
		return LEX_LINE_SHORT;
	if (buf[p] != ':') {
		if (lex_is_ows((unsigned char)buf[p]))
			return lex_bad(why, "whitespace before colon");
		if (buf[p] == '\n')
			return lex_bad(why, "bare LF in head");
		return lex_bad(why, "malformed field name");
	}
	if (p == ns)
		return lex_bad(why, "empty field name");
	hd->name = buf + ns;
	hd->name_len = p - ns;
	p++;

	while (p < lim && lex_is_ows((unsigned char)buf[p]))
		p++;
	vs = p;
	while (p < lim && lex_is_vchar((unsigned char)buf[p]))
		p++;
	if (p == lim)
		return LEX_LINE_SHORT;
	if (buf[p] == '\n')
		return lex_bad(why, "bare LF in head");
	if (buf[p] != '\r')
		return lex_bad(why, "control byte in field value");
	if (p + 1 == lim)
		return LEX_LINE_SHORT;
	if (buf[p + 1] != '\n')
		return lex_bad(why, "bare CR in head");
	ve = p;
	while (ve > vs && lex_is_ows((unsigned char)buf[ve - 1]))
		ve--;
	hd->value = buf + vs;
	hd->value_len = ve - vs;
	*pos = p + 2;
	return LEX_LINE_FIELD;
}

int
lex_list_next(const char *v, size_t len, size_t *pos, const char **tok,
    size_t *tlen)
{
	size_t	p = *pos, s, e;

	while (p < len) {
		s = p;
		while (p < len && v[p] != ',')
			p++;
		e = p;
		if (p < len)
			p++;	/* the comma */
		while (s < e && lex_is_ows((unsigned char)v[s]))
			s++;
		while (e > s && lex_is_ows((unsigned char)v[e - 1]))
			e--;
		if (e > s) {
			*pos = p;
			*tok = v + s;
			*tlen = e - s;
			return 1;
		}
	}
	*pos = p;
	return 0;
}

int
lex_conn_options(const char *v, size_t len, int strict, unsigned *opts)
{
	const char	*tok;
	size_t		 pos = 0, tl, j;

	while (lex_list_next(v, len, &pos, &tok, &tl)) {
		/* Options name header fields: tokens only. */
		if (strict)
			for (j = 0; j < tl; j++)
				if (!lex_is_tchar((unsigned char)tok[j]))
					return -1;
		if (lex_token_eq(tok, tl, "close"))
			*opts |= LEX_CONN_CLOSE;
		else if (lex_token_eq(tok, tl, "keep-alive"))
			*opts |= LEX_CONN_KEEP_ALIVE;
		else if (lex_token_eq(tok, tl, "upgrade"))
			*opts |= LEX_CONN_UPGRADE;
	}
	return 0;
}

int
lex_conn_lists(const struct req_hdr *hdrs, size_t nhdrs, const char *name,
    size_t len)
{
	const char	*tok;
	size_t		 i, pos, tl;

	for (i = 0; i < nhdrs; i++) {
		if (hdrs[i].name_len != sizeof("connection") - 1 ||
		    !lex_token_eq(hdrs[i].name, hdrs[i].name_len, "connection"))
			continue;
		pos = 0;
		while (lex_list_next(hdrs[i].value, hdrs[i].value_len, &pos,
		    &tok, &tl))
			if (lex_name_eq(tok, tl, name, len))
				return 1;
	}
	return 0;
}

int
lex_content_length(const char *v, size_t len, uint64_t *out)
{
	uint64_t	n = 0;
	size_t		i;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		n = n * 10 + (uint64_t)(v[i] - '0');
		/* Checked per digit, so n never comes near overflowing. */
		if (n > LEX_MAX_CL)
			return -1;
	}
	*out = n;
	return 0;
}

void
lex_put(struct lex_out *o, const char *s, size_t n)
{
	if (o->over || n > o->cap - o->len) {
		o->over = 1;
		return;
	}
	if (n > 0)
		memcpy(o->dst + o->len, s, n);
	o->len += n;
}

void
lex_puts(struct lex_out *o, const char *s)
{
	lex_put(o, s, strlen(s));
}

size_t
lex_fixed(char buf[LEX_FIXED_MAX], uint64_t v, int frac)
{
	char	tmp[LEX_FIXED_MAX];
	size_t	i = sizeof(tmp);
	int	k = 0;

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
		if (++k == frac)
			tmp[--i] = '.';
	} while (v > 0 || k <= frac);
	memcpy(buf, tmp + i, sizeof(tmp) - i);
	return sizeof(tmp) - i;
}

void
lex_put_u64(struct lex_out *o, uint64_t v)
{
	char	buf[LEX_FIXED_MAX];

	lex_put(o, buf, lex_fixed(buf, v, 0));
}

void
lex_put_field(struct lex_out *o, const struct req_hdr *hd)
{
	lex_put(o, hd->name, hd->name_len);
	lex_puts(o, ": ");
	lex_put(o, hd->value, hd->value_len);
	lex_puts(o, "\r\n");
}
