#!/usr/bin/env python3
"""sockward benchmark driver: `make bench` / `make bench-quick`.

Runs every scenario against every contender side by side, in one run, and
prints ONE table (markdown) with a "targets" section.  `make bench` also
writes docs/BENCHMARKS.md and docs/benchmarks.svg; `make bench-quick`
writes them to a temporary directory.  Timings never decide the exit
status: it is non-zero only when a component failed to start or a scenario
could not run (loadgen crashed, proxy died, no successful response).

Contenders
  direct             the loadgen talks to the upstream socket itself
  null relay tcp     bench/nullrelay: forwards bytes, nothing else (the
  null relay unix    floor for any proxy on these cores), read/write on
                     TCP, splice(2) on unix: what sockward does on each
  socat              socat TCP-LISTEN:PORT,fork,reuseaddr,backlog=1024
                     UNIX-CONNECT:SOCK,
                     the plain relay people reach for (a process per
                     connection, no filtering)
  sockward tcp       ./sockward --listen tcp://127.0.0.1:PORT
  sockward unix      ./sockward --listen unix:///tmp/.../sw.sock
  haproxy tecnativa  haproxy -f bench/haproxy-tecnativa.cfg
  haproxy seed       haproxy -f bench/haproxy-seed.cfg

Body cell (issue 12): sockward tcp with --profile watchtower twice, the
body policy on (judged) and off (--body-policy off, unjudged), POST
/v1.41/containers/create carrying bench/create-4k.json to fakedockerd;
the two alternate over several rounds; `--only body` runs just that.

Issue 14's metrics cell (in the full run; `--only metrics` alone): GET
/v1.24/_ping at c=16 through sockward tcp with --metrics (scraped once a
second meanwhile) and without, alternating rounds on fakedockerd; the
ratio of the medians (target: with metrics >= 0.97 x without).

Issue 13's cells (`--only filter`, `--only events-rss`, `--only rewrite`):
GET of 200 containers through sockward filtered (readonly, a visible
label matching half) and unfiltered (--redact off), on fakedockerd and on
the real dockerd (200 containers created for the cell, removed after);
1000 filtered /events streams and sockward's RSS; `make jrwbench`.

Issue 14's TLS cell (`--only tls`): sockward's tls:// listener (TLS 1.3,
a client certificate required and admitted by CN; ECDSA P-256 and RSA
2048 server keys) against its tcp:// listener and against Debian's
stunnel4 terminating TLS in front of that tcp:// listener: handshakes per
second (new connection, handshake, /_ping, close) and /_ping keep-alive,
c=16, with the CPU each side spent; RSS of 1000 idle connections.  The
load generator speaks TLS with wolfSSL (bench/loadgen.c, tls://).

CPU pinning (2-core machine): the load generator runs on CPU 0, the
server side (proxy and fake upstream) on CPU 1, so every column has one
cross-core hop, client to server side.  BENCH_FAKE_CPU=0 puts the fake
upstream on the load generator's core instead.  The real dockerd is a
system service and is not pinned.
"""

import argparse
import datetime
import http.client
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
TOOLS = os.path.join(ROOT, "build", "bench")
LOADGEN = os.path.join(TOOLS, "loadgen")
FAKED = os.path.join(TOOLS, "fakedockerd")
NULLRELAY = os.path.join(TOOLS, "nullrelay")
JUDGEBENCH = os.path.join(TOOLS, "judgebench")
SOCKWARD = os.path.join(ROOT, "sockward")
SOCKWARD_STATIC = os.path.join(ROOT, "sockward-static")
REAL_SOCK = "/var/run/docker.sock"
CPU_LOAD, CPU_PROXY = "0", "1"
# The fake upstream shares the proxy's core by default (see the doc).
CPU_FAKE = os.environ.get("BENCH_FAKE_CPU", CPU_PROXY)
CLK_TCK = os.sysconf("SC_CLK_TCK")

# One loadgen is one client to sockward: its per-client and total caps
# (256 connections, 128 streams, 1024 streams) would refuse the 1000
# /events streams of the full run, so they are lifted; what is measured
# is the relay, not the caps.
SW_CAPS = ["--client-conns", "0", "--client-streams", "0", "--streams", "0"]
SW_ARGS = ["--profile", "traefik",
           "--allow", "GET /containers/{id}/export",
           "--allow", "POST /containers/{id}/attach"] + SW_CAPS
TEC_ENV = {"LOG_LEVEL": "info", "CONTAINERS": "1", "POST": "1",
           "EVENTS": "1", "PING": "1", "VERSION": "1"}

CONTENDERS = ["direct", "floor-tcp", "floor-unix", "socat", "sockward-tcp",
              "sockward-unix", "haproxy-tecnativa", "haproxy-seed"]
# Not proxies: the limits the proxies are measured against (socat is a
# plain relay too: nothing to deny).
LIMITS = ("direct", "floor-tcp", "floor-unix", "socat")
PROXIES = [c for c in CONTENDERS if c not in LIMITS]
# Each sockward listener against the null relay on the same transport.
FLOOR_OF = {"sockward-tcp": "floor-tcp", "sockward-unix": "floor-unix"}
TITLES = {"direct": "direct", "floor-tcp": "null relay tcp",
          "floor-unix": "null relay unix", "sockward-tcp": "sockward tcp",
          "sockward-unix": "sockward unix", "socat": "socat",
          "haproxy-tecnativa": "haproxy Tecnativa",
          "haproxy-seed": "haproxy seed"}

P_SMALL = "/v1.24/_ping"
P_MEDIUM = "/v1.24/containers/json"
P_LARGE = "/v1.24/containers/json?all=1"
P_DENY = "/v1.24/secrets"
P_EXPORT = "/v1.24/containers/bench/export"
P_ATTACH = "/v1.24/containers/bench/attach?stream=1&stdin=1&stdout=1"
P_EVENTS = "/v1.24/events"
# Issue 10's real-dockerd cell: REAL_N running containers (labelled,
# removed after), GET REAL_PATH keep-alive c=8, medians of 3 runs made
# round-robin across the contenders.
REAL_PATH = "/v1.41/containers/json"
REAL_N = 20
REAL_ROUNDS = 3
REAL_LABEL = "org.sockward.bench"
REAL_IMAGE = "sockward-bench/testbox:local"

# Issue 12's body cell: a compose-like create body (bench/create-4k.json,
# ~4 KB, allowed by the built-in policy) POSTed to sockward tcp with the
# body judged and with it forwarded unjudged; BODY_ROUNDS rounds, each
# measuring both at c=1 (latency) and c=BODY_CONNS (throughput), in an
# order that alternates from round to round.
BODY_FILE = os.path.join(BENCH, "create-4k.json")
BODY_PATH = "/v1.41/containers/create"
BODY_CONNS = 4
BODY_ROUNDS = 5
BODY_DURATION = 2.0
BODY_TARGET_US = 20.0
BODY_CONFIGS = (("judged", ["--profile", "watchtower"]),
                ("unjudged", ["--profile", "watchtower",
                              "--body-policy", "off"]))

# Issue 13's cells (--only filter, events-rss, rewrite).  filter: GET
# FILTER_PATH (200 containers: fakedockerd's list for limit=200, or on the
# real dockerd the 200 created for the cell, half labelled FILTER_LABEL=1)
# through sockward tcp filtered (readonly, visible label: the unlabelled
# half dropped, endpoint DriverOpts redacted) and unfiltered (readonly,
# --redact off: no rewriting); FILTER_ROUNDS alternating rounds at
# c=FILTER_CONNS; target filtered >= FILTER_TARGET x unfiltered req/s.
# events-rss: EVENTS_RSS_STREAMS filtered /events streams at once,
# sockward's RSS <= EVENTS_RSS_TARGET_KB.  rewrite: `make jrwbench`.
FILTER_PATH = "/v1.41/containers/json?all=1&limit=200"
FILTER_N = 200
FILTER_LABEL = "org.sockward.bench.visible"
FILTER_MARK = "org.sockward.bench.filter"
FILTER_CONNS = 8
FILTER_ROUNDS = 5
FILTER_DURATION = 2.0
FILTER_TARGET = 0.9
FILTER_CONFIGS = (("filtered", ["--profile", "readonly", "--visible-label",
                                FILTER_LABEL + "=1"]),
                  ("unfiltered", ["--profile", "readonly", "--redact",
                                  "off"]))
EVENTS_RSS_STREAMS = 1000
EVENTS_RSS_EVENTS = 10
EVENTS_RSS_TARGET_KB = 16 * 1024

# Issue 14's TLS cell (--only tls): TLS_ROUNDS rounds of TLS_DURATION s,
# c=TLS_CONNS, every client with a certificate whose CN is TLS_CN (the
# listeners admit only that CN); TLS_IDLE idle connections for the RSS.
TLS_CONNS = 16
TLS_ROUNDS = 3
TLS_DURATION = 3.0
TLS_IDLE = 1000
TLS_CN = "bench"

# Issue 14's cell (--only metrics): P_SMALL at c=METRICS_CONNS through
# sockward tcp with --metrics (a scrape every METRICS_SCRAPE_S meanwhile,
# fifteen times Prometheus's default rate) and without, both started at
# once, METRICS_ROUNDS rounds in an order that alternates; target: the
# median req/s with metrics >= METRICS_TARGET x without.
METRICS_CONNS = 16
METRICS_ROUNDS = 6
METRICS_DURATION = 3.0
METRICS_SCRAPE_S = 1.0
METRICS_TARGET = 0.97

# What each policy forbids among the benchmarked calls (skipped, shown as
# "403 by policy"): the seed allows only seven GET /v1.24 paths.
DENIED = {"haproxy-seed": {P_SMALL, P_EXPORT, P_ATTACH, REAL_PATH}}

failures = []
procs = []


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- helpers

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def can_connect(addr):
    try:
        if addr.startswith("unix://"):
            s = socket.socket(socket.AF_UNIX)
            s.settimeout(0.5)
            s.connect(addr[7:])
        else:
            host, port = addr[6:].rsplit(":", 1)
            s = socket.create_connection((host, int(port)), timeout=0.5)
        s.close()
        return True
    except OSError:
        return False


def start(argv, env=None, cpu=CPU_PROXY, addr=None, name=""):
    """Start a server process pinned to cpu, output to /dev/null."""
    full = (["taskset", "-c", cpu] if cpu is not None else []) + argv
    p = subprocess.Popen(full, env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    procs.append(p)
    deadline = time.time() + 10
    while addr is not None and not can_connect(addr):
        if p.poll() is not None or time.time() > deadline:
            stop(p)
            raise RuntimeError("%s did not start (exit %s): %s"
                               % (name, p.returncode, " ".join(full)))
        time.sleep(0.02)
    return p


def stop(p):
    if p is None or p.poll() is not None:
        return
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def proc_pss(pid):
    """Proportional set size in KB: shared library pages divided among the
    processes that map them (libc.so is most of a small process's RSS)."""
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def proc_status(pid, key):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def proc_cpu(pid):
    """utime+stime of pid (all threads) in seconds, plus, for a forking
    server (socat), its reaped children (cutime+cstime) and its live
    session members: start() gives every server a session of its own."""
    total = 0
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total = sum(int(x) for x in fields[11:15])
    except OSError:
        return None
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == pid:
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == pid:      # session id
            total += int(fields[11]) + int(fields[12])
    return total / CLK_TCK


def bench_tmp():
    """A new temporary directory for a run's sockets, mode 0711: sockward
    started as root drops to another uid (65534 by default) and keeps the
    upstream socket's group, so it must be able to reach the sockets."""
    tmp = tempfile.mkdtemp(prefix="sockward-bench.")
    os.chmod(tmp, 0o711)
    return tmp


def start_fake(sock, *extra):
    """bench/fakedockerd on unix socket sock (pinned to CPU_FAKE), started
    and answering; raises RuntimeError when it does not start."""
    return start([FAKED, sock] + list(extra), cpu=CPU_FAKE,
                 addr="unix://" + sock, name="fakedockerd")


def loadgen(addr, mode="rps", paths=(P_SMALL,), conns=1, duration=1.0,
            warmup=0.2, extra=(), timeout=None):
    argv = ["taskset", "-c", CPU_LOAD, LOADGEN, "--connect", addr,
            "--mode", mode, "-c", str(conns), "--duration", str(duration),
            "--warmup", str(warmup)]
    for p in paths:
        argv += ["--path", p]
    argv += list(extra)
    try:
        r = subprocess.run(argv, capture_output=True, text=True,
                           timeout=timeout or duration + warmup + 90)
    except subprocess.TimeoutExpired:
        return {"error": "loadgen timed out"}
    out = {}
    for tok in r.stdout.split():
        if "=" in tok:
            k, v = tok.split("=", 1)
            try:
                out[k] = float(v)
            except ValueError:
                out[k] = v
    if r.returncode != 0 and "errors" not in out:
        out["error"] = "loadgen exit %d: %s" % (r.returncode,
                                                r.stderr.strip()[-200:])
    out["_argv"] = " ".join(argv)
    return out


def fmt_int(v):
    return "{:,}".format(int(round(v)))


def fmt_us(v):
    if v >= 10000:
        return "{:,.0f}".format(v)
    if v >= 100:
        return "%.0f" % v
    return "%.1f" % v


def fmt_kb(kb):
    if kb is None:
        return "n/a"
    if kb >= 10240:
        return "%.1f MB" % (kb / 1024)
    return "{:,} KB".format(kb)


def fmt_bytes(b):
    if b >= 1 << 20:
        return "%.2f MB" % (b / (1 << 20))
    return "{:,} B".format(b)


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True,
                              text=True, timeout=30).stdout.strip()
    except Exception:
        return ""


# ---------------------------------------------------------------- run

