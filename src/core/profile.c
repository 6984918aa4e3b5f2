/*
 * profile.c - built-in rule sets.
 *
 * Kept as rule texts, not pre-compiled structs, so built-in and user rules
 * go through the one parser and show up in logs in the same syntax.
 */
#include <stdio.h>
#include <string.h>

#include "profile.h"

/*
 * What Traefik's docker and swarm providers call (v2 and v3).  Matched
 * after the "/vN.M" prefix is removed; query strings are not matched.
 */
static const char *const profile_traefik_rules[] = {
	"GET,HEAD /_ping",
	"GET /version",
	"GET /containers/json",
	"GET /containers/{id}/json",
	"GET /events",
	"GET /services",
	"GET /tasks",
	"GET /networks",
	"GET /nodes/{id}",
	NULL
};

static const char *const profile_none_rules[] = {
	NULL
};

static const struct profile profile_traefik = {
	"traefik",
	"what Traefik v2/v3 docker and swarm providers call",
	profile_traefik_rules
};

static const struct profile profile_none = {
	"none",
	"no built-in rules: only --allow rules apply",
	profile_none_rules
};

static const struct profile *const profile_list[] = {
	&profile_traefik,
	&profile_none,
	NULL
};

const struct profile *
profile_find(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; profile_list[i] != NULL; i++)
		if (strcmp(profile_list[i]->name, name) == 0)
			return profile_list[i];
	return NULL;
}

const struct profile *const *
profile_all(void)
{
	return profile_list;
}

int
profile_load(const struct profile *p, struct rule_set *set)
{
	char origin[sizeof(((struct rule *)0)->origin)];
	const char *why;
	struct rule r;
	size_t i, saved;

	if (p == NULL || set == NULL || p->name == NULL || p->rules == NULL)
		return -1;
	snprintf(origin, sizeof(origin), "profile %s", p->name);
	saved = set->nrules;
	for (i = 0; p->rules[i] != NULL; i++) {
		if (rule_parse(p->rules[i], RULE_ALLOW, &r, &why) != 0 ||
		    rule_set_add(set, &r, origin) != 0) {
			/* All or nothing: no half-loaded profile. */
			set->nrules = saved;
			return -1;
		}
	}
	return 0;
}
