// Command mobydiff decodes request bodies the way dockerd does, with moby's
// own Go types, and says whether the decoded request would reach the host.
// It is the oracle of sockward's differential body test
// (tests/integration/test_body_diff.py).
//
// Input, one JSON object a line on stdin:
//
//	{"kind":"create|update|exec|volume|service|start","body":"BASE64"}
//
// Output, one JSON object a line on stdout, in input order:
//
//	{"decoded":bool,"error":"...","escape":bool,"why":[...],
//	 "readings":{"v28":{...},"v20":{...}}}
//
// Two readings of every body:
//   - v28: dockerd 28 (moby v28.5.2): the create body through
//     runconfig.ContainerDecoder (the decoder the router is built with),
//     every other kind through httputils.ReadJSON (which refuses content
//     after the first value).
//   - v20: dockerd 20.10: json.NewDecoder(r.Body).Decode, nothing after the
//     first value looked at; the create body into a struct shaped like
//     20.10's ContainerConfigWrapper (it also embedded HostConfig, so
//     host-config fields at the top level of the body took effect when
//     the "HostConfig" object was absent or null).
//
// "decoded" is true when at least one reading decoded without error;
// "escape" is true when a reading that decoded without error escapes;
// "why" names the escaping fields, prefixed by the reading.
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/docker/docker/api/server/httputils"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/pkg/sysinfo"
	"github.com/docker/docker/runconfig"
)

type input struct {
	Kind string `json:"kind"`
	Body string `json:"body"`
}

type reading struct {
	Decoded bool     `json:"decoded"`
	Error   string   `json:"error,omitempty"`
	Escape  bool     `json:"escape"`
	Why     []string `json:"why"`
}

type output struct {
	Decoded  bool                `json:"decoded"`
	Error    string              `json:"error,omitempty"`
	Escape   bool                `json:"escape"`
	Why      []string            `json:"why"`
	Readings map[string]*reading `json:"readings"`
}

// wrapper2010 is the shape of dockerd 20.10's ContainerConfigWrapper
// (runconfig/config_unix.go there), built from the v28 types: the
// container config and the host config both embedded, the "HostConfig"
// object in its own field.
type wrapper2010 struct {
	*container.Config
	InnerHostConfig  *container.HostConfig     `json:"HostConfig,omitempty"`
	Cpuset           string                    `json:",omitempty"`
	NetworkingConfig *network.NetworkingConfig `json:"NetworkingConfig,omitempty"`
	*container.HostConfig
}

// hostConfig2010 is 20.10's getHostConfig: the inner object when there is
// one (a few resource fields filled from the top level), else the top
// level's.
func (w *wrapper2010) hostConfig2010() *container.HostConfig {
	hc := w.HostConfig
	if hc == nil && w.InnerHostConfig != nil {
		hc = w.InnerHostConfig
	} else if w.InnerHostConfig != nil {
		in := w.InnerHostConfig
		if hc.Memory != 0 && in.Memory == 0 {
			in.Memory = hc.Memory
		}
		if hc.MemorySwap != 0 && in.MemorySwap == 0 {
			in.MemorySwap = hc.MemorySwap
		}
		if hc.CPUShares != 0 && in.CPUShares == 0 {
			in.CPUShares = hc.CPUShares
		}
		if hc.CpusetCpus != "" && in.CpusetCpus == "" {
			in.CpusetCpus = hc.CpusetCpus
		}
		if hc.VolumeDriver != "" && in.VolumeDriver == "" {
			in.VolumeDriver = hc.VolumeDriver
		}
		hc = in
	}
	return hc
}

var (
	sysInfoOnce sync.Once
	sysInfo     *sysinfo.SysInfo
)

// decoder28 is the create decoder dockerd 28 is built with; the host's
// sysinfo is read once (dockerd reads it once at start-up too).
func decoder28() runconfig.ContainerDecoder {
	sysInfoOnce.Do(func() { sysInfo = sysinfo.New() })
	return runconfig.ContainerDecoder{GetSysInfo: func() *sysinfo.SysInfo { return sysInfo }}
}

// request28 is the request httputils.ReadJSON sees: a JSON content type and
// the body with its length.
func request28(body []byte) *http.Request {
	r, _ := http.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.ContentLength = int64(len(body))
	return r
}

