package integration

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// series is one scraped series: its labels and value (a histogram's
// value is its sample count).
type series struct {
	labels map[string]string
	value  float64
}

// scrapeMetrics fetches http://addr/metrics and parses Prometheus's text
// format.
func scrapeMetrics(addr string) (map[string][]series, error) {
	hc := http.Client{Timeout: 10 * time.Second}
	res, err := hc.Get("http://" + addr + "/metrics")
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics: %s", res.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(res.Body)
	if err != nil {
		return nil, fmt.Errorf("parse /metrics: %w", err)
	}
	out := map[string][]series{}
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			s := series{labels: map[string]string{}}
			for _, l := range m.GetLabel() {
				s.labels[l.GetName()] = l.GetValue()
			}
			// Each metric has one of these set; the others read as 0.
			s.value = m.GetCounter().GetValue() + m.GetGauge().GetValue() + m.GetUntyped().GetValue() +
				float64(m.GetHistogram().GetSampleCount())
			out[name] = append(out[name], s)
		}
	}
	return out, nil
}

func mustScrape(t *testing.T, addr string) map[string][]series {
	t.Helper()
	fams, err := scrapeMetrics(addr)
	if err != nil {
		t.Fatalf("scrape %s: %v", addr, err)
	}
	return fams
}

// metricValue sums name's series matching the label pairs (0 if none).
func metricValue(fams map[string][]series, name string, labels ...string) float64 {
	var sum float64
next:
	for _, s := range fams[name] {
		for i := 0; i+1 < len(labels); i += 2 {
			if s.labels[labels[i]] != labels[i+1] {
				continue next
			}
		}
		sum += s.value
	}
	return sum
}

// moved is how much name{labels} grew from before to after.
func moved(before, after map[string][]series, name string, labels ...string) float64 {
	return metricValue(after, name, labels...) - metricValue(before, name, labels...)
}

// metricsNode starts a ringkv process serving metrics; it returns the
// node and the metrics address.
func metricsNode(t *testing.T, opts NodeOptions) (*Node, string) {
	t.Helper()
	addr := "127.0.0.1:" + strconv.Itoa(FreePort(t))
	opts.Args = append(opts.Args, "--metrics-addr", addr)
	return StartNode(t, opts), addr
}

