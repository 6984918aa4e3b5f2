/*
 * tls.c - tls.h over wolfSSL.
 *
 * Choices: TLS 1.2 and 1.3 (wolfSSLv23 methods with a 1.2 floor); the
 * cipher list below (TLS 1.3 AEAD suites; for 1.2 ECDHE with AES-GCM or
 * ChaCha20-Poly1305); no renegotiation (wolfSSL renegotiates only when
 * built with HAVE_SECURE_RENEGOTIATION and asked to: nothing here asks,
 * and a peer's request is refused); no resumption at all: no session
 * tickets (1.2 or 1.3) and the session cache off, so every connection is
 * a full handshake with the context it came in on and nothing of an old
 * context outlives a reload but its open sessions.  The library's own
 * socket I/O is not used: the callbacks below recv and send on the
 * descriptor, so EOF (which Docker's hijack CloseWrite sends without a
 * close_notify) and errno reach the caller as themselves.
 *
 * wolfSSL API used, for a minimal build of the library (the static
 * binary's).  Native:
 *   wolfSSL_Init, LIBWOLFSSL_VERSION_STRING,
 *   wolfSSLv23_server_method, wolfSSLv23_client_method, wolfSSL_CTX_new,
 *   wolfSSL_CTX_free, wolfSSL_CTX_SetMinVersion (WOLFSSL_TLSV1_2),
 *   wolfSSL_CTX_set_cipher_list, wolfSSL_CTX_use_certificate_chain_buffer,
 *   wolfSSL_CTX_use_PrivateKey_buffer (WOLFSSL_FILETYPE_PEM),
 *   wolfSSL_CTX_check_private_key (not NO_CHECK_PRIVATE_KEY),
 *   wolfSSL_CTX_load_verify_buffer, wolfSSL_CTX_set_verify
 *   (WOLFSSL_VERIFY_NONE, _PEER, _FAIL_IF_NO_PEER_CERT),
 *   wolfSSL_CTX_set_session_cache_mode (WOLFSSL_SESS_CACHE_OFF),
 *   wolfSSL_CTX_NoTicketTLSv12 (if HAVE_SESSION_TICKET),
 *   wolfSSL_CTX_no_ticket_TLSv13 (if WOLFSSL_TLS13),
 *   wolfSSL_CTX_SetIORecv, wolfSSL_CTX_SetIOSend (WOLFSSL_CBIO_ERR_*),
 *   wolfSSL_new, wolfSSL_free, wolfSSL_SetIOReadCtx, wolfSSL_SetIOWriteCtx,
 *   wolfSSL_check_domain_name, wolfSSL_UseSNI (HAVE_SNI,
 *   WOLFSSL_SNI_HOST_NAME), wolfSSL_accept, wolfSSL_connect, wolfSSL_read,
 *   wolfSSL_write, wolfSSL_shutdown, wolfSSL_pending, wolfSSL_has_pending,
 *   wolfSSL_get_error (WOLFSSL_ERROR_WANT_READ, _WANT_WRITE,
 *   _ZERO_RETURN), wolfSSL_ERR_reason_error_string,
 *   wolfSSL_get_alert_history, wolfSSL_get_version,
 *   wolfSSL_get_current_cipher_suite,
 *   wolfSSL_get_cipher_name_iana_from_suite,
 *   wolfSSL_X509_load_certificate_buffer, wolfSSL_X509_notBefore,
 *   wolfSSL_X509_notAfter (KEEP_OUR_CERT), wolfSSL_get_peer_certificate
 *   (KEEP_PEER_CERT), wolfSSL_X509_free; error codes from error-ssl.h
 *   and error-crypt.h (NO_PEER_CERT, ASN_NO_SIGNER_E, ...).
 * X509 compatibility layer, for names only (OPENSSL_EXTRA):
 *   wolfSSL_X509_get_subject_name, wolfSSL_X509_NAME_get_index_by_NID,
 *   wolfSSL_X509_NAME_get_entry, wolfSSL_X509_NAME_ENTRY_get_data,
 *   wolfSSL_ASN1_STRING_data, wolfSSL_ASN1_STRING_length,
 *   wolfSSL_X509_get_ext_d2i (NID_subject_alt_name),
 *   wolfSSL_sk_GENERAL_NAME_num, wolfSSL_sk_GENERAL_NAME_value,
 *   wolfSSL_GENERAL_NAMES_free (GEN_DNS, GEN_IPADD, GEN_URI, GEN_EMAIL;
 *   IP SANs need WOLFSSL_IP_ALT_NAME or OPENSSL_ALL, URIs
 *   WOLFSSL_ALT_NAMES).
 * Features: WOLFSSL_TLS13, HAVE_TLS_EXTENSIONS, HAVE_SUPPORTED_CURVES,
 * HAVE_SNI, HAVE_ECC, HAVE_AESGCM, HAVE_CHACHA + HAVE_POLY1305 (else
 * those suites drop out of the list), WOLFSSL_ALT_NAMES,
 * WOLFSSL_IP_ALT_NAME, KEEP_PEER_CERT, KEEP_OUR_CERT, OPENSSL_EXTRA;
 * not needed: the library's socket I/O (WOLFSSL_USER_IO is fine), the
 * filesystem (NO_FILESYSTEM is fine), session cache and tickets,
 * HAVE_SECURE_RENEGOTIATION (must stay off).  Random numbers: the
 * library's seed source must work inside the sandbox (getrandom with
 * HAVE_GETRANDOM, else /dev/urandom, which sandbox.c lets it read).
 */
