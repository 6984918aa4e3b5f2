"""test_jrewrite_diff.py - the response rewriter against a Python model.

Real responses of the dockerd at /var/run/docker.sock (container list,
inspect, volumes, events, system df, a network), taken after creating
containers with labels and secret Env values and a volume with driver
options, plus generated documents (deep nesting, every escape, non-ASCII,
whitespace everywhere, numbers of every form, empty containers), go
through tests/diff/jrw_tool with the plans sockward uses.  For each:

  - json of the output == the model applied to json of the input (the
    model is written from jrewrite.h, independently of the C code);
  - the output is the same however the input is split (--every-split,
    or a few split points for large inputs);
  - byte level: with nothing to do (empty plan, or a plan that finds no
    secret and keeps everything), the output is the input, byte for byte.

The tool is $SOCKWARD_BIN's directory's tests/jrw_tool when it exists,
else build/rel/tests/jrw_tool, built with make.
"""
import json
import os
import re
import subprocess
import time
import uuid

import docker
import pytest

from conftest import (DOCKER_SOCK, REPO, SOCKWARD_BIN, TEST_NAME_PREFIX,
                      direct, get, make_container)

VISIBLE = "sockward.jrw-visible"
SECRET = "hunter2-" + uuid.uuid4().hex[:8]

LIST_PLAN = ["--select", "*", "--labels", "*.Labels",
             "--redact", "*.NetworkSettings.Networks.*.DriverOpts"]
INSPECT_PLAN = ["--redact", "Config.Env",
                "--redact", "HostConfig.Mounts.*.VolumeOptions.DriverConfig.Options",
                "--redact", "NetworkSettings.Networks.*.DriverOpts"]
VOLUMES_PLAN = ["--redact", "Volumes.*.Options"]
VOLUME_PLAN = ["--redact", "Options"]
EVENTS_PLAN = ["--select", "", "--labels", "Actor.Attributes",
               "--capture", "Type"]
NAME_MAX = 128
CAPTURE_MAX = 128


# --------------------------------------------------------------------------
# The tool
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tool():
    cand = os.path.join(os.path.dirname(os.path.abspath(SOCKWARD_BIN)),
                        "tests", "jrw_tool")
    if os.path.exists(cand):
        return cand
    # The release build's, whatever a parent make passes down
    # (SANITIZE=1 in MAKEFLAGS would name another build directory).
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    subprocess.run(["make", "-s", "build/rel/tests/jrw_tool"], cwd=REPO,
                   check=True, env=env)
    return os.path.join(REPO, "build", "rel", "tests", "jrw_tool")


def run_tool(tool, args, data, check=True):
    r = subprocess.run([tool] + args, input=data, capture_output=True,
                       timeout=300)
    if check and r.returncode != 0:
        raise AssertionError("jrw_tool %s: exit %d: %s" % (
            " ".join(args), r.returncode, r.stderr.decode(errors="replace")))
    return r


# --------------------------------------------------------------------------
# The model (jrewrite.h's semantics over parsed JSON)
# --------------------------------------------------------------------------

def comps(path):
    return [] if path == "" else path.split(".")


def matches(pc, cur):
    """Does path pc (components) name the value at cur ([(kind, key)])?"""
    if len(pc) != len(cur):
        return False
    for c, (kind, key) in zip(pc, cur):
        if c == "*":
            continue
        if kind != "k" or c != key:
            return False
    return True


def redact_str(s):
    m = re.match(r"[A-Za-z_][A-Za-z0-9_.\-]*=", s)
    if m and m.end() - 1 <= NAME_MAX:
        return s[:m.end()]
    return ""


class Elem:
    def __init__(self):
        self.labels_seen = False
        self.label_match = False
        self.captures = {}


