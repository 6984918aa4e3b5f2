/*
 * profile_doc.h - docs/PROFILES.md, generated from the built-in profiles.
 *
 * Pure.  The document is data in the code so that it cannot drift from
 * the rules: each rule's reason sits beside it in profile.c, each
 * profile's prose (client, sources, what it leaves out) and the common
 * sections are in profile_doc.c, and the Engine API route table comes
 * from engine_api_doc.  `sockward profiles --markdown` prints it; `make
 * docs` writes docs/PROFILES.md and `make docs-check` fails when the
 * committed file differs.
 */
#ifndef SOCKWARD_PROFILE_DOC_H
#define SOCKWARD_PROFILE_DOC_H

/*
 * Write the whole Markdown document, one call of out(arg, line) per
 * line, no newline in line, line valid only during the call.  The first
 * line is "# Built-in profiles".  Every profile of profile_all() gets a
 * section "## NAME" with a table of its rules, each printed as
 * rule_line_str prints it (so as `sockward profiles NAME` does) in a
 * code span, beside its reason; consecutive rules with the same reason
 * share a row.  Returns 0, or -1 when the document is not right: a
 * profile has no prose here, a rule has no reason or does not parse, or
 * a line does not fit (everything is printed anyway, so that the fault
 * shows).  Nothing is printed for a NULL out (-1).
 */
int	profile_doc_markdown(void (*out)(void *arg, const char *line),
	    void *arg);

#endif
