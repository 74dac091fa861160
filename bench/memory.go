package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ParseVmRSS returns VmRSS in KiB from the text of /proc/PID/status.
func ParseVmRSS(status string) (int64, error) {
	for _, line := range strings.Split(status, "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(v)
			if len(f) == 2 && f[1] == "kB" {
				return strconv.ParseInt(f[0], 10, 64)
			}
		}
	}
	return 0, fmt.Errorf("bench: no VmRSS line in /proc status")
}

// ParseCPUTicks returns utime+stime (clock ticks) from /proc/PID/stat.
func ParseCPUTicks(stat string) (int64, error) {
	i := strings.LastIndexByte(stat, ')') // comm may contain spaces
	if i < 0 {
		return 0, fmt.Errorf("bench: malformed /proc stat")
	}
	f := strings.Fields(stat[i+1:]) // f[0] is field 3 (state); utime is 14, stime 15
	if len(f) < 13 {
		return 0, fmt.Errorf("bench: short /proc stat")
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bench: bad utime/stime in /proc stat")
	}
	return u + s, nil
}

// procSample is one reading of a process: resident KiB and CPU ticks.
type procSample struct{ rss, ticks int64 }

func sample(pid int) (procSample, error) {
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return procSample{}, err
	}
	sp, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procSample{}, err
	}
	rss, err := ParseVmRSS(string(st))
	if err != nil {
		return procSample{}, err
	}
	t, err := ParseCPUTicks(string(sp))
	return procSample{rss, t}, err
}

// quiet reports whether a process stayed still between two samples half a
// second apart: RSS within 1% (or 512 KiB) and at most 2 ticks of CPU
// (about 4% of a core at the usual 100 Hz).
func quiet(a, b procSample) bool {
	d := b.rss - a.rss
	if d < 0 {
		d = -d
	}
	return (d <= a.rss/100 || d <= 512) && b.ticks-a.ticks <= 2
}

// settle waits until all nodes have been quiet for four samples in a row
// (two seconds), at most limit; it returns whether they settled and the
// summed RSS in KiB at the end.
func settle(ctx context.Context, nodes []*node, limit time.Duration) (bool, int64, error) {
	prev, err := sampleAll(nodes)
	if err != nil {
		return false, 0, err
	}
	streak, deadline := 0, time.Now().Add(limit)
	for streak < 4 && time.Now().Before(deadline) {
		if err := sleep(ctx, 500*time.Millisecond); err != nil {
			return false, 0, err
		}
		cur, err := sampleAll(nodes)
		if err != nil {
			return false, 0, err
		}
		streak++
		for i := range cur {
			if !quiet(prev[i], cur[i]) {
				streak = 0
			}
		}
		prev = cur
	}
	var rss int64
	for _, s := range prev {
		rss += s.rss
	}
	return streak >= 4, rss, nil
}

func sampleAll(nodes []*node) ([]procSample, error) {
	out := make([]procSample, len(nodes))
	for i, n := range nodes {
		s, err := sample(n.Pid())
		if err != nil {
			return nil, fmt.Errorf("bench: reading /proc of %s: %w", n.Name, err)
		}
		out[i] = s
	}
	return out, nil
}

// diskBytes sums the sizes of regular files under dir, skipping logs.
func diskBytes(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && d.Name() != "server.log" {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}
