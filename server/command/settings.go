package command

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Params are a node's client-visible parameters, by their Redis names.
type Params struct {
	Port            int    // port: client RESP port (CONFIG SET moves the listener: portswitch_settings.go); 6379
	Bind            string // bind: listen address; immutable; "127.0.0.1"
	Dir             string // dir: data directory; immutable; "./data"
	AppendFsync     string // appendfsync: always|everysec|no; immutable here; "everysec"
	Node            string // node name; immutable; "" (the server fills it)
	RequirePass     string // requirepass: AUTH password; "" (none)
	MaxClients      int64  // maxclients: connection limit; 10000
	Timeout         int64  // timeout: idle seconds before closing a client, 0 never; 0
	ProtoMaxBulkLen int64  // proto-max-bulk-len: bytes; 512 MiB
	LogLevel        string // loglevel: debug|verbose|notice|warning|nothing; "notice"
	N               int64  // n: replicas per key; immutable; 3
	R               int64  // r: default read quorum, 1..N; 2
	W               int64  // w: default write quorum, 1..N; 2
	ACLFile         string // aclfile: the users file of ACL LOAD and SAVE (aclfile.go); immutable; "" (none)
}

// DefaultParams returns DESIGN.md's defaults.
func DefaultParams() Params {
	return Params{Port: 6379, Bind: "127.0.0.1", Dir: "./data", AppendFsync: "everysec",
		MaxClients: 10000, ProtoMaxBulkLen: 512 << 20, LogLevel: "notice", N: 3, R: 2, W: 2}
}

// Settings are a node's runtime parameters, read concurrently by every
// session and changed by CONFIG SET. The zero value is not usable; use
// NewSettings.
type Settings struct {
	mu       sync.Mutex // serialises Set and Params
	p        Params     // guarded by mu; immutable fields are read freely
	pass     atomic.Pointer[string]
	logLevel atomic.Pointer[string]
	maxCli   atomic.Int64
	timeout  atomic.Int64
	maxBulk  atomic.Int64
	obuf     atomic.Pointer[ObufLimits] // client-output-buffer-limit; nil: defaults (obuflimit.go)
	r, w     atomic.Int64
	ints     map[string]*atomic.Int64 // the intParam values, by name
	onChange func(name, value string)

	port   atomic.Int64         // port (portswitch_settings.go)
	listen func(port int) error // applies port; guarded by mu; nil: nothing to move
	cliMem clientMemLimits      // maxmemory-clients, client-query-buffer-limit (clientevict_settings.go)

	keyEvents atomic.Int64    // notify-keyspace-events flags (notify.go)
	mem       memLimit        // maxmemory and maxmemory-policy (maxmemory.go)
	latTrack  latencyTracking // latency-tracking and its INFO percentiles (latencyhist.go)

	save        atomic.Pointer[string] // save, accepted and shown only (noop_settings.go)
	replBacklog atomic.Int64           // repl-backlog-size, likewise
}

// NewSettings returns settings holding p.
func NewSettings(p Params) *Settings {
	s := &Settings{p: p}
	s.pass.Store(&p.RequirePass)
	s.logLevel.Store(&p.LogLevel)
	s.maxCli.Store(p.MaxClients)
	s.timeout.Store(p.Timeout)
	s.maxBulk.Store(p.ProtoMaxBulkLen)
	s.port.Store(int64(p.Port))
	s.cliMem.queryBuf.Store(defaultQueryBufLimit)
	s.replBacklog.Store(1 << 20)
	s.r.Store(p.R)
	s.w.Store(p.W)
	s.ints = make(map[string]*atomic.Int64, len(intParams))
	for _, ip := range intParams {
		v := new(atomic.Int64)
		v.Store(ip.def)
		s.ints[ip.name] = v
	}
	return s
}