// decode2010 is how 20.10's routers read every JSON body: the first value,
// whatever follows it ignored; an empty body is io.EOF (an error).
func decode2010(body []byte, out interface{}) error {
	return json.NewDecoder(bytes.NewReader(body)).Decode(out)
}

func judge(kind string, body []byte) *output {
	o := &output{Readings: map[string]*reading{}, Why: []string{}}
	var r28, r20 *reading
	switch kind {
	case "create":
		r28 = create28(body)
		r20 = create2010(body)
	case "update":
		var a, b container.UpdateConfig
		r28 = finish(httputils.ReadJSON(request28(body), &a), func(e *esc) { e.resources("", &a.Resources) })
		r20 = finish(decode2010(body, &b), func(e *esc) { e.resources("", &b.Resources) })
	case "exec":
		var a, b container.ExecOptions
		r28 = finish(httputils.ReadJSON(request28(body), &a), func(e *esc) { e.exec(&a) })
		r20 = finish(decode2010(body, &b), func(e *esc) { e.exec(&b) })
	case "volume":
		var a, b volume.CreateOptions
		r28 = finish(httputils.ReadJSON(request28(body), &a), func(e *esc) { e.volume(&a) })
		r20 = finish(decode2010(body, &b), func(e *esc) { e.volume(&b) })
	case "service":
		var a, b swarm.ServiceSpec
		r28 = finish(httputils.ReadJSON(request28(body), &a), func(e *esc) { e.service(&a) })
		r20 = finish(decode2010(body, &b), func(e *esc) { e.service(&b) })
	case "start":
		r28 = start(body)
		r20 = r28
	default:
		o.Error = "unknown kind " + kind
		return o
	}
	o.Readings["v28"] = r28
	o.Readings["v20"] = r20
	var errs []string
	for _, name := range []string{"v28", "v20"} {
		r := o.Readings[name]
		if r.Decoded {
			o.Decoded = true
		} else {
			errs = append(errs, name+": "+r.Error)
		}
		if r.Decoded && r.Escape {
			o.Escape = true
			for _, w := range r.Why {
				o.Why = append(o.Why, name+": "+w)
			}
		}
	}
	if !o.Decoded {
		o.Error = strings.Join(errs, "; ")
	}
	return o
}

// finish turns a decode error and a judging function into a reading; a
// body that did not decode is still judged (for the record), but only a
// decoded one counts as an escape in judge.
func finish(err error, f func(e *esc)) *reading {
	r := &reading{Decoded: err == nil, Why: []string{}}
	if err != nil {
		r.Error = err.Error()
	}
	e := &esc{}
	f(e)
	r.Why = append(r.Why, e.why...)
	r.Escape = len(e.why) > 0
	return r
}

func create28(body []byte) *reading {
	cfg, hc, _, err := decoder28().DecodeConfig(bytes.NewReader(body))
	if err == nil && cfg == nil {
		// The router refuses a body without a container config
		// (runconfig.ErrEmptyConfig).
		err = fmt.Errorf("config cannot be empty in order to create a container")
	}
	return finish(err, func(e *esc) {
		if hc != nil {
			e.host("HostConfig.", hc)
		}
	})
}

func create2010(body []byte) *reading {
	var w wrapper2010
	err := decode2010(body, &w)
	if err == nil && w.Config == nil {
		err = fmt.Errorf("config cannot be empty in order to create a container")
	}
	hc := w.hostConfig2010()
	return finish(err, func(e *esc) {
		if hc == nil {
			return
		}
		prefix := "HostConfig."
		if w.InnerHostConfig == nil {
			prefix = "(top level)."
		}
		e.host(prefix, hc)
	})
}

// start: API < 1.24 applied a host config from the start body; anything
// but nothing, {} or null counts as one.
func start(body []byte) *reading {
	r := &reading{Decoded: true, Why: []string{}}
	t := strings.TrimSpace(string(body))
	if t != "" && t != "{}" && t != "null" {
		r.Escape = true
		r.Why = append(r.Why, "start body not empty")
	}
	return r
}

// esc collects the fields of a decoded request that reach the host.
type esc struct{ why []string }

func (e *esc) add(format string, a ...interface{}) {
	e.why = append(e.why, fmt.Sprintf(format, a...))
}

// hostMode: dockerd compares the mode with "host" exactly; "host:..." is
// counted too (older daemons split the mode at ':').
func hostMode(s string) bool {
	return s == "host" || strings.HasPrefix(s, "host:")
}