class Run:
    def __init__(self, quick, tmp):
        self.quick = quick
        self.tmp = tmp
        q = quick
        self.dur = 0.7 if q else 5.0
        self.warm = 0.1 if q else 0.5
        self.stream_dur = 1.0 if q else 5.0
        self.hijack_dur = 1.0 if q else 5.0
        self.nstreams = 100 if q else 1000
        self.nevents = 5 if q else 20
        self.soak_dur = 5.0 if q else 60.0
        self.res = {}      # (contender, scenario) -> loadgen dict
        self.cost = {c: {} for c in CONTENDERS}
        self.soak = None
        self.fake_sock = os.path.join(tmp, "fakedockerd.sock")
        self.fake = None
        self.real_ncont = None
        self.body = None        # body_cell's result
        self.body_rounds = 2 if q else BODY_ROUNDS
        self.body_dur = 0.5 if q else BODY_DURATION
        self.filter = []        # issue 13: [(upstream, filter_cell)]
        self.filter_rounds = 2 if q else FILTER_ROUNDS
        self.filter_dur = 0.5 if q else FILTER_DURATION
        self.events_rss = None
        self.rewrite = None     # (lines, error)
        self.tls = None         # issue 14: tls_cell's result
        self.tls_err = None
        self.tls_rounds = 1 if q else TLS_ROUNDS
        self.tls_dur = 0.5 if q else TLS_DURATION
        self.tls_idle = 100 if q else TLS_IDLE
        self.metrics = None     # issue 14: metrics_cell's result
        self.metrics_err = None
        self.metrics_rounds = 2 if q else METRICS_ROUNDS
        self.metrics_dur = 0.5 if q else METRICS_DURATION

    # -- contenders
    def start_contender(self, name, upstream):
        """Returns (process or None, client address)."""
        if name == "direct":
            return None, "unix://" + upstream
        if name.startswith("floor"):
            if name == "floor-tcp":
                addr = "tcp://127.0.0.1:%d" % free_port()
                mode = "--copy"     # splice into TCP measured slower
            else:
                addr = "unix://" + os.path.join(self.tmp, "nullrelay.sock")
                mode = "--splice"
            p = start([NULLRELAY, "--listen", addr, "--upstream", upstream,
                       mode], addr=addr, name=name)
            return p, addr
        if name in ("socat", "socat-nodelay"):
            port = free_port()
            addr = "tcp://127.0.0.1:%d" % port
            # backlog: socat listens with 5, and from c=16 on dropped SYNs
            # (retried after 1 s) would be all a cell measures.
            p = start(["socat", "TCP-LISTEN:%d,fork,reuseaddr,backlog=1024,"
                       "bind=127.0.0.1%s" % (port, ",nodelay" if
                                             name == "socat-nodelay" else ""),
                       "UNIX-CONNECT:" + upstream], addr=addr, name=name)
            return p, addr
        if name.startswith("sockward"):
            if name == "sockward-tcp":
                addr = "tcp://127.0.0.1:%d" % free_port()
            else:
                addr = "unix://" + os.path.join(self.tmp, "sockward.sock")
            p = start([getattr(self, "sockward_bin", SOCKWARD), "--listen",
                       addr, "--upstream", upstream] + SW_ARGS, addr=addr,
                      name=name)
            return p, addr
        port = free_port()
        addr = "tcp://127.0.0.1:%d" % port
        env = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/bin"),
               "BENCH_BIND": "127.0.0.1:%d" % port,
               "BENCH_UPSTREAM": upstream}
        if name == "haproxy-tecnativa":
            env.update(TEC_ENV)
        cfg = os.path.join(BENCH, name + ".cfg")
        p = start(["haproxy", "-db", "-f", cfg], env=env, addr=addr,
                  name=name)
        return p, addr

    def record(self, cont, scen, r, expect="2xx"):
        ok = r.get(expect, 0) if expect in ("s2xx", "s4xx") else 1
        if "error" in r:
            failures.append("%s / %s: %s" % (cont, scen, r["error"]))
        elif r.get("mode") == "rps" and not ok:
            failures.append("%s / %s: no %s response" % (cont, scen, expect))
            r["error"] = "no %s response" % expect
        self.res[(cont, scen)] = r

    def rps(self, cont, addr, proc, scen, path, conns, expect="s2xx"):
        if path in DENIED.get(cont, ()):
            self.res[(cont, scen)] = {"denied": True}
            return
        c0 = proc_cpu(proc.pid) if proc else None
        r = loadgen(addr, paths=[path], conns=conns, duration=self.dur,
                    warmup=self.warm)
        if proc is not None and c0 is not None:
            c1 = proc_cpu(proc.pid)
            total = sum(r.get(k, 0) for k in
                        ("s1xx", "s2xx", "s3xx", "s4xx", "s5xx"))
            if c1 is not None and total:
                r["cpu_per_10k"] = (c1 - c0) / total * 10000
        if expect == "s2xx" and r.get("s4xx", 0) and not r.get("s2xx", 0):
            r["error"] = "answered 4xx"
        self.record(cont, scen, r, expect)

    def fake_scenarios(self, cont):
        log("== %s, fake upstream" % cont)
        proc, addr = self.start_contender(cont, self.fake_sock)
        try:
            if proc is not None:
                time.sleep(0.3)
                self.cost[cont]["rss_idle"] = proc_status(proc.pid, "VmRSS")
                self.cost[cont]["pss_idle"] = proc_pss(proc.pid)
            for size, path in (("small", P_SMALL), ("medium", P_MEDIUM),
                               ("large", P_LARGE)):
                for c in (1, 16, 256):
                    self.rps(cont, addr, proc, "%s c=%d" % (size, c), path, c)
            if cont not in LIMITS:
                self.rps(cont, addr, proc, "deny c=16", P_DENY, 16,
                         expect="s4xx")
            # 100 MB streamed response(s), one at a time.
            if P_EXPORT in DENIED.get(cont, ()):
                self.res[(cont, "stream")] = {"denied": True}
            else:
                r = loadgen(addr, paths=[P_EXPORT], conns=1,
                            duration=self.stream_dur, warmup=0)
                self.record(cont, "stream", r, "s2xx")
            # attach-like hijack: 101, then echo
            if P_ATTACH in DENIED.get(cont, ()):
                self.res[(cont, "hijack")] = {"denied": True}
            else:
                r = loadgen(addr, mode="hijack", paths=[P_ATTACH],
                            duration=self.hijack_dur)
                self.record(cont, "hijack", r)
            # N open /events streams, events pushed through them
            extra = ["--events", str(self.nevents), "--interval-ms", "50",
                     "--trigger-pid", str(self.fake.pid)]
            if proc is not None and cont != "socat":
                # socat forks a process per stream: one pid's RSS says
                # nothing about it.
                extra += ["--rss-pid", str(proc.pid)]
            r = loadgen(addr, mode="events", paths=[P_EVENTS],
                        conns=self.nstreams, extra=extra)
            if r.get("delivered", 0) == 0 and "error" not in r:
                r["error"] = "no event delivered"
            self.record(cont, "events", r)
            if proc is not None:
                if cont != "socat":
                    self.cost[cont]["rss_streams"] = r.get("rss_open_kb")
                if cont == "sockward-tcp":
                    self.soak_run(proc, addr)
                if cont != "socat":
                    self.cost[cont]["rss_peak"] = proc_status(proc.pid,
                                                              "VmHWM")
                if proc.poll() is not None:
                    failures.append("%s exited during the run (status %s)"
                                    % (cont, proc.returncode))
        finally:
            stop(proc)

    def soak_run(self, proc, addr):
        """Constant mixed load; RSS sampled every 0.25 s."""
        log("== sockward-tcp, %.0f s constant load (RSS growth)"
            % self.soak_dur)
        argv = ["taskset", "-c", CPU_LOAD, LOADGEN, "--connect", addr,
                "-c", "16", "--duration", str(self.soak_dur), "--warmup", "0",
                "--path", P_SMALL, "--path", P_MEDIUM, "--path", P_LARGE,
                "--path", P_DENY]
        lg = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        samples = []
        t0 = time.time()
        while lg.poll() is None:
            samples.append((time.time() - t0, proc_status(proc.pid, "VmRSS")))
            time.sleep(0.25)
        out = lg.stdout.read()
        rq = re.search(r"requests=(\d+)", out)
        samples = [s for s in samples if s[1] is not None]
        # baseline: first sample after 20 % of the run; end: the largest
        # sample in the last 20 %.
        base = [s[1] for s in samples if s[0] >= 0.2 * self.soak_dur]
        tail = [s[1] for s in samples if s[0] >= 0.8 * self.soak_dur]
        if lg.returncode != 0 or not base or not tail:
            failures.append("soak run failed: %s" % out.strip()[-200:])
            return
        self.soak = {"base": base[0], "end": max(tail),
                     "growth": max(tail) - base[0],
                     "requests": int(rq.group(1)) if rq else 0,
                     "min": min(s[1] for s in samples),
                     "max": max(s[1] for s in samples)}

    def real_scenarios(self, cont):
        log("== %s, real dockerd" % cont)
        proc, addr = self.start_contender(cont, REAL_SOCK)
        try:
            for c in (1, 16):
                self.rps(cont, addr, proc, "real c=%d" % c, P_MEDIUM, c)
        finally:
            stop(proc)

    def real_cell(self):
        """Every contender started at once; REAL_ROUNDS rounds, each
        measuring every contender once in an order rotated by one from
        the round before; the run with the median req/s is kept, the
        others recorded beside it."""
        scen = "real c=8"
        started = {}
        try:
            for c in CONTENDERS:
                if REAL_PATH in DENIED.get(c, ()):
                    self.res[(c, scen)] = {"denied": True}
                    continue
                try:
                    started[c] = self.start_contender(c, REAL_SOCK)
                except RuntimeError as e:
                    failures.append(str(e))
            self.real_ncont = len(sh("docker ps -q").split())
            log("== real dockerd cell: %d running containers, %s c=8, "
                "%d interleaved rounds" % (self.real_ncont, REAL_PATH,
                                           REAL_ROUNDS))
            runs = {c: [] for c in started}
            names = list(started)
            for i in range(REAL_ROUNDS):
                for c in names[i % len(names):] + names[:i % len(names)]:
                    proc, addr = started[c]
                    self.rps(c, addr, proc, scen, REAL_PATH, 8)
                    runs[c].append(self.res[(c, scen)])
            for c, rs in runs.items():
                ok = sorted((r for r in rs if "error" not in r),
                            key=lambda r: r.get("rps", 0))
                if ok:
                    best = dict(ok[len(ok) // 2])
                    best["runs"] = [r.get("rps", 0) for r in rs
                                    if "error" not in r]
                    self.res[(c, scen)] = best
        finally:
            for proc, _ in started.values():
                stop(proc)

    def body_cell(self):
        """Issue 12's cell: sockward tcp judging the create body and
        forwarding it unjudged, both started at once against the fake
        upstream (which must be running); self.body_rounds rounds, each
        running both configurations at c=1 and c=BODY_CONNS, the order
        swapped every round.  Sets self.body: per configuration the
        loadgen results of every round (with CPU per request), the
        medians, and the callgrind instruction counts when valgrind is
        there."""
        started = {}
        res = {name: {1: [], BODY_CONNS: []} for name, _ in BODY_CONFIGS}
        bad = os.path.join(self.tmp, "create-privileged.json")
        with open(BODY_FILE) as f:
            body = f.read()
        with open(bad, "w") as f:
            f.write(body.replace('"Privileged":false', '"Privileged":true'))
        try:
            for name, args in BODY_CONFIGS:
                addr = "tcp://127.0.0.1:%d" % free_port()
                p = start([SOCKWARD, "--listen", addr, "--upstream",
                           self.fake_sock] + args, addr=addr,
                          name="sockward " + name)
                started[name] = (p, addr)
            # The judged instance must refuse a privileged body and the
            # unjudged one forward it, or the cell measures nothing.
            for name, want in (("judged", "s4xx"), ("unjudged", "s2xx")):
                r = loadgen(started[name][1], paths=[BODY_PATH],
                            duration=0, warmup=0,
                            extra=["--method", "POST", "--requests", "1",
                                   "--body", bad])
                if not r.get(want):
                    failures.append("body cell: sockward %s answered a "
                                    "privileged create body with %s" %
                                    (name, "2xx" if want == "s4xx" else
                                     "no 2xx"))
                    return
            log("== body cell: sockward tcp judged / unjudged, POST %s "
                "with %s (%s B), c=1 and c=%d, %d rounds x %.1f s"
                % (BODY_PATH, os.path.basename(BODY_FILE),
                   fmt_int(len(body)), BODY_CONNS, self.body_rounds,
                   self.body_dur))
            names = [n for n, _ in BODY_CONFIGS]
            for i in range(self.body_rounds):
                for name in names[i % 2:] + names[:i % 2]:
                    proc, addr = started[name]
                    for c in (1, BODY_CONNS):
                        c0 = proc_cpu(proc.pid)
                        r = loadgen(addr, paths=[BODY_PATH], conns=c,
                                    duration=self.body_dur,
                                    warmup=self.warm,
                                    extra=["--method", "POST", "--body",
                                           BODY_FILE])
                        total = sum(r.get(k, 0) for k in
                                    ("s1xx", "s2xx", "s3xx", "s4xx",
                                     "s5xx"))
                        c1 = proc_cpu(proc.pid)
                        if c0 is not None and c1 is not None and total:
                            r["cpu_us"] = (c1 - c0) / total * 1e6
                        if "error" not in r and (not r.get("s2xx") or
                                                 r.get("s4xx")):
                            r["error"] = "not every create answered 2xx"
                        if "error" in r:
                            failures.append("body cell %s c=%d: %s"
                                            % (name, c, r["error"]))
                            continue
                        res[name][c].append(r)
                        log("  round %d %-8s c=%-2d %8.0f req/s  p50 %6.1f "
                            "us  p99 %7.1f us%s"
                            % (i + 1, name, c, r["rps"], r["p50_us"],
                               r["p99_us"], "  cpu %.1f us/req"
                               % r["cpu_us"] if "cpu_us" in r else ""))
                if proc.poll() is not None:
                    failures.append("sockward %s exited during the body "
                                    "cell (status %s)" % (name,
                                                          proc.returncode))
                    return
        finally:
            for proc, _ in started.values():
                stop(proc)
        out = {"bytes": len(body), "rounds": self.body_rounds}
        for name in res:
            lat, thr = res[name][1], res[name][BODY_CONNS]
            if not lat or not thr:
                return
            cpu = [r["cpu_us"] for r in lat + thr if "cpu_us" in r]
            out[name] = {
                "p50": median([r["p50_us"] for r in lat]),
                "p99": median([r["p99_us"] for r in lat]),
                "rps1": median([r["rps"] for r in lat]),
                "rps": median([r["rps"] for r in thr]),
                "p50_c": median([r["p50_us"] for r in thr]),
                "p99_c": median([r["p99_us"] for r in thr]),
                "runs_p50": [r["p50_us"] for r in lat],
                "runs_rps": [r["rps"] for r in thr],
                "cpu_us": median(cpu) if cpu else None}
        out["added"] = out["judged"]["p50"] - out["unjudged"]["p50"]
        # The same, round by round (both ran back to back in each round,
        # so a slow stretch of the machine hits both): a check on the
        # figure above, not a second target.
        out["paired"] = median([j - u for j, u in zip(
            out["judged"]["runs_p50"], out["unjudged"]["runs_p50"])])
        out["ir"] = body_instructions(self.fake_sock, self.tmp, self.quick)
        out["alone"] = judge_alone(self.quick)
        self.body = out

    def idle_static(self):
        if not os.path.exists(SOCKWARD_STATIC):
            return None
        addr = "tcp://127.0.0.1:%d" % free_port()
        p = start([SOCKWARD_STATIC, "--listen", addr, "--upstream",
                   self.fake_sock] + SW_ARGS, addr=addr,
                  name="sockward-static")
        try:
            time.sleep(0.3)
            return proc_status(p.pid, "VmRSS")
        finally:
            stop(p)

    def go(self):
        self.fake = start_fake(self.fake_sock)
        try:
            for c in CONTENDERS:
                try:
                    self.fake_scenarios(c)
                except RuntimeError as e:
                    failures.append(str(e))
            try:
                self.body_cell()
            except RuntimeError as e:
                failures.append("body cell: %s" % e)
            try:
                self.filter.append(("fakedockerd", filter_cell(
                    self.fake_sock, self.filter_rounds, self.filter_dur,
                    self.warm, self.tmp)))
            except RuntimeError as e:
                failures.append("filter cell, fake upstream: %s" % e)
            try:
                self.tls = tls_cell(self.fake_sock, self.tls_rounds,
                                    self.tls_dur, self.warm, self.tls_idle,
                                    self.tmp)
            except (RuntimeError, OSError) as e:
                self.tls_err = str(e)
                failures.append("TLS cell: %s" % e)
            try:
                self.metrics = metrics_cell(
                    self.fake_sock, self.tmp, self.metrics_rounds,
                    self.metrics_dur, self.warm, METRICS_CONNS)
            except RuntimeError as e:
                self.metrics_err = str(e)
                failures.append(str(e))
            self.static_idle = self.idle_static()
        finally:
            stop(self.fake)
        try:
            self.events_rss = events_rss_cell(
                self.tmp, self.nstreams, 3 if self.quick else
                EVENTS_RSS_EVENTS)
        except RuntimeError as e:
            failures.append("events-rss cell: %s" % e)
        self.rewrite = rewrite_cell()
        if self.rewrite[1]:
            failures.append("rewrite cell: %s" % self.rewrite[1])
        self.real_ok = can_connect("unix://" + REAL_SOCK)
        if self.real_ok:
            for c in CONTENDERS:
                try:
                    self.real_scenarios(c)
                except RuntimeError as e:
                    failures.append(str(e))
            made = None
            try:
                made = real_containers(REAL_N)
                self.real_cell()
            except (RuntimeError, subprocess.CalledProcessError) as e:
                failures.append("real dockerd cell: %s" % e)
            finally:
                real_remove(made)
            made = None
            try:
                made = filter_containers(FILTER_N)
                self.filter.append(("real dockerd", filter_cell(
                    REAL_SOCK, self.filter_rounds, self.filter_dur,
                    self.warm, self.tmp)))
            except (RuntimeError, OSError,
                    subprocess.CalledProcessError) as e:
                failures.append("filter cell, real dockerd: %s" % e)
            finally:
                filter_remove(made)
        else:
            log("bench: no dockerd answers on %s: real-dockerd rows skipped"
                % REAL_SOCK)


# ---------------------------------------------------------------- real cell



def build_test_image():
    """Build REAL_IMAGE, FROM scratch with tests/fixtures/testbox.c
    (static, sleeping until SIGTERM)."""
    d = tempfile.mkdtemp(prefix="sockward-bench-img.")
    try:
        subprocess.run(["gcc", "-static", "-O2", "-o",
                        os.path.join(d, "testbox"),
                        os.path.join(ROOT, "tests", "fixtures", "testbox.c")],
                       check=True)
        shutil.copy(os.path.join(ROOT, "tests", "fixtures", "Dockerfile"), d)
        subprocess.run(["docker", "build", "-q", "-t", REAL_IMAGE, d],
                       check=True, stdout=subprocess.DEVNULL,
                       env=dict(os.environ, DOCKER_BUILDKIT="0"))
    finally:
        shutil.rmtree(d, ignore_errors=True)


def real_containers(n):
    """Make sure n labelled containers of the FROM-scratch test image run.
    Returns the ids of the ones created here."""
    have = sh("docker ps -q --filter label=%s=1" % REAL_LABEL).split()
    if len(have) >= n:
        return []
    build_test_image()
    runs = [subprocess.Popen(["docker", "run", "-d", "--label",
                              REAL_LABEL + "=1", REAL_IMAGE],
                             stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
            for _ in range(n - len(have))]
    made = [p.communicate()[0].strip() for p in runs]
    if any(p.returncode != 0 for p in runs):
        real_remove([m for m in made if m])
        raise RuntimeError("docker run %s failed" % REAL_IMAGE)
    return made


def real_remove(ids):
    if ids:
        subprocess.run(["docker", "rm", "-f"] + ids,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def real_cell_main(a):
    """The issue's real-dockerd cell: GET /v1.41/containers/json from the
    real dockerd with a.containers running containers, keep-alive,
    c=a.conns, every contender pinned as in the full run, a.runs rounds
    run interleaved (each round measures every contender once, in an
    order rotated by one from the previous round); medians."""
    conts = a.contenders.split(",")
    for c in conts:
        # socat-nodelay (--only real): socat with TCP_NODELAY, to show
        # what Nagle's algorithm costs it.
        if (c not in CONTENDERS and c != "socat-nodelay" and
                not c.startswith("alt:")):
            log("bench: unknown contender %s" % c)
            return 1
    if not can_connect("unix://" + REAL_SOCK):
        log("bench: no dockerd answers on %s" % REAL_SOCK)
        return 1
    tmp = bench_tmp()
    made = real_containers(a.containers)
    run = Run(False, tmp)
    started = {}
    res = {c: [] for c in conts}
    try:
        for c in conts:
            if c.startswith("alt:"):
                # alt:PATH is sockward tcp from another binary (A/B runs).
                run.sockward_bin = c[4:]
                started[c] = run.start_contender("sockward-tcp", REAL_SOCK)
                del run.sockward_bin
            else:
                started[c] = run.start_contender(c, REAL_SOCK)
        ncont = len(sh("docker ps -q").split())
        log("bench: real cell, %d running containers, %s c=%d, %d x %.1f s"
            % (ncont, REAL_PATH, a.conns, a.runs, a.duration))
        for i in range(a.runs):
            order = conts[i % len(conts):] + conts[:i % len(conts)]
            for c in order:
                proc, addr = started[c]
                c0 = proc_cpu(proc.pid) if proc else None
                w0 = (proc_status(proc.pid, "voluntary_ctxt_switches")
                      if proc else None)
                r = loadgen(addr, paths=[REAL_PATH], conns=a.conns,
                            duration=a.duration, warmup=a.warmup)
                if "error" in r or not r.get("s2xx"):
                    failures.append("%s: %s" % (c, r.get("error", r)))
                    continue
                if c0 is not None:
                    r["cpu_per_10k"] = ((proc_cpu(proc.pid) - c0)
                                        / r["requests"] * 10000)
                if w0 is not None and not c.startswith("socat"):
                    # Sleeps in epoll_wait: each is a wakeup to pay for
                    # (socat's children are not counted: one per
                    # connection).
                    r["wake_per_req"] = ((proc_status(
                        proc.pid, "voluntary_ctxt_switches") - w0)
                        / r["requests"])
                res[c].append(r)
                log("  run %d %-14s %8.0f req/s  p50 %6.0f us  p99 %6.0f us"
                    "  %s B/resp%s" % (i + 1, c, r["rps"], r["p50_us"],
                    r["p99_us"], fmt_int(r.get("body_bytes", 0)
                                         / max(r["requests"], 1)),
                    ("  cpu %.2f s/10k" % r["cpu_per_10k"]
                     if "cpu_per_10k" in r else "")
                    + ("  %.2f wakeups/req" % r["wake_per_req"]
                       if "wake_per_req" in r else "")))
    finally:
        for proc, _ in started.values():
            stop(proc)
        if not a.keep:
            real_remove(made)
        elif made:
            log("bench: kept %d containers: docker rm -f $(docker ps -q "
                "--filter label=%s=1)" % (len(made), REAL_LABEL))
        shutil.rmtree(tmp, ignore_errors=True)
    print("| contender | req/s per run | median | spread | p50 / p99 µs "
          "(median run) | CPU s per 10k | wakeups per request |")
    print("|---|---|---|---|---|---|---|")
    med = {}
    for c in conts:
        xs = [r["rps"] for r in res[c]]
        if not xs:
            print("| %s | error | | | | | |" % c)
            continue
        med[c] = median(xs)
        mid = sorted(res[c], key=lambda r: r["rps"])[len(xs) // 2]
        cpu = [r["cpu_per_10k"] for r in res[c] if "cpu_per_10k" in r]
        wk = [r["wake_per_req"] for r in res[c] if "wake_per_req" in r]
        print("| %s | %s | %s | %.1f %% | %s / %s | %s | %s |"
              % (TITLES.get(c, c), " ".join(fmt_int(x) for x in xs),
                 fmt_int(med[c]), 100 * (max(xs) - min(xs)) / med[c],
                 fmt_us(mid["p50_us"]), fmt_us(mid["p99_us"]),
                 "%.2f" % median(cpu) if cpu else "—",
                 "%.2f" % median(wk) if wk else "—"))
    for c in conts:
        if not c.startswith("sockward") and not c.startswith("alt:"):
            continue
        for o in ("socat", "socat-nodelay", "floor-tcp", "direct"):
            if c in med and o in med:
                print("%s ÷ %s: %.2f×" % (TITLES.get(c, c), TITLES.get(o, o),
                                          med[c] / med[o]))
    if failures:
        for f in failures:
            log("  FAILED: " + f)
        return 1
    return 0


# ---------------------------------------------------------------- body cell

def callgrind_per_request(fake_sock, tmp, configs, path, extra, n1, n2):
    """Instructions sockward executes per request of path (loadgen extra
    arguments: the method, a body), for each (name, sockward arguments) of
    configs, counted by callgrind (None without valgrind): each
    configuration runs twice, with n1 and n2 requests, and the difference
    over n2 - n1 drops start-up and exit.  The sandbox is off (valgrind
    cannot run under seccomp) and sockward stays root (--user 0) so that
    callgrind can write its file; neither is on the request path."""
    vg = shutil.which("valgrind")
    if vg is None:
        return None
    out = {}
    for name, args in configs:
        ir = []
        for n in (n1, n2):
            addr = "tcp://127.0.0.1:%d" % free_port()
            cg = os.path.join(tmp, "callgrind.%s.%d" % (name, n))
            env = dict(os.environ, SOCKWARD_SANDBOX="0")
            try:
                p = start([vg, "--tool=callgrind", "--callgrind-out-file="
                           + cg, SOCKWARD, "--listen", addr, "--upstream",
                           fake_sock, "--user", "0"] + args, env=env,
                          addr=addr, name="sockward under callgrind")
            except RuntimeError as e:
                log("bench: %s" % e)
                return None
            r = loadgen(addr, paths=[path], duration=0, warmup=0,
                        extra=["--requests", str(n)] + list(extra))
            stop(p)
            tot = None
            try:
                with open(cg) as f:
                    for line in f:
                        if line.startswith("totals:"):
                            tot = int(line.split()[1])
            except OSError:
                pass
            if tot is None or r.get("s2xx") != n:
                log("bench: callgrind run %s n=%d failed: %s"
                    % (name, n, r.get("error", "no totals")))
                return None
            ir.append(tot)
        out[name] = (ir[1] - ir[0]) / (n2 - n1)
    return out


def body_instructions(fake_sock, tmp, quick):
    """Instructions per create request, judged and unjudged
    (callgrind_per_request)."""
    n1, n2 = (50, 250) if quick else (200, 1200)
    return callgrind_per_request(fake_sock, tmp, BODY_CONFIGS, BODY_PATH,
                                 ["--method", "POST", "--body", BODY_FILE],
                                 n1, n2)


def judge_alone(quick):
    """bench/judgebench on the server side's CPU: body_judge on the body
    in a loop, no sockets; {"min_us", "median_us"} over its batches, or
    None."""
    if not os.access(JUDGEBENCH, os.X_OK):
        log("bench: %s is missing: no judge-alone figure" % JUDGEBENCH)
        return None
    r = subprocess.run(["taskset", "-c", CPU_PROXY, JUDGEBENCH, BODY_FILE,
                        "5" if quick else "21"], capture_output=True,
                       text=True, timeout=120)
    out = dict(t.split("=", 1) for t in r.stdout.split() if "=" in t)
    if r.returncode != 0 or "min_us" not in out:
        failures.append("judgebench: exit %d %s" % (r.returncode,
                                                    r.stdout.strip()))
        return None
    return {"min_us": float(out["min_us"]),
            "median_us": float(out["median_us"])}


def body_table(b):
    """The body cell as its own table (--only body), judged and
    unjudged side by side."""
    rows = ["| sockward tcp, `--profile watchtower` | judged (body "
            "policy no-host-escape) | unjudged (`--body-policy off`) | "
            "difference |", "|---|---|---|---|"]
    j, u = b["judged"], b["unjudged"]

    def r(label, key, unit, fmt=fmt_us):
        d = ""
        if j.get(key) is not None and u.get(key) is not None:
            x = j[key] - u[key]
            d = "%s%s%s (%+.0f %%)" % ("+" if x >= 0 else "-", fmt(abs(x)),
                                       unit, 100 * x / u[key])
        rows.append("| %s | %s | %s | %s |" % (
            label, "n/a" if j.get(key) is None else fmt(j[key]) + unit,
            "n/a" if u.get(key) is None else fmt(u[key]) + unit, d))
    r("c=1 latency p50 (median of the rounds)", "p50", " µs")
    r("c=1 latency p99 (median of the rounds)", "p99", " µs")
    r("c=1 requests/s", "rps1", "/s", fmt_int)
    r("c=%d requests/s" % BODY_CONNS, "rps", "/s", fmt_int)
    r("c=%d latency p50" % BODY_CONNS, "p50_c", " µs")
    r("CPU per request (sockward's utime + stime)", "cpu_us", " µs")
    rows.append("| c=1 p50 of each round | %s | %s | median of the "
                "per-round differences %+.1f µs |" % (
                    " · ".join(fmt_us(x) for x in j["runs_p50"]),
                    " · ".join(fmt_us(x) for x in u["runs_p50"]),
                    b["paired"]))
    rows.append("| c=%d req/s of each round | %s | %s | |" % (
        BODY_CONNS, " · ".join(fmt_int(x) for x in j["runs_rps"]),
        " · ".join(fmt_int(x) for x in u["runs_rps"])))
    if b.get("alone"):
        rows.append("| body_judge alone (`bench/judgebench`, no sockets), "
                    "fastest / median batch | %s / %s µs | — | |"
                    % (fmt_us(b["alone"]["min_us"]),
                       fmt_us(b["alone"]["median_us"])))
    if b.get("ir"):
        rows.append("| instructions per request (callgrind) | %s | %s | "
                    "%s |" % (fmt_int(b["ir"]["judged"]),
                              fmt_int(b["ir"]["unjudged"]),
                              "+" + fmt_int(b["ir"]["judged"] -
                                            b["ir"]["unjudged"])))
    return "\n".join(rows)


def body_target(b):
    """The issue's target as one line of text, or None."""
    if not b:
        return None
    return ("+%.1f µs %s" % (b["added"], mark(b["added"] <= BODY_TARGET_US))
            if b["added"] >= 0 else "%.1f µs %s"
            % (b["added"], mark(True)))


def body_cell_main(a):
    """--only body: fakedockerd, then Run.body_cell with a.runs rounds of
    a.duration s; prints the cell's table and the target line."""
    tmp = bench_tmp()
    run = Run(False, tmp)
    run.body_rounds, run.body_dur = a.runs, a.duration
    run.warm = a.warmup
    try:
        run.fake = start_fake(run.fake_sock)
        run.body_cell()
    except RuntimeError as e:
        failures.append(str(e))
    finally:
        for p in procs:
            stop(p)
        shutil.rmtree(tmp, ignore_errors=True)
    if run.body:
        b = run.body
        print("POST %s, %s B body (%s), fakedockerd, %d rounds x %.1f s "
              "alternating, loadgen on CPU %s, server side on CPU %s"
              % (BODY_PATH, fmt_int(b["bytes"]),
                 os.path.relpath(BODY_FILE, ROOT), b["rounds"], a.duration,
                 CPU_LOAD, CPU_PROXY))
        print()
        print(body_table(b))
        print()
        print("target: judging a ~4 KB create body adds <= %.0f µs at the "
              "median (c=1) over forwarding it unjudged: %s"
              % (BODY_TARGET_US, body_target(b)))
    if failures:
        for f in failures:
            log("  FAILED: " + f)
        return 1
    return 0


# ---------------------------------------------------------------- issue 14

def metrics_scraper(addr, stop_at, out):
    """GET /metrics every METRICS_SCRAPE_S until stop_at (time.time());
    out["scrapes"] counts the 200s, out["bytes"] the last body's size."""
    host, port = addr[6:].rsplit(":", 1)
    while time.time() < stop_at:
        try:
            c = http.client.HTTPConnection(host, int(port), timeout=5)
            c.request("GET", "/metrics")
            r = c.getresponse()
            body = r.read()
            c.close()
            if r.status == 200:
                out["scrapes"] = out.get("scrapes", 0) + 1
                out["bytes"] = len(body)
        except OSError as e:
            out["error"] = str(e)
        time.sleep(METRICS_SCRAPE_S)


def metrics_cell(fake_sock, tmp, runs, duration, warmup, conns):
    """Issue 14's metrics cell on a running fakedockerd: sockward tcp with
    and without --metrics, runs alternating rounds of duration s at c=conns
    on P_SMALL, the one with metrics scraped every METRICS_SCRAPE_S.  Returns
    {"res": {off, on: [req/s]}, "cpu": {off, on: [us/req]}, "scr": scrape
    counts, "ir": callgrind instructions per request or None}; raises
    RuntimeError when a sockward or a round fails.  Its sockwards are
    stopped before it returns."""
    import threading
    res = {"off": [], "on": []}
    cpu = {"off": [], "on": []}
    scr = {}
    started = {}
    try:
        for name in ("off", "on"):
            addr = "tcp://127.0.0.1:%d" % free_port()
            argv = [SOCKWARD, "--listen", addr, "--upstream", fake_sock] + \
                SW_ARGS
            maddr = None
            if name == "on":
                maddr = "tcp://127.0.0.1:%d" % free_port()
                argv += ["--metrics", maddr]
            p = start(argv, addr=addr, name="sockward metrics " + name)
            started[name] = (p, addr, maddr)
        log("== metrics cell: sockward tcp with and without --metrics, GET "
            "%s c=%d, %d rounds x %.1f s, a scrape every %.0f s"
            % (P_SMALL, conns, runs, duration, METRICS_SCRAPE_S))
        names = ["off", "on"]
        for i in range(runs):
            for name in names[i % 2:] + names[:i % 2]:
                p, addr, maddr = started[name]
                th = None
                if maddr is not None:
                    th = threading.Thread(target=metrics_scraper, args=(
                        maddr, time.time() + warmup + duration, scr))
                    th.start()
                c0 = proc_cpu(p.pid)
                r = loadgen(addr, paths=[P_SMALL], conns=conns,
                            duration=duration, warmup=warmup)
                c1 = proc_cpu(p.pid)
                if th is not None:
                    th.join()
                total = sum(r.get(k, 0) for k in ("s1xx", "s2xx", "s3xx",
                                                  "s4xx", "s5xx"))
                if c0 is not None and c1 is not None and total:
                    # The warm-up's requests are not in total: an upper
                    # bound, the same for both.
                    r["cpu_us"] = (c1 - c0) / total * 1e6
                if "error" in r or not r.get("s2xx"):
                    raise RuntimeError("metrics cell %s: %s" % (
                        name, r.get("error", "no 2xx")))
                res[name].append(r["rps"])
                if "cpu_us" in r:
                    cpu[name].append(r["cpu_us"])
                log("  round %d metrics %-3s %9.0f req/s  p50 %6.1f us  "
                    "p99 %7.1f us%s" % (i + 1, name, r["rps"], r["p50_us"],
                                        r["p99_us"], "  cpu %.2f us/req"
                                        % r["cpu_us"] if "cpu_us" in r
                                        else ""))
                if p.poll() is not None:
                    raise RuntimeError("sockward metrics %s exited (status "
                                       "%s)" % (name, p.returncode))
    finally:
        for p, _, _ in started.values():
            stop(p)
    if scr.get("error"):
        raise RuntimeError("metrics cell: a scrape failed: %s"
                           % scr["error"])
    # Instructions per request, which a busy machine does not blur
    # (no scrape: that is a cost per scrape, not per request).
    ir = callgrind_per_request(fake_sock, tmp, (
        ("off", []), ("on", ["--metrics", "tcp://127.0.0.1:%d"
                             % free_port()])), P_SMALL, [], 200, 1200)
    return {"res": res, "cpu": cpu, "scr": scr, "ir": ir, "runs": runs,
            "duration": duration, "conns": conns}


def metrics_section(m, err=None):
    """Issue 14's metrics cell (metrics_cell's result) as markdown lines:
    the setting, one row per configuration, callgrind, the target."""
    out = ["", "", "### Metrics (issue 14)", ""]
    if m is None or not (m["res"]["off"] and m["res"]["on"]):
        out.append("Metrics cell: %s" % (err or "not run"))
        return "\n".join(out)
    res, cpu, ir = m["res"], m["cpu"], m["ir"]
    off, on = median(res["off"]), median(res["on"])
    out += ["`GET %s`, c=%d, fakedockerd, %d rounds x %.1f s alternating, "
            "loadgen on CPU %s, server side on CPU %s; with `--metrics`, "
            "`GET /metrics` every %.0f s meanwhile (%d scrapes of %s B)"
            % (P_SMALL, m["conns"], m["runs"], m["duration"], CPU_LOAD,
               CPU_PROXY, METRICS_SCRAPE_S, m["scr"].get("scrapes", 0),
               fmt_int(m["scr"].get("bytes", 0))), "",
            "| sockward tcp | req/s (median) | CPU µs/req (median) | "
            "rounds, req/s |", "|---|---|---|---|"]
    for title, k, v in (("without --metrics", "off", off),
                        ("with --metrics", "on", on)):
        out.append("| %s | %s | %s | %s |" % (
            title, fmt_int(v), "%.2f" % median(cpu[k]) if cpu[k] else "—",
            ", ".join(fmt_int(x) for x in res[k])))
    if ir:
        out += ["", "callgrind, instructions per request: %s without, %s "
                "with --metrics (%+.1f %%)" % (
                    fmt_int(ir["off"]), fmt_int(ir["on"]),
                    100.0 * (ir["on"] - ir["off"]) / ir["off"])]
    out += ["", "- target: with metrics ≥ %.2f× without: %.3f× %s"
            % (METRICS_TARGET, on / off, mark(on / off >= METRICS_TARGET))]
    return "\n".join(out)


def metrics_cell_main(a):
    """--only metrics: fakedockerd and metrics_cell with a.runs rounds of
    a.duration s at c=a.conns; prints metrics_section."""
    tmp = bench_tmp()
    fake_sock = os.path.join(tmp, "fakedockerd.sock")
    m, err = None, None
    try:
        start_fake(fake_sock)
        m = metrics_cell(fake_sock, tmp, a.runs, a.duration, a.warmup,
                         a.conns)
    except RuntimeError as e:
        err = str(e)
        failures.append(err)
    finally:
        for p in procs:
            stop(p)
        shutil.rmtree(tmp, ignore_errors=True)
    print(metrics_section(m, err))
    if failures:
        for f in failures:
            log("  FAILED: " + f)
        return 1
    return 0


# ---------------------------------------------------------------- issue 13

def http_get(addr, path, version="1.1"):
    """One GET over a fresh connection to a tcp:// or unix:// address:
    (status, headers dict with lower-case names, body bytes).  Reads the
    answer to its end, chunked, with a length or up to the close."""
    if addr.startswith("unix://"):
        s = socket.socket(socket.AF_UNIX)
        s.connect(addr[7:])
    else:
        host, port = addr[6:].rsplit(":", 1)
        s = socket.create_connection((host, int(port)))
    s.settimeout(30)
    s.sendall(("GET %s HTTP/%s\r\nHost: docker\r\nConnection: close\r\n\r\n"
               % (path, version)).encode())
    data = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    hdrs = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    if hdrs.get("transfer-encoding", "").lower() == "chunked":
        out, rest = b"", body
        while True:
            size, _, rest = rest.partition(b"\r\n")
            n = int(size.split(b";")[0], 16)
            if n == 0:
                break
            out += rest[:n]
            rest = rest[n + 2:]
        body = out
    return status, hdrs, body


class UnixHTTP(http.client.HTTPConnection):
    """http.client over the Docker socket (creating and removing the real
    cell's containers: faster than 400 docker CLI runs)."""

    def __init__(self, path):
        super().__init__("docker", timeout=60)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(60)
        self.sock.connect(self.unix_path)


def docker_api(method, path, body=None):
    c = UnixHTTP(REAL_SOCK)
    try:
        c.request(method, path, body=None if body is None else
                  json.dumps(body), headers={"Content-Type":
                                             "application/json"})
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def filter_containers(n):
    """Create (never start) n containers of the FROM-scratch test image
    on the real dockerd, every other one labelled FILTER_LABEL=1, all
    labelled FILTER_MARK=1 for the clean-up, each with a secret-looking
    environment.  Returns their IDs."""
    build_test_image()
    made = []
    for i in range(n):
        labels = {FILTER_MARK: "1"}
        if i % 2 == 0:
            labels[FILTER_LABEL] = "1"
        st, body = docker_api("POST", "/v1.41/containers/create", {
            "Image": REAL_IMAGE, "Labels": labels,
            "Env": ["BENCH_TOKEN=not-a-secret-%d" % i, "TZ=UTC"]})
        if st != 201:
            filter_remove(made)
            raise RuntimeError("container create answered %d: %s"
                               % (st, body[:200]))
        made.append(json.loads(body)["Id"])
    return made


def filter_remove(ids):
    for cid in ids or ():
        docker_api("DELETE", "/v1.41/containers/%s?force=1" % cid)
    # Any left by an interrupted run.
    st, body = docker_api("GET", "/v1.41/containers/json?all=1&filters="
                          + urllib.parse.quote(json.dumps(
                              {"label": [FILTER_MARK + "=1"]})))
    if st == 200:
        for c in json.loads(body):
            docker_api("DELETE", "/v1.41/containers/%s?force=1" % c["Id"])


def filter_cell(upstream, rounds, dur, warm, tmp):
    """GET FILTER_PATH through sockward tcp filtered (readonly, visible
    label: half the containers kept, DriverOpts redacted) and unfiltered
    (readonly, --redact off: no plan, forwarded as is), both started at
    once, FILTER_CONNS connections, `rounds` rounds in alternating order.
    Returns a dict per configuration (medians and runs) plus the element
    counts seen, or raises RuntimeError."""
    started = {}
    res = {name: [] for name, _ in FILTER_CONFIGS}
    out = {"rounds": rounds, "dur": dur}
    try:
        for name, args in FILTER_CONFIGS:
            addr = "tcp://127.0.0.1:%d" % free_port()
            started[name] = (start([SOCKWARD, "--listen", addr, "--upstream",
                                    upstream] + args + SW_CAPS, addr=addr,
                                   name="sockward " + name), addr)
        # The cell measures something only if the filtered listener
        # filters: fewer elements, and chunked (its length changed).
        for name, (_, addr) in started.items():
            st, hdrs, body = http_get(addr, FILTER_PATH)
            if st != 200:
                raise RuntimeError("sockward %s answered %d" % (name, st))
            items = json.loads(body)
            out[name + "_n"] = len(items)
            out[name + "_bytes"] = len(body)
            out[name + "_chunked"] = "transfer-encoding" in hdrs
            out[name + "_visible"] = sum(
                1 for c in items if (c.get("Labels") or {}).get(
                    FILTER_LABEL) == "1")
        if (out["filtered_n"] != out["filtered_visible"] or
                out["filtered_n"] >= out["unfiltered_n"] or
                not out["filtered_chunked"]):
            raise RuntimeError("the filtered listener did not filter: %d "
                               "of %d containers, %d labelled, chunked %s"
                               % (out["filtered_n"], out["unfiltered_n"],
                                  out["filtered_visible"],
                                  out["filtered_chunked"]))
        log("== filter cell: %s, %d/%d containers kept, c=%d, %d rounds x "
            "%.1f s" % (FILTER_PATH, out["filtered_n"], out["unfiltered_n"],
                        FILTER_CONNS, rounds, dur))
        names = [n for n, _ in FILTER_CONFIGS]
        for i in range(rounds):
            for name in names[i % 2:] + names[:i % 2]:
                proc, addr = started[name]
                c0 = proc_cpu(proc.pid)
                r = loadgen(addr, paths=[FILTER_PATH], conns=FILTER_CONNS,
                            duration=dur, warmup=warm)
                c1 = proc_cpu(proc.pid)
                if "error" in r or not r.get("s2xx") or r.get("s5xx"):
                    raise RuntimeError("filter cell %s: %s" % (
                        name, r.get("error", "not every answer 2xx")))
                if c0 is not None and c1 is not None and r.get("requests"):
                    r["cpu_us"] = (c1 - c0) / r["requests"] * 1e6
                res[name].append(r)
                log("  round %d %-10s %8.0f req/s  p50 %7.1f us  p99 %7.1f "
                    "us%s" % (i + 1, name, r["rps"], r["p50_us"],
                              r["p99_us"], "  cpu %.1f us/req" % r["cpu_us"]
                              if "cpu_us" in r else ""))
            for name, (proc, _) in started.items():
                if proc.poll() is not None:
                    raise RuntimeError("sockward %s exited (status %s)"
                                       % (name, proc.returncode))
    finally:
        for proc, _ in started.values():
            stop(proc)
    for name, rs in res.items():
        cpu = [r["cpu_us"] for r in rs if "cpu_us" in r]
        out[name] = {"rps": median([r["rps"] for r in rs]),
                     "p50": median([r["p50_us"] for r in rs]),
                     "p99": median([r["p99_us"] for r in rs]),
                     "runs": [r["rps"] for r in rs],
                     "cpu_us": median(cpu) if cpu else None}
    out["ratio"] = out["filtered"]["rps"] / out["unfiltered"]["rps"]
    out["paired"] = median([f["rps"] / u["rps"] for f, u in
                            zip(res["filtered"], res["unfiltered"])])
    return out


def filter_table(cells):
    """cells: [(upstream title, filter_cell result)]."""
    rows = ["| upstream | configuration | containers returned (bytes) | "
            "req/s per round | median req/s | p50 / p99 µs | CPU per "
            "request |", "|---|---|---|---|---|---|---|"]
    for title, f in cells:
        for name, label in (("filtered", "filtered: `%s`"
                             % " ".join(FILTER_CONFIGS[0][1])),
                            ("unfiltered", "unfiltered: `%s`"
                             % " ".join(FILTER_CONFIGS[1][1]))):
            r = f[name]
            rows.append("| %s | %s | %d (%s B%s) | %s | %s | %s / %s | %s |"
                        % (title, label, f[name + "_n"],
                           fmt_int(f[name + "_bytes"]),
                           ", chunked" if f[name + "_chunked"] else "",
                           " · ".join(fmt_int(x) for x in r["runs"]),
                           fmt_int(r["rps"]), fmt_us(r["p50"]),
                           fmt_us(r["p99"]), "n/a" if r["cpu_us"] is None
                           else "%s µs" % fmt_us(r["cpu_us"])))
    return "\n".join(rows)


def filter_target(f):
    return "%.2f× %s (per-round ratios, median %.2f×)" % (
        f["ratio"], mark(f["ratio"] >= FILTER_TARGET), f["paired"])


def events_rss_cell(tmp, nstreams, nevents):
    """nstreams filtered /events streams through sockward tcp (traefik
    profile, visible label) from a fakedockerd that pushes a hidden and a
    visible container's event on each trigger: sockward's VmRSS idle,
    with every stream open, and after nevents pushes; every stream must
    get exactly the visible events.  The same through an unfiltered
    listener (--redact off, no label: both events pass) for comparison."""
    sock = os.path.join(tmp, "fakedockerd-mixed.sock")
    fake = start_fake(sock, "--mixed-events")
    out = {"streams": nstreams, "events": nevents}
    try:
        for name, args, per_push in (
                ("filtered", ["--profile", "traefik", "--visible-label",
                              FILTER_LABEL + "=1"], 1),
                ("unfiltered", ["--profile", "traefik", "--redact", "off"],
                 2)):
            addr = "tcp://127.0.0.1:%d" % free_port()
            p = start([SOCKWARD, "--listen", addr, "--upstream", sock] + args
                      + SW_CAPS, addr=addr, name="sockward " + name)
            try:
                time.sleep(0.3)
                idle = proc_status(p.pid, "VmRSS")
                r = loadgen(addr, mode="events", paths=[P_EVENTS],
                            conns=nstreams,
                            extra=["--events", str(nevents), "--interval-ms",
                                   "50", "--trigger-pid", str(fake.pid),
                                   "--rss-pid", str(p.pid)])
                hwm = proc_status(p.pid, "VmHWM")
            finally:
                stop(p)
            want = nstreams * nevents * per_push
            if "error" in r or r.get("open") != nstreams:
                raise RuntimeError("events-rss %s: %s" % (
                    name, r.get("error", "%s of %d streams opened"
                                % (r.get("open"), nstreams))))
            # Filtered: exactly the labelled events (one more is a hidden
            # one let through).  Unfiltered: loadgen stops reading 50 ms
            # after the last push, so a few of the last pair may be
            # uncounted; at least one per push.
            if (r.get("delivered", 0) > want or
                    r.get("delivered", 0) < (want if per_push == 1 else
                                             nstreams * nevents)):
                raise RuntimeError("events-rss %s: %d events delivered, "
                                   "%d expected (%d per push per stream)"
                                   % (name, r.get("delivered", 0), want,
                                      per_push))
            out[name] = {"idle": idle, "open": r.get("rss_open_kb"),
                         "after": r.get("rss_after_kb"), "hwm": hwm,
                         "p50": r.get("p50_us"), "p99": r.get("p99_us"),
                         "delivered": r.get("delivered")}
            log("  events-rss %-10s idle %s, %d streams open %s, after %d "
                "pushes %s, peak %s; %d events delivered, p50 %s µs"
                % (name, fmt_kb(idle), nstreams, fmt_kb(int(r["rss_open_kb"])),
                   nevents, fmt_kb(int(r["rss_after_kb"])), fmt_kb(hwm),
                   r["delivered"], fmt_us(r.get("p50_us", 0))))
    finally:
        stop(fake)
    return out


def events_rss_table(e):
    rows = ["| sockward tcp, %d `/events` streams | idle RSS | RSS, all "
            "open | RSS after %d pushes | peak (VmHWM) | events delivered | "
            "latency p50 / p99 |" % (e["streams"], e["events"]),
            "|---|---|---|---|---|---|---|"]
    for name, label in (("filtered", "filtered (`--visible-label %s=1`): "
                         "1 of 2 events kept" % FILTER_LABEL),
                        ("unfiltered", "unfiltered (`--redact off`): "
                         "both passed")):
        r = e[name]
        rows.append("| %s | %s | %s | %s | %s | %s | %s / %s µs |" % (
            label, fmt_kb(r["idle"]), fmt_kb(int(r["open"])),
            fmt_kb(int(r["after"])), fmt_kb(r["hwm"]),
            fmt_int(r["delivered"]), fmt_us(r["p50"] or 0),
            fmt_us(r["p99"] or 0)))
    return "\n".join(rows)


def events_rss_target(e):
    kb = max(e["filtered"]["after"], e["filtered"]["open"])
    return "%s %s" % (fmt_kb(int(kb)), mark(kb <= EVENTS_RSS_TARGET_KB))


def rewrite_cell():
    """`make jrwbench` (bench/jrwbench.c: the rewriter alone, no sockets):
    its lines, and every "N MB/s" figure found in them, or None with the
    reason."""
    r = subprocess.run(["nice", "make", "--no-print-directory", "-C", ROOT,
                        "jrwbench"], capture_output=True, text=True,
                       timeout=900)
    if r.returncode != 0:
        return None, ("make jrwbench failed (exit %d): %s"
                      % (r.returncode, (r.stderr or r.stdout).strip()[-300:]))
    lines = [ln for ln in r.stdout.splitlines()
             if re.search(r"MB/s|MBps", ln)]
    if not lines:
        return None, "make jrwbench printed no MB/s figure: %s" % (
            r.stdout.strip()[-300:])
    return lines, None


def rewrite_table(lines):
    """jrwbench's "NAME in=N out=N best_MBps=X median_MBps=Y" lines as a
    table; any other line as it is."""
    rows = ["| document | input | output | best MB/s | median MB/s |",
            "|---|---|---|---|---|"]
    other = []
    for ln in lines:
        kv = dict(t.split("=", 1) for t in ln.split() if "=" in t)
        name = ln.split()[0] if ln.split() else "?"
        if "best_MBps" in kv:
            rows.append("| %s | %s B | %s B | %s | %s |" % (
                name, fmt_int(float(kv.get("in", 0))),
                fmt_int(float(kv.get("out", 0))), kv["best_MBps"],
                kv.get("median_MBps", "")))
        else:
            other.append(ln.strip())
    return "\n".join(rows + ([""] + other if other else []))


def issue13_section(run):
    """Issue 13's cells for the full run's table and report."""
    out = ["", "", "### Response filtering (issue 13)", ""]
    if run.filter:
        out += ["GET `%s` (200 containers, half labelled `%s=1`), sockward "
                "tcp, keep-alive c=%d, %d alternating rounds x %.1f s:"
                % (FILTER_PATH, FILTER_LABEL, FILTER_CONNS,
                   run.filter_rounds, run.filter_dur), "",
                filter_table(run.filter), ""]
        for title, f in run.filter:
            out.append("- target (%s): filtered ≥ %.1f× unfiltered "
                       "requests/s: %s" % (title, FILTER_TARGET,
                                           filter_target(f)))
        out.append("")
    if run.events_rss:
        out += [events_rss_table(run.events_rss), "",
                "- target: %d filtered `/events` streams in ≤ %d MB of "
                "sockward RSS: %s" % (run.events_rss["streams"],
                                      EVENTS_RSS_TARGET_KB // 1024,
                                      events_rss_target(run.events_rss)),
                ""]
    if run.rewrite and run.rewrite[0]:
        out += ["The rewriter alone (`make jrwbench`, one core, no "
                "sockets):", "", rewrite_table(run.rewrite[0])]
    elif run.rewrite:
        out.append("The rewriter alone: %s" % run.rewrite[1])
    return "\n".join(out)


def issue13_main(a):
    """--only filter | events-rss | rewrite: one of issue 13's cells,
    printed, no report written."""
    try:
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ValueError, OSError):
        pass
    if a.only == "rewrite":
        lines, err = rewrite_cell()
        if err:
            log("bench: " + err)
            return 1
        print("the rewriter alone (`make jrwbench`, bench/jrwbench.c, "
              "one core, no sockets):")
        print()
        print(rewrite_table(lines))
        return 0
    tmp = bench_tmp()
    code = 0
    try:
        if a.only == "events-rss":
            e = events_rss_cell(tmp, a.streams, a.events)
            print(events_rss_table(e))
            print()
            print("target: %d filtered /events streams in <= %d MB of "
                  "sockward RSS: %s" % (e["streams"],
                                        EVENTS_RSS_TARGET_KB // 1024,
                                        events_rss_target(e)))
            return 0
        cells = []
        sock = os.path.join(tmp, "fakedockerd.sock")
        fake = start_fake(sock)
        try:
            cells.append(("fakedockerd", filter_cell(
                sock, a.runs, a.duration, a.warmup, tmp)))
        except RuntimeError as e:
            failures.append("filter cell, fake upstream: %s" % e)
        finally:
            stop(fake)
        if can_connect("unix://" + REAL_SOCK) and not a.fake_only:
            made = None
            try:
                log("bench: creating %d containers on the real dockerd"
                    % FILTER_N)
                made = filter_containers(FILTER_N)
                cells.append(("real dockerd", filter_cell(
                    REAL_SOCK, a.runs, a.duration, a.warmup, tmp)))
            except (RuntimeError, OSError,
                    subprocess.CalledProcessError) as e:
                failures.append("filter cell, real dockerd: %s" % e)
            finally:
                filter_remove(made)
        print("GET %s, keep-alive c=%d, %d alternating rounds x %.1f s, "
              "loadgen on CPU %s, sockward on CPU %s"
              % (FILTER_PATH, FILTER_CONNS, a.runs, a.duration, CPU_LOAD,
                 CPU_PROXY))
        print()
        print(filter_table(cells))
        print()
        for title, f in cells:
            print("target (%s): filtered >= %.1f× unfiltered requests/s: %s"
                  % (title, FILTER_TARGET, filter_target(f)))
    except RuntimeError as e:
        failures.append(str(e))
    finally:
        for p in procs:
            stop(p)
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        for f in failures:
            log("  FAILED: " + f)
        code = 1
    return code


# ---------------------------------------------------------------- issue 14

def tls_certs(d):
    """PEM files in d for the TLS cells: a CA (ECDSA P-256) that signs an
    ECDSA P-256 and an RSA 2048 server certificate, both for localhost
    and 127.0.0.1, and an ECDSA P-256 client certificate with subject CN
    TLS_CN.  Made with the openssl command line; returns their paths."""
    def ossl(*args):
        r = subprocess.run(["openssl"] + list(args), capture_output=True,
                           text=True)
        if r.returncode != 0:
            raise RuntimeError("openssl %s: %s" % (args[0],
                                                   r.stderr.strip()[-300:]))
    p = {k: os.path.join(d, k + ".pem") for k in
         ("ca", "ca-key", "ecdsa", "ecdsa-key", "rsa", "rsa-key", "client",
          "client-key")}
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
    ossl("req", "-x509", *ec, "-nodes", "-keyout", p["ca-key"], "-out",
         p["ca"], "-days", "2", "-subj", "/CN=sockward bench CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    for name, key, cn, ext in (
            ("ecdsa", ec, "localhost", "subjectAltName=DNS:localhost,"
             "IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"),
            ("rsa", ["-newkey", "rsa:2048"], "localhost",
             "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
             "extendedKeyUsage=serverAuth\n"),
            ("client", ec, TLS_CN, "extendedKeyUsage=clientAuth\n")):
        csr = os.path.join(d, name + ".csr")
        extf = os.path.join(d, name + ".ext")
        with open(extf, "w") as f:
            f.write(ext + "keyUsage=critical,digitalSignature\n")
        ossl("req", *key, "-nodes", "-keyout", p[name + "-key"], "-out", csr,
             "-subj", "/CN=" + cn)
        ossl("x509", "-req", "-in", csr, "-CA", p["ca"], "-CAkey",
             p["ca-key"], "-CAcreateserial", "-days", "2", "-out", p[name],
             "-extfile", extf)
    return p


def tls_sockward_tcp(upstream):
    """sockward on tcp://127.0.0.1:PORT as in the other cells: (process,
    address)."""
    addr = "tcp://127.0.0.1:%d" % free_port()
    return start([SOCKWARD, "--listen", addr, "--upstream", upstream]
                 + SW_ARGS, addr=addr, name="sockward tcp://"), addr


def tls_client_args(certs):
    """loadgen's options for a tls:// address: verify the server against
    the CA (name localhost), present the client certificate."""
    return ["--tls-ca", certs["ca"], "--tls-cert", certs["client"],
            "--tls-key", certs["client-key"], "--tls-name", "localhost"]


def tls_sockward(upstream, certs, key, binary=SOCKWARD):
    """sockward on tls://127.0.0.1:PORT with the key type key ("ecdsa" or
    "rsa"), clients verified against the bench CA and admitted by CN
    (SOCKWARD_CERT_CN=TLS_CN), the traefik profile as every other cell.
    Returns (process, address)."""
    addr = "tls://127.0.0.1:%d" % free_port()
    env = dict(os.environ, SOCKWARD_CERT_CN=TLS_CN)
    p = start([binary, "--listen", addr, "--tls-cert", certs[key],
               "--tls-key", certs[key + "-key"], "--tls-client-ca",
               certs["ca"], "--upstream", upstream] + SW_ARGS, env=env,
              addr=addr, name="sockward tls:// " + key)
    return p, addr


def tls_stunnel(certs, key, target, tmp):
    """Debian's stunnel4 on 127.0.0.1:PORT terminating TLS 1.3 (the
    client's certificate required and verified against the bench CA) and
    connecting to target (tcp://HOST:PORT).  Returns (process, address)."""
    port = free_port()
    conf = os.path.join(tmp, "stunnel-%s.conf" % key)
    with open(conf, "w") as f:
        f.write("foreground = yes\npid =\nsyslog = no\n"
                "socket = l:TCP_NODELAY=1\nsocket = r:TCP_NODELAY=1\n"
                "[sockward]\naccept = 127.0.0.1:%d\nconnect = %s\n"
                "cert = %s\nkey = %s\nCAfile = %s\nrequireCert = yes\n"
                "verifyChain = yes\nsslVersionMin = TLSv1.3\n"
                % (port, target[6:], certs[key], certs[key + "-key"],
                   certs["ca"]))
    p = start([shutil.which("stunnel4") or "stunnel", conf],
              addr="tcp://127.0.0.1:%d" % port, name="stunnel " + key)
    return p, "tls://127.0.0.1:%d" % port


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def tls_run(addr, certs, servers, new_conn, conns, dur, warm):
    """One loadgen run of GET P_SMALL at c=conns, over a new connection
    per request or keep-alive; adds the server side's CPU per request
    (every process in servers) and the loadgen's own."""
    extra = tls_client_args(certs) if addr.startswith("tls://") else []
    if new_conn:
        extra += ["--new-conn", "1"]
    c0 = [proc_cpu(p.pid) for p in servers]
    l0 = children_cpu()
    r = loadgen(addr, paths=[P_SMALL], conns=conns, duration=dur,
                warmup=warm, extra=extra)
    l1 = children_cpu()
    c1 = [proc_cpu(p.pid) for p in servers]
    total = sum(r.get(k, 0) for k in ("s1xx", "s2xx", "s3xx", "s4xx",
                                      "s5xx"))
    if "error" not in r and (not r.get("s2xx") or r.get("errors")):
        r["error"] = "%d answers 2xx, %d errors" % (r.get("s2xx", 0),
                                                    r.get("errors", 0))
    if total and None not in c0 and None not in c1:
        r["srv_cpu_us"] = sum(b - a for a, b in zip(c0, c1)) / total * 1e6
        r["cli_cpu_us"] = (l1 - l0) / total * 1e6
    return r


# name, title, key type, handshake row, keep-alive row
TLS_CONFIGS = (
    ("tcp", "sockward `tcp://` (no TLS)", None),
    ("tls-ecdsa", "sockward `tls://`, ECDSA P-256", "ecdsa"),
    ("tls-rsa", "sockward `tls://`, RSA 2048", "rsa"),
    ("static-ecdsa", "sockward-static `tls://` (musl, the image's "
     "binary), ECDSA P-256", "ecdsa"),
    ("stunnel-ecdsa", "stunnel4 → sockward `tcp://`, ECDSA P-256", "ecdsa"),
    ("stunnel-rsa", "stunnel4 → sockward `tcp://`, RSA 2048", "rsa"))
TLS_KEEPALIVE = ("tcp", "tls-ecdsa", "static-ecdsa", "stunnel-ecdsa")
TLS_IDLE_CONFIGS = ("tcp", "tls-ecdsa", "static-ecdsa", "stunnel-ecdsa")


def tls_idle(upstream, certs, tmp, name, n):
    """n idle connections (each after one /_ping) to fresh servers of
    configuration name: the servers' VmRSS before and with them open."""
    started = []
    try:
        if name in ("tls-ecdsa", "static-ecdsa"):
            sw, addr = tls_sockward(upstream, certs, "ecdsa",
                                    SOCKWARD_STATIC if name == "static-ecdsa"
                                    else SOCKWARD)
        else:
            sw, addr = tls_sockward_tcp(upstream)
        started.append(sw)
        if name == "stunnel-ecdsa":
            st, addr = tls_stunnel(certs, "ecdsa", addr, tmp)
            started.append(st)
        time.sleep(0.3)
        before = [proc_status(p.pid, "VmRSS") for p in started]
        extra = ["--rss-pid", str(started[-1].pid)]
        if addr.startswith("tls://"):
            extra += tls_client_args(certs)
        r = loadgen(addr, mode="idle", paths=[P_SMALL], conns=n,
                    duration=0, warmup=0, extra=extra)
        opened = [proc_status(p.pid, "VmRSS") for p in started]
        if r.get("open") != n or None in before or None in opened:
            raise RuntimeError("tls idle %s: %s of %d connections open: %s"
                               % (name, r.get("open"), n,
                                  r.get("error", "")))
        return {"before": before, "open": opened, "n": n,
                "per_conn": (sum(opened) - sum(before)) / n,
                "seconds": r.get("open_s")}
    finally:
        for p in started:
            stop(p)


def tls_static(upstream, certs):
    """Does sockward-static serve tls://?  (answer, detail)"""
    if not os.path.exists(SOCKWARD_STATIC):
        return None, "no sockward-static"
    try:
        p, addr = tls_sockward(upstream, certs, "ecdsa", SOCKWARD_STATIC)
    except RuntimeError as e:
        return False, str(e)
    try:
        r = loadgen(addr, paths=[P_SMALL], duration=0, warmup=0,
                    extra=["--requests", "1"] + tls_client_args(certs),
                    timeout=20)
    finally:
        stop(p)
    if r.get("s2xx") == 1:
        return True, "%s %s" % (r.get("tls_version"), r.get("tls_suite"))
    return False, r.get("error", "no 2xx over tls://")


def tls_cell(upstream, rounds, dur, warm, nidle, tmp):
    """Issue 14's cells, every configuration started at once against the
    fake upstream: handshakes per second (a new connection, TLS 1.3
    handshake with a client certificate, one /_ping, close, at
    c=TLS_CONNS) and /_ping keep-alive at c=TLS_CONNS, in `rounds` rounds
    of `dur` s, each in an order rotated by one; then nidle idle
    connections per TLS_IDLE_CONFIGS on fresh servers.  Returns a dict,
    or raises RuntimeError."""
    d = os.path.join(tmp, "tls")
    os.makedirs(d, exist_ok=True)
    certs = tls_certs(d)
    out = {"rounds": rounds, "dur": dur, "conns": TLS_CONNS}
    started = {}
    servers = {}
    res = {(n, k): [] for n, _, _ in TLS_CONFIGS for k in ("hs", "ka")}
    try:
        sw_tcp, tcp_addr = tls_sockward_tcp(upstream)
        started["tcp"] = tcp_addr
        servers["tcp"] = [sw_tcp]
        for key in ("ecdsa", "rsa"):
            p, addr = tls_sockward(upstream, certs, key)
            started["tls-" + key], servers["tls-" + key] = addr, [p]
            p, addr = tls_stunnel(certs, key, tcp_addr, tmp)
            started["stunnel-" + key] = addr
            servers["stunnel-" + key] = [p, sw_tcp]
        # What the image ships, when make static built it: its own
        # wolfSSL (scripts/wolfssl-musl.sh), not Debian's.
        out["static"] = tls_static(upstream, certs)
        if out["static"][0]:
            p, addr = tls_sockward(upstream, certs, "ecdsa", SOCKWARD_STATIC)
            started["static-ecdsa"], servers["static-ecdsa"] = addr, [p]
        elif out["static"][0] is False:
            failures.append("sockward-static does not serve tls://: %s"
                            % out["static"][1])
        # Every TLS listener must refuse a client without a certificate,
        # or the cell measures something else than the configuration.
        for name in started:
            if name == "tcp":
                continue
            r = loadgen(started[name], paths=[P_SMALL], duration=0,
                        warmup=0, extra=["--requests", "1", "--tls-ca",
                                         certs["ca"]])
            if r.get("s2xx"):
                raise RuntimeError("%s answered a client without a "
                                   "certificate" % name)
        names = [n for n, _, _ in TLS_CONFIGS if n in started]
        log("== TLS cell: /_ping through %s, c=%d, %d rounds x %.1f s"
            % (", ".join(names), TLS_CONNS, rounds, dur))
        for i in range(rounds):
            for name in names[i % len(names):] + names[:i % len(names)]:
                for kind in ("hs", "ka"):
                    if kind == "ka" and name not in TLS_KEEPALIVE:
                        continue
                    r = tls_run(started[name], certs, servers[name],
                                kind == "hs", TLS_CONNS, dur, warm)
                    if "error" in r:
                        raise RuntimeError("%s %s: %s" % (
                            name, "handshakes" if kind == "hs" else
                            "keep-alive", r["error"]))
                    res[(name, kind)].append(r)
                    log("  round %d %-13s %-10s %8.0f req/s  p50 %7.1f us  "
                        "p99 %8.1f us  server cpu %s us/req  loadgen cpu %s "
                        "us/req%s" % (
                            i + 1, name, "handshake" if kind == "hs" else
                            "keep-alive", r["rps"], r["p50_us"],
                            r["p99_us"], fmt_us(r.get("srv_cpu_us", 0)),
                            fmt_us(r.get("cli_cpu_us", 0)),
                            "  " + str(r.get("tls_suite", ""))))
            for name, ps in servers.items():
                for p in ps:
                    if p.poll() is not None:
                        raise RuntimeError("%s: a server exited (status %s)"
                                           % (name, p.returncode))
    finally:
        for ps in servers.values():
            for p in ps:
                stop(p)
    for (name, kind), rs in res.items():
        if not rs:
            continue
        srv = [r["srv_cpu_us"] for r in rs if "srv_cpu_us" in r]
        cli = [r["cli_cpu_us"] for r in rs if "cli_cpu_us" in r]
        out[(name, kind)] = {
            "rps": median([r["rps"] for r in rs]),
            "p50": median([r["p50_us"] for r in rs]),
            "p99": median([r["p99_us"] for r in rs]),
            "runs": [r["rps"] for r in rs],
            "srv_cpu_us": median(srv) if srv else None,
            "cli_cpu_us": median(cli) if cli else None,
            "suite": rs[0].get("tls_suite"),
            "group": rs[0].get("tls_group")}
    out["idle"] = {}
    out["nidle"] = nidle
    for name in TLS_IDLE_CONFIGS:
        if name == "static-ecdsa" and not out["static"][0]:
            continue
        out["idle"][name] = tls_idle(upstream, certs, tmp, name, nidle)
        i = out["idle"][name]
        log("  idle %-13s %d connections: RSS %s -> %s (%.1f KB each)"
            % (name, nidle, " + ".join(fmt_kb(x) for x in i["before"]),
               " + ".join(fmt_kb(x) for x in i["open"]), i["per_conn"]))
    return out


def tls_section(t, err=None, sizes=None, img=None):
    """Issue 14's cells as markdown: one table and the ratios; with sizes
    and img (binary_sizes, image_size) the shipped sizes beside the
    check that the static binary serves tls://."""
    out = ["", "", "### TLS (issue 14)", ""]
    if t is None:
        out.append("TLS cell: %s" % (err or "not run"))
        return "\n".join(out)
    out += ["`GET /v1.24/_ping` from the fake upstream, c=%d, median of %d "
            "rounds x %.1f s (order rotated each round); TLS 1.3 with a "
            "client certificate (ECDSA P-256, verified, admitted by CN) on "
            "every TLS row, no session resumption: every handshake is a "
            "full one. Server CPU: utime + stime of sockward (and of "
            "stunnel with it) per request; loadgen CPU: the client's own, "
            "one thread on CPU %s." % (t["conns"], t["rounds"], t["dur"],
                                        CPU_LOAD), "",
            "| c=%d | handshakes/s: connect, handshake, `/_ping`, close · "
            "p50 / p99 | server CPU per handshake | loadgen CPU per "
            "handshake | `/_ping` keep-alive req/s · p50 / p99 | server CPU "
            "per keep-alive request | negotiated |" % t["conns"],
            "|---|---|---|---|---|---|---|"]

    def cpu(v):
        return "n/a" if v is None else "%s µs" % fmt_us(v)
    for name, title, _ in TLS_CONFIGS:
        hs, ka = t.get((name, "hs")), t.get((name, "ka"))
        if not hs and not ka:
            continue
        out.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            title,
            "%s/s · %s / %s µs" % (fmt_int(hs["rps"]), fmt_us(hs["p50"]),
                                   fmt_us(hs["p99"])) if hs else "—",
            cpu(hs["srv_cpu_us"]) if hs else "—",
            cpu(hs["cli_cpu_us"]) if hs else "—",
            "%s/s · %s / %s µs" % (fmt_int(ka["rps"]), fmt_us(ka["p50"]),
                                   fmt_us(ka["p99"])) if ka else "—",
            cpu(ka["srv_cpu_us"]) if ka else "—",
            "%s, %s" % (hs["suite"], hs["group"]) if hs and hs["suite"]
            else "—"))
    out.append("")

    def rat(a, b, kind, what):
        x, y = t.get((a, kind)), t.get((b, kind))
        if x and y and y["rps"]:
            out.append("- %s: %.2f×" % (what, x["rps"] / y["rps"]))
    rat("tls-ecdsa", "stunnel-ecdsa", "hs", "handshakes/s, sockward "
        "`tls://` ÷ stunnel4 → sockward, ECDSA P-256")
    rat("tls-rsa", "stunnel-rsa", "hs", "handshakes/s, sockward `tls://` "
        "÷ stunnel4 → sockward, RSA 2048")
    rat("tls-ecdsa", "tcp", "hs", "new connections/s, sockward `tls://` "
        "ECDSA ÷ `tcp://`")
    rat("static-ecdsa", "tls-ecdsa", "hs", "handshakes/s, sockward-static "
        "(musl, its own wolfSSL) ÷ ./sockward (Debian's wolfSSL), ECDSA")
    rat("static-ecdsa", "stunnel-ecdsa", "hs", "handshakes/s, "
        "sockward-static ÷ stunnel4 → sockward, ECDSA P-256")
    rat("tls-ecdsa", "tcp", "ka", "`/_ping` keep-alive c=%d, sockward "
        "`tls://` ÷ `tcp://`" % t["conns"])
    rat("tls-ecdsa", "stunnel-ecdsa", "ka", "`/_ping` keep-alive c=%d, "
        "sockward `tls://` ÷ stunnel4 → sockward" % t["conns"])
    rat("stunnel-ecdsa", "tcp", "ka", "`/_ping` keep-alive c=%d, stunnel4 "
        "→ sockward ÷ sockward `tcp://`" % t["conns"])
    rat("static-ecdsa", "tcp", "ka", "`/_ping` keep-alive c=%d, "
        "sockward-static `tls://` ÷ ./sockward `tcp://`" % t["conns"])
    out.append("")
    if t.get("idle"):
        out += ["| %d idle connections, each after one `/_ping` (fresh "
                "servers) | RSS before | RSS with all open | per "
                "connection |" % t["nidle"], "|---|---|---|---|"]
        titles = dict((n, ti) for n, ti, _ in TLS_CONFIGS)
        for name, i in t["idle"].items():
            lab = titles[name]
            if name.startswith("stunnel"):
                lab += " (stunnel + sockward)"
            out.append("| %s | %s | %s | %.1f KB |" % (
                lab, " + ".join(fmt_kb(x) for x in i["before"]),
                " + ".join(fmt_kb(x) for x in i["open"]), i["per_conn"]))
        out.append("")
    ok, detail = t.get("static", (None, "not checked"))
    out.append("- sockward-static serves `tls://`: %s (%s)" % (
        {True: "yes", False: "no", None: "not checked"}[ok], detail))
    sw = (sizes or {}).get("sockward")
    if sw:
        out.append("- size %s: %s; image `sockward:local`: %s" % (
            "with TLS" if ok else "(TLS not proven above)",
            "%s (%s)" % (fmt_bytes(sw[0]), sw[1]),
            fmt_bytes(img) if img else "not built"))
    return "\n".join(out)


def tls_main(a):
    """--only tls: fakedockerd, then tls_cell; prints tls_section."""
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ValueError, OSError):
        pass
    tmp = bench_tmp()
    sock = os.path.join(tmp, "fakedockerd.sock")
    t, err = None, None
    try:
        start_fake(sock)
        t = tls_cell(sock, a.runs, a.duration, a.warmup, a.idle, tmp)
    except (RuntimeError, OSError) as e:
        err = str(e)
        failures.append("TLS cell: %s" % e)
    finally:
        for p in procs:
            stop(p)
        shutil.rmtree(tmp, ignore_errors=True)
    print(tls_section(t, err))
    if failures:
        for f in failures:
            log("  FAILED: " + f)
        return 1
    return 0


# ---------------------------------------------------------------- sizes

def binary_sizes():
    out = {}
    if os.path.exists(SOCKWARD_STATIC):
        out["sockward"] = (os.path.getsize(SOCKWARD_STATIC),
                           "sockward-static (musl, stripped)")
    else:
        tmpf = tempfile.mktemp()
        subprocess.run(["strip", "-o", tmpf, SOCKWARD])
        out["sockward"] = (os.path.getsize(tmpf), "./sockward stripped")
        os.unlink(tmpf)
    if os.path.exists(NULLRELAY):
        tmpf = tempfile.mktemp()
        subprocess.run(["strip", "-o", tmpf, NULLRELAY])
        out["nullrelay"] = (os.path.getsize(tmpf), "nullrelay stripped")
        os.unlink(tmpf)
    hap = shutil.which("haproxy")
    if hap:
        total = os.path.getsize(os.path.realpath(hap))
        libs = 0
        for line in sh("ldd " + hap).splitlines():
            m = re.search(r"=> (/\S+)", line) or re.match(r"\s*(/\S+)", line)
            if m and os.path.exists(m.group(1)):
                libs += os.path.getsize(os.path.realpath(m.group(1)))
        out["haproxy"] = (total + libs, "haproxy %s + %s libs"
                          % (fmt_bytes(total), fmt_bytes(libs)))
    return out


def image_size():
    s = sh("docker image inspect -f '{{.Size}}' sockward:local 2>/dev/null")
    return int(s) if s.isdigit() else None


# ---------------------------------------------------------------- report

def cell(run, cont, scen, kind="rps"):
    r = run.res.get((cont, scen))
    if r is None:
        return "—"
    if r.get("denied"):
        return "403 by policy"
    if "error" in r and not r.get("samples") and not r.get("mb_s"):
        return "error"
    if kind == "rps":
        s = "%s/s · %s / %s µs" % (fmt_int(r.get("rps", 0)),
                                   fmt_us(r.get("p50_us", 0)),
                                   fmt_us(r.get("p99_us", 0)))
    elif kind == "stream":
        s = "%s MB/s" % fmt_int(r.get("body_mb_s", 0))
    elif kind == "hijack":
        s = "%s MB/s" % fmt_int(r.get("mb_s", 0))
    else:   # events
        s = "%s / %s µs" % (fmt_us(r.get("p50_us", 0)),
                            fmt_us(r.get("p99_us", 0)))
        if r.get("missing"):
            s += " (%d missing)" % r["missing"]
    if r.get("errors"):
        s += " (%d err)" % r["errors"]
    return s


def ratio(run, a, b, scen, key="rps"):
    ra, rb = run.res.get((a, scen)), run.res.get((b, scen))
    if not ra or not rb or not rb.get(key) or "error" in ra or "error" in rb:
        return None
    return ra.get(key, 0) / rb[key]


def mark(ok):
    return "✓" if ok else "✗"


def build_table(run, sizes, img):
    cols = CONTENDERS
    rows = []
    hdr = "| scenario | " + " | ".join(TITLES[c] for c in cols) + " |"
    rows.append(hdr)
    rows.append("|" + "---|" * (len(cols) + 1))

    def sect(title):
        rows.append("| **%s** |" % title + " |" * len(cols))

    def row(label, vals):
        rows.append("| %s | %s |" % (label, " | ".join(vals)))

    sect("fake upstream: requests/s · latency p50 / p99")
    for size, what in (("small", "`/_ping` (2 B)"),
                       ("medium", "`/containers/json` (1.8 KB)"),
                       ("large", "`/containers/json?all=1` (200 KB)")):
        for c in (1, 16, 256):
            scen = "%s c=%d" % (size, c)
            row("%s %s c=%d" % (size, what, c),
                [cell(run, k, scen) for k in cols])
    row("deny `GET /secrets` → 403, c=16",
        ["n/a" if k in LIMITS else cell(run, k, "deny c=16") for k in cols])
    row("100 MB streamed response (chunked), c=1",
        [cell(run, k, "stream", "stream") for k in cols])
    row("attach hijack, echo through, c=1",
        [cell(run, k, "hijack", "hijack") for k in cols])
    row("%d open `/events`: delivery latency p50 / p99" % run.nstreams,
        [cell(run, k, "events", "events") for k in cols])
    sect("real dockerd (%s): requests/s · latency p50 / p99" % REAL_SOCK)
    for c in (1, 16):
        if run.real_ok:
            row("`GET /v1.24/containers/json` c=%d" % c,
                [cell(run, k, "real c=%d" % c) for k in cols])
        else:
            row("`GET /v1.24/containers/json` c=%d" % c,
                ["no dockerd"] * len(cols))
    label = ("`GET %s` c=8, %s running containers, median of %d "
             "interleaved runs (all runs below)"
             % (REAL_PATH, run.real_ncont or REAL_N, REAL_ROUNDS))
    if run.real_ok:
        row(label, [cell(run, k, "real c=8") for k in cols])

        def runs(k):
            r = run.res.get((k, "real c=8"), {})
            if r.get("denied"):
                return "403 by policy"
            return " · ".join(fmt_int(x) for x in r.get("runs", ())) or "—"
        row("… req/s of each run", [runs(k) for k in cols])
    else:
        row(label, ["no dockerd"] * len(cols))

    sect("request bodies (issue 12): `POST %s` with a %s body "
         "(`bench/create-4k.json`), `--profile watchtower`, fake upstream, "
         "median of %d alternating rounds"
         % (BODY_PATH, fmt_bytes(run.body["bytes"]) if run.body else "~4 KB",
            run.body_rounds))

    def body_row(label, fn):
        vals = [""] * len(cols)
        vals[cols.index("sockward-tcp")] = fn(run.body) if run.body \
            else "error"
        row(label, vals)
    for name, what in (("judged", "judged (body policy no-host-escape)"),
                       ("unjudged", "unjudged (`--body-policy off`)")):
        body_row("%s c=1" % what, lambda b, n=name: "%s/s · %s / %s µs" % (
            fmt_int(b[n]["rps1"]), fmt_us(b[n]["p50"]), fmt_us(b[n]["p99"])))
        body_row("%s c=%d" % (what, BODY_CONNS),
                 lambda b, n=name: "%s/s · %s / %s µs" % (
                     fmt_int(b[n]["rps"]), fmt_us(b[n]["p50_c"]),
                     fmt_us(b[n]["p99_c"])))
    body_row("… c=1 p50 of each round",
             lambda b: "judged %s; unjudged %s µs; median of the "
             "per-round differences %+.1f µs" % (
                 " · ".join(fmt_us(x) for x in b["judged"]["runs_p50"]),
                 " · ".join(fmt_us(x) for x in b["unjudged"]["runs_p50"]),
                 b["paired"]))
    body_row("CPU per request, judged / unjudged",
             lambda b: "%s / %s µs" % tuple(
                 "n/a" if b[n]["cpu_us"] is None else fmt_us(b[n]["cpu_us"])
                 for n in ("judged", "unjudged")))
    if run.body is None or run.body.get("alone"):
        body_row("body_judge alone (`bench/judgebench`, no sockets), "
                 "fastest / median batch",
                 lambda b: "%s / %s µs" % (fmt_us(b["alone"]["min_us"]),
                                           fmt_us(b["alone"]["median_us"])))
    if run.body is None or run.body.get("ir"):
        body_row("instructions per request (callgrind), judged / unjudged",
                 lambda b: "%s / %s" % (fmt_int(b["ir"]["judged"]),
                                        fmt_int(b["ir"]["unjudged"])))

    sect("cost")
    for scen, label in (("small c=16", "`/_ping` c=16"),
                        ("medium c=16", "1.8 KB c=16")):
        vals = ["—"]
        for k in cols[1:]:
            r = run.res.get((k, scen), {})
            vals.append("%.2f s" % r["cpu_per_10k"] if "cpu_per_10k" in r
                        else ("403 by policy" if r.get("denied") else "n/a"))
        row("CPU per 10,000 requests, " + label, vals)
    row("PSS idle (shared library pages divided among their users)",
        ["—"] + [fmt_kb(run.cost[k].get("pss_idle")) for k in cols[1:]])
    for key, label in (("rss_idle", "RSS idle"),
                       ("rss_peak", "RSS peak (VmHWM, whole run)"),
                       ("rss_streams", "RSS with %d open `/events`"
                        % run.nstreams)):
        row(label, ["—"] + [fmt_kb(None if run.cost[k].get(key) is None
                                   else int(run.cost[k][key]))
                            for k in cols[1:]])
    sw = sizes.get("sockward")
    hp = sizes.get("haproxy")
    nr = sizes.get("nullrelay")

    def by_kind(sockward, haproxy, other):
        return [sockward if k.startswith("sockward") else
                haproxy if k.startswith("haproxy") else
                "—" if k == "direct" else other for k in cols]
    row("binary size", by_kind(
        "%s: %s" % (fmt_bytes(sw[0]), sw[1]) if sw else "n/a",
        "%s: %s" % (fmt_bytes(hp[0]), hp[1]) if hp else "n/a",
        "%s: %s" % (fmt_bytes(nr[0]), nr[1]) if nr else "n/a"))
    row("image size", by_kind(
        fmt_bytes(img) + " (`sockward:local`)" if img
        else "no `sockward:local` image",
        "not measured (no registry here)", "—"))

    sect("targets (sockward measured against the others in this run)")
    tgt = []

    def target(label, fn, who=("sockward-tcp", "sockward-unix")):
        vals = [""] * len(cols)
        for k in who:
            v = fn(k)
            if v is not None:
                vals[cols.index(k)] = v
        if any(vals):
            row(label, vals)
            tgt.append((label, vals))

    def one(label, k, text):
        vals = [""] * len(cols)
        vals[cols.index(k)] = text
        row(label, vals)

    def rat(k, other, scen, need, key="rps"):
        x = ratio(run, k, other, scen, key)
        return None if x is None else "%.2f× %s" % (x, mark(x >= need))

    target("`/_ping` c=16 ≥ 1.5× haproxy Tecnativa",
           lambda k: rat(k, "haproxy-tecnativa", "small c=16", 1.5))
    target("`/_ping` c=16 ≥ 0.6× direct",
           lambda k: rat(k, "direct", "small c=16", 0.6))
    target("`/_ping` c=16: null relay ÷ direct (the most any proxy gets "
           "here; see below)",
           lambda k: rat(k, "direct", "small c=16", 0.6),
           who=("floor-tcp", "floor-unix"))
    target("`/_ping` c=16 ≥ 0.8× the null relay on the same transport "
           "(proposed in place of 0.6× direct)",
           lambda k: rat(k, FLOOR_OF[k], "small c=16", 0.8))
    target("real dockerd `/containers/json` c=16 ≥ 1.3× haproxy Tecnativa",
           lambda k: rat(k, "haproxy-tecnativa", "real c=16", 1.3)
           if run.real_ok else None)
    target("real dockerd cell (c=8, medians) ≥ 1.0× socat",
           lambda k: rat(k, "socat", "real c=8", 1.0)
           if run.real_ok else None)
    target("real dockerd cell (c=8, medians) ≥ 1.0× the null relay on "
           "the same transport",
           lambda k: rat(k, FLOOR_OF[k], "real c=8", 1.0)
           if run.real_ok else None)

    def added(k):
        a, d = run.res.get((k, "small c=1")), run.res.get(("direct",
                                                           "small c=1"))
        if not a or not d or "p50_us" not in a or "p50_us" not in d:
            return None
        x = a["p50_us"] - d["p50_us"]
        return "+%.1f µs %s" % (x, mark(x <= 30))
    target("added median latency `/_ping` c=1 ≤ 30 µs over direct", added)
    one("judging a ~4 KB create body adds ≤ %.0f µs at the median (c=1) "
        "over forwarding it unjudged" % BODY_TARGET_US, "sockward-tcp",
        body_target(run.body) or "error")
    target("100 MB stream ≥ 0.8× direct throughput",
           lambda k: rat(k, "direct", "stream", 0.8, "body_mb_s"))
    target("100 MB stream: null relay ÷ direct",
           lambda k: rat(k, "direct", "stream", 0.8, "body_mb_s"),
           who=("floor-tcp", "floor-unix"))
    target("100 MB stream ≥ 0.8× the null relay on the same transport "
           "(proposed for TCP)",
           lambda k: rat(k, FLOOR_OF[k], "stream", 0.8, "body_mb_s"))

    def rss(key, limit_kb):
        def f(k):
            v = run.cost[k].get(key)
            return None if v is None else "%s %s" % (fmt_kb(int(v)),
                                                     mark(v <= limit_kb))
        return f
    def rss_glibc(k):
        v, pss = run.cost[k].get("rss_idle"), run.cost[k].get("pss_idle")
        if v is None:
            return None
        return "%s %s%s" % (fmt_kb(int(v)), mark(v <= 1024),
                            "" if pss is None else
                            " (PSS %s: most of the RSS is libc.so, shared)"
                            % fmt_kb(int(pss)))
    target("idle RSS ≤ 1 MB (./sockward, glibc dev build)", rss_glibc)
    if run.static_idle is not None:
        one("idle RSS ≤ 1 MB (sockward-static, musl: what the image ships)",
            "sockward-tcp", "%s %s" % (fmt_kb(run.static_idle),
                                       mark(run.static_idle <= 1024)))
    target("%d open `/events` ≤ 16 MB RSS" % run.nstreams,
           rss("rss_streams", 16384))
    if run.soak:
        s = run.soak
        one("no RSS growth over a %.0f s constant-load run" % run.soak_dur,
            "sockward-tcp", "%s → %s (%+d KB, %s req) %s"
            % (fmt_kb(s["base"]), fmt_kb(s["end"]), s["growth"],
               fmt_int(s["requests"]), mark(s["growth"] <= 0)))
    # Issue 14 brought TLS (wolfSSL) in and set the image's bound at 2 MB;
    # the 400 KB and 1 MB of before were for a binary without TLS.
    if sw:
        one("static binary ≤ 2 MB (with TLS)", "sockward-tcp", "%s %s" % (
            fmt_bytes(sw[0]), mark(sw[0] <= 2 * 1000 * 1000)))
    one("image ≤ 2 MB (with TLS)", "sockward-tcp", "%s %s" % (
        fmt_bytes(img), mark(img <= 2 * 1000 * 1000)) if img else "no image")
    return "\n".join(rows)


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "nproc": sh("nproc"),
        "cpu": model,
        "kernel": sh("uname -srm"),
        "mem": sh("awk '/MemTotal/ {printf \"%.1f GiB\", $2/1048576}' "
                  "/proc/meminfo"),
        "loadavg": sh("cut -d' ' -f1-3 /proc/loadavg"),
        "sockward": sh(SOCKWARD + " --version"),
        "haproxy": sh("haproxy -v | head -1"),
        "dockerd": sh("dockerd --version"),
        "docker_server": sh("docker version -f '{{.Server.Version}} (API "
                            "{{.Server.APIVersion}})' 2>/dev/null"),
        "containers": sh("docker ps -aq 2>/dev/null | wc -l"),
        "cc": sh("cc --version | head -1"),
        "revision": sh("cd %s && git rev-parse --short HEAD 2>/dev/null && "
                       "(git diff --quiet HEAD -- src 2>/dev/null || "
                       "echo '(+ uncommitted changes in src/)')"
                       % ROOT).replace("\n", " "),
    }