// intParams are the integer parameters that need no field of their own:
// add a line here and read it with Settings.Int.
var intParams = []struct {
	name    string
	def     int64
	lo, hi  int64
	aliases []string
}{
	// busy-reply-threshold (alias lua-time-limit): ms a script runs before
	// other clients get BUSY; 0 never.
	{"busy-reply-threshold", 5000, 0, math.MaxInt64, []string{"lua-time-limit"}},
	// slowlog-log-slower-than: µs a command runs to enter the slow log; -1
	// never, 0 every command. slowlog-max-len: entries kept.
	// latency-monitor-threshold: ms a command runs to be a latency sample;
	// 0 off. (slowlog.go, latency.go)
	{"slowlog-log-slower-than", 10000, -1, math.MaxInt64, nil},
	{"slowlog-max-len", 128, 0, math.MaxInt64, nil},
	{"latency-monitor-threshold", 0, 0, math.MaxInt64, nil},
	// The encoding thresholds, Redis 7.0's names, aliases, defaults and
	// ranges. ringkv stores every collection the same way (a record per
	// element), so they change nothing but what CONFIG GET answers and
	// OBJECT ENCODING reports; tools and test suites set them freely.
	{"hash-max-listpack-entries", 512, 0, math.MaxInt64, []string{"hash-max-ziplist-entries"}},
	{"hash-max-listpack-value", 64, 0, math.MaxInt64, []string{"hash-max-ziplist-value"}},
	{"zset-max-listpack-entries", 128, 0, math.MaxInt64, []string{"zset-max-ziplist-entries"}},
	{"zset-max-listpack-value", 64, 0, math.MaxInt64, []string{"zset-max-ziplist-value"}},
	{"set-max-intset-entries", 512, 0, math.MaxInt64, nil},
	{"list-max-listpack-size", -2, math.MinInt32, math.MaxInt32, []string{"list-max-ziplist-size"}},
	{"list-compress-depth", 0, 0, math.MaxInt32, nil},
	// stream-node-max-entries: the block '~' trimming removes whole
	// (stream.go); stream-node-max-bytes changes nothing.
	{"stream-node-max-entries", 100, 0, math.MaxInt64, nil},
	{"stream-node-max-bytes", 4096, 0, math.MaxInt64, nil},
	// key-load-delay, rdb-key-save-delay: Redis's hidden debugging
	// settings, accepted and shown only (noop_settings.go).
	{"key-load-delay", 0, math.MinInt32, math.MaxInt32, nil},
	{"rdb-key-save-delay", 0, math.MinInt32, math.MaxInt32, nil},
	// min-replicas-to-write, min-replicas-max-lag: refuse writes while
	// fewer other members are alive (minreplicas.go).
	{"min-replicas-to-write", 0, 0, 1<<31 - 1, []string{"min-slaves-to-write"}},
	{"min-replicas-max-lag", 10, 0, 1<<31 - 1, []string{"min-slaves-max-lag"}},
	// tracking-table-max-keys: keys CLIENT TRACKING's default mode
	// remembers at most; 0 no limit (tracking.go).
	{"tracking-table-max-keys", 1_000_000, 0, math.MaxInt64, nil},
}

// Int returns the value of an intParams parameter; it panics on an unknown
// name (a programming error).
func (s *Settings) Int(name string) int64 { return s.ints[name].Load() }

// BusyThreshold is busy-reply-threshold as a duration, 0 for never.
func (s *Settings) BusyThreshold() time.Duration {
	return time.Duration(s.Int("busy-reply-threshold")) * time.Millisecond
}

// RequirePass returns the AUTH password, "" if none.
func (s *Settings) RequirePass() string { return *s.pass.Load() }

// MaxClients returns the connection limit.
func (s *Settings) MaxClients() int64 { return s.maxCli.Load() }

// Timeout returns the idle timeout in seconds, 0 for none.
func (s *Settings) Timeout() int64 { return s.timeout.Load() }

// ProtoMaxBulkLen returns the largest bulk string accepted, in bytes.
func (s *Settings) ProtoMaxBulkLen() int64 { return s.maxBulk.Load() }

// LogLevel returns the Redis-named log level.
func (s *Settings) LogLevel() string { return *s.logLevel.Load() }

