package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// AAEReport is everything the anti-entropy mode found; Markdown renders it.
type AAEReport struct {
	Facts      Facts
	Cfg        Config
	Invocation string // the bench command line
	Command    string // n1's ringkv command line
	Converge   *AAEConverge
	Diff       *AAEDiff
	Latency    *AAELatency
	EngineCmd  string
	Engine     []string  // BenchmarkExchange's output lines
	Profiles   []Profile // target 3's first repetition, off then on, per node
	Notes      []string
}

// AAEConverge is target 1: a large divergence repaired.
type AAEConverge struct {
	Div      Divergence
	Repair   Repair
	Held     int  // keys n3's LevelDB held afterwards, with their value
	Verified bool // Held was read
}

// AAEDiff is target 2: a small divergence among many keys.
type AAEDiff struct {
	Load          time.Duration // loading the big key set
	QuietAfter    time.Duration // until anti-entropy was quiet after it
	QuietRepaired int64         // keys repaired meanwhile
	Idle          Idle          // rounds without differences
	Div           Divergence
	Repair        Repair
	Held          int
	Verified      bool
}

// AAELatency is target 3: redis-benchmark with anti-entropy off and on.
type AAELatency struct {
	Div  Divergence
	Runs []LatencyRun
}

// note adds a line to the report's notes once.
func (r *AAEReport) note(format string, a ...any) {
	s := fmt.Sprintf(format, a...)
	for _, n := range r.Notes {
		if n == s {
			return
		}
	}
	r.Notes = append(r.Notes, s)
}

