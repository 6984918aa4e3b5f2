// whoami: a stand-in for traefik/whoami, written for sockward's end-to-end
// test because the Go module proxy here serves no release of
// github.com/traefik/whoami. Standard library only.
//
// It answers every path except /health with the same plain-text report as
// traefik/whoami's "/" handler: Hostname, optional Name, every IP of the
// container, RemoteAddr, then the request line and headers. /health answers
// 200 "OK". Flags (and traefik/whoami's environment variables) choose the
// port and the name.
//
// The scratch images of the test have no shell and no curl, so the same
// binary is also the test's HTTP client inside a network:
//
//	whoami -probe METHOD URL
//
// sends one request and prints the status code (or "error: ...") and the
// body; it exits 0 whenever a response arrived, 1 otherwise.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"time"
)

func main() {
	port := flag.Int("port", envInt("WHOAMI_PORT_NUMBER", 80), "port to listen on")
	name := flag.String("name", os.Getenv("WHOAMI_NAME"), "name shown in the answer")
	verbose := flag.Bool("verbose", false, "log each request")
	probe := flag.Bool("probe", false, "send one request: -probe METHOD URL")
	flag.Parse()

	if *probe {
		os.Exit(runProbe(flag.Args()))
	}

	http.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "OK")
	})
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if *verbose {
			log.Printf("%s %s %s", r.RemoteAddr, r.Method, r.RequestURI)
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		host, _ := os.Hostname()
		fmt.Fprintf(w, "Hostname: %s\n", host)
		if *name != "" {
			fmt.Fprintf(w, "Name: %s\n", *name)
		}
		for _, ip := range localIPs() {
			fmt.Fprintf(w, "IP: %s\n", ip)
		}
		fmt.Fprintf(w, "RemoteAddr: %s\n", r.RemoteAddr)
		fmt.Fprintf(w, "%s %s %s\n", r.Method, r.RequestURI, r.Proto)
		fmt.Fprintf(w, "Host: %s\n", r.Host)
		keys := make([]string, 0, len(r.Header))
		for k := range r.Header {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, v := range r.Header[k] {
				fmt.Fprintf(w, "%s: %s\n", k, v)
			}
		}
	})

	addr := ":" + strconv.Itoa(*port)
	log.Printf("whoami listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, nil))
}

func envInt(key string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(key)); err == nil {
		return v
	}
	return def
}

func localIPs() []string {
	var ips []string
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return ips
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			ips = append(ips, n.IP.String())
		}
	}
	return ips
}

func runProbe(args []string) int {
	if len(args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: whoami -probe METHOD URL")
		return 2
	}
	req, err := http.NewRequest(args[0], args[1], nil)
	if err != nil {
		fmt.Printf("error: %v\n", err)
		return 1
	}
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		fmt.Printf("error: %v\n", err)
		return 1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	fmt.Printf("%d\n%s\n", resp.StatusCode, body)
	return 0
}
