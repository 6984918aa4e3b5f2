"""The adversarial corpus's live-daemon harness with Podman as the upstream
(issue 15): a private `podman system service` (podmanutil: its own root,
runroot, tmpdir and socket, vfs storage) instead of dockerd.

Canaries, made directly on podman before the corpus, besides podmanutil's
objects (its container holds a secret in Env, its secret has a value): a
running container named like dockerd's canary, whose Env (and so podman's
CreateCommand) holds a random token; an exited container that printed the
token (its logs); a secret whose data is the token; a volume whose options
hold it; an empty pod whose CreateCommand names it.
The service is this module's own (the session's `podman` is shared with
test_podman.py, whose tests create objects).
Every `live` case is sent through a sockward on podman's socket with the
case's policy.  Checked, as for dockerd: denies and rejects as the manifest
says; every 2xx answer is for a request line `sockward explain` allows; each
forwarded request recorded by harness 1 (test_adversarial.py, when it ran in
this session) gets the same status from podman directly; the raw bytes of
each all-allowed case get the same statuses directly; the encoded variants
(dockerd's and libpod ones) are refused or answered as podman answers them.
Encoded targets: podman routes the path as sent (mux UseEncodedPath) while
sockward forwards the decoded canonical form, so a variant is compared with
podman's answer to that form, and raw bytes with a %-escape are not sent
directly.  Stricter than with dockerd: no answer may carry one of the
secrets (so the libpod inspect must be redacted), and the daemon is
private, so any new container, pod, volume, image, network or secret is a
bypass, as is a changed canary (killed, restarted, renamed, removed).

The last test prints `adversarial on podman: N cases, B bypasses`."""

import os
import subprocess
import sys
import uuid

import pytest

from conftest import FIXTURES, Sockward
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
    b"/v1.41/volumes",
    b"/v1.41/volumes/" + C,
    b"/v4.3.1/libpod/volumes/json",
    b"/v4.3.1/libpod/volumes/" + C + b"/json",
]


class Podman:
    """Harness 2's daemon: a private podman service (podmanutil, with its
    own objects) plus this module's canaries."""
    name = "podman"
    strict_new = True
    # podman's router matches the path as sent (mux UseEncodedPath): an
    # encoded target it answers 404 or 405 is not what sockward forwards
    # (the decoded canonical form), so compare with podman's answer to that
    routes_decoded = False
    variants = plain.VARIANTS + LIBPOD_VARIANTS
    variant_profiles = ("--profile traefik", "--profile readonly", "--profile podman-readonly")

    def __init__(self, pm):
        self.pm = pm
        self.sock = pm.sock
        self.secret = ("swadvsecret" + uuid.uuid4().hex).encode()
        # podmanutil's own secrets: its container's Env value and secret data
        self.secrets = [self.secret, podmanutil.ENV_SECRET.encode(), podmanutil.SECRET_VALUE.encode()]
        tok = self.secret.decode()
        image = podmanutil.IMAGE
        # made by the CLI, so that CreateCommand holds the token too
        self._cli("run", "-d", "--name", CANARY, "--label", "sockward-adversarial=canary",
                  "--env", "SOCKWARD_ADV_SECRET=" + tok, image, "/testbox")
        # the token comes in on stdin: in argv it would show in every list
        self._cli("run", "-i", "--name", LOGS_CANARY, "--label", "sockward-adversarial=canary",
                  image, "/testbox", "cat", stdin=tok + "\n")
        # never mounted: its options only have to be stored (and redacted)
        self._cli("volume", "create", "--opt", "type=tmpfs", "--opt", "device=tmpfs",
                  "--opt", "o=uid=0,context=" + tok, CANARY)
        # an empty label file named after the token: only the pod's
        # CreateCommand names it
        labels = os.path.join(pm.dir, tok)
        open(labels, "w").close()
        self._cli("pod", "create", "--infra=false", "--label-file", labels, "--name", POD)
        path = os.path.join(pm.dir, "adv-secret")
        with open(path, "w") as f:
            f.write(tok)
        self._cli("secret", "create", SECRET, path)
        # the canaries must hold the token where the corpus looks for it, or
        # the leak check proves nothing
        logs = pm.api("GET", LP + "/containers/%s/logs?stdout=true" % LOGS_CANARY)
        assert self.secret in logs.body, logs
        ins = pm.api("GET", LP + "/containers/%s/json" % CANARY)
        assert ins.body.count(self.secret) >= 2, "Env and CreateCommand: %r" % ins.body[:300]
        for path in ("/pods/%s/json" % POD, "/volumes/%s/json" % CANARY):
            r = pm.api("GET", LP + path)
            assert self.secret in r.body, (path, r)
        assert self.secret not in pm.api("GET", LP + "/pods/json").body

    def _cli(self, *args, stdin=None):
        pm = self.pm
        argv = [pm.bin, "--root", pm.root, "--runroot", pm.runroot, "--storage-driver", "vfs",
                "--tmpdir", pm.tmp] + list(args)
        r = subprocess.run(argv, env=pm.env(), capture_output=True, timeout=60,
                           input=stdin.encode() if stdin is not None else None)
        assert r.returncode == 0, "%s: %d %s" % (argv, r.returncode, r.stderr.decode(errors="replace"))

    def state(self):
        st = self.pm.state()
        # harness 2 compares containers as (id, state) pairs; names too, so
        # that a rename shows
        st["containers"] = sorted(
            (c["Id"], (c["State"], tuple(c["Names"]), c.get("Pid"), c.get("StartedAt")))
            for c in self.pm.api_ok("GET", LP + "/containers/json?all=true"))
        return st

    def canary_state(self):
        out = []
        for name in (CANARY, LOGS_CANARY, podmanutil.CONTAINER):
            j = self.pm.api_ok("GET", LP + "/containers/%s/json" % name)
            s = j["State"]
            out.append((j["Id"], j["Name"], s["Status"], s["Pid"], s["StartedAt"],
                        s["FinishedAt"], j.get("RestartCount")))
        return out


@pytest.fixture(scope="module")
def podman_up():
    """A private podman service of this module's own (the session's
    `podman` is shared with test_podman.py, whose tests create objects)."""
    pm = podmanutil.PodmanService.start(podmanutil.new_dir(),
                                        os.path.join(FIXTURES, "testbox.c"))
    try:
        yield Podman(pm)
    finally:
        pm.stop()


def test_live_podman(podman_up, tmp_path):
    LIVE["compared"] = bool(plain.RECORDED)
    plain._run_live(None, tmp_path, lambda args, d: Sockward(args, d, upstream=podman_up.sock),
                    LIVE, up=podman_up)


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
        for b in LIVE["bypasses"]:
            out.write("adversarial on podman: BYPASS %s\n" % b)
        out.write("adversarial on podman: %d cases, %d bypasses\n" % (n, len(by)))
        out.flush()
    assert not by, "bypasses on podman: %r" % sorted(by)
