package replica_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ringkv/ringkv/engine"
	"github.com/ringkv/ringkv/replica"
)

// slowFlush is a store whose Flush takes longer than the request timeout,
// as emptying a million keys does.
type slowFlush struct {
	*engine.DB
	delay time.Duration
}

func (s slowFlush) Flush(before int64) error {
	time.Sleep(s.delay)
	return s.DB.Flush(before)
}

// slowFlushCluster starts n1..n3, each store taking 300 ms to flush (3x
// the request timeout), with membership's view of who is up.
func slowFlushCluster(t *testing.T, up func(string) bool) (map[string]*replica.Coordinator, map[string]*engine.DB) {
	tc := newClusterWith(t, clusterOpts{n: 3, r: 2, w: 2, timeout: 100 * time.Millisecond, up: up,
		store: func(db *engine.DB) replica.Store { return slowFlush{db, 300 * time.Millisecond} }})
	return tc.coords, tc.stores
}

// FLUSHALL waits for members that take longer than the request timeout to
// empty their stores (a 3-node cluster holding 1M keys answered "timed out
// waiting for replicas" and kept the keys of the members it gave up on).
func TestFlushOutlastsTheRequestTimeout(t *testing.T) {
	coords, stores := slowFlushCluster(t, func(string) bool { return true })
	ctx := context.Background()
	for i := range 10 {
		if _, err := coords["n1"].Update(ctx, fmt.Appendf(nil, "k%d", i), replica.WriteOptions{W: 3}, set("v")); err != nil {
			t.Fatal(err)
		}
	}
	if err := coords["n1"].Flush(ctx); err != nil {
		t.Fatalf("FLUSHALL with members slower than the request timeout: %v", err)
	}
	for name, db := range stores {
		if n := db.Len(); n != 0 {
			t.Errorf("%s holds %d keys after FLUSHALL", name, n)
		}
	}
}

// A member membership sees down is not waited for: FLUSHALL flushes the
// others and names it.
func TestFlushNamesADownMember(t *testing.T) {
	coords, stores := slowFlushCluster(t, func(n string) bool { return n != "n3" })
	ctx := context.Background()
	if _, err := coords["n1"].Update(ctx, []byte("k"), replica.WriteOptions{W: 2}, set("v")); err != nil {
		t.Fatal(err)
	}
	err := coords["n1"].Flush(ctx)
	if err == nil || !strings.Contains(err.Error(), "flush n3: down") {
		t.Fatalf("FLUSHALL with n3 down: %v, want it named", err)
	}
	for _, name := range []string{"n1", "n2"} {
		if n := stores[name].Len(); n != 0 {
			t.Errorf("%s holds %d keys after FLUSHALL", name, n)
		}
	}
}
