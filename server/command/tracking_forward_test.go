package command

import (
	"context"
	"strings"
	"testing"
)

// trackFan is another node's side of tracking: the invalidations this
// node fans out, with their origins.
type trackFan struct {
	fakeFan
	origins []Origin
	keys    []string
}

func (tf *trackFan) Invalidate(_ context.Context, keys [][]byte, _ bool, origin Origin) {
	tf.origins = append(tf.origins, origin)
	for _, k := range keys {
		tf.keys = append(tf.keys, string(k))
	}
}

func (tf *trackFan) AnnounceTracking(context.Context) {}

// TestTrackingRunFor: a session running commands forwarded for a client of
// another node records the keys its read-only commands read, in a
// transaction and a script too, and names the client in the invalidations
// its writes fan out.
func TestTrackingRunFor(t *testing.T) {
	f, _ := trackFixture(t)
	tf := &trackFan{}
	f.d.SetFanout(tf)
	f.d.RemoteTracking() // the client's node announced its tracking session
	peer := &client{f: f, s: f.d.NewSession(0, "peer:n1", ""), box: &inbox{}}
	peer.s.RunFor(Origin{Node: "n1", ID: 7})
	peer.do("MULTI")
	peer.do("GET", "a")
	peer.do("SET", "w", "1")
	peer.do("MGET", "b", "c")
	peer.do("EXEC")
	peer.do("EVAL", "return redis.call('GET', KEYS[1])", "1", "d")
	peer.do("SET", "e", "1")
	if got := string(joinKeys(peer.s.TrackedReads())); got != "a b c d" {
		t.Errorf("reads recorded: %q, want %q", got, "a b c d")
	}
	if len(tf.origins) != 2 || tf.origins[0] != (Origin{Node: "n1", ID: 7}) || strings.Join(tf.keys, " ") != "w e" {
		t.Errorf("fanned out: %v %+v, want w e for {n1 7}", tf.keys, tf.origins)
	}
	plain := f.client(3)
	plain.do("GET", "z")
	if plain.s.TrackedReads() != nil || f.d.pubsub.track.keys != nil {
		t.Error("a read of a session that does not track was recorded (another node's lease holds)")
	}
}

func joinKeys(keys [][]byte) []byte {
	var b []byte
	for i, k := range keys {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, k...)
	}
	return b
}

// TestTrackingForwardedRan: the keys a command of a tracking client read
// on another node are remembered as its own reads are, under OPTIN and
// OPTOUT with CLIENT CACHING, which holds for that one command; NOLOOP
// holds for the client's writes whichever session ran them (the client's
// ID comes back with their invalidations).
func TestTrackingForwardedRan(t *testing.T) {
	f, l := trackFixture(t)
	in, out, loop, w := l.add(f.client(1)), l.add(f.client(2)), l.add(f.client(3)), f.client(4)
	for _, c := range []*client{in, out, loop} {
		c.do("HELLO", "3")
	}
	in.do("CLIENT", "TRACKING", "on", "OPTIN")
	out.do("CLIENT", "TRACKING", "on", "OPTOUT")
	loop.do("CLIENT", "TRACKING", "on", "NOLOOP")
	if f.d.TracksForwarded(w.s) || !f.d.TracksForwarded(in.s) {
		t.Fatal("TracksForwarded: want only tracking sessions")
	}
	in.do("CLIENT", "CACHING", "yes")
	f.d.ForwardedRan(in.s, nil) // a forwarded SET: it took CACHING yes
	f.d.ForwardedRan(in.s, [][]byte{[]byte("k1")})
	in.do("CLIENT", "CACHING", "yes")
	f.d.ForwardedRan(in.s, [][]byte{[]byte("k2")})
	out.do("CLIENT", "CACHING", "no")
	f.d.ForwardedRan(out.s, [][]byte{[]byte("k1")})
	f.d.ForwardedRan(out.s, [][]byte{[]byte("k2")})
	w.do("MSET", "k1", "v", "k2", "v")
	expect(t, "OPTIN: only the read after CACHING yes", in.box.take(), inv+"*1\r\n$2\r\nk2\r\n")
	expect(t, "OPTOUT: not the read after CACHING no", out.box.take(), inv+"*1\r\n$2\r\nk2\r\n")

	f.d.ForwardedRan(loop.s, [][]byte{[]byte("k")})
	f.d.Invalidate([][]byte{[]byte("k")}, loop.s.ID, false) // its own write, run on another node
	expect(t, "NOLOOP: own forwarded write", loop.box.take(), "")
	f.d.ForwardedRan(loop.s, [][]byte{[]byte("k")})
	f.d.Invalidate([][]byte{[]byte("k")}, 0, false)
	expect(t, "another client's write", loop.box.take(), invK)

	// a part of a split command (MSET, DEL) run here in a session of the
	// client's ID, as the router does
	loop.do("GET", "k")
	part := f.d.NewSession(loop.s.ID, loop.s.Addr, "")
	part.Authed = true
	f.d.Do(context.Background(), part, [][]byte{[]byte("SET"), []byte("k"), []byte("v")})
	expect(t, "NOLOOP: own write in a part session", loop.box.take(), "")
}
