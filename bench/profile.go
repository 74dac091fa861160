package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// pprofFlag is the ringkv flag that enables net/http/pprof.
const pprofFlag = "pprof-addr"

// hasFlag reports whether `bin --help` mentions --name.
func hasFlag(ctx context.Context, bin, name string) bool {
	out, errOut, _ := output(ctx, 30*time.Second, bin, "--help")
	help := string(out) + string(errOut)
	return strings.Contains(help, "-"+name+" ") || strings.Contains(help, "-"+name+"\n") || strings.Contains(help, "-"+name+"=")
}

// profileRingkv loads t with the -P 1 SET/GET workload, over and over, while
// fetching a CPU profile from addr; it saves the profile into cfg.Profile
// and returns `go tool pprof -top` of it.
func profileRingkv(ctx context.Context, cfg Config, t *target, addr, bin string) (string, error) {
	if err := os.MkdirAll(cfg.Profile, 0o755); err != nil {
		return "", err
	}
	path, _ := filepath.Abs(filepath.Join(cfg.Profile, "ringkv-cpu.pprof"))
	loadCtx, stopLoad := context.WithCancel(ctx)
	loadDone := make(chan struct{})
	go func() { // bounded: stops when the profile is in, or after 100 runs
		defer close(loadDone)
		for i := 0; i < 100 && loadCtx.Err() == nil; i++ {
			_, _, _ = redisBenchmark(loadCtx, cfg, cfg.benchArgs(t.Nodes[0].Port, "set,get", cfg.Clients, cfg.Requests, 1))
		}
	}()
	err := fetchProfile(ctx, addr, cfg.ProfileSecs, path)
	stopLoad()
	<-loadDone
	if err != nil {
		return "", err
	}
	top, errOut, err := output(ctx, 2*time.Minute, "go", "tool", "pprof", "-top", "-nodecount=25", bin, path)
	if err != nil {
		return "", fmt.Errorf("go tool pprof: %v: %s", err, errOut)
	}
	return fmt.Sprintf("profile: %s (%d s, SET/GET -P 1 -c %d)\n\n%s", path, cfg.ProfileSecs, cfg.Clients, top), nil
}

// fetchProfile saves http://addr/debug/pprof/profile?seconds=secs to path.
func fetchProfile(ctx context.Context, addr string, secs int, path string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Duration(secs+30)*time.Second)
	defer cancel()
	url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, secs)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("GET %s: %s: %s", url, resp.Status, b)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
