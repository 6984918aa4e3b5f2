/*
 * jrwbench - how fast the response rewriter (src/core/jrewrite.c) is,
 * alone: no sockets, one core.
 *
 * Three payloads, generated here to look like dockerd's:
 *  - list:    GET /containers/json of 200 containers (~1.7 KB each),
 *             plan select '*', labels '*.Labels', redact
 *             '*.NetworkSettings.Networks.*.DriverOpts'; every other
 *             container carries the visible label, so half are dropped;
 *  - inspect: GET /containers/{id}/json with 40 Env entries, plan redact
 *             Config.Env (and the two other inspect paths);
 *  - events:  1,000 /events messages, plan select '', labels
 *             'Actor.Attributes', capture 'Type'.
 * Each is rewritten whole (one feed) in batches of about 20 ms; the line
 * printed per payload gives its size and MB/s (10^6 bytes of input per
 * second) for the best and the median batch.
 *
 * usage: jrwbench [BATCHES]        (default 21)
 * Exit status: 0; 1 when the rewriter refuses a payload; 2 on usage.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jrewrite.h"

#define MAX_BATCHES	101
#define BATCH_NS	20000000ull

struct buf {
	char	*p;
	size_t	 len, cap;
};

static void put(struct buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
put(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		b->cap = b->cap ? b->cap * 2 : 65536;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			abort();
	}
}

/* One container of GET /containers/json, as dockerd 20.10 writes it. */
static void
gen_container(struct buf *b, int i)
{
	put(b, "{\"Id\":\"%08x%056d\",\"Names\":[\"/proj_service%d_1\"],"
	    "\"Image\":\"registry.example.com/team/service%d:1.%d.0\","
	    "\"ImageID\":\"sha256:%064d\",\"Command\":\"/docker-entrypoint.sh "
	    "nginx -g 'daemon off;'\",\"Created\":%d,\"Ports\":[{\"IP\":"
	    "\"0.0.0.0\",\"PrivatePort\":80,\"PublicPort\":%d,\"Type\":\"tcp\"},"
	    "{\"IP\":\"::\",\"PrivatePort\":80,\"PublicPort\":%d,\"Type\":"
	    "\"tcp\"}],\"Labels\":{\"com.docker.compose.config-hash\":"
	    "\"%064d\",\"com.docker.compose.container-number\":\"1\","
	    "\"com.docker.compose.oneoff\":\"False\","
	    "\"com.docker.compose.project\":\"proj\","
	    "\"com.docker.compose.project.config_files\":"
	    "\"/srv/proj/docker-compose.yml\","
	    "\"com.docker.compose.project.working_dir\":\"/srv/proj\","
	    "\"com.docker.compose.service\":\"service%d\","
	    "\"com.docker.compose.version\":\"1.29.2\"%s},"
	    "\"State\":\"running\",\"Status\":\"Up 3 days (healthy)\","
	    "\"HostConfig\":{\"NetworkMode\":\"proj_default\"},"
	    "\"NetworkSettings\":{\"Networks\":{\"proj_default\":{"
	    "\"IPAMConfig\":null,\"Links\":null,\"Aliases\":null,"
	    "\"NetworkID\":\"%064d\",\"EndpointID\":\"%064d\","
	    "\"Gateway\":\"172.18.0.1\",\"IPAddress\":\"172.18.%d.%d\","
	    "\"IPPrefixLen\":16,\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\","
	    "\"GlobalIPv6PrefixLen\":0,\"MacAddress\":\"02:42:ac:12:%02x:%02x\","
	    "\"DriverOpts\":{\"com.example.vlan\":\"%d\"}}}},"
	    "\"Mounts\":[{\"Type\":\"volume\",\"Name\":\"proj_data%d\","
	    "\"Source\":\"/var/lib/docker/volumes/proj_data%d/_data\","
	    "\"Destination\":\"/data\",\"Driver\":\"local\",\"Mode\":\"rw\","
	    "\"RW\":true,\"Propagation\":\"\"}]}",
	    (unsigned)i * 2654435761u, i, i, i, i % 10, i, 1700000000 + i,
	    8000 + i, 8000 + i, i, i,
	    i % 2 ? ",\"sockward.visible\":\"yes\"" : "", i, i,
	    i / 250, i % 250, i / 256, i % 256, i, i, i);
}

