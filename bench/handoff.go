package main

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The partition handoff mode (-handoff) measures issue 9's target: a
// joining node receives partitions at >= 50 MB/s on loopback while the
// foreground p99 stays under 10 ms. It starts a 3-node cluster, loads it,
// measures a light foreground load, starts a fourth node that joins, and
// measures the transfer and the same foreground load until every node has
// settled on the new ring (handoffrun.go). Each -handoff-rates value is a
// trial on a fresh cluster.

// HandoffConfig is the -handoff mode's part of Config.
type HandoffConfig struct {
	On         bool          // run the handoff mode; default false
	Bytes      int64         // value bytes loaded before the join; default 1 GiB
	Value      int           // bytes per value; default 1024
	Rates      string        // --transfer-rate per trial, comma-separated; default "64mb,0" (0: unthrottled)
	Partitions int           // ringkv --partitions; default 256
	Conns      int           // loader connections, spread over n1..n3; default 6
	Depth      int           // loader pipeline depth per connection; default 128
	FgRate     int           // foreground operations per second (GET and SET alternating, one client); default 200
	Baseline   time.Duration // foreground run before the join; default 15s
	Wait       time.Duration // bound on the wait for every node to settle after the join; default 30m
}

// DefaultHandoff returns the mode's defaults.
func DefaultHandoff() HandoffConfig {
	return HandoffConfig{Bytes: 1 << 30, Value: 1024, Rates: "64mb,0", Partitions: 256, Conns: 6, Depth: 128,
		FgRate: 200, Baseline: 15 * time.Second, Wait: 30 * time.Minute}
}

// flags registers the mode's flags on fs.
func (h *HandoffConfig) flags(fs *flag.FlagSet) {
	fs.BoolVar(&h.On, "handoff", h.On, "run the partition handoff mode instead (issue 9: a 4th node joins a loaded 3-node cluster; see handoff.go)")
	fs.Var((*sizeFlag)(&h.Bytes), "handoff-bytes", "handoff: value bytes to load before the join, e.g. 100mb (quick) or 1gb")
	fs.IntVar(&h.Value, "handoff-value", h.Value, "handoff: bytes per value")
	fs.StringVar(&h.Rates, "handoff-rates", h.Rates, "handoff: ringkv --transfer-rate of each trial, comma-separated (0: unthrottled)")
	fs.IntVar(&h.Partitions, "handoff-partitions", h.Partitions, "handoff: ringkv --partitions")
	fs.IntVar(&h.Conns, "handoff-conns", h.Conns, "handoff: loader connections")
	fs.IntVar(&h.Depth, "handoff-depth", h.Depth, "handoff: loader pipeline depth per connection")
	fs.IntVar(&h.FgRate, "handoff-fg-rate", h.FgRate, "handoff: foreground GET/SET per second (one client, through n1..n3 in turn)")
	fs.DurationVar(&h.Baseline, "handoff-baseline", h.Baseline, "handoff: foreground run before the join")
	fs.DurationVar(&h.Wait, "handoff-wait", h.Wait, "handoff: bound on the wait for every node to settle after the join")
}

// validate reports the first setting that cannot work.
func (h HandoffConfig) validate() error {
	switch {
	case h.Bytes < int64(h.Value) || h.Value < 1:
		return errors.New("bench: -handoff-bytes must hold at least one -handoff-value")
	case h.Partitions < 4 || h.Partitions&(h.Partitions-1) != 0:
		return errors.New("bench: -handoff-partitions must be a power of two, at least 4")
	case h.Conns < 1 || h.Depth < 1 || h.FgRate < 1:
		return errors.New("bench: -handoff-conns, -handoff-depth and -handoff-fg-rate must be positive")
	case h.Baseline <= 0 || h.Wait <= 0:
		return errors.New("bench: -handoff-baseline and -handoff-wait must be positive")
	}
	_, err := h.rates()
	return err
}

// rates are the trials' --transfer-rate values, as given.
func (h HandoffConfig) rates() ([]string, error) {
	var out []string
	for _, r := range strings.Split(h.Rates, ",") {
		r = strings.TrimSpace(r)
		if _, err := ParseSize(r); err != nil {
			return nil, fmt.Errorf("bench: -handoff-rates: %w", err)
		}
		out = append(out, r)
	}
	return out, nil
}

// keys is how many values make up Bytes.
func (h HandoffConfig) keys() int { return int(h.Bytes / int64(h.Value)) }

// ParseSize reads a byte count as ringkv's flags do: 512mb, 1gb, 100k
// (kb, mb, gb are powers of two; k, m, g powers of ten), or plain bytes.
func ParseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	units := []struct {
		suffix string
		mul    int64
	}{{"gb", 1 << 30}, {"mb", 1 << 20}, {"kb", 1 << 10}, {"g", 1e9}, {"m", 1e6}, {"k", 1e3}, {"b", 1}}
	mul := int64(1)
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			t, mul = strings.TrimSuffix(t, u.suffix), u.mul
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid size %q (use e.g. 100mb, 1gb, 64mb, 0)", s)
	}
	return n * mul, nil
}

// sizeFlag is a flag.Value of ParseSize.
type sizeFlag int64

func (f *sizeFlag) String() string { return strconv.FormatInt(int64(*f), 10) }

func (f *sizeFlag) Set(s string) error {
	n, err := ParseSize(s)
	*f = sizeFlag(n)
	return err
}
