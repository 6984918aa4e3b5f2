/*
 * test_metrics.c - the metrics registry: label escaping, body field
 * labels, a golden rendering of every family, histogram bounds, the caps
 * that keep cardinality bounded, and the NULL registry of metrics off.
 *
 * `test_metrics --print` writes the golden scenario's rendering to
 * stdout (to review a change before pasting it into golden[] below).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "exchange.h"
#include "metrics.h"

/* ---- label values ---- */

static void
esc_eq(const char *in, const char *want)
{
	char	 out[128];
	size_t	 n = metrics_escape(out, sizeof(out), in);

	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

static void
test_escape(void **state)
{
	char	 out[8];

	(void)state;
	esc_eq("default", "default");
	esc_eq("", "");
	/* The three escapes of the text format. */
	esc_eq("a\"b", "a\\\"b");
	esc_eq("a\\b", "a\\\\b");
	esc_eq("a\nb", "a\\nb");
	/* Other control bytes and DEL cannot reach a line as they are. */
	esc_eq("a\tb\rc\x01\x7f", "a?b?c??");
	/* Well-formed UTF-8 stays; anything else is one '?' per byte. */
	esc_eq("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3", "caf\xc3\xa9 "
	    "\xe2\x82\xac \xf0\x9f\x90\xb3");
	esc_eq("a\xff" "b", "a?b");
	esc_eq("\xc3(", "?(");
	esc_eq("\xc0\xaf", "??");		/* overlong '/' */
	esc_eq("\xed\xa0\x80", "???");		/* a surrogate */
	esc_eq("\xf4\x90\x80\x80", "????");	/* past U+10FFFF */
	esc_eq("\xe2\x82", "??");		/* cut short */
	/* Cut to fit, never inside an escape or a character. */
	assert_int_equal(metrics_escape(out, sizeof(out), "abcdef\"g"), 6);
	assert_string_equal(out, "abcdef");
	assert_int_equal(metrics_escape(out, sizeof(out), "abcde\xe2\x82\xac"),
	    5);
	assert_string_equal(out, "abcde");
}

static void
field_eq(const char *in, const char *want)
{
	char	 out[METRICS_NAME_MAX];

	metrics_field_label(out, sizeof(out), in);
	assert_string_equal(out, want);
}

static void
test_field_label(void **state)
{
	char	 out[10];

	(void)state;
	field_eq("HostConfig.Privileged", "HostConfig.Privileged");
	field_eq("HostConfig.Binds[0]", "HostConfig.Binds[]");
	field_eq("HostConfig.Binds[123456]", "HostConfig.Binds[]");
	field_eq("HostConfig.Mounts[2].Source", "HostConfig.Mounts[].Source");
	/* Map keys, as body_policy.c shows them: quoted, escaped. */
	field_eq("HostConfig.Sysctls[\"kernel.shm_rmid_forced\"]",
	    "HostConfig.Sysctls[]");
	field_eq("DriverOpts[\"a\\\"]b\"]", "DriverOpts[]");
	field_eq("NetworkingConfig.EndpointsConfig[\"x\\\\\"].Links[0]",
	    "NetworkingConfig.EndpointsConfig[].Links[]");
	field_eq("TaskTemplate.ContainerSpec.Mounts[1].VolumeOptions."
	    "DriverConfig.Options[\"o\"]", "TaskTemplate.ContainerSpec.Mounts"
	    "[].VolumeOptions.DriverConfig.Options[]");
	field_eq("body", "body");
	field_eq("", "");
	/* A path cut by the body policy ("...") or inside a key. */
	field_eq("HostConfig.Binds[3]...", "HostConfig.Binds[]...");
	field_eq("Sysctls[\"unterminated", "Sysctls[]");
	/* Nothing but the policy's alphabet. */
	field_eq("a b\"c{d}\n", "abcd");
	metrics_field_label(out, sizeof(out), "HostConfig.Privileged");
	assert_string_equal(out, "HostConfi");
}

/* ---- records ---- */

static struct exchange_rec
rec(const char *verdict, int status, enum judge_why why, const char *rule,
    const char *field)
{
	struct exchange_rec r;

	memset(&r, 0, sizeof(r));
	r.verdict = verdict;
	r.status = status;
	r.why = why;
	snprintf(r.rule_id, sizeof(r.rule_id), "%s", rule);
	snprintf(r.field, sizeof(r.field), "%s", field);
	/* Request data the registry must never show. */
	snprintf(r.target, sizeof(r.target), "/v1.41/SECRET-target");
	r.target_len = strlen(r.target);
	snprintf(r.path, sizeof(r.path), "/SECRET-path");
	snprintf(r.rule, sizeof(r.rule), "SECRET-label");
	r.t_start = 1000000;
	return r;
}

/* r answered after us microseconds. */
static struct exchange_rec
timed(struct exchange_rec r, uint64_t us)
{
	r.t_first = r.t_start + us;
	return r;
}

static char *
render(const struct metrics *m)
{
	struct metrics_text t;
	char	*s;

	memset(&t, 0, sizeof(t));
	assert_int_equal(metrics_render(m, &t), 0);
	assert_non_null(t.data);
	s = malloc(t.len + 1);
	assert_non_null(s);
	memcpy(s, t.data, t.len);
	s[t.len] = '\0';
	metrics_text_free(&t);
	return s;
}

/* Samples (lines not starting with '#'). */
static size_t
series(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s = strchr(s, '\n') + 1)
		if (*s != '#')
			n++;
	return n;
}