// Markdown renders the report.
func (r *AAEReport) Markdown() string {
	var b strings.Builder
	r.writeHead(&b)
	if r.Converge != nil {
		r.writeConverge(&b)
	}
	if r.Diff != nil {
		r.writeDiff(&b)
	}
	if r.Latency != nil {
		r.writeLatency(&b)
	}
	if len(r.Engine) > 0 {
		fmt.Fprintf(&b, "## In process: engine BenchmarkExchange\n\n`%s` (two engines in one process, "+
			"10 keys diverged, Q=1024; wire-bytes/op is what the exchange would send)\n\n```text\n%s\n```\n\n",
			r.EngineCmd, strings.Join(r.Engine, "\n"))
	}
	if len(r.Profiles) > 0 {
		r.writeProfiles(&b)
	}
	if len(r.Notes) > 0 {
		b.WriteString("## Notes\n\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func (r *AAEReport) writeHead(b *strings.Builder) {
	f := r.Facts
	b.WriteString("# ringkv anti-entropy: the targets of issue 6\n\n| | |\n|---|---|\n")
	for _, kv := range [][2]string{
		{"date", f.Date}, {"cores (nproc)", fmt.Sprint(f.Nproc)}, {"CPU", f.CPU}, {"kernel", f.Kernel},
		{"load average at start / end", f.LoadStart + " / " + f.LoadEnd}, {"go", f.Go},
		{"redis-benchmark", f.RedisBenchmark}, {"ringkv commit", f.Ringkv},
	} {
		fmt.Fprintf(b, "| %s | %s |\n", kv[0], kv[1])
	}
	fmt.Fprintf(b, "\nCommand: `%s`\n\nCluster: `%s` (n2, n3 alike, plus --join n1's gossip port). "+
		"Anti-entropy on means `--aae-interval %v`, off `--aae-interval -1ns`. n3, the last name, never starts an "+
		"exchange (the lower name of a pair does), so everything it gets is started by n1 or n2. To make n3 miss "+
		"writes that only anti-entropy can repair: stop n3 (SIGTERM, clean), write through n1 at W=2 with "+
		"redis-cli --pipe, wait until n1 and n2 hold no hint and have dropped one per key (`--hint-max-age 1ms`) and "+
		"n3 has been down 3 s after the writes, then start n3 again with the same flags and data.\n\n",
		r.Invocation, r.Command, r.Cfg.AAEInterval)
}

func (r *AAEReport) writeConverge(b *strings.Builder) {
	t, rp := r.Converge, r.Converge.Repair
	fmt.Fprintf(b, "## Target 1: replicas converge after a %d-key divergence (target: under 30 s)\n\n| | |\n|---|---:|\n", t.Div.Keys)
	rows := [][2]string{
		{"keys n3 missed", fmt.Sprint(t.Div.Keys)},
		{"hints dropped before n3 returned", fmt.Sprint(t.Div.Dropped)},
		{"n3 restart → answering PING", secs(rp.Ready)},
		{"n3 restart → first key repaired", secs(rp.First)},
		{"**n3 restart → last key repaired (converged)**", "**" + secs(rp.Last) + "**"},
		{"repair rate, keys ÷ (last − first)", rate(t.Div.Keys, rp.Last-rp.First)},
		{"repair rate, keys ÷ (restart → last)", rate(t.Div.Keys, rp.Last)},
		{"aae_keys_repaired per node (n1, n2, n3)", joinInts(rp.PerNode)},
		{"rounds that repaired, as logged", rounds(rp.Rounds)},
		{"n3's LevelDB after a clean stop holds", held(t.Held, t.Div.Keys, t.Verified)},
		{"target under 30 s", verdict(rp.Last > 0 && rp.Last < 30*time.Second && t.Held == t.Div.Keys)},
	}
	writeRows(b, rows)
	b.WriteString("Times are from n3's restart (the process start) and are seen by polling INFO every 100 ms; " +
		"\"converged\" is the last poll at which aae_keys_repaired grew, confirmed by two further rounds of every " +
		"node without a repair. A key repaired by n1 and n2 both counts twice in aae_keys_repaired.\n\n")
}

func (r *AAEReport) writeDiff(b *strings.Builder) {
	t, rp := r.Diff, r.Diff.Repair
	fmt.Fprintf(b, "## Target 2: repairing %d keys among %d (target: under 1 MB and under 2 s)\n\n| | |\n|---|---:|\n",
		t.Div.Keys, r.Cfg.AAEBigKeys)
	base := t.Idle.PerExchange() * rp.Exchanges
	net := rp.Bytes - base
	rows := [][2]string{
		{fmt.Sprintf("load of %d keys through n1 (anti-entropy off)", r.Cfg.AAEBigKeys), fmt.Sprintf("%s (%s)", secs(t.Load), rate(r.Cfg.AAEBigKeys, t.Load))},
		{"anti-entropy quiet after it was turned on", fmt.Sprintf("%s, %d keys repaired", secs(t.QuietAfter), t.QuietRepaired)},
		{"an exchange (one pair) with no difference", fmt.Sprintf("%s (%d bytes over %d exchanges in %s)", kb(t.Idle.PerExchange()), t.Idle.Bytes, t.Idle.Exchanges, secs(t.Idle.Took))},
		{"a round (3 pairs) with no difference", kb(3 * t.Idle.PerExchange())},
		{"keys n3 missed", fmt.Sprint(t.Div.Keys)},
		{"peer bytes over the repair window (sent, all nodes)", fmt.Sprintf("%s over %d exchanges", kb(rp.Bytes), rp.Exchanges)},
		{"minus as many exchanges with no difference", kb(base)},
		{"**bytes the repair moved (net)**", "**" + kb(net) + "**"},
		{"n3 restart → answering PING", secs(rp.Ready)},
		{"**n3 restart → last key repaired**", "**" + secs(rp.Last) + "**"},
		{"rounds that repaired, as logged", rounds(rp.Rounds)},
		{"aae_keys_repaired per node (n1, n2, n3)", joinInts(rp.PerNode)},
		{"n3's LevelDB after a clean stop holds", held(t.Held, t.Div.Keys, t.Verified)},
		{"target under 1 MB (net)", verdict(rp.Last > 0 && net < 1<<20)},
		{"target under 2 s (restart → last repair)", verdict(rp.Last > 0 && rp.Last < 2*time.Second)},
	}
	writeRows(b, rows)
	b.WriteString("Bytes are INFO's peer_bytes_sent (whole frames on the peer transport) summed over the nodes, from " +
		"just before n3's restart until two quiet rounds after the last repair; n3's count starts at 0 with its " +
		"restart. The window holds exchanges that found nothing (n1 with n2, and the confirming rounds): their " +
		"cost, measured beforehand with no divergence, is subtracted. Serf gossip is not on the peer transport.\n\n")
}

func (r *AAEReport) writeLatency(b *strings.Builder) {
	c := r.Cfg
	fmt.Fprintf(b, "## Target 3: foreground p99 while anti-entropy repairs (target: within 1.2× of it off)\n\n"+
		"n3 misses %d keys (%d hints dropped), once. Then %d repetitions of: "+
		"`redis-benchmark -h 127.0.0.1 -p N1 -t set,get -c %d -d %d -r %d -n %d --csv` against n1 right after "+
		"every node was restarted with anti-entropy off (the divergence stays), then the same right after a "+
		"restart with it on, while it repairs the divergence. Each run with it on repairs only part of it; the "+
		"last repetition waits for the repair to end. Last, a control: a restart with anti-entropy on and "+
		"nothing left to repair.\n\n",
		r.Latency.Div.Keys, r.Latency.Div.Dropped, c.AAEReps, c.Clients, c.DataSize, c.AAEBenchR, c.AAEBenchN)
	b.WriteString("| rep | anti-entropy | SET rps | SET p99 ms | GET rps | GET p99 ms | run s | keys repaired during the run | repair outlasted the run | last repair, s after the run's start |\n|---:|---|---:|---:|---:|---:|---:|---:|---|---:|\n")
	for _, x := range r.Latency.Runs {
		end, outlasted := "–", "–"
		if x.RepairEnd > 0 {
			end = fmt.Sprintf("%.1f", x.RepairEnd.Seconds())
		}
		if x.Mode == aaeRepairing {
			outlasted = map[bool]string{true: "yes", false: "**no**"}[x.Outlasted]
		}
		mode := x.Mode
		if x.Retried {
			mode += " (second attempt)"
		}
		fmt.Fprintf(b, "| %d | %s | %.0f | %.3f | %.0f | %.3f | %.1f | %d | %s | %s |\n", x.Rep, mode,
			x.Set.RPS, x.Set.P99, x.Get.RPS, x.Get.P99, x.Took.Seconds(), x.RepairedDuring, outlasted, end)
	}
	off, on, idle := r.Latency.by(aaeOff), r.Latency.by(aaeRepairing), r.Latency.by(aaeIdle)
	b.WriteString("\n| median | anti-entropy off | on, repairing | on ÷ off | on, nothing to repair (control) |\n|---|---:|---:|---:|---:|\n")
	ok := len(off) > 0 && len(on) > 0
	for _, m := range []struct {
		name string
		f    func(LatencyRun) float64
		p99  bool
	}{
		{"SET p99 ms", func(x LatencyRun) float64 { return x.Set.P99 }, true},
		{"GET p99 ms", func(x LatencyRun) float64 { return x.Get.P99 }, true},
		{"SET requests/s", func(x LatencyRun) float64 { return x.Set.RPS }, false},
		{"GET requests/s", func(x LatencyRun) float64 { return x.Get.RPS }, false},
	} {
		a, z, ctl := Median(mapRuns(off, m.f)), Median(mapRuns(on, m.f)), "–"
		if len(idle) > 0 {
			ctl = fmt.Sprintf("%.3f", Median(mapRuns(idle, m.f)))
		}
		fmt.Fprintf(b, "| %s | %.3f | %.3f | %s | %s |\n", m.name, a, z, ratio(z, a), ctl)
		if m.p99 {
			ok = ok && z <= 1.2*a
		}
	}
	fmt.Fprintf(b, "\nTarget, p99 of SET and GET within 1.2×: %s. A run with anti-entropy on measures the target only "+
		"if the repair went on for all of it (keys repaired during it, and still after it).\n\n", verdict(ok))
}

// by returns the runs in one mode.
func (l *AAELatency) by(mode string) []LatencyRun {
	var out []LatencyRun
	for _, x := range l.Runs {
		if x.Mode == mode {
			out = append(out, x)
		}
	}
	return out
}

func mapRuns(runs []LatencyRun, f func(LatencyRun) float64) []float64 {
	out := make([]float64, len(runs))
	for i, x := range runs {
		out[i] = f(x)
	}
	return out
}

// BenchLines keeps the lines of `go test -bench` output worth quoting.
func BenchLines(out string) []string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "Benchmark") || strings.HasPrefix(t, "goos:") || strings.HasPrefix(t, "cpu:") ||
			strings.Contains(t, "loaded ") || strings.HasPrefix(t, "ok ") || strings.HasPrefix(t, "FAIL") {
			keep = append(keep, t)
		}
	}
	return keep
}

