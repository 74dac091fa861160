package main

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Config is one benchmark run. Every field has a flag; see DefaultConfig for
// the defaults.
type Config struct {
	Ringkv      string        // ringkv binary; "" builds ./cmd/ringkv into a temp dir
	Out         string        // also write the report here; "" only stdout
	Reps        int           // repetitions per server and test; default 3
	Requests    int           // -n for -P 1; default 200000
	RequestsP16 int           // -n for -P 16; default 1000000
	Clients     int           // -c against a single server; default 50
	Keyspace    int           // -r; default 1000000
	Preload     bool          // load the whole key space before the runs so every GET hits; default false
	DataSize    int           // -d, value bytes; default 100
	MemKeys     int           // keys loaded for the memory figure; default 1000000; 0 skips the memory phase
	Quick       bool          // the working run (QuickConfig): 1 repetition, fewer requests, no memory phase
	AppendFsync string        // single-node ringkv --appendfsync; default everysec
	Cluster     bool          // also benchmark a 3-node ringkv cluster; default false
	NodeClients int           // -c per cluster node; default 17
	ClusterN    int           // -n for the cluster at -P 1, over all its nodes; default 0: Requests
	ClusterN16  int           // -n for the cluster at -P 16, over all its nodes; default 0: RequestsP16
	Profile     string        // directory for a ringkv CPU profile; "" none
	ProfileSecs int           // CPU profile length in seconds; default 20
	RunTimeout  time.Duration // bound on one redis-benchmark or redis-cli call; default 10m
	Timeout     time.Duration // bound on the whole run; default 60m
	Tests       string        // redis-benchmark -t names; default set,get; anything else is the data-type mode (types.go)
	Types       bool          // shorthand for -tests TypeTests

	// The anti-entropy mode (-aae, aae.go) runs instead of the comparison.
	AAE           bool          // run the anti-entropy mode; default false
	AAEKeys       int           // target 1: keys written while n3 is down; default 10000
	AAEBigKeys    int           // target 2: keys loaded before the small divergence; default 1000000
	AAEDiffKeys   int           // target 2: keys written while n3 is down; default 10
	AAEDivKeys    int           // target 3: divergence repaired during the benchmark; default 200000
	AAEReps       int           // target 3: repetitions of AAE off, AAE on; default 3
	AAEBenchN     int           // target 3: redis-benchmark -n; default 100000
	AAEBenchR     int           // target 3: redis-benchmark -r; default 100000
	AAEInterval   time.Duration // --aae-interval when anti-entropy is on; default 1s
	AAEWait       time.Duration // bound on each wait (hints dropped, repair over, trees ready); default 5m
	AAEEngineKeys int           // keys for the in-process BenchmarkExchange; default 1000000; 0 skips it
	AAETargets    string        // which parts run, comma-separated of 1, 2, 3, engine; default all

	Handoff HandoffConfig // the partition handoff mode (-handoff, handoff.go)
}

// Pipelines are the -P values benchmarked, in report order.
var Pipelines = []int{1, 16}

