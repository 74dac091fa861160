package integration

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

const unknownPSYNC = "ERR unknown command 'PSYNC', with args beginning with: 'k' 'v' "

func testConnection(t *testing.T, k checker, _ *Node) {
	k.is("PONG", "PING")
	k.is("hello world", "PING", "hello world")
	k.isErr("ERR wrong number of arguments for 'ping' command", "PING", "a", "b")
	k.is("x y", "ECHO", "x y")
	k.isErr("ERR wrong number of arguments for 'echo' command", "ECHO")
	k.isErr("ERR wrong number of arguments for 'echo' command", "ECHO", "a", "b")

	hello := k.pairs("HELLO", k.proto)
	for _, field := range []string{"server", "version", "proto", "id", "mode", "role", "modules"} {
		if _, ok := hello[field]; !ok {
			t.Errorf("HELLO %d: no %q field in %#v", k.proto, field, hello)
		}
	}
	if hello["proto"] != int64(k.proto) {
		t.Errorf("HELLO %d: proto = %#v", k.proto, hello["proto"])
	}
	if _, ok := hello["id"].(int64); !ok {
		t.Errorf("HELLO: id = %#v, want an integer", hello["id"])
	}
	k.isErr("NOPROTO unsupported protocol version", "HELLO", 4)
	k.isErr("ERR Protocol version is not an integer or out of range", "HELLO", "x")

	k.is("OK", "SELECT", 0)
	k.isErr("ERR DB index is out of range", "SELECT", 1)
	k.isErr("ERR value is not an integer or out of range", "SELECT", "x")
	k.isErr("ERR AUTH <password> called without any password configured for the default user. "+
		"Are you sure your configuration is correct?", "AUTH", "nopass")

	k.isErr(unknownPSYNC, "PSYNC", "k", "v")
	k.isErr("ERR unknown command 'NOSUCH', with args beginning with: ", "NOSUCH")
	k.isErr("ERR unknown command 'swapdb', with args beginning with: 'h' 'f' 'v' ", "swapdb", "h", "f", "v")
}

func testClientCommand(t *testing.T, k checker, n *Node) {
	ctx := context.Background()
	conn := k.c.(*redis.Client).Conn() // one connection: names stick to it
	defer conn.Close()
	kc := checker{t, conn, k.proto}
	kc.isNil("CLIENT", "GETNAME")
	kc.is("OK", "CLIENT", "SETNAME", "tester")
	kc.is("tester", "CLIENT", "GETNAME")
	kc.isErr("ERR Client names cannot contain spaces, newlines or special characters.",
		"CLIENT", "SETNAME", "bad name")
	kc.is("OK", "CLIENT", "SETINFO", "LIB-NAME", "itest")
	kc.is("OK", "CLIENT", "SETINFO", "LIB-VER", "1.2.3")
	kc.isErr("ERR Unrecognized option 'foo'", "CLIENT", "SETINFO", "foo", "bar")
	kc.isErrPrefix("ERR", "CLIENT", "SETINFO", "LIB-NAME", "has space")

	id, err := conn.Do(ctx, "CLIENT", "ID").Int64()
	if err != nil || id <= 0 {
		t.Fatalf("CLIENT ID: %d, %v", id, err)
	}
	info := kc.str("CLIENT", "INFO")
	for _, want := range []string{fmt.Sprintf("id=%d ", id), " name=tester ", "cmd=client|info"} {
		if !strings.Contains(info, want) {
			t.Errorf("CLIENT INFO %q lacks %q", info, want)
		}
	}
	list := kc.str("CLIENT", "LIST")
	if !strings.Contains(list, fmt.Sprintf("id=%d ", id)) || !strings.Contains(list, " name=tester ") {
		t.Errorf("CLIENT LIST %q lacks this client (id=%d name=tester)", list, id)
	}

	victim := DialRESP(t, n.Addr())
	vid := victim.Do("CLIENT", "ID")
	if vid.Kind != ':' {
		t.Fatalf("CLIENT ID on raw conn: %v", vid)
	}
	kc.is(int64(1), "CLIENT", "KILL", "ID", vid.Str)
	if got, closed := victim.ReadUntilClose(5 * time.Second); !closed {
		t.Errorf("killed client still open, got %q", got)
	}
	kc.is(int64(0), "CLIENT", "KILL", "ID", "999999")
	kc.isErr("ERR No such client", "CLIENT", "KILL", "1.2.3.4:5")
	kc.isErr("ERR unknown subcommand 'FOO'. Try CLIENT HELP.", "CLIENT", "FOO")
	kc.isErr("ERR wrong number of arguments for 'client|getname' command", "CLIENT", "GETNAME", "x")
	kc.isErr("ERR wrong number of arguments for 'client' command", "CLIENT")
}

