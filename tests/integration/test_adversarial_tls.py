"""The adversarial corpus (tests/adversarial/) through a tls:// listener.

Both harnesses of test_adversarial.py, each client connection a TLS session
(python's ssl, a client certificate that cert-cn admits), so every case
meets the request parser after the TLS layer:

1. against the strict recording upstream: every case's outcome as the
   manifest says, the upstream invariants (canonical requests, nothing
   unjudged); and when test_adversarial.py ran in this session (it runs
   first), the same answers and exactly the same bytes upstream as over
   plain TCP;
2. against the real dockerd with the canary: the daemon's state unchanged,
   no 2xx the policy does not allow, the encoded variants refused or read
   as dockerd reads them; and the status of every allowed case the same
   as over plain TCP in this session.

The last test prints `adversarial over TLS: N cases, B bypasses`.  It is
apart from test_adversarial.py so that `make check` keeps its quick tier;
`make integration` runs both.
"""

import os
import shutil
import sys
import tempfile
import types

import pytest

from conftest import Sockward, client_context, free_port
import adversarial_lib as al
import test_adversarial as plain
from test_adversarial import CASES, canary  # noqa: F401 (the fixture)
import tlsutil

RESULTS = {}          # case name -> list of error strings (harness 1)
BYPASSES = {}         # case name -> errors that break the upstream invariant
COMPARED = {"verdicts": 0, "bytes": 0}
LIVE = {"ran": 0, "errors": [], "bypasses": [], "variants": {}, "notes": []}


@pytest.fixture(scope="module")
def tls_pki(tmp_path_factory):
    """A CA, sockward's certificate and the adversary's client certificate
    (admitted by cert-cn: the corpus runs after the handshake)."""
    d = tmp_path_factory.mktemp("advpki")
    ca = tlsutil.make_ca(d, "adversarial-ca")
    srv = tlsutil.server_cert(ca, "sockward", ips=["127.0.0.1"])
    cli = tlsutil.client_cert(ca, "adversary")
    return types.SimpleNamespace(
        args=["--tls-cert", srv.cert, "--tls-key", srv.key, "--tls-client-ca", ca.cert],
        ctx=client_context(ca.cert, cli.cert, cli.key))


def _tls_sockward(pki, args, logdir, upstream=None):
    return Sockward(list(args) + pki.args, logdir, upstream=upstream,
                    listen="tls://127.0.0.1:%d" % free_port(), client_ssl=pki.ctx,
                    env={"SOCKWARD_CERT_CN": "adversary"})


@pytest.fixture(scope="module")
def recorded_tls_proxies(tmp_path_factory, tls_pki):
    d = tempfile.mkdtemp(prefix="swadvt")
    rec = al.StrictRecorder(os.path.join(d, "up.sock"))
    logdir = str(tmp_path_factory.mktemp("swadvt"))
    procs = {}

    def get(case):
        if case.args_text not in procs:
            procs[case.args_text] = _tls_sockward(tls_pki, case.args, logdir, rec.path)
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


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_recorded_tls(recorded_tls_proxies, case):
    sw, rec = recorded_tls_proxies(case)
    rec.reset()
    got, client_errors = al.exchange(sw.addr, case, connect=lambda a, t: sw.conn(t))
    reqs, up_errors = al.check_upstream(case, rec)
    errors = client_errors + up_errors
    if up_errors:
        BYPASSES[case.name] = up_errors
    if case.name in plain.VERDICTS:
        COMPARED["verdicts"] += 1
        if plain._verdicts(got) != plain.VERDICTS[case.name]:
            errors.append("over TLS the client saw %r, over TCP %r"
                          % (plain._verdicts(got), plain.VERDICTS[case.name]))
    if case.name in plain.RECORDED:
        COMPARED["bytes"] += 1
        if [r.raw for r in reqs] != plain.RECORDED[case.name]:
            BYPASSES.setdefault(case.name, []).append("upstream bytes differ from TCP")
            errors.append("upstream got %r over TLS, %r over TCP" % (
                [r.raw[:300] for r in reqs], [r[:300] for r in plain.RECORDED[case.name]]))
    if not sw.alive():
        errors.append("sockward died")
    RESULTS[case.name] = errors
    assert not errors, "%s (%s) over TLS\nrequest %r\n%s\nsockward log tail:\n%s" % (
        case.name, case.args_text, case.req[:600], "\n".join(errors), sw.log()[-1500:])


def test_live_dockerd_tls(dclient, canary, tmp_path, tls_pki):  # noqa: F811
    plain._run_live(dclient, tmp_path, lambda args, d: _tls_sockward(tls_pki, args, d),
                    LIVE, compare=False)
    tcp = plain.LIVE.get("status", {})
    differ = ["%s: %r over TLS, %r over TCP" % (name, st, tcp[name])
              for name, st in LIVE.get("status", {}).items()
              if name in tcp and st != tcp[name]]
    LIVE["compared"] = len([n for n in LIVE.get("status", {}) if n in tcp])
    LIVE["differ"] = differ
    assert not differ, "\n".join(differ)


def test_adversarial_tls_summary(capsys):
    if not RESULTS:
        pytest.skip("the corpus did not run over TLS in this session")
    n = len(CASES)
    by = set(BYPASSES) | {b.split(":", 1)[0] for b in LIVE["bypasses"]}
    failed = sorted(k for k, v in RESULTS.items() if v)
    with capsys.disabled():
        out = sys.stdout
        out.write("\n")
        for s in LIVE["notes"]:
            out.write("adversarial over TLS: note: %s\n" % s)
        out.write("adversarial over TLS: harness 1: %d/%d cases ran, %d failed, %d compared "
                  "with TCP (answers), %d (upstream bytes); harness 2: %d cases live, "
                  "%d errors, %d statuses compared with TCP, %d differ\n"
                  % (len(RESULTS), n, len(failed), COMPARED["verdicts"], COMPARED["bytes"],
                     LIVE["ran"], len(LIVE["errors"]), LIVE.get("compared", 0),
                     len(LIVE.get("differ", []))))
        out.write("adversarial over TLS: %d cases, %d bypasses\n" % (n, len(by)))
        out.flush()
    assert not by, "bypasses over TLS: %r" % sorted(by)
    assert len(RESULTS) == n, "not every case ran over TLS"
