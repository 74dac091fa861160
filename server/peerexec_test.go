package server

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ringkv/ringkv/cluster/transport"
	"github.com/ringkv/ringkv/engine"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
	"github.com/ringkv/ringkv/server/command"
)

// execNode is one node's command layer over a real coordinator and
// engine.OpenMem, serving MethodExec on a TCP transport named "b".
type execNode struct {
	disp      *command.Dispatcher
	shutdowns atomic.Int64
	caller    *transport.TCP // "a", a peer of b
}

// newExecNode starts b (serving MethodExec with requirepass pass) and a
// peer a, both with cluster key key ("" for none, on loopback).
func newExecNode(t *testing.T, key, pass string) *execNode {
	t.Helper()
	n := &execNode{}
	var coord *replica.Coordinator
	n.disp, coord = localDispatcher(t, pass, func() { n.shutdowns.Add(1) })
	r := &router{self: "b", disp: n.disp}
	addrs := map[string]string{}
	start := func(name string, h transport.Handler) *transport.TCP {
		cfg := transport.TestConfig(name)
		cfg.ClusterKey, cfg.Handler = key, h
		cfg.Resolve = func(node string) (string, bool) { a, ok := addrs[node]; return a, ok }
		cfg.Logger = zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
		tr, err := transport.Listen(cfg)
		if err != nil {
			t.Fatal(err)
		}
		addrs[name] = tr.Addr()
		return tr
	}
	b := start("b", transport.HandlerFunc(func(ctx context.Context, from string, m uint8, body []byte) ([]byte, error) {
		if m == MethodExec {
			return r.serveExec(ctx, from, body)
		}
		return coord.ServePeer(ctx, from, m, body)
	}))
	n.caller = start("a", nil)
	t.Cleanup(func() { _ = n.caller.Close(); _ = b.Close() })
	return n
}