// DefaultConfig returns the configuration `go run ./bench` uses.
func DefaultConfig() Config {
	return Config{
		Reps: 3, Requests: 200000, RequestsP16: 1000000, Clients: 50,
		Keyspace: 1000000, DataSize: 100, MemKeys: 1000000, AppendFsync: "everysec",
		NodeClients: 17, ProfileSecs: 20, RunTimeout: 10 * time.Minute, Timeout: 60 * time.Minute,
		AAEKeys: 10000, AAEBigKeys: 1000000, AAEDiffKeys: 10, AAEDivKeys: 200000, AAEReps: 3,
		AAEBenchN: 100000, AAEBenchR: 100000, AAEInterval: time.Second, AAEWait: 5 * time.Minute,
		AAEEngineKeys: 1000000, AAETargets: "1,2,3,engine", Tests: defaultTests, Handoff: DefaultHandoff(),
	}
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	switch {
	case c.Reps < 1:
		return errors.New("bench: -reps must be at least 1")
	case c.Requests < 1 || c.RequestsP16 < 1:
		return errors.New("bench: -n and -n16 must be positive")
	case c.ClusterN < 0 || c.ClusterN16 < 0:
		return errors.New("bench: -cluster-n and -cluster-n16 must not be negative")
	case c.Clients < 1 || c.NodeClients < 1:
		return errors.New("bench: -c and -cluster-c must be positive")
	case c.Keyspace < 1 || c.DataSize < 1:
		return errors.New("bench: -r and -d must be positive")
	case c.MemKeys < 0:
		return errors.New("bench: -mem-keys must not be negative")
	case c.ProfileSecs < 1:
		return errors.New("bench: -profile-seconds must be positive")
	case c.RunTimeout <= 0 || c.Timeout <= 0:
		return errors.New("bench: timeouts must be positive")
	case c.AAEKeys < 1 || c.AAEBigKeys < 1 || c.AAEDiffKeys < 1 || c.AAEDivKeys < 1:
		return errors.New("bench: -aae-keys, -aae-big-keys, -aae-diff-keys and -aae-div-keys must be positive")
	case c.AAEReps < 1 || c.AAEBenchN < 1 || c.AAEBenchR < 1 || c.AAEEngineKeys < 0:
		return errors.New("bench: -aae-reps, -aae-n and -aae-r must be positive, -aae-engine-keys not negative")
	case c.AAEInterval <= 0 || c.AAEWait <= 0:
		return errors.New("bench: -aae-interval and -aae-wait must be positive")
	}
	if err := c.validateTests(); err != nil {
		return err
	}
	if err := c.Handoff.validate(); err != nil {
		return err
	}
	for _, t := range strings.Split(c.AAETargets, ",") {
		if !slices.Contains(aaeParts, t) {
			return fmt.Errorf("bench: -aae-targets: %q is none of %s", t, strings.Join(aaeParts, ", "))
		}
	}
	return nil
}

// aaeParts are the parts of the anti-entropy mode, in run order.
var aaeParts = []string{"1", "2", "3", "engine"}

// runs reports whether -aae-targets names part.
func (c Config) runs(part string) bool {
	return slices.Contains(strings.Split(c.AAETargets, ","), part)
}

// requests is -n for pipeline depth p.
func (c Config) requests(p int) int {
	if p > 1 {
		return c.RequestsP16
	}
	return c.Requests
}

// quickSummary is -quick's settings as flags, for -h and the README.
const quickSummary = "-reps 1 -n 50000 -n16 200000 -cluster-n 30000 -cluster-n16 60000 -mem-keys 0"

// quick applies -quick's settings to every flag not given explicitly.
func (c Config) quick(explicit map[string]bool) Config {
	for name, set := range map[string]func(){
		"reps":     func() { c.Reps = 1 },
		"n":        func() { c.Requests = 50000 },
		"n16":      func() { c.RequestsP16 = 200000 },
		"mem-keys": func() { c.MemKeys = 0 },
		// The cluster runs at a tenth of a single node's rate, -P 16 or not.
		"cluster-n":   func() { c.ClusterN = 30000 },
		"cluster-n16": func() { c.ClusterN16 = 60000 },
	} {
		if !explicit[name] {
			set()
		}
	}
	return c
}

// clusterRequests is the cluster's -n (over all its nodes) for pipeline
// depth p.
func (c Config) clusterRequests(p int) int {
	n := c.ClusterN
	if p > 1 {
		n = c.ClusterN16
	}
	if n == 0 {
		return c.requests(p)
	}
	return n
}

