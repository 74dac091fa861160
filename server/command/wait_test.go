package command

import (
	"context"
	"testing"
	"time"

	"github.com/ringkv/ringkv/replica"
)

// ring3 is a Topology of three members.
type ring3 struct{ localTopology }

func (ring3) Members() []Member { return []Member{{Name: "a"}, {Name: "b"}, {Name: "c"}} }
func (ring3) Clustered() bool   { return true }

// shortKV is a KV whose writes miss their quorum with got copies.
type shortKV struct {
	*memKV
	got int
}

func (k shortKV) Update(ctx context.Context, key []byte, o replica.WriteOptions, fn replica.UpdateFunc) (replica.Result, error) {
	res, err := k.memKV.Update(ctx, key, o, fn)
	if err != nil || !res.Written() {
		return res, err
	}
	return res, &replica.QuorumError{Op: "W", Need: 2, Got: k.got}
}

func TestWaitSingleNode(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> WAIT 0 0
		(integer) 0
		> SET k v
		OK
		> WAIT 1 0
		(integer) 0
		> WAIT 5 10
		(integer) 0
		> WAIT
		(error) ERR wrong number of arguments for 'wait' command
		> WAIT a 0
		(error) ERR value is not an integer or out of range
		> WAIT 0 a
		(error) ERR timeout is not an integer or out of range
		> WAIT 0 -1
		(error) ERR timeout is negative
		> WAIT -1 0
		(integer) 0
	`)
}

// TestWaitCounts checks WAIT's mapping in a 3-node ring with W=2: the
// coordinator answered after 2 copies, so one replica besides one copy
// holds the write.
func TestWaitCounts(t *testing.T) {
	kv := newMemKV()
	env := &Env{KV: kv, Topology: ring3{}, Clock: func() time.Time { return time.UnixMilli(kv.Now()) }}
	d := New(env)
	s := d.NewSession(1, "127.0.0.1:1", "")
	do := func(args ...string) int64 { return d.Do(context.Background(), s, bytesOf(args)).Int }
	if n := do("WAIT", "2", "0"); n != 2 {
		t.Errorf("WAIT before any write = %d, want 2 (N=3: every replica holds nothing missing)", n)
	}
	do("SET", "k", "v")
	if n := do("WAIT", "2", "0"); n != 1 {
		t.Errorf("WAIT after a write acknowledged by W=2 = %d, want 1", n)
	}
	do("CONFIG", "SET", "w", "3")
	do("INCR", "n")
	if n := do("WAIT", "2", "0"); n != 2 {
		t.Errorf("WAIT after a write acknowledged by W=3 = %d, want 2", n)
	}
	do("SET", "k", "v", "NX") // writes nothing: the last write stays the INCR
	if n := do("WAIT", "2", "0"); n != 2 {
		t.Errorf("WAIT after a SET NX that wrote nothing = %d, want 2", n)
	}

	short := New(&Env{KV: shortKV{memKV: newMemKV(), got: 1}, Topology: ring3{}})
	s = short.NewSession(2, "127.0.0.1:2", "")
	if r := short.Do(context.Background(), s, bytesOf([]string{"SET", "k", "v"})); !r.IsError() {
		t.Fatalf("SET under a missed quorum: %s", r)
	}
	if n := short.Do(context.Background(), s, bytesOf([]string{"WAIT", "1", "0"})).Int; n != 0 {
		t.Errorf("WAIT after a write only its coordinator acknowledged = %d, want 0", n)
	}
}
