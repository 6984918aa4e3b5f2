/*
 * profile.h - built-in rule sets.
 *
 * Pure.  Each profile is a list of rule texts in rule.h syntax, compiled
 * at start-up with the same parser as user rules.
 */
#ifndef SOCKWARD_PROFILE_H
#define SOCKWARD_PROFILE_H

#include "rule.h"

struct profile {
	const char	 *name;
	const char	 *summary;
	const char *const *rules;	/* NULL-terminated */
};

/* The built-in profile called name, or NULL. */
const struct profile *profile_find(const char *name);

/* NULL-terminated array of all built-in profiles. */
const struct profile *const *profile_all(void);

/*
 * Append the rules of profile p to set (origin "profile NAME").  Returns 0
 * or -1 when the set is full.
 */
int	profile_load(const struct profile *p, struct rule_set *set);

#endif
