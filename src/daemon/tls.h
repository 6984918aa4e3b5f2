/*
 * tls.h - TLS for tls:// listeners and a tls:// upstream, over wolfSSL.
 *
 * Contexts are built from PEM text already in memory (the files were read
 * before privileges were dropped, and again by the keeper on SIGHUP:
 * keeper.h), never from paths: the unprivileged process opens no key.
 * TLS 1.2 and 1.3 only, AEAD suites with forward secrecy only, no
 * renegotiation, no compression (wolfSSL has none), no session tickets.
 *
 * A session (struct tls_conn) wraps one non-blocking socket.  Every call
 * that would block returns TLS_AGAIN and records in tls_want() whether it
 * waits for the socket to become readable (EV_READ) or writable
 * (EV_WRITE): a read may need to write (TLS 1.3 key update) and the
 * reverse.  Decrypted bytes may wait inside the session after a read
 * (tls_pending): epoll will not report them, so the caller must read
 * again while there is room.
 */
#ifndef SOCKWARD_TLS_H
#define SOCKWARD_TLS_H

#include <sys/types.h>
#include <sys/uio.h>

#include <stddef.h>
#include <stdint.h>

#include "admit.h"

#define TLS_AGAIN	(-2)	/* would block: see tls_want() */
#define TLS_ERROR	(-1)	/* the session is dead: tls_error() says why */

/* One PEM file as read: path for messages, data NUL-terminated. */
struct tls_pem {
	const char	*path;
	const char	*data;	/* NULL: not given */
	size_t		 len;
};

/* What one context is made of. */
struct tls_material {
	struct tls_pem	 cert;		/* certificate chain, leaf first */
	struct tls_pem	 key;		/* its private key */
	struct tls_pem	 ca;		/* CA bundle to verify the peer */
};

struct tls_server;
struct tls_client;
struct tls_conn;

/* Once, before anything else here (and before the sandbox: seeding the
 * library's random generator may open files).  Returns 0, or -1 with a
 * message in err[0..errlen). */
int	tls_init(char *err, size_t errlen);

/* "wolfSSL 5.5.4" - for `sockward --version` and the start-up log. */
const char *tls_library(void);

/*
 * A server context for a tls:// listener: m->cert and m->key required
 * (the key must match the certificate), m->ca optional.  With m->ca a
 * client's certificate is verified against it and, unless
 * allow_no_client_cert, required (a client without one fails the
 * handshake).  now: the wall-clock time (seconds since the epoch) the
 * certificate's validity is checked against.  Refused with a message
 * naming the file: unreadable PEM, key not matching the certificate,
 * certificate not yet valid or expired (with its dates).  Returns the
 * context with one reference, or NULL with a message in err[0..errlen).
 * (The key is put to work in a handshake in memory: wolfSSL 5.5.4's own
 * check lets any EC key of the certificate's curve pass.)
 */
struct tls_server *tls_server_new(const struct tls_material *m,
	    int allow_no_client_cert, int64_t now, char *err, size_t errlen);

/*
 * A client context for a tls:// upstream: m->ca required (the daemon's
 * certificate is always verified), m->cert and m->key optional (both or
 * neither: dockerd --tlsverify wants a client certificate).  server_name:
 * the name the daemon's certificate must carry, a DNS name (matched to a
 * DNS SAN, and sent as SNI) or a numeric IP address (matched to an IP
 * SAN after the handshake).  A client certificate is checked as
 * tls_server_new checks a server's (dates, key).  Returns the context with
 * one reference, or NULL with a message in err.
 */
struct tls_client *tls_client_new(const struct tls_material *m,
	    const char *server_name, int64_t now, char *err, size_t errlen);

/* References: a session holds one on its context, so a context replaced
 * by a reload lives on while its sessions do.  _ref adds one (a second
 * holder, such as conn_set_upstream_tls); the last _unref frees it. */
void	tls_server_ref(struct tls_server *s);
void	tls_client_ref(struct tls_client *c);
void	tls_server_unref(struct tls_server *s);
void	tls_client_unref(struct tls_client *c);

/* A session on connected non-blocking socket fd (not owned: the caller
 * closes it after tls_free).  NULL when out of memory. */
struct tls_conn *tls_accept(struct tls_server *s, int fd);
struct tls_conn *tls_connect(struct tls_client *c, int fd);

/*
 * Advance the handshake.  Returns 0 once it is complete (and from then
 * on), TLS_AGAIN, or TLS_ERROR (a client without a certificate, one from
 * another CA, expired, a daemon whose certificate does not name
 * server_name, a protocol error, EOF).
 */
int	tls_handshake(struct tls_conn *t);

/*
 * Read up to len decrypted bytes.  Returns the count (> 0), 0 at the end
 * of the stream (close_notify or EOF), TLS_AGAIN, or TLS_ERROR.
 */
ssize_t	tls_read(struct tls_conn *t, void *buf, size_t len);

/*
 * Write from iov[0..iovcnt) in order.  Returns how many bytes were
 * accepted (> 0; the rest is for a later call), TLS_AGAIN, or
 * TLS_ERROR.  After TLS_AGAIN the next call must offer at least the same
 * bytes again (the library may have encrypted part of them).
 */
ssize_t	tls_writev(struct tls_conn *t, const struct iovec *iov, int iovcnt);

/* Decrypted bytes waiting inside the session (1 when only records read
 * from the socket and not yet decrypted wait): nonzero means a tls_read
 * would deliver bytes that epoll will not report. */
size_t	tls_pending(const struct tls_conn *t);

/* EV_READ or EV_WRITE (ev.h): what the last TLS_AGAIN waits for. */
unsigned tls_want(const struct tls_conn *t);

/* Send close_notify, best effort, without waiting for the peer's. */
void	tls_close_notify(struct tls_conn *t);

/* Why the session failed, for the log ("certificate verify failed",
 * "peer sent no certificate", ...), static or session storage. */
const char *tls_error(const struct tls_conn *t);

/* "TLSv1.3 TLS_AES_128_GCM_SHA256", once the handshake is complete. */
const char *tls_describe(const struct tls_conn *t);

/*
 * After a complete handshake: the peer certificate's subject common name
 * and subject alternative names (DNS, IP, URI, email) into *id.  Returns
 * 0, or -1 when the peer sent no certificate.
 */
int	tls_peer_identity(const struct tls_conn *t, struct admit_cert *id);

/* Free a session (no close_notify: call tls_close_notify first when the
 * end is orderly). */
void	tls_free(struct tls_conn *t);

#endif