/* The value of the sample line that starts with key followed by ' ', or
 * -1 when there is none. */
static long long
sample(const char *text, const char *key)
{
	const char *p = text;
	size_t	 k = strlen(key);

	while ((p = strstr(p, key)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[k] == ' ')
			return atoll(p + k + 1);
		p += k;
	}
	return -1;
}

/* The golden scenario: one of everything. */
static struct metrics *
scenario(void)
{
	static const char *const names[] = { "default", "ci" };
	struct metrics	*m = metrics_new(names, 2, "1.2.3", 1700000000);
	struct exchange_rec r;
	uint64_t	*b;

	assert_non_null(m);
	r = timed(rec("allow", 200, JUDGE_WHY_NONE, "", ""), 120);
	metrics_record(m, 0, &r);
	r = timed(rec("allow", 200, JUDGE_WHY_NONE, "", ""), 3000);
	metrics_record(m, 0, &r);
	r = timed(rec("allow", 101, JUDGE_WHY_NONE, "", ""), 900);
	metrics_record(m, 0, &r);
	r = timed(rec("deny", 403, JUDGE_WHY_RULE, "--deny #1", ""), 40);
	metrics_record(m, 0, &r);
	r = timed(rec("deny", 403, JUDGE_WHY_DEFAULT, "", ""), 30);
	metrics_record(m, 0, &r);
	metrics_record(m, 0, &r);
	r = timed(rec("reject", 400, JUDGE_WHY_NONE, "", ""), 20);
	metrics_record(m, 0, &r);
	/* An audit-mode default deny whose body turned out too large: the
	 * status says. */
	r = timed(rec("reject", 413, JUDGE_WHY_DEFAULT, "", ""), 20);
	metrics_record(m, 0, &r);
	r = timed(rec("reject", 501, JUDGE_WHY_NONE, "", ""), 20);
	metrics_record(m, 0, &r);
	r = timed(rec("limit", 429, JUDGE_WHY_STREAMS, "profile traefik #5",
	    ""), 25);
	metrics_record(m, 0, &r);
	r = timed(rec("hidden", 404, JUDGE_WHY_HIDDEN, "", ""), 2000000);
	metrics_record(m, 0, &r);
	/* Dialling failed: no byte of an answer went (499 after). */
	r = rec("error", 502, JUDGE_WHY_NONE, "", "");
	metrics_record(m, 0, &r);
	r = rec("none", 499, JUDGE_WHY_NONE, "", "");
	metrics_record(m, 0, &r);
	/* Body policies on listener ci. */
	r = timed(rec("deny", 403, JUDGE_WHY_BODY_FIELD, "ci.conf:7 #1",
	    "HostConfig.Binds[3]"), 600);
	metrics_record(m, 1, &r);
	r = timed(rec("deny", 403, JUDGE_WHY_BODY_FIELD, "ci.conf:7 #1",
	    "HostConfig.Binds[0]"), 600);
	metrics_record(m, 1, &r);
	r = timed(rec("reject", 400, JUDGE_WHY_BODY_INVALID, "ci.conf:7 #1",
	    ""), 700);
	metrics_record(m, 1, &r);
	r = timed(rec("deny", 403, JUDGE_WHY_BODY_ROUTE, "ci.conf:8 #1", ""),
	    50);
	metrics_record(m, 1, &r);
	r = timed(rec("would_deny", 200, JUDGE_WHY_VISIBLE, "ci.conf:9 #1",
	    ""), 12000000);
	metrics_record(m, 1, &r);
	r = timed(rec("deny", 403, JUDGE_WHY_REVOKED, "", ""), 10);
	metrics_record(m, 1, &r);
	r = timed(rec("allow", 200, JUDGE_WHY_NONE, "", ""), 5000);
	r.filtered = 1;
	r.redacted = 3;
	r.dropped = 2;
	metrics_record(m, 1, &r);

	b = metrics_bytes_ctr(m, 0);
	assert_non_null(b);
	b[0] += 100;
	b[1] += 2000;
	metrics_bytes_ctr(m, 1)[1] += 7;
	assert_null(metrics_bytes_ctr(m, 2));
	metrics_accepted(m, 0);
	metrics_accepted(m, 0);
	metrics_accepted(m, 1);
	metrics_admission_refused(m, 0, METRICS_ADMIT_NOT_ADMITTED);
	metrics_admission_refused(m, 1, METRICS_ADMIT_CLIENT_CONNS);
	metrics_admission_refused(m, 1, METRICS_ADMIT_CLIENT_STREAMS);
	metrics_admission_refused(m, 1, METRICS_ADMIT_STREAMS);
	metrics_admission_refused(m, 1, METRICS_ADMIT_STREAMS);
	metrics_tls_handshake_failed(m, 1);
	metrics_upstream_connect_failed(m);
	metrics_reload(m, 1, 1700000100);
	metrics_reload(m, 0, 1700000200);
	metrics_gauges_clear(m);
	metrics_gauge_conn(m, 0, 0, 0);
	metrics_gauge_conn(m, 0, 1, 0);
	metrics_gauge_conn(m, 0, 1, 1);
	metrics_gauge_conn(m, 1, 0, 0);
	metrics_gauge_upstreams(m, 2);
	/* Out of range: ignored. */
	metrics_record(m, 2, &r);
	metrics_accepted(m, 7);
	metrics_gauge_conn(m, 2, 1, 1);
	return m;
}