def write_svg(run, path, datadir):
    """Grouped bars: each proxy as % of direct; memory; events latency."""
    gp = shutil.which("gnuplot")
    if not gp:
        log("bench: gnuplot not found, no SVG")
        return False
    proxies = CONTENDERS[1:]
    scen = [("small c=1", "/_ping c=1"), ("small c=16", "/_ping c=16"),
            ("small c=256", "/_ping c=256"), ("medium c=16", "1.8KB c=16"),
            ("medium c=256", "1.8KB c=256"), ("large c=16", "200KB c=16"),
            ("stream", "100MB stream"), ("hijack", "hijack echo")]
    key = {"stream": "body_mb_s", "hijack": "mb_s"}
    d1 = os.path.join(datadir, "rel.dat")
    top = 100.0
    with open(d1, "w") as f:
        f.write("# scenario " + " ".join(proxies) + "\n")
        for s, label in scen:
            vals = []
            for p in proxies:
                x = ratio(run, p, "direct", s, key.get(s, "rps"))
                vals.append("NaN" if x is None else "%.1f" % (100 * x))
                if x is not None:
                    top = max(top, 100 * x)
            f.write('"%s" %s\n' % (label, " ".join(vals)))
    d2 = os.path.join(datadir, "mem.dat")
    with open(d2, "w") as f:
        f.write("# what " + " ".join(proxies) + "\n")
        for k, label in (("rss_idle", "idle"), ("rss_peak", "peak"),
                         ("rss_streams", "%d streams" % run.nstreams)):
            vals = []
            for p in proxies:
                v = run.cost[p].get(k)
                vals.append("NaN" if v is None else "%.2f" % (v / 1024))
            f.write('"%s" %s\n' % (label, " ".join(vals)))
    d3 = os.path.join(datadir, "ev.dat")
    with open(d3, "w") as f:
        f.write("# contender p50 p99\n")
        for p in CONTENDERS:
            r = run.res.get((p, "events"), {})
            if "p50_us" in r:
                f.write('"%s" %.3f %.3f\n' % (TITLES[p], r["p50_us"] / 1000,
                                              r["p99_us"] / 1000))
    colors = ["#bbbbbb", "#888888", "#7570b3", "#1b9e77", "#66c2a5", "#d95f02",
              "#e6ab02"]
    style = ("set style data histogram\nset style histogram cluster gap 1\n"
             "set style fill solid 0.9 border -1\nset boxwidth 0.9\n"
             "set key top right\nset grid ytics\n"
             "set datafile missing 'NaN'\n")
    plot = ", ".join("'%s' using %d:xtic(1) title '%s' lc rgb '%s'"
                     % ("%s", i + 2, TITLES[p], colors[i])
                     for i, p in enumerate(proxies))
    script = """
set terminal svg size 1100,1150 dynamic noenhanced font 'sans,12' background '#ffffff'
set output '%(out)s'
set multiplot layout 3,1 title "sockward benchmarks (%(mode)s): %(when)s"
%(style)s
set title 'Throughput as %% of direct-to-upstream (fake dockerd; higher is better)'
set ylabel '%% of direct'
set yrange [0:%(top).0f]
set xtics rotate by 0
set key outside right
set arrow 1 from graph 0, first 100 to graph 1, first 100 nohead dt 2 lc rgb '#555555'
set label 1 'direct = 100%%' at graph 0.01, first 100 offset 0,0.7
plot %(p1)s
unset arrow 1
unset label 1
set title 'Proxy memory, RSS in MB (lower is better)'
set ylabel 'MB'
set yrange [0:*]
plot %(p2)s
set title '/events delivery latency, %(n)d open streams (ms, log scale; lower is better)'
set ylabel 'ms'
set logscale y
set yrange [*:*]
plot '%(d3)s' using 2:xtic(1) title 'p50' lc rgb '#7570b3', '' using 3 title 'p99' lc rgb '#e7298a'
unset multiplot
""" % {"out": path, "mode": "quick" if run.quick else "full",
       "when": run.when, "style": style, "p1": plot % ((d1,) * len(proxies)),
       "p2": plot % ((d2,) * len(proxies)), "d3": d3, "top": top * 1.12, "n": run.nstreams}
    sp = os.path.join(datadir, "chart.gp")
    with open(sp, "w") as f:
        f.write(script)
    r = subprocess.run([gp, sp], capture_output=True, text=True)
    if r.returncode != 0:
        log("bench: gnuplot failed: " + r.stderr[-500:])
        return False
    return True


