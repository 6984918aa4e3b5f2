/*
 * test_body_policy.c - the strict body reader (gojson), the "no host
 * escape" body policy field by field, its configuration (body-policy
 * blocks, the rule body clause, dump round trip) and the judge's body
 * steps (outright routes, image import, judge_body in both modes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "body_policy.h"
#include "config.h"
#include "gojson.h"
#include "judge.h"
#include "profile.h"

enum { P_DEFAULT, P_WIDE, P_OFF, P_HIDING };

struct bcase {
	enum body_kind	 kind;
	int		 pol;
	const char	*body;
	int		 status;	/* 0, 400, 403 */
	const char	*field;		/* expected v.field, or NULL */
};

#define C(k, b, st, f)	{ BODY_K_##k, P_DEFAULT, b, st, f }
#define W(k, b, st, f)	{ BODY_K_##k, P_WIDE, b, st, f }
#define H(k, b, st, f)	{ BODY_K_##k, P_HIDING, b, st, f }

static const struct bcase cases[] = {
	/* ordinary bodies */
	C(CREATE, "", 0, NULL),
	C(CREATE, "  \n", 0, NULL),
	C(CREATE, "{}", 0, NULL),
	C(CREATE, "{\"Image\":\"web\",\"Env\":[\"A=1\"],\"Labels\":{\"a\":\"b\"},"
	    "\"HostConfig\":{\"Binds\":[\"data:/data\",\"/anon\"],"
	    "\"RestartPolicy\":{\"Name\":\"always\"},\"NetworkMode\":\"web_net\","
	    "\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"v\",\"Target\":\"/v\"},"
	    "{\"Type\":\"tmpfs\",\"Target\":\"/t\"}],\"CapDrop\":[\"ALL\"],"
	    "\"SecurityOpt\":[\"no-new-privileges:true\"],\"Sysctls\":"
	    "{\"net.ipv4.ip_forward\":\"1\",\"kernel.shmmax\":\"1\"},"
	    "\"IpcMode\":\"shareable\",\"Privileged\":false}}", 0, NULL),
	C(CREATE, "{\"HostConfig\":null,\"Privileged\":null}", 0, NULL),
	C(CREATE, "{\"NetworkingConfig\":{\"EndpointsConfig\":{\"web\":{}}}}", 0,
	    NULL),
	C(CREATE, "{\"HostConfig\":{\"NetworkMode\":\"container:vpn\"}}", 0,
	    NULL),
	/* Privileged in every spelling Go reads */
	C(CREATE, "{\"HostConfig\":{\"Privileged\":true}}", 403,
	    "HostConfig.Privileged"),
	C(CREATE, "{\"hostconfig\":{\"PRIVILEGED\":true}}", 403,
	    "HostConfig.Privileged"),
	C(CREATE, "{\"HostConfig\":{\"\\u0050rivileged\":true}}", 403,
	    "HostConfig.Privileged"),
	C(CREATE, "{\"Privileged\":true}", 403, "Privileged"),
	C(CREATE, "{\"HostConfig\":{\"Privileged\":\"true\"}}", 400,
	    "HostConfig.Privileged"),
	C(CREATE, "{\"HostConfig\":{\"Privileged\":1}}", 400,
	    "HostConfig.Privileged"),
	/* ambiguity the reader refuses */
	/* (a value the policy refuses is refused as it is read) */
	C(CREATE, "{\"HostConfig\":{\"Privileged\":false,\"privileged\":true}}",
	    403, "HostConfig.Privileged"),
	C(CREATE, "{\"HostConfig\":{\"Privileged\":true,\"Privileged\":false}}",
	    403, "HostConfig.Privileged"),
	C(CREATE, "{\"HostConfig\":{\"Runtime\":\"runc\",\"runtime\":\"kata\"}}",
	    403, "HostConfig.Runtime"),
	C(CREATE, "{\"HostConfig\":{\"Privileged\":false,\"privileged\":false}}",
	    400, ""),
	C(CREATE, "{\"HostConfig\":{\"Privil\xc4\x99ged\":true}}", 400, ""),
	C(CREATE, "{\"HostConfig\":{\"\\u017fecurityOpt\":[\"x\"]}}", 400, ""),
	C(CREATE, "{\"HostConfig\":{\"CapAdd\":[\"\\u212aILL\"]}}", 403,
	    "HostConfig.CapAdd[0]"),
	C(CREATE, "{} {\"HostConfig\":{\"Privileged\":true}}", 400, ""),
	C(CREATE, "{}x", 400, ""),
	C(CREATE, "\xef\xbb\xbf{}", 400, ""),
	C(CREATE, "{\"Image\":\"\xff\"}", 400, ""),
	C(CREATE, "{\"Image\":\"\\ud800\"}", 400, ""),
	C(CREATE, "{\"Image\":\"x\",}", 400, ""),
	C(CREATE, "{\"Labels\":{\"a\":\"1\",\"A\":\"2\"}}", 400, ""),
	C(CREATE, "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	    "[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
	    "]]]]]]]]]]]]", 400, ""),
	/* capabilities, devices, namespaces */
	C(CREATE, "{\"HostConfig\":{\"CapAdd\":\"SYS_ADMIN\"}}", 403,
	    "HostConfig.CapAdd"),
	C(CREATE, "{\"HostConfig\":{\"CapAdd\":[\"cap_net_admin\"]}}", 403,
	    "HostConfig.CapAdd[0]"),
	W(CREATE, "{\"HostConfig\":{\"CapAdd\":[\"cap_net_admin\",\"NET_ADMIN\"]}}",
	    0, NULL),
	W(CREATE, "{\"HostConfig\":{\"CapAdd\":[\"ALL\"]}}", 403,
	    "HostConfig.CapAdd[0]"),
	C(CREATE, "{\"HostConfig\":{\"Devices\":[{\"PathOnHost\":\"/dev/sda\"}]}}",
	    403, "HostConfig.Devices"),
	C(CREATE, "{\"HostConfig\":{\"Devices\":[]}}", 0, NULL),
	C(CREATE, "{\"HostConfig\":{\"DeviceRequests\":[{\"Count\":-1}]}}", 403,
	    "HostConfig.DeviceRequests"),
	C(CREATE, "{\"HostConfig\":{\"DeviceCgroupRules\":[\"c *:* rwm\"]}}",
	    403, "HostConfig.DeviceCgroupRules"),
	C(CREATE, "{\"HostConfig\":{\"NetworkMode\":\"host\"}}", 403,
	    "HostConfig.NetworkMode"),
	C(CREATE, "{\"HostConfig\":{\"NetworkMode\":\"HOST\"}}", 403,
	    "HostConfig.NetworkMode"),
	C(CREATE, "{\"HostConfig\":{\"PidMode\":\"host\"}}", 403,
	    "HostConfig.PidMode"),
	C(CREATE, "{\"HostConfig\":{\"PidMode\":\"container:x\"}}", 403,
	    "HostConfig.PidMode"),
	C(CREATE, "{\"HostConfig\":{\"IpcMode\":\"container:x\"}}", 403,
	    "HostConfig.IpcMode"),
	C(CREATE, "{\"HostConfig\":{\"UTSMode\":\"host\"}}", 403,
	    "HostConfig.UTSMode"),
	C(CREATE, "{\"HostConfig\":{\"UsernsMode\":\"host\"}}", 403,
	    "HostConfig.UsernsMode"),
	C(CREATE, "{\"HostConfig\":{\"CgroupnsMode\":\"host\"}}", 403,
	    "HostConfig.CgroupnsMode"),
	C(CREATE, "{\"NetworkingConfig\":{\"EndpointsConfig\":{\"host\":{}}}}",
	    403, "NetworkingConfig.EndpointsConfig[\"host\"]"),
	/* confinement */
	C(CREATE, "{\"HostConfig\":{\"SecurityOpt\":[\"seccomp=unconfined\"]}}",
	    403, "HostConfig.SecurityOpt[0]"),
	C(CREATE, "{\"HostConfig\":{\"SecurityOpt\":[\"seccomp:unconfined\"]}}",
	    403, "HostConfig.SecurityOpt[0]"),
	C(CREATE, "{\"HostConfig\":{\"SecurityOpt\":[\"apparmor=unconfined\"]}}",
	    403, "HostConfig.SecurityOpt[0]"),
	C(CREATE, "{\"HostConfig\":{\"SecurityOpt\":[\"label=disable\"]}}", 403,
	    "HostConfig.SecurityOpt[0]"),
	C(CREATE, "{\"HostConfig\":{\"SecurityOpt\":[\"label:disable\"]}}", 403,
	    "HostConfig.SecurityOpt[0]"),
	C(CREATE, "{\"HostConfig\":{\"SecurityOpt\":[\"systempaths=unconfined\"]}}",
	    403, "HostConfig.SecurityOpt[0]"),
	C(CREATE, "{\"HostConfig\":{\"SecurityOpt\":[\"seccomp={}\"]}}", 403,
	    "HostConfig.SecurityOpt[0]"),
	C(CREATE, "{\"HostConfig\":{\"MaskedPaths\":[]}}", 403,
	    "HostConfig.MaskedPaths"),
	C(CREATE, "{\"HostConfig\":{\"ReadonlyPaths\":[]}}", 403,
	    "HostConfig.ReadonlyPaths"),
	C(CREATE, "{\"HostConfig\":{\"CgroupParent\":\"/\"}}", 403,
	    "HostConfig.CgroupParent"),
	C(CREATE, "{\"HostConfig\":{\"Runtime\":\"kata\"}}", 403,
	    "HostConfig.Runtime"),
	C(CREATE, "{\"HostConfig\":{\"Runtime\":\"runc\"}}", 0, NULL),
	C(CREATE, "{\"HostConfig\":{\"Sysctls\":{\"kernel.core_pattern\":\"|x\"}}}",
	    403, "HostConfig.Sysctls[\"kernel.core_pattern\"]"),
	C(CREATE, "{\"HostConfig\":{\"Sysctls\":{\"net/ipv4/x\":\"1\"}}}", 403,
	    "HostConfig.Sysctls[\"net/ipv4/x\"]"),
	C(CREATE, "{\"HostConfig\":{\"Annotations\":{\"a\":\"b\"}}}", 403,
	    "HostConfig.Annotations"),
	/* host paths */
	C(CREATE, "{\"HostConfig\":{\"Binds\":[\"/:/host\"]}}", 403,
	    "HostConfig.Binds[0]"),
	C(CREATE, "{\"HostConfig\":{\"Binds\":[\"\\/:/host\"]}}", 403,
	    "HostConfig.Binds[0]"),
	C(CREATE, "{\"HostConfig\":{\"Binds\":[\"v:/a\",\"/etc:/e:ro\"]}}", 403,
	    "HostConfig.Binds[1]"),
	C(CREATE, "{\"HostConfig\":{\"Binds\":[\"/a:/b:ro:x\"]}}", 403,
	    "HostConfig.Binds[0]"),
	W(CREATE, "{\"HostConfig\":{\"Binds\":[\"/srv/data/x:/d\","
	    "\"/etc/ro:/e:ro\",\"/etc/ro/sub:/s:z,ro\"]}}", 0, NULL),
	W(CREATE, "{\"HostConfig\":{\"Binds\":[\"/etc/ro:/e\"]}}", 403,
	    "HostConfig.Binds[0]"),
	W(CREATE, "{\"HostConfig\":{\"Binds\":[\"/srv/database:/d\"]}}", 403,
	    "HostConfig.Binds[0]"),
	W(CREATE, "{\"HostConfig\":{\"Binds\":[\"/srv/data/../../etc:/d\"]}}",
	    403, "HostConfig.Binds[0]"),
	W(CREATE, "{\"HostConfig\":{\"Binds\":[\"/srv/data//x:/d\"]}}", 403,
	    "HostConfig.Binds[0]"),
	W(CREATE, "{\"HostConfig\":{\"Binds\":[\"/srv/data:/d:rshared\"]}}",
	    403, "HostConfig.Binds[0]"),
	C(CREATE, "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"bind\","
	    "\"Source\":\"/\",\"Target\":\"/h\"}]}}", 403,
	    "HostConfig.Mounts[0]"),
	C(CREATE, "{\"HostConfig\":{\"Mounts\":[{\"type\":\"BIND\","
	    "\"source\":\"/\",\"target\":\"/h\"}]}}", 403,
	    "HostConfig.Mounts[0]"),
	C(CREATE, "{\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/\"}]}", 403,
	    "Mounts[0]"),
	W(CREATE, "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"bind\","
	    "\"Source\":\"/etc/ro\",\"ReadOnly\":true}]}}", 0, NULL),
	W(CREATE, "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"bind\","
	    "\"Source\":\"/etc/ro\",\"ReadOnly\":true,\"BindOptions\":"
	    "{\"ReadOnlyNonRecursive\":true}}]}}", 403, "HostConfig.Mounts[0]"),
	W(CREATE, "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"bind\","
	    "\"Source\":\"/etc/ro\"}]}}", 403, "HostConfig.Mounts[0]"),
	C(CREATE, "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"npipe\"}]}}", 403,
	    "HostConfig.Mounts[0]"),
	C(CREATE, "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"volume\","
	    "\"VolumeOptions\":{\"DriverConfig\":{\"Name\":\"local\",\"Options\":"
	    "{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/\"}}}}]}}", 403,
	    "HostConfig.Mounts[0]"),
	C(CREATE, "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"volume\","
	    "\"VolumeOptions\":{\"DriverConfig\":{\"Options\":"
	    "{\"type\":\"ext4\",\"device\":\"/dev/sda1\"}}}}]}}", 403,
	    "HostConfig.Mounts[0]"),
	C(CREATE, "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"volume\","
	    "\"VolumeOptions\":{\"DriverConfig\":{\"Options\":"
	    "{\"type\":\"tmpfs\",\"device\":\"tmpfs\",\"o\":\"size=1m\"}}}}]}}",
	    0, NULL),
	C(CREATE, "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"volume\","
	    "\"Source\":\"v\",\"VolumeOptions\":{\"Subpath\":\"a/b\"}}]}}", 0,
	    NULL),
	C(CREATE, "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"volume\","
	    "\"Source\":\"v\",\"VolumeOptions\":{\"Subpath\":\"a/../../x\"}}]}}",
	    403, "HostConfig.Mounts[0].VolumeOptions.Subpath"),
	C(CREATE, "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"image\","
	    "\"Source\":\"i\",\"ImageOptions\":{\"Subpath\":\"/etc\"}}]}}",
	    403, "HostConfig.Mounts[0].ImageOptions.Subpath"),
	C(CREATE, "{\"HostConfig\":{\"VolumesFrom\":[\"other\"]}}", 403,
	    "HostConfig.VolumesFrom"),
	C(CREATE, "{\"HostConfig\":{\"VolumeDriver\":\"rexray\"}}", 403,
	    "HostConfig.VolumeDriver"),
	W(CREATE, "{\"HostConfig\":{\"VolumeDriver\":\"rexray\"}}", 0, NULL),
	/* update, start, exec */
	C(UPDATE, "{\"Memory\":1000000,\"CpuShares\":2}", 0, NULL),
	C(UPDATE, "{\"Devices\":[{\"PathOnHost\":\"/dev/mem\"}]}", 403,
	    "Devices"),
	C(UPDATE, "{\"CgroupParent\":\"x\"}", 403, "CgroupParent"),
	C(START, "{}", 0, NULL),
	C(START, "null", 0, NULL),
	C(START, "{\"Privileged\":true}", 403, "body"),
	C(START, "{\"Binds\":[]}", 403, "body"),
	C(EXEC, "{\"Cmd\":[\"sh\"],\"Tty\":true}", 0, NULL),
	C(EXEC, "{\"Cmd\":[\"sh\"],\"privileged\":true}", 403, "Privileged"),
	/* volumes */
	C(VOLUME, "{\"Name\":\"v\"}", 0, NULL),
	C(VOLUME, "{\"Name\":\"v\",\"Driver\":\"local\",\"DriverOpts\":"
	    "{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/\"}}", 403,
	    "DriverOpts"),
	C(VOLUME, "{\"DriverOpts\":{\"type\":\"none\",\"o\":\"rw,rbind\","
	    "\"device\":\"/etc\"}}", 403, "DriverOpts"),
	C(VOLUME, "{\"DriverOpts\":{\"type\":\"btrfs\",\"device\":"
	    "\"/dev/sda1\"}}", 403, "DriverOpts"),
	C(VOLUME, "{\"DriverOpts\":{\"Type\":\"tmpfs\"}}", 403, "DriverOpts"),
	C(VOLUME, "{\"DriverOpts\":{\"type\":\"nfs\",\"o\":\"addr=10.0.0.1\","
	    "\"device\":\":/export\"}}", 0, NULL),
	C(VOLUME, "{\"Driver\":\"rexray\"}", 403, "Driver"),
	W(VOLUME, "{\"Driver\":\"rexray\",\"DriverOpts\":{\"o\":\"bind\"}}", 0,
	    NULL),
	C(VOLUME, "{\"ClusterVolumeSpec\":{}}", 403, "ClusterVolumeSpec"),
	/* services */
	C(SERVICE, "{\"Name\":\"s\",\"TaskTemplate\":{\"ContainerSpec\":"
	    "{\"Image\":\"x\",\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"v\"}]}},"
	    "\"Networks\":[{\"Target\":\"overlay\"}]}", 0, NULL),
	C(SERVICE, "{\"TaskTemplate\":{\"ContainerSpec\":{\"Mounts\":"
	    "[{\"Type\":\"bind\",\"Source\":\"/\"}]}}}", 403,
	    "TaskTemplate.ContainerSpec.Mounts[0]"),
	C(SERVICE, "{\"TaskTemplate\":{\"ContainerSpec\":{\"CapabilityAdd\":"
	    "[\"SYS_ADMIN\"]}}}", 403,
	    "TaskTemplate.ContainerSpec.CapabilityAdd[0]"),
	C(SERVICE, "{\"TaskTemplate\":{\"ContainerSpec\":{\"Privileges\":"
	    "{\"Seccomp\":{\"Mode\":\"unconfined\"}}}}}", 403,
	    "TaskTemplate.ContainerSpec.Privileges.Seccomp.Mode"),
	C(SERVICE, "{\"TaskTemplate\":{\"ContainerSpec\":{\"Privileges\":"
	    "{\"AppArmor\":{\"Mode\":\"disabled\"}}}}}", 403,
	    "TaskTemplate.ContainerSpec.Privileges.AppArmor.Mode"),
	C(SERVICE, "{\"TaskTemplate\":{\"ContainerSpec\":{\"Privileges\":"
	    "{\"SELinuxContext\":{\"Disable\":true}}}}}", 403,
	    "TaskTemplate.ContainerSpec.Privileges.SELinuxContext.Disable"),
	C(SERVICE, "{\"TaskTemplate\":{\"PluginSpec\":{}}}", 403,
	    "TaskTemplate.PluginSpec"),
	C(SERVICE, "{\"TaskTemplate\":{\"Networks\":[{\"Target\":\"host\"}]}}",
	    403, "TaskTemplate.Networks[0].Target"),
	C(SERVICE, "{\"TaskTemplate\":{\"ContainerSpec\":{\"Sysctls\":"
	    "{\"kernel.sysrq\":\"1\"}}}}", 403,
	    "TaskTemplate.ContainerSpec.Sysctls[\"kernel.sysrq\"]"),
	/* off judges nothing */
	{ BODY_K_CREATE, P_OFF, "{\"HostConfig\":{\"Privileged\":true}}", 0,
	    NULL },
	/* Links are judged for their type; allowed unless hiding. */
	C(CREATE, "{\"HostConfig\":{\"Links\":[\"db:db\"]},\"Networking"
	    "Config\":{\"EndpointsConfig\":{\"n\":{\"Links\":[\"db\"]}}}}",
	    0, NULL),
	C(CREATE, "{\"HostConfig\":{\"Links\":\"db\"}}", 400, NULL),
	C(CREATE, "{\"NetworkingConfig\":{\"EndpointsConfig\":{\"n\":1}}}",
	    400, NULL),
	/* A listener that hides containers: no other container named. */
	H(CREATE, "{\"HostConfig\":{\"NetworkMode\":\"container:vpn\"}}",
	    403, "HostConfig.NetworkMode"),
	H(CREATE, "{\"NetworkMode\":\"Container:vpn\"}", 403, "NetworkMode"),
	H(CREATE, "{\"HostConfig\":{\"NetworkMode\":\"web_net\"}}", 0, NULL),
	H(CREATE, "{\"HostConfig\":{\"Links\":[\"db:db\"]}}", 403,
	    "HostConfig.Links[0]"),
	H(CREATE, "{\"HostConfig\":{\"Links\":[]}}", 0, NULL),
	H(CREATE, "{\"NetworkingConfig\":{\"EndpointsConfig\":{\"n\":"
	    "{\"links\":[\"db\"]}}}}", 403,
	    "NetworkingConfig.EndpointsConfig[\"n\"].Links[0]"),
	H(CREATE, "{\"NetworkingConfig\":{\"EndpointsConfig\":{\"n\":"
	    "{\"Aliases\":[\"a\"]}}}}", 0, NULL),
};

static void
make_policy(int which, struct body_policy *p)
{
	const char *why;

	if (which == P_OFF) {
		body_policy_init_off(p);
		return;
	}
	body_policy_init(p, which == P_WIDE ? "wide" : "no-host-escape");
	p->hiding = which == P_HIDING;
	if (which != P_WIDE)
		return;
	assert_int_equal(body_policy_add_host_path(p, "/srv/data:rw", &why), 0);
	assert_int_equal(body_policy_add_host_path(p, "/etc/ro", &why), 0);
	assert_int_equal(body_policy_add_cap(p, "CAP_NET_ADMIN", &why), 0);
	assert_int_equal(body_policy_add_driver(p, "rexray", &why), 0);
}

static void
test_cases(void **state)
{
	struct body_policy p;
	struct body_verdict v;
	size_t	 i;
	int	 st, bad = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make_policy(cases[i].pol, &p);
		st = body_judge(&p, cases[i].kind, cases[i].body,
		    strlen(cases[i].body), &v);
		if (st != cases[i].status || st != v.status ||
		    (cases[i].field != NULL &&
		    strcmp(v.field, cases[i].field) != 0)) {
			fprintf(stderr, "case %zu %s: got %d field '%s' (%s), "
			    "want %d '%s'\n", i, cases[i].body, st, v.field,
			    v.message, cases[i].status, cases[i].field ?
			    cases[i].field : "");
			bad++;
		}
		if (st == 403)
			assert_non_null(strstr(v.message, v.field));
	}
	assert_int_equal(bad, 0);
}

