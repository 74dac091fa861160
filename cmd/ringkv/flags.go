package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/ringkv/ringkv/server"
)

// parseConfig builds the node's configuration from defaults, then the
// --config file (redis.conf style: "name value" lines), then the command
// line, each overriding the one before.
func parseConfig(args []string, out io.Writer) (server.Config, error) {
	cfg := server.DefaultConfig()
	fs := flag.NewFlagSet("ringkv", flag.ContinueOnError)
	fs.SetOutput(out)
	var (
		join, level, format string
		bulk                = byteSize(cfg.ProtoMaxBulkLen)
		hintBytes           = byteSize(cfg.HintMaxBytes)
		cacheSize           = byteSize(cfg.CacheSize)
		writeBuffer         = byteSize(cfg.WriteBuffer)
		keyFilter           = byteSize(cfg.KeyFilterMemory)
		transferRate        = byteSize(cfg.TransferRate)
		idle, reqTimeout    int
	)
	fs.StringVar(&cfg.ConfigFile, "config", "", "read settings from `FILE` (one \"name value\" per line, names as these flags); flags override it")
	fs.IntVar(&cfg.Port, "port", cfg.Port, "client RESP `port`")
	fs.StringVar(&cfg.Bind, "bind", cfg.Bind, "client listen `address`")
	fs.StringVar(&cfg.Dir, "dir", cfg.Dir, "data `directory` (LevelDB files)")
	fs.StringVar(&cfg.RequirePass, "requirepass", "", "`password` clients must AUTH with (default none)")
	fs.StringVar(&cfg.AppendFsync, "appendfsync", cfg.AppendFsync, "fsync policy: always | everysec | no (as in Redis; see README)")
	fs.IntVar(&cfg.MaxClients, "maxclients", cfg.MaxClients, "maximum simultaneous client connections")
	fs.Var(&bulk, "proto-max-bulk-len", "largest bulk string a client may send (e.g. 512mb)")
	fs.IntVar(&idle, "timeout", 0, "close client connections idle for this many `seconds` (0: never)")
	fs.Func("client-output-buffer-limit", "`class hard soft seconds` (as in redis.conf, e.g. \"pubsub 32mb 8mb 60\"; repeatable): close a client whose pending replies reach hard, or stay above soft for seconds; default normal 0 0 0, pubsub 32mb 8mb 60",
		func(v string) error {
			cfg.ClientOutputBufferLimit = append(cfg.ClientOutputBufferLimit, v)
			return nil
		})
	fs.StringVar(&cfg.MaxMemory, "maxmemory", "", "answer OOM to commands that may grow memory while the node's used memory is above `bytes` (e.g. 1gb, as in redis.conf; default 0: no limit)")
	fs.StringVar(&cfg.MaxMemoryPolicy, "maxmemory-policy", "", "maxmemory `policy`, as in redis.conf (default noeviction; every policy behaves as noeviction: ringkv evicts nothing)")
	fs.StringVar(&cfg.ACLFile, "aclfile", "", "ACL users `file`, as Redis's aclfile: loaded at the start (an error in it stops the start), by ACL LOAD (which replaces the cluster's users), written by ACL SAVE (default none)")
	fs.StringVar(&cfg.Node, "node", cfg.Node, "node `name`, unique in the cluster")
	fs.StringVar(&join, "join", "", "comma-separated gossip `addresses` (host:port) of cluster members to join")
	fs.IntVar(&cfg.GossipPort, "gossip-port", cfg.GossipPort, "Serf gossip `port`")
	fs.StringVar(&cfg.Advertise, "advertise", "", "`host` other nodes reach this one at (default: --bind, or a private IP when binding 0.0.0.0)")
	fs.IntVar(&cfg.PeerPort, "peer-port", 0, "node-to-node RPC `port` (default port+10000)")
	fs.StringVar(&cfg.ClusterKey, "cluster-key", "", "shared `secret`, the same on every node: authenticates peers and encrypts peer traffic and gossip; required to --join when --bind is beyond loopback or --requirepass is set (default none)")
	fs.IntVar(&cfg.N, "n", cfg.N, "replicas per key (N)")
	fs.IntVar(&cfg.R, "r", cfg.R, "default read quorum (R)")
	fs.IntVar(&cfg.W, "w", cfg.W, "default write quorum (W)")
	fs.IntVar(&cfg.PR, "pr", cfg.PR, "default primaries among R (strict read quorum; 0: fallbacks count)")
	fs.IntVar(&cfg.PW, "pw", cfg.PW, "default primaries among W (strict write quorum; 0: fallbacks count)")
	fs.DurationVar(&cfg.HintMaxAge, "hint-max-age", cfg.HintMaxAge, "drop hints older than this `duration` (anti-entropy repairs their targets)")
	fs.Var(&hintBytes, "hint-max-bytes", "store at most this many bytes of hints (e.g. 1gb); beyond, writes' hints are dropped and anti-entropy repairs")
	fs.Var(&keyFilter, "key-filter-memory", "memory at most for the key filter, an in-memory bloom filter that lets writes of new keys and reads of missing ones skip LevelDB (about 3mb at 1M keys; 16mb covers about 8M keys, past that it answers less often); 0: no filter")
	fs.Var(&cacheSize, "cache-size", "LevelDB block cache (e.g. 64mb; default 0: none, data blocks come from the OS page cache and each table keeps its index and filter in memory): pays only for a hot set re-read more than written")
	fs.Var(&writeBuffer, "write-buffer", "LevelDB memtable size (e.g. 64mb; up to two in memory; level 1 is four of them): larger means fewer level-0 flushes and compactions, and a longer journal replay after a crash")
	fs.DurationVar(&cfg.AAEInterval, "aae-interval", cfg.AAEInterval, "run an anti-entropy exchange with the other replicas every `duration` (negative: off)")
	fs.DurationVar(&cfg.TombstoneGrace, "tombstone-grace", cfg.TombstoneGrace, "reap a tombstone no sooner than this `duration` after the delete, once every primary holds it (negative: never)")
	fs.IntVar(&cfg.Partitions, "partitions", cfg.Partitions, "ring partitions Q (power of two, fixed when the cluster is created)")
	fs.IntVar(&reqTimeout, "request-timeout", int(cfg.RequestTimeout/time.Millisecond), "wait at most this many `ms` for replicas before NOQUORUM")
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", "", "serve Prometheus metrics at /metrics on this `address` (e.g. 127.0.0.1:9121); default off")
	fs.BoolVar(&cfg.LeaveOnTerminate, "leave-on-terminate", false, "on SIGTERM, leave the ring: hand this node's partitions off to the new owners, then stop (default: stop and stay a ring member)")
	fs.Var(&transferRate, "transfer-rate", "partition handoff: receive at most this many bytes per second (e.g. 64mb; 0: unthrottled)")
	fs.StringVar(&cfg.PprofAddr, "pprof-addr", "", "serve Go's pprof profiles on this `address` (e.g. 127.0.0.1:6060); default off")
	fs.StringVar(&level, "loglevel", "notice", "log level: debug | verbose | notice | warning (Redis names) or zerolog's")
	fs.StringVar(&format, "logformat", "json", "log format: json | console")
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: ringkv [flags]                  run a node\n"+
			"       ringkv COMMAND [flags] [args]  ask a running node (operator commands below)\n\n"+
			"ringkv is a Dynamo-style key-value store speaking the Redis protocol.\nWith no flags it runs a single node on 127.0.0.1:6379 with data in ./data.\n\n"+
			"Clustering (--join) without --cluster-key works only on loopback and without --requirepass;\n"+
			"otherwise set --cluster-key (e.g. from `openssl rand -hex 32`) on every node. A node that\n"+
			"binds beyond loopback or has --requirepass, without a key and without --join, runs\n"+
			"standalone with no peer port and no gossip.\n\n"+
			"Operator commands, asking the node at --host and --port (`ringkv COMMAND --help` for the\n"+
			"flags of each; healthcheck takes only --host and --port):\n"+
			"  status                 the cluster as the node sees it: members, states, partitions, keys, convergence\n"+
			"  ring                   how the ring's partitions spread over the members, and the balance\n"+
			"  transfers [--watch]    partition transfers, pending and recently done (--watch: until none is pending)\n"+
			"  leave                  the node hands its partitions off, leaves the cluster and exits\n"+
			"  remove NODE [--force]  take a failed node out of the ring (--force: even one gossip sees alive)\n"+
			"  healthcheck            PING the node: exit 0 if it answers (container health checks)\n\n"+
			"Flags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q (flags start with --)", fs.Arg(0))
	}
	if cfg.ConfigFile != "" {
		if err := applyFile(fs, cfg.ConfigFile); err != nil {
			return cfg, err
		}
	}
	fs.Visit(func(f *flag.Flag) { cfg.GossipPortSet = cfg.GossipPortSet || f.Name == "gossip-port" })
	cfg.ProtoMaxBulkLen = int64(bulk)
	cfg.HintMaxBytes = int64(hintBytes)
	cfg.CacheSize, cfg.WriteBuffer = int64(cacheSize), int64(writeBuffer)
	cfg.KeyFilterMemory = int64(keyFilter)
	cfg.TransferRate = int64(transferRate)
	cfg.Timeout = time.Duration(idle) * time.Second
	cfg.RequestTimeout = time.Duration(reqTimeout) * time.Millisecond
	if join != "" {
		cfg.Join = strings.Split(join, ",")
	}
	logger, err := newLogger(level, format, os.Stderr)
	if err != nil {
		return cfg, err
	}
	cfg.Logger = logger
	return cfg, cfg.Validate()
}

