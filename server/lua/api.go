package lua

import (
	"crypto/sha1"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/rs/zerolog"
	lua "github.com/yuin/gopher-lua"

	"github.com/ringkv/ringkv/resp"
)

// Caller runs the commands a script sends with redis.call and redis.pcall.
// Its replies use Redis's error texts for what a script may not run
// ("ERR Unknown Redis command called from script", "ERR Write commands
// are not allowed from read-only scripts.", ...).
type Caller interface {
	Call(args [][]byte) resp.Reply
}

// ACLChecker is a Caller that tells whether the script's user may run a
// command with its arguments (keys, channels): redis.acl_check_cmd. known
// is false for a command (or subcommand) the server does not have.
type ACLChecker interface {
	ACLCheckCmd(args [][]byte) (allowed, known bool)
}

// Redis's log levels, as redis.LOG_* name them.
const (
	logDebug = iota
	logVerbose
	logNotice
	logWarning
)

// replication flags of redis.set_repl (accepted; ringkv replicates every
// write by its own rules).
const (
	replNone, replAOF, replReplica, replAll = 0, 1, 2, 3
)

// runtimeAPI is the redis table scripts and functions see when they run.
func (v *vm) runtimeAPI() *lua.LTable {
	L := v.L
	t := L.NewTable()
	fns := map[string]lua.LGFunction{
		"call":               func(L *lua.LState) int { return v.redisCall(L, true) },
		"pcall":              func(L *lua.LState) int { return v.redisCall(L, false) },
		"sha1hex":            sha1hexFn,
		"error_reply":        errorReply,
		"status_reply":       statusReply,
		"log":                v.logFn,
		"setresp":            v.setResp,
		"set_repl":           v.setRepl,
		"replicate_commands": func(L *lua.LState) int { L.Push(lua.LTrue); return 1 },
		"breakpoint":         func(L *lua.LState) int { L.Push(lua.LFalse); return 1 },
		"debug":              func(L *lua.LState) int { return 0 },
		"acl_check_cmd":      v.aclCheckCmd,
	}
	for name, fn := range fns {
		t.RawSetString(name, L.NewFunction(fn))
	}
	v.constants(t)
	for name, n := range map[string]int{"REPL_NONE": replNone, "REPL_AOF": replAOF,
		"REPL_SLAVE": replReplica, "REPL_REPLICA": replReplica, "REPL_ALL": replAll} {
		t.RawSetString(name, lua.LNumber(n))
	}
	return t
}

// constants sets the log levels and version fields every redis table has.
func (v *vm) constants(t *lua.LTable) {
	for name, n := range map[string]int{"LOG_DEBUG": logDebug, "LOG_VERBOSE": logVerbose,
		"LOG_NOTICE": logNotice, "LOG_WARNING": logWarning} {
		t.RawSetString(name, lua.LNumber(n))
	}
	t.RawSetString("REDIS_VERSION", lua.LString(v.e.cfg.Version))
	t.RawSetString("REDIS_VERSION_NUM", lua.LNumber(v.e.cfg.versionNum()))
}

// redisCall is redis.call (raise) and redis.pcall: it runs the command
// through the run's Caller and converts the reply; an error reply is
// raised by call and returned as {err = ...} by pcall.
func (v *vm) redisCall(L *lua.LState, raiseErr bool) int {
	r := v.cur
	if r == nil {
		return raise(L, "redis.call/pcall can only be called inside a script invocation")
	}
	args, msg := callArgs(L)
	if msg != "" {
		if raiseErr {
			return raise(L, msg)
		}
		L.Push(errTable(L, normalizeError(msg)))
		return 1
	}
	reply := r.caller.Call(args)
	val := toLua(L, reply, r.resp3)
	if raiseErr && reply.IsError() {
		L.Error(val, 0)
	}
	L.Push(val)
	return 1
}

// aclCheckCmd is redis.acl_check_cmd (Redis 7.0's
// luaRedisAclCheckCmdPermissionsCommand): whether the user running the
// script may run the command given, without logging a denial; an unknown
// command raises an error.
func (v *vm) aclCheckCmd(L *lua.LState) int {
	r := v.cur
	if r == nil {
		return raise(L, "redis.acl_check_cmd can only be called inside a script invocation")
	}
	args, msg := callArgs(L)
	if msg != "" {
		return raise(L, msg)
	}
	allowed, known := true, true
	if c, ok := r.caller.(ACLChecker); ok {
		allowed, known = c.ACLCheckCmd(args)
	}
	if !known {
		return raise(L, "Invalid command passed to redis.acl_check_cmd()")
	}
	L.Push(lua.LBool(allowed))
	return 1
}

