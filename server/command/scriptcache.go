package command

import (
	"strings"
	"sync"

	"github.com/ringkv/ringkv/resp"
	"github.com/ringkv/ringkv/server/lua"
)

// maxEvalScripts bounds the scripts EVAL adds to the cache (SCRIPT LOAD's
// are kept until SCRIPT FLUSH): past it the oldest EVAL-added script is
// dropped, as Redis 7.4 does, so clients that build scripts with values
// inlined cannot exhaust memory.
const maxEvalScripts = 500

// scriptCache holds compiled scripts by SHA-1 (SCRIPT LOAD, EVAL).
type scriptCache struct {
	mu       sync.Mutex
	scripts  map[string]*cachedScript
	evalFIFO []string // SHAs added by EVAL only, oldest first
}

type cachedScript struct {
	script *lua.Script
	loaded bool // by SCRIPT LOAD: never evicted
}

func (c *scriptCache) init() { c.scripts = map[string]*cachedScript{} }

// get returns the script with lowercase SHA-1 sha.
func (c *scriptCache) get(sha string) (*lua.Script, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cs, ok := c.scripts[sha]
	if !ok {
		return nil, false
	}
	return cs.script, true
}

// add compiles body unless cached and returns it; loaded marks a SCRIPT
// LOAD.
func (c *scriptCache) add(body []byte, loaded bool) (*lua.Script, error) {
	sha := lua.SHA1(body)
	c.mu.Lock()
	cs, ok := c.scripts[sha]
	c.mu.Unlock()
	if ok {
		if loaded && !cs.loaded {
			c.mu.Lock()
			cs.loaded = true
			c.mu.Unlock()
		}
		return cs.script, nil
	}
	script, err := lua.Compile(append([]byte(nil), body...))
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cs, ok := c.scripts[sha]; ok {
		return cs.script, nil
	}
	c.scripts[sha] = &cachedScript{script: script, loaded: loaded}
	if !loaded {
		c.evalFIFO = append(c.evalFIFO, sha)
		c.evict()
	}
	return script, nil
}

// evict drops the oldest EVAL-only scripts beyond maxEvalScripts.
func (c *scriptCache) evict() {
	for len(c.evalFIFO) > maxEvalScripts {
		sha := c.evalFIFO[0]
		c.evalFIFO = c.evalFIFO[1:]
		if cs, ok := c.scripts[sha]; ok && !cs.loaded {
			delete(c.scripts, sha)
		}
	}
}

func (c *scriptCache) flush() {
	c.mu.Lock()
	c.scripts, c.evalFIFO = map[string]*cachedScript{}, nil
	c.mu.Unlock()
}

// scriptCommand is the SCRIPT container.
func (d *Dispatcher) scriptCommand() *Command {
	const f = NoScript
	return container("script", -2, 0, "scripting", nil,
		keyless("load", 3, f|Stale, "", d.scriptLoad),
		keyless("exists", -3, f, "", d.scriptExists),
		keyless("flush", -2, f, "", d.scriptFlush),
		keyless("kill", 2, f|AllowBusy, "", d.scriptKill),
		keyless("debug", 3, f, "", d.scriptDebug),
		keyless("help", 2, Loading|Stale, "", d.scriptHelp))
}

// SCRIPT LOAD script → its SHA-1.
func (d *Dispatcher) scriptLoad(s *Session, args [][]byte) resp.Reply {
	script, err := d.scripts.cache.add(args[2], true)
	if err != nil {
		return resp.Err(err.Error())
	}
	return resp.BulkString(script.SHA)
}

// SCRIPT EXISTS sha1 [sha1 ...] → 1 or 0 each.
func (d *Dispatcher) scriptExists(s *Session, args [][]byte) resp.Reply {
	out := make([]resp.Reply, 0, len(args)-2)
	for _, sha := range args[2:] {
		_, ok := d.scripts.cache.get(strings.ToLower(string(sha)))
		out = append(out, resp.Int(b2i(ok)))
	}
	return resp.Array(out...)
}

// SCRIPT FLUSH [ASYNC|SYNC]
func (d *Dispatcher) scriptFlush(s *Session, args [][]byte) resp.Reply {
	if len(args) > 3 || (len(args) == 3 && !isSyncAsync(args[2])) {
		return resp.Err("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
	}
	d.scripts.cache.flush()
	d.scripts.engine.ResetEval() // as Redis: a new interpreter, cjson's settings back to the defaults
	return resp.OK()
}

func isSyncAsync(b []byte) bool {
	return strings.EqualFold(string(b), "sync") || strings.EqualFold(string(b), "async")
}

// SCRIPT KILL
func (d *Dispatcher) scriptKill(s *Session, args [][]byte) resp.Reply {
	return d.killAnywhere(s.Context(), false) // scriptkill.go
}

// SCRIPT DEBUG YES|SYNC|NO: the Lua debugger is not implemented.
func (d *Dispatcher) scriptDebug(s *Session, args [][]byte) resp.Reply {
	switch strings.ToLower(string(args[2])) {
	case "no":
		return resp.OK()
	case "yes", "sync":
		return resp.Err("ERR SCRIPT DEBUG is not supported by ringkv")
	}
	return resp.Err("ERR Use SCRIPT DEBUG YES/SYNC/NO")
}

func (d *Dispatcher) scriptHelp(s *Session, args [][]byte) resp.Reply {
	return help("SCRIPT",
		"DEBUG (YES|SYNC|NO)",
		"    Set the debug mode for subsequent scripts executed.",
		"EXISTS <sha1> [<sha1> ...]",
		"    Return information about the existence of the scripts in the script cache.",
		"FLUSH [ASYNC|SYNC]",
		"    Flush the Lua scripts cache. Very dangerous on replicas.",
		"    When called without the optional mode argument, the behavior is determined by the",
		"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
		"    * ASYNC: Asynchronously flush the scripts cache.",
		"    * SYNC: Synchronously flush the scripts cache.",
		"KILL",
		"    Kill the currently executing Lua script.",
		"LOAD <script>",
		"    Load a script into the scripts cache without executing it.")
}