func testCommandCommand(t *testing.T, k checker, _ *Node) {
	count, err := k.c.Do(context.Background(), "COMMAND", "COUNT").Int64()
	if err != nil || count < 40 {
		t.Fatalf("COMMAND COUNT: %d, %v", count, err)
	}
	all := k.array("COMMAND")
	if int64(len(all)) != count {
		t.Errorf("COMMAND lists %d commands, COMMAND COUNT says %d", len(all), count)
	}
	names := strs(t, k.array("COMMAND", "LIST"))
	for _, want := range []string{"get", "set", "ping", "vget", "vset", "vdel", "client", "config"} {
		if !slices.Contains(names, want) {
			t.Errorf("COMMAND LIST (%d names) lacks %q", len(names), want)
		}
	}
	if slices.Contains(names, "psync") {
		t.Errorf("COMMAND LIST has psync, which ringkv does not serve")
	}
	for _, want := range []string{"lpush", "hset", "sadd", "zadd", "blpop", "pfadd", "geoadd", "restore", "sort"} {
		if !slices.Contains(names, want) {
			t.Errorf("COMMAND LIST (%d names) lacks %q", len(names), want)
		}
	}

	info := k.array("COMMAND", "INFO", "get", "nosuchcmd")
	if len(info) != 2 || info[1] != nil {
		t.Fatalf("COMMAND INFO get nosuchcmd: %#v", info)
	}
	get, ok := info[0].([]any)
	if !ok || len(get) < 6 {
		t.Fatalf("COMMAND INFO get: %#v", info[0])
	}
	if got := []any{get[0], get[1], get[3], get[4], get[5]}; !reflect.DeepEqual(got, []any{"get", int64(2), int64(1), int64(1), int64(1)}) {
		t.Errorf("COMMAND INFO get: name, arity, first, last, step = %#v", got)
	}
	if flags, ok := get[2].([]any); !ok || !slices.Contains(flags, any("readonly")) {
		t.Errorf("COMMAND INFO get: flags %#v lack readonly", get[2])
	}
	docs := k.pairs("COMMAND", "DOCS", "get")
	doc, ok := docs["get"]
	if !ok {
		t.Fatalf("COMMAND DOCS get: %#v", docs)
	}
	if !strings.Contains(fmt.Sprint(doc), "summary") {
		t.Errorf("COMMAND DOCS get has no summary: %#v", doc)
	}
	k.isErr("ERR unknown subcommand 'FOO'. Try COMMAND HELP.", "COMMAND", "FOO")
}

func testConfig(t *testing.T, k checker, _ *Node) {
	got := k.pairs("CONFIG", "GET", "maxclients")
	if len(got) != 1 || got["maxclients"] != "10000" {
		t.Errorf("CONFIG GET maxclients: %#v", got)
	}
	// redis-benchmark asks for these two when it starts.
	both := k.pairs("CONFIG", "GET", "save", "appendonly")
	if _, ok := both["save"]; !ok {
		t.Errorf("CONFIG GET save appendonly: no save in %#v", both)
	}
	if _, ok := both["appendonly"]; !ok {
		t.Errorf("CONFIG GET save appendonly: no appendonly in %#v", both)
	}
	if got := k.pairs("CONFIG", "GET", "max*"); len(got) < 1 || got["maxclients"] != "10000" {
		t.Errorf("CONFIG GET max*: %#v", got)
	}
	if got := k.pairs("CONFIG", "GET", "nosuchparam"); len(got) != 0 {
		t.Errorf("CONFIG GET nosuchparam: %#v, want empty", got)
	}
	k.is("OK", "CONFIG", "SET", "maxclients", "500")
	if got := k.pairs("CONFIG", "GET", "maxclients"); got["maxclients"] != "500" {
		t.Errorf("after CONFIG SET maxclients 500: %#v", got)
	}
	k.is("OK", "CONFIG", "SET", "maxclients", "10000")
	k.isErr("ERR Unknown option or number of arguments for CONFIG SET - 'nosuchparam'",
		"CONFIG", "SET", "nosuchparam", "x")
	k.isErrPrefix("ERR", "CONFIG", "SET", "maxclients", "abc")
	k.isErr("ERR wrong number of arguments for 'config|get' command", "CONFIG", "GET")
	k.isErr("ERR unknown subcommand 'FOO'. Try CONFIG HELP.", "CONFIG", "FOO")
	k.is("OK", "CONFIG", "RESETSTAT")
}

