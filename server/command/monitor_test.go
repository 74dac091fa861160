package command

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestMonitorLine(t *testing.T) {
	at := time.Unix(1700000000, 123456789)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"set", "k", "v"}, `+1700000000.123456 [0 127.0.0.1:5000] "set" "k" "v"` + "\r\n"},
		{[]string{"SET", "k", "a\"b\\c\n\r\t\a\b\x01\xff"}, `+1700000000.123456 [0 127.0.0.1:5000] "SET" "k" "a\"b\\c\n\r\t\a\b\x01\xff"` + "\r\n"},
		{[]string{"AUTH", "pw"}, `+1700000000.123456 [0 127.0.0.1:5000] "AUTH" "(redacted)"` + "\r\n"},
		{[]string{"auth", "u", "pw"}, `+1700000000.123456 [0 127.0.0.1:5000] "auth" "(redacted)" "(redacted)"` + "\r\n"},
		{[]string{"HELLO", "3", "AUTH", "u", "pw", "SETNAME", "x"},
			`+1700000000.123456 [0 127.0.0.1:5000] "HELLO" "3" "AUTH" "(redacted)" "(redacted)" "SETNAME" "x"` + "\r\n"},
	} {
		args := make([][]byte, len(tc.args))
		for i, a := range tc.args {
			args[i] = []byte(a)
		}
		expect(t, tc.args[0], string(monitorLine(at, "127.0.0.1:5000", args)), tc.want)
	}
	expect(t, "microseconds padded", string(monitorLine(time.Unix(5, 7000), "x", [][]byte{[]byte("ping")})),
		"+5.000007 [0 x] \"ping\"\r\n")
}

func TestMonitorFeed(t *testing.T) {
	f := newFixture(t)
	mon, c := f.client(1), f.client(2)
	expect(t, "MONITOR", mon.do("MONITOR"), "+OK\r\n")
	if line := mon.s.Info().Line(f.env.Clock()); !strings.Contains(line, " flags=O ") {
		t.Errorf("CLIENT LIST of a monitor: %s", line)
	}
	run := func(args ...string) {
		b := make([][]byte, len(args))
		for i, a := range args {
			b[i] = []byte(a)
		}
		f.d.FeedMonitors(c.s, b, true) // as the server does around each client command
		c.do(args...)
		f.d.FeedMonitors(c.s, b, false)
	}
	run("SET", "k", "v")
	run("CONFIG", "GET", "x") // admin: not shown
	run("NOSUCH")             // refused: not shown
	run("GET")                // arity: not shown
	run("MULTI")
	run("INCR", "n") // queued: shown when EXEC runs it
	run("EXEC")
	run("AUTH", "pw")
	run("EVAL", "return redis.call('set', 'x', 'y')", "0")
	got := mon.box.take()
	line := `\+\d+\.\d{6} \[0 127\.0\.0\.1:6002\] `
	want := regexp.MustCompile(`^` + line + `"SET" "k" "v"\r\n` + line + `"MULTI"\r\n` + line + `"INCR" "n"\r\n` +
		line + `"EXEC"\r\n` + line + `"AUTH" "\(redacted\)"\r\n` +
		line + `"EVAL" "return redis.call\('set', 'x', 'y'\)" "0"\r\n` +
		`\+\d+\.\d{6} \[0 lua\] "set" "x" "y"\r\n$`)
	if !want.MatchString(got) {
		t.Errorf("monitor saw:\n%s", got)
	}
	expect(t, "keyspace refused", mon.do("GET", "k"), "-ERR Replica can't interact with the keyspace\r\n")
	expect(t, "RESET ends MONITOR", mon.do("RESET"), "+RESET\r\n")
	run("SET", "k", "v")
	expect(t, "nothing after RESET", mon.box.take(), "")
}