// parseFlags fills a Config from the command line.
func parseFlags(args []string) (Config, error) {
	c := DefaultConfig()
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.StringVar(&c.Ringkv, "ringkv", c.Ringkv, "ringkv `binary` to use (default: go build ./cmd/ringkv)")
	fs.StringVar(&c.Out, "out", c.Out, "also write the Markdown report to `FILE`")
	fs.IntVar(&c.Reps, "reps", c.Reps, "repetitions per server and test (median reported)")
	fs.IntVar(&c.Requests, "n", c.Requests, "requests per test at -P 1")
	fs.IntVar(&c.RequestsP16, "n16", c.RequestsP16, "requests per test at -P 16")
	fs.IntVar(&c.Clients, "c", c.Clients, "redis-benchmark connections against a single server")
	fs.IntVar(&c.Keyspace, "r", c.Keyspace, "key space (-r)")
	fs.BoolVar(&c.Preload, "preload", c.Preload, "load the whole key space first so every GET hits (harder than redis-benchmark's own set,get)")
	fs.IntVar(&c.DataSize, "d", c.DataSize, "value size in bytes")
	fs.IntVar(&c.MemKeys, "mem-keys", c.MemKeys, "keys loaded for the memory figure (0: no memory phase)")
	fs.BoolVar(&c.Quick, "quick", c.Quick, "the working run (under 2 minutes, -cluster too): "+quickSummary)
	fs.StringVar(&c.AppendFsync, "appendfsync", c.AppendFsync, "single-node ringkv --appendfsync")
	fs.BoolVar(&c.Cluster, "cluster", c.Cluster, "also benchmark a 3-node ringkv cluster (N=3 R=2 W=2)")
	fs.IntVar(&c.NodeClients, "cluster-c", c.NodeClients, "redis-benchmark connections per cluster node")
	fs.IntVar(&c.ClusterN, "cluster-n", c.ClusterN, "requests per test at -P 1 for the cluster, over its nodes (0: -n)")
	fs.IntVar(&c.ClusterN16, "cluster-n16", c.ClusterN16, "requests per test at -P 16 for the cluster, over its nodes (0: -n16)")
	fs.StringVar(&c.Profile, "profile", c.Profile, "save a ringkv CPU profile into `DIR` and print its top")
	fs.IntVar(&c.ProfileSecs, "profile-seconds", c.ProfileSecs, "CPU profile length")
	fs.DurationVar(&c.RunTimeout, "run-timeout", c.RunTimeout, "bound on each redis-benchmark / redis-cli call")
	fs.DurationVar(&c.Timeout, "timeout", c.Timeout, "bound on the whole run")
	fs.BoolVar(&c.AAE, "aae", c.AAE, "run the anti-entropy mode instead (issue 6 targets; see README)")
	fs.IntVar(&c.AAEKeys, "aae-keys", c.AAEKeys, "anti-entropy target 1: keys a node misses")
	fs.IntVar(&c.AAEBigKeys, "aae-big-keys", c.AAEBigKeys, "anti-entropy target 2: keys loaded first")
	fs.IntVar(&c.AAEDiffKeys, "aae-diff-keys", c.AAEDiffKeys, "anti-entropy target 2: keys a node then misses")
	fs.IntVar(&c.AAEDivKeys, "aae-div-keys", c.AAEDivKeys, "anti-entropy target 3: keys repaired while redis-benchmark runs")
	fs.IntVar(&c.AAEReps, "aae-reps", c.AAEReps, "anti-entropy target 3: repetitions of AAE off and on")
	fs.IntVar(&c.AAEBenchN, "aae-n", c.AAEBenchN, "anti-entropy target 3: redis-benchmark -n")
	fs.IntVar(&c.AAEBenchR, "aae-r", c.AAEBenchR, "anti-entropy target 3: redis-benchmark -r")
	fs.DurationVar(&c.AAEInterval, "aae-interval", c.AAEInterval, "ringkv --aae-interval when anti-entropy is on")
	fs.DurationVar(&c.AAEWait, "aae-wait", c.AAEWait, "bound on each anti-entropy wait (hints dropped, repair over)")
	fs.IntVar(&c.AAEEngineKeys, "aae-engine-keys", c.AAEEngineKeys, "keys for go test ./engine -bench Exchange (0: skip)")
	fs.StringVar(&c.AAETargets, "aae-targets", c.AAETargets, "anti-entropy parts to run, comma-separated: 1, 2, 3, engine")
	fs.StringVar(&c.Tests, "tests", c.Tests, "redis-benchmark -t `names` to compare; anything but set,get is the data-type run (no memory phase; see README)")
	fs.BoolVar(&c.Types, "types", c.Types, "the data-type run of redis-benchmark's default list: -tests "+strings.Join(TypeTests, ","))
	c.Handoff.flags(fs)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	if c.Types {
		if explicit["tests"] {
			return c, errors.New("bench: give -types or -tests, not both")
		}
		c.Tests = strings.Join(TypeTests, ",")
	}
	if c.Quick {
		c = c.quick(explicit)
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("bench: unexpected argument %q", fs.Arg(0))
	}
	return c, c.Validate()
}
