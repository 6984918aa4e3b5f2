/*
 * http_resp.h - parser for the upstream's response head, and the framing
 * decision for its body.
 *
 * Pure.  The upstream is dockerd, trusted to speak HTTP, but its framing
 * must still be followed exactly so a keep-alive connection never
 * desynchronises.  Pointers in the parsed head point into the caller's
 * buffer.
 */
#ifndef SOCKWARD_HTTP_RESP_H
#define SOCKWARD_HTTP_RESP_H

#include <stddef.h>
#include <stdint.h>

#include "http_req.h"

#define RESP_MAX_HEAD    16384
#define RESP_MAX_HEADERS 100

enum resp_framing {
	RESP_FRAME_NONE = 0,	/* no body: HEAD, 1xx, 204, 304 */
	RESP_FRAME_LENGTH,	/* Content-Length bytes */
	RESP_FRAME_CHUNKED,	/* chunked transfer coding */
	RESP_FRAME_CLOSE,	/* body ends when upstream closes */
	RESP_FRAME_HIJACK	/* 101, or dockerd's 200 raw-stream hijack */
};

struct resp_head {
	int		 status;
	int		 minor;
	const char	*reason;
	size_t		 reason_len;
	struct req_hdr	 hdrs[RESP_MAX_HEADERS];
	size_t		 nhdrs;
	int		 has_length;
	uint64_t	 content_length;
	int		 chunked;
	int		 conn_close;	/* upstream will close after this */
};

/*
 * Parse a response head at buf[0..len).  Returns the head length (> 0),
 * REQ_INCOMPLETE, or REQ_ERROR (malformed, or larger than RESP_MAX_HEAD).
 */
int	resp_parse(const char *buf, size_t len, struct resp_head *out);

/*
 * How the body of response h ends.  is_head: the request was HEAD;
 * hijack_ok: the request was to an endpoint that may hijack the connection
 * (engine_api_hijacks, judge.h); a 101 to any other request, or a 1xx, is
 * reported as RESP_FRAME_NONE and must be treated by the caller as a
 * protocol error or interim response respectively.
 */
enum resp_framing resp_framing(const struct resp_head *h, int is_head,
	    int hijack_ok);

/*
 * Returns 1 when header name (name, len) of a response must not be copied
 * to the client (connection-specific fields; sockward writes its own).
 */
int	resp_hdr_is_hop(const struct resp_head *h, const char *name, size_t len);

/*
 * Write the response head sent to the client for upstream head h to
 * dst[0..cap): the status line as "HTTP/1.1 <status> <reason>", every
 * end-to-end header of h in order (resp_hdr_is_hop ones dropped; when
 * dechunk is set Transfer-Encoding is dropped too), then for
 * RESP_FRAME_HIJACK with status 101 "Connection: Upgrade" and the
 * upstream's Upgrade value, otherwise "Connection: keep-alive" or
 * "Connection: close" as keep_alive says, then the empty line.
 * Returns the length, or -1 when cap is too small.
 */
long	resp_serialize(const struct resp_head *h, enum resp_framing f,
	    int keep_alive, int dechunk, char *dst, size_t cap);

/*
 * Write a response head for h whose body sockward re-frames (a filtered
 * response, or an answer built from h's fields): the status line with
 * status and reason, every end-to-end header of h in order except its
 * framing (Content-Length, Transfer-Encoding), then the framing of out
 * ("Content-Length: length" for RESP_FRAME_LENGTH, "Transfer-Encoding:
 * chunked" for RESP_FRAME_CHUNKED, none for RESP_FRAME_CLOSE), then
 * Connection as keep_alive says, then the empty line.  Returns the
 * length, or -1 when cap is too small or status is not three digits.
 */
long	resp_serialize_reframed(const struct resp_head *h, int status,
	    const char *reason, size_t reason_len, enum resp_framing out,
	    uint64_t length, int keep_alive, char *dst, size_t cap);

#endif
