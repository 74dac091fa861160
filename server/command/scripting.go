package command

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ringkv/ringkv/resp"
	"github.com/ringkv/ringkv/server/lua"
)

// scripting is a node's Lua state: the engine (EVAL's VM, the function
// libraries and theirs), the script cache, the script running now (for
// SCRIPT KILL, FUNCTION KILL and FUNCTION STATS) and the libraries'
// replication stamp (functionsync.go).
type scripting struct {
	engine *lua.Engine
	cache  scriptCache

	mu  sync.Mutex
	cur *runningScript // guarded by mu

	sync functionSync
}

// runningScript is the script or function running in the exclusive
// section.
type runningScript struct {
	function bool     // FCALL, else EVAL
	name     string   // function name
	args     [][]byte // the command, for FUNCTION STATS
	start    time.Time
	cancel   context.CancelFunc
	wrote    atomic.Bool // ran a write command: cannot be killed
}

func newScripting(env *Env) *scripting {
	sc := &scripting{engine: lua.New(lua.Config{Logger: env.Logger})}
	sc.cache.init()
	return sc
}

// start records r as the running script.
func (sc *scripting) start(r *runningScript) {
	sc.mu.Lock()
	sc.cur = r
	sc.mu.Unlock()
}

func (sc *scripting) stop() {
	sc.mu.Lock()
	sc.cur = nil
	sc.mu.Unlock()
}

// Errors of SCRIPT KILL and FUNCTION KILL (Redis 7.0's texts).
var (
	errNotBusy    = resp.Err("NOTBUSY No scripts in execution right now.")
	errUnkillable = resp.Err("UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.")
)

// kill stops the running script if it is of the kind asked (function
// for FUNCTION KILL) and has not written.
func (sc *scripting) kill(function bool) resp.Reply {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	r := sc.cur
	switch {
	case r == nil:
		return errNotBusy
	case r.wrote.Load():
		return errUnkillable
	case r.function && !function:
		return errBusy("function")
	case !r.function && function:
		return errBusy("script")
	}
	r.cancel()
	return resp.OK()
}

// runScript runs fn in an exclusive section as the running script, with
// a context SCRIPT KILL / FUNCTION KILL cancels.
func (d *Dispatcher) runScript(s *Session, r *runningScript, fn func(ctx context.Context) resp.Reply) resp.Reply {
	kind := "script"
	if r.function {
		kind = "function"
	}
	return d.exclusive(s, kind, func() resp.Reply {
		ctx, cancel := context.WithCancel(s.Context())
		defer cancel()
		r.cancel, r.start = cancel, time.Now()
		sc := d.scripts
		sc.start(r)
		defer sc.stop()
		return fn(ctx)
	})
}

// stopScript stops the running script whatever it wrote, as SHUTDOWN
// NOSAVE does in Redis (the way out of an UNKILLABLE script); SHUTDOWN
// calls it before stopping the node.
func (d *Dispatcher) stopScript() {
	sc := d.scripts
	sc.mu.Lock()
	if sc.cur != nil {
		sc.cur.cancel()
	}
	sc.mu.Unlock()
}

// infoScripts are INFO memory's scripting lines.
func (d *Dispatcher) infoScripts() []string {
	sc := d.scripts
	sc.cache.mu.Lock()
	cached := len(sc.cache.scripts)
	sc.cache.mu.Unlock()
	libs, funcs := sc.engine.Counts()
	return []string{kv("number_of_cached_scripts", cached), kv("number_of_functions", funcs),
		kv("number_of_libraries", libs)}
}
