package command

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ringkv/ringkv/resp"
)

// The latency monitor, as Redis 7.0's: while latency-monitor-threshold
// (ms) is not 0, every command that ran at least that long is a sample of
// the event "command" ("fast-command" for commands flagged fast). Each
// event keeps its last latencySamples samples, one per second (the
// highest), and its all-time high. ringkv has none of Redis's other
// events (fork, AOF, expire cycles), and no LATENCY GRAPH or HISTOGRAM.

const latencySamples = 160 // LATENCY_TS_LEN

// latencyMonitor holds the events. Its zero value has none.
type latencyMonitor struct {
	mu     sync.Mutex
	events map[string]*latencySeries
}

// latencySeries is one event's samples, a ring oldest first from idx.
type latencySeries struct {
	samples [latencySamples]latencySample
	idx     int
	max     int64 // all-time high, ms
}

type latencySample struct{ time, ms int64 } // Unix seconds; 0: unused

// record adds cmd's run as a sample if it reached limit (ms; 0: off);
// clock dates it.
func (m *latencyMonitor) record(limit int64, clock func() time.Time, cmd *Command, took time.Duration) {
	ms := took.Milliseconds()
	if limit == 0 || ms < limit {
		return
	}
	event := "command"
	if cmd.Flags&Fast != 0 {
		event = "fast-command"
	}
	m.add(event, ms, clock().Unix())
}

// add records a sample of event at second now, as latencyAddSample: a
// second sample in the same second only raises that second's latency.
func (m *latencyMonitor) add(event string, ms, now int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.events == nil {
		m.events = map[string]*latencySeries{}
	}
	ts := m.events[event]
	if ts == nil {
		ts = &latencySeries{}
		m.events[event] = ts
	}
	prev := &ts.samples[(ts.idx+latencySamples-1)%latencySamples]
	if prev.time == now {
		prev.ms = max(prev.ms, ms)
		ts.max = max(ts.max, ms)
		return
	}
	ts.samples[ts.idx] = latencySample{time: now, ms: ms}
	ts.max = max(ts.max, ms)
	ts.idx = (ts.idx + 1) % latencySamples
}

// names returns the events, sorted. m.mu must be held.
func (m *latencyMonitor) names() []string {
	out := make([]string, 0, len(m.events))
	for e := range m.events {
		out = append(out, e)
	}
	sort.Strings(out)
	return out
}

// history is ts's samples, oldest first.
func (ts *latencySeries) history() []latencySample {
	var out []latencySample
	for j := range latencySamples {
		if s := ts.samples[(ts.idx+j)%latencySamples]; s.time != 0 {
			out = append(out, s)
		}
	}
	return out
}

func (d *Dispatcher) latencyCommand() *Command {
	const f = Admin | NoScript | Loading | Stale
	return container("latency", -2, 0, "server", nil,
		keyless("latest", 2, f, "", d.latencyLatest),
		keyless("history", 3, f, "", d.latencyHistory),
		keyless("reset", -2, f, "", d.latencyReset),
		keyless("doctor", 2, f, "", d.latencyDoctor),
		keyless("histogram", -2, f, "", d.latencyHistogram), // latencyhist.go
		keyless("help", 2, Loading|Stale, "", d.latencyHelp),
	)
}

// LATENCY LATEST: [event, time, latest ms, all-time max] per event.
func (d *Dispatcher) latencyLatest(_ *Session, _ [][]byte) resp.Reply {
	m := &d.intro.lat
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []resp.Reply{}
	for _, e := range m.names() {
		ts := m.events[e]
		last := ts.samples[(ts.idx+latencySamples-1)%latencySamples]
		out = append(out, resp.Array(resp.BulkString(e), resp.Int(last.time), resp.Int(last.ms),
			resp.Int(ts.max)))
	}
	return resp.Array(out...)
}

// LATENCY HISTORY event: [time, ms] per sample, oldest first.
func (d *Dispatcher) latencyHistory(_ *Session, args [][]byte) resp.Reply {
	m := &d.intro.lat
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []resp.Reply{}
	if ts := m.events[string(args[2])]; ts != nil {
		for _, s := range ts.history() {
			out = append(out, resp.Array(resp.Int(s.time), resp.Int(s.ms)))
		}
	}
	return resp.Array(out...)
}