def wait_quiet(limit):
    """Full runs wait up to limit seconds for the 1-minute load average to
    drop below 1.5 (other jobs on a shared machine skew every number)."""
    t0 = time.time()
    while time.time() - t0 < limit:
        with open("/proc/loadavg") as f:
            la = float(f.read().split()[0])
        if la < 1.5:
            return
        log("bench: load average %.2f, waiting for a quieter machine "
            "(%.0f s left; BENCH_QUIET_WAIT=0 skips)"
            % (la, limit - (time.time() - t0)))
        time.sleep(15)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out-dir", help="where BENCHMARKS.md and "
                    "benchmarks.svg go (default docs/, or a temp dir with "
                    "--quick)")
    ap.add_argument("--command", default=None,
                    help="the command to record in the report")
    ap.add_argument("--only", choices=["real", "body", "filter",
                                       "events-rss", "rewrite", "tls",
                                       "metrics"],
                    help="real: just "
                    "the real-dockerd cell of issue 10 (GET /v1.41/"
                    "containers/json, c=8, 20 containers, medians of 3 "
                    "interleaved runs); body: just issue 12's body cell "
                    "(POST /v1.41/containers/create with bench/create-4k."
                    "json, judged and unjudged, %d alternating rounds of "
                    "%.0f s at c=1 and c=%d); filter: issue 13's "
                    "filtered/unfiltered GET of 200 containers (fake and "
                    "real dockerd); events-rss: %d filtered /events "
                    "streams, sockward's RSS; rewrite: make jrwbench; "
                    "tls: issue 14's TLS cell (handshakes/s and /_ping "
                    "keep-alive c=%d over tls://, tcp:// and stunnel4, "
                    "%d idle connections' RSS); "
                    "metrics: issue 14's /_ping c=16 with and without "
                    "--metrics, %d alternating rounds of %.0f s; "
                    "printed, no report written"
                    % (BODY_ROUNDS, BODY_DURATION, BODY_CONNS,
                       EVENTS_RSS_STREAMS, TLS_CONNS, TLS_IDLE,
                       METRICS_ROUNDS, METRICS_DURATION))
    ap.add_argument("--runs", type=int, default=None,
                    help="rounds (real: 3, body: %d)" % BODY_ROUNDS)
    ap.add_argument("--conns", type=int, default=None,
                    help="connections (real: 8, metrics: %d)"
                    % METRICS_CONNS)
    ap.add_argument("--containers", type=int, default=20)
    ap.add_argument("--duration", type=float, default=None,
                    help="seconds per run (real: 5, body: %.0f)"
                    % BODY_DURATION)
    ap.add_argument("--warmup", type=float, default=0.5)
    ap.add_argument("--contenders", default="direct,socat,floor-tcp,"
                    "sockward-tcp,sockward-unix",
                    help="real cell: comma-separated; alt:PATH is sockward "
                    "tcp run from the binary PATH")
    ap.add_argument("--keep", action="store_true",
                    help="real cell: leave the containers it started")
    ap.add_argument("--fake-only", action="store_true",
                    help="filter cell: skip the real dockerd")
    ap.add_argument("--streams", type=int, default=EVENTS_RSS_STREAMS,
                    help="events-rss: streams held open")
    ap.add_argument("--events", type=int, default=EVENTS_RSS_EVENTS,
                    help="events-rss: pushes")
    ap.add_argument("--idle", type=int, default=TLS_IDLE,
                    help="tls: idle connections held open for the RSS")
    a = ap.parse_args()
    if a.runs is None:
        a.runs = {"body": BODY_ROUNDS, "filter": FILTER_ROUNDS,
                  "tls": TLS_ROUNDS,
                  "metrics": METRICS_ROUNDS}.get(a.only, 3)
    if a.duration is None:
        a.duration = {"body": BODY_DURATION, "filter": FILTER_DURATION,
                      "tls": TLS_DURATION,
                      "metrics": METRICS_DURATION}.get(a.only, 5.0)
    if a.conns is None:
        a.conns = METRICS_CONNS if a.only == "metrics" else 8
    for f in (LOADGEN, FAKED, NULLRELAY, SOCKWARD):
        if not os.access(f, os.X_OK):
            log("bench: %s is missing: run through make" % f)
            return 1
    if "libasan" in sh("ldd " + SOCKWARD):
        log("bench: %s is a sanitizer build; run make sockward" % SOCKWARD)
        return 1
    if shutil.which("haproxy") is None and a.only in (None, "real"):
        log("bench: haproxy is not installed")
        return 1
    if os.cpu_count() < 2:
        log("bench: needs 2 CPUs for the pinning (loadgen on 0, server "
            "side on 1)")
        return 1
    if a.only == "real":
        return real_cell_main(a)
    if a.only == "body":
        return body_cell_main(a)
    if a.only == "metrics":
        return metrics_cell_main(a)
    if a.only in ("filter", "events-rss", "rewrite"):
        return issue13_main(a)
    if a.only == "tls":
        return tls_main(a)
    try:
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ValueError, OSError):
        pass

    out_dir = a.out_dir or (tempfile.mkdtemp(prefix="sockward-bench-out.")
                            if a.quick else os.path.join(ROOT, "docs"))
    os.makedirs(out_dir, exist_ok=True)
    command = a.command or ("make bench-quick" if a.quick else "make bench")
    tmp = bench_tmp()
    if not a.quick:
        wait_quiet(float(os.environ.get("BENCH_QUIET_WAIT", "300")))
    t0 = time.time()
    info = machine()
    run = Run(a.quick, tmp)
    run.when = datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%d %H:%M UTC")

    def on_signal(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_signal)
    try:
        run.go()
    except KeyboardInterrupt:
        failures.append("interrupted")
    finally:
        for p in procs:
            stop(p)
    info["loadavg_end"] = sh("cut -d' ' -f1-3 /proc/loadavg")
    sizes = binary_sizes()
    img = image_size()
    elapsed = time.time() - t0
    table = (build_table(run, sizes, img) + issue13_section(run)
             + tls_section(run.tls, run.tls_err, sizes, img)
             + metrics_section(run.metrics, run.metrics_err))
    svg = os.path.join(out_dir, "benchmarks.svg")
    svg_ok = write_svg(run, svg, tmp)
    md = os.path.join(out_dir, "BENCHMARKS.md")
    with open(md, "w") as f:
        f.write(report(run, info, table, command, elapsed, svg_ok))
    shutil.rmtree(tmp, ignore_errors=True)

    print(table)
    print()
    print("%s: %.0f s; report %s%s" % (command, elapsed, md,
                                      ", chart " + svg if svg_ok else ""))
    if failures:
        print("\nFAILED components:", file=sys.stderr)
        for f in failures:
            print("  " + f, file=sys.stderr)
        return 1
    return 0


