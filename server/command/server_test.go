package command

import (
	"strings"
	"testing"
	"time"

	"github.com/ringkv/ringkv/resp"
)

func TestServerCommands(t *testing.T) {
	f := newFixture(t)
	shut := 0
	f.env.Shutdown = func() { shut++ }
	f.script(`
		> DBSIZE
		(integer) 0
		> MSET a 1 b 2
		OK
		> DBSIZE
		(integer) 2
		> TIME
		1) "1700000000"
		2) "0"
		> FLUSHALL ASYNC
		OK
		> FLUSHDB FOO
		(error) ERR syntax error
		> FLUSHDB SYNC ASYNC
		(error) ERR syntax error
		> DBSIZE
		(integer) 0
		> LASTSAVE
		(integer) 1700000000
		!advance 5000
		> SAVE
		OK
		> BGSAVE
		Background saving started
		> LASTSAVE
		(integer) 1700000005
		> SHUTDOWN FOO
		(error) ERR syntax error
		> SHUTDOWN SAVE NOSAVE
		(error) ERR syntax error
		> SHUTDOWN NOW ABORT
		(error) ERR syntax error
		> SHUTDOWN ABORT
		(error) ERR No shutdown in progress.
	`)
	if shut != 0 || f.s.Close {
		t.Fatal("SHUTDOWN errors called the hook")
	}
	if r := f.do("SHUTDOWN", "NOSAVE", "NOW"); r.IsError() || shut != 1 || !f.s.Close {
		t.Errorf("SHUTDOWN: %s, hook calls %d, close %v", r, shut, f.s.Close)
	}
}

func TestConfig(t *testing.T) {
	f := newFixture(t)
	var changed []string
	f.env.Settings.OnChange(func(n, v string) { changed = append(changed, n+"="+v) })
	f.script(`
		> CONFIG GET maxclients
		1# "maxclients" => "10000"
		> CONFIG GET save appendonly
		1# "appendonly" => "no"
		2# "save" => ""
		> CONFIG GET MAXMEM*
		1# "maxmemory" => "0"
		2# "maxmemory-clients" => "0"
		3# "maxmemory-policy" => "noeviction"
		4# "maxmemory-samples" => "5"
		> CONFIG GET nothing
		(empty hash)
		> CONFIG SET maxclients 50 timeout 30
		OK
		> CONFIG GET maxclients timeout
		1# "maxclients" => "50"
		2# "timeout" => "30"
		> CONFIG SET daemonize yes
		(error) ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config
		> CONFIG SET foo 1
		(error) ERR Unknown option or number of arguments for CONFIG SET - 'foo'
		> CONFIG SET maxclients x
		(error) ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer
		> CONFIG SET timeout 5 maxclients 0
		(error) ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive
		> CONFIG GET timeout
		1# "timeout" => "30"
		> CONFIG SET timeout 5 timeout 6
		(error) ERR CONFIG SET failed (possibly related to argument 'timeout') - duplicate parameter
		> CONFIG SET w 4
		(error) ERR CONFIG SET failed (possibly related to argument 'w') - argument must be between 1 and 3 inclusive
		> CONFIG SET r 1 w 3 loglevel WARNING proto-max-bulk-len 1mb
		OK
		> CONFIG GET r w loglevel proto-max-bulk-len
		1# "loglevel" => "warning"
		2# "proto-max-bulk-len" => "1048576"
		3# "r" => "1"
		4# "w" => "3"
		> CONFIG SET loglevel loud
		(error) ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning, nothing
		> CONFIG SET maxclients
		(error) ERR wrong number of arguments for 'config|set' command
		> CONFIG SET a b c
		(error) ERR wrong number of arguments for 'config|set' command
		> CONFIG GET
		(error) ERR wrong number of arguments for 'config|get' command
		> CONFIG REWRITE
		(error) ERR The server is running without a config file
		> CONFIG FOO
		(error) ERR unknown subcommand 'FOO'. Try CONFIG HELP.
	`)
	s := f.env.Settings
	if s.MaxClients() != 50 || s.Timeout() != 30 || s.R() != 1 || s.W() != 3 || s.ProtoMaxBulkLen() != 1<<20 {
		t.Errorf("settings: %+v", s.Params())
	}
	if strings.Join(changed, " ") != "maxclients=50 timeout=30 r=1 w=3 loglevel=warning proto-max-bulk-len=1048576" {
		t.Errorf("OnChange calls: %q", changed)
	}
	// RESP2: CONFIG GET is a flat array.
	got := string(resp.Append(nil, f.do("CONFIG", "GET", "port"), 2))
	if got != "*2\r\n$4\r\nport\r\n$4\r\n6379\r\n" {
		t.Errorf("RESP2 CONFIG GET = %q", got)
	}
}

