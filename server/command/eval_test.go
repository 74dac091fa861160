package command

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ringkv/ringkv/resp"
	"github.com/ringkv/ringkv/server/lua"
)

func TestEvalCommands(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> EVAL "return redis.call('set', KEYS[1], ARGV[1])" 1 k v
		OK
		> EVAL "return redis.call('get', KEYS[1])" 1 k
		"v"
		> EVAL "return redis.call('incr', KEYS[1])" 1 k
		(error) ERR value is not an integer or out of range script: 2bab3b661081db58bd2341920e0ba7cf5dc77b25, on @user_script:1.
		> EVAL "return redis.pcall('incr', KEYS[1])" 1 k
		(error) ERR value is not an integer or out of range
		> EVAL "return 1" 2 a
		(error) ERR Number of keys can't be greater than number of args
		> EVAL "return 1" -1
		(error) ERR Number of keys can't be negative
		> EVAL "return 1" x
		(error) ERR value is not an integer or out of range
		> EVALSHA ffffffffffffffffffffffffffffffffffffffff 0
		(error) NOSCRIPT No matching script. Please use EVAL.
		> SCRIPT LOAD "return 1"
		"e0e1f9fabfc9d4800c877a703b823ac0578ff8db"
		> EVALSHA E0E1F9FABFC9D4800C877A703B823AC0578FF8DB 0
		(integer) 1
		> EVALSHA_RO e0e1f9fabfc9d4800c877a703b823ac0578ff8db 0
		(integer) 1
		> SCRIPT EXISTS e0e1f9fabfc9d4800c877a703b823ac0578ff8db ffff
		1) (integer) 1
		2) (integer) 0
		> SCRIPT FLUSH bad
		(error) ERR SCRIPT FLUSH only support SYNC|ASYNC option
		> SCRIPT FLUSH ASYNC
		OK
		> SCRIPT EXISTS e0e1f9fabfc9d4800c877a703b823ac0578ff8db
		1) (integer) 0
		> SCRIPT KILL
		(error) NOTBUSY No scripts in execution right now.
		> FUNCTION KILL
		(error) NOTBUSY No scripts in execution right now.
		> EVAL_RO "return redis.call('set','x','y')" 0
		(error) ERR Write commands are not allowed from read-only scripts. script: 71e6319f97b0fe8bdfa1c5df3ce4489946dda479, on @user_script:1.
		> EVAL_RO "return redis.pcall('set','x','y')" 0
		(error) ERR Write commands are not allowed from read-only scripts.
		> EVAL "#!lua flags=no-writes\nreturn redis.call('set','x','y')" 0
		(error) ERR Write commands are not allowed from read-only scripts. script: 43f5fe910d84b5ee2ef496f122831920e4095915, on @user_script:2.
		> EVAL_RO "#!lua\nreturn 1" 0
		(error) ERR Can not execute a script with write flag using *_ro command.
		> EVAL "return redis.call('multi')" 0
		(error) ERR This Redis command is not allowed from script script: c329a1a294be6bf95b44144f7502610661ae925a, on @user_script:1.
		> EVAL "return redis.call('config','get','maxmemory')" 0
		(error) ERR This Redis command is not allowed from script script: ce45eb79367d493e5dbe55446ef14fbdf6f8cfae, on @user_script:1.
		> EVAL "return redis.call('cluster','reset','hard')" 0
		(error) ERR This Redis command is not allowed from script script: cc1ece19697daeb65ef8cb9c07a31814e0e3b28a, on @user_script:1.
		> EVAL "return redis.call('cluster','info')" 0
		(error) ERR This instance has cluster support disabled script: 080f2e8de25b3caf214921ec6c8c5af604cc9e4a, on @user_script:1.
		> EVAL "return redis.call('cluster','foo')" 0
		(error) ERR Unknown Redis command called from script script: f1eb3f444b52a0d471a336615c3bc8e4600f08b5, on @user_script:1.
		> CLUSTER foo
		(error) ERR unknown subcommand 'foo'. Try CLUSTER HELP.
		> CLUSTER RESET hard
		(error) ERR This instance has cluster support disabled
		> CLUSTER INFO x
		(error) ERR wrong number of arguments for 'cluster|info' command
		> EVAL "return redis.call('nosuch')" 0
		(error) ERR Unknown Redis command called from script script: 206396248e12c6e742fd7296250433c8d7343b74, on @user_script:1.
		> EVAL "return redis.call('get')" 0
		(error) ERR Wrong number of args calling Redis command from script script: f187dee77f607f7cff00bbabc9df38507582c78d, on @user_script:1.
		> SCRIPT
		(error) ERR wrong number of arguments for 'script' command
		> SCRIPT foo
		(error) ERR unknown subcommand 'foo'. Try SCRIPT HELP.
	`)
}

func TestFunctionCommands(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> FUNCTION LOAD "#!lua name=mylib\nredis.register_function('myfunc', function(keys, args) return args[1] end)"
		"mylib"
		> FUNCTION LOAD "#!lua name=mylib\nredis.register_function('myfunc', function(keys, args) return args[1] end)"
		(error) ERR Library 'mylib' already exists
		> FUNCTION LOAD REPLACE "#!lua name=mylib\nredis.register_function('myfunc', function(keys, args) return args[1] end)\nredis.register_function{function_name='ro', callback=function(keys, args) return redis.call('set',keys[1],'x') end, flags={'no-writes'}}"
		"mylib"
		> FCALL myfunc 0 hello
		"hello"
		> FCALL ro 1 k
		(error) ERR Write commands are not allowed from read-only scripts. script: ro, on @user_function:3.
		> FCALL_RO myfunc 0 hello
		(error) ERR Can not execute a script with write flag using *_ro command.
		> FCALL nosuch 0
		(error) ERR Function not found
		> FCALL myfunc -1
		(error) ERR Number of keys can't be negative
		> FCALL myfunc 2 a
		(error) ERR Number of keys can't be greater than number of args
		> FCALL myfunc x
		(error) ERR Bad number of keys provided
		> FUNCTION LIST LIBRARYNAME
		(error) ERR library name argument was not given
		> FUNCTION LIST foo
		(error) ERR Unknown argument foo
		> FUNCTION LIST WITHCODE withcode
		(error) ERR Unknown argument withcode
		> FUNCTION LIST WITHCODE LIBRARYNAME foo libraryName foo
		(error) ERR Unknown argument libraryName
		> FUNCTION LIST LIBRARYNAME my*
		1) 1# "library_name" => "mylib"
		   2# "engine" => "LUA"
		   3# "functions" => 1) 1# "name" => "ro"
		         2# "description" => (nil)
		         3# "flags" => 1~ no-writes
		      2) 1# "name" => "myfunc"
		         2# "description" => (nil)
		         3# "flags" => (empty set)
		> FUNCTION STATS
		1# "running_script" => (nil)
		2# "engines" => 1# "LUA" => 1# "libraries_count" => (integer) 1
		      2# "functions_count" => (integer) 2
		> FUNCTION DELETE nosuch
		(error) ERR Library not found
		> FUNCTION RESTORE abc
		(error) ERR DUMP payload version or checksum are wrong
		> FUNCTION RESTORE abc bad
		(error) ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.
		> FUNCTION FLUSH bad
		(error) ERR FUNCTION FLUSH only supports SYNC|ASYNC option
		> FUNCTION DELETE mylib
		OK
		> FCALL myfunc 0
		(error) ERR Function not found
	`)
}

