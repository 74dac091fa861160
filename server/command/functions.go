package command

import (
	"context"
	"strings"
	"time"

	"github.com/ringkv/ringkv/resp"
	"github.com/ringkv/ringkv/server/lua"
)

var errFunctionNotFound = resp.Err("ERR Function not found")

// FCALL function numkeys key... arg...
func (d *Dispatcher) fcall(s *Session, args [][]byte) resp.Reply {
	return d.fcallGeneric(s, args, false)
}

// FCALL_RO function numkeys key... arg...
func (d *Dispatcher) fcallRO(s *Session, args [][]byte) resp.Reply {
	return d.fcallGeneric(s, args, true)
}

func (d *Dispatcher) fcallGeneric(s *Session, args [][]byte, ro bool) resp.Reply {
	f, ok := d.scripts.engine.Function(string(args[1]))
	if !ok {
		return errFunctionNotFound
	}
	keys, argv, rep := splitKeys(args, true)
	if rep.IsError() {
		return rep
	}
	if ro && f.Flags&lua.NoWrites == 0 {
		return errWriteFlagRO
	}
	if f.Flags&lua.NoCluster != 0 && d.clustered() {
		return errNoClusterFlag
	}
	ro = ro || f.Flags&lua.NoWrites != 0
	if r := d.scriptOOM(args[0], f.Flags); r.IsError() {
		return r
	}
	if r := d.scriptNoReplicas(args[0], f.Flags); r.IsError() {
		return r
	}
	run := &runningScript{function: true, name: f.Name, args: args}
	return d.runScript(s, run, func(ctx context.Context) resp.Reply {
		c := d.newScriptCaller(s, run, keys, ro)
		return c.counted(d.scripts.engine.FCall(ctx, f, lua.Call{Keys: keys, Args: argv, Caller: statsCaller{c}, Proto: s.Proto}))
	})
}

// functionCommand is the FUNCTION container.
func (d *Dispatcher) functionCommand() *Command {
	const f = NoScript
	return container("function", -2, 0, "scripting", nil,
		keyless("load", -3, f|Write|DenyOOM, "", d.functionLoad),
		keyless("list", -2, f, "", d.functionList),
		keyless("delete", 3, f|Write, "", d.functionDelete),
		keyless("flush", -2, f|Write, "", d.functionFlush),
		keyless("dump", 2, f, "", d.functionDump),
		keyless("restore", -3, f|Write|DenyOOM, "", d.functionRestore),
		keyless("stats", 2, f|AllowBusy, "", d.functionStats),
		keyless("kill", 2, f|AllowBusy, "", d.functionKill),
		keyless("help", 2, Loading|Stale, "", d.functionHelp))
}

// FUNCTION LOAD [REPLACE] code → the library's name.
func (d *Dispatcher) functionLoad(s *Session, args [][]byte) resp.Reply {
	replace := false
	i := 2
	for ; i < len(args)-1; i++ {
		if !strings.EqualFold(string(args[i]), "replace") {
			return resp.Err("ERR Unknown option given: " + string(args[i]))
		}
		replace = true
	}
	if i != len(args)-1 {
		return resp.Err("ERR Function code is missing")
	}
	var name string
	err := d.changeFunctions(s.Context(), func() (err error) {
		name, err = d.scripts.engine.Load(args[i], replace)
		return err
	})
	if err != nil {
		return resp.Err(err.Error())
	}
	return resp.BulkString(name)
}

// FUNCTION DELETE library
func (d *Dispatcher) functionDelete(s *Session, args [][]byte) resp.Reply {
	if err := d.changeFunctions(s.Context(), func() error { return d.scripts.engine.Delete(string(args[2])) }); err != nil {
		return resp.Err(err.Error())
	}
	return resp.OK()
}