#define WOLFSSL_OPTIONS_IGNORE_SYS	/* keep our _FORTIFY_SOURCE */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include <sys/socket.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ev.h"
#include "tls.h"

/* OpenSSL-style names: wolfSSL_CTX_set_cipher_list takes them.  Suites
 * the library was built without are skipped by it. */
#define TLS_CIPHERS \
	"TLS13-AES128-GCM-SHA256:TLS13-AES256-GCM-SHA384:" \
	"TLS13-CHACHA20-POLY1305-SHA256:" \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

/* GENERAL_NAME types: the GeneralName tags of RFC 5280 4.2.1.6, which
 * wolfSSL uses as they are (its GEN_* live in the OpenSSL-named headers,
 * not included here). */
#define TLS_GEN_EMAIL	1
#define TLS_GEN_DNS	2
#define TLS_GEN_URI	6
#define TLS_GEN_IPADD	7

/* Plain text gathered for one wolfSSL_write: one record at most. */
#define TLS_RECORD	16384
/* Records one tls_writev may write before it returns. */
#define TLS_WRITE_RECORDS 4

struct tls_server {
	WOLFSSL_CTX	*ctx;
	unsigned	 refs;
};

struct tls_client {
	WOLFSSL_CTX	*ctx;
	unsigned	 refs;
	char		 name[256];	/* server name as given */
	int		 ip_len;	/* 4 or 16 when name is an address */
	unsigned char	 ip[16];
};

struct tls_conn {
	WOLFSSL		*ssl;
	struct tls_server *srv;		/* one of the two holds a reference */
	struct tls_client *cli;
	int		 fd;
	unsigned	 want;		/* EV_READ or EV_WRITE after TLS_AGAIN */
	int		 done;		/* handshake complete */
	int		 failed;	/* TLS_ERROR returned: dead */
	int		 eof;		/* recv saw the peer's FIN */
	int		 sys_err;	/* errno of a failed recv or send */
	int		 code;		/* wolfSSL error of the failure */
	int		 notified;	/* close_notify sent */
	char		 why[200];
	char		 desc[96];
};

static int	tls_ready;

/* ---- library ---- */

int
tls_init(char *err, size_t errlen)
{
	if (tls_ready)
		return 0;
	if (wolfSSL_Init() != WOLFSSL_SUCCESS) {
		snprintf(err, errlen, "wolfSSL_Init failed");
		return -1;
	}
	tls_ready = 1;
	return 0;
}

const char *
tls_library(void)
{
	return "wolfSSL " LIBWOLFSSL_VERSION_STRING;
}

/* ---- I/O callbacks: the descriptor, without the library's socket code */