func (e *esc) host(p string, hc *container.HostConfig) {
	if hc.Privileged {
		e.add("%sPrivileged=true", p)
	}
	if len(hc.CapAdd) > 0 {
		e.add("%sCapAdd=%v", p, []string(hc.CapAdd))
	}
	e.resources(p, &hc.Resources)
	if hostMode(string(hc.NetworkMode)) {
		e.add("%sNetworkMode=%s", p, hc.NetworkMode)
	}
	if hostMode(string(hc.PidMode)) || hc.PidMode.IsContainer() {
		e.add("%sPidMode=%s", p, hc.PidMode)
	}
	if hostMode(string(hc.IpcMode)) || hc.IpcMode.IsContainer() {
		e.add("%sIpcMode=%s", p, hc.IpcMode)
	}
	if hostMode(string(hc.UTSMode)) {
		e.add("%sUTSMode=%s", p, hc.UTSMode)
	}
	if hostMode(string(hc.UsernsMode)) {
		e.add("%sUsernsMode=%s", p, hc.UsernsMode)
	}
	if hostMode(string(hc.CgroupnsMode)) {
		e.add("%sCgroupnsMode=%s", p, hc.CgroupnsMode)
	}
	for i, o := range hc.SecurityOpt {
		if !noNewPrivileges(o) {
			e.add("%sSecurityOpt[%d]=%s", p, i, o)
		}
	}
	if hc.MaskedPaths != nil {
		e.add("%sMaskedPaths=%v", p, hc.MaskedPaths)
	}
	if hc.ReadonlyPaths != nil {
		e.add("%sReadonlyPaths=%v", p, hc.ReadonlyPaths)
	}
	for i, b := range hc.Binds {
		if src, _, ok := strings.Cut(b, ":"); ok && strings.HasPrefix(src, "/") {
			e.add("%sBinds[%d]=%s", p, i, b)
		}
	}
	e.mounts(p+"Mounts", hc.Mounts)
	if len(hc.VolumesFrom) > 0 {
		e.add("%sVolumesFrom=%v", p, hc.VolumesFrom)
	}
	if hc.Runtime != "" && hc.Runtime != "runc" {
		e.add("%sRuntime=%s", p, hc.Runtime)
	}
	e.sysctls(p+"Sysctls", hc.Sysctls)
	if len(hc.Annotations) > 0 {
		e.add("%sAnnotations=%v", p, hc.Annotations)
	}
}

func (e *esc) resources(p string, r *container.Resources) {
	if len(r.Devices) > 0 {
		e.add("%sDevices=%v", p, r.Devices)
	}
	if len(r.DeviceRequests) > 0 {
		e.add("%sDeviceRequests=%v", p, r.DeviceRequests)
	}
	if len(r.DeviceCgroupRules) > 0 {
		e.add("%sDeviceCgroupRules=%v", p, r.DeviceCgroupRules)
	}
	if r.CgroupParent != "" {
		e.add("%sCgroupParent=%s", p, r.CgroupParent)
	}
}

// noNewPrivileges: the one security option that only tightens, in the
// spellings dockerd parses ("no-new-privileges", "...=BOOL", "...:BOOL").
func noNewPrivileges(o string) bool {
	if o == "no-new-privileges" {
		return true
	}
	k, _, ok := strings.Cut(o, "=")
	if !ok {
		k, _, ok = strings.Cut(o, ":")
	}
	return ok && k == "no-new-privileges"
}

func (e *esc) mounts(p string, ms []mount.Mount) {
	for i, m := range ms {
		if strings.EqualFold(string(m.Type), "bind") {
			e.add("%s[%d].Type=%s Source=%s", p, i, m.Type, m.Source)
		}
		if m.VolumeOptions != nil && m.VolumeOptions.DriverConfig != nil {
			dc := m.VolumeOptions.DriverConfig
			if dc.Name == "" || dc.Name == "local" {
				if w := localOptsEscape(dc.Options); w != "" {
					e.add("%s[%d].VolumeOptions.DriverConfig.Options: %s", p, i, w)
				}
			}
		}
	}
}