class Model:
    """plan: dict(redact=[...], select=str|None, labels=str|None,
    capture=[...], label=[(key, value|None)], keep='labels'|'all'|'none')"""

    DROP = object()

    def __init__(self, plan):
        self.redact = [comps(p) for p in plan.get("redact", [])]
        sel = plan.get("select")
        self.select = comps(sel) if sel is not None else None
        lab = plan.get("labels")
        self.labels = comps(lab) if lab is not None else None
        self.capture = [comps(p) for p in plan.get("capture", [])]
        self.label = plan.get("label", [])
        self.keep_mode = plan.get("keep", "labels")
        self.kept = self.dropped = self.redacted = 0
        self.elems = []

    def keep(self, e):
        self.elems.append(e)
        if self.keep_mode == "all":
            return True
        if self.keep_mode == "none":
            return False
        return e.label_match

    def value(self, v, cur, redacting, quiet, elem, in_labels):
        start = False
        if (self.select is not None and elem is None and not quiet and
                matches(self.select, cur) and (not cur or cur[-1][0] == "i")):
            elem = Elem()
            start = True
        if not redacting and any(matches(r, cur) for r in self.redact):
            redacting = True
            self.redacted += 1
        labels_here = False
        if elem is not None and not start:
            if (self.labels is not None and matches(self.labels, cur) and
                    isinstance(v, dict) and not in_labels):
                elem.labels_seen = True
                labels_here = True
                for k, x in v.items():
                    if not isinstance(x, str):
                        continue
                    kb, xb = k.encode(), x.encode()
                    if len(kb) > 128 or len(xb) > 128:
                        continue
                    for lk, lv in self.label:
                        if lk == k and (lv is None or lv == x):
                            elem.label_match = True
            for i, c in enumerate(self.capture):
                if matches(c, cur):
                    b = v.encode() if isinstance(v, str) else b""
                    elem.captures[i] = (b[:CAPTURE_MAX], len(b) > CAPTURE_MAX)
        if isinstance(v, dict):
            out = {}
            for k, x in v.items():
                r = self.value(x, cur + [("k", k)], redacting,
                               quiet or redacting, elem,
                               in_labels or labels_here)
                if not redacting and r is not Model.DROP:
                    out[k] = r
            res = {} if redacting else out
        elif isinstance(v, list):
            res = []
            for i, x in enumerate(v):
                r = self.value(x, cur + [("i", i)], redacting, quiet, elem,
                               in_labels)
                if r is not Model.DROP:
                    res.append(r)
        elif isinstance(v, str):
            res = redact_str(v) if redacting else v
        elif isinstance(v, bool) or v is None:
            res = v
        else:
            res = 0 if redacting else v
        if start:
            if self.keep(elem):
                self.kept += 1
            else:
                self.dropped += 1
                return Model.DROP
        return res

    def stream(self, values):
        out = []
        for v in values:
            r = self.value(v, [], False, False, None, False)
            if r is not Model.DROP:
                out.append(r)
        return out


def parse_stream(data):
    """The JSON values of data, one after another."""
    dec = json.JSONDecoder()
    s = data.decode("utf-8")
    i, out = 0, []
    while True:
        while i < len(s) and s[i] in " \t\r\n":
            i += 1
        if i == len(s):
            return out
        v, i = dec.raw_decode(s, i)
        out.append(v)


def plan_args(plan):
    args = []
    for p in plan.get("redact", []):
        args += ["--redact", p]
    if plan.get("select") is not None:
        args += ["--select", plan["select"]]
    if plan.get("labels") is not None:
        args += ["--labels", plan["labels"]]
    for p in plan.get("capture", []):
        args += ["--capture", p]
    for k, v in plan.get("label", []):
        args += ["--label", k if v is None else "%s=%s" % (k, v)]
    args += ["--keep", plan.get("keep", "labels")]
    return args