static const char golden[] =
    "# HELP sockward_build_info The running sockward's version; always 1.\n"
    "# TYPE sockward_build_info gauge\n"
    "sockward_build_info{version=\"1.2.3\"} 1\n"
    "# HELP sockward_start_time_seconds When sockward started, in seconds since"
    " the epoch.\n"
    "# TYPE sockward_start_time_seconds gauge\n"
    "sockward_start_time_seconds 1700000000\n"
    "# HELP sockward_requests_total Requests by listener, verdict (allow, deny,"
    " would_deny, reject, limit, hidden, error, none) and status class of the a"
    "nswer.\n"
    "# TYPE sockward_requests_total counter\n"
    "sockward_requests_total{listener=\"default\",verdict=\"allow\",status_clas"
    "s=\"1xx\"} 1\n"
    "sockward_requests_total{listener=\"default\",verdict=\"allow\",status_clas"
    "s=\"2xx\"} 2\n"
    "sockward_requests_total{listener=\"default\",verdict=\"deny\",status_class"
    "=\"4xx\"} 3\n"
    "sockward_requests_total{listener=\"default\",verdict=\"reject\",status_cla"
    "ss=\"4xx\"} 2\n"
    "sockward_requests_total{listener=\"default\",verdict=\"reject\",status_cla"
    "ss=\"5xx\"} 1\n"
    "sockward_requests_total{listener=\"default\",verdict=\"limit\",status_clas"
    "s=\"4xx\"} 1\n"
    "sockward_requests_total{listener=\"default\",verdict=\"hidden\",status_cla"
    "ss=\"4xx\"} 1\n"
    "sockward_requests_total{listener=\"default\",verdict=\"error\",status_clas"
    "s=\"5xx\"} 1\n"
    "sockward_requests_total{listener=\"default\",verdict=\"none\",status_class"
    "=\"4xx\"} 1\n"
    "sockward_requests_total{listener=\"ci\",verdict=\"allow\",status_class=\"2"
    "xx\"} 1\n"
    "sockward_requests_total{listener=\"ci\",verdict=\"deny\",status_class=\"4x"
    "x\"} 4\n"
    "sockward_requests_total{listener=\"ci\",verdict=\"would_deny\",status_clas"
    "s=\"2xx\"} 1\n"
    "sockward_requests_total{listener=\"ci\",verdict=\"reject\",status_class=\""
    "4xx\"} 1\n"
    "# HELP sockward_request_duration_seconds Time from a request head to the f"
    "irst byte of its answer, by listener.\n"
    "# TYPE sockward_request_duration_seconds histogram\n"
    "sockward_request_duration_seconds_bucket{listener=\"default\",le=\"0.0005"
    "\"} 8\n"
    "sockward_request_duration_seconds_bucket{listener=\"default\",le=\"0.001\""
    "} 9\n"
    "sockward_request_duration_seconds_bucket{listener=\"default\",le=\"0.0025"
    "\"} 9\n"
    "sockward_request_duration_seconds_bucket{listener=\"default\",le=\"0.005\""
    "} 10\n"
    "sockward_request_duration_seconds_bucket{listener=\"default\",le=\"0.01\"}"
    " 10\n"
    "sockward_request_duration_seconds_bucket{listener=\"default\",le=\"0.025\""
    "} 10\n"
    "sockward_request_duration_seconds_bucket{listener=\"default\",le=\"0.05\"}"
    " 10\n"
    "sockward_request_duration_seconds_bucket{listener=\"default\",le=\"0.1\"} "
    "10\n"
    "sockward_request_duration_seconds_bucket{listener=\"default\",le=\"0.25\"}"
    " 10\n"
    "sockward_request_duration_seconds_bucket{listener=\"default\",le=\"0.5\"} "
    "10\n"
    "sockward_request_duration_seconds_bucket{listener=\"default\",le=\"1\"} 10"
    "\n"
    "sockward_request_duration_seconds_bucket{listener=\"default\",le=\"2.5\"} "
    "11\n"
    "sockward_request_duration_seconds_bucket{listener=\"default\",le=\"5\"} 11"
    "\n"
    "sockward_request_duration_seconds_bucket{listener=\"default\",le=\"10\"} 1"
    "1\n"
    "sockward_request_duration_seconds_bucket{listener=\"default\",le=\"+Inf\"}"
    " 11\n"
    "sockward_request_duration_seconds_sum{listener=\"default\"} 2.004205\n"
    "sockward_request_duration_seconds_count{listener=\"default\"} 11\n"
    "sockward_request_duration_seconds_bucket{listener=\"ci\",le=\"0.0005\"} 2"
    "\n"
    "sockward_request_duration_seconds_bucket{listener=\"ci\",le=\"0.001\"} 5\n"
    "sockward_request_duration_seconds_bucket{listener=\"ci\",le=\"0.0025\"} 5"
    "\n"
    "sockward_request_duration_seconds_bucket{listener=\"ci\",le=\"0.005\"} 6\n"
    "sockward_request_duration_seconds_bucket{listener=\"ci\",le=\"0.01\"} 6\n"
    "sockward_request_duration_seconds_bucket{listener=\"ci\",le=\"0.025\"} 6\n"
    "sockward_request_duration_seconds_bucket{listener=\"ci\",le=\"0.05\"} 6\n"
    "sockward_request_duration_seconds_bucket{listener=\"ci\",le=\"0.1\"} 6\n"
    "sockward_request_duration_seconds_bucket{listener=\"ci\",le=\"0.25\"} 6\n"
    "sockward_request_duration_seconds_bucket{listener=\"ci\",le=\"0.5\"} 6\n"
    "sockward_request_duration_seconds_bucket{listener=\"ci\",le=\"1\"} 6\n"
    "sockward_request_duration_seconds_bucket{listener=\"ci\",le=\"2.5\"} 6\n"
    "sockward_request_duration_seconds_bucket{listener=\"ci\",le=\"5\"} 6\n"
    "sockward_request_duration_seconds_bucket{listener=\"ci\",le=\"10\"} 6\n"
    "sockward_request_duration_seconds_bucket{listener=\"ci\",le=\"+Inf\"} 7\n"
    "sockward_request_duration_seconds_sum{listener=\"ci\"} 12.006960\n"
    "sockward_request_duration_seconds_count{listener=\"ci\"} 7\n"
    "# HELP sockward_denials_total Requests not forwarded as asked (deny, rejec"
    "t, limit, hidden) and audit mode's would_deny, by listener, verdict, reaso"
    "n and deciding rule (ORIGIN #N, \"\" when none).\n"
    "# TYPE sockward_denials_total counter\n"
    "sockward_denials_total{listener=\"default\",verdict=\"deny\",reason=\"rule"
    "\",rule=\"--deny #1\"} 1\n"
    "sockward_denials_total{listener=\"default\",verdict=\"deny\",reason=\"defa"
    "ult_deny\",rule=\"\"} 2\n"
    "sockward_denials_total{listener=\"default\",verdict=\"reject\",reason=\"ba"
    "d_request\",rule=\"\"} 1\n"
    "sockward_denials_total{listener=\"default\",verdict=\"reject\",reason=\"bo"
    "dy_too_large\",rule=\"\"} 1\n"
    "sockward_denials_total{listener=\"default\",verdict=\"reject\",reason=\"me"
    "thod_not_implemented\",rule=\"\"} 1\n"
    "sockward_denials_total{listener=\"default\",verdict=\"limit\",reason=\"str"
    "eam_limit\",rule=\"profile traefik #5\"} 1\n"
    "sockward_denials_total{listener=\"default\",verdict=\"hidden\",reason=\"hi"
    "dden_object\",rule=\"\"} 1\n"
    "sockward_denials_total{listener=\"ci\",verdict=\"deny\",reason=\"body_fiel"
    "d\",rule=\"ci.conf:7 #1\"} 2\n"
    "sockward_denials_total{listener=\"ci\",verdict=\"reject\",reason=\"body_in"
    "valid\",rule=\"ci.conf:7 #1\"} 1\n"
    "sockward_denials_total{listener=\"ci\",verdict=\"deny\",reason=\"body_endp"
    "oint\",rule=\"ci.conf:8 #1\"} 1\n"
    "sockward_denials_total{listener=\"ci\",verdict=\"would_deny\",reason=\"vis"
    "ible_labels\",rule=\"ci.conf:9 #1\"} 1\n"
    "sockward_denials_total{listener=\"ci\",verdict=\"deny\",reason=\"revoked\""
    ",rule=\"\"} 1\n"
    "# HELP sockward_body_refusals_total Request bodies a body policy refused, "
    "by listener and field (array indices and map keys as [], (endpoint) for a "
    "route refused outright, (invalid) for a malformed body).\n"
    "# TYPE sockward_body_refusals_total counter\n"
    "sockward_body_refusals_total{listener=\"ci\",field=\"HostConfig.Binds[]\"}"
    " 2\n"
    "sockward_body_refusals_total{listener=\"ci\",field=\"(invalid)\"} 1\n"
    "sockward_body_refusals_total{listener=\"ci\",field=\"(endpoint)\"} 1\n"
    "# HELP sockward_filtered_responses_total Responses that went through the r"
    "esponse filter, by listener.\n"
    "# TYPE sockward_filtered_responses_total counter\n"
    "sockward_filtered_responses_total{listener=\"default\"} 0\n"
    "sockward_filtered_responses_total{listener=\"ci\"} 1\n"
    "# HELP sockward_redactions_total Values the response filter redacted, by l"
    "istener.\n"
    "# TYPE sockward_redactions_total counter\n"
    "sockward_redactions_total{listener=\"default\"} 0\n"
    "sockward_redactions_total{listener=\"ci\"} 3\n"
    "# HELP sockward_hidden_elements_total Elements the response filter dropped"
    " as hidden (visible labels), by listener.\n"
    "# TYPE sockward_hidden_elements_total counter\n"
    "sockward_hidden_elements_total{listener=\"default\"} 0\n"
    "sockward_hidden_elements_total{listener=\"ci\"} 2\n"
    "# HELP sockward_bytes_total Bytes written, by listener and direction: to_u"
    "pstream (requests) or to_client (responses).\n"
    "# TYPE sockward_bytes_total counter\n"
    "sockward_bytes_total{listener=\"default\",direction=\"to_upstream\"} 100\n"
    "sockward_bytes_total{listener=\"default\",direction=\"to_client\"} 2000\n"
    "sockward_bytes_total{listener=\"ci\",direction=\"to_upstream\"} 0\n"
    "sockward_bytes_total{listener=\"ci\",direction=\"to_client\"} 7\n"
    "# HELP sockward_bad_gateway_responses_total 502 answers sockward wrote its"
    "elf (the Docker daemon could not be reached, closed or answered badly), by"
    " listener.\n"
    "# TYPE sockward_bad_gateway_responses_total counter\n"
    "sockward_bad_gateway_responses_total{listener=\"default\"} 1\n"
    "sockward_bad_gateway_responses_total{listener=\"ci\"} 0\n"
    "# HELP sockward_upstream_connect_errors_total Connections to the Docker da"
    "emon that could not be opened.\n"
    "# TYPE sockward_upstream_connect_errors_total counter\n"
    "sockward_upstream_connect_errors_total 1\n"
    "# HELP sockward_upstream_open_connections Connections to the Docker daemon"
    " open now.\n"
    "# TYPE sockward_upstream_open_connections gauge\n"
    "sockward_upstream_open_connections 2\n"
    "# HELP sockward_connections_accepted_total Client connections admitted, by"
    " listener.\n"
    "# TYPE sockward_connections_accepted_total counter\n"
    "sockward_connections_accepted_total{listener=\"default\"} 2\n"
    "sockward_connections_accepted_total{listener=\"ci\"} 1\n"
    "# HELP sockward_open_connections Client connections open now, by listener."
    "\n"
    "# TYPE sockward_open_connections gauge\n"
    "sockward_open_connections{listener=\"default\"} 3\n"
    "sockward_open_connections{listener=\"ci\"} 1\n"
    "# HELP sockward_open_streams Streaming responses open now (logs, events, s"
    "tats...), by listener.\n"
    "# TYPE sockward_open_streams gauge\n"
    "sockward_open_streams{listener=\"default\"} 1\n"
    "sockward_open_streams{listener=\"ci\"} 0\n"
    "# HELP sockward_open_hijacks Hijacked connections open now (attach, exec),"
    " by listener.\n"
    "# TYPE sockward_open_hijacks gauge\n"
    "sockward_open_hijacks{listener=\"default\"} 1\n"
    "sockward_open_hijacks{listener=\"ci\"} 0\n"
    "# HELP sockward_admission_refusals_total Clients and streams refused at th"
    "e door, by listener and reason (not_admitted, client_conns, client_streams"
    ", streams).\n"
    "# TYPE sockward_admission_refusals_total counter\n"
    "sockward_admission_refusals_total{listener=\"default\",reason=\"not_admitt"
    "ed\"} 1\n"
    "sockward_admission_refusals_total{listener=\"default\",reason=\"client_con"
    "ns\"} 0\n"
    "sockward_admission_refusals_total{listener=\"default\",reason=\"client_str"
    "eams\"} 0\n"
    "sockward_admission_refusals_total{listener=\"default\",reason=\"streams\"}"
    " 0\n"
    "sockward_admission_refusals_total{listener=\"ci\",reason=\"not_admitted\"}"
    " 0\n"
    "sockward_admission_refusals_total{listener=\"ci\",reason=\"client_conns\"}"
    " 1\n"
    "sockward_admission_refusals_total{listener=\"ci\",reason=\"client_streams"
    "\"} 1\n"
    "sockward_admission_refusals_total{listener=\"ci\",reason=\"streams\"} 2\n"
    "# HELP sockward_tls_handshake_failures_total TLS handshakes that failed on"
    " tls:// addresses, by listener.\n"
    "# TYPE sockward_tls_handshake_failures_total counter\n"
    "sockward_tls_handshake_failures_total{listener=\"default\"} 0\n"
    "sockward_tls_handshake_failures_total{listener=\"ci\"} 1\n"
    "# HELP sockward_config_reloads_total SIGHUP reloads of the config file, by"
    " result.\n"
    "# TYPE sockward_config_reloads_total counter\n"
    "sockward_config_reloads_total{result=\"success\"} 1\n"
    "sockward_config_reloads_total{result=\"failure\"} 1\n"
    "# HELP sockward_config_last_reload_successful 1 if the last reload succeed"
    "ed (or none was tried), else 0.\n"
    "# TYPE sockward_config_last_reload_successful gauge\n"
    "sockward_config_last_reload_successful 0\n"
    "# HELP sockward_config_last_reload_success_timestamp_seconds When the conf"
    "ig in force was loaded, in seconds since the epoch.\n"
    "# TYPE sockward_config_last_reload_success_timestamp_seconds gauge\n"
    "sockward_config_last_reload_success_timestamp_seconds 1700000100\n"
    "# HELP sockward_metrics_dropped_total Refusals not counted in sockward_den"
    "ials_total or sockward_body_refusals_total because their series cap was re"
    "ached.\n"
    "# TYPE sockward_metrics_dropped_total counter\n"
    "sockward_metrics_dropped_total 0\n";

