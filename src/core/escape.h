/*
 * escape.h - escaping of request-derived bytes for log lines and JSON.
 *
 * Pure.  Output never contains a raw control byte, so nobody can forge a log
 * line.  Output is always NUL-terminated and truncated (with "...") when
 * dst is too small.
 */
#ifndef SOCKWARD_ESCAPE_H
#define SOCKWARD_ESCAPE_H

#include <stddef.h>

/*
 * Text-log escaping: printable ASCII is copied except '"' and '\\', which
 * get a backslash; every other byte becomes \xHH.  Returns bytes written
 * (excluding the NUL).  cap must be >= 4.
 */
size_t	esc_text(char *dst, size_t cap, const char *src, size_t len);

/*
 * JSON string escaping (no surrounding quotes): '"', '\\' and bytes
 * below 0x20 or above 0x7e become escapes (\u00HH), so the output is
 * valid JSON whatever the input.  Returns bytes written; cap >= 7.
 */
size_t	esc_json(char *dst, size_t cap, const char *src, size_t len);

#endif