static void
test_messages(void **state)
{
	struct body_policy p;
	struct body_verdict v;
	const char *b = "{\"HostConfig\":{\"Binds\":[\"/etc:/x\\n\\\"y\"]}}";

	(void)state;
	body_policy_init(&p, "no-host-escape");
	assert_int_equal(body_judge(&p, BODY_K_CREATE, b, strlen(b), &v), 403);
	/* The value is shown quoted, control bytes as '?'. */
	assert_string_equal(v.message,
	    "HostConfig.Binds[0]=\"/etc:/x?\\\"y\"");
	assert_non_null(strstr(v.reason, "host path /etc"));
	b = "{\"HostConfig\":{\"Privileged\":true}}";
	assert_int_equal(body_judge(&p, BODY_K_CREATE, b, strlen(b), &v), 403);
	assert_string_equal(v.message, "HostConfig.Privileged=true");
	b = "{\"a\":1,\"A\":2}";
	assert_int_equal(body_judge(&p, BODY_K_CREATE, b, strlen(b), &v), 400);
	assert_non_null(strstr(v.message, "differ only in case"));
}

static int
count_events(void *arg, enum gj_event ev, const char *s, size_t n)
{
	(void)ev;
	(void)s;
	(void)n;
	(*(int *)arg)++;
	return 0;
}

