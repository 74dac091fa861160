package replica_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/version"
)

// Dynamo §4.7: a replica that missed writes (down, no hints: they were
// dropped) converges through anti-entropy without anyone reading the
// keys, and only the differing keys are repaired.
func TestAntiEntropyRepairsWhatDiffers(t *testing.T) {
	rc := newRing(t, 3, 0, 2, 2)
	ctx := context.Background()
	for i := range 200 {
		if _, err := rc.coords["n1"].Update(ctx, []byte(fmt.Sprint("same", i)), replica.WriteOptions{W: 3}, set("v")); err != nil {
			t.Fatal(err)
		}
	}
	rc.live.set("n3", true)
	const missed = 30
	for i := range missed {
		if _, err := rc.coords["n1"].Update(ctx, []byte(fmt.Sprint("missed", i)), replica.WriteOptions{}, set("v")); err != nil {
			t.Fatal(err)
		}
	}
	// The hints are lost (say, they aged out): only anti-entropy is left.
	if _, err := rc.stores["n1"].DropHints("n3"); err != nil {
		t.Fatal(err)
	}
	rc.live.set("n3", false)
	var repaired int
	for _, name := range []string{"n1", "n2", "n3"} {
		n, err := rc.coords[name].SyncOnce(ctx)
		if err != nil {
			t.Fatalf("SyncOnce on %s: %v", name, err)
		}
		repaired += n
	}
	if repaired != missed {
		t.Fatalf("anti-entropy repaired %d keys, want exactly the %d that differed", repaired, missed)
	}
	for i := range missed {
		if s, _ := rc.stores["n3"].Get([]byte(fmt.Sprint("missed", i))); value(t, s) != "v" {
			t.Fatalf("n3 lacks missed%d after anti-entropy", i)
		}
	}
	// In step: another round finds nothing.
	if n, err := rc.coords["n1"].SyncOnce(ctx); err != nil || n != 0 {
		t.Fatalf("second round repaired %d, %v", n, err)
	}
	if oldest, parts := rc.coords["n1"].OldestSync(); oldest == 0 || parts == 0 {
		t.Fatalf("OldestSync = %d over %d partitions after a full round", oldest, parts)
	}
}

// Anti-entropy merges, never overwrites: concurrent versions on two
// replicas both survive as siblings on both.
func TestAntiEntropyMergesSiblings(t *testing.T) {
	rc := newRing(t, 2, 0, 1, 1)
	ctx := context.Background()
	rc.net.Partition([]string{"n1"}, []string{"n2"})
	for _, n := range []string{"n1", "n2"} {
		if _, err := rc.coords[n].Update(ctx, []byte("k"), replica.WriteOptions{}, set("from-"+n)); err != nil {
			t.Fatal(err)
		}
		_, _ = rc.stores[n].DropHints(map[string]string{"n1": "n2", "n2": "n1"}[n])
	}
	rc.net.Heal()
	if _, err := rc.coords["n1"].SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"n1", "n2"} {
		s, _ := rc.stores[n].Get([]byte("k"))
		if len(s.Live(0)) != 2 {
			t.Fatalf("%s holds %v after anti-entropy, want both siblings", n, s)
		}
	}
}

// Deleted keys are reaped once every primary holds the tombstone and the
// grace has passed; a replica that was away when the key was deleted
// never brings it back, through anti-entropy or hints.
func TestReapAfterEveryPrimaryHoldsTheTombstone(t *testing.T) {
	rc := newRing(t, 3, 0, 2, 2)
	ctx := context.Background()
	key := []byte("gone")
	if _, err := rc.coords["n1"].Update(ctx, key, replica.WriteOptions{W: 3}, set("v")); err != nil {
		t.Fatal(err)
	}
	rc.live.set("n3", true)
	del := func(cur version.Set, now int64) (*replica.Change, error) {
		return &replica.Change{Context: cur.Context(), Delete: true}, nil
	}
	if _, err := rc.coords["n1"].Update(ctx, key, replica.WriteOptions{}, del); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond) // older than the grace (1ms), by the clock
	if n, _ := rc.coords["n1"].ReapOnce(ctx); n != 0 {
		t.Fatalf("reaped %d with a primary down", n)
	}
	rc.live.set("n3", false)
	rc.coords["n1"].NodeUp("n3")
	eventually(t, func() bool { return rc.hintsPending() == 0 })
	eventually(t, func() bool {
		_, _ = rc.coords["n1"].ReapOnce(ctx)
		for _, db := range rc.stores {
			if s, _ := db.Get(key); len(s) != 0 {
				return false
			}
		}
		return true
	})
	if got := rc.coords["n1"].Stats().TombstonesReaped.Load(); got != 1 {
		t.Fatalf("n1 counted %d reaped tombstones, want 1", got)
	}
	for _, name := range []string{"n1", "n2", "n3"} {
		if _, err := rc.coords[name].SyncOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	s, err := rc.coords["n2"].Get(ctx, key, replica.ReadOptions{R: 3})
	if err != nil || len(s) != 0 {
		t.Fatalf("after reaping and anti-entropy the key reads %v, %v", s, err)
	}
	// The key's next write continues above what was reaped: no dot of
	// the reaped history is issued again.
	res, err := rc.coords["n1"].Update(ctx, key, replica.WriteOptions{}, set("again"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Dot.Counter <= 2 {
		t.Fatalf("the write after reaping reissued counter %d (the reaped history went up to 2)", res.Dot.Counter)
	}
}

// Expired keys vanish the same way on every replica: each replica's sweep
// turns the expired value into a tombstone with the same stamp, so the
// replicas agree and the tombstone is reaped everywhere.
func TestExpiredKeyIsReapedOnEveryReplica(t *testing.T) {
	rc := newRing(t, 3, 0, 2, 2)
	ctx := context.Background()
	key := []byte("ttl")
	expiring := func(cur version.Set, now int64) (*replica.Change, error) {
		return &replica.Change{Context: cur.Context(), Value: []byte("v"), Expiry: now + 1}, nil
	}
	if _, err := rc.coords["n1"].Update(ctx, key, replica.WriteOptions{W: 3}, expiring); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond) // past the expiry and the 1ms grace, by the clock
	if n, _ := rc.coords["n1"].ReapOnce(ctx); n != 0 {
		t.Fatalf("reaped %d keys holding a value not yet swept", n)
	}
	for name, db := range rc.stores {
		if _, err := db.Sweep(time.Now().UnixMilli(), 100); err != nil {
			t.Fatalf("sweep on %s: %v", name, err)
		}
	}
	eventually(t, func() bool {
		_, _ = rc.coords["n1"].ReapOnce(ctx)
		for _, db := range rc.stores {
			if s, _ := db.Get(key); len(s) != 0 {
				return false
			}
		}
		return true
	})
}
