package command

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ringkv/ringkv/resp"
)

// entered starts a holder of kind on r and returns a channel closed once
// it is in, and one to close to let it leave.
func enterAsync(r *room, kind lockMode) (in, out chan struct{}) {
	in, out = make(chan struct{}), make(chan struct{})
	go func() {
		r.enter(kind)
		close(in)
		<-out
		r.leave()
	}()
	return in, out
}

func isIn(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	case <-time.After(20 * time.Millisecond):
		return false
	}
}

func mustEnter(t *testing.T, ch chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s never got in", what)
	}
}

// A room lets holders of one shared kind in together, never two kinds at
// once, an exclusive holder alone, and arrivals in order: a single write
// that comes after a waiting read waits behind it.
func TestRoomKinds(t *testing.T) {
	var r room
	in1, out1 := enterAsync(&r, lockSingle)
	mustEnter(t, in1, "the first single write")
	in2, out2 := enterAsync(&r, lockSingle)
	mustEnter(t, in2, "a second single write beside the first")

	inR, outR := enterAsync(&r, lockShared)
	if isIn(inR) {
		t.Fatal("a read got in beside single writes")
	}
	in3, out3 := enterAsync(&r, lockSingle)
	if isIn(in3) {
		t.Fatal("a single write got in ahead of the read waiting before it")
	}
	inR2, outR2 := enterAsync(&r, lockShared)
	close(out1)
	if isIn(inR) {
		t.Fatal("the read got in while a single write still held the room")
	}
	close(out2)
	mustEnter(t, inR, "the waiting read")
	if isIn(in3) {
		t.Fatal("the single write behind the read got in with it")
	}
	if isIn(inR2) {
		t.Fatal("a read behind the single write got in ahead of it")
	}
	close(outR)
	mustEnter(t, in3, "the single write")
	inX, outX := enterAsync(&r, lockExclusive)
	close(out3)
	mustEnter(t, inR2, "the read behind the single write")
	if isIn(inX) {
		t.Fatal("an exclusive write got in beside a read")
	}
	close(outR2)
	mustEnter(t, inX, "the exclusive write")
	inY, outY := enterAsync(&r, lockExclusive)
	if isIn(inY) {
		t.Fatal("two exclusive writes held the room together")
	}
	close(outX)
	mustEnter(t, inY, "the second exclusive write")
	close(outY)
}

// Many holders of every kind at once: the kinds never overlap, and every
// holder gets in (bounded in count and time).
func TestRoomUnderLoad(t *testing.T) {
	var r room
	var held [4]atomic.Int32 // by lockMode
	var wg sync.WaitGroup
	kinds := []lockMode{lockShared, lockExclusive, lockSingle}
	for g := range 12 {
		kind := kinds[g%len(kinds)]
		wg.Go(func() {
			for range 300 {
				r.enter(kind)
				n := held[kind].Add(1)
				for _, other := range kinds {
					if other != kind && held[other].Load() > 0 {
						t.Errorf("%v held beside %v", kind, other)
					}
				}
				if kind == lockExclusive && n > 1 {
					t.Errorf("%d exclusive holders at once", n)
				}
				held[kind].Add(-1)
				r.leave()
			}
		})
	}
	wg.Wait()
}

// HSET of one field and SADD of one member from many clients of one node
// run together: the engine stores those that meet in one batch, and
// every field and member is there.
func TestSingleWritesOfOneCollectionCombine(t *testing.T) {
	coord, db := engineNode(t)
	d := engineDispatcher(coord)
	const clients, each = 8, 150
	runClients(d, clients, func(c int, s *Session) {
		for i := range each {
			for _, args := range [][]string{
				{"hset", "h", fmt.Sprintf("f%d-%d", c, i), "v"},
				{"sadd", "s", fmt.Sprintf("m%d-%d", c, i)},
			} {
				if r := doWords(d, s, args...); r.Kind != resp.KindInt || r.Int != 1 {
					t.Errorf("%v: %v, want 1", args, r)
					return
				}
			}
		}
	})
	s := d.NewSession(99, "127.0.0.1:5000", "127.0.0.1:6379")
	for _, args := range [][]string{{"hlen", "h"}, {"scard", "s"}} {
		if r := doWords(d, s, args...); r.Kind != resp.KindInt || r.Int != clients*each {
			t.Errorf("%v = %v, want %d", args, r, clients*each)
		}
	}
	if got := db.Stats().Combined; got == 0 {
		t.Errorf("no write combined among %d clients writing one hash and one set", clients)
	} else {
		t.Logf("%d of %d writes combined", got, 2*clients*each)
	}
}