static void
test_reader(void **state)
{
	static const char *const ok[] = { "0", "-0.5e+10", "\"\\ud83d\\ude00\"",
	    "[true,false,null]", " {\"a\":{\"b\":[]}} \n", "\"\\u0000\"",
	    "{\"\":1}" };
	static const char *const bad[] = { "", " ", "01", "1.", "-", "[1,]",
	    "{\"a\"}", "{\"a\":1 \"b\":2}", "\"\\x\"", "\"\\udc00\"",
	    "\"a\nb\"", "tru", "nul", "\"\xc0\x80\"", "\"\xed\xa0\x80\"",
	    "\"\xf4\x90\x80\x80\"", "{\"\\u00e9\":1}", "{\"\\u0001\":1}",
	    "1 2", "{}}" };
	struct gj_error err;
	size_t	 i;
	int	 n;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		n = 0;
		if (gj_read(ok[i], strlen(ok[i]), count_events, &n, &err) != 0)
			fail_msg("refused %s: %s", ok[i], err.why);
		assert_true(n > 0);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = 0;
		if (gj_read(bad[i], strlen(bad[i]), count_events, &n, &err) == 0)
			fail_msg("accepted %s", bad[i]);
		assert_true(err.why[0] != '\0');
	}
}

/* Many keys in one object: the duplicate check is not quadratic, and a
 * duplicate far apart is still found. */