static void
test_golden(void **state)
{
	struct metrics *m = scenario();
	char	*s = render(m);

	(void)state;
	assert_string_equal(s, golden);
	/* Nothing of the requests' own text. */
	assert_null(strstr(s, "SECRET"));
	free(s);
	/* Gauges are what the last walk counted. */
	metrics_gauges_clear(m);
	s = render(m);
	assert_int_equal(sample(s, "sockward_open_connections"
	    "{listener=\"default\"}"), 0);
	assert_int_equal(sample(s, "sockward_upstream_open_connections"), 0);
	free(s);
	metrics_free(m);
}

static void
test_histogram_bounds(void **state)
{
	static const char *const names[] = { "l" };
	struct metrics *m = metrics_new(names, 1, "v", 0);
	struct exchange_rec r;
	char	*s;

	(void)state;
	/* le is inclusive: 500 µs is in the first bucket, 501 µs not. */
	r = timed(rec("allow", 200, JUDGE_WHY_NONE, "", ""), 500);
	metrics_record(m, 0, &r);
	r = timed(rec("allow", 200, JUDGE_WHY_NONE, "", ""), 501);
	metrics_record(m, 0, &r);
	r = timed(rec("allow", 200, JUDGE_WHY_NONE, "", ""), 10000000);
	metrics_record(m, 0, &r);
	r = timed(rec("allow", 200, JUDGE_WHY_NONE, "", ""), 10000001);
	metrics_record(m, 0, &r);
	/* A clock that went back, or no byte sent: not observed. */
	r = rec("allow", 200, JUDGE_WHY_NONE, "", "");
	r.t_first = r.t_start - 1;
	metrics_record(m, 0, &r);
	s = render(m);
	assert_int_equal(sample(s, "sockward_request_duration_seconds_bucket"
	    "{listener=\"l\",le=\"0.0005\"}"), 1);
	assert_int_equal(sample(s, "sockward_request_duration_seconds_bucket"
	    "{listener=\"l\",le=\"0.001\"}"), 2);
	assert_int_equal(sample(s, "sockward_request_duration_seconds_bucket"
	    "{listener=\"l\",le=\"10\"}"), 3);
	assert_int_equal(sample(s, "sockward_request_duration_seconds_bucket"
	    "{listener=\"l\",le=\"+Inf\"}"), 4);
	assert_int_equal(sample(s, "sockward_request_duration_seconds_count"
	    "{listener=\"l\"}"), 4);
	assert_non_null(strstr(s, "sockward_request_duration_seconds_sum"
	    "{listener=\"l\"} 20.001002\n"));
	assert_int_equal(sample(s, "sockward_requests_total{listener=\"l\","
	    "verdict=\"allow\",status_class=\"2xx\"}"), 5);
	free(s);
	metrics_free(m);
}

