#!/usr/bin/python3
"""Write the differential body corpus to tests/fixtures/bodies/.

Each body is a file NNN-name.json (the exact bytes sent, which need not be
valid JSON or UTF-8); MANIFEST has one line per body:

    FILE KIND EXPECT [TAGS]

KIND is create, update, exec, volume, service or start (the route the body
is sent to); EXPECT is what sockward must do with it under the built-in
"no host escape" policy: allow (forward it), refuse (403 or 400) or either
(the issue leaves it open; only the comparison with moby's decoding
applies).  TAGS, comma-separated: huge (over 1 MiB: only for the framing
test, explain and the Go decoder are not asked).

Deterministic: the same files every run (no randomness; dicts keep their
insertion order).  Run: /usr/bin/python3 tests/diff/gen_corpus.py [DIR]
(DIR defaults to tests/fixtures/bodies; `make body-corpus` does this), and
commit the result: test_body_diff.py checks that the committed files are
what this script writes.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "bodies")

IMAGE = "sockward-testbox:test"
LABEL = {"sockward-test": "1"}
# Named volumes the allowed bodies use carry the integration tests'
# prefix, so the session clean-up removes what dockerd creates for them.
VOL = "sockward-test-diffvol"

corpus = []     # (name, kind, bytes, expect, tags)


def add(name, kind, body, expect, tags=""):
    if isinstance(body, str):
        body = body.encode("utf-8")
    elif not isinstance(body, bytes):
        body = json.dumps(body, separators=(",", ":")).encode()
    assert expect in ("allow", "refuse", "either"), expect
    corpus.append((name, kind, body, expect, tags))


def base(**extra):
    """The container config part of a create body the testbox can run."""
    d = {"Image": IMAGE, "Cmd": ["/testbox"], "Labels": dict(LABEL)}
    d.update(extra)
    return d


def create(hc=None, **top):
    d = base(**top)
    if hc is not None:
        d["HostConfig"] = hc
    return d


def raw_create(hc_text, top_text=""):
    """A create body with HostConfig given as raw JSON text (for escapes,
    duplicates and spellings json.dumps cannot produce)."""
    pre = '{"Image":"%s","Cmd":["/testbox"],"Labels":{"sockward-test":"1"}' % IMAGE
    if top_text:
        pre += "," + top_text
    if hc_text is None:
        return pre + "}"
    return pre + ',"HostConfig":' + hc_text + "}"


# ---------------------------------------------------------------------------
# create: every judged field in plain form
# ---------------------------------------------------------------------------

ESCAPES = [
    ("privileged", {"Privileged": True}),
    ("capadd-sysadmin", {"CapAdd": ["SYS_ADMIN"]}),
    ("capadd-cap-prefix", {"CapAdd": ["CAP_SYS_ADMIN"]}),
    ("capadd-lower", {"CapAdd": ["net_admin"]}),
    ("capadd-all", {"CapAdd": ["ALL"]}),
    ("devices", {"Devices": [{"PathOnHost": "/dev/sda", "PathInContainer": "/dev/sda",
                              "CgroupPermissions": "rwm"}]}),
    ("devices-null-dev", {"Devices": [{"PathOnHost": "/dev/null",
                                       "PathInContainer": "/dev/x",
                                       "CgroupPermissions": "r"}]}),
    ("devicerequests", {"DeviceRequests": [{"Driver": "nvidia", "Count": -1,
                                            "Capabilities": [["gpu"]]}]}),
    ("devicecgrouprules", {"DeviceCgroupRules": ["c 1:3 mr"]}),
    ("network-host", {"NetworkMode": "host"}),
    ("pid-host", {"PidMode": "host"}),
    ("pid-container", {"PidMode": "container:abc"}),
    ("ipc-host", {"IpcMode": "host"}),
    ("ipc-container", {"IpcMode": "container:abc"}),
    ("uts-host", {"UTSMode": "host"}),
    ("userns-host", {"UsernsMode": "host"}),
    ("cgroupns-host", {"CgroupnsMode": "host"}),
    ("secopt-seccomp-eq", {"SecurityOpt": ["seccomp=unconfined"]}),
    ("secopt-seccomp-colon", {"SecurityOpt": ["seccomp:unconfined"]}),
    ("secopt-seccomp-profile", {"SecurityOpt": ['seccomp={"defaultAction":"SCMP_ACT_ALLOW"}']}),
    ("secopt-apparmor", {"SecurityOpt": ["apparmor=unconfined"]}),
    ("secopt-apparmor-colon", {"SecurityOpt": ["apparmor:unconfined"]}),
    ("secopt-label-disable", {"SecurityOpt": ["label=disable"]}),
    ("secopt-label-colon", {"SecurityOpt": ["label:disable"]}),
    ("secopt-label-type", {"SecurityOpt": ["label=type:spc_t"]}),
    ("secopt-systempaths", {"SecurityOpt": ["systempaths=unconfined"]}),
    ("secopt-nnp-then-seccomp", {"SecurityOpt": ["no-new-privileges", "seccomp=unconfined"]}),
    ("maskedpaths-empty", {"MaskedPaths": []}),
    ("maskedpaths-some", {"MaskedPaths": ["/proc/kcore"]}),
    ("readonlypaths-empty", {"ReadonlyPaths": []}),
    ("binds-root", {"Binds": ["/:/host"]}),
    ("binds-root-ro", {"Binds": ["/:/host:ro"]}),
    ("binds-etc-ro", {"Binds": ["/etc:/etc:ro"]}),
    ("binds-docker-sock", {"Binds": ["/var/run/docker.sock:/var/run/docker.sock"]}),
    ("binds-named-then-host", {"Binds": [VOL + ":/data", "/root:/r:rw"]}),
    ("binds-dotdot", {"Binds": ["/tmp/../etc:/x"]}),
    ("mounts-bind", {"Mounts": [{"Type": "bind", "Source": "/", "Target": "/host"}]}),
    ("mounts-bind-ro", {"Mounts": [{"Type": "bind", "Source": "/etc", "Target": "/e",
                                    "ReadOnly": True}]}),
    ("mounts-bind-upper", {"Mounts": [{"Type": "BIND", "Source": "/", "Target": "/host"}]}),
    ("mounts-bind-mixed", {"Mounts": [{"Type": "Bind", "Source": "/", "Target": "/host"}]}),
    ("mounts-volume-driveropts-bind", {"Mounts": [{
        "Type": "volume", "Source": VOL + "-b", "Target": "/data",
        "VolumeOptions": {"DriverConfig": {"Name": "local", "Options": {
            "type": "none", "o": "bind", "device": "/"}}}}]}),
    ("mounts-volume-driveropts-noname", {"Mounts": [{
        "Type": "volume", "Source": VOL + "-c", "Target": "/data",
        "VolumeOptions": {"DriverConfig": {"Options": {
            "type": "none", "o": "rbind", "device": "/etc"}}}}]}),
    ("mounts-volume-driveropts-device", {"Mounts": [{
        "Type": "volume", "Source": VOL + "-d", "Target": "/data",
        "VolumeOptions": {"DriverConfig": {"Name": "local", "Options": {
            "type": "ext4", "device": "/dev/sda1"}}}}]}),
    ("volumesfrom", {"VolumesFrom": ["other"]}),
    ("volumesfrom-ro", {"VolumesFrom": ["other:ro"]}),
    ("cgroupparent", {"CgroupParent": "/"}),
    ("cgroupparent-system", {"CgroupParent": "system.slice"}),
    ("runtime-nvidia", {"Runtime": "nvidia"}),
    ("runtime-runsc", {"Runtime": "io.containerd.runsc.v1"}),
    ("sysctl-core-pattern", {"Sysctls": {"kernel.core_pattern": "|/bin/sh"}}),
    ("sysctl-slash", {"Sysctls": {"kernel/core_pattern": "x"}}),
    ("sysctl-vm", {"Sysctls": {"vm.swappiness": "0"}}),
    ("sysctl-kernel-modprobe", {"Sysctls": {"kernel.modprobe": "/tmp/x"}}),
    ("sysctl-net-and-kernel", {"Sysctls": {"net.ipv4.ip_forward": "1",
                                           "kernel.randomize_va_space": "0"}}),
    ("annotations", {"Annotations": {"io.kubernetes.cri-o.Devices": "/dev/fuse"}}),
]
for name, hc in ESCAPES:
    add("create-" + name, "create", create(hc), "refuse")

# Several at once, the way `docker run --privileged -v /:/host` sends them.
add("create-cli-privileged-bind", "create", create({
    "Binds": ["/:/host"], "Privileged": True, "NetworkMode": "default",
    "CapAdd": None, "CapDrop": None, "Devices": [], "MaskedPaths": None,
    "ReadonlyPaths": None, "SecurityOpt": None}), "refuse")

# ---------------------------------------------------------------------------
# create: bodies that must be allowed
# ---------------------------------------------------------------------------

ALLOWED = [
    ("minimal", create()),
    ("hostconfig-empty", create({})),
    ("hostconfig-null", create(None, HostConfig=None)),
    ("privileged-false", create({"Privileged": False})),
    ("capadd-empty", create({"CapAdd": []})),
    ("capadd-null", create({"CapAdd": None})),
    ("capdrop-all", create({"CapDrop": ["ALL"]})),
    ("devices-empty", create({"Devices": []})),
    ("network-bridge", create({"NetworkMode": "bridge"})),
    ("network-default", create({"NetworkMode": "default"})),
    ("network-none", create({"NetworkMode": "none"})),
    ("ipc-private", create({"IpcMode": "private"})),
    ("ipc-shareable", create({"IpcMode": "shareable"})),
    ("cgroupns-private", create({"CgroupnsMode": "private"})),
    ("secopt-nnp", create({"SecurityOpt": ["no-new-privileges"]})),
    ("secopt-nnp-true", create({"SecurityOpt": ["no-new-privileges:true"]})),
    ("secopt-nnp-eq", create({"SecurityOpt": ["no-new-privileges=true"]})),
    ("maskedpaths-null", create({"MaskedPaths": None, "ReadonlyPaths": None})),
    ("binds-named", create({"Binds": [VOL + ":/data"]})),
    ("binds-named-ro", create({"Binds": [VOL + ":/data:ro"]})),
    ("binds-null", create({"Binds": None})),
    ("mounts-volume", create({"Mounts": [{"Type": "volume", "Source": VOL,
                                          "Target": "/data"}]})),
    ("mounts-volume-ro", create({"Mounts": [{"Type": "volume", "Source": VOL,
                                             "Target": "/data", "ReadOnly": True}]})),
    ("mounts-tmpfs", create({"Mounts": [{"Type": "tmpfs", "Target": "/run",
                                         "TmpfsOptions": {"SizeBytes": 65536}}]})),
    ("tmpfs", create({"Tmpfs": {"/run": "rw,size=64k", "/tmp": ""}})),
    ("runtime-runc", create({"Runtime": "runc"})),
    ("runtime-empty", create({"Runtime": ""})),
    ("sysctl-net", create({"Sysctls": {"net.ipv4.ip_unprivileged_port_start": "0"}})),
    ("sysctl-shm", create({"Sysctls": {"kernel.shmmax": "68719476736"}})),
    ("sysctl-msg", create({"Sysctls": {"kernel.msgmax": "65536"}})),
    ("sysctl-sem", create({"Sysctls": {"kernel.sem": "250 32000 100 128"}})),
    ("sysctl-mqueue", create({"Sysctls": {"fs.mqueue.msg_max": "100"}})),
    ("annotations-empty", create({"Annotations": {}})),
    ("restart-policy", create({"RestartPolicy": {"Name": "unless-stopped",
                                                 "MaximumRetryCount": 0}})),
    ("ports", create({"PortBindings": {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}]}},
                     ExposedPorts={"80/tcp": {}})),
    ("resources", create({"Memory": 67108864, "NanoCpus": 500000000,
                          "PidsLimit": 100, "CpuShares": 512})),
    ("logconfig", create({"LogConfig": {"Type": "json-file",
                                        "Config": {"max-size": "1m"}}})),
    ("healthcheck", create({}, Healthcheck={
        "Test": ["CMD", "/testbox", "health"], "Interval": 30000000000,
        "Timeout": 5000000000, "Retries": 3})),
    ("env-labels", create({}, Env=["A=1", "PATH=/usr/bin"],
                          Labels={"sockward-test": "1", "app": "web",
                                  "com.example.Privileged": "true"})),
    ("readonly-rootfs", create({"ReadonlyRootfs": True, "Init": True})),
    ("dns-extrahosts", create({"Dns": ["192.0.2.1"], "ExtraHosts": ["db:192.0.2.2"]})),
    ("networking-config", create({"NetworkMode": "bridge"}, NetworkingConfig={
        "EndpointsConfig": {"bridge": {"Aliases": ["web"]}}})),
    ("value-mentions-privileged", create({}, Env=['X="Privileged":true'])),
    ("value-mentions-bind", create({}, Env=["MOUNT=/:/host", "NetworkMode=host"])),
    ("label-key-privileged", create({}, Labels={"sockward-test": "1",
                                                "Privileged": "true"})),
    ("unknown-field", create({"NoSuchField": {"Privileged": True}})),
    ("unknown-top-field", create({}, NoSuchTop={"HostConfig": {"Privileged": True}})),
    ("volumes-anon", create({}, Volumes={"/data": {}})),
    ("whitespace", "\n  " + json.dumps(create({"Privileged": False}), indent=2) + "\n\n"),
]
for name, body in ALLOWED:
    add("create-ok-" + name, "create", body, "allow")

# The body the docker CLI (v20+) sends for `docker run -d IMAGE`: every
# field present, most zero or null.
CLI_RUN = {
    "Hostname": "", "Domainname": "", "User": "", "AttachStdin": False,
    "AttachStdout": False, "AttachStderr": False, "Tty": False,
    "OpenStdin": False, "StdinOnce": False, "Env": None, "Cmd": ["/testbox"],
    "Image": IMAGE, "Volumes": {}, "WorkingDir": "", "Entrypoint": None,
    "OnBuild": None, "Labels": dict(LABEL),
    "HostConfig": {
        "Binds": None, "ContainerIDFile": "",
        "LogConfig": {"Type": "", "Config": {}}, "NetworkMode": "default",
        "PortBindings": {}, "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0},
        "AutoRemove": False, "VolumeDriver": "", "VolumesFrom": None,
        "ConsoleSize": [0, 0], "CapAdd": None, "CapDrop": None,
        "CgroupnsMode": "", "Dns": [], "DnsOptions": [], "DnsSearch": [],
        "ExtraHosts": None, "GroupAdd": None, "IpcMode": "", "Cgroup": "",
        "Links": None, "OomScoreAdj": 0, "PidMode": "", "Privileged": False,
        "PublishAllPorts": False, "ReadonlyRootfs": False, "SecurityOpt": None,
        "UTSMode": "", "UsernsMode": "", "ShmSize": 0, "Isolation": "",
        "CpuShares": 0, "Memory": 0, "NanoCpus": 0, "CgroupParent": "",
        "BlkioWeight": 0, "BlkioWeightDevice": [], "BlkioDeviceReadBps": [],
        "BlkioDeviceWriteBps": [], "BlkioDeviceReadIOps": [],
        "BlkioDeviceWriteIOps": [], "CpuPeriod": 0, "CpuQuota": 0,
        "CpuRealtimePeriod": 0, "CpuRealtimeRuntime": 0, "CpusetCpus": "",
        "CpusetMems": "", "Devices": [], "DeviceCgroupRules": None,
        "DeviceRequests": None, "MemoryReservation": 0, "MemorySwap": 0,
        "MemorySwappiness": None, "OomKillDisable": False, "PidsLimit": None,
        "Ulimits": None, "CpuCount": 0, "CpuPercent": 0,
        "IOMaximumIOps": 0, "IOMaximumBandwidth": 0,
        "MaskedPaths": None, "ReadonlyPaths": None},
    "NetworkingConfig": {"EndpointsConfig": {}},
}
add("create-ok-cli-run", "create", CLI_RUN, "allow")

# What `docker compose up` (v2) sends for a service with a named volume,
# a network alias, ports, a restart policy, a healthcheck and a tmpfs.
COMPOSE = {
    "Hostname": "", "Domainname": "", "User": "", "AttachStdin": False,
    "AttachStdout": True, "AttachStderr": True, "ExposedPorts": {"8080/tcp": {}},
    "Tty": False, "OpenStdin": False, "StdinOnce": False,
    "Env": ["APP_ENV=prod", "DB_HOST=db"], "Cmd": ["/testbox"],
    "Healthcheck": {"Test": ["CMD", "/testbox", "health"], "Interval": 10000000000,
                    "Timeout": 3000000000, "Retries": 5},
    "Image": IMAGE, "Volumes": None, "WorkingDir": "", "Entrypoint": None,
    "OnBuild": None,
    "Labels": {"sockward-test": "1", "com.docker.compose.project": "diff",
               "com.docker.compose.service": "web",
               "com.docker.compose.config-hash": "0" * 64,
               "com.docker.compose.container-number": "1",
               "com.docker.compose.oneoff": "False",
               "com.docker.compose.version": "2.26.1"},
    "HostConfig": {
        "Binds": None, "ContainerIDFile": "",
        "LogConfig": {"Type": "", "Config": None}, "NetworkMode": "bridge",
        "PortBindings": {"8080/tcp": [{"HostIp": "", "HostPort": ""}]},
        "RestartPolicy": {"Name": "unless-stopped", "MaximumRetryCount": 0},
        "AutoRemove": False, "VolumeDriver": "", "VolumesFrom": None,
        "ConsoleSize": [0, 0], "CapAdd": None, "CapDrop": None,
        "CgroupnsMode": "", "Dns": None, "DnsOptions": None, "DnsSearch": None,
        "ExtraHosts": [], "GroupAdd": None, "IpcMode": "", "Cgroup": "",
        "Links": None, "OomScoreAdj": 0, "PidMode": "", "Privileged": False,
        "PublishAllPorts": False, "ReadonlyRootfs": False, "SecurityOpt": None,
        "Tmpfs": {"/run": ""}, "UTSMode": "", "UsernsMode": "", "ShmSize": 0,
        "Isolation": "", "CpuShares": 0, "Memory": 0, "NanoCpus": 0,
        "CgroupParent": "", "Devices": None, "DeviceCgroupRules": None,
        "DeviceRequests": None, "MemorySwappiness": None,
        "OomKillDisable": None, "PidsLimit": None, "Ulimits": None,
        "Mounts": [{"Type": "volume", "Source": VOL + "-compose",
                    "Target": "/var/lib/app", "VolumeOptions": {}}],
        "MaskedPaths": None, "ReadonlyPaths": None, "Init": None},
    "NetworkingConfig": {"EndpointsConfig": {"bridge": {
        "IPAMConfig": None, "Links": None, "Aliases": ["diff-web-1", "web"]}}},
}
add("create-ok-compose", "create", COMPOSE, "allow")

# ---------------------------------------------------------------------------
# create: key case variants, Unicode folding, \u escapes
# ---------------------------------------------------------------------------

add("create-case-privileged-lower", "create", raw_create('{"privileged":true}'), "refuse")
add("create-case-privileged-upper", "create", raw_create('{"PRIVILEGED":true}'), "refuse")
add("create-case-privileged-mixed", "create", raw_create('{"pRiViLeGeD":true}'), "refuse")
add("create-case-hostconfig-lower", "create",
    raw_create(None, '"hostconfig":{"Privileged":true}'), "refuse")
add("create-case-hostconfig-upper", "create",
    raw_create(None, '"HOSTCONFIG":{"privileged":true}'), "refuse")
add("create-case-binds", "create", raw_create('{"binds":["/:/host"]}'), "refuse")
add("create-case-capadd", "create", raw_create('{"capadd":["SYS_ADMIN"]}'), "refuse")
add("create-case-networkmode", "create", raw_create('{"networkmode":"host"}'), "refuse")
add("create-case-pidmode", "create", raw_create('{"PIDMODE":"host"}'), "refuse")
add("create-case-mounts-type", "create",
    raw_create('{"mounts":[{"type":"bind","source":"/","target":"/h"}]}'), "refuse")
add("create-case-securityopt", "create", raw_create('{"securityopt":["seccomp=unconfined"]}'),
    "refuse")
add("create-case-sysctls", "create", raw_create('{"SYSCTLS":{"kernel.core_pattern":"x"}}'),
    "refuse")
add("create-case-ok-image", "create",
    '{"image":"%s","cmd":["/testbox"],"labels":{"sockward-test":"1"},'
    '"hostconfig":{"networkmode":"bridge"}}' % IMAGE, "allow")

S = "\u017f"    # LATIN SMALL LETTER LONG S: folds to s
K = "\u212a"    # KELVIN SIGN: folds to k
FOLDED = [
    ("securityopt-typo", '{"%secutityOpt":["seccomp=unconfined"]}' % S, "either"),
    ("securityopt-exact", '{"%securityOpt":["seccomp=unconfined"]}' % S, "refuse"),
    ("binds", '{"Bind%s":["/:/host"]}' % S, "refuse"),
    ("devices", '{"Device%s":[{"PathOnHost":"/dev/sda","PathInContainer":"/dev/sda",'
     '"CgroupPermissions":"rwm"}]}' % S, "refuse"),
    ("networkmode-kelvin", '{"Networ%sMode":"host"}' % K, "refuse"),
    ("utsmode", '{"UT%sMode":"host"}' % S, "refuse"),
    ("usernsmode", '{"U%sernsMode":"host"}' % S, "refuse"),
    ("mounts", '{"Mount%s":[{"Type":"bind","Source":"/","Target":"/h"}]}' % S, "refuse"),
    ("mounts-type-key", '{"Mounts":[{"Type":"bind","%sour%se":"/","Target":"/h"}]}' % (S, "c"),
     "refuse"),
    ("volumesfrom", '{"Volume%sFrom":["other"]}' % S, "refuse"),
    ("maskedpaths", '{"Ma%s%sedPaths":[]}' % (S, K), "refuse"),
    ("sysctls", '{"%sy%sctl%s":{"kernel.core_pattern":"x"}}' % (S, S, S), "refuse"),
    ("annotations", '{"Annotation%s":{"a":"b"}}' % S, "refuse"),
    ("devicecgrouprules", '{"DeviceCgroupRule%s":["a *:* rwm"]}' % S, "refuse"),
    ("capadd-value-kelvin", '{"CapAdd":["%sILL"]}' % K, "refuse"),
    ("networkmode-value", '{"NetworkMode":"ho%st"}' % S, "either"),
]
for name, hc, expect in FOLDED:
    add("create-fold-" + name, "create", raw_create(hc), expect)
add("create-fold-hostconfig", "create",
    raw_create(None, '"Ho%stConfig":{"Privileged":true}' % S), "refuse")
add("create-fold-hostconfig-escaped", "create",
    raw_create(None, '"Ho\\u017ftConfig":{"Privileged":true}'), "refuse")
add("create-fold-kelvin-escaped", "create",
    raw_create('{"Networ\\u212aMode":"host"}'), "refuse")
add("create-fold-label-key", "create",
    raw_create('{}').replace('"sockward-test":"1"', '"sockward-test":"1","caf\u00e9":"1"'),
    "either")

ESCAPED = [
    ("privileged-P", '{"\\u0050rivileged":true}'),
    ("privileged-all", '{"\\u0050\\u0072\\u0069\\u0076\\u0069\\u006c\\u0065\\u0067\\u0065\\u0064":true}'),
    ("privileged-lower-e", '{"Privil\\u0065ged":true}'),
    ("binds-slash", '{"Binds":["\\/:\\/host"]}'),
    ("binds-u002f", '{"Binds":["\\u002f:/host"]}'),
    ("networkmode-value", '{"NetworkMode":"\\u0068ost"}'),
    ("pidmode-key", '{"\\u0050idMode":"host"}'),
    ("mounts-type-value", '{"Mounts":[{"Type":"\\u0062ind","Source":"/","Target":"/h"}]}'),
    ("secopt-value", '{"SecurityOpt":["seccomp\\u003dunconfined"]}'),
    ("capadd-key", '{"C\\u0061pAdd":["SYS_ADMIN"]}'),
    ("sysctl-key", '{"Sysctls":{"kernel\\u002ecore_pattern":"x"}}'),
    ("runtime-value", '{"Runtime":"\\u006evidia"}'),
]
for name, hc in ESCAPED:
    add("create-esc-" + name, "create", raw_create(hc), "refuse")
add("create-esc-hostconfig-key", "create",
    raw_create(None, '"\\u0048ostConfig":{"Privileged":true}'), "refuse")
add("create-esc-ok-value", "create",
    raw_create('{"NetworkMode":"\\u0062ridge"}'), "either")
add("create-esc-ok-env", "create",
    raw_create('{}', '"Env":["A=\\u00e9\\n\\/"]'), "allow")

# ---------------------------------------------------------------------------
# create: duplicate keys (exact and case-folded; the last wins in Go)
# ---------------------------------------------------------------------------

DUPS = [
    ("privileged-true-last", '{"Privileged":false,"Privileged":true}'),
    ("privileged-false-last", '{"Privileged":true,"Privileged":false}'),
    ("privileged-case-last", '{"Privileged":false,"privileged":true}'),
    ("privileged-case-first", '{"PRIVILEGED":true,"Privileged":false}'),
    ("networkmode", '{"NetworkMode":"bridge","networkmode":"host"}'),
    ("binds", '{"Binds":["%s:/d"],"Binds":["/:/host"]}' % VOL),
    ("binds-safe-last", '{"Binds":["/:/host"],"binds":null}'),
    ("capadd", '{"CapAdd":[],"CAPADD":["SYS_ADMIN"]}'),
    ("mounts-type", '{"Mounts":[{"Type":"volume","Source":"v","Target":"/d","type":"bind"}]}'),
    ("sysctls-map-key", '{"Sysctls":{"net.core.somaxconn":"1","net.core.somaxconn":"2"}}'),
]
for name, hc in DUPS:
    add("create-dup-" + name, "create", raw_create(hc), "refuse")
add("create-dup-hostconfig-merge", "create",
    raw_create(None, '"HostConfig":{"Privileged":true},"hostconfig":{}'), "refuse")
add("create-dup-hostconfig-exact", "create",
    raw_create(None, '"HostConfig":{"CapAdd":["SYS_ADMIN"]},"HostConfig":{"Privileged":false}'),
    "refuse")
add("create-dup-hostconfig-null-last", "create",
    raw_create(None, '"HostConfig":{"Privileged":true},"HostConfig":null'), "refuse")
add("create-dup-image", "create",
    '{"Image":"x","image":"%s","Cmd":["/testbox"],"Labels":{"sockward-test":"1"}}' % IMAGE,
    "refuse")
add("create-dup-label-map", "create",
    '{"Image":"%s","Cmd":["/testbox"],"Labels":{"sockward-test":"1","a":"1","a":"2"}}' % IMAGE,
    "either")
add("create-dup-label-map-case", "create",
    '{"Image":"%s","Cmd":["/testbox"],"Labels":{"sockward-test":"1","a":"1","A":"2"}}' % IMAGE,
    "either")

# ---------------------------------------------------------------------------
# create: nulls and wrong types
# ---------------------------------------------------------------------------

NULLS = [
    ("privileged", '{"Privileged":null}', "either"),
    ("binds-elem", '{"Binds":[null]}', "either"),
    ("binds-elem-then-host", '{"Binds":[null,"/:/host"]}', "refuse"),
    ("capadd-elem", '{"CapAdd":[null]}', "refuse"),
    ("mounts-elem", '{"Mounts":[null]}', "either"),
    ("securityopt", '{"SecurityOpt":null}', "either"),
    ("sysctls-value", '{"Sysctls":{"kernel.core_pattern":null}}', "refuse"),
    ("networkmode", '{"NetworkMode":null}', "either"),
    ("devices-elem", '{"Devices":[null]}', "refuse"),
    ("maskedpaths-elem", '{"MaskedPaths":[null]}', "refuse"),
]
for name, hc, expect in NULLS:
    add("create-null-" + name, "create", raw_create(hc), expect)
add("create-null-hostconfig-top-privileged", "create",
    raw_create(None, '"HostConfig":null,"Privileged":true'), "refuse")
add("create-null-body", "create", "null", "either")

WRONG = [
    ("privileged-string", '{"Privileged":"true"}'),
    ("privileged-one", '{"Privileged":1}'),
    ("privileged-array", '{"Privileged":[true]}'),
    ("privileged-object", '{"Privileged":{}}'),
    ("capadd-string", '{"CapAdd":"SYS_ADMIN"}'),
    ("capadd-number", '{"CapAdd":1}'),
    ("binds-string", '{"Binds":"/:/host"}'),
    ("networkmode-array", '{"NetworkMode":["host"]}'),
    ("networkmode-true", '{"NetworkMode":true}'),
    ("mounts-object", '{"Mounts":{"Type":"bind","Source":"/","Target":"/h"}}'),
    ("sysctls-array", '{"Sysctls":["kernel.core_pattern=x"]}'),
    ("securityopt-string", '{"SecurityOpt":"seccomp=unconfined"}'),
    ("hostconfig-array", None),
    ("hostconfig-string", None),
    ("devices-object", '{"Devices":{"PathOnHost":"/dev/sda"}}'),
]
for name, hc in WRONG:
    if hc is None:
        continue
    add("create-type-" + name, "create", raw_create(hc), "refuse")
add("create-type-hostconfig-array", "create",
    raw_create(None, '"HostConfig":[{"Privileged":true}]'), "refuse")
add("create-type-hostconfig-string", "create",
    raw_create(None, '"HostConfig":"{\\"Privileged\\":true}"'), "refuse")
add("create-type-capadd-string-empty", "create", raw_create('{"CapAdd":""}'), "refuse")
add("create-type-unjudged-tty", "create", raw_create('{}', '"Tty":"yes"'), "either")
add("create-type-body-array", "create", '[{"HostConfig":{"Privileged":true}}]', "refuse")
add("create-type-body-string", "create", '"HostConfig"', "refuse")

# ---------------------------------------------------------------------------
# create: trailing values, framing of the JSON text, encodings
# ---------------------------------------------------------------------------

ESC_HC = '{"HostConfig":{"Privileged":true}}'
add("create-trail-second-object", "create", raw_create('{}') + " " + ESC_HC, "refuse")
add("create-trail-empty-then-escape", "create", "{} " + ESC_HC, "refuse")
add("create-trail-garbage", "create", raw_create('{}') + "x", "refuse")
add("create-trail-brace", "create", raw_create('{}') + "}", "refuse")
add("create-trail-bracket", "create", raw_create('{}') + "]", "refuse")
add("create-trail-null", "create", raw_create('{}') + "null", "refuse")
add("create-trail-comma", "create", raw_create('{}') + ",", "refuse")
add("create-trail-newline-object", "create", raw_create('{}') + "\n" + ESC_HC + "\n", "refuse")
add("create-trail-nul", "create", raw_create('{}').encode() + b"\x00", "refuse")
add("create-trail-whitespace", "create", raw_create('{}') + " \t\r\n ", "allow")
add("create-trail-escape-first", "create", raw_create('{"Privileged":true}') + " {}", "refuse")
add("create-bad-truncated", "create", raw_create('{}')[:-1], "refuse")
add("create-bad-comment", "create", raw_create('{/* */}'), "refuse")
add("create-bad-single-quotes", "create", raw_create("{'Privileged':true}"), "refuse")
add("create-bad-trailing-comma", "create", raw_create('{"Privileged":true,}'), "refuse")
add("create-bad-unquoted-key", "create", raw_create('{Privileged:true}'), "refuse")
add("create-bad-nan", "create", raw_create('{"Memory":NaN}'), "refuse")
add("create-bad-leading-zero", "create", raw_create('{"Memory":0123}'), "refuse")
add("create-bad-lone-surrogate-key", "create",
    raw_create('{"Privileged\\ud800":true}'), "refuse")
add("create-bad-control-in-string", "create",
    raw_create('{}', '"Env":["A=\x01"]'), "refuse")
add("create-bad-empty", "create", "", "either")
add("create-bad-blank", "create", "  \n", "either")
BOM = b"\xef\xbb\xbf"
add("create-bom", "create", BOM + raw_create('{}').encode(), "refuse")
add("create-bom-escape", "create", BOM + raw_create('{"Privileged":true}').encode(), "refuse")
add("create-utf8-invalid-value", "create",
    raw_create('{}', '"Env":["A=\xff"]').encode("latin-1"), "refuse")
add("create-utf8-invalid-key", "create",
    raw_create('{"Privileged\xff":true}').encode("latin-1"), "refuse")
add("create-utf8-overlong-slash", "create",
    raw_create('{"Binds":["\xc0\xaf:/host"]}').encode("latin-1"), "refuse")
add("create-utf8-cesu-surrogate", "create",
    raw_create('{}', '"Env":["A=\xed\xa0\x80"]').encode("latin-1"), "refuse")
add("create-utf16le", "create", raw_create('{"Privileged":true}').encode("utf-16-le"), "refuse")
add("create-utf8-valid-value", "create", raw_create('{}', '"Env":["A=\u00e9\u4e2d"]'), "allow")

# Deep nesting: in an unjudged field (Go's limit is 10000 levels).
add("create-deep-64", "create",
    raw_create('{}', '"X":' + "[" * 64 + "]" * 64), "either")
add("create-deep-20000", "create",
    raw_create('{}', '"X":' + "[" * 20000 + "]" * 20000), "refuse")
add("create-deep-in-hostconfig", "create",
    raw_create('{"X":' + '{"a":' * 200 + "1" + "}" * 200 + ',"Privileged":true}'), "refuse")

# ---------------------------------------------------------------------------
# create: host-config fields at the top level (20.10's wrapper)
# ---------------------------------------------------------------------------

TOP = [
    ("privileged", '"Privileged":true', "refuse"),
    ("binds", '"Binds":["/:/host"]', "refuse"),
    ("capadd", '"CapAdd":["SYS_ADMIN"]', "refuse"),
    ("networkmode", '"NetworkMode":"host"', "refuse"),
    ("pidmode", '"PidMode":"host"', "refuse"),
    ("mounts", '"Mounts":[{"Type":"bind","Source":"/","Target":"/h"}]', "refuse"),
    ("securityopt", '"SecurityOpt":["apparmor=unconfined"]', "refuse"),
    ("devices", '"Devices":[{"PathOnHost":"/dev/sda","PathInContainer":"/dev/sda",'
     '"CgroupPermissions":"rwm"}]', "refuse"),
    ("sysctls", '"Sysctls":{"kernel.core_pattern":"x"}', "refuse"),
    ("cgroupparent", '"CgroupParent":"/"', "refuse"),
    ("lower", '"privileged":true', "refuse"),
    ("memory-only", '"Memory":67108864', "either"),
    ("privileged-false", '"Privileged":false', "either"),
]
for name, top, expect in TOP:
    add("create-top-" + name, "create", raw_create(None, top), expect)
    add("create-top-" + name + "-with-hc", "create", raw_create('{}', top), "either"
        if expect == "either" else "refuse")
add("create-top-cpuset", "create", raw_create('{}', '"Cpuset":"0"'), "either")

# ---------------------------------------------------------------------------
# update
# ---------------------------------------------------------------------------

UPDATE = [
    ("ok-memory", {"Memory": 67108864, "MemorySwap": -1}, "allow"),
    ("ok-cpu", {"CpuShares": 512, "NanoCpus": 500000000}, "allow"),
    ("ok-restart", {"RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 3}}, "allow"),
    ("ok-empty", {}, "allow"),
    ("ok-pids", {"PidsLimit": 50}, "allow"),
    ("devices", {"Devices": [{"PathOnHost": "/dev/sda", "PathInContainer": "/dev/sda",
                              "CgroupPermissions": "rwm"}]}, "refuse"),
    ("devicecgrouprules", {"DeviceCgroupRules": ["a *:* rwm"]}, "refuse"),
    ("devicerequests", {"DeviceRequests": [{"Count": -1, "Capabilities": [["gpu"]]}]}, "refuse"),
    ("cgroupparent", {"CgroupParent": "/"}, "refuse"),
    ("privileged-not-a-field", {"Privileged": True}, "either"),
]
for name, body, expect in UPDATE:
    add("update-" + name, "update", body, expect)
add("update-case-devices", "update",
    '{"devices":[{"PathOnHost":"/dev/sda","PathInContainer":"/dev/sda","CgroupPermissions":"rwm"}]}',
    "refuse")
add("update-fold-cgroupparent", "update", '{"CgroupParent":"/","cgroupparent":""}', "refuse")
add("update-trail", "update", '{"Memory":67108864} {"CgroupParent":"/"}', "refuse")
add("update-bad", "update", '{"Memory":', "refuse")
add("update-type", "update", '{"Memory":"64m"}', "either")
add("update-esc", "update", '{"\\u0043groupParent":"/"}', "refuse")

# ---------------------------------------------------------------------------
# exec
# ---------------------------------------------------------------------------

EXEC = [
    ("ok-plain", {"Cmd": ["/testbox", "echo"], "AttachStdout": True, "AttachStderr": True},
     "allow"),
    ("ok-user-env", {"Cmd": ["sh"], "User": "1000", "Env": ["A=1"], "WorkingDir": "/",
                     "Tty": True, "AttachStdin": True}, "allow"),
    ("ok-privileged-false", {"Cmd": ["sh"], "Privileged": False}, "allow"),
    ("privileged", {"Cmd": ["sh"], "Privileged": True}, "refuse"),
]
for name, body, expect in EXEC:
    add("exec-" + name, "exec", body, expect)
add("exec-case-privileged", "exec", '{"Cmd":["sh"],"privileged":true}', "refuse")
add("exec-upper-privileged", "exec", '{"Cmd":["sh"],"PRIVILEGED":true}', "refuse")
add("exec-esc-privileged", "exec", '{"Cmd":["sh"],"\\u0050rivileged":true}', "refuse")
add("exec-dup-privileged", "exec", '{"Cmd":["sh"],"Privileged":false,"privileged":true}',
    "refuse")
add("exec-type-privileged", "exec", '{"Cmd":["sh"],"Privileged":"true"}', "refuse")
add("exec-null-privileged", "exec", '{"Cmd":["sh"],"Privileged":null}', "either")
add("exec-trail", "exec", '{"Cmd":["sh"]} {"Privileged":true}', "refuse")
add("exec-trail-garbage", "exec", '{"Cmd":["sh"]}x', "refuse")

# ---------------------------------------------------------------------------
# volume create
# ---------------------------------------------------------------------------

VOLUME = [
    ("ok-name", {"Name": VOL + "-v1"}, "allow"),
    ("ok-local", {"Name": VOL + "-v2", "Driver": "local"}, "allow"),
    ("ok-labels", {"Name": VOL + "-v3", "Driver": "local", "Labels": {"sockward-test": "1"}},
     "allow"),
    ("ok-empty", {}, "allow"),
    ("ok-driveropts-empty", {"Name": VOL + "-v4", "DriverOpts": {}}, "allow"),
    ("tmpfs", {"Name": VOL + "-v5", "DriverOpts": {"type": "tmpfs", "device": "tmpfs",
                                                   "o": "size=1m"}}, "either"),
    ("nfs", {"Name": VOL + "-v6", "DriverOpts": {"type": "nfs", "o": "addr=192.0.2.1,ro",
                                                 "device": ":/export"}}, "either"),
    ("bind-root", {"Name": VOL + "-x1", "DriverOpts": {"type": "none", "o": "bind",
                                                      "device": "/"}}, "refuse"),
    ("rbind", {"Name": VOL + "-x2", "Driver": "local",
               "DriverOpts": {"type": "none", "o": "rbind,ro", "device": "/etc"}}, "refuse"),
    ("bind-no-type", {"Name": VOL + "-x3", "DriverOpts": {"o": "bind", "device": "/etc"}},
     "refuse"),
    ("device-ext4", {"Name": VOL + "-x4", "DriverOpts": {"type": "ext4",
                                                        "device": "/dev/sda1"}}, "refuse"),
    ("device-btrfs-subvol", {"Name": VOL + "-x5", "DriverOpts": {
        "type": "btrfs", "device": "/dev/sda2", "o": "subvol=/"}}, "refuse"),
    ("tmpfs-with-bind", {"Name": VOL + "-x6", "DriverOpts": {"type": "tmpfs", "o": "bind",
                                                            "device": "/"}}, "refuse"),
    ("nfs-with-bind", {"Name": VOL + "-x7", "DriverOpts": {"type": "nfs", "o": "bind,addr=x",
                                                          "device": "/etc"}}, "refuse"),
    ("driver-other", {"Name": VOL + "-x8", "Driver": "rexray/ebs"}, "refuse"),
    ("driver-upper-local", {"Name": VOL + "-x9", "Driver": "LOCAL"}, "refuse"),
]
for name, body, expect in VOLUME:
    add("volume-" + name, "volume", body, expect)
add("volume-case-driveropts", "volume",
    '{"Name":"%s-x10","driveropts":{"type":"none","o":"bind","device":"/"}}' % VOL, "refuse")
add("volume-fold-driveropts", "volume",
    '{"Name":"%s-x11","DriverOpt%s":{"type":"none","o":"bind","device":"/"}}' % (VOL, S),
    "refuse")
add("volume-esc-device", "volume",
    '{"Name":"%s-x12","DriverOpts":{"type":"none","o":"bind","device":"\\/"}}' % VOL, "refuse")
add("volume-dup-opt-key", "volume",
    '{"Name":"%s-x13","DriverOpts":{"o":"ro","o":"bind","type":"none","device":"/"}}' % VOL,
    "refuse")
add("volume-dup-driver", "volume", '{"Name":"%s-x14","Driver":"local","driver":"evil"}' % VOL,
    "refuse")
add("volume-trail", "volume",
    '{"Name":"%s-x15"} {"DriverOpts":{"o":"bind","device":"/"}}' % VOL, "refuse")
add("volume-opt-key-upper", "volume",
    '{"Name":"%s-x16","DriverOpts":{"O":"bind","DEVICE":"/","type":"none"}}' % VOL, "either")

# ---------------------------------------------------------------------------
# services (swarm)
# ---------------------------------------------------------------------------


def svc(cs=None, **tt):
    c = {"Image": IMAGE, "Args": ["/testbox"]}
    c.update(cs or {})
    t = {"ContainerSpec": c}
    t.update(tt)
    return {"Name": "sockward-test-svc", "Labels": dict(LABEL), "TaskTemplate": t,
            "Mode": {"Replicated": {"Replicas": 1}}}


SERVICE = [
    ("ok-plain", svc(), "allow"),
    ("ok-volume-mount", svc({"Mounts": [{"Type": "volume", "Source": VOL, "Target": "/d"}]}),
     "allow"),
    ("ok-networks", svc(Networks=[{"Target": "sockward-test-net"}]), "allow"),
    ("ok-resources", svc(Resources={"Limits": {"MemoryBytes": 67108864}},
                         RestartPolicy={"Condition": "on-failure"}), "allow"),
    ("ok-sysctl-net", svc({"Sysctls": {"net.core.somaxconn": "1024"}}), "allow"),
    ("ok-seccomp-default", svc({"Privileges": {"Seccomp": {"Mode": "default"},
                                               "AppArmor": {"Mode": "default"}}}), "allow"),
    ("mount-bind", svc({"Mounts": [{"Type": "bind", "Source": "/", "Target": "/h"}]}),
     "refuse"),
    ("mount-bind-upper", svc({"Mounts": [{"Type": "BIND", "Source": "/", "Target": "/h"}]}),
     "refuse"),
    ("mount-volume-driveropts", svc({"Mounts": [{
        "Type": "volume", "Source": VOL + "-s", "Target": "/d",
        "VolumeOptions": {"DriverConfig": {"Name": "local", "Options": {
            "type": "none", "o": "bind", "device": "/"}}}}]}), "refuse"),
    ("capadd", svc({"CapabilityAdd": ["CAP_SYS_ADMIN"]}), "refuse"),
    ("sysctl-kernel", svc({"Sysctls": {"kernel.core_pattern": "x"}}), "refuse"),
    ("seccomp-unconfined", svc({"Privileges": {"Seccomp": {"Mode": "unconfined"}}}), "refuse"),
    ("seccomp-custom", svc({"Privileges": {"Seccomp": {"Mode": "custom",
                                                       "Profile": "e30="}}}), "refuse"),
    ("apparmor-disabled", svc({"Privileges": {"AppArmor": {"Mode": "disabled"}}}), "refuse"),
    ("selinux-disable", svc({"Privileges": {"SELinuxContext": {"Disable": True}}}), "refuse"),
    ("selinux-type", svc({"Privileges": {"SELinuxContext": {"Type": "spc_t"}}}), "refuse"),
    ("pluginspec", svc(Runtime="plugin", PluginSpec={"Name": "evil/plugin",
                                                     "Remote": "evil/plugin"}), "refuse"),
    ("runtime-plugin", svc(Runtime="plugin"), "refuse"),
    ("network-host", svc(Networks=[{"Target": "host"}]), "refuse"),
]
for name, body, expect in SERVICE:
    add("service-" + name, "service", body, expect)
add("service-top-networks-host", "service",
    json.dumps(dict(svc(), Networks=[{"Target": "host"}]), separators=(",", ":")), "refuse")
add("service-case-mounts", "service",
    '{"Name":"s","tasktemplate":{"containerspec":{"Image":"%s","mounts":[{"type":"bind",'
    '"source":"/","target":"/h"}]}}}' % IMAGE, "refuse")
add("service-fold-mounts", "service",
    '{"Name":"s","TaskTemplate":{"ContainerSpec":{"Image":"%s","Mount%s":[{"Type":"bind",'
    '"Source":"/","Target":"/h"}]}}}' % (IMAGE, S), "refuse")
add("service-fold-tasktemplate-kelvin", "service",
    '{"Name":"s","Ta%s%sTemplate":{"ContainerSpec":{"Image":"%s","CapabilityAdd":["ALL"]}}}'
    % (S, K, IMAGE), "refuse")
add("service-esc-type", "service",
    '{"Name":"s","TaskTemplate":{"ContainerSpec":{"Image":"%s","Mounts":[{"Type":"\\u0062ind",'
    '"Source":"/","Target":"/h"}]}}}' % IMAGE, "refuse")
add("service-dup-containerspec", "service",
    '{"Name":"s","TaskTemplate":{"ContainerSpec":{"Image":"%s","CapabilityAdd":["ALL"]},'
    '"containerspec":{"Image":"%s"}}}' % (IMAGE, IMAGE), "refuse")
add("service-trail", "service",
    json.dumps(svc(), separators=(",", ":")) + ' {"TaskTemplate":{"Runtime":"plugin"}}',
    "refuse")
add("service-type-capadd", "service",
    '{"Name":"s","TaskTemplate":{"ContainerSpec":{"Image":"%s","CapabilityAdd":"ALL"}}}'
    % IMAGE, "refuse")

# ---------------------------------------------------------------------------
# start (API < 1.24 applied a host config from the body)
# ---------------------------------------------------------------------------

add("start-ok-empty", "start", "", "allow")
add("start-ok-blank", "start", " \r\n", "allow")
add("start-empty-object", "start", "{}", "either")
add("start-null", "start", "null", "either")
add("start-privileged", "start", '{"Privileged":true}', "refuse")
add("start-binds", "start", '{"Binds":["/:/host"]}', "refuse")
add("start-harmless-field", "start", '{"Dns":["192.0.2.1"]}', "refuse")
add("start-garbage", "start", "x", "refuse")
add("start-hostconfig-wrapped", "start", '{"HostConfig":{"Privileged":true}}', "refuse")

# ---------------------------------------------------------------------------
# huge bodies (> 1 MiB): for the framing test (413 from the live proxy)
# ---------------------------------------------------------------------------

MIB = 1024 * 1024
add("create-huge-env", "create",
    raw_create('{}', '"Env":["A=' + "a" * (MIB + 10) + '"]'), "refuse", "huge")
add("create-huge-escape-at-end", "create",
    raw_create('{"Privileged":true}', '"Env":["A=' + "a" * (MIB + 10) + '"]'), "refuse",
    "huge")
add("create-huge-whitespace", "create", raw_create('{}') + " " * (MIB + 10), "refuse", "huge")
add("create-huge-escape-after-padding", "create",
    raw_create('{}').encode()[:-1] + b" " * (MIB + 10) + b',"Privileged":true}', "refuse",
    "huge")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else OUT
    os.makedirs(out, exist_ok=True)
    names = set()
    for f in os.listdir(out):
        if f.endswith(".json") or f == "MANIFEST":
            os.unlink(os.path.join(out, f))
    lines = [
        "# Differential body corpus, written by tests/diff/gen_corpus.py: do not edit.",
        "# FILE KIND EXPECT [TAGS]   (expect: allow | refuse | either; tags: huge)",
    ]
    for i, (name, kind, body, expect, tags) in enumerate(corpus, 1):
        assert name not in names, name
        names.add(name)
        fname = "%03d-%s.json" % (i, name)
        with open(os.path.join(out, fname), "wb") as f:
            f.write(body)
        lines.append(" ".join(x for x in (fname, kind, expect, tags) if x))
    with open(os.path.join(out, "MANIFEST"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("%d bodies in %s" % (len(corpus), os.path.relpath(out)), file=sys.stderr)


if __name__ == "__main__":
    main()