func testInfo(t *testing.T, k checker, n *Node) {
	k.is("OK", "SET", "info:key", "v")
	sections := map[string][]string{
		"server":      {"# Server\r\n", "redis_version:", "tcp_port:" + strconv.Itoa(n.Opts.Port) + "\r\n"},
		"clients":     {"# Clients\r\n", "connected_clients:"},
		"memory":      {"# Memory\r\n", "used_memory:"},
		"persistence": {"# Persistence\r\n", "loading:0\r\n"},
		"stats":       {"# Stats\r\n", "total_connections_received:", "total_commands_processed:"},
		"replication": {"# Replication\r\n", "role:master\r\n"},
		"keyspace":    {"# Keyspace\r\n", "db0:keys="},
		"ringkv":      {"# Ringkv\r\n"},
	}
	for sec, wants := range sections {
		text := k.str("INFO", sec)
		for _, w := range wants {
			if !strings.Contains(text, w) {
				t.Errorf("INFO %s lacks %q:\n%s", sec, w, text)
			}
		}
		if c := strings.Count(text, "# "); c != 1 {
			t.Errorf("INFO %s has %d section headers, want 1:\n%s", sec, c, text)
		}
		for _, line := range strings.Split(strings.TrimRight(text, "\r\n"), "\r\n")[1:] {
			if !strings.Contains(line, ":") {
				t.Errorf("INFO %s: line %q is not name:value", sec, line)
			}
		}
	}
	ring := k.str("INFO", "ringkv")
	if len(strings.Split(strings.TrimSpace(ring), "\r\n")) < 2 {
		t.Errorf("INFO ringkv has no fields:\n%s", ring)
	}
	all := k.str("INFO")
	for _, h := range []string{"# Server", "# Clients", "# Memory", "# Persistence", "# Stats", "# Replication", "# Keyspace"} {
		if !strings.Contains(all, h) {
			t.Errorf("INFO lacks %s", h)
		}
	}
	if text := k.str("INFO", "clients", "server"); !strings.Contains(text, "# Server") || !strings.Contains(text, "# Clients") {
		t.Errorf("INFO clients server:\n%s", text)
	}
	if text := k.str("INFO", "nosuchsection"); text != "" {
		t.Errorf("INFO nosuchsection = %q, want empty", text)
	}
}

func testServerCommands(t *testing.T, k checker, _ *Node) {
	tm := k.array("TIME")
	if len(tm) != 2 {
		t.Fatalf("TIME: %#v", tm)
	}
	sec, err1 := strconv.ParseInt(fmt.Sprint(tm[0]), 10, 64)
	usec, err2 := strconv.ParseInt(fmt.Sprint(tm[1]), 10, 64)
	if _, ok := tm[0].(string); !ok || err1 != nil || err2 != nil || usec < 0 || usec > 999999 {
		t.Errorf("TIME = %#v, want two bulk strings of digits", tm)
	}
	if d := time.Now().Unix() - sec; d < -3600 || d > 3600 {
		t.Errorf("TIME says %d, the clock says %d", sec, time.Now().Unix())
	}
	k.isErr("ERR wrong number of arguments for 'time' command", "TIME", "x")

	k.is("OK", "FLUSHDB")
	k.is(int64(0), "DBSIZE")
	k.is("OK", "MSET", "srv:a", "1", "srv:b", "2")
	k.is(int64(2), "DBSIZE")
	k.isErr("ERR wrong number of arguments for 'dbsize' command", "DBSIZE", "x")
	k.is("OK", "FLUSHALL")
	k.is(int64(0), "DBSIZE")
	k.is("OK", "SET", "srv:a", "1")
	k.is("OK", "FLUSHDB", "ASYNC")
	k.is(int64(0), "DBSIZE")
	k.is("OK", "FLUSHALL", "SYNC")
	k.isErr("ERR syntax error", "FLUSHDB", "FOO")
	k.isNil("GET", "srv:a")
}
