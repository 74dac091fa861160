package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

// wantPprof reports whether the nodes get a pprof address: with -profile,
// when the binary has the flag.
func (r *aaeRunner) wantPprof(ctx context.Context) bool {
	if r.cfg.Profile == "" {
		return false
	}
	if !hasFlag(ctx, r.bin, pprofFlag) {
		r.rep.note("CPU profiles skipped: this ringkv has no --%s flag.", pprofFlag)
		return false
	}
	return true
}

// profiling is a set of CPU profiles being fetched, one per node.
type profiling struct {
	wg    sync.WaitGroup
	paths []string
	errs  []error
}

// startProfiles fetches a ProfileSecs CPU profile from every node that has
// a pprof address, into DIR/aae-LABEL-NODE.pprof, in the background.
func (r *aaeRunner) startProfiles(ctx context.Context, label string) *profiling {
	pr := &profiling{}
	if err := os.MkdirAll(r.cfg.Profile, 0o755); err != nil {
		r.rep.note("CPU profiles: %v", err)
		return pr
	}
	for _, n := range r.c.nodes {
		addr := flagValue(n.args, pprofFlag)
		if addr == "" {
			continue
		}
		path, _ := filepath.Abs(filepath.Join(r.cfg.Profile, fmt.Sprintf("aae-%s-%s.pprof", label, n.name)))
		pr.paths = append(pr.paths, path)
		pr.errs = append(pr.errs, nil)
		i := len(pr.errs) - 1
		pr.wg.Add(1)
		go func() {
			defer pr.wg.Done()
			pr.errs[i] = fetchProfile(ctx, addr, r.cfg.ProfileSecs, path)
		}()
	}
	return pr
}

// finish waits for the profiles and adds each one's pprof -top to the
// report.
func (r *aaeRunner) finish(ctx context.Context, pr *profiling) {
	pr.wg.Wait()
	for i, path := range pr.paths {
		if pr.errs[i] != nil {
			r.rep.note("CPU profile %s failed: %v", filepath.Base(path), pr.errs[i])
			continue
		}
		top, errOut, err := output(ctx, 2*time.Minute, "go", "tool", "pprof", "-top", "-nodecount=25", r.bin, path)
		if err != nil {
			r.rep.note("go tool pprof %s: %v: %s", filepath.Base(path), err, strings.TrimSpace(string(errOut)))
			continue
		}
		r.rep.Profiles = append(r.rep.Profiles, Profile{Path: path, Top: string(top)})
	}
}

// Profile is one node's CPU profile and its pprof -top.
type Profile struct{ Path, Top string }

// totalSamples matches pprof -top's "Duration: 20s, Total samples = 24.99s (124.95%)".
var totalSamples = regexp.MustCompile(`Duration: (\S+), Total samples = (\S+) \(([^)]+)\)`)

// CPUSummary returns "24.99s in 20s (124.95%)" from pprof -top output.
func CPUSummary(top string) string {
	m := totalSamples.FindStringSubmatch(top)
	if m == nil {
		return "?"
	}
	return fmt.Sprintf("%s CPU in %s (%s)", m[2], m[1], m[3])
}

// flagValue returns the value of --name in args, or "".
func flagValue(args []string, name string) string {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == "--"+name {
			return args[i+1]
		}
	}
	return ""
}