static void
gen_list(struct buf *b)
{
	int	i;

	put(b, "[");
	for (i = 0; i < 200; i++) {
		if (i > 0)
			put(b, ",");
		gen_container(b, i);
	}
	put(b, "]\n");
}

static void
gen_inspect(struct buf *b)
{
	int	i;

	put(b, "{\"Id\":\"%064d\",\"Created\":\"2024-03-04T10:00:00.123456789Z\","
	    "\"Path\":\"/docker-entrypoint.sh\",\"Args\":[\"nginx\",\"-g\","
	    "\"daemon off;\"],\"State\":{\"Status\":\"running\",\"Running\":true,"
	    "\"Paused\":false,\"Restarting\":false,\"OOMKilled\":false,"
	    "\"Dead\":false,\"Pid\":4242,\"ExitCode\":0,\"Error\":\"\","
	    "\"StartedAt\":\"2024-03-04T10:00:01.5Z\",\"FinishedAt\":"
	    "\"0001-01-01T00:00:00Z\"},\"Image\":\"sha256:%064d\","
	    "\"ResolvConfPath\":\"/var/lib/docker/containers/x/resolv.conf\","
	    "\"HostnamePath\":\"/var/lib/docker/containers/x/hostname\","
	    "\"Name\":\"/proj_web_1\",\"RestartCount\":0,\"Driver\":\"overlay2\","
	    "\"Platform\":\"linux\",\"HostConfig\":{\"Binds\":null,"
	    "\"NetworkMode\":\"proj_default\",\"RestartPolicy\":{\"Name\":"
	    "\"unless-stopped\",\"MaximumRetryCount\":0},\"Mounts\":[{\"Type\":"
	    "\"volume\",\"Source\":\"proj_data\",\"Target\":\"/data\","
	    "\"VolumeOptions\":{\"DriverConfig\":{\"Name\":\"local\",\"Options\":"
	    "{\"type\":\"nfs\",\"o\":\"addr=10.0.0.1,rw\"}}}}]},"
	    "\"GraphDriver\":{\"Data\":{\"LowerDir\":\"/var/lib/docker/overlay2/"
	    "%064d/diff\",\"MergedDir\":\"/var/lib/docker/overlay2/%064d/merged\""
	    "},\"Name\":\"overlay2\"},\"Config\":{\"Hostname\":\"web\","
	    "\"Domainname\":\"\",\"User\":\"\",\"Tty\":false,\"Env\":[",
	    1, 2, 3, 4);
	for (i = 0; i < 40; i++)
		put(b, "%s\"APP_SETTING_%d=value-%d-with-some-length/and/a/path\"",
		    i ? "," : "", i, i);
	put(b, "],\"Cmd\":[\"nginx\",\"-g\",\"daemon off;\"],\"Image\":"
	    "\"nginx:1.25\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":"
	    "[\"/docker-entrypoint.sh\"],\"Labels\":{\"com.docker.compose."
	    "project\":\"proj\",\"com.docker.compose.service\":\"web\"}},"
	    "\"NetworkSettings\":{\"Bridge\":\"\",\"SandboxID\":\"%064d\","
	    "\"Ports\":{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":"
	    "\"8080\"}]},\"Networks\":{\"proj_default\":{\"IPAMConfig\":null,"
	    "\"Aliases\":[\"web\",\"abc\"],\"NetworkID\":\"%064d\","
	    "\"EndpointID\":\"%064d\",\"Gateway\":\"172.18.0.1\",\"IPAddress\":"
	    "\"172.18.0.2\",\"IPPrefixLen\":16,\"MacAddress\":"
	    "\"02:42:ac:12:00:02\",\"DriverOpts\":null}}}}\n", 5, 6, 7);
}

