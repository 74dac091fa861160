package command

import (
	"fmt"
	"math"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ringkv/ringkv/resp"
	"github.com/ringkv/ringkv/server/lua"
)

// maxmemory: a node refuses commands that may grow memory (Redis's denyoom
// flag) while its used memory, the Go heap INFO reports as used_memory, is
// above maxmemory. ringkv evicts nothing: every maxmemory-policy is
// accepted and reported, and all behave as noeviction.

// memLimit holds maxmemory and maxmemory-policy.
type memLimit struct {
	max    atomic.Uint64          // maxmemory: bytes; 0 no limit; default 0
	policy atomic.Pointer[string] // maxmemory-policy; nil: "noeviction"
}

// memPolicies are Redis 7.0's maxmemory-policy values, in its error text's
// order.
var memPolicies = []string{"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
	"allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"}

var errOOM = resp.Err("OOM command not allowed when used memory > 'maxmemory'.")

// MaxMemory returns maxmemory in bytes, 0 for no limit.
func (s *Settings) MaxMemory() uint64 { return s.mem.max.Load() }

// MaxMemoryPolicy returns maxmemory-policy (ringkv evicts nothing under
// any of them).
func (s *Settings) MaxMemoryPolicy() string {
	if p := s.mem.policy.Load(); p != nil {
		return *p
	}
	return "noeviction"
}

func getMaxMemory(s *Settings) string { return strconv.FormatUint(s.MaxMemory(), 10) }

func setMaxMemory(s *Settings, v string) error {
	n, ok := memToULL(v)
	if !ok {
		return fmt.Errorf("argument must be a memory value")
	}
	s.mem.max.Store(n)
	return nil
}

func getMaxMemoryPolicy(s *Settings) string { return s.MaxMemoryPolicy() }

func setMaxMemoryPolicy(s *Settings, v string) error {
	for _, p := range memPolicies {
		if strings.EqualFold(p, v) {
			s.mem.policy.Store(&p)
			return nil
		}
	}
	return fmt.Errorf("argument(s) must be one of the following: %s", strings.Join(memPolicies, ", "))
}

// memUnits are memToULL's unit multipliers.
var memUnits = map[string]uint64{"": 1, "b": 1, "k": 1e3, "kb": 1 << 10,
	"m": 1e6, "mb": 1 << 20, "g": 1e9, "gb": 1 << 30}

// memToULL parses a memory value as Redis's memtoull: digits, then an
// optional unit (b, k, kb, m, mb, g, gb; any case; k is 1000, kb 1024).
// Like strtoull, digits beyond 64 bits saturate and the unit's product
// wraps; no digits is 0.
func memToULL(v string) (uint64, bool) {
	i := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	mul, ok := memUnits[strings.ToLower(v[i:])]
	if !ok || i >= 128 {
		return 0, false
	}
	if i == 0 {
		return 0, true
	}
	n, err := strconv.ParseUint(v[:i], 10, 64)
	if err != nil {
		n = math.MaxUint64 // only a range error is possible: saturate
	}
	return n * mul, true
}

// memGauge reads used memory for the maxmemory check, at most once per
// memSampleEvery (reading the heap takes the runtime's metrics lock).
type memGauge struct {
	read func() uint64 // nil: the Go heap, sampled; tests set a fake, read on every call
	at   atomic.Int64  // UnixNano of the last heap sample; 0 none yet
	used atomic.Uint64 // the last sample
}

const memSampleEvery = int64(time.Millisecond)

// load returns used memory in bytes.
func (g *memGauge) load() uint64 {
	if g.read != nil {
		return g.read()
	}
	now := time.Now().UnixNano()
	at := g.at.Load()
	switch {
	case at == 0:
		g.used.Store(heapBytes())
		g.at.Store(now)
	case now-at >= memSampleEvery && g.at.CompareAndSwap(at, now):
		g.used.Store(heapBytes())
	}
	return g.used.Load()
}

// heapBytes is the Go heap's live and not yet swept objects: MemStats's
// HeapAlloc (INFO's used_memory) without stopping the world.
func heapBytes() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return sample[0].Value.Uint64()
}

// oom refuses cmd, as Redis's processCommand, when maxmemory is set, used
// memory is above it and cmd may grow memory: a denyoom command, an EXEC
// of a transaction that queued one, or any command but EXEC, DISCARD, QUIT
// and RESET inside MULTI (queueing grows memory too). A refused command
// fails its transaction; a refused EXEC discards it. The zero reply lets
// cmd run; with maxmemory 0 it costs one atomic load.
func (d *Dispatcher) oom(s *Session, cmd *Command) resp.Reply {
	limit := d.env.Settings.mem.max.Load()
	if limit == 0 || !d.mayGrow(s, cmd) || d.mem.load() <= limit {
		return resp.Reply{}
	}
	return d.refuse(s, cmd, errOOM)
}

// refuse is dispatch's refusal of cmd with r (OOM, NOREPLICAS): counted
// as rejected; an EXEC answers EXECABORT naming r and ends the
// transaction, a command queued in MULTI fails it.
func (d *Dispatcher) refuse(s *Session, cmd *Command, r resp.Reply) resp.Reply {
	cmd.rejected.Add(1)
	if cmd.Name == "exec" {
		s.resetTx()
		r = execAbort(r)
	} else {
		s.txFail()
	}
	d.env.Stats.CountError(r)
	return r
}

// overMaxMemory reports whether maxmemory is set and used memory is
// above it.
func (d *Dispatcher) overMaxMemory() bool {
	limit := d.env.Settings.mem.max.Load()
	return limit != 0 && d.mem.load() > limit
}

// scriptOOM refuses a script or function up front, as Redis 7.0's
// processCommand does through its flags (evalGetCommandFlags): one declared
// with a shebang or as a function that may write (no no-writes) and may
// not run out of memory (no allow-oom) when used memory is above
// maxmemory. A script without a shebang is checked call by call instead
// (scriptCaller.call). The zero reply lets it run.
func (d *Dispatcher) scriptOOM(name []byte, flags lua.Flags) resp.Reply {
	if flags&(lua.NoWrites|lua.AllowOOM) != 0 || !d.overMaxMemory() {
		return resp.Reply{}
	}
	if cmd := lookup(d.cmds, name); cmd != nil {
		cmd.rejected.Add(1)
	}
	d.env.Stats.CountError(errOOM)
	return errOOM
}

// mayGrow reports whether cmd is refused when memory is above maxmemory.
func (d *Dispatcher) mayGrow(s *Session, cmd *Command) bool {
	if cmd.Flags&DenyOOM != 0 {
		return true
	}
	if s.tx == nil {
		return false
	}
	switch cmd.Name {
	case "exec":
		for _, c := range s.tx.cmds {
			if qc := lookup(d.cmds, c[0]); qc != nil && d.subcommand(qc, c).Flags&DenyOOM != 0 {
				return true
			}
		}
		return false
	case "discard", "quit", "reset":
		return false
	}
	return true
}