def check(tool, plan, data):
    """Rewrite data with plan; compare with the model; return the output."""
    args = plan_args(plan)
    if len(data) <= 48 * 1024:
        r = run_tool(tool, args + ["--every-split"], data)
    else:
        r = run_tool(tool, args, data)
        for k in (1, len(data) // 3, len(data) // 2, len(data) - 1):
            r2 = run_tool(tool, args + ["--split", str(k)], data)
            assert r2.stdout == r.stdout, "split at %d differs" % k
    m = Model(plan)
    want = m.stream(parse_stream(data))
    got = parse_stream(r.stdout)
    assert got == want
    counts = dict(x.split("=") for x in
                  r.stderr.decode().strip().splitlines()[-1].split())
    assert int(counts["kept"]) == m.kept
    assert int(counts["dropped"]) == m.dropped
    assert int(counts["redacted"]) == m.redacted
    assert len(r.stdout) <= len(data)
    # Byte level: the empty plan changes nothing.
    assert run_tool(tool, [], data).stdout == data
    return r.stdout, m


# --------------------------------------------------------------------------
# Real responses
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def objects(dclient, testbox_image):
    """Containers with labels and secrets, a volume with driver options."""
    made, vols = [], []
    tag = uuid.uuid4().hex[:8]
    start = int(time.time()) - 1
    try:
        vol = dclient.volumes.create(
            name=TEST_NAME_PREFIX + "jrw-" + tag, driver="local",
            driver_opts={"type": "tmpfs", "device": "tmpfs",
                         "o": "size=1m,uid=1000"},
            labels={VISIBLE: "yes"})
        vols.append(vol)
        env = ["DB_PASSWORD=" + SECRET, "API_TOKEN=a=b=" + SECRET,
               "_X.y-z=" + SECRET, "LANG=C.UTF-8", "EMPTY="]
        made.append(make_container(
            dclient, name=TEST_NAME_PREFIX + "jrw-vis-" + tag,
            environment=env, labels={VISIBLE: "yes", "tier": "web"}))
        made.append(make_container(
            dclient, name=TEST_NAME_PREFIX + "jrw-hid-" + tag,
            environment=env, labels={"tier": "db", "note": "\u00e9\U0001F600"}))
        # Not started: its volume (with driver options) is never mounted.
        mnt = docker.types.Mount(
            target="/data", source=TEST_NAME_PREFIX + "jrw-m-" + tag,
            type="volume", driver_config=docker.types.DriverConfig(
                "local", {"type": "tmpfs", "device": "tmpfs",
                          "o": "size=1m,uid=1000"}))
        made.append(make_container(
            dclient, start=False, name=TEST_NAME_PREFIX + "jrw-mnt-" + tag,
            environment=env, labels={VISIBLE: "no"}, mounts=[mnt]))
        time.sleep(0.2)
        until = int(time.time()) + 1
        yield {"containers": made, "volume": vol, "since": start,
               "until": until, "tag": tag}
    finally:
        for ct in made:
            try:
                ct.remove(force=True, v=True)
            except docker.errors.APIError:
                pass
        for v in vols + [None]:
            name = v.name if v is not None else \
                TEST_NAME_PREFIX + "jrw-m-" + tag
            try:
                dclient.api.remove_volume(name, force=True)
            except docker.errors.APIError:
                pass


def fetch(path):
    r = direct(get(path), timeout=30)
    assert r.status == 200, (path, r.status, r.body[:200])
    return r.body


def test_container_list(tool, objects):
    data = fetch("/v1.41/containers/json?all=1")
    plan = {"select": "*", "labels": "*.Labels",
            "redact": ["*.NetworkSettings.Networks.*.DriverOpts"],
            "label": [(VISIBLE, "yes")]}
    out, m = check(tool, plan, data)
    ids = [c["Id"] for c in json.loads(out)]
    assert objects["containers"][0].id in ids
    assert objects["containers"][1].id not in ids
    assert objects["containers"][2].id not in ids
    assert m.kept >= 1 and m.dropped >= 2
    # Any value: both the "yes" and the "no" container.
    plan["label"] = [(VISIBLE, None)]
    out, m = check(tool, plan, data)
    ids = [c["Id"] for c in json.loads(out)]
    assert objects["containers"][2].id in ids
    # Keep all: nothing to redact in a list (DriverOpts null), so the
    # response comes out byte for byte.
    plan["keep"] = "all"
    out, _ = check(tool, plan, data)
    assert out == data


def test_container_inspect(tool, objects):
    for ct in objects["containers"]:
        data = fetch("/v1.41/containers/%s/json" % ct.id)
        assert SECRET.encode() in data
        out, m = check(tool, {"redact": INSPECT_PLAN[1::2]}, data)
        assert SECRET.encode() not in out
        v = json.loads(out)
        assert "DB_PASSWORD=" in v["Config"]["Env"]
        assert "API_TOKEN=" in v["Config"]["Env"]
        assert "_X.y-z=" in v["Config"]["Env"]
        mounts = v["HostConfig"].get("Mounts") or []
        for mt in mounts:
            opts = mt["VolumeOptions"]["DriverConfig"]["Options"]
            assert opts == {}
        if ct is objects["containers"][2]:
            assert mounts and m.redacted >= 2
        assert b"size=1m" not in out


def test_volumes(tool, objects):
    data = fetch("/v1.41/volumes")
    assert b"size=1m,uid=1000" in data
    out, m = check(tool, {"redact": ["Volumes.*.Options"]}, data)
    assert b"size=1m,uid=1000" not in out
    assert m.redacted >= 1
    data = fetch("/v1.41/volumes/" + objects["volume"].name)
    out, m = check(tool, {"redact": ["Options"]}, data)
    assert json.loads(out)["Options"] == {}
    assert m.redacted == 1
    # A plan that finds nothing: byte for byte.
    out, _ = check(tool, {"redact": ["Nothing.Here"]}, data)
    assert out == data


def test_events(tool, objects):
    data = fetch("/v1.41/events?since=%d&until=%d" % (
        objects["since"], objects["until"]))
    assert data.count(b"\n") >= 3
    plan = {"select": "", "labels": "Actor.Attributes", "capture": ["Type"],
            "label": [(VISIBLE, "yes")]}
    out, m = check(tool, plan, data)
    assert m.kept >= 2              # create and start of the visible one
    for line in out.splitlines():
        e = json.loads(line)
        assert e["Actor"]["Attributes"].get(VISIBLE) == "yes"
    # Captures are what the model saw.
    r = run_tool(tool, plan_args(plan) + ["--show-captures"], data)
    caps = [ln for ln in r.stderr.decode().splitlines()
            if ln.startswith("elem ")]
    assert len(caps) == len(m.elems)
    for ln, e in zip(caps, m.elems):
        want = e.captures.get(0)
        if want is None:
            assert " cap0=0:" in ln
        else:
            assert (" cap0=1:%d:%d:%s " % (len(want[0]), want[1],
                                           want[0].decode())) in ln + " "
    plan["keep"] = "all"
    out, _ = check(tool, plan, data)
    assert out == data


def test_system_df_and_network(tool, objects):
    data = fetch("/v1.41/system/df")
    check(tool, {"redact": ["Volumes.*.Options", "Containers.*.Labels"]},
          data)
    check(tool, {"select": "Containers.*", "labels": "Containers.*.Labels",
                 "label": [(VISIBLE, None)]}, data)
    data = fetch("/v1.41/networks/bridge")
    out, m = check(tool, {"redact": ["Options", "Containers.*.IPv4Address"]},
                   data)
    assert json.loads(out)["Options"] == {}


# --------------------------------------------------------------------------
# Generated documents
# --------------------------------------------------------------------------

ESCAPES = '"\\\\ \\" \\/ \\b \\f \\n \\r \\t \\u0000 \\u001f \\u00e9 \\uFFFF ' \
          '\\ud83d\\ude00 \\u2028 x"'
NUMBERS = "[0, -0, 1, -1, 12, 0.5, -0.5, 1e5, 1E+5, 1e-5, -1.25E-10, " \
          "123456789012345678901234567890, 1.5e308, 0.000001]"


def generated():
    docs = {}
    deep = "[" * 100 + '{"a":' * 100 + "1" + "}" * 100 + "]" * 100
    docs["deep"] = deep.encode()
    docs["escapes"] = ('{"Config":{"Env":[' + ESCAPES + ',"K=' +
                       ESCAPES[1:] + '],"Labels":{"k":' + ESCAPES +
                       '}},"Options":{"a":' + ESCAPES + "}}").encode()
    docs["nonascii"] = ('[{"Labels":{"\u00e9":"\u65e5\u672c",'
                        '"sockward.jrw-visible":"yes"},"Id":"\u00e9\U0001F600",'
                        '"NetworkSettings":{"Networks":{"n":{"DriverOpts":'
                        '{"\u00e9":"\u00e9"}}}}},'
                        '{"Labels":{"emoji":"\\ud83d\\ude00"}},'
                        '{"Labels":{"emoji":"\\ud83d\\ude01"}}]').encode()
    docs["whitespace"] = (' \n[ \t{ "Labels" : { "a" : "b" , '
                          '"sockward.jrw-visible" : "yes" } ,\r\n "Config"'
                          ' : { "Env" : [ "A=1" , "B" ] } } , { } , [ ] ,'
                          ' { "Labels" : null } ]\n\n').encode()
    docs["numbers"] = ('{"Config":{"Env":' + NUMBERS + '},"Options":' +
                       NUMBERS + ',"n":' + NUMBERS + "}").encode()
    docs["empties"] = (b'[{},[],{"Labels":{}},{"Config":{"Env":[]}},'
                       b'{"Config":{"Env":{}}},{"Options":{}},"",0,'
                       b'{"Labels":[]},true,null,false]')
    docs["stream"] = (b'{"Type":"container","Actor":{"Attributes":'
                      b'{"sockward.jrw-visible":"yes"}}}\n  {"Type":"network"}'
                      b'\n[1,2]\n"x" 17\ntrue\n{"Type":"\\u0076olume","Actor":'
                      b'{"Attributes":{"sockward.jrw-visible":"no"}}}\n')
    big = [{"Id": "%064x" % i, "Labels": {"sockward.jrw-visible": "yes"}
            if i % 3 == 0 else {"i": str(i)},
            "Config": {"Env": ["SECRET_%d=%s" % (i, "x" * i)]},
            "NetworkSettings": {"Networks": {"b": {"DriverOpts":
                                                   {"k": "v" * i}}}}}
           for i in range(300)]
    docs["large_list"] = json.dumps(big).encode()
    docs["long_names"] = json.dumps(
        {"Config": {"Env": ["N" * NAME_MAX + "=x", "N" * (NAME_MAX + 1) + "=x",
                            "a" * 5000]}}).encode()
    return docs


GEN_PLANS = {
    "list": {"select": "*", "labels": "*.Labels",
             "redact": ["*.NetworkSettings.Networks.*.DriverOpts"],
             "label": [(VISIBLE, "yes"), ("\u00e9", "\u65e5\u672c"),
                       ("emoji", "\U0001F600")]},
    "list_all": {"select": "*", "labels": "*.Labels", "keep": "all",
                 "redact": ["*.NetworkSettings.Networks.*.DriverOpts",
                            "*.Config.Env"]},
    "inspect": {"redact": ["Config.Env",
                           "HostConfig.Mounts.*.VolumeOptions.DriverConfig."
                           "Options",
                           "NetworkSettings.Networks.*.DriverOpts"]},
    "volume": {"redact": ["Options"]},
    "events": {"select": "", "labels": "Actor.Attributes",
               "capture": ["Type"], "label": [(VISIBLE, "yes")]},
    "everything": {"redact": [""]},
    "wild": {"redact": ["*.*", "Config.Labels"]},
}


@pytest.mark.parametrize("doc", sorted(generated()))
@pytest.mark.parametrize("plan", sorted(GEN_PLANS))
def test_generated(tool, doc, plan):
    check(tool, GEN_PLANS[plan], generated()[doc])


def test_refusals(tool):
    for bad in (b"[" * 257 + b"]" * 257, b'{"a":1,}', b"[1 2]",
                b'"a\x01"', b"01", b"[1]]", b'{"a"}', b"nul"):
        r = run_tool(tool, [], bad, check=False)
        assert r.returncode == 1, bad
        assert r.stdout == b""
        assert b"jrw_tool: response" in r.stderr
    r = run_tool(tool, ["--select", "*", "--keep", "all", "--elem-max", "10"],
                 b'[1, "0123456789"]', check=False)
    assert r.returncode == 1 and b"limit" in r.stderr
