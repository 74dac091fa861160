package command

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ringkv/ringkv/resp"
)

// async runs a command for a new session of f and delivers its reply.
func (f *fixture) async(ctx context.Context, args ...string) <-chan resp.Reply {
	s := f.d.NewSession(99, "127.0.0.1:6000", "127.0.0.1:6379")
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	out := make(chan resp.Reply, 1)
	go func() { out <- f.d.Do(ctx, s, b) }()
	return out
}

// held reports whether no reply arrives within a while: the command is
// held. (It proves an absence, so it has to wait.)
func held(ch <-chan resp.Reply) bool {
	select {
	case <-ch:
		return false
	case <-time.After(100 * time.Millisecond):
		return true
	}
}

// released returns the reply once it arrives, failing after a bound.
func released(t *testing.T, ch <-chan resp.Reply) resp.Reply {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("command still held")
		return resp.Reply{}
	}
}

func TestClientPauseErrors(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> CLIENT PAUSE
		(error) ERR wrong number of arguments for 'client|pause' command
		> CLIENT PAUSE abc
		(error) ERR timeout is not an integer or out of range
		> CLIENT PAUSE -1
		(error) ERR timeout is negative
		> CLIENT PAUSE 10 foo
		(error) ERR CLIENT PAUSE mode must be WRITE or ALL
		> CLIENT pause 10 write x
		(error) ERR unknown subcommand or wrong number of arguments for 'pause'. Try CLIENT HELP.
		> CLIENT UNPAUSE x
		(error) ERR wrong number of arguments for 'client|unpause' command
		> CLIENT UNPAUSE
		OK
		> CLIENT NO-EVICT on
		OK
		> CLIENT NO-EVICT OFF
		OK
		> CLIENT NO-EVICT maybe
		(error) ERR syntax error
	`)
}

func TestClientPauseWrite(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.do("SET", "k", "v")
	f.do("CLIENT", "PAUSE", "100000", "WRITE")
	if r := released(t, f.async(ctx, "GET", "k")); r.Text() != "v" {
		t.Errorf("GET during a WRITE pause: %s", r)
	}
	set := f.async(ctx, "SET", "k", "w")
	if !held(set) {
		t.Fatal("SET ran during a WRITE pause")
	}
	for name, write := range map[string]bool{"eval": true, "publish": true, "pfcount": true, "get": false} {
		if got := f.d.mayWrite(f.s, &Command{Name: name}); got != write {
			t.Errorf("a WRITE pause holds %s: %v, want %v", name, got, write)
		}
	}
	if r := f.do("CLIENT", "UNPAUSE"); r.Str != "OK" {
		t.Fatalf("CLIENT UNPAUSE: %s", r)
	}
	if r := released(t, set); r.Str != "OK" {
		t.Errorf("SET after UNPAUSE: %s", r)
	}
	if r := f.do("GET", "k"); r.Text() != "w" {
		t.Errorf("GET after the held SET: %s", r)
	}
}

func TestClientPauseAllExpires(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.do("CLIENT", "PAUSE", "300", "ALL")
	start := time.Now()
	r := released(t, f.async(ctx, "PING"))
	if took := time.Since(start); r.Str != "PONG" || took < 200*time.Millisecond {
		t.Errorf("PING during a 300 ms ALL pause: %s after %v", r, took)
	}
	if f.d.intro.pause.on.Load() {
		t.Error("a pause that ran out still makes every command look closer")
	}
	// a pause only grows: a shorter WRITE pause does not lift ALL
	f.do("CLIENT", "PAUSE", "100000", "ALL")
	f.d.intro.pause.pause(pauseWrite, time.Now().Add(10*time.Millisecond)) // its client is held
	get := f.async(ctx, "GET", "k")
	if !held(get) {
		t.Fatal("GET ran: CLIENT PAUSE 10 WRITE shortened an ALL pause")
	}
	// CLIENT UNPAUSE itself waits in an ALL pause, as in Redis; the
	// pause's owner (here the test) lifts it
	f.d.intro.pause.unpause()
	released(t, get)
}

// heldSet pauses f (mode ALL or WRITE) and returns the reply of a SET
// k v sent with ctx, which the pause holds.
func heldSet(t *testing.T, f *fixture, ctx context.Context, mode string) <-chan resp.Reply {
	t.Helper()
	f.do("CLIENT", "PAUSE", "100000", mode)
	set := f.async(ctx, "SET", "k", "v")
	if !held(set) {
		t.Fatalf("SET ran during a %s pause", mode)
	}
	return set
}

// heldSetNeverRan lifts the pause and checks that heldSet's SET did not
// run.
func heldSetNeverRan(t *testing.T, f *fixture) {
	t.Helper()
	f.d.intro.pause.unpause()
	if r := f.do("EXISTS", "k"); r.Int != 0 {
		t.Error("the held SET ran")
	}
}

func TestClientPauseHeldRequestCancelled(t *testing.T) {
	f := newFixture(t)
	defer f.d.intro.pause.unpause()
	ctx, cancel := context.WithCancel(context.Background())
	set := heldSet(t, f, ctx, "ALL")
	cancel()
	if r := released(t, set); !r.IsError() {
		t.Errorf("a cancelled held command answered %s", r)
	}
	heldSetNeverRan(t, f)
}

func TestClientPauseExec(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	reads := f.d.NewSession(50, "127.0.0.1:7000", "")
	writes := f.d.NewSession(51, "127.0.0.1:7001", "")
	for _, c := range [][]string{{"MULTI"}, {"GET", "k"}} {
		f.d.Do(ctx, reads, bytesOf(c))
	}
	for _, c := range [][]string{{"MULTI"}, {"INCR", "k"}} {
		f.d.Do(ctx, writes, bytesOf(c))
	}
	f.do("CLIENT", "PAUSE", "100000", "WRITE")
	if r := f.d.Do(ctx, reads, bytesOf([]string{"EXEC"})); r.Kind != resp.KindArray {
		t.Errorf("EXEC of reads during a WRITE pause: %s", r)
	}
	exec := make(chan resp.Reply, 1)
	go func() { exec <- f.d.Do(ctx, writes, bytesOf([]string{"EXEC"})) }()
	if !held(exec) {
		t.Fatal("EXEC of a write ran during a WRITE pause")
	}
	f.do("CLIENT", "UNPAUSE")
	if r := released(t, exec); r.String() != "1) (integer) 1" {
		t.Errorf("EXEC after UNPAUSE: %s", r)
	}
}

func bytesOf(args []string) [][]byte {
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	return b
}

// CLIENT PAUSE with a timeout that overflows now+timeout pauses nothing,
// as Redis 7.0 (its end lands in the past); holding every command for
// ever, CLIENT UNPAUSE included, left the node stuck until a restart.
func TestClientPauseOverflowingTimeoutPausesNothing(t *testing.T) {
	f := newFixture(t)
	if r := f.do("CLIENT", "PAUSE", "9223372036854775807"); r.Str != "OK" {
		t.Fatalf("CLIENT PAUSE max: %s", r)
	}
	if r := released(t, f.async(context.Background(), "PING")); r.Str != "PONG" {
		t.Fatalf("PING after CLIENT PAUSE max: %s", r)
	}
}

// At shutdown a command CLIENT PAUSE holds gives up with an error and
// never runs, and a later one does not wait (SIGTERM waited for the pause
// to run out).
func TestClientPauseStoppedAtShutdown(t *testing.T) {
	f := newFixture(t)
	set := heldSet(t, f, context.Background(), "ALL")
	f.d.StopPauses()
	if r := released(t, set); !r.IsError() || !strings.Contains(r.Str, "shutting down") {
		t.Errorf("a held command at shutdown answered %v", r)
	}
	if r := released(t, f.async(context.Background(), "GET", "k")); !r.IsError() {
		t.Errorf("a command arriving after shutdown began answered %v", r)
	}
	heldSetNeverRan(t, f)
}

// A command held by CLIENT PAUSE counts in INFO blocked_clients, as in
// Redis (the Tcl suite's unit/pause waits for it).
func TestClientPauseHeldCountsAsBlocked(t *testing.T) {
	f := newFixture(t)
	set := heldSet(t, f, context.Background(), "WRITE")
	if !strings.Contains(f.do("INFO", "clients").Text(), "\r\nblocked_clients:1\r\n") {
		t.Errorf("INFO clients with a held SET:\n%s", f.do("INFO", "clients").Text())
	}
	f.d.intro.pause.unpause()
	released(t, set)
	if !strings.Contains(f.do("INFO", "clients").Text(), "\r\nblocked_clients:0\r\n") {
		t.Errorf("INFO clients after the pause:\n%s", f.do("INFO", "clients").Text())
	}
}
