package main

import (
	"bytes"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tidwall/redcon"

	"github.com/ringkv/ringkv/resp"
)

// fakeNode is a RESP server on 127.0.0.1 answering the admin commands
// with canned replies: in RESP3 after HELLO 3 when resp3 is set, in RESP2
// otherwise (it then refuses HELLO, as a RESP2-only server does). It records
// every command it is sent.
type fakeNode struct {
	addr     string
	port     string
	resp3    bool
	password string // "" none

	mu      sync.Mutex
	replies map[string][]resp.Reply // by command line; the last one repeats
	got     []string
}

type fakeConn struct {
	proto  int
	authed bool
}

func newFakeNode(t *testing.T, resp3 bool, password string) *fakeNode {
	t.Helper()
	f := &fakeNode{resp3: resp3, password: password, replies: map[string][]resp.Reply{}}
	srv := redcon.NewServerNetwork("tcp", "127.0.0.1:0", f.serve,
		func(c redcon.Conn) bool { c.SetContext(&fakeConn{proto: 2}); return true }, nil)
	started := make(chan error, 1)
	go func() { _ = srv.ListenServeAndSignal(started) }()
	if err := <-started; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	f.addr = srv.Addr().String()
	_, f.port, _ = net.SplitHostPort(f.addr)
	return f
}

// on sets the replies to a command line ("RINGKV STATUS"), one per call.
func (f *fakeNode) on(cmd string, replies ...resp.Reply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.replies[cmd] = replies
}

// commands returns the command lines received so far.
func (f *fakeNode) commands() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.got...)
}

func (f *fakeNode) serve(conn redcon.Conn, cmd redcon.Command) {
	line := string(bytes.Join(cmd.Args, []byte(" ")))
	c := conn.Context().(*fakeConn)
	f.mu.Lock()
	f.got = append(f.got, line)
	f.mu.Unlock()
	conn.WriteRaw(resp.Append(nil, f.answer(c, cmd.Args, line), c.proto))
}

func (f *fakeNode) answer(c *fakeConn, args [][]byte, line string) resp.Reply {
	name := strings.ToUpper(string(args[0]))
	switch {
	case name == "HELLO" && !f.resp3:
		return resp.Err("ERR unknown command 'HELLO', with args beginning with: '3' ")
	case name == "HELLO" && len(args) == 5:
		if !f.passOK(string(args[4])) {
			return resp.Err("WRONGPASS invalid username-password pair or user is disabled.")
		}
		c.authed = true
	case name == "AUTH":
		if f.password == "" {
			return resp.ErrAuthNotConfigured()
		}
		if !f.passOK(string(args[1])) {
			return resp.Err("WRONGPASS invalid username-password pair or user is disabled.")
		}
		c.authed = true
		return resp.OK()
	}
	if f.password != "" && !c.authed {
		return resp.ErrNoAuth()
	}
	if name == "HELLO" {
		c.proto = 3
		return resp.Map(resp.BulkString("server"), resp.BulkString("redis"), resp.BulkString("proto"), resp.Int(3))
	}
	return f.next(line, args)
}

func (f *fakeNode) passOK(p string) bool { return f.password == "" || p == f.password }

func (f *fakeNode) next(line string, args [][]byte) resp.Reply {
	f.mu.Lock()
	defer f.mu.Unlock()
	rs, ok := f.replies[line]
	if !ok {
		return resp.ErrUnknownCommand(string(args[0]), args[1:])
	}
	if len(rs) > 1 {
		f.replies[line] = rs[1:]
	}
	return rs[0]
}

// rmap builds a map reply from alternating keys and values (strings,
// ints, or replies).
func rmap(kv ...any) resp.Reply {
	elems := make([]resp.Reply, len(kv))
	for i, v := range kv {
		switch v := v.(type) {
		case string:
			elems[i] = resp.BulkString(v)
		case int:
			elems[i] = resp.Int(int64(v))
		case resp.Reply:
			elems[i] = v
		default:
			panic(fmt.Sprintf("rmap: %T", v))
		}
	}
	return resp.Map(elems...)
}

// testNow is the clock of the admin tests.
var testNow = time.Date(2025, 3, 4, 15, 4, 5, 0, time.UTC)

// cli runs `ringkv name args...` against f (its --port first) and returns
// the exit code and what it printed.
type cliResult struct {
	code        int
	out, errOut string
}

func runCLI(env map[string]string, terminal bool, name string, args ...string) cliResult {
	var out, errOut bytes.Buffer
	aio := adminIO{stdout: &out, stderr: &errOut, getenv: func(k string) string { return env[k] },
		now: func() time.Time { return testNow }, terminal: terminal}
	code := admin(name, args, aio)
	return cliResult{code: code, out: out.String(), errOut: errOut.String()}
}

func (f *fakeNode) run(name string, args ...string) cliResult {
	return runCLI(nil, false, name, append([]string{"--port", f.port}, args...)...)
}
