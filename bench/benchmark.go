package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// benchArgs is the redis-benchmark command line for one server.
func (c Config) benchArgs(port int, tests string, clients, requests, pipeline int) []string {
	return []string{"-h", "127.0.0.1", "-p", strconv.Itoa(port), "-t", tests,
		"-c", strconv.Itoa(clients), "-r", strconv.Itoa(c.Keyspace), "-d", strconv.Itoa(c.DataSize),
		"-n", strconv.Itoa(requests), "-P", strconv.Itoa(pipeline), "--csv"}
}

// redisBenchmark runs redis-benchmark and parses its CSV. Anything else it
// prints (warnings, error replies) comes back as notes.
func redisBenchmark(ctx context.Context, c Config, args []string) ([]Result, []string, error) {
	stdout, stderr, err := output(ctx, c.RunTimeout, "redis-benchmark", args...)
	res, notes, perr := ParseCSV(string(stdout))
	for _, l := range strings.Split(strings.ReplaceAll(string(stderr), "\r", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			notes = append(notes, l)
		}
	}
	if err != nil {
		return nil, notes, fmt.Errorf("redis-benchmark %s: %v: %s", strings.Join(args, " "), err, strings.Join(notes, " | "))
	}
	if perr != nil {
		return nil, notes, perr
	}
	return res, notes, nil
}

// Sample is one test of one redis-benchmark run against a target and
// what the target spent on it.
type Sample struct {
	Result
	Requests int       // requests sent, over all of the target's nodes
	CPU      int64     // ns on CPU, summed over the target's processes (cpuSum)
	Peer     PeerStats // difference over the test, summed over the nodes; zero for a single server
}

// Cost is a Sample's spending per request.
type Cost struct {
	CPU  float64  // server CPU µs per request
	Peer PeerCost // cluster only
}

// Cost divides the Sample's spending by its requests.
func (s Sample) Cost() Cost {
	return Cost{CPU: float64(s.CPU) / 1e3 / float64(max(s.Requests, 1)), Peer: s.Peer.PerRequest(s.Requests)}
}

// measure runs SET and GET at pipeline depth p against t once. A single
// server gets exactly one `-t set,get` run, streamed so that each test's
// CPU time is its own (timedBenchmark). A cluster gets one run per node at
// once, SET then GET separately so the phases line up, each with
// NodeClients connections and an equal share of the requests; see Combine.
// missing lists the peer counters the cluster's INFO lacks.
func measure(ctx context.Context, c Config, t *target, p int) (out map[string]Sample, notes, missing []string, err error) {
	out = map[string]Sample{}
	if len(t.Nodes) == 1 {
		n := c.requests(p)
		res, cpu, notes, err := timedBenchmark(ctx, c, t.pids(), c.benchArgs(t.Nodes[0].Port, "set,get", c.Clients, n, p))
		for _, r := range res {
			out[r.Test] = Sample{Result: r, Requests: n, CPU: cpu[r.Test]}
		}
		return out, notes, nil, err
	}
	for _, test := range []string{"set", "get"} {
		s, n, miss, err := measureSpread(ctx, c, t, test, p)
		notes, missing = append(notes, n...), miss
		if err != nil {
			return nil, notes, missing, err
		}
		out[s.Test] = s
	}
	return out, notes, missing, nil
}

// measureSpread runs one test against every node of t concurrently and
// reads the nodes' CPU time and peer counters before and after.
func measureSpread(ctx context.Context, c Config, t *target, test string, p int) (Sample, []string, []string, error) {
	share := max(1, c.clusterRequests(p)/len(t.Nodes))
	peer0, missing, err := readPeers(ctx, c, t.Nodes)
	if err != nil {
		return Sample{}, nil, nil, err
	}
	cpu0, err := cpuSum(t.pids())
	if err != nil {
		return Sample{}, nil, nil, err
	}
	res, notes, err := spread(ctx, c, t, test, share, p)
	if err != nil {
		return Sample{}, notes, missing, err
	}
	cpu1, err := cpuSum(t.pids())
	if err != nil {
		return Sample{}, notes, missing, err
	}
	peer1, _, err := readPeers(ctx, c, t.Nodes)
	s := Sample{Result: res, Requests: share * len(t.Nodes), CPU: cpu1 - cpu0, Peer: peer1.Sub(peer0)}
	return s, notes, missing, err
}

// spread runs redis-benchmark with share requests against every node of t
// at once and combines the results.
func spread(ctx context.Context, c Config, t *target, test string, share, p int) (Result, []string, error) {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		parts []Result
		notes []string
		first error
	)
	for _, n := range t.Nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, ns, err := redisBenchmark(ctx, c, c.benchArgs(n.Port, test, c.NodeClients, share, p))
			mu.Lock()
			defer mu.Unlock()
			parts, notes = append(parts, res...), append(notes, ns...)
			if err != nil && first == nil {
				first = err
			}
		}()
	}
	wg.Wait()
	if first == nil && len(parts) != len(t.Nodes) {
		first = fmt.Errorf("bench: %s on %s: %d results from %d nodes", test, t.Label, len(parts), len(t.Nodes))
	}
	return Combine(parts), notes, first
}