// A script runs alone: SCRIPT KILL interrupts it; other commands get
// BUSY past the threshold; a script that wrote cannot be killed.
func TestScriptKillAndBusy(t *testing.T) {
	f := newFixture(t)
	f.do("CONFIG", "SET", "busy-reply-threshold", "50")
	other := f.d.NewSession(8, "127.0.0.1:5001", "127.0.0.1:6379")
	run := func(s *Session, args ...string) resp.Reply {
		b := make([][]byte, len(args))
		for i, a := range args {
			b[i] = []byte(a)
		}
		return f.d.Do(context.Background(), s, b)
	}
	done := make(chan resp.Reply, 1)
	go func() { done <- f.do("EVAL", "while true do end", "0") }()
	waitBusy(t, func() resp.Reply { return run(other, "GET", "x") },
		"BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.")
	if r := run(other, "FUNCTION", "KILL"); r.Str != "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE." {
		t.Fatalf("FUNCTION KILL of an EVAL: %v", r)
	}
	if r := run(other, "SCRIPT", "KILL"); r.Str != "OK" {
		t.Fatalf("SCRIPT KILL: %v", r)
	}
	r := <-done
	if !strings.HasPrefix(r.Str, "ERR Script killed by user with SCRIPT KILL... script: ") {
		t.Fatalf("killed script replied %v", r)
	}
	if r := run(other, "GET", "x"); r.IsError() {
		t.Fatalf("after the kill: %v", r)
	}

	go func() { done <- f.do("EVAL", "redis.call('set','w','1') while true do end", "0") }()
	waitBusy(t, func() resp.Reply { return run(other, "SCRIPT", "KILL") },
		"UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.")
	// Not killable by SCRIPT KILL: SHUTDOWN NOSAVE stops it anyway.
	f.d.stopScript()
	<-done
}

