package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// runner carries one run's state between its phases.
type runner struct {
	cfg     Config
	p       *procs
	log     io.Writer
	bin     string
	rep     *Report
	single  *target // the ringkv node that is profiled
	pprof   string  // its pprof address; "" when not profiling
	results map[string][]Result
	costs   map[string][]Cost // per run, by resultKey; the SET/GET comparison only
}

// run starts the servers, runs every phase and writes the report. Every
// child process and temp dir is gone when it returns, whatever happened.
func run(ctx context.Context, cfg Config, stdout, log io.Writer) error {
	r := &runner{cfg: cfg, p: &procs{}, log: log, rep: &Report{Cfg: cfg}, results: map[string][]Result{}, costs: map[string][]Cost{}}
	defer r.p.Close()
	if err := checkTools(); err != nil {
		return err
	}
	phases := []func(context.Context) error{r.setup, r.start, r.memory, r.preload, r.throughput, r.profile}
	if cfg.typesMode() {
		phases = []func(context.Context) error{r.setup, r.start, r.types} // typesrun.go
	}
	for _, phase := range phases {
		if err := phase(ctx); err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("stopped (%v): %w", context.Cause(ctx), err)
			}
			return err
		}
	}
	if cfg.Quick {
		r.rep.note("A -quick run (one repetition of fewer requests; the workload is above): for use while working, not for RESULTS.md.")
	}
	r.rep.Facts.LoadEnd = loadAvg()
	if l, _ := strconv.ParseFloat(strings.Fields(r.rep.Facts.LoadEnd + " 0")[0], 64); l > float64(r.rep.Facts.Nproc) {
		r.rep.note("The 1-minute load average (%s) exceeded the core count at the end: something else was using the CPU, so absolute figures are low and noisy; the ratios are the more robust part.", r.rep.Facts.LoadEnd)
	}
	md := r.rep.Markdown()
	fmt.Fprint(stdout, md)
	if cfg.Out != "" {
		return os.WriteFile(cfg.Out, []byte(md), 0o644)
	}
	return nil
}