static void
gen_events(struct buf *b)
{
	int	i;

	for (i = 0; i < 1000; i++)
		put(b, "{\"status\":\"health_status: healthy\",\"id\":\"%064d\","
		    "\"from\":\"nginx:1.25\",\"Type\":\"container\",\"Action\":"
		    "\"health_status: healthy\",\"Actor\":{\"ID\":\"%064d\","
		    "\"Attributes\":{\"com.docker.compose.project\":\"proj\","
		    "\"com.docker.compose.service\":\"web%d\",\"image\":"
		    "\"nginx:1.25\",\"name\":\"proj_web%d_1\"%s}},\"scope\":"
		    "\"local\",\"time\":%d,\"timeNano\":%d000000000}\n",
		    i, i, i, i, i % 2 ? ",\"sockward.visible\":\"yes\"" : "",
		    1700000000 + i, 1700000000 + i);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int
keep_labels(void *arg, const struct jrw_elem *e)
{
	(void)arg;
	return e->label_match;
}

/* Rewrite payload n times; -1 when refused.  out is reused. */
static int
rewrite_n(const struct jrw_plan *plan, const struct buf *in, long n,
    struct jrw_out *out)
{
	struct jrw	w;
	long		i;

	for (i = 0; i < n; i++) {
		out->len = 0;
		jrw_init(&w, plan, keep_labels, NULL, 1 << 20);
		if (jrw_feed(&w, in->p, in->len, out) == -1 ||
		    jrw_finish(&w) == -1) {
			fprintf(stderr, "jrwbench: %s\n", w.err);
			jrw_free(&w);
			return -1;
		}
		jrw_free(&w);
	}
	return 0;
}

static int
cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
bench(const char *name, const struct jrw_plan *plan, const struct buf *in,
    int batches)
{
	struct jrw_out	out = { NULL, 0, 0 };
	double		mbs[MAX_BATCHES];
	long		n = 1;
	uint64_t	t0, dt;
	int		i;

	/* Size a batch to about BATCH_NS. */
	for (;;) {
		t0 = now_ns();
		if (rewrite_n(plan, in, n, &out) == -1)
			return -1;
		if ((dt = now_ns() - t0) >= BATCH_NS / 4)
			break;
		n *= 2;
	}
	n = (long)((double)n * BATCH_NS / (double)dt) + 1;
	for (i = 0; i < batches; i++) {
		t0 = now_ns();
		if (rewrite_n(plan, in, n, &out) == -1)
			return -1;
		dt = now_ns() - t0;
		mbs[i] = (double)in->len * (double)n / ((double)dt / 1e9) / 1e6;
	}
	qsort(mbs, (size_t)batches, sizeof(mbs[0]), cmp_dbl);
	printf("%-8s in=%zu out=%zu best_MBps=%.0f median_MBps=%.0f\n", name,
	    in->len, out.len, mbs[batches - 1], mbs[batches / 2]);
	free(out.data);
	return 0;
}

static void
add(struct jrw_plan *p, const char *path, unsigned fl, int cap)
{
	char	err[128];

	if (jrw_plan_add(p, path, fl, cap, err, sizeof(err)) == -1) {
		fprintf(stderr, "jrwbench: %s: %s\n", path, err);
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	static struct jrw_label vis;
	struct jrw_plan	lp, ip, ep;
	struct buf	list = { 0 }, insp = { 0 }, ev = { 0 };
	char		err[128];
	int		batches = 21;

	if (argc > 2 || (argc == 2 && ((batches = atoi(argv[1])) < 1 ||
	    batches > MAX_BATCHES))) {
		fprintf(stderr, "usage: jrwbench [BATCHES 1..%d]\n",
		    MAX_BATCHES);
		return 2;
	}
	if (jrw_label_parse("sockward.visible=yes", &vis, err,
	    sizeof(err)) == -1)
		return 1;
	jrw_plan_init(&lp);
	add(&lp, "*", JRW_N_SELECT, 0);
	add(&lp, "*.Labels", JRW_N_LABELS, 0);
	add(&lp, "*.NetworkSettings.Networks.*.DriverOpts", JRW_N_REDACT, 0);
	lp.label = &vis;
	lp.nlabels = 1;
	jrw_plan_init(&ip);
	add(&ip, "Config.Env", JRW_N_REDACT, 0);
	add(&ip, "HostConfig.Mounts.*.VolumeOptions.DriverConfig.Options",
	    JRW_N_REDACT, 0);
	add(&ip, "NetworkSettings.Networks.*.DriverOpts", JRW_N_REDACT, 0);
	jrw_plan_init(&ep);
	add(&ep, "", JRW_N_SELECT, 0);
	add(&ep, "Actor.Attributes", JRW_N_LABELS, 0);
	add(&ep, "Type", JRW_N_CAPTURE, 0);
	ep.label = &vis;
	ep.nlabels = 1;
	gen_list(&list);
	gen_inspect(&insp);
	gen_events(&ev);
	if (bench("list", &lp, &list, batches) == -1 ||
	    bench("inspect", &ip, &insp, batches) == -1 ||
	    bench("events", &ep, &ev, batches) == -1)
		return 1;
	free(list.p);
	free(insp.p);
	free(ev.p);
	return 0;
}
