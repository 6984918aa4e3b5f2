"""The adversarial corpus (tests/adversarial/, see its README.md) against
sockward, twice:

1. against a strict recording upstream: every case's outcome as the manifest
   says, and the upstream receives exactly the requests the policy judged
   allowed, in canonical form (request line, no hop-by-hop or method-override
   fields, one Host, CL/TE re-framed);
2. against the real dockerd with a canary container: the daemon's state is
   unchanged after the whole corpus, every 2xx answer is for a call the
   policy allows (`sockward explain`), every allowed case gets the status
   dockerd gives its canonical form directly, and encoded variants dockerd
   accepts are refused by sockward rather than read differently.

The last test prints `adversarial: N cases, B bypasses`.
test_adversarial_tls.py runs both harnesses again through a tls://
listener, and compares with what this module saw."""

import os
import shutil
import subprocess
import sys
import re
import tempfile
import time
import types

import docker
import pytest

from conftest import (DOCKER_SOCK, RUN_LABEL, RUN_ID, SOCKWARD_BIN, TEST_IMAGE, TEST_LABEL,
                      Conn, Sockward, daemon_state, request)
import adversarial_lib as al

CASES = al.load_corpus()
CANARY = "sockward-adv-canary"

# Shared between the tests of this module (pytest runs them in file order).
RESULTS = {}          # case name -> list of error strings (harness 1)
BYPASSES = {}         # case name -> errors that break the upstream invariant
RECORDED = {}         # case name -> [raw bytes of each forwarded request]
VERDICTS = {}         # case name -> what the client saw, per response (harness 1)
LIVE = {"ran": 0, "errors": [], "bypasses": [], "variants": {}, "notes": []}


def _verdicts(got):
    """What the client saw: each response's status, or "closed"."""
    return [r.status if not isinstance(r, Exception) else "closed" for _, r in got]


# --------------------------------------------------------------------------
# Harness 1: recording upstream
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def recorded_proxies(tmp_path_factory):
    d = tempfile.mkdtemp(prefix="swadv")
    rec = al.StrictRecorder(os.path.join(d, "up.sock"))
    logdir = str(tmp_path_factory.mktemp("swadv"))
    procs = {}

    def get(case):
        if case.args_text not in procs:
            procs[case.args_text] = Sockward(case.args, logdir, upstream=rec.path)
        return procs[case.args_text], rec

    yield get
    errors = []
    for sw in procs.values():
        try:
            sw.stop()
        except AssertionError as e:
            errors.append(str(e))
    rec.close()
    shutil.rmtree(d, ignore_errors=True)
    assert not errors, "\n".join(errors)


def test_corpus_is_well_formed():
    assert len(CASES) >= 200, len(CASES)
    names = [c.name.split("-", 1)[1] for c in CASES]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_recorded(recorded_proxies, case):
    sw, rec = recorded_proxies(case)
    rec.reset()
    got, client_errors = al.exchange(sw.addr, case)
    reqs, up_errors = al.check_upstream(case, rec)
    RECORDED[case.name] = [r.raw for r in reqs]
    VERDICTS[case.name] = _verdicts(got)
    errors = client_errors + up_errors
    # A bypass: something reached the upstream that the manifest says was
    # not judged allowed, or not in the canonical form.
    if up_errors:
        BYPASSES[case.name] = up_errors
    if not sw.alive():
        errors.append("sockward died")
    RESULTS[case.name] = errors
    assert not errors, "%s (%s)\nrequest %r\n%s\nsockward log tail:\n%s" % (
        case.name, case.args_text, case.req[:600], "\n".join(errors), sw.log()[-1500:])


# --------------------------------------------------------------------------
# Harness 2: real dockerd with a canary
# --------------------------------------------------------------------------

# Encoded variants: what dockerd does with them directly, and sockward must
# either refuse them (400/403) or give exactly dockerd's answer to the same
# canonical path.
VARIANTS = [
    b"/v1.41/%69nfo",
    b"/containers%2Fjson",
    b"/v1.41/containers%2fjson",
    b"/%5f%70ing",
    b"//_ping",
    b"/v1.41//_ping",
    b"/containers/json/",
    b"/_ping/",
    b"/containers/../_ping",
    b"/containers/%2e%2e/_ping",
    b"/%2e%2e/info",
    b"/info%3F",
    b"/_ping%00",
    b"/v1.41/containers/" + CANARY.encode() + b"%2Fjson",
    b"/v1.41/containers/" + CANARY.encode() + b"%2Flogs?stdout=1",
    b"/v1.41/containers/%252e%252e/json",
    b"/v1.41/v1.41/_ping",
    b"/V1.41/_ping",
    b"/v1/_ping",
    b"/v1.41.0/_ping",
    b"/containers/" + CANARY.encode() + b"/logs;x?stdout=1",
    b"/containers/" + CANARY.encode() + b"/LOGS?stdout=1",
    b"/v1.41/v1.41/containers/" + CANARY.encode() + b"/logs?stdout=1",
    b"/images/sockward-testbox%3Atest/get",
    b"/containers/" + CANARY.encode() + b"/json\\..\\logs",
]