static void
test_reader_many_keys(void **state)
{
	size_t	 cap = 600000, len = 0, i;
	char	*b = malloc(cap);
	struct gj_error err;
	int	 n = 0;

	(void)state;
	assert_non_null(b);
	b[len++] = '{';
	for (i = 0; i < 40000; i++)
		len += (size_t)snprintf(b + len, cap - len, "%s\"k%zu\":1",
		    i ? "," : "", i);
	memcpy(b + len, "}", 2);
	assert_int_equal(gj_read(b, len + 1, count_events, &n, &err), 0);
	memcpy(b + len, ",\"K17\":2}", 10);
	assert_int_equal(gj_read(b, len + 9, count_events, &n, &err), -1);
	free(b);
}

static void
test_policy_clauses(void **state)
{
	struct body_policy p;
	const char *why;

	(void)state;
	body_policy_init(&p, "x");
	assert_int_equal(body_policy_add_host_path(&p, "/srv", &why), 0);
	assert_int_equal(p.host_paths[0].rw, 0);
	assert_int_equal(body_policy_add_host_path(&p, "/srv/a:rw", &why), 0);
	assert_int_equal(p.host_paths[1].rw, 1);
	assert_int_equal(body_policy_add_host_path(&p, "/", &why), 0);
	assert_int_equal(body_policy_add_host_path(&p, "srv", &why), -1);
	assert_int_equal(body_policy_add_host_path(&p, "/srv/", &why), -1);
	assert_int_equal(body_policy_add_host_path(&p, "/a/../b", &why), -1);
	assert_int_equal(body_policy_add_host_path(&p, "/a//b", &why), -1);
	assert_int_equal(body_policy_add_host_path(&p, "/a:rx", &why), -1);
	assert_int_equal(body_policy_add_cap(&p, "cap_sys_nice", &why), 0);
	assert_string_equal(p.caps[0], "SYS_NICE");
	assert_int_equal(body_policy_add_cap(&p, "bad cap", &why), -1);
	assert_int_equal(body_policy_add_driver(&p, "", &why), -1);
}

