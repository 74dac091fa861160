package main

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Facts describe the machine and software a report was produced on.
type Facts struct {
	Date, CPU, Kernel, Go, Redis, RedisBenchmark, Ringkv string
	LoadStart, LoadEnd                                   string // /proc/loadavg's 1, 5, 15 min figures
	Nproc                                                int
}

// CPUModel returns the first "model name" in /proc/cpuinfo text.
func CPUModel(cpuinfo string) string {
	for _, line := range strings.Split(cpuinfo, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// gatherFacts collects Facts; bin is the ringkv binary, root the module.
func gatherFacts(ctx context.Context, root, bin string) Facts {
	cpuinfo, _ := os.ReadFile("/proc/cpuinfo")
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return Facts{
		Date:           time.Now().UTC().Format(time.RFC3339),
		Nproc:          runtime.NumCPU(),
		CPU:            CPUModel(string(cpuinfo)),
		Kernel:         strings.TrimSpace(string(kernel)),
		Go:             firstLine(ctx, "go", "version"),
		Redis:          firstLine(ctx, "redis-server", "--version"),
		RedisBenchmark: firstLine(ctx, "redis-benchmark", "--version"),
		Ringkv:         ringkvRevision(ctx, root, bin),
		LoadStart:      loadAvg(),
	}
}

// loadAvg returns the 1, 5 and 15 minute load averages: on a shared machine
// they tell whether something else competed for the cores.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if err != nil || len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// firstLine runs a command and returns the first line of its output.
func firstLine(ctx context.Context, name string, args ...string) string {
	out, _, err := output(ctx, 30*time.Second, name, args...)
	if err != nil && len(out) == 0 {
		return "unknown (" + err.Error() + ")"
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return line
}

// ringkvRevision is the commit the binary was built from, as go build
// stamped it (vcs.revision, vcs.modified), else the tree's git HEAD.
func ringkvRevision(ctx context.Context, root, bin string) string {
	out, _, _ := output(ctx, 30*time.Second, "go", "version", "-m", bin)
	if rev, dirty := VCSStamp(string(out)); rev != "" {
		if dirty {
			rev += " (with uncommitted changes)"
		}
		return rev
	}
	head, _, err := output(ctx, 30*time.Second, "git", "-C", root, "rev-parse", "HEAD")
	if err != nil {
		return "unknown"
	}
	status, _, _ := output(ctx, 30*time.Second, "git", "-C", root, "status", "--porcelain", "--untracked-files=no")
	rev := strings.TrimSpace(string(head)) + " (git HEAD of " + filepath.Base(root) + "; binary not stamped)"
	if len(strings.TrimSpace(string(status))) > 0 {
		rev += ", tree has uncommitted changes"
	}
	return rev
}

// VCSStamp reads vcs.revision and vcs.modified from `go version -m` output.
func VCSStamp(out string) (rev string, modified bool) {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) != 2 || f[0] != "build" {
			continue
		}
		if v, ok := strings.CutPrefix(f[1], "vcs.revision="); ok {
			rev = v
		}
		if f[1] == "vcs.modified=true" {
			modified = true
		}
	}
	return rev, modified
}
