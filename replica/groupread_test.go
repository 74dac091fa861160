package replica_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/version"
)

// theirs is a version written elsewhere, as a coordinator that did not
// reach this one would leave it.
func theirs(v string) version.Set {
	var s version.Set
	s, _ = s.Put("n9.a", version.Context{}, version.Sibling{Value: []byte(v), Time: 7}, 0)
	return s
}

// groupSaw writes only the group's first key and records what the
// function saw of every key.
func groupSaw(saw []string) replica.GroupFunc {
	return func(i int, cur version.Set, now int64, done []replica.Result) (*replica.Change, error) {
		if w, ok := cur.Winner(now); ok {
			saw[i] = string(w.Value)
		}
		if i > 0 {
			return nil, nil
		}
		return &replica.Change{Context: cur.Context(), Value: []byte("mine")}, nil
	}
}

// served sums the calls of method that nodes served.
func (tc *testCluster) servedOf(method uint8, nodes ...string) int64 {
	var n int64
	for _, node := range nodes {
		n += tc.served[node][method].Load()
	}
	return n
}

// catchUpTheirs gives n2 and n3 a version of kb that n1 lacks, then
// writes the group ka, kb, kc from n1 on a quorum read, and checks that
// the group decided kb on the replicas' version. It returns the keys.
func catchUpTheirs(t *testing.T, tc *testCluster) [][]byte {
	t.Helper()
	keys := [][]byte{[]byte("ka"), []byte("kb"), []byte("kc")}
	for _, n := range []string{"n2", "n3"} {
		if _, _, err := tc.stores[n].Merge(keys[1], theirs("kb-theirs")); err != nil {
			t.Fatal(err)
		}
	}
	saw := make([]string, len(keys))
	if _, err := tc.coords["n1"].UpdateGroup(context.Background(), keys, replica.WriteOptions{Read: true}, groupSaw(saw)); err != nil {
		t.Fatal(err)
	}
	if saw[1] != "kb-theirs" {
		t.Errorf("the group decided kb on %q, want the replicas' kb-theirs", saw[1])
	}
	return keys
}

// A group write decided on a quorum read reads all its keys from a
// replica in one request (MethodGetGroup), not one MethodGet per key, and
// decides on what the replicas hold.
func TestGroupCatchUpReadsAReplicaOnce(t *testing.T) {
	tc := newCluster(t, 3, 2, 2)
	keys := catchUpTheirs(t, tc)
	if s, _ := tc.stores["n1"].Get(keys[1]); value(t, s) != "kb-theirs" {
		t.Errorf("n1 did not keep what it caught up: kb = %q", value(t, s))
	}
	gets, groups := tc.servedOf(replica.MethodGet, "n2", "n3"), tc.servedOf(replica.MethodGetGroup, "n2", "n3")
	t.Logf("replicas served %d gets, %d group gets", gets, groups)
	if gets != 0 || groups < 1 || groups > 2 { // a second only if the first was slow (speculation)
		t.Errorf("the catch-up of 3 keys made %d gets and %d group gets, want 0 and 1", gets, groups)
	}
}

// A replica that answered a group's read with less gets the keys it
// lacks in the background (read repair), and the coordinator, which held
// them, writes nothing for them.
func TestGroupReadRepairsTheReplicaAsked(t *testing.T) {
	tc := newCluster(t, 3, 2, 2)
	keys := [][]byte{[]byte("ka"), []byte("kb"), []byte("kc")}
	for _, k := range keys[1:] {
		if _, _, err := tc.stores["n1"].Merge(k, theirs(string(k)+"-n1")); err != nil {
			t.Fatal(err)
		}
	}
	writes := tc.stores["n1"].Stats().Writes
	saw := make([]string, len(keys))
	if _, err := tc.coords["n1"].UpdateGroup(context.Background(), keys, replica.WriteOptions{Read: true}, groupSaw(saw)); err != nil {
		t.Fatal(err)
	}
	if saw[1] != "kb-n1" || saw[2] != "kc-n1" {
		t.Errorf("the group saw kb, kc = %q, %q", saw[1], saw[2])
	}
	if got := tc.stores["n1"].Stats().Writes - writes; got != 1 {
		t.Errorf("n1 made %d writes, want 1 (ka; kb and kc held already)", got)
	}
	var asked string
	for _, n := range []string{"n2", "n3"} {
		if tc.served[n][replica.MethodGetGroup].Load() > 0 {
			asked = n
		}
	}
	if asked == "" {
		t.Fatal("no replica was asked for the group")
	}
	eventually(t, func() bool {
		b, _ := tc.stores[asked].Get(keys[1])
		c, _ := tc.stores[asked].Get(keys[2])
		return value(t, b) == "kb-n1" && value(t, c) == "kc-n1"
	})
	eventually(t, func() bool { return tc.coords["n1"].Stats().ReadRepairs.Load() == 2 }) // kb and kc, counted once sent
}

