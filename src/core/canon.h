/*
 * canon.h - canonical form of a request target.
 *
 * Pure.  Decides the one path the policy judges and the daemon routes:
 * the path is percent-decoded exactly once, the API version prefix
 * ("/v" digits "." digits, dockerd's; or "/v" digits "." digits "."
 * digits, Podman's libpod API, only in front of "/libpod") split off,
 * and anything that could be read two ways is refused rather than
 * normalised.
 */
#ifndef SOCKWARD_CANON_H
#define SOCKWARD_CANON_H

#include <stddef.h>

#define CANON_MAX_PATH     4096
#define CANON_MAX_VERSION  16
#define CANON_MAX_SEGMENTS 64

struct canon_target {
	char	 version[CANON_MAX_VERSION];	/* "1.41", "4.3.1" (libpod) or
						 * "" when absent */
	char	 path[CANON_MAX_PATH];	/* decoded, NUL-terminated, "/..." */
	size_t	 path_len;
	const char *query;		/* raw query after '?', or NULL */
	size_t	 query_len;		/* points into the caller's target */
};

/*
 * Canonicalise the origin-form target[0..len).  Returns 0 and fills *out,
 * or -1 with *reason set to a static explanation (the caller answers 400).
 * Refused: malformed or double-level percent escapes ('%' after decoding),
 * encoded '/' (except below "/libpod/", where it is decoded: Podman's
 * client escapes image names' slashes), '\\', '?', '#', NUL, control
 * bytes and spaces, invalid or
 * overlong UTF-8, empty segments ("//", trailing '/'), "." and ".."
 * segments, a malformed version prefix (also a three-part one in front
 * of anything but "/libpod"), an empty path after the version,
 * malformed escapes in the query.  out->query borrows from target.
 */
int	canon_target(const char *target, size_t len, struct canon_target *out,
	    const char **reason);

/*
 * Write the canonical origin-form of t (version prefix, re-encoded path,
 * '?' query) to dst[0..cap).  Returns the length written (no NUL), or -1 if
 * cap is too small.  Parsing the result with canon_target yields t again.
 */
long	canon_serialize(const struct canon_target *t, char *dst, size_t cap);

#endif