func (r *runner) logf(format string, a ...any) {
	fmt.Fprintf(r.log, "bench %s: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, a...))
}

// setup finds or builds the ringkv binary and gathers the machine facts.
func (r *runner) setup(ctx context.Context) error {
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	r.bin = r.cfg.Ringkv
	if r.bin == "" {
		r.logf("building ./cmd/ringkv")
		if r.bin, err = buildRingkv(ctx, r.p, root); err != nil {
			return err
		}
	}
	r.rep.Facts = gatherFacts(ctx, root, r.bin)
	return nil
}

// start starts redis-server, the single ringkv node and maybe the cluster.
func (r *runner) start(ctx context.Context) error {
	var extra []string
	if r.cfg.Profile != "" {
		extra = r.pprofArgs(ctx)
	}
	r.logf("starting redis-server and ringkv")
	redis, err := startRedis(ctx, r.p)
	if err != nil {
		return err
	}
	if r.single, err = startSingle(ctx, r.p, r.bin, r.cfg.AppendFsync, extra); err != nil {
		return err
	}
	r.rep.Servers = []*target{redis, r.single}
	if r.cfg.Cluster {
		r.logf("starting a 3-node ringkv cluster")
		c, err := startCluster(ctx, r.p, r.bin, r.cfg.AppendFsync)
		if err != nil { // the cluster is newer than the rest: report without it
			r.logf("cluster skipped: %v", err)
			r.rep.note("3-node cluster skipped: %v", firstLineOf(err.Error()))
			return ctx.Err()
		}
		r.rep.Servers = append(r.rep.Servers, c)
	}
	return nil
}

// pprofArgs picks the pprof address, or notes why there is no profile.
func (r *runner) pprofArgs(ctx context.Context) []string {
	if !hasFlag(ctx, r.bin, pprofFlag) {
		r.rep.note("CPU profile skipped: this ringkv has no --%s flag.", pprofFlag)
		r.logf("ringkv has no --%s: skipping the CPU profile", pprofFlag)
		return nil
	}
	ports, err := freePorts(1, false)
	if err != nil {
		r.rep.note("CPU profile skipped: %v", err)
		return nil
	}
	r.pprof = fmt.Sprintf("127.0.0.1:%d", ports[0])
	return []string{"--" + pprofFlag, r.pprof}
}

// flush runs FLUSHALL, noting (not failing on) an error reply.
func (r *runner) flush(ctx context.Context, t *target) {
	if _, err := redisCLI(ctx, r.cfg, t.Nodes[0].Port, "flushall"); err != nil {
		r.rep.note("FLUSHALL on %s failed: %v", t.Label, err)
	}
}

// memory loads MemKeys keys into each freshly started server in turn and
// reads its RSS once it is still.
func (r *runner) memory(ctx context.Context) error {
	if r.cfg.MemKeys == 0 {
		return nil
	}
	for _, t := range r.rep.Servers {
		r.logf("memory: loading %d keys into %s", r.cfg.MemKeys, t.Label)
		m, err := r.memoryOf(ctx, t)
		if err != nil && ctx.Err() == nil { // a slow load loses its row, not the run
			m.Failed = firstLineOf(err.Error())
			r.rep.note("Memory of %s: %v", t.Label, m.Failed)
			r.logf("memory of %s failed: %v", t.Label, err)
		} else if err != nil {
			return err
		}
		r.rep.Memory = append(r.rep.Memory, m)
	}
	return nil
}

func (r *runner) memoryOf(ctx context.Context, t *target) (MemRow, error) {
	m := MemRow{Label: t.Label, DiskBytes: -1}
	r.flush(ctx, t)
	_, empty, err := settle(ctx, t.Nodes, 10*time.Second)
	if err != nil {
		return m, err
	}
	m.EmptyKiB = empty
	l := Load{KeyFormat: "key:%07d", Count: r.cfg.MemKeys, Size: r.cfg.DataSize, Random: true}
	if err := pipeLoad(ctx, r.cfg, t.Nodes[0].Port, l); err != nil {
		return m, err
	}
	settled, loaded, err := settle(ctx, t.Nodes, memSettle(r.cfg.MemKeys))
	if err != nil {
		return m, err
	}
	m.LoadedKiB, m.Settled = loaded, settled
	if m.DBSize, err = redisCLI(ctx, r.cfg, t.Nodes[0].Port, "dbsize"); err != nil {
		r.rep.note("DBSIZE on %s: %v", t.Label, err)
	} else if m.DBSize != fmt.Sprint(r.cfg.MemKeys) {
		r.rep.note("%s: DBSIZE answered %s after loading %d keys.", t.Label, m.DBSize, r.cfg.MemKeys)
	}
	if !t.Redis {
		m.DiskBytes = 0
		for _, n := range t.Nodes {
			m.DiskBytes += diskBytes(n.Dir)
		}
	}
	return m, nil
}

// memSettle bounds the wait for a server to go still after loading keys:
// 60 s, or 30 s per million keys for more (LevelDB compacts for longer
// after 10 million keys than after one).
func memSettle(keys int) time.Duration {
	return max(60*time.Second, time.Duration(keys/1000)*30*time.Millisecond)
}

// preload empties the servers after the memory phase and, with -preload,
// loads the benchmark's key space so that every GET of the throughput
// phase hits, then waits for the servers to idle.
func (r *runner) preload(ctx context.Context) error {
	for _, t := range r.rep.Servers {
		r.flush(ctx, t)
		if !r.cfg.Preload {
			continue
		}
		r.logf("preloading %d keys into %s", r.cfg.Keyspace, t.Label)
		l := Load{KeyFormat: "key:%012d", Count: r.cfg.Keyspace, Size: r.cfg.DataSize}
		if err := pipeLoad(ctx, r.cfg, t.Nodes[0].Port, l); err != nil {
			return err
		}
		if ok, _, err := settle(ctx, t.Nodes, 60*time.Second); err != nil {
			return err
		} else if !ok {
			r.rep.note("%s was still busy 60 s after the preload; benchmarked anyway.", t.Label)
		}
	}
	return nil
}

// throughput runs every pipeline depth Reps times, servers interleaved.
func (r *runner) throughput(ctx context.Context) error {
	for _, p := range Pipelines {
		for rep := 1; rep <= r.cfg.Reps; rep++ {
			for _, t := range r.rep.Servers {
				if err := r.measureOnce(ctx, t, p, rep); err != nil {
					return err
				}
			}
		}
	}
	r.tabulate()
	return nil
}

func (r *runner) measureOnce(ctx context.Context, t *target, p, rep int) error {
	res, notes, missing, err := measure(ctx, r.cfg, t, p)
	for _, n := range notes {
		r.rep.note("redis-benchmark against %s said: `%s`", t.Label, n)
	}
	if len(missing) > 0 {
		r.rep.note("%s: INFO lacks %s; read as 0 (a ringkv older than these counters).", t.Label, strings.Join(missing, ", "))
	}
	if err != nil {
		return err
	}
	var parts []string
	for _, test := range []string{"SET", "GET"} {
		x, ok := res[test]
		if !ok {
			return fmt.Errorf("bench: no %s result from redis-benchmark against %s", test, t.Label)
		}
		k := resultKey(t.Label, test, p)
		r.results[k], r.costs[k] = append(r.results[k], x.Result), append(r.costs[k], x.Cost())
		parts = append(parts, fmt.Sprintf("%s %.0f rps p99 %.3f ms %.1f µs/req", test, x.RPS, x.P99, x.Cost().CPU))
	}
	r.logf("-P %d rep %d/%d %s: %s", p, rep, r.cfg.Reps, t.Label, strings.Join(parts, ", "))
	return nil
}

func resultKey(label, test string, p int) string { return fmt.Sprintf("%s|%s|%d", label, test, p) }

// tabulate turns the raw results into the report's tables.
func (r *runner) tabulate() {
	for _, p := range Pipelines {
		for _, test := range []string{"SET", "GET"} {
			tb := Table{Test: test, Pipeline: p, Requests: r.cfg.requests(p), ClusterRequests: r.cfg.clusterRequests(p)}
			for _, t := range r.rep.Servers {
				k := resultKey(t.Label, test, p)
				tb.Rows = append(tb.Rows, Row{Label: t.Label, Nodes: len(t.Nodes), S: Summarize(r.results[k]),
					Cost: MedianCost(r.costs[k]), Target: cpuTarget(t, test, p)})
			}
			r.rep.Tables = append(r.rep.Tables, tb)
		}
	}
}

// profile grabs the ringkv CPU profile when asked for and available.
func (r *runner) profile(ctx context.Context) error {
	if r.pprof == "" {
		return nil
	}
	r.logf("profiling ringkv for %d s under load", r.cfg.ProfileSecs)
	top, err := profileRingkv(ctx, r.cfg, r.single, r.pprof, r.bin)
	if err != nil {
		r.rep.note("CPU profile failed: %v", err)
		return nil
	}
	fmt.Fprintln(r.log, top)
	r.rep.Profile = top
	return nil
}

// firstLineOf keeps a multi-line error readable in a Markdown list.
func firstLineOf(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