// FUNCTION FLUSH [ASYNC|SYNC]
func (d *Dispatcher) functionFlush(s *Session, args [][]byte) resp.Reply {
	if len(args) > 3 {
		return resp.Err("ERR unknown subcommand or wrong number of arguments for '" + string(args[1]) + "'. Try FUNCTION HELP.")
	}
	if len(args) == 3 && !isSyncAsync(args[2]) {
		return resp.Err("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
	}
	_ = d.changeFunctions(s.Context(), func() error { d.scripts.engine.Flush(); return nil })
	return resp.OK()
}

// FUNCTION DUMP → the libraries in Redis's payload format.
func (d *Dispatcher) functionDump(s *Session, args [][]byte) resp.Reply {
	return resp.Bulk(d.scripts.engine.Dump())
}

// FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]
func (d *Dispatcher) functionRestore(s *Session, args [][]byte) resp.Reply {
	if len(args) > 4 {
		return resp.Err("ERR unknown subcommand or wrong number of arguments for '" + string(args[1]) + "'. Try FUNCTION HELP.")
	}
	policy := lua.RestoreAppend
	if len(args) == 4 {
		switch strings.ToLower(string(args[3])) {
		case "flush":
			policy = lua.RestoreFlush
		case "append":
		case "replace":
			policy = lua.RestoreReplace
		default:
			return resp.Err("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
		}
	}
	if err := d.changeFunctions(s.Context(), func() error { return d.scripts.engine.Restore(args[2], policy) }); err != nil {
		return resp.Err(err.Error())
	}
	return resp.OK()
}

// FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]
func (d *Dispatcher) functionList(s *Session, args [][]byte) resp.Reply {
	var pattern []byte
	withCode, filtered := false, false
	for i := 2; i < len(args); i++ {
		// As Redis, an option given twice is an unknown argument.
		switch opt := strings.ToLower(string(args[i])); {
		case opt == "withcode" && !withCode:
			withCode = true
		case opt == "libraryname" && !filtered:
			if i+1 >= len(args) {
				return resp.Err("ERR library name argument was not given")
			}
			i++
			pattern, filtered = args[i], true
		default:
			return resp.Err("ERR Unknown argument " + string(args[i]))
		}
	}
	var out []resp.Reply
	for _, lib := range d.scripts.engine.Libraries() {
		if filtered && !globMatch(pattern, []byte(lib.Name), false) {
			continue
		}
		out = append(out, libraryReply(lib, withCode))
	}
	return resp.Array(out...)
}

func libraryReply(lib *lua.Library, withCode bool) resp.Reply {
	fns := make([]resp.Reply, len(lib.Functions))
	for i := range lib.Functions {
		f := lib.Functions[len(lib.Functions)-1-i] // Redis lists the last registered first
		desc := resp.Null()
		if f.Description != nil {
			desc = resp.BulkString(*f.Description)
		}
		var flags []resp.Reply
		for _, name := range f.Flags.Names() {
			flags = append(flags, resp.Simple(name))
		}
		fns[i] = resp.Map(resp.BulkString("name"), resp.BulkString(f.Name),
			resp.BulkString("description"), desc,
			resp.BulkString("flags"), resp.Set(flags...))
	}
	kv := []resp.Reply{resp.BulkString("library_name"), resp.BulkString(lib.Name),
		resp.BulkString("engine"), resp.BulkString("LUA"),
		resp.BulkString("functions"), resp.Array(fns...)}
	if withCode {
		kv = append(kv, resp.BulkString("library_code"), resp.Bulk(lib.Code))
	}
	return resp.Map(kv...)
}

// FUNCTION STATS → the running function (nil when none) and the engines.
func (d *Dispatcher) functionStats(s *Session, args [][]byte) resp.Reply {
	running := resp.Null()
	sc := d.scripts
	sc.mu.Lock()
	if r := sc.cur; r != nil && r.function {
		cmd := make([]resp.Reply, len(r.args))
		for i, a := range r.args {
			cmd[i] = resp.Bulk(a)
		}
		running = resp.Map(resp.BulkString("name"), resp.BulkString(r.name),
			resp.BulkString("command"), resp.Array(cmd...),
			resp.BulkString("duration_ms"), resp.Int(time.Since(r.start).Milliseconds()))
	}
	sc.mu.Unlock()
	libs, funcs := sc.engine.Counts()
	return resp.Map(resp.BulkString("running_script"), running,
		resp.BulkString("engines"), resp.Map(resp.BulkString("LUA"), resp.Map(
			resp.BulkString("libraries_count"), resp.Int(int64(libs)),
			resp.BulkString("functions_count"), resp.Int(int64(funcs)))))
}

// FUNCTION KILL
func (d *Dispatcher) functionKill(s *Session, args [][]byte) resp.Reply {
	return d.killAnywhere(s.Context(), true) // scriptkill.go
}

func (d *Dispatcher) functionHelp(s *Session, args [][]byte) resp.Reply {
	return help("FUNCTION",
		"LOAD [REPLACE] <FUNCTION CODE>",
		"    Create a new library with the given library name and code.",
		"DELETE <LIBRARY NAME>",
		"    Delete the given library.",
		"LIST [LIBRARYNAME PATTERN] [WITHCODE]",
		"    Return general information on all the libraries:",
		"    * Library name",
		"    * The engine used to run the Library",
		"    * Library description",
		"    * Functions list",
		"    * Library code (if WITHCODE is given)",
		"    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
		"STATS",
		"    Return information about the current function running:",
		"    * Function name",
		"    * Command used to run the function",
		"    * Duration in MS that the function is running",
		"    If no function is running, return nil",
		"    In addition, returns a list of available engines.",
		"KILL",
		"    Kill the current running function.",
		"FLUSH [ASYNC|SYNC]",
		"    Delete all the libraries.",
		"    When called without the optional mode argument, the behavior is determined by the",
		"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
		"    * ASYNC: Asynchronously flush the libraries.",
		"    * SYNC: Synchronously flush the libraries.",
		"DUMP",
		"    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
		"RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
		"    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
		"    control how to handle existing libraries (default APPEND):",
		"    * FLUSH: delete all existing libraries.",
		"    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
		"    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
		"      libraries with the new libraries (notice that even on this option there is a chance of failure",
		"      in case of functions name collision with another library).")
}
