/*
 * profile.h - built-in rule sets.
 *
 * Pure.  Each profile is a list of rule lines in rule.h syntax ("allow
 * GET,HEAD /_ping", "deny GET /containers/{id}/logs reason \"...\"",
 * "allow GET /containers/json filter label=autoheal=true"), compiled at
 * start-up with the same parser as user rules, each with the reason it
 * is there (docs/PROFILES.md is generated from them: profile_doc.h).  A
 * combined set ("--profile traefik,dozzle") is built by loading several
 * profiles into one rule_set in order; evaluation stays first match wins.
 */
#ifndef SOCKWARD_PROFILE_H
#define SOCKWARD_PROFILE_H

#include "rule.h"

/* One rule line of a profile and why the client needs it. */
struct profile_rule {
	const char	*line;		/* already normalised (rule_line_str) */
	const char	*why;		/* Markdown, one line, never empty */
};

struct profile {
	const char	 *name;		/* "traefik", "readonly", ... */
	const char	 *summary;	/* one line, no newline */
	/* The rules, ended by one whose line is NULL. */
	const struct profile_rule *rules;
	/* The client reads what redaction removes (container Env, to
	 * re-create a container as it was): a listener with this profile
	 * does not redact unless told to (resp_filter.h). */
	int		  needs_secrets;
};

/* The built-in profile called name (exact, case-sensitive), or NULL. */
const struct profile *profile_find(const char *name);

/* NULL-terminated array of all built-in profiles, in display order.
 * Static storage; never freed. */
const struct profile *const *profile_all(void);

/*
 * Parse every line of p with rule_parse_line and append the rules to set
 * with origin "profile NAME", after any rules already in it.  All or
 * nothing: on failure (a line that does not parse, set full, no memory)
 * set holds exactly the rules it held before.  Returns 0 or -1 (also for
 * a NULL p or set).
 */
int	profile_load(const struct profile *p, struct rule_set *set);

/*
 * Print p as configuration text a user can paste into a listener block:
 * first "# profile NAME: SUMMARY", then one normalised rule line per rule
 * ("allow GET /version"), each by one call of out(arg, line).  line has no
 * newline and is valid only during the call.  Parsing the printed rule
 * lines again gives the same rules as profile_load.  Nothing is printed
 * for a NULL p or out.
 */
void	profile_print(const struct profile *p,
	    void (*out)(void *arg, const char *line), void *arg);

#endif
