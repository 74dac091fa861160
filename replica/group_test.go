package replica_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/version"
)

// groupSet writes "v<i>" to each key of a group, and checks that every
// key after the first sees the earlier keys' dots.
func groupSet(t *testing.T) replica.GroupFunc {
	return func(i int, cur version.Set, now int64, done []replica.Result) (*replica.Change, error) {
		if len(done) != i {
			t.Errorf("key %d saw %d results, want %d", i, len(done), i)
		}
		for j, r := range done {
			if !r.Written() {
				t.Errorf("key %d: key %d's result has no dot", i, j)
			}
		}
		return &replica.Change{Context: cur.Context(), Value: []byte{'v', byte('0' + i)}}, nil
	}
}

// A group is stored on the coordinator and sent to each replica as one
// MethodMergeBatch frame; the buffers it was given may be reused once it
// returns (the copies still in flight hold their own).
func TestUpdateGroupOneFrame(t *testing.T) {
	tc := newCluster(t, 3, 2, 2)
	tc.net.SetDelay("n1", "n3", 30*time.Millisecond) // n3's copy arrives after the ack
	buf := []byte("ka kb")
	keys := [][]byte{buf[:2], buf[3:]}
	res, err := tc.coords["n1"].UpdateGroup(context.Background(), keys, replica.WriteOptions{Read: true}, groupSet(t))
	if err != nil || len(res) != 2 || !res[0].Written() || !res[1].Written() {
		t.Fatalf("UpdateGroup = %+v, %v", res, err)
	}
	copy(buf, "kx ky")
	eventually(t, func() bool {
		s, _ := tc.stores["n3"].Get([]byte("kb"))
		return len(s) > 0
	})
	for _, n := range []string{"n1", "n2", "n3"} {
		for i, k := range []string{"ka", "kb"} {
			s, _ := tc.stores[n].Get([]byte(k))
			if got := value(t, s); got != "v"+string(rune('0'+i)) {
				t.Errorf("%s holds %s = %q", n, k, got)
			}
		}
		if s, _ := tc.stores[n].Get([]byte("kx")); len(s) != 0 {
			t.Errorf("%s stored the reused buffer's key kx", n)
		}
		if got := tc.served[n][replica.MethodMerge].Load(); got != 0 {
			t.Errorf("%s served %d single merges, want the group in one batch", n, got)
		}
	}
	for _, n := range []string{"n2", "n3"} {
		if got := tc.served[n][replica.MethodMergeBatch].Load(); got != 1 {
			t.Errorf("%s served %d merge batches, want 1", n, got)
		}
	}
}

// From a node outside the preference list a group is written key by
// key through a replica; keys of different preference lists, or the
// same key twice, are refused.
func TestUpdateGroupOutsideAndGuards(t *testing.T) {
	tc := newCluster(t, 3, 2, 2, "n4")
	ctx := context.Background()
	res, err := tc.coords["n4"].UpdateGroup(ctx, [][]byte{[]byte("ka"), []byte("kb")}, replica.WriteOptions{}, groupSet(t))
	if err != nil || len(res) != 2 || !strings.HasPrefix(res[1].Dot.Node, "n1.") {
		t.Fatalf("UpdateGroup from outside = %+v, %v", res, err)
	}
	if s, _ := tc.stores["n1"].Get([]byte("kb")); value(t, s) != "v1" {
		t.Errorf("n1 holds kb = %q, want v1", value(t, s))
	}
	if _, err := tc.coords["n1"].UpdateGroup(ctx, [][]byte{[]byte("k"), []byte("k")}, replica.WriteOptions{}, groupSet(t)); err == nil {
		t.Error("a group naming one key twice was accepted")
	}
}

// A group whose function refuses a later key writes nothing anywhere.
func TestUpdateGroupRefusedWritesNothing(t *testing.T) {
	tc := newCluster(t, 3, 2, 2)
	_, err := tc.coords["n1"].UpdateGroup(context.Background(), [][]byte{[]byte("ka"), []byte("kb")}, replica.WriteOptions{Read: true},
		func(i int, cur version.Set, now int64, done []replica.Result) (*replica.Change, error) {
			if i == 1 {
				return nil, errRefused
			}
			return &replica.Change{Context: cur.Context(), Value: []byte("v")}, nil
		})
	if err != errRefused {
		t.Fatalf("err = %v, want the function's", err)
	}
	time.Sleep(20 * time.Millisecond)
	for n, db := range tc.stores {
		if s, _ := db.Get([]byte("ka")); len(s) != 0 {
			t.Errorf("%s stored ka of a refused group", n)
		}
	}
}

var errRefused = errors.New("test: refused")

// A key given as nil is named in its turn from the dots before it, then
// stored and replicated like the others; a name that hashes elsewhere is
// refused and nothing is written.
func TestUpdateGroupNamed(t *testing.T) {
	tc := newCluster(t, 3, 2, 2)
	ctx := context.Background()
	name := func(i int, done []replica.Result) []byte {
		return []byte("{k}:" + done[0].Dot.Node[:2])
	}
	res, err := tc.coords["n1"].UpdateGroupNamed(ctx, [][]byte{[]byte("{k}"), nil}, name, replica.WriteOptions{Read: true}, groupSet(t))
	if err != nil || len(res) != 2 || !res[1].Written() {
		t.Fatalf("UpdateGroupNamed = %+v, %v", res, err)
	}
	eventually(t, func() bool {
		for _, db := range tc.stores {
			if s, _ := db.Get([]byte("{k}:n1")); len(s) == 0 {
				return false
			}
		}
		return true
	})
	elsewhere := func(int, []replica.Result) []byte { return []byte("other") }
	if _, err := tc.coords["n1"].UpdateGroupNamed(ctx, [][]byte{[]byte("{j}"), nil}, elsewhere, replica.WriteOptions{}, groupSet(t)); err == nil {
		t.Fatal("a name outside the group's placement was accepted")
	}
	if s, _ := tc.stores["n1"].Get([]byte("{j}")); len(s) != 0 {
		t.Error("the refused group wrote its first key")
	}
}
