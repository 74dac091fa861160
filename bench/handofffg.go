package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"
)

// fgSample is one foreground operation.
type fgSample struct {
	At   time.Duration // when it started, from the trial's reference time
	Lat  time.Duration // how long it took
	Set  bool          // SET (else GET)
	Err  bool          // an error reply or a timeout
	Miss bool          // a GET found nothing (every key was loaded)
}

// foreground is one client issuing GET and SET of loaded keys in turn at
// a fixed rate, through the given nodes in turn (one connection each).
type foreground struct {
	clients []*redis.Client
	load    Load
	every   time.Duration
	rng     *rand.Rand
}

// newForeground connects to ports; rate is operations per second.
func newForeground(ports []int, load Load, rate int) *foreground {
	f := &foreground{load: load, every: time.Second / time.Duration(rate), rng: rand.New(rand.NewPCG(9, 9))}
	for _, p := range ports {
		f.clients = append(f.clients, redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", p),
			Protocol: 2, DisableIdentity: true, MaxRetries: -1, PoolSize: 1, MinIdleConns: 1,
			DialTimeout: 2 * time.Second, ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second}))
	}
	return f
}

func (f *foreground) close() {
	for _, c := range f.clients {
		_ = c.Close()
	}
}

// run issues operations on schedule from now until stop is closed, ctx
// ends or limit passes, and returns them. An operation that starts late
// (the previous one overran its slot) starts at once; its latency is its
// own, not the wait.
func (f *foreground) run(ctx context.Context, ref time.Time, stop <-chan struct{}, limit time.Duration) []fgSample {
	var out []fgSample
	start := time.Now()
	for i := 0; time.Since(start) < limit; i++ {
		due := start.Add(time.Duration(i) * f.every)
		t := time.NewTimer(time.Until(due))
		select {
		case <-stop:
			t.Stop()
			return out
		case <-ctx.Done():
			t.Stop()
			return out
		case <-t.C:
		}
		out = append(out, f.op(ctx, ref, i))
	}
	return out
}

// op runs operation i: even ones GET, odd ones SET, of a random loaded key.
func (f *foreground) op(ctx context.Context, ref time.Time, i int) fgSample {
	c := f.clients[i%len(f.clients)]
	k := f.rng.IntN(f.load.Count)
	key := fmt.Sprintf(f.load.KeyFormat, k)
	s := fgSample{At: time.Since(ref), Set: i%2 == 1}
	t0 := time.Now()
	var err error
	if s.Set {
		err = c.Set(ctx, key, f.load.Value(nil, k+i), 0).Err()
	} else {
		err = c.Get(ctx, key).Err()
	}
	s.Lat = time.Since(t0)
	s.Miss = errors.Is(err, redis.Nil)
	s.Err = err != nil && !s.Miss
	return s
}

// Latency summarises foreground samples.
type Latency struct {
	Ops, Errs, Misses int
	P50, P99, Max     time.Duration
}

// SummarizeFg takes the samples with from <= At < to (to 0: no end) and
// set as selected (nil: both kinds). Percentiles are nearest-rank over
// the successful operations.
func SummarizeFg(samples []fgSample, from, to time.Duration, set *bool) Latency {
	var lat []time.Duration
	var l Latency
	for _, s := range samples {
		if s.At < from || (to > 0 && s.At >= to) || (set != nil && s.Set != *set) {
			continue
		}
		l.Ops++
		switch {
		case s.Err:
			l.Errs++
			continue
		case s.Miss:
			l.Misses++
		}
		lat = append(lat, s.Lat)
	}
	l.P50, l.P99, l.Max = Percentile(lat, 50), Percentile(lat, 99), Percentile(lat, 100)
	return l
}

// Percentile is the nearest-rank p-th percentile of xs (0 for none); it
// sorts xs.
func Percentile(xs []time.Duration, p float64) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	rank := int(math.Ceil(p / 100 * float64(len(xs))))
	return xs[min(max(rank, 1), len(xs))-1]
}
