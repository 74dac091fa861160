package command

import (
	"strings"
	"testing"
)

func TestCommandGetKeysAndFlags(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> COMMAND GETKEYSANDFLAGS SET a b
		1) 1) "a"
		   2) 1~ OW
		      2~ update
		> COMMAND GETKEYSANDFLAGS SET a b GET
		1) 1) "a"
		   2) 1~ RW
		      2~ access
		      3~ update
		> COMMAND GETKEYSANDFLAGS RENAME a b
		1) 1) "a"
		   2) 1~ RW
		      2~ access
		      3~ delete
		2) 1) "b"
		   2) 1~ OW
		      2~ update
		> COMMAND GETKEYSANDFLAGS MSET a 1 b 2
		1) 1) "a"
		   2) 1~ OW
		      2~ update
		2) 1) "b"
		   2) 1~ OW
		      2~ update
		> COMMAND GETKEYSANDFLAGS SORT a STORE b
		1) 1) "a"
		   2) 1~ RO
		      2~ access
		2) 1) "b"
		   2) 1~ OW
		      2~ update
		> COMMAND GETKEYSANDFLAGS VGET k
		1) 1) "k"
		   2) 1~ RO
		      2~ access
		> COMMAND GETKEYS OBJECT ENCODING k
		1) "k"
		> COMMAND GETKEYS MEMORY USAGE k SAMPLES 5
		1) "k"
		> COMMAND GETKEYS CLIENT KILL x
		(error) ERR The command has no key arguments
		> COMMAND GETKEYS OBJECT ENCODING k x
		(error) ERR Invalid number of arguments specified for command
		> COMMAND GETKEYS OBJECT NOSUCH k
		(error) ERR Invalid command specified
		> COMMAND GETKEYSANDFLAGS PING x
		(error) ERR The command has no key arguments
		> COMMAND GETKEYSANDFLAGS GET
		(error) ERR wrong number of arguments for 'command|getkeysandflags' command
	`)
}

// TestCommandInfoFromRedis: COMMAND INFO answers Redis's metadata for a
// Redis command (flags, categories, tips, key specs) and its own for
// ringkv's commands.
func TestCommandInfoFromRedis(t *testing.T) {
	f := newFixture(t)
	set := f.do("COMMAND", "INFO", "set").Elems[0]
	if got := set.Elems[2].String() + "|" + set.Elems[6].String(); got != "1~ write\n2~ denyoom|1~ @write\n2~ @string\n3~ @slow" {
		t.Errorf("COMMAND INFO set flags|categories: %q", got)
	}
	if spec := set.Elems[8].String(); !strings.Contains(spec, `"notes" => "RW and ACCESS due to the optional `+"`GET`"+` argument"`) ||
		!strings.Contains(spec, "variable_flags") {
		t.Errorf("COMMAND INFO set key specs: %s", spec)
	}
	scan := f.do("COMMAND", "INFO", "scan").Elems[0]
	if tips := scan.Elems[7].String(); tips != "1~ \"nondeterministic_output\"\n2~ \"request_policy:special\"" {
		t.Errorf("COMMAND INFO scan tips: %q", tips)
	}
	wait := f.do("COMMAND", "INFO", "wait").Elems[0]
	if got := wait.Elems[6].String(); got != "1~ @slow\n2~ @connection" {
		t.Errorf("COMMAND INFO wait categories: %q", got)
	}
	vget := f.do("COMMAND", "INFO", "vget").Elems[0]
	if got := vget.Elems[6].String(); got != "1~ @keyspace\n2~ @read\n3~ @string\n4~ @slow" {
		t.Errorf("COMMAND INFO vget categories: %q", got)
	}
	f.script(`
		> COMMAND INFO client|pause
		1)  1) "client|pause"
		    2) (integer) -3
		    3) 1~ admin
		       2~ noscript
		       3~ loading
		       4~ stale
		    4) (integer) 0
		    5) (integer) 0
		    6) (integer) 0
		    7) 1~ @admin
		       2~ @slow
		       3~ @dangerous
		       4~ @connection
		    8) (empty set)
		    9) (empty set)
		   10) (empty set)
	`)
}

func TestCommandDocsAndList(t *testing.T) {
	f := newFixture(t)
	docs := f.do("COMMAND", "DOCS", "client").Elems[1]
	subs, _ := field(docs, "subcommands")
	if len(subs.Elems) != 2*len(f.d.cmds["client"].Subs) {
		t.Errorf("COMMAND DOCS client lists %d subcommands, ringkv has %d", len(subs.Elems)/2, len(f.d.cmds["client"].Subs))
	}
	if sum, _ := field(docs, "summary"); sum.Text() != "A container for client connection commands" {
		t.Errorf("COMMAND DOCS client summary: %q", sum.Text())
	}
	for _, name := range []string{"vget", "ringkv|locate", "client|setinfo", "object|freq", "wait", "slowlog|get"} {
		d := f.do("COMMAND", "DOCS", name)
		if len(d.Elems) != 2 {
			t.Errorf("COMMAND DOCS %s: %s", name, d)
			continue
		}
		if sum, _ := field(d.Elems[1], "summary"); sum.Text() == "" {
			t.Errorf("COMMAND DOCS %s has no summary", name)
		}
	}
	adm := f.do("COMMAND", "LIST", "FILTERBY", "ACLCAT", "admin")
	var names []string
	for _, e := range adm.Elems {
		names = append(names, e.Text())
	}
	for _, want := range []string{"client|pause", "config|set", "debug", "slowlog|get"} {
		if !strings.Contains(","+strings.Join(names, ",")+",", ","+want+",") {
			t.Errorf("COMMAND LIST FILTERBY ACLCAT admin lacks %s: %v", want, names)
		}
	}
	f.script(`
		> COMMAND LIST FILTERBY ACLCAT nosuch
		(empty array)
		> COMMAND LIST FILTERBY MODULE x
		(empty array)
		> COMMAND LIST FILTERBY FOO x
		(error) ERR syntax error
		> COMMAND LIST FILTERBY
		(error) ERR syntax error
	`)
	if h := f.do("COMMAND", "HELP"); h.Elems[len(h.Elems)-4].Str != "GETKEYSANDFLAGS <full-command>" {
		t.Errorf("COMMAND HELP: %s", h)
	}
	if r := f.do("HELLO"); !strings.Contains(r.String(), `"version" => "7.0.15"`) {
		t.Errorf("HELLO: %s", r)
	}
	if r := f.do("INFO", "server"); !strings.Contains(r.Text(), "redis_version:7.0.15\r\n") {
		t.Errorf("INFO server: %s", r.Text())
	}
}