// N returns the configured replication factor.
func (s *Settings) N() int64 { return s.p.N }

// R returns the default read quorum.
func (s *Settings) R() int64 { return s.r.Load() }

// W returns the default write quorum.
func (s *Settings) W() int64 { return s.w.Load() }

// Params returns a snapshot of every parameter.
func (s *Settings) Params() Params {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.p
	p.RequirePass, p.LogLevel = s.RequirePass(), s.LogLevel()
	p.MaxClients, p.Timeout, p.ProtoMaxBulkLen = s.MaxClients(), s.Timeout(), s.ProtoMaxBulkLen()
	p.R, p.W = s.R(), s.W()
	p.Port = s.Port()
	return p
}

// OnChange registers fn, called after CONFIG SET changes a parameter (the
// server applies loglevel, r and w to the logger and coordinator there).
func (s *Settings) OnChange(fn func(name, value string)) {
	s.mu.Lock()
	s.onChange = fn
	s.mu.Unlock()
}

// param is one CONFIG parameter: get renders it, set (nil: immutable)
// validates and stores a new value.
type param struct {
	name string
	get  func(s *Settings) string
	set  func(s *Settings, v string) error
}

// applies make a changed parameter take effect once every parameter of its
// CONFIG SET is stored, and may fail (Redis's apply functions): by name.
var applies = map[string]func(s *Settings) error{
	"port": applyPort, // portswitch_settings.go
}

func constParam(name, v string) param {
	return param{name: name, get: func(*Settings) string { return v }}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// params is the CONFIG table, in CONFIG GET's order.
var params = []param{
	{"appendfsync", func(s *Settings) string { return s.p.AppendFsync }, nil},
	constParam("appendonly", "no"),
	{"aclfile", func(s *Settings) string { return s.p.ACLFile }, nil},
	{"bind", func(s *Settings) string { return s.p.Bind }, nil},
	{"client-output-buffer-limit", getObufLimits, setObufLimits},
	{"client-query-buffer-limit", getQueryBufLimit, setQueryBufLimit}, // clientevict_settings.go
	constParam("databases", "1"),
	// Redis settings that do not apply, at the values that say so: ringkv
	// never daemonizes, replicates Redis-style or evicts keys.
	constParam("daemonize", "no"), constParam("replicaof", ""), constParam("slaveof", ""),
	constParam("maxmemory-samples", "5"),
	{"dir", func(s *Settings) string { return s.p.Dir }, nil},
	{"latency-tracking", getLatencyTracking, setLatencyTracking},                        // latencyhist.go
	{"latency-tracking-info-percentiles", getLatencyPercentiles, setLatencyPercentiles}, // latencyhist.go
	{"loglevel", func(s *Settings) string { return s.LogLevel() }, setLogLevel},
	{"maxclients", func(s *Settings) string { return itoa(s.MaxClients()) },
		intSetter(1, math.MaxUint32, func(s *Settings) *atomic.Int64 { return &s.maxCli })},
	{"maxmemory", getMaxMemory, setMaxMemory},                       // maxmemory.go
	{"maxmemory-clients", getMaxMemoryClients, setMaxMemoryClients}, // clientevict_settings.go
	{"maxmemory-policy", getMaxMemoryPolicy, setMaxMemoryPolicy},    // maxmemory.go
	{"n", func(s *Settings) string { return itoa(s.p.N) }, nil},
	{"notify-keyspace-events", getKeyEvents, setKeyEvents},
	{"port", getPort, setPort}, // portswitch_settings.go
	{"proto-max-bulk-len", func(s *Settings) string { return itoa(s.ProtoMaxBulkLen()) }, setMaxBulk},
	{"r", func(s *Settings) string { return itoa(s.R()) }, quorumSetter('r')},
	{"repl-backlog-size", getReplBacklog, setReplBacklog}, // noop_settings.go
	{"requirepass", func(s *Settings) string { return s.RequirePass() },
		func(s *Settings, v string) error { s.pass.Store(&v); return nil }},
	{"save", getSave, setSave}, // noop_settings.go
	{"timeout", func(s *Settings) string { return itoa(s.Timeout()) },
		intSetter(0, math.MaxInt32, func(s *Settings) *atomic.Int64 { return &s.timeout })},
	{"w", func(s *Settings) string { return itoa(s.W()) }, quorumSetter('w')},
}

func init() {
	for _, ip := range intParams {
		for _, name := range append([]string{ip.name}, ip.aliases...) {
			params = append(params, param{name: name,
				get: func(s *Settings) string { return itoa(s.Int(ip.name)) },
				set: intSetter(ip.lo, ip.hi, func(s *Settings) *atomic.Int64 { return s.ints[ip.name] })})
		}
	}
	sort.SliceStable(params, func(i, j int) bool { return params[i].name < params[j].name })
}

func lookupParam(name string) *param {
	for i := range params {
		if strings.EqualFold(params[i].name, name) {
			return &params[i]
		}
	}
	return nil
}

func intSetter(lo, hi int64, field func(*Settings) *atomic.Int64) func(*Settings, string) error {
	return func(s *Settings, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("argument couldn't be parsed into an integer")
		}
		if n < lo || n > hi {
			return fmt.Errorf("argument must be between %d and %d inclusive", lo, hi)
		}
		field(s).Store(n)
		return nil
	}
}