/*
 * Whatever the requests say, the series stay those the config and the
 * fixed words allow: a flood of distinct targets, paths and body map keys
 * and indices adds none once each kind of refusal has been seen.
 */
static void
test_cardinality(void **state)
{
	static const char *const names[] = { "default" };
	struct metrics *m = metrics_new(names, 1, "v", 0);
	struct exchange_rec r;
	char	*s, f[64];
	size_t	 before, i;

	(void)state;
	r = timed(rec("deny", 403, JUDGE_WHY_DEFAULT, "", ""), 10);
	metrics_record(m, 0, &r);
	r = timed(rec("deny", 403, JUDGE_WHY_BODY_FIELD, "--allow #1",
	    "HostConfig.Sysctls[\"k\"]"), 10);
	metrics_record(m, 0, &r);
	s = render(m);
	before = series(s);
	free(s);
	for (i = 0; i < 1000; i++) {
		r = timed(rec("deny", 403, JUDGE_WHY_DEFAULT, "", ""), 10 + i);
		snprintf(r.target, sizeof(r.target), "/v1.41/flood/%zu", i);
		snprintf(r.path, sizeof(r.path), "/flood/%zu", i);
		metrics_record(m, 0, &r);
		snprintf(f, sizeof(f), "HostConfig.Sysctls[\"flood.%zu\"]", i);
		r = timed(rec("deny", 403, JUDGE_WHY_BODY_FIELD, "--allow #1",
		    f), 10);
		metrics_record(m, 0, &r);
	}
	s = render(m);
	assert_int_equal(series(s), before);
	assert_null(strstr(s, "flood"));
	assert_int_equal(sample(s, "sockward_denials_total{listener="
	    "\"default\",verdict=\"deny\",reason=\"default_deny\",rule=\"\"}"),
	    1001);
	assert_int_equal(sample(s, "sockward_body_refusals_total{listener="
	    "\"default\",field=\"HostConfig.Sysctls[]\"}"), 1001);
	free(s);
	metrics_free(m);
}