// applyFile sets every flag the file names that the command line did not.
func applyFile(fs *flag.FlagSet, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	defer f.Close()
	onCmdLine := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { onCmdLine[fl.Name] = true })
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' {
			continue
		}
		name, value, _ := strings.Cut(text, " ")
		name, value = strings.TrimPrefix(name, "--"), strings.Trim(strings.TrimSpace(value), `"`)
		if name == "config" || fs.Lookup(name) == nil {
			return fmt.Errorf("%s:%d: unknown setting %q (see ringkv --help)", path, line, name)
		}
		if onCmdLine[name] {
			continue
		}
		if err := fs.Set(name, value); err != nil {
			return fmt.Errorf("%s:%d: %s: %w", path, line, name, err)
		}
	}
	return sc.Err()
}

// byteSize is a flag taking Redis memory units: 512mb, 1gb, 100k, 42.
type byteSize int64

func (b *byteSize) String() string { return strconv.FormatInt(int64(*b), 10) }

func (b *byteSize) Set(s string) error {
	n, err := parseBytes(s)
	*b = byteSize(n)
	return err
}

func parseBytes(s string) (int64, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	units := []struct {
		suffix string
		mul    int64
	}{{"gb", 1 << 30}, {"mb", 1 << 20}, {"kb", 1 << 10}, {"g", 1e9}, {"m", 1e6}, {"k", 1e3}, {"b", 1}}
	mul := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mul = strings.TrimSuffix(s, u.suffix), u.mul
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid size %q (use e.g. 512mb, 1gb, 100k)", s)
	}
	return n * mul, nil
}

// newLogger maps Redis's level names onto zerolog's.
func newLogger(level, format string, w io.Writer) (zerolog.Logger, error) {
	names := map[string]string{"verbose": "debug", "notice": "info", "warning": "warn"}
	if n, ok := names[level]; ok {
		level = n
	}
	lvl, err := zerolog.ParseLevel(level)
	if err != nil {
		return zerolog.Nop(), fmt.Errorf("invalid loglevel %q", level)
	}
	switch format {
	case "json":
	case "console":
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.RFC3339}
	default:
		return zerolog.Nop(), fmt.Errorf("invalid logformat %q (json or console)", format)
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().Logger(), nil
}