// A replica answers a group's keys in replies of bounded size: the
// coordinator asks again for the rest and reads every key.
func TestGroupReadPagesLargeAnswers(t *testing.T) {
	replica.SetGetGroupReplyMax(t, 10)
	tc := newCluster(t, 3, 2, 2)
	keys := [][]byte{[]byte("ka")}
	for i := range 5 {
		keys = append(keys, fmt.Appendf(nil, "k%d", i))
	}
	for _, n := range []string{"n2", "n3"} {
		for _, k := range keys[1:] {
			if _, _, err := tc.stores[n].Merge(k, theirs(string(k)+"-theirs")); err != nil {
				t.Fatal(err)
			}
		}
	}
	saw := make([]string, len(keys))
	if _, err := tc.coords["n1"].UpdateGroup(context.Background(), keys, replica.WriteOptions{Read: true}, groupSaw(saw)); err != nil {
		t.Fatal(err)
	}
	for i, k := range keys[1:] {
		if want := string(k) + "-theirs"; saw[i+1] != want {
			t.Errorf("the group saw %s = %q, want %q", k, saw[i+1], want)
		}
	}
	if got := tc.servedOf(replica.MethodGetGroup, "n2", "n3"); got < 5 {
		t.Errorf("the replicas served %d group gets, want one per key at a 10-byte reply bound", got)
	}
}

// Reads of different keys sent to one replica at once travel together:
// while a peer's requests are out, the next reads queue and go as one
// MethodGetGroup, and each gets its own key's set.
func TestConcurrentReadsToAReplicaShareFrames(t *testing.T) {
	tc := newCluster(t, 3, 2, 2)
	const n = 40
	concurrentReads(t, tc, n, 5*time.Millisecond, nil, nil)
	groups := tc.servedOf(replica.MethodGetGroup, "n2", "n3")
	gets := tc.servedOf(replica.MethodGet, "n2", "n3")
	t.Logf("%d reads: %d gets, %d group gets, %d batched", n, gets, groups, tc.coords["n1"].Stats().GetBatched.Load())
	if groups == 0 || gets+groups >= n {
		t.Errorf("%d concurrent reads made %d gets and %d group gets, want them batched", n, gets, groups)
	}
}

// A quorum read's remote reads wait in their replicas' batchers, not in
// a goroutine each: while n reads are out to slow replicas, the node
// runs about n goroutines more (the callers'), not 2n or more.
func TestQueuedRemoteReadsHaveNoGoroutineEach(t *testing.T) {
	tc := newCluster(t, 3, 2, 2)
	const n = 40
	base, peak := 0, 0
	concurrentReads(t, tc, n, 20*time.Millisecond, func() { base = runtime.NumGoroutine() }, func(finished <-chan struct{}) {
		for {
			select {
			case <-finished:
				return
			case <-time.After(time.Millisecond):
				peak = max(peak, runtime.NumGoroutine()-base)
			}
		}
	})
	// The callers, the waiter above, and per replica the batch senders
	// and the handlers they reach (with a goroutine per remote read: 119).
	t.Logf("%d reads: at most %d goroutines more", n, peak)
	if peak > n+16 {
		t.Errorf("%d reads to slow replicas ran %d goroutines more, want at most %d", n, peak, n+16)
	}
}

// concurrentReads writes k0..k<n-1> from n1, delays n1's messages to n2
// and n3 by delay, then reads every key from n1 at once and checks each
// value. before (if not nil) runs just before the reads start, during
// (if not nil) while they are out, until finished closes.
func concurrentReads(t *testing.T, tc *testCluster, n int, delay time.Duration, before func(), during func(finished <-chan struct{})) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		if _, err := tc.coords["n1"].Update(ctx, fmt.Appendf(nil, "k%d", i), replica.WriteOptions{}, set(fmt.Sprintf("v%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	tc.net.SetDelay("n1", "n2", delay)
	tc.net.SetDelay("n1", "n3", delay)
	if before != nil {
		before()
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := tc.coords["n1"].Get(ctx, fmt.Appendf(nil, "k%d", i), replica.ReadOptions{})
			if err == nil && value(t, s) != fmt.Sprintf("v%d", i) {
				err = fmt.Errorf("k%d = %q", i, value(t, s))
			}
			errs <- err
		}()
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	if during != nil {
		during(finished)
	}
	<-finished
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// A replica of an older build refuses MethodGetGroup: group reads and
// batched reads fall back to one MethodGet per key and still decide on
// what it holds.
func TestGroupReadsFallBackOnAnOlderReplica(t *testing.T) {
	tc := newClusterWith(t, clusterOpts{n: 3, r: 2, w: 2, refuse: func(_ string, m uint8) bool { return m == replica.MethodGetGroup }})
	keys := catchUpTheirs(t, tc)
	if gets := tc.servedOf(replica.MethodGet, "n2", "n3"); gets < 3 {
		t.Errorf("the replicas served %d gets after refusing the group read, want one per key", gets)
	}
	tc.net.SetDelay("n1", "n2", 5*time.Millisecond)
	tc.net.SetDelay("n1", "n3", 5*time.Millisecond)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := keys[i%len(keys)]
			if _, err := tc.coords["n1"].Get(context.Background(), k, replica.ReadOptions{}); err != nil {
				t.Errorf("Get %s: %v", k, err)
			}
		}()
	}
	wg.Wait()
}
