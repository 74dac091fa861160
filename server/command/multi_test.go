package command

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ringkv/ringkv/resp"
)

func TestMultiExec(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> EXEC
		(error) ERR EXEC without MULTI
		> DISCARD
		(error) ERR DISCARD without MULTI
		> MULTI
		OK
		> MULTI
		(error) ERR MULTI calls can not be nested
		> SET k 1
		QUEUED
		> INCR k
		QUEUED
		> GET k
		QUEUED
		> WATCH x
		(error) ERR WATCH inside MULTI is not allowed
		> EXEC
		1) OK
		2) (integer) 2
		3) "2"
		> GET k
		"2"
	`)
}

func TestMultiQueuedErrorsAbort(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> MULTI
		OK
		> SET k v
		QUEUED
		> NOSUCH a
		(error) ERR unknown command 'NOSUCH', with args beginning with: 'a' 
		> GET
		(error) ERR wrong number of arguments for 'get' command
		> SAVE
		(error) ERR Command not allowed inside a transaction
		> EXEC
		(error) EXECABORT Transaction discarded because of previous errors.
		> GET k
		(nil)
		> EXEC
		(error) ERR EXEC without MULTI
	`)
}

func TestMultiRuntimeErrorDoesNotStopTheRest(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> SET s notanumber
		OK
		> MULTI
		OK
		> INCR s
		QUEUED
		> SET t 1
		QUEUED
		> EXEC
		1) (error) ERR value is not an integer or out of range
		2) OK
		> GET t
		"1"
	`)
}

func TestMultiDiscard(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> WATCH k
		OK
		> MULTI
		OK
		> SET k 1
		QUEUED
		> DISCARD
		OK
		> GET k
		(nil)
		> MULTI
		OK
		> RESET
		RESET
		> EXEC
		(error) ERR EXEC without MULTI
	`)
}

func TestWatchAbortsWhenAnotherClientWrites(t *testing.T) {
	f := newFixture(t)
	other := f.d.NewSession(8, "127.0.0.1:5001", "127.0.0.1:6379")
	run := func(s *Session, args ...string) resp.Reply {
		b := make([][]byte, len(args))
		for i, a := range args {
			b[i] = []byte(a)
		}
		return f.d.Do(context.Background(), s, b)
	}
	f.do("SET", "k", "1")
	f.do("WATCH", "k")
	run(other, "SET", "k", "2")
	f.do("MULTI")
	f.do("SET", "k", "3")
	if r := f.do("EXEC"); r.Kind != resp.KindNullArray {
		t.Fatalf("EXEC after a watched key changed: %s, want a null array", r)
	}
	if r := f.do("GET", "k"); r.String() != `"2"` {
		t.Fatalf("GET k = %s, want the other client's 2", r)
	}
	// The watch is gone after EXEC: the next transaction runs.
	f.do("MULTI")
	f.do("SET", "k", "4")
	if r := f.do("EXEC"); r.String() != "1) OK" {
		t.Fatalf("second EXEC: %s", r)
	}
}

func TestWatchUntouchedKeyRuns(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> SET k 1
		OK
		> WATCH k missing
		OK
		> SET other x
		OK
		> MULTI
		OK
		> INCR k
		QUEUED
		> EXEC
		1) (integer) 2
	`)
}

func TestWatchOwnWriteAborts(t *testing.T) {
	// As Redis: the watching client's own write between WATCH and EXEC
	// touches the key too.
	f := newFixture(t)
	f.script(`
		> WATCH k
		OK
		> SET k 1
		OK
		> MULTI
		OK
		> SET k 2
		QUEUED
		> EXEC
		(nil)
		> GET k
		"1"
	`)
}

func TestWatchedKeyThatExpiresAborts(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> SET k v PX 100
		OK
		> WATCH k
		OK
		!advance 200
		> MULTI
		OK
		> SET j 1
		QUEUED
		> EXEC
		(nil)
		> UNWATCH
		OK
	`)
}

