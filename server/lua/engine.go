package lua

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"github.com/rs/zerolog"
	lua "github.com/yuin/gopher-lua"

	"github.com/ringkv/ringkv/resp"
)

// Config configures an Engine.
type Config struct {
	// Logger receives redis.log lines; zero value: Nop.
	Logger zerolog.Logger
	// Version is the Redis version scripts see as redis.REDIS_VERSION;
	// default "7.0.15".
	Version string
	// MemoryLimit stops a script whose live heap growth passes it, in
	// bytes; default DefaultMemoryLimit (1 GiB).
	MemoryLimit uint64
}

func (c Config) versionNum() int {
	n := 0
	for _, p := range strings.SplitN(c.Version, ".", 3) {
		v, _ := strconv.Atoi(p)
		n = n<<8 | (v & 0xff)
	}
	return n
}

// Engine runs EVAL scripts and holds the FUNCTION libraries of one node.
// Scripts run one at a time per kind (Redis runs them on its one thread;
// the caller also holds every other command off while one runs).
type Engine struct {
	cfg Config

	evalMu sync.Mutex // one EVAL at a time
	eval   *vm

	fnMu sync.Mutex // one function run or library load at a time
	fn   *vm

	libMu sync.RWMutex         // guards libs and funcs
	libs  map[string]*Library  // by name (case-sensitive)
	funcs map[string]*Function // by lowercase name
}

// Call is one invocation's input.
type Call struct {
	Keys, Args [][]byte
	Caller     Caller
	Proto      int // the client's protocol, 2 or 3
}

// New returns an engine with no libraries.
func New(cfg Config) *Engine {
	if cfg.Version == "" {
		cfg.Version = "7.0.15"
	}
	if cfg.MemoryLimit == 0 {
		cfg.MemoryLimit = DefaultMemoryLimit
	}
	e := &Engine{cfg: cfg, libs: map[string]*Library{}, funcs: map[string]*Function{}}
	e.eval = e.newEvalVM()
	e.fn = newVM(e)
	e.fn.globals = e.fn.sandboxGlobals(e.fn.runtimeAPI())
	e.fn.defaultEnv = e.fn.env(e.fn.globals)
	e.fn.loadGlobals = e.fn.loadTimeGlobals()
	return e
}

// newEvalVM is a fresh interpreter for EVAL.
func (e *Engine) newEvalVM() *vm {
	v := newVM(e)
	v.globals = v.sandboxGlobals(v.runtimeAPI())
	v.defaultEnv = v.env(v.globals)
	return v
}

// ResetEval gives EVAL a fresh interpreter, as Redis's SCRIPT FLUSH does:
// what scripts changed in it (cjson's settings) goes back to the defaults.
func (e *Engine) ResetEval() {
	e.evalMu.Lock()
	defer e.evalMu.Unlock()
	e.eval = e.newEvalVM()
}

// Eval runs s with KEYS and ARGV set from c, until it returns or ctx is
// done (SCRIPT KILL): a killed script replies "ERR Script killed by user
// with SCRIPT KILL...".
func (e *Engine) Eval(ctx context.Context, s *Script, c Call) resp.Reply {
	e.evalMu.Lock()
	defer e.evalMu.Unlock()
	v := e.eval
	fn := v.L.NewFunctionFromProto(s.proto)
	fn.Env = v.defaultEnv
	v.globals.RawSetString("KEYS", stringsTable(v.L, c.Keys))
	v.globals.RawSetString("ARGV", stringsTable(v.L, c.Args))
	defer func() {
		v.globals.RawSetString("KEYS", lua.LNil)
		v.globals.RawSetString("ARGV", lua.LNil)
	}()
	v.L.Push(fn)
	return v.call(&run{ctx: ctx, caller: c.Caller, env: v.defaultEnv, proto: c.Proto, name: s.SHA}, 0)
}

// FCall runs f with its keys and arguments tables.
func (e *Engine) FCall(ctx context.Context, f *Function, c Call) resp.Reply {
	e.fnMu.Lock()
	defer e.fnMu.Unlock()
	v := e.fn
	v.L.Push(f.fn)
	v.L.Push(stringsTable(v.L, c.Keys))
	v.L.Push(stringsTable(v.L, c.Args))
	return v.call(&run{ctx: ctx, caller: c.Caller, env: v.defaultEnv, proto: c.Proto, name: f.Name}, 2)
}

func stringsTable(L *lua.LState, items [][]byte) *lua.LTable {
	t := L.CreateTable(len(items), 0)
	for i, it := range items {
		t.RawSetInt(i+1, lua.LString(it))
	}
	return t
}

func itoa(n int) string { return strconv.Itoa(n) }