// callArgs reads redis.call's arguments: strings as they are, numbers as
// %.17g, anything else refused.
func callArgs(L *lua.LState) ([][]byte, string) {
	n := L.GetTop()
	if n == 0 {
		return nil, "Please specify at least one argument for this redis lib call"
	}
	args := make([][]byte, n)
	for i := 1; i <= n; i++ {
		switch a := L.Get(i).(type) {
		case lua.LString:
			args[i-1] = []byte(a)
		case lua.LNumber:
			args[i-1] = []byte(formatArg(float64(a)))
		default:
			return nil, "Lua redis lib command arguments must be strings or integers"
		}
	}
	return args, ""
}

func sha1hexFn(L *lua.LState) int {
	if L.GetTop() != 1 {
		return raise(L, "wrong number of arguments")
	}
	L.Push(lua.LString(SHA1([]byte(L.ToString(1)))))
	return 1
}

// SHA1 is the lowercase hex SHA-1 of b, a script's name in the cache.
func SHA1(b []byte) string {
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}

func errorReply(L *lua.LState) int {
	s, ok := L.Get(1).(lua.LString)
	if L.GetTop() != 1 || !ok {
		L.Push(errTable(L, "ERR wrong number or type of arguments"))
		return 1
	}
	msg := string(s)
	if !strings.HasPrefix(msg, "-") {
		msg = "-" + msg
	}
	L.Push(errTable(L, normalizeError(msg)))
	return 1
}

func statusReply(L *lua.LState) int {
	s, ok := L.Get(1).(lua.LString)
	if L.GetTop() != 1 || !ok {
		L.Push(errTable(L, "ERR wrong number or type of arguments"))
		return 1
	}
	L.Push(wrap(L, "ok", s))
	return 1
}

// logFn is redis.log(level, ...): the arguments joined by spaces, logged
// at the matching zerolog level (debug, debug, info, warn).
func (v *vm) logFn(L *lua.LState) int {
	n := L.GetTop()
	if n < 2 {
		return raise(L, "redis.log() requires two arguments or more.")
	}
	level, ok := L.Get(1).(lua.LNumber)
	if !ok {
		if s, isStr := L.Get(1).(lua.LString); isStr {
			level, ok = parseLuaNumber(string(s))
		}
	}
	if !ok {
		return raise(L, "First argument must be a number (log level).")
	}
	if level < logDebug || level > logWarning {
		return raise(L, "Invalid debug level.")
	}
	parts := make([]string, 0, n-1)
	for i := 2; i <= n; i++ {
		switch a := L.Get(i).(type) {
		case lua.LString:
			parts = append(parts, string(a))
		case lua.LNumber:
			parts = append(parts, formatNumber(float64(a)))
		}
	}
	lvl := [...]zerolog.Level{zerolog.DebugLevel, zerolog.DebugLevel, zerolog.InfoLevel, zerolog.WarnLevel}[int(level)]
	v.e.cfg.Logger.WithLevel(lvl).Msg(strings.Join(parts, " "))
	return 0
}

func (v *vm) setResp(L *lua.LState) int {
	if v.cur == nil {
		return raise(L, "redis.setresp can only be called inside a script invocation")
	}
	if L.GetTop() != 1 {
		return raise(L, "redis.setresp() requires one argument.")
	}
	n, _ := L.Get(1).(lua.LNumber)
	if n != 2 && n != 3 {
		return raise(L, "RESP version must be 2 or 3.")
	}
	v.cur.resp3 = n == 3
	return 0
}

func (v *vm) setRepl(L *lua.LState) int {
	if v.cur == nil {
		return raise(L, "redis.set_repl can only be called inside a script invocation")
	}
	if L.GetTop() != 1 {
		return raise(L, "redis.set_repl() requires two arguments.")
	}
	n, _ := L.Get(1).(lua.LNumber)
	if int(n)&^replAll != 0 {
		return raise(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
	}
	return 0
}

// parseLuaNumber converts a numeric string as Lua's tonumber does.
func parseLuaNumber(s string) (lua.LNumber, bool) {
	s = strings.TrimSpace(s)
	if h, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		n, err := strconv.ParseUint(h, 16, 64)
		return lua.LNumber(n), err == nil
	}
	f, err := strconv.ParseFloat(s, 64)
	return lua.LNumber(f), err == nil
}
