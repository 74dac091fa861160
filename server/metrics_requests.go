package server

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ringkv/ringkv/resp"
	"github.com/ringkv/ringkv/server/command"
)

// Request results, the values of ringkv_requests_total's result label.
const (
	resultOK     = iota // any reply but an error
	resultError         // an error reply other than NOQUORUM
	resultQuorum        // NOQUORUM: too few replicas answered (replica.QuorumError), or the coordinator could not be reached
	numResults
)

var resultNames = [numResults]string{"ok", "error", "quorum_failure"}

// Quorum failure kinds, the values of ringkv_quorum_failures_total's op
// label: the quorum a replica.QuorumError names, or "unreachable" when
// the key's coordinator or replicas could not be reached (route.go).
const (
	opR = iota
	opW
	opPR
	opPW
	opUnreachable
	numOps
)

var opNames = [numOps]string{"R", "W", "PR", "PW", "unreachable"}

// requestBuckets are the latency histogram's upper bounds, seconds: 50µs
// (a cached read on one node) to 5s (past the default 2s request timeout).
var requestBuckets = []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}

// requestMetrics counts client commands where they arrive (Server.exec):
// once per command a client sent, whichever node then ran it. Label
// children are made once per command name and kept, so observing a
// command formats no labels and allocates nothing.
type requestMetrics struct {
	total   *prometheus.CounterVec     // ringkv_requests_total{command,result}
	latency *prometheus.HistogramVec   // ringkv_request_duration_seconds{command}
	quorums *prometheus.CounterVec     // ringkv_quorum_failures_total{op}
	quorum  [numOps]prometheus.Counter // its children, by op

	lookup  func(name []byte) *command.Command // Dispatcher.Lookup: allocation-free
	byCmd   sync.Map                           // *command.Command -> *commandMetrics
	unknown *commandMetrics                    // names not in the command table
}

// commandMetrics are one command's label children.
type commandMetrics struct {
	results [numResults]prometheus.Counter
	latency prometheus.Observer
}

var _ prometheus.Collector = (*requestMetrics)(nil)

func newRequestMetrics(lookup func([]byte) *command.Command) *requestMetrics {
	m := &requestMetrics{lookup: lookup,
		total: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ringkv_requests_total",
			Help: "Client commands received by this node, by command name (subcommands count as their command; 'unknown' for names not in the command table) and result (ok, error, quorum_failure)."},
			[]string{"command", "result"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "ringkv_request_duration_seconds",
			Help:    "Time from a client command's arrival to its reply, including forwarding to its coordinator and waiting for replicas (and a blocking command's wait).",
			Buckets: requestBuckets}, []string{"command"}),
	}
	m.quorums = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ringkv_quorum_failures_total",
		Help: "Client commands answered NOQUORUM, by the quorum that failed (R, W, PR, PW) or 'unreachable' when no coordinator or replica of the key could be reached."},
		[]string{"op"})
	for i, name := range opNames {
		m.quorum[i] = m.quorums.WithLabelValues(name)
	}
	m.unknown = m.children("unknown")
	return m
}

// children makes the label children of the command called name.
func (m *requestMetrics) children(name string) *commandMetrics {
	c := &commandMetrics{latency: m.latency.WithLabelValues(name)}
	for i, r := range resultNames {
		c.results[i] = m.total.WithLabelValues(name, r)
	}
	return c
}

// of returns the label children of the command args names.
func (m *requestMetrics) of(args [][]byte) *commandMetrics {
	var cmd *command.Command
	if len(args) > 0 {
		cmd = m.lookup(args[0])
	}
	if cmd == nil {
		return m.unknown
	}
	if c, ok := m.byCmd.Load(cmd); ok {
		return c.(*commandMetrics)
	}
	c, _ := m.byCmd.LoadOrStore(cmd, m.children(cmd.Name))
	return c.(*commandMetrics)
}

// observe counts one client command that started at start and answered r.
func (m *requestMetrics) observe(args [][]byte, r resp.Reply, start time.Time) {
	c := m.of(args)
	result, op := classify(r)
	c.results[result].Inc()
	if result == resultQuorum {
		m.quorum[op].Inc()
	}
	c.latency.Observe(time.Since(start).Seconds())
}

// Describe and Collect make the request metrics one Collector.
func (m *requestMetrics) Describe(ch chan<- *prometheus.Desc) {
	m.total.Describe(ch)
	m.latency.Describe(ch)
	m.quorums.Describe(ch)
}

func (m *requestMetrics) Collect(ch chan<- prometheus.Metric) {
	m.total.Collect(ch)
	m.latency.Collect(ch)
	m.quorums.Collect(ch)
}

// classify sorts a reply into a result and, for NOQUORUM, the kind of
// quorum failure. A reply relayed from the coordinator (KindRaw) is read
// from its encoding.
func classify(r resp.Reply) (result, op int) {
	switch {
	case r.Kind == resp.KindError:
		return classifyError(r.Str)
	case r.Kind == resp.KindRaw && len(r.Bytes) > 0 && r.Bytes[0] == '-':
		return classifyError(r.Bytes[1:])
	}
	return resultOK, 0
}

// classifyError reads an error reply's text: "NOQUORUM wanted W=2, got 1"
// (replica.QuorumError) names its quorum; route.go's other NOQUORUM
// replies say no coordinator or replica was reached. It allocates nothing.
func classifyError[T string | []byte](msg T) (result, op int) {
	const noQuorum, wanted = "NOQUORUM ", "NOQUORUM wanted "
	if len(msg) < len(noQuorum) || string(msg[:len(noQuorum)]) != noQuorum {
		return resultError, 0
	}
	if len(msg) < len(wanted)+3 || string(msg[:len(wanted)]) != wanted {
		return resultQuorum, opUnreachable
	}
	switch q := msg[len(wanted):]; {
	case string(q[:2]) == "R=":
		return resultQuorum, opR
	case string(q[:2]) == "W=":
		return resultQuorum, opW
	case string(q[:3]) == "PR=":
		return resultQuorum, opPR
	case string(q[:3]) == "PW=":
		return resultQuorum, opPW
	}
	return resultQuorum, opUnreachable
}

// now is the start of a client command: the zero time when metrics are
// off (s.metrics is nil), saving the clock read.
func (m *metrics) now() time.Time {
	if m == nil {
		return time.Time{}
	}
	return time.Now()
}

// observe counts a client command, if metrics are on.
func (m *metrics) observe(args [][]byte, r resp.Reply, start time.Time) {
	if m != nil {
		m.reqs.observe(args, r, start)
	}
}
