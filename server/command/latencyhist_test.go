package command

import (
	"strings"
	"testing"
	"time"

	"github.com/ringkv/ringkv/resp"
)

// Every run time falls in a bucket whose top is at least it and whose
// predecessor's top is below it, within ~6% above 1 µs.
func TestLatencyHistBuckets(t *testing.T) {
	for _, ns := range []int64{0, 1, 1023, 1024, 1025, 1500, 2047, 2048, 99_999, 1_000_000, 123_456_789, 1 << 39, 1<<40 - 1} {
		i := histBucket(ns)
		if top := histTop(i); top < ns || (i > 0 && histTop(i-1) >= ns) {
			t.Errorf("%d ns: bucket %d, top %d, previous top %d", ns, i, top, histTop(i-1))
		}
		if ns >= histMinNs && float64(histTop(i)-ns) > 0.07*float64(ns) {
			t.Errorf("%d ns: bucket top %d is more than 7%% above", ns, histTop(i))
		}
	}
	if i := histBucket(1 << 45); i != histBuckets-1 {
		t.Errorf("a run past the range: bucket %d, want the last, %d", i, histBuckets-1)
	}
	var h latencyHist
	for _, d := range []time.Duration{500, 3 * time.Microsecond, 3 * time.Microsecond, 40 * time.Microsecond} {
		h.record(d)
	}
	got := string(resp.Append(nil, resp.Array(h.cdf()...), 2))
	if want := "*6\r\n:1\r\n:1\r\n:4\r\n:3\r\n:65\r\n:4\r\n"; got != want {
		t.Errorf("cdf %q, want %q (1 µs: 1, 4 µs: 3, 65 µs: 4)", got, want)
	}
	if p := h.percentile(50); p < 3 || p > 3.2 {
		t.Errorf("p50 = %.3f µs, want about 3", p)
	}
	if p := h.percentile(100); p < 40 || p > 42.5 {
		t.Errorf("p100 = %.3f µs, want about 40", p)
	}
}

// LATENCY HISTOGRAM as in Redis 7.0.15's unit/latency-monitor: commands
// called since CONFIG RESETSTAT, a container's subcommands, unknown names
// skipped; INFO latencystats; latency-tracking no stops it.
func TestLatencyHistogramCommand(t *testing.T) {
	f := newFixture(t)
	f.do("CONFIG", "RESETSTAT")
	f.do("SET", "a", "b")
	f.do("SET", "c", "d")
	f.do("CLIENT", "ID")
	h := f.do("LATENCY", "HISTOGRAM")
	names := map[string]int64{}
	for i := 0; i+1 < len(h.Elems); i += 2 {
		m := h.Elems[i+1]
		if len(m.Elems) != 4 || m.Elems[0].Str != "calls" || m.Elems[2].Str != "histogram_usec" || len(m.Elems[3].Elems) == 0 {
			t.Fatalf("%s: %v", h.Elems[i].Str, m)
		}
		names[h.Elems[i].Str] = m.Elems[1].Int
	}
	if len(names) != 3 || names["set"] != 2 || names["client|id"] != 1 || names["config|resetstat"] != 1 {
		t.Errorf("LATENCY HISTOGRAM: %v", names)
	}
	if h := f.do("LATENCY", "HISTOGRAM", "client"); len(h.Elems) != 2 || h.Elems[0].Str != "client|id" {
		t.Errorf("LATENCY HISTOGRAM client: %v", h)
	}
	if h := f.do("LATENCY", "HISTOGRAM", "nosuch", "set", "get", "client|id"); len(h.Elems) != 4 ||
		h.Elems[0].Str != "set" || h.Elems[2].Str != "client|id" {
		t.Errorf("LATENCY HISTOGRAM nosuch set get client|id: %v", h)
	}
	info := f.do("INFO", "latencystats").Text()
	if !strings.HasPrefix(info, "# Latencystats\r\n") || !strings.Contains(info, "\r\nlatency_percentiles_usec_set:p50=") ||
		!strings.Contains(info, ",p99.9=") {
		t.Errorf("INFO latencystats = %q", info)
	}
	if strings.Contains(f.do("INFO").Text(), "Latencystats") {
		t.Error("default INFO has latencystats")
	}
	expect(t, "percentiles", string(resp.Append(nil, f.do("CONFIG", "SET", "latency-tracking-info-percentiles", "50 101"), 2)),
		"-ERR CONFIG SET failed (possibly related to argument 'latency-tracking-info-percentiles') - latency-tracking-info-percentiles parameters should sit between [0.0,100.0]\r\n")
	f.do("CONFIG", "SET", "latency-tracking-info-percentiles", "90")
	if info := f.do("INFO", "latencystats").Text(); !strings.Contains(info, "latency_percentiles_usec_set:p90=") ||
		strings.Contains(info, "p50") {
		t.Errorf("INFO latencystats with percentiles 90: %q", info)
	}
	f.do("CONFIG", "SET", "latency-tracking", "no")
	f.do("CONFIG", "RESETSTAT")
	f.do("SET", "a", "b")
	if h := f.do("LATENCY", "HISTOGRAM"); len(h.Elems) != 0 {
		t.Errorf("latency-tracking no: %v", h)
	}
}