/* Past METRICS_MAX_RULES distinct rules (a config could only have that
 * many after many reloads), the rest share "(other)". */
static void
test_caps(void **state)
{
	static const char *const names[] = { "default" };
	struct metrics *m = metrics_new(names, 1, "v", 0);
	struct exchange_rec r;
	char	 id[32];
	char	*s;
	size_t	 i;

	(void)state;
	for (i = 0; i < METRICS_MAX_RULES + 50; i++) {
		snprintf(id, sizeof(id), "--deny #%zu", i + 1);
		r = rec("deny", 403, JUDGE_WHY_RULE, id, "");
		metrics_record(m, 0, &r);
	}
	for (i = 0; i < METRICS_MAX_FIELDS + 10; i++) {
		snprintf(id, sizeof(id), "Field%zu", i);
		r = rec("deny", 403, JUDGE_WHY_BODY_FIELD, "", id);
		metrics_record(m, 0, &r);
	}
	s = render(m);
	assert_int_equal(sample(s, "sockward_denials_total{listener="
	    "\"default\",verdict=\"deny\",reason=\"rule\",rule=\"(other)\"}"),
	    50);
	assert_int_equal(sample(s, "sockward_denials_total{listener="
	    "\"default\",verdict=\"deny\",reason=\"rule\",rule=\"--deny "
	    "#1024\"}"), 1);
	assert_int_equal(sample(s, "sockward_denials_total{listener="
	    "\"default\",verdict=\"deny\",reason=\"rule\",rule=\"--deny "
	    "#1025\"}"), -1);
	assert_int_equal(sample(s, "sockward_body_refusals_total{listener="
	    "\"default\",field=\"(other)\"}"), 10);
	assert_int_equal(sample(s, "sockward_metrics_dropped_total"), 0);
	free(s);
	metrics_free(m);
}

