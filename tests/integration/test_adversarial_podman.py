"""The adversarial corpus's live-daemon harness with Podman as the upstream
(issue 15): a private `podman system service` (podmanutil: its own root,
runroot, tmpdir and socket, vfs storage) instead of dockerd.

Canaries, made directly on podman before the corpus: a running container
named like dockerd's canary, whose Env (and so podman's CreateCommand)
holds a random secret token; an exited container that printed the token
(its logs); a secret whose data is the token; a volume; an empty pod.
Every `live` case is sent through a sockward on podman's socket with the
case's policy.  Checked, as for dockerd: denies and rejects as the manifest
says; every 2xx answer is for a request line `sockward explain` allows; each
forwarded request recorded by harness 1 (test_adversarial.py, when it ran in
this session) gets the same status from podman directly; the raw bytes of
each all-allowed case get the same statuses directly; the encoded variants
(dockerd's and libpod ones) are refused or answered as podman answers them.
Stricter than with dockerd: no answer may carry the token, and the daemon is
private, so any new container, pod, volume, image, network or secret is a
bypass, as is a changed canary (killed, restarted, renamed, removed).

The last test prints `adversarial on podman: N cases, B bypasses`."""

import sys
import uuid

import pytest

from conftest import Sockward
import podmanutil
import test_adversarial as plain
from test_adversarial import CASES

LIVE = {"ran": 0, "errors": [], "bypasses": [], "variants": {}, "notes": []}

CANARY = plain.CANARY
LOGS_CANARY = CANARY + "-logs"
SECRET = "sockward-adv-secret"
POD = "sockward-adv-pod"
LP = "/v4.3.1/libpod"
C = CANARY.encode()

# Encoded and prefixed libpod variants of the exfiltration routes, and the
# inspect answers whose redaction the token check covers.
LIBPOD_VARIANTS = [
    b"/libpod/_ping",
    b"/libpod/_ping/",
    b"//libpod/_ping",
    b"/v4.3.1/%6cibpod/_ping",
    b"/v4.3.1.1/libpod/_ping",
    b"/v4.3.1/LIBPOD/_ping",
    b"/LIBPOD/_ping",
    b"/v4.3.1/libpod/../libpod/_ping",
    b"/v4.3.1/libpod/info",
    b"/libpod/info",
    b"/v4.3.1/containers/json",
    b"/v4.3.1/libpod/containers/" + C + b"/export",
    b"/libpod/containers/" + C + b"/export",
    b"/v4.3.1/libpod/containers/" + C + b"%2Fexport",
    b"/v4.3.1/libpod/containers/" + C + b"/%65xport",
    b"/v04.3.1/libpod/containers/" + C + b"/export",
    b"/v4.3/libpod/containers/" + C + b"/export",
    b"/v4.3.1/libpod/containers/" + C + b"-logs/logs?stdout=true",
    b"/v4.3.1/%6cibpod/containers/" + C + b"-logs/logs?stdout=true",
    b"/v1.41/containers/" + C + b"-logs/logs?stdout=1",
    b"/v4.3.1/libpod/secrets/" + SECRET.encode() + b"/json?showsecret=true",
    b"/v4.3.1/libpod/secrets/json",
    b"/v4.3.1/libpod/generate/kube?names=" + C,
    b"/v4.3.1/libpod/generate/" + C + b"/systemd",
    b"/v4.3.1/libpod/containers/" + C + b"/json",
    b"/libpod/containers/" + C + b"/json",
    b"/v1.41/containers/" + C + b"/json",
    b"/v4.3.1/libpod/pods/" + POD.encode() + b"/json",
    b"/v4.3.1/libpod/containers/json?all=true",
]


class Podman:
    """Harness 2's daemon: a private podman service with the canaries."""
    name = "podman"
    strict_new = True
    # podman's router matches the path as sent (mux UseEncodedPath): an
    # encoded target it answers 404 or 405 is not what sockward forwards
    # (the decoded canonical form), so compare with podman's answer to that
    routes_decoded = False
    variants = plain.VARIANTS + LIBPOD_VARIANTS
    variant_profiles = ("--profile traefik", "--profile readonly", "--profile podman-readonly")

    def __init__(self, svc):
        self.svc = svc
        self.sock = svc.sock
        self.secret = ("swadvsecret" + uuid.uuid4().hex).encode()
        tok = self.secret.decode()
        image = svc.import_testbox()
        svc.cli("run", "-d", "--name", CANARY, "--label", "sockward-adversarial=canary",
                "--env", "SOCKWARD_ADV_SECRET=" + tok, image, "/testbox")
        # the token comes in on stdin: in argv it would show in every list
        svc.cli("run", "-i", "--name", LOGS_CANARY, "--label", "sockward-adversarial=canary",
                image, "/testbox", "cat", stdin=tok + "\n")
        svc.cli("volume", "create", CANARY)
        svc.cli("pod", "create", "--infra=false", "--name", POD)
        with open(svc.dir + "/secret", "w") as f:
            f.write(tok)
        svc.cli("secret", "create", SECRET, svc.dir + "/secret")
        # the canaries must hold the token where the corpus looks for it, or
        # the leak check proves nothing
        logs = svc.get(LP + "/containers/%s/logs?stdout=true" % LOGS_CANARY)
        assert self.secret in logs.body, logs
        ins = svc.get(LP + "/containers/%s/json" % CANARY)
        assert ins.body.count(self.secret) >= 2, "Env and CreateCommand: %r" % ins.body[:300]

    def state(self):
        st = self.svc.state()
        # harness 2 compares containers as (id, state) pairs
        st["containers"] = [(c[0], c[1:]) for c in st["containers"]]
        return st

    def canary_state(self):
        out = []
        for name in (CANARY, LOGS_CANARY):
            j = self.svc.get_json(LP + "/containers/%s/json" % name)
            s = j["State"]
            out.append((j["Id"], j["Name"], s["Status"], s["Pid"], s["StartedAt"],
                        s["FinishedAt"], j.get("RestartCount")))
        return out


@pytest.fixture(scope="module")
def podman():
    why = podmanutil.available()
    if why:
        pytest.skip(why)
    svc = podmanutil.PodmanService(prefix="swadvpod")
    try:
        yield Podman(svc)
    finally:
        svc.stop()


def test_live_podman(podman, tmp_path):
    plain._run_live(None, tmp_path, lambda args, d: Sockward(args, d, upstream=podman.sock),
                    LIVE, up=podman)
    LIVE["compared"] = bool(plain.RECORDED)


def test_adversarial_podman_summary(capsys):
    if not LIVE["ran"]:
        pytest.skip("the corpus did not run against podman in this session")
    n = len(CASES)
    by = {b.split(":", 1)[0] for b in LIVE["bypasses"]}
    with capsys.disabled():
        out = sys.stdout
        out.write("\n")
        for target, row in LIVE["variants"].items():
            out.write("adversarial on podman: variant GET %s: %s\n" % (target, "; ".join(row)))
        for s in LIVE["notes"]:
            out.write("adversarial on podman: note: %s\n" % s)
        out.write("adversarial on podman: %d cases live, %d canonical and %d raw requests compared "
                  "with podman directly%s, %d errors\n"
                  % (LIVE["ran"], LIVE.get("differential", 0), LIVE.get("raw_direct", 0),
                     "" if LIVE.get("compared") else
                     " (harness 1 did not run in this session: no canonical ones)",
                     len(LIVE["errors"])))
        out.write("adversarial on podman: %d cases, %d bypasses\n" % (n, len(by)))
        out.flush()
    assert not by, "bypasses on podman: %r" % sorted(by)