func quorumSetter(which byte) func(*Settings, string) error {
	return func(s *Settings, v string) error {
		f := &s.r
		if which == 'w' {
			f = &s.w
		}
		return intSetter(1, s.p.N, func(*Settings) *atomic.Int64 { return f })(s, v)
	}
}

func setMaxBulk(s *Settings, v string) error {
	n, err := parseMemoryFrom(v, 1<<20)
	if err == nil {
		s.maxBulk.Store(n)
	}
	return err
}

// parseMemoryFrom parses a memory value of at least lo bytes, with Redis's
// errors for a memory parameter ranging from lo to 2^63-1.
func parseMemoryFrom(v string, lo int64) (int64, error) {
	n, ok := parseMemory(v)
	if !ok && !memoryOverflow(v) {
		return 0, fmt.Errorf("argument must be a memory value")
	}
	if !ok || n < lo {
		return 0, fmt.Errorf("argument must be between %d and %d inclusive", lo, int64(math.MaxInt64))
	}
	return n, nil
}

func setLogLevel(s *Settings, v string) error {
	v = strings.ToLower(v)
	switch v {
	case "debug", "verbose", "notice", "warning", "nothing":
		s.logLevel.Store(&v)
		return nil
	}
	return fmt.Errorf("argument(s) must be one of the following: debug, verbose, notice, warning, nothing")
}

