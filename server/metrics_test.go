package server

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/ringkv/ringkv/resp"
)

// sample is one series of a scrape: its labels and value (a histogram's
// value is its sample count).
type sample struct {
	labels map[string]string
	value  float64
}

// scrape fetches http://addr/metrics and parses it as Prometheus's text
// format.
func scrape(t *testing.T, addr string) map[string][]sample {
	t.Helper()
	res, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", res.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	out := map[string][]sample{}
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			s := sample{labels: map[string]string{}}
			for _, l := range m.GetLabel() {
				s.labels[l.GetName()] = l.GetValue()
			}
			// Each metric has one of these set; the others read as 0.
			s.value = m.GetCounter().GetValue() + m.GetGauge().GetValue() + m.GetUntyped().GetValue() +
				float64(m.GetHistogram().GetSampleCount())
			out[name] = append(out[name], s)
		}
	}
	return out
}

// value is the value of name's series with the given label pairs; ok is
// false if there is none.
func value(fams map[string][]sample, name string, labels ...string) (float64, bool) {
next:
	for _, s := range fams[name] {
		for i := 0; i+1 < len(labels); i += 2 {
			if s.labels[labels[i]] != labels[i+1] {
				continue next
			}
		}
		return s.value, true
	}
	return 0, false
}

// metricsNode starts a node serving metrics on a free port, and a raw
// client connection to it.
func metricsNode(t *testing.T) (*Server, *respClient) {
	t.Helper()
	var log logBuffer
	c := testConfig(t, &log)
	c.MetricsAddr = "127.0.0.1:0"
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	runErr := make(chan error, 1)
	go func() { runErr <- s.Run() }()
	t.Cleanup(func() {
		if err := s.Shutdown(t.Context()); err != nil {
			t.Error(err)
		}
		if err := <-runErr; err != nil {
			t.Error(err)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for s.Addr() == nil {
		if time.Now().After(deadline) {
			t.Fatalf("the node did not listen within 10s; log:\n%s", log.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	conn, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return s, &respClient{t: t, conn: conn, rd: bufio.NewReader(conn)}
}

// respClient sends commands and reads their replies, one at a time.
type respClient struct {
	t    *testing.T
	conn net.Conn
	rd   *bufio.Reader
}

func (c *respClient) do(args ...string) resp.Reply {
	c.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	_ = c.conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.conn.Write([]byte(b.String())); err != nil {
		c.t.Fatal(err)
	}
	var buf []byte
	for {
		line, err := c.rd.ReadBytes('\n')
		if err != nil {
			c.t.Fatalf("%v: reading the reply: %v", args, err)
		}
		buf = append(buf, line...)
		r, _, err := resp.ParseReply(buf)
		if err == nil {
			return r
		}
		if err != resp.ErrIncomplete {
			c.t.Fatalf("%v: %v in %q", args, err, buf)
		}
	}
}

// The endpoint serves every metric the README documents, and the request
// counts, latency counts, keys and engine writes move by what the client
// did.
func TestMetricsEndpointCountsRequests(t *testing.T) {
	s, c := metricsNode(t)
	addr := s.metrics.addr.String()
	before := scrape(t, addr)
	const sets, gets = 7, 3
	for i := range sets {
		if r := c.do("SET", "k"+strconv.Itoa(i), "v"); r.IsError() {
			t.Fatalf("SET: %s", r.String())
		}
	}
	for i := range gets {
		c.do("GET", "k"+strconv.Itoa(i))
	}
	if r := c.do("GET"); !r.IsError() {
		t.Fatalf("GET without a key answered %s", r.String())
	}
	if r := c.do("NOSUCHCOMMAND", "x"); !r.IsError() {
		t.Fatalf("an unknown command answered %s", r.String())
	}
	after := scrape(t, addr)
	for _, tc := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"ringkv_requests_total", []string{"command", "set", "result", "ok"}, sets},
		{"ringkv_requests_total", []string{"command", "set", "result", "error"}, 0},
		{"ringkv_requests_total", []string{"command", "get", "result", "ok"}, gets},
		{"ringkv_requests_total", []string{"command", "get", "result", "error"}, 1},
		{"ringkv_requests_total", []string{"command", "unknown", "result", "error"}, 1},
		{"ringkv_request_duration_seconds", []string{"command", "set"}, sets},
		{"ringkv_request_duration_seconds", []string{"command", "get"}, gets + 1},
		{"ringkv_keys", nil, sets},
	} {
		b, _ := value(before, tc.name, tc.labels...)
		a, ok := value(after, tc.name, tc.labels...)
		if !ok || a-b != tc.want {
			t.Errorf("%s%v moved from %v to %v (present: %v), want by %v", tc.name, tc.labels, b, a, ok, tc.want)
		}
	}
	if w0, _ := value(before, "ringkv_engine_writes_total"); !(value1(after, "ringkv_engine_writes_total") >= w0+sets) {
		t.Errorf("engine writes %v -> %v, want at least %d more", w0, value1(after, "ringkv_engine_writes_total"), sets)
	}
	if n := value1(after, "ringkv_connected_clients"); n < 1 {
		t.Errorf("connected clients = %v with one connected", n)
	}
	if n, ok := value(after, "ringkv_members", "state", "alive"); !ok || n != 1 {
		t.Errorf("alive members = %v (present %v), want this node", n, ok)
	}
	for _, name := range documentedMetrics(t) {
		if _, ok := after[name]; !ok {
			t.Errorf("%s is documented in README.md but not served", name)
		}
	}
}

func value1(fams map[string][]sample, name string) float64 {
	v, _ := value(fams, name)
	return v
}

// Every ringkv_ metric the node serves is in README.md's Metrics section,
// and every name there is served.
func TestMetricsDocumented(t *testing.T) {
	s, _ := metricsNode(t)
	fams, err := s.metrics.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var served []string
	for _, f := range fams {
		if strings.HasPrefix(f.GetName(), "ringkv_") {
			served = append(served, f.GetName())
		}
	}
	documented := documentedMetrics(t)
	for _, name := range served {
		if !slices.Contains(documented, name) {
			t.Errorf("%s is served but missing from README.md's Metrics section", name)
		}
	}
	for _, name := range documented {
		if !slices.Contains(served, name) {
			t.Errorf("README.md documents %s, which is not served", name)
		}
	}
}

// documentedMetrics are the ringkv_ names README.md's "## Metrics"
// section lists.
func documentedMetrics(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "\n## Metrics\n")
	if !ok {
		t.Fatal(`README.md has no "## Metrics" section`)
	}
	sec, _, _ = strings.Cut(sec, "\n## ")
	names := regexp.MustCompile(`\bringkv_[a-z0-9_]+`).FindAllString(sec, -1)
	slices.Sort(names)
	names = slices.Compact(names)
	if len(names) == 0 {
		t.Fatal("README.md's Metrics section names no ringkv_ metric")
	}
	return names
}

// classify reads results and quorum failures from local and relayed
// (already encoded) replies alike.
func TestClassifyReplies(t *testing.T) {
	for _, tc := range []struct {
		r          resp.Reply
		result, op int
	}{
		{resp.OK(), resultOK, 0},
		{resp.Raw([]byte("+OK\r\n")), resultOK, 0},
		{resp.Raw([]byte(":1\r\n")), resultOK, 0},
		{resp.Err("ERR syntax error"), resultError, 0},
		{resp.Raw([]byte("-WRONGTYPE Operation against a key\r\n")), resultError, 0},
		{resp.Err("NOQUORUM wanted W=2, got 1"), resultQuorum, opW},
		{resp.Err("NOQUORUM wanted R=3, got 0"), resultQuorum, opR},
		{resp.Raw([]byte("-NOQUORUM wanted PW=2, got 1\r\n")), resultQuorum, opPW},
		{resp.Raw([]byte("-NOQUORUM wanted PR=1, got 0\r\n")), resultQuorum, opPR},
		{resp.Err("NOQUORUM n2 coordinates the key and did not answer in time; the command may have run"), resultQuorum, opUnreachable},
		{resp.Err("NOQUORUM no replica of the key could be reached: x"), resultQuorum, opUnreachable},
		{resp.Err("NOQUORUM wanted"), resultQuorum, opUnreachable},
		{resp.Err("NOQUORUMX"), resultError, 0},
	} {
		if res, op := classify(tc.r); res != tc.result || op != tc.op {
			t.Errorf("classify(%s) = %s, %s; want %s, %s", tc.r.String(), resultNames[res], opNames[op],
				resultNames[tc.result], opNames[tc.op])
		}
	}
}

// Observing a command allocates nothing once its label children exist,
// for a local reply and a relayed quorum failure alike.
func TestObserveAllocatesNothing(t *testing.T) {
	s, _ := metricsNode(t)
	args := [][]byte{[]byte("sEt"), []byte("k"), []byte("v")}
	quorum := resp.Raw([]byte("-NOQUORUM wanted W=2, got 1\r\n"))
	start := time.Now()
	s.metrics.observe(args, resp.OK(), start)
	if n := testing.AllocsPerRun(100, func() {
		s.metrics.observe(args, resp.OK(), start)
		s.metrics.observe(args, quorum, start)
	}); n != 0 {
		t.Errorf("observe allocates %v times per call pair", n)
	}
	fams := scrape(t, s.metrics.addr.String())
	ok, _ := value(fams, "ringkv_requests_total", "command", "set", "result", "ok")
	failed, _ := value(fams, "ringkv_requests_total", "command", "set", "result", "quorum_failure")
	w, _ := value(fams, "ringkv_quorum_failures_total", "op", "W")
	if ok != 102 || failed != 101 || w != 101 {
		t.Errorf("after 102 ok and 101 failed observations: ok %v, quorum_failure %v, W failures %v", ok, failed, w)
	}
}