/* ---- configuration and the judge ---- */

static struct cfg cfg;
static char errbuf[512];

static int
parse(const char *text)
{
	cfg_free(&cfg);
	return cfg_parse(text, strlen(text), "t.conf", &cfg, errbuf,
	    sizeof(errbuf));
}

/* Collect a dump, without the comments (rule origins name lines). */
static void
dump_line(void *arg, const char *line)
{
	char	*out = arg;
	const char *hash = strchr(line, '#');

	strncat(out, line, hash != NULL ? (size_t)(hash - line) : strlen(line));
	strcat(out, "\n");
}

static const char conf[] =
	"body-max 2M\n"
	"body-policy media {\n"
	"\thost-path \"/srv/media\" ro\n"
	"\thost-path /srv/dl rw\n"
	"\tcap-add NET_ADMIN\n"
	"\tvolume-driver rexray\n"
	"}\n"
	"listener a {\n"
	"\tlisten unix:///run/a.sock\n"
	"\tbody-policy media\n"
	"\thost-path /opt/x\n"
	"\tallow POST /containers/create\n"
	"\tallow POST /containers/{id}/update body off\n"
	"\tallow POST /volumes/create body no-host-escape\n"
	"\tallow POST /build\n"
	"\tallow POST /images/create query fromSrc=-\n"
	"}\n"
	"listener b {\n"
	"\tlisten unix:///run/b.sock\n"
	"\tmode audit\n"
	"\tallow POST /**\n"
	"}\n";

