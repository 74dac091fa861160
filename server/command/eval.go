package command

import (
	"context"
	"strconv"
	"strings"

	"github.com/ringkv/ringkv/resp"
	"github.com/ringkv/ringkv/server/lua"
)

// Script errors with Redis 7.0's texts.
var (
	errNoScript      = resp.Err("NOSCRIPT No matching script. Please use EVAL.")
	errKeysNegative  = resp.Err("ERR Number of keys can't be negative")
	errKeysTooMany   = resp.Err("ERR Number of keys can't be greater than number of args")
	errWriteFlagRO   = resp.Err("ERR Can not execute a script with write flag using *_ro command.")
	errNoClusterFlag = resp.Err("ERR Can not run script on cluster, 'no-cluster' flag is set.")
)

// scriptSpec is the table entry of EVAL, EVALSHA, FCALL and their _RO
// forms: keys found by scriptKeys, the gate taken by the handler.
func scriptSpec(name string, f Flag, h Handler) *Command {
	c := keyless(name, -3, f|NoScript|Stale|Atomic, "scripting", h)
	c.Keys = scriptKeys
	return c
}

// scriptKeys is the Keys function of EVAL, EVALSHA and FCALL: the numkeys
// arguments after numkeys (none when numkeys is malformed).
func scriptKeys(args [][]byte) [][]byte {
	n, err := strconv.ParseInt(string(args[2]), 10, 64)
	if err != nil || n <= 0 || n > int64(len(args)-3) {
		return nil
	}
	return args[3 : 3+n]
}

// splitKeys reads numkeys and splits what follows into keys and args.
func splitKeys(args [][]byte, fcall bool) (keys, argv [][]byte, rep resp.Reply) {
	n, ok := resp.ParseInt(args[2])
	switch {
	case !ok && fcall:
		return nil, nil, resp.Err("ERR Bad number of keys provided")
	case !ok:
		return nil, nil, resp.ErrNotInteger()
	case n > int64(len(args)-3):
		return nil, nil, errKeysTooMany
	case n < 0:
		return nil, nil, errKeysNegative
	}
	return args[3 : 3+n], args[3+n:], resp.Reply{}
}

// EVAL script numkeys key... arg...
func (d *Dispatcher) eval(s *Session, args [][]byte) resp.Reply {
	return d.evalGeneric(s, args, false, false)
}

// EVAL_RO script numkeys key... arg...
func (d *Dispatcher) evalRO(s *Session, args [][]byte) resp.Reply {
	return d.evalGeneric(s, args, false, true)
}

// EVALSHA sha1 numkeys key... arg...
func (d *Dispatcher) evalsha(s *Session, args [][]byte) resp.Reply {
	return d.evalGeneric(s, args, true, false)
}

// EVALSHA_RO sha1 numkeys key... arg...
func (d *Dispatcher) evalshaRO(s *Session, args [][]byte) resp.Reply {
	return d.evalGeneric(s, args, true, true)
}

func (d *Dispatcher) evalGeneric(s *Session, args [][]byte, bySHA, ro bool) resp.Reply {
	keys, argv, rep := splitKeys(args, false)
	if rep.IsError() {
		return rep
	}
	var script *lua.Script
	if bySHA {
		var ok bool
		if script, ok = d.scripts.cache.get(strings.ToLower(string(args[1]))); !ok {
			return errNoScript
		}
	} else {
		var err error
		if script, err = d.scripts.cache.add(args[1], false); err != nil {
			return resp.Err(err.Error())
		}
	}
	if script.Shebang {
		if ro && script.Flags&lua.NoWrites == 0 {
			return errWriteFlagRO
		}
		if script.Flags&lua.NoCluster != 0 && d.clustered() {
			return errNoClusterFlag
		}
		ro = ro || script.Flags&lua.NoWrites != 0
		if r := d.scriptOOM(args[0], script.Flags); r.IsError() {
			return r
		}
		if r := d.scriptNoReplicas(args[0], script.Flags); r.IsError() {
			return r
		}
	}
	run := &runningScript{args: args}
	return d.runScript(s, run, func(ctx context.Context) resp.Reply {
		c := d.newScriptCaller(s, run, keys, ro)
		// Redis 7.0 checks a script without a shebang call by call.
		c.oomAtStart = !script.Shebang && d.overMaxMemory()
		return c.counted(d.scripts.engine.Eval(ctx, script, lua.Call{Keys: keys, Args: argv, Caller: statsCaller{c}, Proto: s.Proto}))
	})
}

// ScriptBody returns the body of a cached script by its SHA-1, so a
// router can turn an EVALSHA that another node lacks into an EVAL.
func (d *Dispatcher) ScriptBody(sha string) ([]byte, bool) {
	script, ok := d.scripts.cache.get(strings.ToLower(sha))
	if !ok {
		return nil, false
	}
	return script.Body, true
}