/* Metrics off: a NULL registry, and every hook does nothing. */
static void
test_null_registry(void **state)
{
	struct metrics_text t;
	struct exchange_rec r = rec("allow", 200, JUDGE_WHY_NONE, "", "");
	static const char *const names[] = { "a" };

	(void)state;
	metrics_record(NULL, 0, &r);
	assert_null(metrics_bytes_ctr(NULL, 0));
	metrics_accepted(NULL, 0);
	metrics_admission_refused(NULL, 0, METRICS_ADMIT_STREAMS);
	metrics_tls_handshake_failed(NULL, 0);
	metrics_upstream_connect_failed(NULL);
	metrics_reload(NULL, 1, 0);
	metrics_gauges_clear(NULL);
	metrics_gauge_conn(NULL, 0, 1, 1);
	metrics_gauge_upstreams(NULL, 1);
	memset(&t, 0, sizeof(t));
	assert_int_equal(metrics_render(NULL, &t), 0);
	assert_int_equal(t.len, 0);
	metrics_free(NULL);
	/* No listener, or too many: no registry. */
	assert_null(metrics_new(names, 0, "v", 0));
	assert_null(metrics_new(names, METRICS_MAX_LISTENERS + 1, "v", 0));
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_field_label),
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_histogram_bounds),
		cmocka_unit_test(test_cardinality),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_null_registry),
	};

	if (argc == 2 && strcmp(argv[1], "--print") == 0) {
		struct metrics *m = scenario();
		struct metrics_text t;

		memset(&t, 0, sizeof(t));
		if (metrics_render(m, &t) == -1)
			return 1;
		fwrite(t.data, 1, t.len, stdout);
		metrics_text_free(&t);
		metrics_free(m);
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