// A single node's /metrics, over real TCP, counts the commands a real
// client sent and the keys they stored.
func TestMetricsSingleNode(t *testing.T) {
	t.Parallel()
	n, addr := metricsNode(t, NodeOptions{})
	cl := n.Client(t, 2)
	ctx := context.Background()
	before := mustScrape(t, addr)
	const sets, gets = 20, 5
	for i := range sets {
		if err := cl.Set(ctx, "metrics:"+strconv.Itoa(i), "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	for i := range gets {
		if err := cl.Get(ctx, "metrics:"+strconv.Itoa(i)).Err(); err != nil {
			t.Fatal(err)
		}
	}
	after := mustScrape(t, addr)
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"ringkv_requests_total", []string{"command", "set", "result", "ok"}, sets},
		{"ringkv_requests_total", []string{"command", "get", "result", "ok"}, gets},
		{"ringkv_requests_total", []string{"command", "set", "result", "error"}, 0},
		{"ringkv_request_duration_seconds", []string{"command", "set"}, sets},
		{"ringkv_keys", nil, sets},
	} {
		if got := moved(before, after, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v moved by %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if got := metricValue(after, "ringkv_members", "state", "alive"); got != 1 {
		t.Errorf("ringkv_members{state=alive} = %v on a single node", got)
	}
	if got := metricValue(after, "ringkv_connected_clients"); got < 1 {
		t.Errorf("ringkv_connected_clients = %v with a client connected", got)
	}
	for _, name := range []string{"ringkv_leveldb_level_bytes", "ringkv_leveldb_compactions_total",
		"ringkv_hints_pending", "ringkv_aae_exchanges_total", "ringkv_transfers_pending", "go_goroutines"} {
		if _, ok := after[name]; !ok {
			t.Errorf("%s is not served", name)
		}
	}
}

// In a two-node cluster a command is counted once, on the node the client
// sent it to, even when the other node coordinates it; with the other
// node killed, the NOQUORUM replies the client saw are the quorum
// failures counted, and the member states follow gossip.
func TestMetricsClusterCountsOnce(t *testing.T) {
	t.Parallel()
	seed := FreePort(t)
	args := []string{"--n", "2", "--r", "2", "--w", "2", "--request-timeout", "500"}
	n1, m1 := metricsNode(t, NodeOptions{Name: "n1", GossipPort: seed, Args: args})
	n2, m2 := metricsNode(t, NodeOptions{Name: "n2", Args: append([]string{"--join", "127.0.0.1:" + strconv.Itoa(seed)}, args...)})
	for _, addr := range []string{m1, m2} {
		Eventually(t, formTimeout, "both members alive on "+addr, func() error {
			fams, err := scrapeMetrics(addr)
			if err != nil {
				return err
			}
			if got := metricValue(fams, "ringkv_members", "state", "alive"); got != 2 {
				return fmt.Errorf("ringkv_members{state=alive} = %v", got)
			}
			return nil
		})
	}
	cl := n1.Client(t, 2)
	ctx := context.Background()
	key := randomKey(t)
	// The ring must be in force on n1 before counting: wait until a write
	// via n1 reaches both nodes.
	Eventually(t, formTimeout, "a write via n1 stored on n2", func() error {
		before, err := scrapeMetrics(m2)
		if err != nil {
			return err
		}
		if err := cl.Set(ctx, key+":probe", "p", 0).Err(); err != nil {
			return err
		}
		after, err := scrapeMetrics(m2)
		if err != nil {
			return err
		}
		if got := moved(before, after, "ringkv_engine_writes_total"); got < 1 {
			return fmt.Errorf("n2 wrote %v records", got)
		}
		return nil
	})

	b1, b2 := mustScrape(t, m1), mustScrape(t, m2)
	const sets = 40
	for i := range sets {
		if err := cl.Set(ctx, key+":"+strconv.Itoa(i), "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	a1, a2 := mustScrape(t, m1), mustScrape(t, m2)
	if got := moved(b1, a1, "ringkv_requests_total", "command", "set"); got != sets {
		t.Errorf("n1 counted %v SETs, want the %d its client sent", got, sets)
	}
	if got := moved(b2, a2, "ringkv_requests_total", "command", "set"); got != 0 {
		t.Errorf("n2 counted %v SETs; no client sent it any (forwarded commands count where they arrived)", got)
	}
	if got := moved(b2, a2, "ringkv_keys"); got != sets {
		t.Errorf("n2's ringkv_keys moved by %v, want %d (N=2 keeps every key on both)", got, sets)
	}

	n2.Kill(t)
	before := mustScrape(t, m1)
	noQuorum := 0
	for i := range 5 {
		err := cl.Set(ctx, key+":down:"+strconv.Itoa(i), "v", 0).Err()
		if isNoQuorum(err) {
			noQuorum++
		} else if err != nil {
			t.Fatalf("SET with n2 down: %v, want OK or NOQUORUM", err)
		}
	}
	if noQuorum == 0 {
		t.Fatal("no SET failed its W=2 quorum with one of two nodes killed")
	}
	after := mustScrape(t, m1)
	if got := moved(before, after, "ringkv_requests_total", "command", "set", "result", "quorum_failure"); got != float64(noQuorum) {
		t.Errorf("ringkv_requests_total{command=set,result=quorum_failure} moved by %v, the client saw %d NOQUORUM", got, noQuorum)
	}
	if got := moved(before, after, "ringkv_quorum_failures_total"); got != float64(noQuorum) {
		t.Errorf("ringkv_quorum_failures_total moved by %v, the client saw %d NOQUORUM", got, noQuorum)
	}
	Eventually(t, detectTimeout, "n1 sees n2 failed", func() error {
		fams, err := scrapeMetrics(m1)
		if err != nil {
			return err
		}
		if f, a := metricValue(fams, "ringkv_members", "state", "failed"), metricValue(fams, "ringkv_members", "state", "alive"); f != 1 || a != 1 {
			return fmt.Errorf("members failed=%v alive=%v", f, a)
		}
		return nil
	})
}