static int
tls_io_recv(WOLFSSL *ssl, char *buf, int sz, void *arg)
{
	struct tls_conn	*t = arg;
	ssize_t		 n;

	(void)ssl;
	for (;;) {
		n = recv(t->fd, buf, (size_t)sz, 0);
		if (n > 0)
			return (int)n;
		if (n == 0) {
			/* A FIN: the caller's EOF.  The library is told to
			 * wait, so it keeps its session as it was: writes
			 * still work (a half-closed hijack). */
			t->eof = 1;
			return WOLFSSL_CBIO_ERR_WANT_READ;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return WOLFSSL_CBIO_ERR_WANT_READ;
		t->sys_err = errno;
		return errno == ECONNRESET ? WOLFSSL_CBIO_ERR_CONN_RST :
		    WOLFSSL_CBIO_ERR_GENERAL;
	}
}

static int
tls_io_send(WOLFSSL *ssl, char *buf, int sz, void *arg)
{
	struct tls_conn	*t = arg;
	ssize_t		 n;

	(void)ssl;
	for (;;) {
		n = send(t->fd, buf, (size_t)sz, MSG_NOSIGNAL);
		if (n >= 0)
			return (int)n;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return WOLFSSL_CBIO_ERR_WANT_WRITE;
		t->sys_err = errno;
		return errno == ECONNRESET ? WOLFSSL_CBIO_ERR_CONN_RST :
		    errno == EPIPE ? WOLFSSL_CBIO_ERR_CONN_CLOSE :
		    WOLFSSL_CBIO_ERR_GENERAL;
	}
}

/* ---- contexts ---- */

/*
 * An ASN.1 time as wolfSSL_X509_notBefore gives it ([type, length,
 * text]: UTCTime "YYMMDDHHMMSSZ" or GeneralizedTime "YYYYMMDDHHMMSSZ",
 * the two forms RFC 5280 allows) to seconds since the epoch and text.
 * Returns 0, or -1 when it is neither.
 */
static int
tls_asn1_time(const unsigned char *a, int64_t *out, char *text, size_t len)
{
	struct tm	 tm;
	const unsigned char *p;
	int		 v[7], i, n, digits;

	if (a == NULL)
		return -1;
	if (a[0] == 0x17 && a[1] == 13)
		digits = 12;
	else if (a[0] == 0x18 && a[1] == 15)
		digits = 14;
	else
		return -1;
	p = a + 2;
	if (p[digits] != 'Z')
		return -1;
	for (i = 0; i < digits; i++)
		if (p[i] < '0' || p[i] > '9')
			return -1;
	n = 0;
	if (digits == 12) {
		v[n++] = (p[0] - '0') * 10 + (p[1] - '0');
		v[0] += v[0] >= 50 ? 1900 : 2000;	/* RFC 5280 4.1.2.5.1 */
		p += 2;
	} else {
		v[n++] = (p[0] - '0') * 1000 + (p[1] - '0') * 100 +
		    (p[2] - '0') * 10 + (p[3] - '0');
		p += 4;
	}
	for (; n < 6; n++, p += 2)
		v[n] = (p[0] - '0') * 10 + (p[1] - '0');
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	*out = (int64_t)timegm(&tm);
	snprintf(text, len, "%04d-%02d-%02d %02d:%02d:%02d UTC", v[0], v[1],
	    v[2], v[3], v[4], v[5]);
	return 0;
}

/* The validity of the first certificate of pem at now.  Returns 0, or -1
 * with a message naming the file. */
static int
tls_check_dates(const struct tls_pem *pem, int64_t now, char *err,
    size_t errlen)
{
	WOLFSSL_X509	*x;
	int64_t		 nb, na;
	char		 tb[40], ta[40];
	int		 rc = -1;

	x = wolfSSL_X509_load_certificate_buffer((const unsigned char *)
	    pem->data, (int)pem->len, WOLFSSL_FILETYPE_PEM);
	if (x == NULL) {
		snprintf(err, errlen, "%s: no PEM certificate in it", pem->path);
		return -1;
	}
	if (tls_asn1_time(wolfSSL_X509_notBefore(x), &nb, tb, sizeof(tb)) ==
	    -1 || tls_asn1_time(wolfSSL_X509_notAfter(x), &na, ta,
	    sizeof(ta)) == -1)
		snprintf(err, errlen, "%s: the certificate's validity dates "
		    "cannot be read", pem->path);
	else if (now < nb)
		snprintf(err, errlen, "%s: the certificate is not yet valid "
		    "(valid from %s to %s)", pem->path, tb, ta);
	else if (now > na)
		snprintf(err, errlen, "%s: the certificate has expired (valid "
		    "from %s to %s)", pem->path, tb, ta);
	else
		rc = 0;
	wolfSSL_X509_free(x);
	return rc;
}

/* The library's words for error code e. */
static const char *
tls_reason(int e)
{
	const char *s = wolfSSL_ERR_reason_error_string((unsigned long)e);

	return s != NULL ? s : "unknown error";
}

/* ---- does the key go with the certificate? ---- */

/*
 * wolfSSL_CTX_check_private_key of wolfSSL 5.5.4 compares RSA keys but
 * lets any EC key of the certificate's curve pass.  So the pair is also
 * put to work: a handshake in memory, the pair on the server side and a
 * client that checks the server's signature (CertificateVerify, or the
 * 1.2 key exchange) with the certificate's public key.  A key that does
 * not belong to the certificate cannot make one that verifies.
 */
struct tls_pipe {
	unsigned char	*data;
	size_t		 len;
};

struct tls_loop {
	struct tls_pipe	*in, *out;
};

#define TLS_PIPE_CAP	65536

static int
tls_mem_recv(WOLFSSL *ssl, char *buf, int sz, void *arg)
{
	struct tls_loop	*l = arg;
	size_t		 n = l->in->len < (size_t)sz ? l->in->len : (size_t)sz;

	(void)ssl;
	if (n == 0)
		return WOLFSSL_CBIO_ERR_WANT_READ;
	memcpy(buf, l->in->data, n);
	memmove(l->in->data, l->in->data + n, l->in->len - n);
	l->in->len -= n;
	return (int)n;
}

static int
tls_mem_send(WOLFSSL *ssl, char *buf, int sz, void *arg)
{
	struct tls_loop	*l = arg;
	size_t		 n = TLS_PIPE_CAP - l->out->len;

	(void)ssl;
	if (n == 0)
		return WOLFSSL_CBIO_ERR_WANT_WRITE;
	if (n > (size_t)sz)
		n = (size_t)sz;
	memcpy(l->out->data + l->out->len, buf, n);
	l->out->len += n;
	return (int)n;
}

/* One side of the test handshake: a context with the suites, and a
 * session on loop l.  NULL when out of memory. */
static WOLFSSL *
tls_mem_side(WOLFSSL_CTX *ctx, struct tls_loop *l)
{
	WOLFSSL	*ssl;

	if (ctx == NULL || wolfSSL_CTX_SetMinVersion(ctx, WOLFSSL_TLSV1_2) !=
	    WOLFSSL_SUCCESS || wolfSSL_CTX_set_cipher_list(ctx, TLS_CIPHERS) !=
	    WOLFSSL_SUCCESS)
		return NULL;
	wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_NONE, NULL);
	wolfSSL_CTX_SetIORecv(ctx, tls_mem_recv);
	wolfSSL_CTX_SetIOSend(ctx, tls_mem_send);
	if ((ssl = wolfSSL_new(ctx)) == NULL)
		return NULL;
	wolfSSL_SetIOReadCtx(ssl, l);
	wolfSSL_SetIOWriteCtx(ssl, l);
	return ssl;
}