def report(run, info, table, command, elapsed, svg_ok):
    q = run.quick
    lines = []
    w = lines.append
    w("# Benchmarks")
    w("")
    w("Generated by `%s` on %s in %.0f s. Every number below comes from "
      "that one run: the contenders were measured side by side, one after "
      "the other, on the same machine. Regenerate with `make bench` "
      "(about 16 minutes); `make bench-quick` (CI) runs the same code paths "
      "with tiny durations and writes its report to a temporary directory."
      % (command, run.when, elapsed))
    w("")
    w("## Machine and versions")
    w("")
    w("| | |")
    w("|---|---|")
    w("| CPUs (nproc) | %s |" % info["nproc"])
    w("| CPU model | %s |" % info["cpu"])
    w("| memory | %s |" % info["mem"])
    w("| kernel | %s |" % info["kernel"])
    w("| load average (1, 5, 15 min) at start / end | %s / %s |"
      % (info["loadavg"], info.get("loadavg_end", "?")))
    w("| sockward | %s, revision %s |" % (info["sockward"],
                                          info["revision"] or "unknown"))
    w("| haproxy | %s |" % info["haproxy"])
    w("| dockerd | %s; server %s; %s containers |"
      % (info["dockerd"], info["docker_server"] or "not answering",
         info["containers"] or "0"))
    w("| compiler | %s |" % info["cc"])
    w("| command | `%s` |" % command)
    w("")
    w("## Results")
    w("")
    w("Cells are *requests per second · latency p50 / p99* unless the row "
      "says otherwise. \"403 by policy\": that configuration refuses the "
      "call, so there is nothing to measure.")
    w("")
    w(table)
    w("")
    if svg_ok:
        w("![benchmark chart](benchmarks.svg)")
        w("")
    w("## How it is measured")
    w("")
    w("- **Contenders.** *direct*: the load generator talks to the upstream "
      "socket itself, the physical limit. *null relay tcp* / *null relay "
      "unix*: `bench/nullrelay.c`, one epoll thread that opens an upstream "
      "connection per client connection and forwards bytes both ways with "
      "no parsing, no policy and no log: the most any proxy can get on "
      "these cores, since it pays only for being a third process in the "
      "path; it copies through a 64 KiB buffer on TCP and splices through "
      "a pipe on unix, as sockward does (splicing into TCP measured slower "
      "than copying). *socat*: `socat TCP-LISTEN:PORT,fork,reuseaddr,"
      "backlog=1024 UNIX-CONNECT:<socket>` (socat's own listen backlog "
      "of 5 drops SYNs from 16 connections on, and each costs a 1 s "
      "retransmit), the plain relay people reach for: a "
      "process per connection, 8 KiB reads, no filtering, and no "
      "`TCP_NODELAY` on its TCP side (socat's default), so a response "
      "whose last segment is small can wait for the client's delayed ACK; "
      "its CPU counts its children, its memory rows are n/a (one process "
      "per connection). *sockward tcp* / *sockward unix*: "
      "`./sockward --listen tcp://127.0.0.1:PORT` or `--listen "
      "unix:///…/sockward.sock`, `--upstream <socket> %s`; the access log "
      "stays at the default level `info` and goes to stderr, which is "
      "redirected to `/dev/null`. *haproxy Tecnativa*: Debian's haproxy with "
      "`bench/haproxy-tecnativa.cfg`, Tecnativa docker-socket-proxy's "
      "haproxy.cfg with `CONTAINERS=1 POST=1` (plus the image defaults "
      "`EVENTS=1 PING=1 VERSION=1`). *haproxy seed*: `bench/haproxy-seed.cfg`, "
      "the seed project's haproxy.cfg (GET only, seven `/v1.24` paths). "
      "Both haproxy configs log every request to stdout (`option httplog`), "
      "redirected to `/dev/null`, and keep their `option http-server-close` "
      "(a new upstream connection per request) and error pages: Debian's "
      "`403.http` says `Connection: close`, so Tecnativa's deny closes the "
      "client connection and the load generator reconnects. Neither "
      "config sets `option http-no-delay`, so haproxy sends with MSG_MORE "
      "and the kernel may hold a small write on a TCP connection for up to "
      "about 200 ms: that is what its `/events` row shows."
      % " ".join("'%s'" % x if " " in x else x for x in SW_ARGS))
    w("- **Upstreams.** `bench/fakedockerd.c`: a single-threaded epoll fake "
      "of the Engine API on a unix socket with canned keep-alive answers "
      "(`/_ping`; `/containers/json` with one container, 1.8 KB, or with "
      "`all=1` 108 containers, 200 KB; `/containers/{id}/export`, 100 MB in "
      "32 KiB chunks; `/events`, a chunked stream that sends one event to "
      "every open stream on SIGUSR1, stamped with `timeNano`; `POST "
      "/containers/{id}/attach`, `101 UPGRADED` then an echo). The real "
      "dockerd at `%s` for `GET /v1.24/containers/json` (it lists %s "
      "containers) and for issue 10's cell: `GET %s` keep-alive c=8 with "
      "%d running containers of the FROM-scratch test image "
      "(`tests/fixtures/testbox.c`, label `%s=1`, started for the cell "
      "and removed after), every contender started at once and measured "
      "%d times round-robin, each round in an order rotated by one; the "
      "cell is the median run and the row below it lists every run, so "
      "the spread shows the noise. `python3 bench/bench.py --only real` "
      "runs just that cell (options `--runs`, `--duration`, "
      "`--contenders`, `alt:PATH` for another sockward binary) and also "
      "prints each contender's CPU and wakeups (voluntary context "
      "switches) per request."
      % (REAL_SOCK, info["containers"] or "0", REAL_PATH, REAL_N,
         REAL_LABEL, REAL_ROUNDS))
    w("- **Load generator.** `bench/loadgen.c`: one thread, epoll, "
      "keep-alive, N connections each with one request in flight, for a "
      "fixed time after a warm-up (%.1f s + %.1f s per cell here); latency "
      "from every request's own send and receive times, sorted; p50 and p99 "
      "over all requests sent in the measured window. The stream row is the "
      "body bytes over the summed transfer times of back-to-back 100 MB "
      "responses (%.0f s). The hijack row pumps 64 KiB writes with at most "
      "1 MiB in flight for %.0f s and counts the echoed bytes. The events "
      "row opens %d `GET /events` streams, waits for every head, then "
      "pushes %d events 50 ms apart and takes, for every event on every "
      "stream, the time from the fake daemon's `timeNano` to the load "
      "generator parsing the line."
      % (run.warm, run.dur, run.stream_dur, run.hijack_dur, run.nstreams,
         run.nevents))
    w("- **Request bodies (issue 12).** Two sockward tcp listeners, both "
      "`--profile watchtower` against the fake upstream, one judging bodies "
      "with the built-in policy and one with `--body-policy off` (the body "
      "forwarded as it streams, unjudged); the load generator POSTs "
      "`%s` with `bench/create-4k.json` (a compose-like create body: 20 "
      "env entries, compose and traefik labels, named-volume binds and "
      "mounts, a health check, one network endpoint; the policy allows it) "
      "and a `Content-Length`; the fake answers `201` once it has read the "
      "whole body, as dockerd does. Both run %d rounds of %.1f s at c=1 and "
      "at c=%d, judged first in odd rounds and unjudged first in even ones; "
      "a cell is the median over the rounds, and the target compares the "
      "c=1 median p50s. A privileged variant of the body is sent first to "
      "prove the judged listener refuses it and the other forwards it. "
      "CPU per request is sockward's utime + stime over the cell; "
      "instructions per request come from callgrind (the difference "
      "between two runs of different lengths, so start-up cancels out; "
      "callgrind counts every iteration of a `rep` string instruction). "
      "*body_judge alone* is `bench/judgebench`: the same core objects as "
      "`./sockward`, judging the body in a loop on CPU %s, batches of about "
      "20 ms, the fastest and the median batch: the judging cost without "
      "the scheduling noise. "
      "`python3 bench/bench.py --only body` runs just this cell."
      % (BODY_PATH, run.body_rounds, run.body_dur, BODY_CONNS, CPU_PROXY))
    w("- **Response filtering (issue 13).** *filter*: two sockward tcp "
      "listeners against the same upstream, `%s` (the unlabelled half of "
      "the list dropped, endpoint `DriverOpts` redacted, the answer "
      "rewritten as it streams and sent chunked) and `%s` (no rewriting, "
      "forwarded with its length); `GET %s` at c=%d, %d alternating "
      "rounds; a first request through each checks that the filtered one "
      "returns only the labelled containers. Upstreams: fakedockerd's "
      "200-container list (~370 KB, every other container labelled), and "
      "the real dockerd with %d containers of the test image created for "
      "the cell (`docker create`, never started, every other one "
      "labelled, removed after). *events-rss*: %d `/events` streams "
      "through `--profile traefik --visible-label %s=1` from a fakedockerd "
      "started with `--mixed-events` (each push: an unlabelled "
      "container's event, then a labelled one's); every stream must get "
      "exactly the labelled ones; `VmRSS` idle, with every stream open, "
      "and after the pushes, beside the same through `--redact off`. "
      "*rewrite*: `make jrwbench` (`bench/jrwbench.c`), the rewriter "
      "alone. `python3 bench/bench.py --only filter|events-rss|rewrite` "
      "runs one of them."
      % (" ".join(FILTER_CONFIGS[0][1]), " ".join(FILTER_CONFIGS[1][1]),
         FILTER_PATH, FILTER_CONNS, run.filter_rounds, FILTER_N,
         run.nstreams, FILTER_LABEL))
    w("- **TLS (issue 14).** Against the fake upstream, every server on "
      "CPU %s: sockward `tls://127.0.0.1:PORT` with an ECDSA P-256 or an "
      "RSA 2048 server certificate (one P-256 CA signs both), "
      "`--tls-client-ca` and `SOCKWARD_CERT_CN=%s` (a client certificate "
      "is required and admitted by its CN); sockward `tcp://`; Debian's "
      "stunnel4 (OpenSSL, its defaults but `sslVersionMin = TLSv1.3`, "
      "`requireCert`, `verifyChain`, `TCP_NODELAY` on both sides) "
      "terminating TLS in front of that `tcp://` listener. Each TLS "
      "listener must first refuse a client without a certificate. The "
      "load generator speaks TLS 1.3 with wolfSSL (`--connect tls://`), "
      "verifies the server's certificate and name, presents an ECDSA "
      "P-256 client certificate and never resumes a session. "
      "*Handshakes/s*: each of %d connections loops on connect, handshake, "
      "`GET /_ping`, close (close_notify), latency from the connect to the "
      "end of the answer; on `tcp://` the same without TLS. *Keep-alive*: "
      "`/_ping` on %d kept connections. %d rounds of %.1f s, the order "
      "rotated each round, medians. Server CPU per request is utime + "
      "stime of sockward, plus stunnel's for the stunnel rows; loadgen "
      "CPU is the load generator's own (one thread, CPU %s): when it "
      "nears the run's duration per request, the client is the limit. "
      "*Idle*: %d connections opened one by one on fresh servers, one "
      "`/_ping` each (so each is known to be admitted), then held; "
      "`VmRSS` before and with all open. `python3 bench/bench.py --only "
      "tls` runs just this cell."
      % (CPU_PROXY, TLS_CN, TLS_CONNS, TLS_CONNS, run.tls_rounds,
         run.tls_dur, CPU_LOAD, run.tls_idle))
    w("- **Metrics (issue 14).** Two sockward tcp listeners on the fake "
      "upstream with the arguments of *sockward tcp*, one also with "
      "`--metrics tcp://127.0.0.1:PORT`, which a thread scrapes with `GET "
      "/metrics` every %.0f s while its rounds run; `GET /_ping` at c=%d, "
      "%d rounds of %.1f s, the two alternating (the first to run swaps "
      "each round); the ratio of the median req/s. Instructions per "
      "request from callgrind as for the body cell, without scrapes (a "
      "scrape's cost is per scrape, not per request). `python3 "
      "bench/bench.py --only metrics` runs just this cell."
      % (METRICS_SCRAPE_S, METRICS_CONNS, run.metrics_rounds,
         run.metrics_dur))
    w("- **Pinning.** On this 2-core machine the load generator runs on "
      "CPU 0 (`taskset -c 0`) and the server side on CPU 1 (`taskset -c "
      "1`): the proxy and the fake upstream (%s). So every column, *direct* "
      "included, has exactly one cross-core hop (client to server side), "
      "and a proxy's cost shows as the CPU it takes from the core it shares "
      "with the upstream. (With the fake on the load generator's core, "
      "`BENCH_FAKE_CPU=0`, *direct* becomes a same-core ping-pong with no "
      "cross-core wakeup at all, while a proxied request crosses cores four "
      "times; on this VM that makes every proxy look several times worse "
      "against *direct* without changing the order among proxies.) haproxy, "
      "confined to one CPU, starts one thread, like sockward's one event "
      "loop. The real dockerd is a system service and is not pinned: it "
      "runs on both cores."
      % ("here on CPU %s" % CPU_FAKE))
    w("- **Cost.** CPU is utime + stime of the proxy process from "
      "`/proc/PID/stat` across the cell, over every request answered in it "
      "(warm-up included). RSS idle is `VmRSS` 0.3 s after start, before "
      "any request; RSS peak is `VmHWM` at the end of the fake-upstream "
      "cells; RSS with open streams is `VmRSS` read while all the `/events` "
      "streams are open, before any event. Binary size: `sockward-static` "
      "(`make static`, musl, stripped) or else `./sockward` stripped; "
      "haproxy's binary plus every library `ldd` lists. Image size: "
      "`docker image inspect sockward:local`, when that image exists "
      "(`make image`).")
    w("- **RSS growth.** sockward tcp, after all its other cells, takes "
      "%.0f s of constant load (16 connections cycling `/_ping`, 1.8 KB, "
      "200 KB and a denied call); `VmRSS` is sampled every 0.25 s; growth is "
      "the largest sample in the last 20 %% minus the first sample after "
      "20 %%." % run.soak_dur)
    w("- **Targets** are ratios between columns of this same run, never "
      "absolute numbers typed in; ✓/✗ is informational and never fails the "
      "command. The exit status is non-zero only when a component failed to "
      "build, start or run.")
    w("- Other processes may run on a shared machine; the load average "
      "above says how busy it was when the run started.")
    w("")
    if failures:
        w("## Failures in this run")
        w("")
        for f in failures:
            w("- " + f)
        w("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