// TestExecIsAtomic runs transactions that read and write two keys while
// other clients increment them: no client ever sees the two keys differ,
// which it would if a transaction's commands interleaved with others.
func TestExecIsAtomic(t *testing.T) {
	f := newFixture(t)
	const clients, rounds = 4, 50
	var wg sync.WaitGroup
	errs := make(chan string, clients*rounds)
	for c := range clients {
		s := f.d.NewSession(uint64(100+c), "127.0.0.1:1", "127.0.0.1:6379")
		wg.Add(1)
		go func() {
			defer wg.Done()
			do := func(args ...string) resp.Reply {
				b := make([][]byte, len(args))
				for i, a := range args {
					b[i] = []byte(a)
				}
				return f.d.Do(context.Background(), s, b)
			}
			for range rounds {
				do("MULTI")
				do("INCR", "a")
				do("INCR", "b")
				r := do("EXEC")
				if len(r.Elems) != 2 || r.Elems[0].Int != r.Elems[1].Int {
					errs <- r.String()
				}
				if m := do("MGET", "a", "b"); len(m.Elems) == 2 && m.Elems[0].Str != m.Elems[1].Str {
					errs <- "MGET saw a half-done transaction: " + m.String()
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if r := f.do("GET", "a"); r.String() != `"200"` {
		t.Fatalf("a = %s, want 200", r)
	}
}

func TestBusyGateRefusesWhileASectionRunsLong(t *testing.T) {
	g := newGate()
	started, finish := make(chan struct{}), make(chan struct{})
	go g.exclusive("script", 20*time.Millisecond, func() {
		close(started)
		<-finish
	})
	<-started
	deadline := time.Now().Add(5 * time.Second)
	for {
		release, kind, ok := g.shared()
		if !ok {
			if kind != "script" {
				t.Fatalf("busy kind %q", kind)
			}
			break
		}
		release()
		if time.Now().After(deadline) {
			t.Fatal("never refused as busy")
		}
	}
	close(finish)
	for {
		release, _, ok := g.shared()
		if ok {
			release()
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("still refused after the section ended")
		}
		time.Sleep(time.Millisecond)
	}
}

// busyScript holds f's node in a "script" section past busy-reply-threshold
// until the returned stop is called.
func busyScript(t *testing.T, f *fixture) (stop func()) {
	t.Helper()
	f.do("CONFIG", "SET", "busy-reply-threshold", "10")
	other := f.d.NewSession(9, "127.0.0.1:5002", "127.0.0.1:6379")
	finish, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		f.d.exclusive(other, "script", func() resp.Reply { <-finish; return resp.OK() })
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, busy := f.d.gate.busy(); busy {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the section never turned busy")
		}
		time.Sleep(time.Millisecond)
	}
	return func() { close(finish); <-done }
}

// Redis's multi.tcl "MULTI and script timeout" and "EXEC and script
// timeout": while a script is busy, a command sent inside MULTI is refused
// with BUSY and fails the transaction, and EXEC answers at once.
func TestMultiWhileAScriptIsBusy(t *testing.T) {
	f := newFixture(t)
	f.do("SET", "xx", "1")
	stop := busyScript(t, f)
	f.script(`
		> MULTI
		OK
		> INCR xx
		(error) BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.
	`)
	stop()
	f.script(`
		> INCR xx
		QUEUED
		> EXEC
		(error) EXECABORT Transaction discarded because of previous errors.
		> GET xx
		"1"
		> MULTI
		OK
		> INCR xx
		QUEUED
	`)
	stop = busyScript(t, f)
	f.script(`
		> EXEC
		(error) EXECABORT Transaction discarded because of: BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.
	`)
	stop()
	f.script(`
		> GET xx
		"1"
		> MULTI
		OK
		> INCR xx
		QUEUED
	`)
	// A transaction failed by a command refused as BUSY, and EXEC still
	// during the busy script: EXEC's own refusal names BUSY.
	stop = busyScript(t, f)
	f.script(`
		> INCR xx
		(error) BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.
		> EXEC
		(error) EXECABORT Transaction discarded because of: BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.
	`)
	stop()
	f.script(`
		> PING asdf
		"asdf"
		> GET xx
		"1"
	`)
}

// Redis's multi.tcl "FLUSHDB while watching stale keys should not fail
// EXEC": a watched key that had expired (not yet swept) is not touched by
// a flush; one that was live is ("FLUSHALL is able to touch the watched
// keys").
func TestWatchStaleKeyThenFlush(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> SET x foo PX 10
		OK
		!advance 20
		> WATCH x
		OK
		> FLUSHDB
		OK
		> MULTI
		OK
		> PING
		QUEUED
		> EXEC
		1) PONG
		> SET y bar
		OK
		> WATCH y
		OK
		> FLUSHDB
		OK
		> MULTI
		OK
		> PING
		QUEUED
		> EXEC
		(nil)
	`)
}