// localOptsEscape: options of the local volume driver that mount a host
// path (o=bind/rbind) or a device (device=/...), unless the type is one
// whose device is not a host path.
func localOptsEscape(opts map[string]string) string {
	bind := false
	for _, o := range strings.Split(opts["o"], ",") {
		o = strings.ToLower(strings.TrimSpace(o))
		if o == "bind" || o == "rbind" {
			bind = true
		}
	}
	if bind {
		return "o=" + opts["o"]
	}
	switch strings.ToLower(opts["type"]) {
	case "tmpfs", "nfs", "nfs4", "cifs", "smb3":
		return ""
	}
	if strings.HasPrefix(opts["device"], "/") {
		return "device=" + opts["device"] + " type=" + opts["type"]
	}
	return ""
}

// sysctls outside the set dockerd lets a container set in its own
// namespaces.
func (e *esc) sysctls(p string, s map[string]string) {
	for k, v := range s {
		if !namespacedSysctl(k) {
			e.add("%s[%s]=%s", p, k, v)
		}
	}
}

func namespacedSysctl(k string) bool {
	k = strings.ReplaceAll(k, "/", ".")
	return strings.HasPrefix(k, "kernel.msg") || k == "kernel.sem" ||
		strings.HasPrefix(k, "kernel.shm") || strings.HasPrefix(k, "fs.mqueue.") ||
		strings.HasPrefix(k, "net.")
}

func (e *esc) exec(x *container.ExecOptions) {
	if x.Privileged {
		e.add("Privileged=true")
	}
}

func (e *esc) volume(v *volume.CreateOptions) {
	if v.Driver != "" && v.Driver != "local" {
		e.add("Driver=%s", v.Driver)
		return
	}
	if w := localOptsEscape(v.DriverOpts); w != "" {
		e.add("DriverOpts: %s", w)
	}
	if v.ClusterVolumeSpec != nil {
		e.add("ClusterVolumeSpec set (a CSI plugin's volume)")
	}
}

func (e *esc) service(s *swarm.ServiceSpec) {
	t := &s.TaskTemplate
	if t.PluginSpec != nil {
		e.add("TaskTemplate.PluginSpec set")
	}
	if t.Runtime == swarm.RuntimePlugin {
		e.add("TaskTemplate.Runtime=%s", t.Runtime)
	}
	for i, n := range t.Networks {
		if n.Target == "host" {
			e.add("TaskTemplate.Networks[%d].Target=host", i)
		}
	}
	for i, n := range s.Networks { //nolint:staticcheck // deprecated, still read
		if n.Target == "host" {
			e.add("Networks[%d].Target=host", i)
		}
	}
	c := t.ContainerSpec
	if c == nil {
		return
	}
	const p = "TaskTemplate.ContainerSpec."
	e.mounts(p+"Mounts", c.Mounts)
	if len(c.CapabilityAdd) > 0 {
		e.add("%sCapabilityAdd=%v", p, c.CapabilityAdd)
	}
	e.sysctls(p+"Sysctls", c.Sysctls)
	if pr := c.Privileges; pr != nil {
		if pr.Seccomp != nil && (pr.Seccomp.Mode == swarm.SeccompModeUnconfined ||
			pr.Seccomp.Mode == swarm.SeccompModeCustom) {
			e.add("%sPrivileges.Seccomp.Mode=%s", p, pr.Seccomp.Mode)
		}
		if pr.AppArmor != nil && pr.AppArmor.Mode == swarm.AppArmorModeDisabled {
			e.add("%sPrivileges.AppArmor.Mode=%s", p, pr.AppArmor.Mode)
		}
		if sl := pr.SELinuxContext; sl != nil && (sl.Disable || sl.Type != "") {
			e.add("%sPrivileges.SELinuxContext Disable=%v Type=%s", p, sl.Disable, sl.Type)
		}
	}
}

func main() {
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for {
		line, err := in.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			var x input
			var o *output
			if jerr := json.Unmarshal(line, &x); jerr != nil {
				o = &output{Error: "bad input line: " + jerr.Error(), Why: []string{}}
			} else if body, berr := base64.StdEncoding.DecodeString(x.Body); berr != nil {
				o = &output{Error: "bad base64: " + berr.Error(), Why: []string{}}
			} else {
				o = judge(x.Kind, body)
			}
			if eerr := enc.Encode(o); eerr != nil {
				fmt.Fprintln(os.Stderr, "mobydiff:", eerr)
				os.Exit(1)
			}
			out.Flush()
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "mobydiff:", err)
			os.Exit(1)
		}
	}
}
