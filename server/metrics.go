package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"
)

// metrics is a node's Prometheus instrumentation, served at /metrics on
// --metrics-addr. Each Server has its own registry (never the process's
// default one), so several nodes run in one test binary. The README's
// "Metrics" section lists every metric.
type metrics struct {
	reg  *prometheus.Registry
	reqs *requestMetrics // per-command counts and latencies (metrics_requests.go)
	addr net.Addr        // where /metrics is served
}

// metricsDrain bounds how long Shutdown waits for scrapes in flight.
const metricsDrain = 5 * time.Second

// newMetrics builds s's registry: its request metrics, a collector of the
// node's existing counters (metrics_node.go), and Go's runtime and
// process metrics.
func newMetrics(s *Server) (*metrics, error) {
	m := &metrics{reg: prometheus.NewRegistry(), reqs: newRequestMetrics(s.disp.Lookup)}
	for _, c := range []prometheus.Collector{
		m.reqs, nodeCollector{s},
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	} {
		if err := m.reg.Register(c); err != nil {
			return nil, fmt.Errorf("register metrics: %w", err)
		}
	}
	return m, nil
}

// serveMetrics serves the node's metrics on --metrics-addr until the node
// stops. It runs once every part of the node is built, so that a scrape
// reads only finished parts; Shutdown waits for scrapes in flight before
// the engine closes.
func (s *Server) serveMetrics() error {
	if s.cfg.MetricsAddr == "" {
		return nil
	}
	m, err := newMetrics(s)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", s.cfg.MetricsAddr)
	if err != nil {
		return fmt.Errorf("metrics listener on %s: %w (choose another --metrics-addr)", s.cfg.MetricsAddr, err)
	}
	m.addr = ln.Addr()
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog: promLog{s.log}, ErrorHandling: promhttp.ContinueOnError, Registry: m.reg}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	s.metrics = m
	s.bg.Add(2)
	go func() {
		defer s.bg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Warn().Err(err).Msg("metrics server stopped; /metrics is no longer served")
		}
	}()
	go func() {
		defer s.bg.Done()
		<-s.stop
		ctx, cancel := context.WithTimeout(context.Background(), metricsDrain)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}()
	s.log.Info().Str("addr", m.addr.String()).Msg("serving metrics at /metrics")
	return nil
}

// promLog passes promhttp's errors (a collector failed, a write to the
// scraper failed) to the node's log.
type promLog struct{ log zerolog.Logger }

func (l promLog) Println(v ...any) {
	l.log.Warn().Str("component", "metrics").Msg(fmt.Sprint(v...))
}