// LATENCY RESET [event ...]: forgets the named events (any case), or all;
// answers how many it forgot.
func (d *Dispatcher) latencyReset(_ *Session, args [][]byte) resp.Reply {
	m := &d.intro.lat
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, e := range m.names() {
		hit := len(args) == 2
		for _, a := range args[2:] {
			hit = hit || strings.EqualFold(e, string(a))
		}
		if hit {
			delete(m.events, e)
			n++
		}
	}
	return resp.Int(int64(n))
}

// LATENCY DOCTOR: Redis's report, for the events ringkv records.
func (d *Dispatcher) latencyDoctor(_ *Session, _ [][]byte) resp.Reply {
	m := &d.intro.lat
	m.mu.Lock()
	defer m.mu.Unlock()
	st := d.env.Settings
	return resp.Verbatim("txt", latencyReport(m, d.env.Clock().Unix(),
		st.Int("latency-monitor-threshold"), st.Int("slowlog-log-slower-than")))
}

// latencyReport is createLatencyReport for the events "command" and
// "fast-command". m.mu must be held.
func latencyReport(m *latencyMonitor, now, threshold, slowlogUsec int64) string {
	if len(m.events) == 0 && threshold == 0 {
		return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. " +
			"You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. " +
			"If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n"
	}
	if len(m.events) == 0 {
		return "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the " +
			"slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n"
	}
	var b strings.Builder
	b.WriteString("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n")
	var enable, tune, inspect, scheduler bool
	for i, e := range m.names() {
		ts := m.events[e]
		h := ts.history()
		var sum, oldest int64
		for _, s := range h {
			sum += s.ms
			if oldest == 0 || s.time < oldest {
				oldest = s.time
			}
		}
		avg, mad, period := int64(0), int64(0), int64(0)
		if len(h) > 0 {
			avg, period = sum/int64(len(h)), max(now-oldest, 1)
			for _, s := range h {
				mad += max(avg-s.ms, s.ms-avg)
			}
			mad /= int64(len(h))
		}
		fmt.Fprintf(&b, "%d. %s: %d latency spikes (average %dms, mean deviation %dms, period %.2f sec). Worst all time event %dms.\n",
			i+1, e, len(h), avg, mad, float64(period)/float64(max(len(h), 1)), ts.max)
		switch e {
		case "command":
			enable = slowlogUsec == 0
			tune = !enable && slowlogUsec/1000 > threshold
			inspect = true
		case "fast-command":
			scheduler = true
		}
	}
	b.WriteString("\nI have a few advices for you:\n\n")
	if enable {
		fmt.Fprintf(&b, "- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than %d'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n", threshold*1000)
	}
	if tune {
		fmt.Fprintf(&b, "- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than %d'.\n", threshold*1000)
	}
	if inspect {
		b.WriteString("- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n")
	}
	if scheduler {
		b.WriteString("- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n" +
			"  1) Lower the system load.\n" +
			"  2) Use a computer / VM just for Redis if you are running other software in the same system.\n" +
			"  3) Check if you have a \"noisy neighbour\" problem.\n" +
			"  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
			"  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n")
	}
	if inspect {
		b.WriteString("- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n")
	}
	return b.String()
}

// LATENCY HELP
func (d *Dispatcher) latencyHelp(_ *Session, _ [][]byte) resp.Reply {
	return help("LATENCY",
		"DOCTOR",
		"    Return a human readable latency analysis report.",
		"HISTORY <event>",
		"    Return time-latency samples for the <event> class.",
		"LATEST",
		"    Return the latest latency samples for all events.",
		"RESET [<event> ...]",
		"    Reset latency data of one or more <event> classes.",
		"    (default: reset all data for all event classes)",
		"HISTOGRAM [COMMAND ...]",
		"    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
		"    If no commands are specified then all histograms are replied.",
	)
}