// memoryOverflow reports whether v is a well-formed memory value too large
// for 64 bits (Redis then answers the parameter's range, not a format error).
func memoryOverflow(v string) bool {
	l := strings.TrimRight(strings.ToLower(v), "kmgb")
	if l == "" || len(l) < len(v)-2 {
		return false
	}
	for _, c := range l {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// parseMemory parses Redis memory values: bytes with an optional k, kb, m,
// mb, g or gb suffix (any case; k is 1000, kb 1024).
func parseMemory(v string) (int64, bool) {
	l := strings.ToLower(v)
	mul := int64(1)
	for _, u := range []struct {
		s string
		m int64
	}{{"kb", 1 << 10}, {"mb", 1 << 20}, {"gb", 1 << 30}, {"k", 1e3}, {"m", 1e6}, {"g", 1e9}, {"b", 1}} {
		if strings.HasSuffix(l, u.s) {
			l, mul = strings.TrimSuffix(l, u.s), u.m
			break
		}
	}
	n, err := strconv.ParseInt(l, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/mul {
		return 0, false
	}
	return n * mul, true
}

// ConfigError is a failed CONFIG SET; its Error text is the reply's tail.
type ConfigError struct {
	Param string // the offending parameter, as given
	Err   error  // nil for an unknown parameter
}

func (e *ConfigError) Error() string {
	if e.Err == nil {
		return "Unknown option or number of arguments for CONFIG SET - '" + e.Param + "'"
	}
	return "CONFIG SET failed (possibly related to argument '" + e.Param + "') - " + e.Err.Error()
}

var (
	errImmutable = fmt.Errorf("can't set immutable config")
	errDuplicate = fmt.Errorf("duplicate parameter")
)

// Set changes parameters by name, all or none (as Redis 7's CONFIG SET):
// every value is stored, then the changed ones with an apply function take
// effect; on any error the parameters already changed are restored (and
// re-applied).
func (s *Settings) Set(pairs [][2]string) error {
	s.mu.Lock()
	err := s.checkNames(pairs)
	var done []change
	if err == nil {
		done, err = s.store(pairs)
	}
	if err == nil {
		err = s.applyAll(done)
	}
	fn := s.onChange
	s.mu.Unlock()
	if err != nil || fn == nil {
		return err
	}
	for _, c := range done {
		fn(c.p.name, c.p.get(s))
	}
	return nil
}

// checkNames refuses an unknown, immutable (to another value) or repeated
// parameter before anything is stored.
func (s *Settings) checkNames(pairs [][2]string) error {
	seen := make(map[*param]bool, len(pairs))
	for _, kv := range pairs {
		p := lookupParam(kv[0])
		switch {
		case p == nil:
			return &ConfigError{Param: kv[0]}
		case p.set == nil && !strings.EqualFold(kv[1], p.get(s)):
			// a parameter ringkv cannot change takes only the value it has
			// (a no-op: Redis's test suite sets every parameter to itself)
			return &ConfigError{Param: kv[0], Err: errImmutable}
		case seen[p]:
			return &ConfigError{Param: kv[0], Err: errDuplicate}
		}
		seen[p] = true
	}
	return nil
}

// change is a parameter a CONFIG SET stored: its value before, and whether
// the new one differs.
type change struct {
	p       *param
	old     string
	changed bool
}

// store sets every mutable parameter of pairs; on an error it restores
// those already set.
func (s *Settings) store(pairs [][2]string) ([]change, error) {
	var done []change
	for _, kv := range pairs {
		p := lookupParam(kv[0])
		if p.set == nil {
			continue
		}
		old := p.get(s)
		if err := p.set(s, kv[1]); err != nil {
			s.restore(done)
			return nil, &ConfigError{Param: kv[0], Err: err}
		}
		done = append(done, change{p: p, old: old, changed: p.get(s) != old})
	}
	return done, nil
}

// applyAll runs the apply functions of the changed parameters; when one
// fails, every parameter is restored and the applies that succeeded run
// again on the restored values (Redis logs, and so do the applies).
func (s *Settings) applyAll(done []change) error {
	for i, c := range done {
		apply := applies[c.p.name]
		if apply == nil || !c.changed {
			continue
		}
		if err := apply(s); err != nil {
			s.restore(done)
			for _, a := range done[:i] {
				if re := applies[a.p.name]; re != nil && a.changed {
					_ = re(s)
				}
			}
			return &ConfigError{Param: c.p.name, Err: err}
		}
	}
	return nil
}

// restore sets the parameters of done back to their old values, last first.
func (s *Settings) restore(done []change) {
	for i := len(done) - 1; i >= 0; i-- {
		_ = done[i].p.set(s, done[i].old)
	}
}

// Get returns the name/value pairs of the parameters matching any of the
// glob patterns (case-insensitive), each once, in table order.
func (s *Settings) Get(patterns ...string) [][2]string {
	var out [][2]string
	for i := range params {
		for _, pat := range patterns {
			if hiddenParams[params[i].name] && !strings.EqualFold(pat, params[i].name) {
				continue
			}
			if globMatch([]byte(pat), []byte(params[i].name), true) {
				out = append(out, [2]string{params[i].name, params[i].get(s)})
				break
			}
		}
	}
	return out
}
