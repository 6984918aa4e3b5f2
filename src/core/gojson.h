/*
 * gojson.h - a strict JSON reader for request bodies, made so that what
 * sockward reads is exactly what dockerd's Go code (encoding/json) applies.
 *
 * Go matches an object key to a struct field ignoring case (with Unicode
 * folding: U+017F matches 's', U+212A 'k'), lets the last of two equal
 * keys win, decodes \u escapes, replaces invalid UTF-8 and lone
 * surrogates with U+FFFD and stops after the first value.  Instead of
 * emulating that, this reader refuses every input where it could matter:
 *   - malformed JSON, a second value (anything but blanks) after the first,
 *     nesting deeper than GJ_MAX_DEPTH;
 *   - invalid UTF-8 anywhere, a lone surrogate escape, a byte-order mark;
 *   - a key that is not printable ASCII once unescaped (no folding
 *     question arises for ASCII);
 *   - two keys of one object that are equal ignoring ASCII case (the same
 *     struct field for Go, or an ambiguous map entry).
 * What it accepts is then read the same way by Go and by sockward.
 *
 * Pure, no I/O; streams events to a callback in document order.  Decoded
 * strings and keys are written into caller scratch space, valid only for
 * the duration of the callback.
 */
#ifndef SOCKWARD_GOJSON_H
#define SOCKWARD_GOJSON_H

#include <stddef.h>

#define GJ_MAX_DEPTH	64

enum gj_event {
	GJ_OBJECT = 0,	/* an object begins */
	GJ_OBJECT_END,
	GJ_ARRAY,	/* an array begins */
	GJ_ARRAY_END,
	GJ_KEY,		/* a member name (decoded, ASCII), its value follows */
	GJ_STRING,	/* decoded UTF-8 (may hold NUL) */
	GJ_NUMBER,	/* the literal as written */
	GJ_TRUE,
	GJ_FALSE,
	GJ_NULL
};

/*
 * Called once per event; s[0..n) is the key, string or number literal
 * (NUL-terminated at s[n] for convenience), "" for the others.  Returns
 * 0 to go on, or -1 to stop the read (gj_read then returns -1 with the
 * callback's own reason).
 */
typedef int (*gj_event_fn)(void *arg, enum gj_event ev, const char *s,
    size_t n);

struct gj_error {
	const char	*why;	/* static text, "" when the callback stopped */
	size_t		 offset;	/* byte offset of the problem */
};

/*
 * Read text[0..len) as exactly one JSON value (blanks around it allowed),
 * calling fn for each event.  Uses malloc'd scratch of O(len) internally,
 * freed before return.  Returns 0 when the whole text is accepted and
 * the callback never stopped, -1 otherwise with *err set (err->why ""
 * when the callback returned -1, or memory ran out: then "out of memory").
 * An empty or all-blank text is an error ("empty body").
 */
int	gj_read(const char *text, size_t len, gj_event_fn fn, void *arg,
	    struct gj_error *err);

#endif