def _explain(args, method, target, cache={}):
    key = (tuple(args), method, target)
    if key not in cache:
        p = subprocess.run([SOCKWARD_BIN, "explain"] + list(args) + [method, target],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
        cache[key] = p.returncode
    return cache[key] == 0


def _forwarded_as(args, method, target, cache={}):
    """The target sockward forwards for this request (`sockward explain`'s
    "forwarded as:" line), or None when it refuses it."""
    key = (tuple(args), method, target)
    if key not in cache:
        p = subprocess.run([SOCKWARD_BIN, "explain"] + list(args) + [method, target],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
        m = re.search(r"^\s*forwarded as: \S+ (\S+)$", p.stdout.decode("latin-1"), re.M)
        cache[key] = m.group(1) if p.returncode == 0 and m else None
    return cache[key]


def _status(resp):
    return resp.status if not isinstance(resp, Exception) else None


def _sent_line(raw):
    parts = raw.split(b"\r\n", 1)[0].split(b" ")
    return parts[0].decode("latin-1"), parts[1].decode("latin-1") if len(parts) > 1 else ""


def _leaks(up, case, r, bypasses):
    """A response that carries one of the upstream's secrets (podman's canary
    holds a token in Env and CreateCommand, and printed it to its log)."""
    if up is None or isinstance(r, Exception):
        return
    data = (r.raw_head or b"") + (r.body or b"")
    for secret in up.secrets:
        if secret in data:
            bypasses.append("%s: the answer (%d) carries the secret %r" % (case.name, r.status, secret))


def _live_case(sw, case, errors, bypasses, live=LIVE, up=None):
    """One case against the proxy in front of the real daemon."""
    with sw.conn(8) as c:
        try:
            c.send(case.req)
        except OSError as e:
            errors.append("%s: send failed %r" % (case.name, e))
            return
        n = 0
        for kind, arg in case.outcomes:
            method = al.outcome_method(case, kind, arg, n)
            n += 1
            r = al.read_response_or_none(c, method)
            _leaks(up, case, r, bypasses)
            if kind in ("abort", "any"):
                if not isinstance(r, Exception) and 200 <= r.status < 300 and kind == "any":
                    if not _explain(case.args, "GET", "/_ping"):
                        bypasses.append("%s: 2xx for a call the policy denies" % case.name)
                break
            if isinstance(r, Exception):
                errors.append("%s: %s %s: no response (%r)" % (case.name, kind, arg, r))
                return
            if kind == "continue":
                if r.status != 100:
                    errors.append("%s: expected 100, got %r" % (case.name, r))
                    return
                continue
            if kind == "deny":
                if 200 <= r.status < 300:
                    bypasses.append("%s: denied call answered %d" % (case.name, r.status))
                if not al.is_sockward_error(r, 403):
                    errors.append("%s: expected 403, got %r" % (case.name, r))
            elif kind == "reject":
                if 200 <= r.status < 300:
                    bypasses.append("%s: rejected request answered %d" % (case.name, r.status))
                if not al.is_sockward_error(r, arg):
                    errors.append("%s: expected %d, got %r" % (case.name, arg, r))
            elif kind == "forward":
                m, target = arg.split(" ")[:2]
                if 200 <= r.status < 300 and not _explain(case.args, m, target):
                    bypasses.append("%s: %d for %s, which the policy does not allow" % (
                        case.name, r.status, arg))
                case_status = live.setdefault("status", {})
                case_status.setdefault(case.name, []).append(r.status)


def _differential(case, errors, live=LIVE, sock=DOCKER_SOCK, name="dockerd"):
    """Each forwarded request of harness 1, sent directly to the daemon, must
    get the status sockward's answer had."""
    statuses = live.get("status", {}).get(case.name, [])
    raws = RECORDED.get(case.name, [])
    for raw, st in zip(raws, statuses):
        if al.HIJACK_RE.match(raw):
            continue
        method, _ = _sent_line(raw)
        d = request(sock, raw, method=method, timeout=8)
        live["differential"] = live.get("differential", 0) + 1
        if d.status != st:
            errors.append("%s: differential: %s answers %r directly with %d, through sockward %d"
                          % (case.name, name, raw.split(b"\r\n")[0], d.status, st))


def _raw_direct(case, errors, live=LIVE, sock=DOCKER_SOCK, name="dockerd", routes_decoded=True):
    """A case whose every request sockward allows, sent as raw bytes directly
    to dockerd, must get the statuses it got through sockward: sockward judged
    the path dockerd routes.  (Cases with Expect or HTTP/1.0 differ in
    framing only, and are left out.)"""
    statuses = live.get("status", {}).get(case.name, [])
    if not statuses or any(k != "forward" for k, _ in case.outcomes) or \
            b"\r\nExpect:" in case.req or b" HTTP/1.0\r\n" in case.req:
        return
    if not routes_decoded and re.search(rb"^[A-Z]+ \S*%", case.req, re.M):
        # a daemon that routes the encoded path (podman) gets the decoded
        # form from sockward: _differential compares that one
        live["raw_skipped"] = live.get("raw_skipped", 0) + 1
        return
    with Conn(sock, 8) as c:
        c.send(case.req)
        for (kind, arg), st in zip(case.outcomes, statuses):
            d = al.read_response_or_none(c, arg.split(" ", 1)[0])
            live["raw_direct"] = live.get("raw_direct", 0) + 1
            if isinstance(d, Exception) or d.status != st:
                errors.append("%s: raw bytes directly to %s: %r, through sockward %d (%s)"
                              % (case.name, name, d if isinstance(d, Exception) else d.status, st, arg))
                return


def _canary_state(dclient):
    ct = dclient.containers.get(CANARY)
    st = ct.attrs["State"]
    return (ct.id, st["Running"], st["Pid"], st["StartedAt"], ct.attrs["RestartCount"])


@pytest.fixture(scope="module")
def canary(dclient, testbox_image):
    try:
        dclient.containers.get(CANARY).remove(force=True)
    except docker.errors.NotFound:
        pass
    ct = dclient.containers.create(TEST_IMAGE, command=["/testbox"], name=CANARY, network_mode="none",
                                   labels={TEST_LABEL: "1", RUN_LABEL: RUN_ID,
                                           "sockward-adversarial": "canary"})
    ct.start()
    yield ct
    try:
        ct.remove(force=True)
    except docker.errors.APIError:
        pass


class Dockerd:
    """Harness 2's daemon: the real dockerd, shared with other sessions (new
    objects are only noted), and the encoded variants under two profiles."""
    name = "dockerd"
    sock = DOCKER_SOCK
    routes_decoded = True       # dockerd decodes the path before routing
    secrets = ()
    strict_new = False
    variants = VARIANTS
    variant_profiles = ("--profile traefik", "--profile readonly")

    def __init__(self, dclient):
        self.dclient = dclient

    def state(self):
        return daemon_state(self.dclient)

    def canary_state(self):
        return _canary_state(self.dclient)


def _run_live(dclient, tmp_path, start, live, compare=True, up=None):
    """Harness 2 with the sockwards start(args, logdir) makes, in front of
    up (a Dockerd or test_adversarial_podman's Podman); results in live.
    compare: also send each forwarded request (harness 1's recording)
    directly to the daemon and compare."""
    up = up or Dockerd(dclient)
    before = up.state()
    canary_before = up.canary_state()
    errors, bypasses = [], []
    procs = {}
    try:
        for case in CASES:
            if not case.live:
                continue
            if case.args_text not in procs:
                procs[case.args_text] = start(case.args, str(tmp_path))
            live["ran"] += 1
            _live_case(procs[case.args_text], case, errors, bypasses, live, up)
        for case in CASES:
            if compare and case.live and [k for k, _ in case.outcomes if k == "forward"]:
                _differential(case, errors, live, up.sock, up.name)
                _raw_direct(case, errors, live, up.sock, up.name, up.routes_decoded)
        # encoded variants: refused by sockward, or the same answer as the daemon
        for args_text in up.variant_profiles:
            args = args_text.split()
            if args_text not in procs:
                procs[args_text] = start(args, str(tmp_path))
            for target in up.variants:
                data = b"GET " + target + b" HTTP/1.1\r\nHost: docker\r\n\r\n"
                d = request(up.sock, data, timeout=8)
                s = procs[args_text].request(data, timeout=8)
                _leaks(up, types.SimpleNamespace(name="variant " + target.decode("latin-1")), s, bypasses)
                row = live["variants"].setdefault(target.decode("latin-1"), ["%s %d" % (up.name, d.status)])
                if al.is_sockward_error(s, 400) or al.is_sockward_error(s, 403):
                    row.append("%s refuses %d" % (args[1], s.status))
                    continue
                fwd_as = _forwarded_as(args, "GET", target.decode("latin-1"))
                if not up.routes_decoded and fwd_as and fwd_as.encode() != target:
                    # the daemon routes the encoded form: what counts is its
                    # answer to the canonical form sockward sends
                    d = request(up.sock, b"GET " + fwd_as.encode() + b" HTTP/1.1\r\nHost: docker\r\n\r\n",
                                timeout=8)
                    row.append("%s forwards %s (%s answers that %d)" % (args[1], fwd_as, up.name, d.status))
                if s.status != d.status:
                    bypasses.append("%s GET %s: %s %d, through sockward %d: read differently" % (
                        args_text, target.decode("latin-1"), up.name, d.status, s.status))
                elif 200 <= s.status < 300 and not _explain(args, "GET", target.decode("latin-1")):
                    bypasses.append("%s GET %s: %d but explain denies" % (args_text, target, s.status))
                else:
                    row.append("%s forwards (%d, same as %s)" % (args[1], s.status, up.name))
    finally:
        for sw in procs.values():
            sw.stop()
    time.sleep(0.2)
    after = up.state()
    canary_after = up.canary_state()
    if canary_after != canary_before:
        bypasses.append("canary changed: %r -> %r" % (canary_before, canary_after))
    for k in before:
        gone = set(before[k]) - set(after[k])
        new = set(after[k]) - set(before[k])
        if k == "containers":
            # a state change shows as a removed (id, state) and a new one
            gone_ids = {i for i, _ in gone}
            new_ids = {i for i, _ in new}
            if gone_ids:
                bypasses.append("containers changed or removed: %r" % sorted(gone))
            new = {i for i in new_ids - gone_ids}
        elif gone:
            bypasses.append("%s removed during the corpus: %r" % (k, sorted(gone)))
        if new and up.strict_new:
            # a private daemon: nothing but the corpus talks to it
            bypasses.append("%s created during the corpus: %r" % (k, sorted(new)))
        elif new:
            # the corpus names only the canary and sockward-adv objects; other
            # sessions may create objects concurrently, so new ones are noted
            live["notes"].append("%s appeared during the corpus (another session?): %r" % (k, sorted(new)))
    live["errors"] = errors
    live["bypasses"] = bypasses
    assert not bypasses, "BYPASS:\n" + "\n".join(bypasses)
    assert not errors, "\n".join(errors)


def test_live_dockerd(dclient, canary, tmp_path):
    _run_live(dclient, tmp_path, lambda args, d: Sockward(args, d), LIVE)


def test_adversarial_summary(capsys):
    if not RESULTS:
        pytest.skip("the corpus did not run in this session")
    n = len(CASES)
    by = set(BYPASSES) | {b.split(":", 1)[0] for b in LIVE["bypasses"]}
    failed = sorted(k for k, v in RESULTS.items() if v)
    with capsys.disabled():
        _summary(n, by, failed)
    assert not by, "bypasses: %r" % sorted(by)
    assert len(RESULTS) == n, "not every case ran in harness 1"


def _summary(n, by, failed):
    out = sys.stdout
    out.write("\n")
    for target, row in LIVE["variants"].items():
        out.write("adversarial: variant GET %s: %s\n" % (target, "; ".join(row)))
    for s in LIVE["notes"]:
        out.write("adversarial: note: %s\n" % s)
    out.write("adversarial: harness 1 (recording upstream): %d/%d cases ran, %d failed; "
              "harness 2 (dockerd): %d cases live, %d canonical and %d raw requests compared "
              "with dockerd directly, %d errors\n"
              % (len(RESULTS), n, len(failed), LIVE["ran"], LIVE.get("differential", 0),
                 LIVE.get("raw_direct", 0), len(LIVE["errors"])))
    out.write("adversarial: %d cases, %d bypasses\n" % (n, len(by)))
    out.flush()
