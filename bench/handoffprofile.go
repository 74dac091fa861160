package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// hoProfiles are the CPU profiles of one trial: the receiver (n4) and a
// source (n1), each -profile-seconds from the first bytes received.
type hoProfiles struct {
	wg    sync.WaitGroup
	mu    sync.Mutex
	paths []string
	errs  []string
}

// start begins fetching a profile from n4 and n1 into cfg.Profile.
func (p *hoProfiles) start(cfg Config, c *hoCluster, rate string) {
	if err := os.MkdirAll(cfg.Profile, 0o755); err != nil {
		p.errs = append(p.errs, err.Error())
		return
	}
	for _, n := range []*hoNode{c.nodes[3], c.nodes[0]} {
		name := fmt.Sprintf("handoff-rate-%s-%s.pprof", strings.ReplaceAll(rate, "/", "_"), n.Name)
		path, _ := filepath.Abs(filepath.Join(cfg.Profile, name))
		p.wg.Go(func() {
			// Not bound to the trial's ctx: the trial waits for it.
			err := fetchProfile(context.Background(), n.pprof, cfg.ProfileSecs, path)
			p.mu.Lock()
			defer p.mu.Unlock()
			if err != nil {
				p.errs = append(p.errs, fmt.Sprintf("%s: %v", n.Name, err))
				return
			}
			p.paths = append(p.paths, path)
		})
	}
}

// wait waits for the profiles and returns `go tool pprof -top` of each.
func (p *hoProfiles) wait(ctx context.Context, bin string) []string {
	p.wg.Wait()
	out := append([]string(nil), p.errs...)
	for _, path := range p.paths {
		top, errOut, err := output(ctx, 2*time.Minute, "go", "tool", "pprof", "-top", "-nodecount=30", bin, path)
		if err != nil {
			out = append(out, fmt.Sprintf("go tool pprof %s: %v: %s", path, err, errOut))
			continue
		}
		out = append(out, fmt.Sprintf("%s\n\n%s", path, strings.TrimSpace(string(top))))
	}
	return out
}
