package command

import (
	"strconv"
	"strings"
	"testing"
)

func TestSlowlog(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> SLOWLOG LEN
		(integer) 0
		> SLOWLOG GET
		(empty array)
		> CONFIG SET slowlog-log-slower-than 0
		OK
		> CLIENT SETNAME app
		OK
		> SET k v
		OK
	`)
	e := f.do("SLOWLOG", "GET", "1")
	if len(e.Elems) != 1 || len(e.Elems[0].Elems) != 6 {
		t.Fatalf("SLOWLOG GET 1: %s", e)
	}
	entry := e.Elems[0].Elems
	if entry[0].Int != 2 || entry[1].Int != f.env.Clock().Unix() || entry[2].Int < 0 ||
		entry[3].String() != "1) \"SET\"\n2) \"k\"\n3) \"v\"" || entry[4].Text() != "127.0.0.1:5000" || entry[5].Text() != "app" {
		t.Errorf("SLOWLOG GET 1: %s", e)
	}
	f.script(`
		> SLOWLOG GET -2
		(error) ERR count should be greater than or equal to -1
		> SLOWLOG GET abc
		(error) ERR count should be greater than or equal to -1
		> SLOWLOG get 1 2
		(error) ERR unknown subcommand or wrong number of arguments for 'get'. Try SLOWLOG HELP.
		> SLOWLOG LEN x
		(error) ERR wrong number of arguments for 'slowlog|len' command
		> SLOWLOG RESET
		OK
		> SLOWLOG LEN
		(integer) 1
		> NOSUCH
		(error) ERR unknown command 'NOSUCH', with args beginning with: 
		> GET
		(error) ERR wrong number of arguments for 'get' command
		> SLOWLOG LEN
		(integer) 2
	`)
	got := f.do("SLOWLOG", "GET", "-1")
	for i := 1; i < len(got.Elems); i++ {
		if got.Elems[i-1].Elems[0].Int <= got.Elems[i].Elems[0].Int {
			t.Fatalf("SLOWLOG GET -1 is not newest first with increasing ids: %s", got)
		}
	}
	if len(got.Elems) != 3 || len(f.do("SLOWLOG", "GET").Elems) != 4 {
		t.Errorf("SLOWLOG GET -1 after RESET, LEN, LEN: %s", got)
	}
}

func TestSlowlogArguments(t *testing.T) {
	f := newFixture(t)
	f.do("CONFIG", "SET", "slowlog-log-slower-than", "0")
	f.do("SLOWLOG", "RESET")
	long := strings.Repeat("x", 200)
	f.do("SET", "k", long)
	many := []string{"MSET"}
	for i := range 20 {
		many = append(many, "k"+strconv.Itoa(i), "v")
	}
	f.do(many...)
	f.do("AUTH", "user", "secret")
	f.do("HELLO", "2", "AUTH", "default", "secret")
	f.do("CONFIG", "SET", "requirepass", "pw", "timeout", "0")
	f.do("AUTH", "pw")
	f.do("CONFIG", "SET", "requirepass", "")
	f.do("MULTI")
	f.do("INCR", "n")
	f.do("EXEC")
	got := f.do("SLOWLOG", "GET", "-1")
	var lines []string
	for i := len(got.Elems) - 1; i >= 0; i-- {
		var args []string
		for _, a := range got.Elems[i].Elems[3].Elems {
			args = append(args, a.Text())
		}
		lines = append(lines, strings.Join(args, " "))
	}
	want := []string{
		"SLOWLOG RESET",
		"SET k " + long[:128] + "... (72 more bytes)",
		"MSET k0 v k1 v k2 v k3 v k4 v k5 v k6 v k7 v k8 v k9 v k10 v k11 v k12 v k13 v k14 v ... (10 more arguments)",
		"AUTH (redacted) (redacted)",
		"HELLO 2 AUTH (redacted) (redacted)",
		"CONFIG SET requirepass (redacted) timeout 0",
		"AUTH (redacted)",
		"CONFIG SET requirepass (redacted)",
		"MULTI",
		"INCR n", // EXEC is not logged (skip_slowlog), its commands are
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("slow log:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestSlowlogLimits(t *testing.T) {
	f := newFixture(t)
	f.do("CONFIG", "SET", "slowlog-log-slower-than", "-1")
	f.do("SET", "k", "v")
	if n := f.do("SLOWLOG", "LEN").Int; n != 0 {
		t.Errorf("slowlog-log-slower-than -1 logged %d commands", n)
	}
	f.do("CONFIG", "SET", "slowlog-log-slower-than", "0", "slowlog-max-len", "3")
	for range 10 {
		f.do("PING")
	}
	if n := f.do("SLOWLOG", "LEN").Int; n != 3 {
		t.Errorf("slowlog-max-len 3: %d entries", n)
	}
	f.do("CONFIG", "SET", "slowlog-log-slower-than", "1000000000")
	f.do("DEBUG", "SLEEP", "0.01")
	if n := f.do("SLOWLOG", "LEN").Int; n != 3 {
		t.Errorf("a command under the threshold was logged: %d entries", n)
	}
	f.script(`
		> CONFIG SET slowlog-max-len -1
		(error) ERR CONFIG SET failed (possibly related to argument 'slowlog-max-len') - argument must be between 0 and 9223372036854775807 inclusive
		> CONFIG SET slowlog-log-slower-than -5
		(error) ERR CONFIG SET failed (possibly related to argument 'slowlog-log-slower-than') - argument must be between -1 and 9223372036854775807 inclusive
		> CONFIG GET slowlog*
		1# "slowlog-log-slower-than" => "1000000000"
		2# "slowlog-max-len" => "3"
	`)
	if h := f.do("SLOWLOG", "HELP"); len(h.Elems) != 12 || h.Elems[1].Str != "GET [<count>]" {
		t.Errorf("SLOWLOG HELP: %s", h)
	}
}

// A full slow log drops its oldest entry per record without copying the
// rest each time, and keeps the newest maxLen in order.
func TestSlowlogTrimDoesNotCopyPerRecord(t *testing.T) {
	var l slowlog
	next := int64(0)
	add := func() {
		l.entries = append(l.entries, slowEntry{id: next})
		next++
		l.trim(128)
	}
	for range 1000 {
		add()
	}
	if allocs := testing.AllocsPerRun(1000, add); allocs > 0.1 {
		t.Errorf("a record into a full log allocates %.2f times, want the log copied only once its array fills", allocs)
	}
	if len(l.entries) != 128 {
		t.Fatalf("the log holds %d entries, want 128", len(l.entries))
	}
	for i, e := range l.entries {
		if want := next - 128 + int64(i); e.id != want {
			t.Fatalf("entry %d is id %d, want %d", i, e.id, want)
		}
	}
}
