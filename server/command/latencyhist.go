package command

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ringkv/ringkv/resp"
)

// Per-command latency tracking (Redis 7's latency-tracking): every call's
// run time goes into its command's histogram, which LATENCY HISTOGRAM
// replies as a cumulative distribution over powers of two microseconds
// and INFO latencystats as percentiles (latency-tracking-info-percentiles).
//
// A histogram has histSub buckets per power of two of nanoseconds from
// 1024 ns on (about 6% apart; Redis's HdrHistogram keeps two significant
// digits), allocated on a command's first call, as Redis allocates it.

const (
	histSubBits = 4
	histSub     = 1 << histSubBits
	histOctaves = 31                         // up to 2^40 ns (18 min); longer counts there
	histBuckets = 1 + histOctaves*histSub    // bucket 0: under 1024 ns
	histMinNs   = 1 << 10                    // Redis's LATENCY_HISTOGRAM_MIN_VALUE
	histMaxNs   = histMinNs<<histOctaves - 1 // the last bucket's top
)

// latencyHist is one command's histogram.
type latencyHist struct {
	total   atomic.Int64
	buckets [histBuckets]atomic.Int64
}

// histBucket is the bucket of a run of ns nanoseconds.
func histBucket(ns int64) int {
	if ns < histMinNs {
		return 0
	}
	ns = min(ns, histMaxNs)
	o := bits.Len64(uint64(ns) >> 10) // ns in [2^(9+o), 2^(10+o))
	sub := int((ns - 1<<(9+o)) >> (9 + o - histSubBits))
	return 1 + (o-1)*histSub + sub
}

// histTop is the largest run time in nanoseconds bucket i holds.
func histTop(i int) int64 {
	if i == 0 {
		return histMinNs - 1
	}
	o, sub := (i-1)/histSub+1, int64((i-1)%histSub)
	width := int64(1) << (9 + o - histSubBits)
	return 1<<(9+o) + (sub+1)*width - 1
}

func (h *latencyHist) record(d time.Duration) {
	h.buckets[histBucket(int64(d))].Add(1)
	h.total.Add(1)
}

// cdf is LATENCY HISTOGRAM's histogram_usec: per power of two (the top
// of each in µs, as Redis's log iterator from 1024 ns prints it), the
// calls that ran at most that long, where that count grows.
func (h *latencyHist) cdf() []resp.Reply {
	var out []resp.Reply
	var cum, prev int64
	for o := 0; o <= histOctaves; o++ {
		lo, hi := 0, 0 // buckets of octave o: [lo, hi]
		if o > 0 {
			lo, hi = 1+(o-1)*histSub, o*histSub
		}
		for i := lo; i <= hi; i++ {
			cum += h.buckets[i].Load()
		}
		if cum > prev {
			out = append(out, resp.Int((histMinNs<<o-1)/1000), resp.Int(cum))
		}
		prev = cum
	}
	return out
}

// percentile is the run time in µs at or under which p percent of the
// calls ran (HdrHistogram's value_at_percentile: the top of the bucket
// holding that call).
func (h *latencyHist) percentile(p float64) float64 {
	total := h.total.Load()
	want := max(int64(p/100*float64(total)+0.5), 1)
	var cum int64
	for i := range h.buckets {
		if cum += h.buckets[i].Load(); cum >= want {
			return float64(histTop(i)) / 1000
		}
	}
	return float64(histMaxNs) / 1000
}

// latencyTracking holds latency-tracking and
// latency-tracking-info-percentiles.
type latencyTracking struct {
	off         atomic.Bool               // latency-tracking no
	percentiles atomic.Pointer[[]float64] // nil: 50 99 99.9
}

var defaultPercentiles = []float64{50, 99, 99.9}

func (s *Settings) latencyPercentiles() []float64 {
	if p := s.latTrack.percentiles.Load(); p != nil {
		return *p
	}
	return defaultPercentiles
}

func getLatencyTracking(s *Settings) string {
	if s.latTrack.off.Load() {
		return "no"
	}
	return "yes"
}

func setLatencyTracking(s *Settings, v string) error {
	switch strings.ToLower(v) {
	case "yes":
		s.latTrack.off.Store(false)
	case "no":
		s.latTrack.off.Store(true)
	default:
		return errors.New("argument must be 'yes' or 'no'")
	}
	return nil
}

func getLatencyPercentiles(s *Settings) string {
	ps := s.latencyPercentiles()
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = strconv.FormatFloat(p, 'f', -1, 64)
	}
	return strings.Join(out, " ")
}

// setLatencyPercentiles takes Redis's space-separated list of percentiles
// in [0, 100] (empty: none), with its error texts.
func setLatencyPercentiles(s *Settings, v string) error {
	ps := []float64{}
	for _, f := range strings.Fields(v) {
		p, err := strconv.ParseFloat(f, 64)
		if err != nil || math.IsNaN(p) {
			//lint:ignore ST1005 Redis's error text, which CONFIG SET quotes
			return errors.New("Invalid latency-tracking-info-percentiles parameters")
		}
		if p < 0 || p > 100 {
			return errors.New("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]")
		}
		ps = append(ps, p)
	}
	s.latTrack.percentiles.Store(&ps)
	return nil
}

// trackLatency records one call of cmd that ran for took, unless latency
// tracking is off or cmd may block (Redis skips the calls that blocked;
// ringkv does not tell them apart, so it records none).
func (d *Dispatcher) trackLatency(cmd *Command, took time.Duration) {
	if d.env.Settings.latTrack.off.Load() || cmd.Flags&Blocking != 0 {
		return
	}
	h := cmd.lat.Load()
	if h == nil {
		cmd.lat.CompareAndSwap(nil, new(latencyHist))
		h = cmd.lat.Load()
	}
	h.record(took)
}

// LATENCY HISTOGRAM [command ...]: per command called since the last
// CONFIG RESETSTAT (or those named, a container's subcommands with it;
// unknown names skipped), {calls, histogram_usec}.
func (d *Dispatcher) latencyHistogram(_ *Session, args [][]byte) resp.Reply {
	var cmds []*Command
	if len(args) == 2 {
		cmds = d.all()
	}
	for _, a := range args[2:] {
		if c := d.find(string(a)); c != nil {
			cmds = append(append(cmds, c), c.Subs...)
		}
	}
	out := []resp.Reply{}
	for _, c := range cmds {
		h := c.lat.Load()
		if h == nil {
			continue
		}
		out = append(out, resp.BulkString(c.Name), resp.Map(resp.BulkString("calls"), resp.Int(h.total.Load()),
			resp.BulkString("histogram_usec"), resp.Map(h.cdf()...)))
	}
	return resp.Map(out...)
}

// infoLatencyStats is INFO latencystats: per command called,
// latency_percentiles_usec_<name>:p50=...,p99=...,p99.9=...
func (d *Dispatcher) infoLatencyStats(_ *Session) []string {
	ps := d.env.Settings.latencyPercentiles()
	var out []string
	for _, c := range d.all() {
		h := c.lat.Load()
		if h == nil {
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "latency_percentiles_usec_%s:", c.Name)
		for i, p := range ps {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "p%s=%.3f", strconv.FormatFloat(p, 'f', -1, 64), h.percentile(p))
		}
		out = append(out, b.String())
	}
	return out
}
