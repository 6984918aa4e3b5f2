/*
 * keeper.h - the files only root may read (TLS certificates and keys),
 * read at start-up before privileges are dropped, and read again on
 * SIGHUP by the keeper: a small process forked before the drop that
 * keeps only the right to read files (CAP_DAC_READ_SEARCH), knows only
 * the paths registered before it started, and answers one kind of
 * request ("read them all again") over a socketpair.  So the daemon
 * never needs read access to a key, and a compromised daemon can make the
 * keeper read nothing but the files it already had.
 *
 * Like OpenBSD relayd's privilege-separated processes, in miniature.
 */
#ifndef SOCKWARD_KEEPER_H
#define SOCKWARD_KEEPER_H

#include <stddef.h>

#define KEEPER_MAX_FILES 64
#define KEEPER_FILE_MAX	(1024 * 1024)	/* bytes of one PEM file */

/*
 * Register path (absolute) before keeper_read_all; a path registered
 * twice gets the same index.  Returns its index, or -1 when
 * KEEPER_MAX_FILES are registered.
 */
int	keeper_add(const char *path);

/* The path of index i. */
const char *keeper_path(int i);

/*
 * Read every registered file now, as the current user (root at start-up,
 * whoever runs `sockward check`).  Returns 0, or -1 with a message naming
 * the file in err[0..errlen); on failure the contents held before stay.
 */
int	keeper_read_all(char *err, size_t errlen);

/* The contents of index i as last read (NUL-terminated), *len bytes;
 * NULL before the first read. */
const char *keeper_data(int i, size_t *len);

/*
 * Fork the keeper (call after keeper_read_all, before the sandbox; no
 * effect with no file registered).  It exits when the daemon does.
 * Returns 0, or -1 when it cannot start (logged; reloads then read the
 * files as the daemon's user).
 */
int	keeper_start(void);

/*
 * SIGHUP: have the keeper read every file again (waiting at most two
 * seconds), else read them here.  Returns 0 with the new contents in
 * place, or -1 with a message in err and the old contents kept.
 */
int	keeper_refresh(char *err, size_t errlen);

/* Number of registered files. */
int	keeper_count(void);

#endif