// localDispatcher is node b's command layer over a real coordinator on
// engine.OpenMem, with requirepass pass and a SHUTDOWN hook.
func localDispatcher(t *testing.T, pass string, shutdown func()) (*command.Dispatcher, *replica.Coordinator) {
	t.Helper()
	db, err := engine.OpenMem(engine.Options{SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	coord, err := replica.New(replica.Config{Node: "b", N: 1, R: 1, W: 1, Timeout: time.Second}, db, replica.NewLocal("b"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { coord.Close(); _ = db.Close() })
	params := command.DefaultParams()
	params.RequirePass = pass
	return command.New(&command.Env{KV: coord, Settings: command.NewSettings(params), Shutdown: shutdown}), coord
}

// exec sends args to b as a forwarded command (RESP2) and returns the
// decoded reply, or the call's error.
func (n *execNode) exec(t *testing.T, args ...string) (resp.Reply, error) {
	t.Helper()
	elems := make([]resp.Reply, len(args))
	for i, a := range args {
		elems[i] = resp.Bulk([]byte(a))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b, err := n.caller.Call(ctx, "b", MethodExec, resp.Append([]byte{2}, resp.Array(elems...), 2))
	if err != nil {
		return resp.Reply{}, err
	}
	rep, _, err := resp.ParseReply(b)
	if err != nil {
		t.Fatalf("reply %q: %v", b, err)
	}
	return rep, nil
}

// local runs args on b as an authenticated local client.
func (n *execNode) local(t *testing.T, args ...string) resp.Reply {
	s := n.disp.NewSession(1, "test", "")
	s.Authed = true
	bargs := make([][]byte, len(args))
	for i, a := range args {
		bargs[i] = []byte(a)
	}
	return n.disp.Do(context.Background(), s, bargs)
}

func refused(t *testing.T, rep resp.Reply, err error, what string) {
	t.Helper()
	var re *transport.RemoteError
	if !errors.As(err, &re) || !strings.Contains(re.Msg, errExecRefused.Error()) {
		t.Errorf("%s: got %+v, %v; want refused (%v)", what, rep, err, errExecRefused)
	}
}

// Peer frames run only what a router forwards: commands on keys, never
// administration, even from a peer holding the cluster key.
func TestServeExecRefusesAdminCommands(t *testing.T) {
	n := newExecNode(t, "s3cret", "pw")
	if rep := n.local(t, "SET", "kept", "1"); rep.IsError() {
		t.Fatal(rep.Str)
	}
	for _, args := range [][]string{
		{"CONFIG", "GET", "requirepass"}, {"config", "set", "requirepass", ""}, {"SHUTDOWN", "NOSAVE"},
		{"FLUSHALL"}, {"FLUSHDB"}, {"CLIENT", "LIST"}, {"AUTH", "pw"}, {"HELLO", "3", "AUTH", "default", "pw"},
		{"KEYS", "*"}, {"SCAN", "0"}, {"INFO"}, {"PING"}, {"DBSIZE"}, {"RINGKV", "MEMBERS"},
		{"DEBUG", "SLEEP", "0"}, {"NOSUCHCMD", "k"}, {"SAVE"},
	} {
		rep, err := n.exec(t, args...)
		refused(t, rep, err, strings.Join(args, " "))
	}
	if n.shutdowns.Load() != 0 {
		t.Error("SHUTDOWN ran from a peer frame")
	}
	if rep := n.local(t, "GET", "kept"); rep.Str != "1" && string(rep.Bytes) != "1" {
		t.Errorf("FLUSHALL from a peer emptied the node: GET kept = %+v", rep)
	}
	if rep := n.local(t, "CONFIG", "GET", "requirepass"); !strings.Contains(string(resp.Append(nil, rep, 2)), "pw") {
		t.Errorf("CONFIG SET from a peer changed requirepass: %+v", rep)
	}
}

// A peer that proved the cluster key runs key commands as the
// authenticated client its node vouched for.
func TestServeExecKeyedRunsKeyCommands(t *testing.T) {
	n := newExecNode(t, "s3cret", "pw")
	if rep, err := n.exec(t, "SET", "k", "v"); err != nil || rep.IsError() {
		t.Fatalf("SET: %+v %v", rep, err)
	}
	if rep, err := n.exec(t, "INCR", "c"); err != nil || rep.Int != 1 {
		t.Fatalf("INCR: %+v %v", rep, err)
	}
	if rep := n.local(t, "GET", "k"); rep.IsError() || string(rep.Bytes) != "v" {
		t.Fatalf("GET k = %+v", rep)
	}
}

// Without a cluster key a peer frame is not client authentication: with a
// password set (even later, by CONFIG SET), a forwarded command gets NOAUTH.
func TestServeExecKeylessIsNotAuthenticated(t *testing.T) {
	n := newExecNode(t, "", "")
	if rep, err := n.exec(t, "SET", "k", "v"); err != nil || rep.IsError() {
		t.Fatalf("SET without a password: %+v %v", rep, err)
	}
	if rep := n.local(t, "CONFIG", "SET", "requirepass", "pw"); rep.IsError() {
		t.Fatal(rep.Str)
	}
	rep, err := n.exec(t, "SET", "k", "changed")
	if err != nil || !rep.IsError() || !strings.HasPrefix(rep.Str, "NOAUTH") {
		t.Fatalf("keyless peer SET with requirepass: %+v %v, want NOAUTH", rep, err)
	}
	if rep := n.local(t, "GET", "k"); string(rep.Bytes) != "v" {
		t.Fatalf("GET k = %+v, want v", rep)
	}
}

func TestServeExecMalformed(t *testing.T) {
	d, _ := localDispatcher(t, "", nil)
	r := &router{self: "b", disp: d}
	for _, body := range [][]byte{nil, {2}, {9, '*', '1'}, append([]byte{2}, "garbage"...), []byte("\x02*0\r\n")} {
		if _, err := r.serveExec(context.Background(), "a", body); !errors.Is(err, errExecMalformed) {
			t.Errorf("body %q: %v, want errExecMalformed", body, err)
		}
	}
}

func TestForwardable(t *testing.T) {
	d, _ := localDispatcher(t, "", nil)
	for name, want := range map[string]bool{
		"get": true, "set": true, "incr": true, "del": true, "mset": true, "vset": true, "expire": true,
		"config": false, "shutdown": false, "flushall": false, "flushdb": false, "client": false,
		"auth": false, "hello": false, "keys": false, "scan": false, "ping": false, "info": false, "nosuch": false,
		// scripts run on their keys' coordinator (routetx.go); SCRIPT and
		// FUNCTION administer the node that receives them
		"eval": true, "evalsha": true, "fcall": true, "script": false, "function": false,
	} {
		if got := forwardable(d.Lookup([]byte(name))); got != want {
			t.Errorf("forwardable(%s) = %v, want %v", name, got, want)
		}
	}
	for name := range notForwarded {
		if forwardable(d.Lookup([]byte(name))) {
			t.Errorf("%s is in notForwarded but forwardable", name)
		}
	}
}

// panicKV is a KV whose every read panics, standing in for a handler bug.
type panicKV struct{ command.KV }

func (panicKV) Get(context.Context, []byte, replica.ReadOptions) (version.Set, error) {
	panic("boom")
}

// A panic in a forwarded command is answered as an error reply to the
// calling node, as a client's is (conn.go's recovered): the node stays up.
func TestServeExecRecoversPanic(t *testing.T) {
	_, coord := localDispatcher(t, "", nil)
	d := command.New(&command.Env{KV: panicKV{coord}})
	var logged strings.Builder
	r := &router{self: "b", disp: d, log: zerolog.New(&logged)}
	b, err := r.serveExec(context.Background(), "a", []byte("\x02*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	rep, _, err := resp.ParseReply(b)
	if err != nil || !rep.IsError() || !strings.Contains(rep.Str, "internal error while running 'get'") {
		t.Fatalf("reply %q (%v), want an internal error", b, err)
	}
	if l := logged.String(); !strings.Contains(l, `"client":"peer:a"`) || !strings.Contains(l, "panicKV.Get") {
		t.Errorf("log %q, want the peer and the stack", l)
	}
}