static void
test_config(void **state)
{
	static char out[16384], out2[16384];
	const struct cfg_listener *l;

	(void)state;
	assert_int_equal(parse(conf), 0);
	assert_int_equal(cfg.body_max, 2 * 1024 * 1024);
	assert_int_equal(cfg.npolicies, 1);
	l = &cfg.listeners[0];
	assert_string_equal(l->body[0].name, "media");
	assert_int_equal(l->body[0].nhost_paths, 3);
	assert_int_equal(l->nbody, 3);
	assert_int_equal(l->rules.rules[0].body_idx, 0);
	assert_true(l->body[l->rules.rules[1].body_idx].off);
	assert_string_equal(l->body[l->rules.rules[2].body_idx].name,
	    "no-host-escape");
	/* The dump parses back to the same dump. */
	out[0] = out2[0] = '\0';
	cfg_dump(&cfg, dump_line, out);
	assert_non_null(strstr(out, "body-policy media {"));
	assert_non_null(strstr(out, "\tbody-policy media\n"));
	assert_non_null(strstr(out, "\thost-path \"/opt/x\" ro\n"));
	assert_non_null(strstr(out, "body off"));
	if (parse(out) != 0)
		fail_msg("dump does not parse: %s\n%s", errbuf, out);
	cfg_dump(&cfg, dump_line, out2);
	if (strcmp(out, out2) != 0)
		fail_msg("dump round trip:\n%s\n----\n%s", out, out2);

	assert_int_equal(parse("listener a {\n listen unix:///a\n allow POST "
	    "/containers/create body nope\n}\n"), -1);
	assert_non_null(strstr(errbuf, "no body policy \"nope\""));
	assert_int_equal(parse("body-policy off {\n}\nlistener a {\n listen "
	    "unix:///a\n allow GET /x\n}\n"), -1);
	assert_int_equal(parse("body-policy p {\n allow GET /x\n}\n"), -1);
	assert_non_null(strstr(errbuf, "takes host-path"));
	assert_int_equal(parse("body-policy p {\n host-path /x\n"), -1);
	assert_non_null(strstr(errbuf, "not closed"));
	assert_int_equal(parse("body-max 10\nlistener a {\n listen unix:///a\n"
	    " allow GET /x\n}\n"), -1);
	assert_int_equal(parse("listener a {\n listen unix:///a\n host-path /x\n"
	    " body-policy off\n allow GET /x\n}\n"), -1);
	assert_int_equal(parse("listener a {\n listen unix:///a\n body-policy "
	    "off\n cap-add NET_ADMIN\n allow GET /x\n}\n"), -1);
	assert_int_equal(parse("listener a {\n listen unix:///a\n deny POST "
	    "/x body off\n allow GET /x\n}\n"), -1);
}