func writeRows(b *strings.Builder, rows [][2]string) {
	for _, kv := range rows {
		fmt.Fprintf(b, "| %s | %s |\n", kv[0], kv[1])
	}
	b.WriteString("\n")
}

func secs(d time.Duration) string {
	switch {
	case d <= 0:
		return "–"
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

func rate(n int, d time.Duration) string {
	if d <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f keys/s", float64(n)/d.Seconds())
}

func kb(n int64) string { return fmt.Sprintf("%.1f KiB", float64(n)/1024) }

func joinInts(xs []int64) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}

func rounds(rs []LogRound) string {
	if len(rs) == 0 {
		return "–"
	}
	var s []string
	for _, x := range rs {
		s = append(s, fmt.Sprintf("%s: %d keys in %s", x.Node, x.Repaired, secs(x.Took)))
	}
	return strings.Join(s, "; ")
}

func held(have, want int, ok bool) string {
	if !ok {
		return "not checked"
	}
	return fmt.Sprintf("%d of %d keys", have, want)
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// writeProfiles sums up each node's CPU with anti-entropy off and on, then
// quotes every profile's top.
func (r *AAEReport) writeProfiles(b *strings.Builder) {
	fmt.Fprintf(b, "## CPU profiles (target 3, repetition 1: %d s from each node while redis-benchmark runs)\n\n", r.Cfg.ProfileSecs)
	b.WriteString("| profile | CPU |\n|---|---|\n")
	for _, p := range r.Profiles {
		fmt.Fprintf(b, "| %s | %s |\n", filepath.Base(p.Path), CPUSummary(p.Top))
	}
	b.WriteString("\n")
	for _, p := range r.Profiles {
		fmt.Fprintf(b, "```text\n%s: %s\n```\n\n", filepath.Base(p.Path), strings.TrimSpace(p.Top))
	}
}
