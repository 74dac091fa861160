package command

import (
	"sort"
	"sync/atomic"

	"github.com/ringkv/ringkv/resp"
)

// Handler runs one command. args[0] is the command name as sent; args are
// only valid until the handler returns (replies may reference them: the
// server writes the reply before reading the next command).
type Handler func(s *Session, args [][]byte) resp.Reply

// Flag is a command property, as COMMAND reports it.
type Flag uint16

// Command flags (Redis's names in COMMAND's reply).
const (
	Write     Flag = 1 << iota // write
	ReadOnly                   // readonly
	DenyOOM                    // denyoom
	Admin                      // admin
	NoScript                   // noscript
	Loading                    // loading: allowed while loading
	Stale                      // stale
	Fast                       // fast: O(1) or O(log N)
	NoAuth                     // no_auth: allowed before AUTH
	NoMulti                    // no_multi
	AllowBusy                  // allow_busy: runs while a script is busy (SCRIPT KILL)
	// Atomic marks a handler that takes the node's gate itself (EXEC,
	// EVAL, FCALL: d.exclusive); Do does not hold it shared for them. Not
	// shown by COMMAND.
	Atomic
	// Blocking marks a command that may wait for a key (BLPOP ...): in a
	// cluster it runs where its client is, not at the key's coordinator,
	// so that its wait is the client's and ends with its connection. Not
	// shown by COMMAND (Redis's own metadata says "blocking").
	Blocking
)

var flagNames = []string{"write", "readonly", "denyoom", "admin", "noscript",
	"loading", "stale", "fast", "no_auth", "no_multi", "allow_busy", "", ""}

// Command is one entry of the command table. A container (CLIENT, CONFIG,
// COMMAND) has Subs; its own Handler, if any, runs when it is called alone.
type Command struct {
	Name     string // lowercase; "client|list" for a subcommand
	Arity    int    // exact if > 0, minimum if < 0; counts the name
	Flags    Flag
	FirstKey int // position of the first key argument, 0 if none
	LastKey  int // last key position; -1 for the last argument
	Step     int // distance between keys
	Group    string
	Handler  Handler
	Subs     []*Command
	// Keys returns the key arguments of a command whose keys are not at
	// fixed positions (EVAL, FCALL: numkeys); nil means FirstKey, LastKey
	// and Step say where they are. It must not fail on any argument
	// vector that passed the arity check.
	Keys func(args [][]byte) [][]byte

	subs     map[string]*Command
	calls    atomic.Int64
	failed   atomic.Int64                // replied an error
	rejected atomic.Int64                // refused by dispatch (arity, AUTH)
	usec     atomic.Int64                // time spent running, µs (introspect.go)
	lat      atomic.Pointer[latencyHist] // run times since CONFIG RESETSTAT; nil: no call (latencyhist.go)
}

// KeysOf returns the key arguments of args, a call of c that passed its
// arity check.
func (c *Command) KeysOf(args [][]byte) [][]byte {
	if c.Keys != nil {
		return c.Keys(args)
	}
	if c.FirstKey == 0 || c.Step <= 0 {
		return nil
	}
	last := c.LastKey
	if last < 0 {
		last += len(args)
	}
	var keys [][]byte
	for i := c.FirstKey; i <= last && i < len(args); i += c.Step {
		keys = append(keys, args[i])
	}
	return keys
}

// spec abbreviates a table entry: name, arity, flags, key positions, group.
func spec(name string, arity int, f Flag, first, last, step int, group string, h Handler) *Command {
	return &Command{Name: name, Arity: arity, Flags: f, FirstKey: first, LastKey: last,
		Step: step, Group: group, Handler: h}
}

// keyless is spec for a command without key arguments.
func keyless(name string, arity int, f Flag, group string, h Handler) *Command {
	return spec(name, arity, f, 0, 0, 0, group, h)
}

// container makes a command with subcommands; their names get the
// container's prefix.
func container(name string, arity int, f Flag, group string, h Handler, subs ...*Command) *Command {
	c := keyless(name, arity, f, group, h)
	c.Subs = subs
	c.subs = make(map[string]*Command, len(subs))
	for _, sc := range subs {
		c.subs[sc.Name] = sc
		sc.Name = name + "|" + sc.Name
		sc.Group = group
	}
	sort.Slice(c.Subs, func(i, j int) bool { return c.Subs[i].Name < c.Subs[j].Name })
	return c
}

