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

// measure runs SET and GET at pipeline depth p against t once. A single
// server gets exactly one `-t set,get` run. A cluster gets one run per node
// at once, SET then GET separately so the phases line up, each with
// NodeClients connections and an equal share of the requests; see Combine.
func measure(ctx context.Context, c Config, t *target, p int) (map[string]Result, []string, error) {
	out := map[string]Result{}
	if len(t.Nodes) == 1 {
		res, notes, err := redisBenchmark(ctx, c, c.benchArgs(t.Nodes[0].Port, "set,get", c.Clients, c.requests(p), p))
		for _, r := range res {
			out[r.Test] = r
		}
		return out, notes, err
	}
	var notes []string
	for _, test := range []string{"set", "get"} {
		r, n, err := measureSpread(ctx, c, t, test, p)
		notes = append(notes, n...)
		if err != nil {
			return nil, notes, err
		}
		out[r.Test] = r
	}
	return out, notes, nil
}

// measureSpread runs one test against every node of t concurrently.
func measureSpread(ctx context.Context, c Config, t *target, test string, p int) (Result, []string, error) {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		parts []Result
		notes []string
		first error
	)
	share := max(1, c.requests(p)/len(t.Nodes))
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
