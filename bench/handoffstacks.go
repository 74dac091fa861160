package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// A wall-clock profile of the handoff loop: with -profile, every node's
// goroutine dump (/debug/pprof/goroutine?debug=2) is read every 250 ms
// from the join until every node settled, and the goroutine running
// Coordinator.HandoffOnce is classified by what it is doing. A CPU
// profile cannot show where a transfer waits (on a peer, a pace timer,
// an fsync); these samples do.

// handoffPhases name what the handoff goroutine is in, most specific
// first: the first whose marker the stack holds wins.
var handoffPhases = []struct{ marker, name string }{
	{"Coordinator).stream(", "stream"},
	{"Coordinator).receive(", "sync with the other previous holders"},
	{"Coordinator).handOver(", "push to the new holders before dropping"},
	{"Coordinator).dropRange(", "drop handed-off records"},
	{"Coordinator).dropForeign(", "drop pass"},
}

// handoffActivities name what it is doing within the phase.
var handoffActivities = []struct{ marker, name string }{
	{"Coordinator).pace(", "paced wait (AAE key rate)"},
	{"Coordinator).repairKey(", "per-key repair (peer RPC + merge)"},
	{"Coordinator).syncPartition(", "tree and segment RPCs"},
	{"Coordinator).saveInbound(", "save cursor (fsync)"},
	{"Coordinator).deleteInbound(", "delete transfer record (fsync)"},
	{"decodeTransferPage(", "decode page"},
	{"engine.(*DB).Merge(", "merge records"},
	{"engine.(*DB).MergeBatch(", "merge records"},
	{"Coordinator).call(", "peer RPC"},
	{"engine.(*DB)", "store"},
}

// HandoffActivity classifies a goroutine dump: what the goroutine running
// HandoffOnce is doing, or "idle (no handoff pass running)".
func HandoffActivity(dump string) string {
	for _, g := range strings.Split(dump, "\n\n") {
		if !strings.Contains(g, "Coordinator).HandoffOnce(") {
			continue
		}
		phase, act := "handoff pass", "other"
		for _, p := range handoffPhases {
			if strings.Contains(g, p.marker) {
				phase = p.name
				break
			}
		}
		for _, a := range handoffActivities {
			if strings.Contains(g, a.marker) {
				act = a.name
				break
			}
		}
		if phase == "stream" && act == "other" {
			act = "rate limit wait"
		}
		return phase + ": " + act
	}
	return "idle (no handoff pass running)"
}

// stackSampler samples every node's handoff goroutine until stopped.
type stackSampler struct {
	mu     sync.Mutex
	counts map[string]map[string]int // node -> activity -> samples
	stop   chan struct{}
	done   chan struct{}
}

// startStacks samples nodes (those with a pprof address) every period.
func startStacks(nodes []*hoNode, period time.Duration) *stackSampler {
	s := &stackSampler{counts: map[string]map[string]int{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			for _, n := range nodes {
				if n.pprof != "" {
					s.sample(n)
				}
			}
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *stackSampler) sample(n *hoNode) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+n.pprof+"/debug/pprof/goroutine?debug=2", nil)
	if err != nil {
		return
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return
	}
	act := HandoffActivity(string(b))
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.counts[n.Name] == nil {
		s.counts[n.Name] = map[string]int{}
	}
	s.counts[n.Name][act]++
}

// finish stops sampling and renders one line per node and activity,
// most samples first, with each one's share of the node's samples.
func (s *stackSampler) finish() string {
	close(s.stop)
	<-s.done
	var b strings.Builder
	names := make([]string, 0, len(s.counts))
	for n := range s.counts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "%s:\n%s", n, ShareLines(s.counts[n]))
	}
	return b.String()
}

// ShareLines renders counts as "  NN% (k) name" lines, largest first.
func ShareLines(counts map[string]int) string {
	type kv struct {
		k string
		v int
	}
	var all []kv
	total := 0
	for k, v := range counts {
		all = append(all, kv{k, v})
		total += v
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v > all[j].v || (all[i].v == all[j].v && all[i].k < all[j].k) })
	var b strings.Builder
	for _, x := range all {
		fmt.Fprintf(&b, "  %3.0f%% (%d) %s\n", 100*float64(x.v)/float64(total), x.v, x.k)
	}
	return b.String()
}
