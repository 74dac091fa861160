package command

import (
	"sync"
	"sync/atomic"
	"time"
)

// introspection is a node's monitoring state: the slow log, the latency
// monitor, CLIENT PAUSE and the heap's peak (MEMORY STATS). Its zero value
// is ready; the Dispatcher holds one.
type introspection struct {
	slow  slowlog
	lat   latencyMonitor
	pause pauser
	peak  atomic.Uint64 // highest heap seen by MEMORY STATS, bytes

	limitsOnce sync.Once
	limits     introLimits
}

// introLimits are the settings every command's observation reads, looked
// up once (Settings.Int is a map lookup).
type introLimits struct{ slowUsec, slowMax, latencyMs *atomic.Int64 }

// limitsOf returns st's introLimits.
func (in *introspection) limitsOf(st *Settings) *introLimits {
	in.limitsOnce.Do(func() {
		in.limits = introLimits{st.ints["slowlog-log-slower-than"], st.ints["slowlog-max-len"],
			st.ints["latency-monitor-threshold"]}
	})
	return &in.limits
}

// peakHeap records heap as a candidate peak and returns the peak.
func (in *introspection) peakHeap(heap uint64) uint64 {
	for {
		p := in.peak.Load()
		if heap <= p || in.peak.CompareAndSwap(p, heap) {
			return max(p, heap)
		}
	}
}

// observed is deferred by Dispatcher.run for every command it runs, with
// the time the command started: it feeds the slow log, the latency
// monitor and INFO commandstats' usec.
func (d *Dispatcher) observed(s *Session, cmd *Command, args [][]byte, start time.Time) {
	took := time.Since(start)
	cmd.usec.Add(took.Microseconds())
	d.trackLatency(cmd, took) // latencyhist.go
	lim := d.intro.limitsOf(d.env.Settings)
	d.intro.slow.record(d, lim, s, cmd, args, took)
	d.intro.lat.record(lim.latencyMs.Load(), d.env.Clock, cmd, took)
}

// sessionIntro is a session's introspection state. Other goroutines read
// it (CLIENT LIST), and the parts of a split command write it, so its
// fields are atomic.
type sessionIntro struct {
	acks    atomic.Int64 // copies that acknowledged the last write; 0: none yet (wait.go)
	noEvict atomic.Bool  // CLIENT NO-EVICT
}