func waitBusy(t *testing.T, try func() resp.Reply, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r := try()
		if r.Str == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("never got %q; last %v", want, r)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Libraries replicate by stamp: a node applies only newer ones.
func TestFunctionSync(t *testing.T) {
	a, b := newFixture(t), newFixture(t)
	a.env.Settings.p.Node, b.env.Settings.p.Node = "a", "b"
	a.do("FUNCTION", "LOAD", "#!lua name=l1\nredis.register_function('f1', function() return 1 end)")
	// b asks a: a is newer and answers with its libraries.
	reply, err := a.d.FunctionSync(b.d.FunctionSyncQuery())
	if err != nil || reply == nil || reply[0] != 'F' {
		t.Fatalf("a's answer %q %v", reply, err)
	}
	if next, err := b.d.FunctionSync(reply); err != nil || next != nil {
		t.Fatal(next, err)
	}
	if r := b.do("FCALL", "f1", "0"); r.Int != 1 {
		t.Fatalf("b after sync: %v", r)
	}
	// Now equal: nothing to send.
	if reply, _ := a.d.FunctionSync(b.d.FunctionSyncQuery()); reply != nil {
		t.Fatalf("equal stamps answered %q", reply)
	}
	// b flushes: its stamp is newer; a's query is answered with b's state.
	b.do("FUNCTION", "FLUSH")
	reply, _ = b.d.FunctionSync(a.d.FunctionSyncQuery())
	if _, err := a.d.FunctionSync(reply); err != nil {
		t.Fatal(err)
	}
	if r := a.do("FCALL", "f1", "0"); r.Str != "ERR Function not found" {
		t.Fatalf("a after b's flush: %v", r)
	}
	// An older full state is ignored.
	old := append([]byte{'F'}, stamp{counter: 0, node: "z"}.append(nil)...)
	old = append(old, lua.New(lua.Config{}).Dump()...)
	if applied, err := a.d.applyFull(old); applied || err != nil {
		t.Fatal(applied, err)
	}
}

// Redis's "SCRIPTING FLUSH ASYNC": INFO memory counts cached scripts.
func TestInfoCountsScripts(t *testing.T) {
	f := newFixture(t)
	for j := range 100 {
		f.do("SCRIPT", "LOAD", "return "+strconv.Itoa(j))
	}
	f.do("FUNCTION", "LOAD", "#!lua name=l\nredis.register_function('a', function() end)\nredis.register_function('b', function() end)")
	info := f.do("INFO", "memory").Text()
	for _, want := range []string{"number_of_cached_scripts:100\r\n", "number_of_functions:2\r\n", "number_of_libraries:1\r\n"} {
		if !strings.Contains(info, want) {
			t.Errorf("INFO memory lacks %q:\n%s", want, info)
		}
	}
	f.do("SCRIPT", "FLUSH", "ASYNC")
	if info := f.do("INFO", "memory").Text(); !strings.Contains(info, "number_of_cached_scripts:0\r\n") {
		t.Errorf("after SCRIPT FLUSH:\n%s", info)
	}
}

// A script that waited for the gate while another ran is refused with
// BUSY once that one runs past the threshold, as Redis refuses every
// command read while a script is busy; so after SCRIPT KILL nothing
// queued behind the killed script keeps the node busy.
func TestScriptWaitingBehindBusyScriptIsRefused(t *testing.T) {
	f := newFixture(t)
	f.do("CONFIG", "SET", "busy-reply-threshold", "300")
	other := f.d.NewSession(8, "127.0.0.1:5001", "127.0.0.1:6379")
	third := f.d.NewSession(9, "127.0.0.1:5002", "127.0.0.1:6379")
	run := func(s *Session, args ...string) resp.Reply {
		b := make([][]byte, len(args))
		for i, a := range args {
			b[i] = []byte(a)
		}
		return f.d.Do(context.Background(), s, b)
	}
	first := make(chan resp.Reply, 1)
	go func() { first <- f.do("EVAL", "while true do end", "0") }()
	deadline := time.Now().Add(5 * time.Second)
	for { // the first script holds the gate, not yet busy
		if _, _, ok := f.d.gate.running(); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first script never started")
		}
		time.Sleep(time.Millisecond)
	}
	second := make(chan resp.Reply, 1)
	go func() { second <- run(third, "EVAL", "while true do end", "0") }()
	waitBusy(t, func() resp.Reply { return run(other, "GET", "x") },
		"BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.")
	if r := run(other, "SCRIPT", "KILL"); r.Str != "OK" {
		t.Fatalf("SCRIPT KILL: %v", r)
	}
	<-first
	select {
	case r := <-second:
		if r.Str != "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE." {
			t.Fatalf("the waiting script replied %v", r)
		}
	case <-time.After(2 * time.Second):
		f.d.stopScript()
		<-second
		t.Fatal("the script waiting behind the killed one ran after it")
	}
	if r := run(other, "GET", "x"); r.IsError() {
		t.Fatalf("after the kill: %v", r)
	}
}

// SCRIPT FLUSH gives EVAL a fresh interpreter, as Redis's does: a cjson
// setting a script made lasts across scripts until then.
func TestScriptFlushResetsTheInterpreter(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> EVAL "cjson.encode_max_depth(1) return 1" 0
		(integer) 1
		> EVAL "return (pcall(cjson.encode, {{1}}))" 0
		(nil)
		> SCRIPT FLUSH
		OK
		> EVAL "return (pcall(cjson.encode, {{1}}))" 0
		(integer) 1
	`)
}