func TestInfo(t *testing.T) {
	f := newFixture(t)
	f.env.Info = func() InfoData {
		return InfoData{RunID: "abc", PID: 42, TCPPort: 6380, Node: "n1", Members: 1,
			StartTime: time.UnixMilli(f.kv.Now() - 90_000), Extra: [][2]string{{"engine_keys", "5"}}}
	}
	info := f.do("INFO").Text()
	for _, want := range []string{"# Server\r\nredis_version:7.0.15\r\n", "ringkv_version:", "process_id:42\r\n",
		"tcp_port:6380\r\n", "uptime_in_seconds:90\r\n", "\r\n\r\n# Clients\r\nconnected_clients:1\r\n",
		"# Replication\r\nrole:master\r\nconnected_slaves:0\r\n", "# Keyspace\r\n",
		"# Ringkv\r\nnode:n1\r\nmembers:1\r\nn:3\r\nr:2\r\nw:2\r\neffective_n:1\r\n", "appendfsync:everysec\r\n",
		"engine_keys:5\r\n", "# Persistence\r\n", "# Stats\r\n", "# Memory\r\nused_memory:", "# CPU\r\n"} {
		if !strings.Contains(info, want) {
			t.Errorf("INFO lacks %q", want)
		}
	}
	for _, want := range []string{"\r\nlazyfree_pending_objects:0\r\n", "\r\nmem_not_counted_for_evict:0\r\n",
		"\r\nmem_fragmentation_ratio:"} { // the Tcl suite's wait_lazyfree_done and monitoring tools read them
		if !strings.Contains(info, want) {
			t.Errorf("INFO lacks %q", want)
		}
	}
	if rss := infoField(info, "used_memory_rss"); rss == "" || rss == "0" {
		t.Errorf("used_memory_rss = %q", rss)
	}
	if strings.Contains(info, "db0:") || strings.Contains(info, "Commandstats") {
		t.Errorf("default INFO has db0 of an empty keyspace or commandstats")
	}
	f.do("SET", "k", "v")
	if ks := f.do("INFO", "keyspace").Text(); ks != "# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n" {
		t.Errorf("INFO keyspace = %q", ks)
	}
	if s := f.do("INFO", "SERVER", "clients").Text(); !strings.HasPrefix(s, "# Server") ||
		!strings.Contains(s, "# Clients") || strings.Contains(s, "# Memory") {
		t.Errorf("INFO server clients = %q", s)
	}
	if s := f.do("INFO", "nosuch").Text(); s != "" {
		t.Errorf("INFO nosuch = %q", s)
	}
	if s := f.do("INFO", "all").Text(); !strings.Contains(s, "# Commandstats") {
		t.Error("INFO all lacks commandstats")
	}
	r := f.do("INFO", "server")
	if got := string(resp.Append(nil, r, 3)); !strings.Contains(got, "=") || got[0] != '=' {
		t.Errorf("RESP3 INFO is not verbatim: %q", got[:20])
	}
	if got := string(resp.Append(nil, r, 2)); got[0] != '$' {
		t.Errorf("RESP2 INFO is not bulk: %q", got[:20])
	}
}

func TestCommandCommand(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> COMMAND GETKEYS MSET a 1 b 2
		1) "a"
		2) "b"
		> COMMAND GETKEYS PING
		(error) ERR wrong number of arguments for 'command|getkeys' command
		> COMMAND GETKEYS GET
		(error) ERR wrong number of arguments for 'command|getkeys' command
		> COMMAND GETKEYS NOSUCH x
		(error) ERR Invalid command specified
		> COMMAND LIST FILTERBY PATTERN config*
		1) "config"
		2) "config|get"
		3) "config|help"
		4) "config|resetstat"
		5) "config|rewrite"
		6) "config|set"
		> COMMAND DOCS get
		1# "get" => 1# "summary" => "Get the value of a key"
		   2# "since" => "1.0.0"
		   3# "group" => "string"
		   4# "complexity" => "O(1)"
		   5# "arguments" => 1) 1# "name" => "key"
		         2# "type" => "key"
		         3# "key_spec_index" => (integer) 0
	`)
	info := f.do("COMMAND", "INFO", "get", "nosuch")
	get := info.Elems[0]
	if got := []string{get.Elems[0].String(), get.Elems[1].String(), get.Elems[2].String(),
		get.Elems[3].String() + get.Elems[4].String() + get.Elems[5].String(), get.Elems[6].String()}; strings.Join(got, "|") !=
		"\"get\"|(integer) 2|1~ readonly\n2~ fast|(integer) 1(integer) 1(integer) 1|1~ @read\n2~ @string\n3~ @fast" {
		t.Errorf("COMMAND INFO get: %q", got)
	}
	if spec := get.Elems[8].Elems[0].String(); !strings.Contains(spec, `"begin_search"`) ||
		!strings.Contains(spec, `"lastkey" => (integer) 0`) {
		t.Errorf("key spec of get: %s", spec)
	}
	if info.Elems[1].Kind != resp.KindNull {
		t.Errorf("COMMAND INFO nosuch: %s", info.Elems[1])
	}
	all := f.do("COMMAND")
	if n := f.do("COMMAND", "COUNT"); int(n.Int) != len(all.Elems) || n.Int < 60 {
		t.Errorf("COMMAND COUNT %d, COMMAND has %d", n.Int, len(all.Elems))
	}
	for _, c := range all.Elems {
		if len(c.Elems) != 10 {
			t.Errorf("COMMAND entry %s has %d fields, want 10", c.Elems[0].Text(), len(c.Elems))
		}
	}
	set := f.do("COMMAND", "DOCS", "set").Elems[1]
	if !strings.Contains(set.String(), `"token" => "KEEPTTL"`) {
		t.Errorf("COMMAND DOCS set:\n%s", set)
	}
	if client := f.do("COMMAND", "INFO", "client").Elems[0]; len(client.Elems[9].Elems) != len(f.d.cmds["client"].Subs) {
		t.Errorf("COMMAND INFO client has %d subcommands", len(client.Elems[9].Elems))
	}
	if len(f.do("COMMAND", "DOCS").Elems) != 2*len(all.Elems) {
		t.Error("COMMAND DOCS without names does not list every command")
	}
}

// infoField returns field's value in an INFO text, "" if absent.
func infoField(info, field string) string {
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v
		}
	}
	return ""
}
