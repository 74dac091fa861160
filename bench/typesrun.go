package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// types is the data-type mode's measuring phase: for each pipeline depth,
// Reps rounds, each running every server in turn (redis, ringkv, redis,
// ...). Each run starts from FLUSHALL and an idle server and is one
// redis-benchmark invocation with every selected test, so the tests run in
// redis-benchmark's own order on every server: the pops find what the
// pushes left (ParseTests adds missing producers).
func (r *runner) types(ctx context.Context) error {
	if _, err := exec.LookPath("stdbuf"); err != nil {
		return fmt.Errorf("bench: stdbuf (coreutils) not found on PATH; the data-type mode needs it to time each test")
	}
	tests, added, err := ParseTests(r.cfg.Tests)
	if err != nil {
		return err
	}
	tr := &TypesReport{Tests: tests, Added: added, cpu: map[string][]float64{}}
	r.rep.Types = tr
	for _, p := range Pipelines {
		for rep := 1; rep <= r.cfg.Reps; rep++ {
			for _, t := range r.rep.Servers {
				if err := r.typesOnce(ctx, tr, t, p, rep); err != nil {
					return err
				}
			}
		}
	}
	tr.tabulate(r)
	return nil
}

func (r *runner) typesOnce(ctx context.Context, tr *TypesReport, t *target, p, rep int) error {
	r.flush(ctx, t)
	if ok, _, err := settle(ctx, t.Nodes, 30*time.Second); err != nil {
		return err
	} else if !ok {
		r.rep.note("%s was still busy 30 s after FLUSHALL (-P %d, repetition %d); benchmarked anyway.", t.Label, p, rep)
	}
	n := r.cfg.requests(p)
	args := r.cfg.benchArgs(t.Nodes[0].Port, strings.Join(tr.Tests, ","), r.cfg.Clients, n, p)
	res, cpu, notes, err := timedBenchmark(ctx, r.cfg, t.pids(), args)
	for _, note := range notes {
		r.rep.note("redis-benchmark against %s said: `%s`", t.Label, note)
	}
	if err != nil {
		return err
	}
	if err := tr.checkOrder(res); err != nil {
		return fmt.Errorf("%w (against %s, -P %d)", err, t.Label, p)
	}
	var parts []string
	for _, x := range res {
		k := resultKey(t.Label, x.Test, p)
		us := float64(cpu[x.Test]) / 1e3 / float64(n)
		r.results[k] = append(r.results[k], x)
		tr.cpu[k] = append(tr.cpu[k], us)
		parts = append(parts, fmt.Sprintf("%s %.0f", shortTest(x.Test), x.RPS))
	}
	r.logf("-P %d rep %d/%d %s: rps %s", p, rep, r.cfg.Reps, t.Label, strings.Join(parts, ", "))
	return nil
}

// timedBenchmark runs redis-benchmark streamed (streamBenchmark) and
// returns its results, the CPU time (ns) the processes pids spent on each
// test (AttributeCPU), and anything else it printed as notes.
func timedBenchmark(ctx context.Context, c Config, pids []int, args []string) ([]Result, map[string]int64, []string, error) {
	lines, start, stderr, err := streamBenchmark(ctx, c, pids, args)
	res, cpu, notes, perr := AttributeCPU(lines, start)
	for _, l := range strings.Split(strings.ReplaceAll(string(stderr), "\r", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			notes = append(notes, l)
		}
	}
	if err != nil {
		return nil, nil, notes, fmt.Errorf("redis-benchmark %s: %v: %s", strings.Join(args, " "), err, strings.Join(notes, " | "))
	}
	return res, cpu, notes, perr
}

// timedLine is one line redis-benchmark printed and the server's CPU
// time (ns) read as it arrived.
type timedLine struct {
	Text string
	CPU  int64
}

// streamBenchmark runs redis-benchmark under `stdbuf -oL`, so that each
// test's CSV line arrives when that test ends, and reads the server's CPU
// time (summed over the processes pids) at the start and at every line.
func streamBenchmark(ctx context.Context, c Config, pids []int, args []string) (lines []timedLine, start int64, stderr []byte, err error) {
	cmd, cancel := command(ctx, c.RunTimeout, "stdbuf", append([]string{"-oL", "redis-benchmark"}, args...)...)
	defer cancel()
	var e bytes.Buffer
	cmd.Stderr = &e
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, 0, nil, err
	}
	if start, err = cpuSum(pids); err != nil {
		return nil, 0, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, 0, nil, err
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		ns, cerr := cpuSum(pids)
		if cerr != nil && err == nil {
			err = cerr
		}
		lines = append(lines, timedLine{Text: sc.Text(), CPU: ns})
	}
	if werr := cmd.Wait(); werr != nil {
		err = werr
	}
	return lines, start, e.Bytes(), err
}

// AttributeCPU parses redis-benchmark's streamed --csv lines and gives each
// test the server CPU time (ns) between the previous CSV line (the header
// for the first test; start if there is none) and its own line. Lines that
// are not CSV are notes, as in ParseCSV.
func AttributeCPU(lines []timedLine, start int64) ([]Result, map[string]int64, []string, error) {
	var text strings.Builder
	cpu := map[string]int64{}
	prev := start
	for _, l := range lines {
		s := strings.TrimSpace(strings.ReplaceAll(l.Text, "\r", ""))
		text.WriteString(s + "\n")
		if !strings.HasPrefix(s, `"`) {
			continue
		}
		rec, err := csv.NewReader(strings.NewReader(s)).Read()
		if err != nil || len(rec) == 0 {
			continue
		}
		if rec[0] != "test" {
			cpu[rec[0]] += l.CPU - prev
		}
		prev = l.CPU
	}
	res, notes, err := ParseCSV(text.String())
	return res, cpu, notes, err
}

// cpuNanos is a process's CPU time in ns: the first field of
// /proc/PID/task/*/schedstat summed over its threads (nanosecond
// resolution, where /proc/PID/stat counts 10 ms ticks). It falls back to
// those ticks when schedstat is missing.
func cpuNanos(pid int) (int64, error) {
	paths, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	var sum int64
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // the thread exited meanwhile
		}
		ns, err := ParseSchedstat(string(b))
		if err != nil {
			return 0, err
		}
		sum += ns
	}
	if len(paths) > 0 {
		return sum, nil
	}
	s, err := sample(pid)
	return s.ticks * 1e7, err // USER_HZ is 100 on Linux
}

// cpuSum is cpuNanos summed over the processes pids: a server's CPU time
// when it is several processes (the cluster's nodes).
func cpuSum(pids []int) (int64, error) {
	var sum int64
	for _, pid := range pids {
		ns, err := cpuNanos(pid)
		if err != nil {
			return 0, err
		}
		sum += ns
	}
	return sum, nil
}

// ParseSchedstat returns the time on CPU (ns), the first of the three
// fields of /proc/PID/schedstat.
func ParseSchedstat(s string) (int64, error) {
	f := strings.Fields(s)
	if len(f) != 3 {
		return 0, fmt.Errorf("bench: malformed schedstat %q", s)
	}
	return strconv.ParseInt(f[0], 10, 64)
}

// shortTest is a CSV test name without its parenthesised remark.
func shortTest(name string) string {
	if i := strings.Index(name, " ("); i > 0 && !strings.HasPrefix(name, "LPUSH (needed") {
		return name[:i]
	}
	return name
}