static enum judge_verdict
judge_line(const struct cfg_listener *l, const char *text,
    struct judge_result *res)
{
	static char head[REQ_MAX_HEAD + 3 * REQ_MAX_TARGET];
	struct req_head h;
	struct req_error err;

	assert_true(req_parse(text, strlen(text), &h, &err) > 0);
	return judge_request(l, &h, head, sizeof(head), res);
}

static void
test_judge_steps(void **state)
{
	static struct judge_result res;
	const struct cfg_listener *a, *b;
	const char *priv = "{\"HostConfig\":{\"Privileged\":true}}";

	(void)state;
	assert_int_equal(parse(conf), 0);
	a = &cfg.listeners[0];
	b = &cfg.listeners[1];
	/* A named route passes step 5; a wildcard over it does not. */
	assert_int_equal(judge_line(a, "POST /build HTTP/1.1\r\nHost: d\r\n\r\n",
	    &res), JUDGE_ALLOW);
	assert_int_equal(judge_line(b, "POST /build HTTP/1.1\r\nHost: d\r\n\r\n",
	    &res), JUDGE_WOULD_DENY);
	assert_non_null(strstr(res.label, "body no-host-escape"));
	/* An import needs a rule that names fromSrc. */
	assert_int_equal(judge_line(a, "POST /images/create?fromSrc=- HTTP/1.1"
	    "\r\nHost: d\r\n\r\n", &res), JUDGE_ALLOW);
	/* Bodies: collected, then judged by the rule's policy. */
	assert_int_equal(judge_line(a, "POST /containers/create HTTP/1.1\r\n"
	    "Host: d\r\nContent-Length: 35\r\n\r\n", &res), JUDGE_ALLOW);
	assert_true(res.body_collect);
	assert_string_equal(res.body->name, "media");
	assert_int_equal(judge_body(a, priv, strlen(priv), &res), JUDGE_DENY);
	assert_int_equal(res.status, 403);
	assert_string_equal(res.message, "sockward: HostConfig.Privileged=true "
	    "is not allowed (policy a, body media): a privileged container is "
	    "root on the host");
	assert_string_equal(res.body_field, "HostConfig.Privileged");
	/* body off: nothing collected. */
	assert_int_equal(judge_line(a, "POST /containers/x/update HTTP/1.1\r\n"
	    "Host: d\r\nContent-Length: 35\r\n\r\n", &res), JUDGE_ALLOW);
	assert_false(res.body_collect);
	/* Audit mode: a refused body is a would_deny, a malformed one 400. */
	assert_int_equal(judge_line(b, "POST /containers/create HTTP/1.1\r\n"
	    "Host: d\r\nTransfer-Encoding: chunked\r\n\r\n", &res),
	    JUDGE_ALLOW);
	assert_true(res.body_collect);
	assert_int_equal(judge_body(b, priv, strlen(priv), &res),
	    JUDGE_WOULD_DENY);
	assert_int_equal(res.status, 0);
	assert_int_equal(judge_line(b, "POST /containers/create HTTP/1.1\r\n"
	    "Host: d\r\nContent-Length: 3\r\n\r\n", &res), JUDGE_ALLOW);
	assert_int_equal(judge_body(b, "{}}", 3, &res), JUDGE_REJECT);
	assert_int_equal(res.status, 400);
	/* An empty body is not collected. */
	assert_int_equal(judge_line(b, "POST /containers/create HTTP/1.1\r\n"
	    "Host: d\r\nContent-Length: 0\r\n\r\n", &res), JUDGE_ALLOW);
	assert_false(res.body_collect);
	cfg_free(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_reader),
		cmocka_unit_test(test_reader_many_keys),
		cmocka_unit_test(test_policy_clauses),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_judge_steps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