/* One step of side ssl: 1 done, 0 waiting, -1 failed (*e: why). */
static int
tls_mem_step(WOLFSSL *ssl, int server, int *e)
{
	int	r = server ? wolfSSL_accept(ssl) : wolfSSL_connect(ssl);

	if (r == WOLFSSL_SUCCESS)
		return 1;
	r = wolfSSL_get_error(ssl, r);
	if (r == WOLFSSL_ERROR_WANT_READ || r == WOLFSSL_ERROR_WANT_WRITE)
		return 0;
	if (*e == 0)
		*e = r;
	return -1;
}

/* m->cert and m->key (parsed already) sign what the certificate's public
 * key verifies?  Returns 0, or -1 with a message. */
static int
tls_key_check(const struct tls_material *m, char *err, size_t errlen)
{
	struct tls_pipe	 a = { NULL, 0 }, b = { NULL, 0 };
	struct tls_loop	 sl = { &a, &b }, cl = { &b, &a };
	WOLFSSL_CTX	*sctx = NULL, *cctx = NULL;
	WOLFSSL		*s = NULL, *c = NULL;
	int		 i, sd = 0, cd = 0, e = 0, rc = -1;

	if ((a.data = malloc(TLS_PIPE_CAP)) == NULL ||
	    (b.data = malloc(TLS_PIPE_CAP)) == NULL)
		goto out;
	sctx = wolfSSL_CTX_new(wolfSSLv23_server_method());
	cctx = wolfSSL_CTX_new(wolfSSLv23_client_method());
	if (sctx == NULL || wolfSSL_CTX_use_certificate_chain_buffer(sctx,
	    (const unsigned char *)m->cert.data, (long)m->cert.len) !=
	    WOLFSSL_SUCCESS || wolfSSL_CTX_use_PrivateKey_buffer(sctx,
	    (const unsigned char *)m->key.data, (long)m->key.len,
	    WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS ||
	    (s = tls_mem_side(sctx, &sl)) == NULL ||
	    (c = tls_mem_side(cctx, &cl)) == NULL)
		goto out;
	/* A handshake takes a few flights; a dozen steps are plenty. */
	for (i = 0; i < 12 && !(sd == 1 && cd == 1) && sd != -1 && cd != -1;
	    i++) {
		if (cd == 0)
			cd = tls_mem_step(c, 0, &e);
		if (sd == 0 && cd != -1)
			sd = tls_mem_step(s, 1, &e);
	}
	if (sd == 1 && cd == 1)
		rc = 0;
out:
	if (rc == -1)
		snprintf(err, errlen, "%s: the private key does not match the "
		    "certificate %s (a test handshake with them failed: %s)",
		    m->key.path, m->cert.path, e != 0 ? tls_reason(e) :
		    "out of memory or no progress");
	wolfSSL_free(s);
	wolfSSL_free(c);
	wolfSSL_CTX_free(sctx);
	wolfSSL_CTX_free(cctx);
	free(a.data);
	free(b.data);
	return rc;
}

/*
 * The parts both kinds of context share: protocol floor, suites, no
 * resumption, the I/O callbacks, and m's certificate, key and CA (those
 * given).  Returns the context, or NULL with a message in err.
 */
static WOLFSSL_CTX *
tls_ctx_new(WOLFSSL_METHOD *method, const struct tls_material *m,
    int64_t now, char *err, size_t errlen)
{
	WOLFSSL_CTX	*ctx;
	int		 r;

	if (!tls_ready && tls_init(err, errlen) == -1)
		return NULL;
	if (method == NULL || (ctx = wolfSSL_CTX_new(method)) == NULL) {
		snprintf(err, errlen, "out of memory for a TLS context");
		return NULL;
	}
	if (wolfSSL_CTX_SetMinVersion(ctx, WOLFSSL_TLSV1_2) !=
	    WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_set_cipher_list(ctx, TLS_CIPHERS) != WOLFSSL_SUCCESS) {
		snprintf(err, errlen, "the TLS library refuses TLS 1.2 or its "
		    "cipher suites");
		goto fail;
	}
	(void)wolfSSL_CTX_set_session_cache_mode(ctx, WOLFSSL_SESS_CACHE_OFF);
#ifdef HAVE_SESSION_TICKET
	(void)wolfSSL_CTX_NoTicketTLSv12(ctx);
#endif
#ifdef WOLFSSL_TLS13
	(void)wolfSSL_CTX_no_ticket_TLSv13(ctx);
#endif
	wolfSSL_CTX_SetIORecv(ctx, tls_io_recv);
	wolfSSL_CTX_SetIOSend(ctx, tls_io_send);
	if (m->cert.data != NULL) {
		if (tls_check_dates(&m->cert, now, err, errlen) == -1)
			goto fail;
		r = wolfSSL_CTX_use_certificate_chain_buffer(ctx,
		    (const unsigned char *)m->cert.data, (long)m->cert.len);
		if (r != WOLFSSL_SUCCESS) {
			snprintf(err, errlen, "%s: not a PEM certificate chain "
			    "(%s)", m->cert.path, tls_reason(r));
			goto fail;
		}
		r = wolfSSL_CTX_use_PrivateKey_buffer(ctx,
		    (const unsigned char *)m->key.data, (long)m->key.len,
		    WOLFSSL_FILETYPE_PEM);
		if (r != WOLFSSL_SUCCESS) {
			snprintf(err, errlen, "%s: not a PEM private key that "
			    "goes with %s (%s)", m->key.path, m->cert.path,
			    tls_reason(r));
			goto fail;
		}
		if (wolfSSL_CTX_check_private_key(ctx) != WOLFSSL_SUCCESS) {
			snprintf(err, errlen, "%s: the private key does not "
			    "match the certificate %s", m->key.path,
			    m->cert.path);
			goto fail;
		}
		if (tls_key_check(m, err, errlen) == -1)
			goto fail;
	}
	if (m->ca.data != NULL) {
		r = wolfSSL_CTX_load_verify_buffer(ctx, (const unsigned char *)
		    m->ca.data, (long)m->ca.len, WOLFSSL_FILETYPE_PEM);
		if (r != WOLFSSL_SUCCESS) {
			snprintf(err, errlen, "%s: not a usable PEM CA bundle "
			    "(%s)", m->ca.path, tls_reason(r));
			goto fail;
		}
	}
	return ctx;
fail:
	wolfSSL_CTX_free(ctx);
	return NULL;
}

struct tls_server *
tls_server_new(const struct tls_material *m, int allow_no_client_cert,
    int64_t now, char *err, size_t errlen)
{
	struct tls_server *s;

	if (m->cert.data == NULL || m->key.data == NULL) {
		snprintf(err, errlen, "a TLS listener needs a certificate and "
		    "its key");
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((s->ctx = tls_ctx_new(wolfSSLv23_server_method(), m, now, err,
	    errlen)) == NULL) {
		free(s);
		return NULL;
	}
	if (m->ca.data == NULL)
		wolfSSL_CTX_set_verify(s->ctx, WOLFSSL_VERIFY_NONE, NULL);
	else
		wolfSSL_CTX_set_verify(s->ctx, WOLFSSL_VERIFY_PEER |
		    (allow_no_client_cert ? 0 :
		    WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT), NULL);
	s->refs = 1;
	return s;
}

struct tls_client *
tls_client_new(const struct tls_material *m, const char *server_name,
    int64_t now, char *err, size_t errlen)
{
	struct tls_client *c;

	if (m->ca.data == NULL) {
		snprintf(err, errlen, "a TLS upstream needs the CA that signed "
		    "the daemon's certificate (upstream-ca)");
		return NULL;
	}
	if ((m->cert.data == NULL) != (m->key.data == NULL)) {
		snprintf(err, errlen, "upstream-cert and upstream-key go "
		    "together");
		return NULL;
	}
	if (server_name == NULL || server_name[0] == '\0' ||
	    strlen(server_name) >= sizeof(c->name)) {
		snprintf(err, errlen, "a TLS upstream needs the name its "
		    "certificate carries (a DNS name or an IP address)");
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(c->name, sizeof(c->name), "%s", server_name);
	if (inet_pton(AF_INET, server_name, c->ip) == 1)
		c->ip_len = 4;
	else if (inet_pton(AF_INET6, server_name, c->ip) == 1)
		c->ip_len = 16;
	if ((c->ctx = tls_ctx_new(wolfSSLv23_client_method(), m, now, err,
	    errlen)) == NULL) {
		free(c);
		return NULL;
	}
	wolfSSL_CTX_set_verify(c->ctx, WOLFSSL_VERIFY_PEER, NULL);
	c->refs = 1;
	return c;
}

void
tls_server_ref(struct tls_server *s)
{
	s->refs++;
}

void
tls_client_ref(struct tls_client *c)
{
	c->refs++;
}

void
tls_server_unref(struct tls_server *s)
{
	if (s == NULL || --s->refs > 0)
		return;
	wolfSSL_CTX_free(s->ctx);
	free(s);
}

void
tls_client_unref(struct tls_client *c)
{
	if (c == NULL || --c->refs > 0)
		return;
	wolfSSL_CTX_free(c->ctx);
	free(c);
}

/* ---- sessions ---- */

static struct tls_conn *
tls_conn_new(WOLFSSL_CTX *ctx, int fd)
{
	struct tls_conn *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((t->ssl = wolfSSL_new(ctx)) == NULL) {
		free(t);
		return NULL;
	}
	t->fd = fd;
	t->want = EV_READ;
	wolfSSL_SetIOReadCtx(t->ssl, t);
	wolfSSL_SetIOWriteCtx(t->ssl, t);
	return t;
}

struct tls_conn *
tls_accept(struct tls_server *s, int fd)
{
	struct tls_conn *t;

	if ((t = tls_conn_new(s->ctx, fd)) == NULL)
		return NULL;
	t->srv = s;
	s->refs++;
	return t;
}

struct tls_conn *
tls_connect(struct tls_client *c, int fd)
{
	struct tls_conn *t;

	if ((t = tls_conn_new(c->ctx, fd)) == NULL)
		return NULL;
	t->cli = c;
	c->refs++;
	t->want = EV_WRITE;
	if (c->ip_len == 0) {
		/* A DNS name: checked by the library against the DNS SANs
		 * (or the CN when there are none), and sent as SNI. */
		if (wolfSSL_check_domain_name(t->ssl, c->name) !=
		    WOLFSSL_SUCCESS) {
			tls_free(t);
			return NULL;
		}
#ifdef HAVE_SNI
		if (wolfSSL_UseSNI(t->ssl, WOLFSSL_SNI_HOST_NAME, c->name,
		    (unsigned short)strlen(c->name)) != WOLFSSL_SUCCESS) {
			tls_free(t);
			return NULL;
		}
#endif
	}
	return t;
}

void
tls_free(struct tls_conn *t)
{
	if (t == NULL)
		return;
	wolfSSL_free(t->ssl);
	tls_server_unref(t->srv);
	tls_client_unref(t->cli);
	free(t);
}

/* Mark t dead with why (printf-style). */
static int __attribute__((format(printf, 2, 3)))
tls_fail(struct tls_conn *t, const char *fmt, ...)
{
	va_list	ap;

	t->failed = 1;
	va_start(ap, fmt);
	vsnprintf(t->why, sizeof(t->why), fmt, ap);
	va_end(ap);
	return TLS_ERROR;
}

/* The name of a TLS alert (RFC 8446 6), for the ones a peer sends when it
 * refuses a handshake. */
static const char *
tls_alert_name(int code)
{
	switch (code) {
	case 40:	return "handshake_failure";
	case 42:	return "bad_certificate";
	case 43:	return "unsupported_certificate";
	case 44:	return "certificate_revoked";
	case 45:	return "certificate_expired";
	case 46:	return "certificate_unknown";
	case 47:	return "illegal_parameter";
	case 48:	return "unknown_ca";
	case 49:	return "access_denied";
	case 50:	return "decode_error";
	case 51:	return "decrypt_error";
	case 70:	return "protocol_version";
	case 71:	return "insufficient_security";
	case 80:	return "internal_error";
	case 109:	return "missing_extension";
	case 112:	return "unrecognized_name";
	case 116:	return "certificate_required";
	case 120:	return "no_application_protocol";
	default:	return "alert";
	}
}

/*
 * After a library call returned r <= 0: TLS_AGAIN with t->want set, 0
 * for a clean end of stream (close_notify, or a FIN while reading), or
 * TLS_ERROR with t->why.  what: "handshake", "read" or "write".
 */
static int
tls_status(struct tls_conn *t, int r, const char *what)
{
	WOLFSSL_ALERT_HISTORY ah;
	int	e = wolfSSL_get_error(t->ssl, r);

	if (e == WOLFSSL_ERROR_WANT_READ) {
		if (t->eof) {
			if (t->done && what[0] == 'r')
				return 0;
			return tls_fail(t, "connection closed during the %s",
			    what);
		}
		t->want = EV_READ;
		return TLS_AGAIN;
	}
	if (e == WOLFSSL_ERROR_WANT_WRITE) {
		t->want = EV_WRITE;
		return TLS_AGAIN;
	}
	if (e == WOLFSSL_ERROR_ZERO_RETURN && what[0] == 'r')
		return 0;
	t->code = e;
	if (t->sys_err != 0)
		return tls_fail(t, "%s: %s", what, strerror(t->sys_err));
	switch (e) {
	case NO_PEER_CERT:
		return tls_fail(t, "%s: the peer sent no certificate", what);
	case ASN_NO_SIGNER_E:
		return tls_fail(t, "%s: certificate verify failed: not signed "
		    "by a trusted CA", what);
	case ASN_AFTER_DATE_E:
		return tls_fail(t, "%s: certificate verify failed: expired",
		    what);
	case ASN_BEFORE_DATE_E:
		return tls_fail(t, "%s: certificate verify failed: not yet "
		    "valid", what);
	case ASN_SIG_CONFIRM_E:
		return tls_fail(t, "%s: certificate verify failed: bad "
		    "signature", what);
	case DOMAIN_NAME_MISMATCH:
		return tls_fail(t, "%s: the daemon's certificate does not name "
		    "%s", what, t->cli != NULL ? t->cli->name : "the server");
	case VERSION_ERROR:
		return tls_fail(t, "%s: no common protocol version (TLS 1.2 or "
		    "1.3)", what);
	case MATCH_SUITE_ERROR:
		return tls_fail(t, "%s: no common cipher suite", what);
	case FATAL_ERROR:
		if (wolfSSL_get_alert_history(t->ssl, &ah) == WOLFSSL_SUCCESS &&
		    ah.last_rx.code > 0)
			return tls_fail(t, "%s: the peer refused it with alert "
			    "%d (%s)", what, ah.last_rx.code,
			    tls_alert_name(ah.last_rx.code));
		return tls_fail(t, "%s: the peer sent a fatal alert", what);
	case ZERO_RETURN:
	case WOLFSSL_ERROR_ZERO_RETURN:
		return tls_fail(t, "connection closed during the %s", what);
	default:
		return tls_fail(t, "%s: %s (wolfSSL %d)", what, tls_reason(e),
		    e);
	}
}

/*
 * Does the daemon's certificate carry t->cli's address as an IP SAN?
 * (wolfSSL_check_domain_name matches DNS names only.)
 */
static int
tls_ip_matches(struct tls_conn *t)
{
	WOLFSSL_X509	*x;
	WOLFSSL_GENERAL_NAMES *gns;
	WOLFSSL_GENERAL_NAME *gn;
	int		 i, n, ok = 0;

	if ((x = wolfSSL_get_peer_certificate(t->ssl)) == NULL)
		return 0;
	gns = wolfSSL_X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	n = gns != NULL ? wolfSSL_sk_GENERAL_NAME_num(gns) : 0;
	for (i = 0; i < n && !ok; i++) {
		gn = wolfSSL_sk_GENERAL_NAME_value(gns, i);
		if (gn != NULL && gn->type == TLS_GEN_IPADD &&
		    gn->d.iPAddress != NULL &&
		    wolfSSL_ASN1_STRING_length(gn->d.iPAddress) ==
		    t->cli->ip_len &&
		    memcmp(wolfSSL_ASN1_STRING_data(gn->d.iPAddress),
		    t->cli->ip, (size_t)t->cli->ip_len) == 0)
			ok = 1;
	}
	if (gns != NULL)
		wolfSSL_GENERAL_NAMES_free(gns);
	wolfSSL_X509_free(x);
	return ok;
}

int
tls_handshake(struct tls_conn *t)
{
	int	 r, cs;
	const char *suite;

	if (t->failed)
		return TLS_ERROR;
	if (t->done)
		return 0;
	r = t->srv != NULL ? wolfSSL_accept(t->ssl) : wolfSSL_connect(t->ssl);
	if (r != WOLFSSL_SUCCESS)
		return tls_status(t, r, "handshake");
	if (t->cli != NULL && t->cli->ip_len != 0 && !tls_ip_matches(t))
		return tls_fail(t, "handshake: the daemon's certificate has no "
		    "IP address SAN %s", t->cli->name);
	t->done = 1;
	cs = wolfSSL_get_current_cipher_suite(t->ssl);
	suite = wolfSSL_get_cipher_name_iana_from_suite(
	    (unsigned char)(cs >> 8), (unsigned char)cs);
	snprintf(t->desc, sizeof(t->desc), "%s %s",
	    wolfSSL_get_version(t->ssl), suite != NULL ? suite : "?");
	return 0;
}

ssize_t
tls_read(struct tls_conn *t, void *buf, size_t len)
{
	int	 r;

	if (!t->done && (r = tls_handshake(t)) != 0)
		return r;
	if (t->failed)
		return TLS_ERROR;
	if (len > INT32_MAX)
		len = INT32_MAX;
	r = wolfSSL_read(t->ssl, buf, (int)len);
	if (r > 0) {
		t->want = EV_READ;
		return r;
	}
	return tls_status(t, r, "read");
}

ssize_t
tls_writev(struct tls_conn *t, const struct iovec *iov, int iovcnt)
{
	static unsigned char gather[TLS_RECORD];
	const unsigned char *p;
	size_t		 skip = 0, n, k, total = 0;
	int		 i, rec, r;

	if (!t->done && (r = tls_handshake(t)) != 0)
		return r;
	if (t->failed)
		return TLS_ERROR;
	/*
	 * One record per wolfSSL_write: a record the socket did not take
	 * whole stays inside the library, which sends it first on the next
	 * call and counts it then.  That call starts where this one's
	 * count ends, so it offers that record's bytes again, and a record
	 * gathered from at least as many bytes is at least as long: what
	 * the library requires of a retry.
	 */
	for (rec = 0; rec < TLS_WRITE_RECORDS; rec++) {
		/* Skip what is written; gather up to a record.  A first
		 * iovec that fills a record goes without a copy. */
		for (i = 0, k = total; i < iovcnt && k >= iov[i].iov_len; i++)
			k -= iov[i].iov_len;
		if (i == iovcnt)
			break;
		skip = k;
		if (iov[i].iov_len - skip >= TLS_RECORD || i + 1 == iovcnt) {
			p = (const unsigned char *)iov[i].iov_base + skip;
			n = iov[i].iov_len - skip;
			if (n > TLS_RECORD)
				n = TLS_RECORD;
		} else {
			for (n = 0; i < iovcnt && n < TLS_RECORD; i++, skip = 0) {
				k = iov[i].iov_len - skip;
				if (k > TLS_RECORD - n)
					k = TLS_RECORD - n;
				memcpy(gather + n, (const unsigned char *)
				    iov[i].iov_base + skip, k);
				n += k;
			}
			p = gather;
		}
		r = wolfSSL_write(t->ssl, p, (int)n);
		if (r > 0) {
			total += (size_t)r;
			continue;
		}
		if (r == 0)	/* the library's "peer closed" */
			return tls_fail(t, "write: the peer closed the "
			    "connection");
		r = tls_status(t, r, "write");
		if (r == TLS_AGAIN && total > 0)
			break;
		return r;
	}
	return (ssize_t)total;
}

size_t
tls_pending(const struct tls_conn *t)
{
	int	n;

	if (t->failed || !t->done)
		return 0;
	if ((n = wolfSSL_pending(t->ssl)) > 0)
		return (size_t)n;
	/* Records read from the socket, not yet decrypted: epoll will not
	 * report them either. */
	return wolfSSL_has_pending(t->ssl) ? 1 : 0;
}

unsigned
tls_want(const struct tls_conn *t)
{
	return t->want;
}

void
tls_close_notify(struct tls_conn *t)
{
	if (t->failed || !t->done || t->notified)
		return;
	t->notified = 1;
	(void)wolfSSL_shutdown(t->ssl);
}

const char *
tls_error(const struct tls_conn *t)
{
	if (t->why[0] != '\0')
		return t->why;
	if (t->eof)
		return "connection closed";
	return "no error";
}

const char *
tls_describe(const struct tls_conn *t)
{
	return t->done ? t->desc : "handshake not complete";
}

/* Copy ASN.1 string s into dst (ADMIT_NAME_MAX) if it fits and holds no
 * NUL (a name with one would compare as something it is not).  Returns
 * 0, or -1. */
static int
tls_name_copy(char *dst, WOLFSSL_ASN1_STRING *s)
{
	const unsigned char *p;
	int	 len;

	if (s == NULL || (p = wolfSSL_ASN1_STRING_data(s)) == NULL ||
	    (len = wolfSSL_ASN1_STRING_length(s)) <= 0 ||
	    len >= ADMIT_NAME_MAX || memchr(p, '\0', (size_t)len) != NULL)
		return -1;
	memcpy(dst, p, (size_t)len);
	dst[len] = '\0';
	return 0;
}

int
tls_peer_identity(const struct tls_conn *t, struct admit_cert *id)
{
	WOLFSSL_X509	*x;
	WOLFSSL_X509_NAME *subj;
	WOLFSSL_GENERAL_NAMES *gns;
	WOLFSSL_GENERAL_NAME *gn;
	struct admit_name *an;
	const unsigned char *ip;
	int		 i, n, idx;

	memset(id, 0, sizeof(*id));
	if (!t->done || (x = wolfSSL_get_peer_certificate(t->ssl)) == NULL)
		return -1;
	/* The CN: exactly one, or none counts (two would be a choice). */
	subj = wolfSSL_X509_get_subject_name(x);
	idx = subj != NULL ? wolfSSL_X509_NAME_get_index_by_NID(subj,
	    NID_commonName, -1) : -1;
	if (idx >= 0 && wolfSSL_X509_NAME_get_index_by_NID(subj,
	    NID_commonName, idx) < 0)
		(void)tls_name_copy(id->cn, wolfSSL_X509_NAME_ENTRY_get_data(
		    wolfSSL_X509_NAME_get_entry(subj, idx)));
	gns = wolfSSL_X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	n = gns != NULL ? wolfSSL_sk_GENERAL_NAME_num(gns) : 0;
	for (i = 0; i < n && id->nsan < ADMIT_CERT_NAMES; i++) {
		if ((gn = wolfSSL_sk_GENERAL_NAME_value(gns, i)) == NULL)
			continue;
		an = &id->san[id->nsan];
		switch (gn->type) {
		case TLS_GEN_DNS:
			an->kind = ADMIT_SAN_DNS;
			break;
		case TLS_GEN_URI:
			an->kind = ADMIT_SAN_URI;
			break;
		case TLS_GEN_EMAIL:
			an->kind = ADMIT_SAN_EMAIL;
			break;
		case TLS_GEN_IPADD:
			an->kind = ADMIT_SAN_IP;
			break;
		default:
			continue;
		}
		if (an->kind == ADMIT_SAN_IP) {
			/* Raw bytes: 4 or 16, as canonical text. */
			if (gn->d.iPAddress == NULL || (ip =
			    wolfSSL_ASN1_STRING_data(gn->d.iPAddress)) == NULL)
				continue;
			idx = wolfSSL_ASN1_STRING_length(gn->d.iPAddress);
			if ((idx != 4 && idx != 16) || inet_ntop(idx == 4 ?
			    AF_INET : AF_INET6, ip, an->value,
			    sizeof(an->value)) == NULL)
				continue;
		} else if (tls_name_copy(an->value, gn->d.ia5) == -1)
			continue;
		id->nsan++;
	}
	if (gns != NULL)
		wolfSSL_GENERAL_NAMES_free(gns);
	wolfSSL_X509_free(x);
	return 0;
}