// table lists every command d serves.
func (d *Dispatcher) table() []*Command {
	const rw, ro, rwf, rof = Write | DenyOOM, ReadOnly, Write | DenyOOM | Fast, ReadOnly | Fast
	const str, gen, conn, srv, ver, tx = "string", "generic", "connection", "server", "ringkv", "transactions"
	return []*Command{
		// strings
		spec("get", 2, rof, 1, 1, 1, str, d.get),
		spec("set", -3, rw, 1, 1, 1, str, d.set),
		spec("setnx", 3, rwf, 1, 1, 1, str, d.setnx),
		spec("setex", 4, rw, 1, 1, 1, str, d.setex),
		spec("psetex", 4, rw, 1, 1, 1, str, d.psetex),
		spec("getset", 3, rwf, 1, 1, 1, str, d.getset),
		spec("getdel", 2, Write|Fast, 1, 1, 1, str, d.getdel),
		spec("getex", -2, Write|Fast, 1, 1, 1, str, d.getex),
		spec("mget", -2, rof, 1, -1, 1, str, d.mget),
		spec("mset", -3, rw, 1, -1, 2, str, d.mset),
		spec("msetnx", -3, rw, 1, -1, 2, str, d.msetnx),
		spec("strlen", 2, rof, 1, 1, 1, str, d.strlen),
		spec("append", 3, rwf, 1, 1, 1, str, d.append),
		spec("getrange", 4, ro, 1, 1, 1, str, d.getrange),
		spec("substr", 4, ro, 1, 1, 1, str, d.getrange),
		spec("setrange", 4, rw, 1, 1, 1, str, d.setrange),
		spec("incr", 2, rwf, 1, 1, 1, str, d.incr),
		spec("decr", 2, rwf, 1, 1, 1, str, d.decr),
		spec("incrby", 3, rwf, 1, 1, 1, str, d.incrby),
		spec("decrby", 3, rwf, 1, 1, 1, str, d.decrby),
		spec("incrbyfloat", 3, rwf, 1, 1, 1, str, d.incrbyfloat),
		spec("lcs", -3, ro, 1, 2, 1, str, d.lcs),
		// bitmaps
		spec("setbit", 4, rw, 1, 1, 1, "bitmap", d.setbit),
		spec("getbit", 3, rof, 1, 1, 1, "bitmap", d.getbit),
		spec("bitcount", -2, ro, 1, 1, 1, "bitmap", d.bitcount),
		spec("bitpos", -3, ro, 1, 1, 1, "bitmap", d.bitpos),
		spec("bitop", -4, rw, 2, -1, 1, "bitmap", d.bitop),
		spec("bitfield", -2, rw, 1, 1, 1, "bitmap", d.bitfield),
		spec("bitfield_ro", -2, rof, 1, 1, 1, "bitmap", d.bitfieldRO),
		// keys
		spec("del", -2, Write, 1, -1, 1, gen, d.delEach),
		spec("unlink", -2, Write|Fast, 1, -1, 1, gen, d.delEach),
		spec("exists", -2, rof, 1, -1, 1, gen, d.exists),
		// TOUCH counts the keys that exist, as EXISTS (a key named twice
		// counts twice). Redis also resets their LRU clock; ringkv keeps no
		// access times (OBJECT IDLETIME is the time since the last write).
		spec("touch", -2, rof, 1, -1, 1, gen, d.exists),
		spec("type", 2, rof, 1, 1, 1, gen, d.typ),
		spec("keys", 2, ro, 0, 0, 0, gen, d.keys),
		keyless("scan", -2, ro, gen, d.scan),
		keyless("randomkey", 1, ro, gen, d.randomkey),
		spec("rename", 3, Write, 1, 2, 1, gen, d.rename),
		spec("renamenx", 3, Write|Fast, 1, 2, 1, gen, d.renamenx),
		spec("copy", -3, rw, 1, 2, 1, gen, d.copy),
		spec("expire", -3, Write|Fast, 1, 1, 1, gen, d.expire),
		spec("pexpire", -3, Write|Fast, 1, 1, 1, gen, d.pexpire),
		spec("expireat", -3, Write|Fast, 1, 1, 1, gen, d.expireat),
		spec("pexpireat", -3, Write|Fast, 1, 1, 1, gen, d.pexpireat),
		spec("ttl", 2, rof, 1, 1, 1, gen, d.ttl),
		spec("pttl", 2, rof, 1, 1, 1, gen, d.pttl),
		spec("expiretime", 2, rof, 1, 1, 1, gen, d.expiretime),
		spec("pexpiretime", 2, rof, 1, 1, 1, gen, d.pexpiretime),
		spec("persist", 2, Write|Fast, 1, 1, 1, gen, d.persist),
		// versioned
		spec("vget", -2, ro, 1, 1, 1, ver, d.vget),
		spec("vset", -3, rw, 1, 1, 1, ver, d.vset),
		spec("vdel", -4, Write, 1, 1, 1, ver, d.vdel),
		// transactions (multi.go)
		keyless("multi", 1, NoScript|Loading|Stale|Fast|AllowBusy, tx, d.multi),
		keyless("exec", 1, NoScript|Loading|Stale|Atomic, tx, d.exec),
		keyless("discard", 1, NoScript|Loading|Stale|Fast|AllowBusy, tx, d.discard),
		spec("watch", -2, NoScript|Loading|Stale|Fast|AllowBusy, 1, -1, 1, tx, d.watch),
		keyless("unwatch", 1, NoScript|Loading|Stale|Fast|AllowBusy, tx, d.unwatch),
		// scripting (eval.go, scriptcache.go, functions.go)
		scriptSpec("eval", 0, d.eval), scriptSpec("evalsha", 0, d.evalsha),
		scriptSpec("eval_ro", ReadOnly, d.evalRO), scriptSpec("evalsha_ro", ReadOnly, d.evalshaRO),
		scriptSpec("fcall", 0, d.fcall), scriptSpec("fcall_ro", ReadOnly, d.fcallRO),
		d.scriptCommand(), d.functionCommand(),
		// connection
		keyless("ping", -1, Fast, conn, d.pingPubSub),
		keyless("echo", 2, Fast|Loading|Stale, conn, d.echo),
		keyless("quit", -1, NoAuth|Fast|Loading|Stale|NoScript|AllowBusy, conn, d.quit),
		keyless("reset", 1, NoAuth|Fast|Loading|Stale|NoScript|AllowBusy, conn, d.resetPubSub),
		keyless("hello", -1, NoAuth|Fast|Loading|Stale|NoScript|AllowBusy, conn, d.hello),
		keyless("auth", -2, NoAuth|Fast|Loading|Stale|NoScript|AllowBusy, conn, d.auth),
		keyless("select", 2, Fast|Loading|Stale, conn, d.selectDB),
		d.clientCommand(),
		d.clusterContainer(),
		d.ringkvCommand(),
		// server
		d.commandCommand(),
		d.configCommand(),
		keyless("info", -1, Loading|Stale, srv, d.info),
		keyless("dbsize", 1, rof, srv, d.dbsize),
		keyless("time", 1, Fast|Loading|Stale, srv, d.time),
		keyless("flushdb", -1, Write, srv, d.flush),
		keyless("flushall", -1, Write, srv, d.flush),
		keyless("shutdown", -1, Admin|NoScript|Loading|Stale|NoMulti|AllowBusy, srv, d.shutdown),
		keyless("lastsave", 1, Fast|Loading|Stale, srv, d.lastsave),
		keyless("save", 1, Admin|NoScript|NoMulti, srv, d.save),
		keyless("bgsave", -1, Admin|NoScript, srv, d.bgsave),
		// introspection (object.go, memory.go, debug.go, latency.go, slowlog.go, wait.go)
		d.objectCommand(), d.memoryCommand(), d.debugCommand(), d.latencyCommand(), d.slowlogCommand(),
		keyless("wait", 3, NoScript, gen, d.wait),
	}
}
