package engine

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ringkv/ringkv/replica/version"
)

// count reads a set holding one decimal value (0 if none).
func count(t testing.TB, s version.Set) int {
	t.Helper()
	v := values(s)
	if len(v) == 0 {
		return 0
	}
	n, err := strconv.Atoi(v[0])
	if err != nil || len(v) != 1 {
		t.Fatalf("counter holds %v", v)
	}
	return n
}

// queued waits until n writes wait in key's stripe queue.
func queued(t *testing.T, db *DB, key string, n int) {
	t.Helper()
	q := &db.writeQ[Hash([]byte(key))%stripes]
	deadline := time.Now().Add(10 * time.Second)
	for {
		q.mu.Lock()
		got := len(q.q)
		q.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued behind the leader, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// Writes to one collection that queue behind a write in progress are run
// together when it ends, in the order they came, each on the sets the
// ones before it left, and stored in one batch. A queued write whose fn
// fails is refused alone.
func TestWritesToOneStripeCombine(t *testing.T) {
	db := openMem(t, testOptions(t))
	hdr := "{c}hdr"
	bump := func(elem string, refuse bool, entered, release chan struct{}) func(int, version.Set) (version.Set, bool, error) {
		return func(i int, cur version.Set) (version.Set, bool, error) {
			if i == 1 {
				if refuse {
					return nil, false, errors.New("refused")
				}
				return put(cur, "n1", elem, 0), true, nil
			}
			if entered != nil {
				close(entered)
				<-release
			}
			return put(cur, "n1", strconv.Itoa(count(t, cur)+1), 0), true, nil
		}
	}
	type result struct {
		sets []version.Set
		err  error
	}
	const waiting = 10
	results := make([]result, waiting+1)
	var wg sync.WaitGroup
	write := func(j int, fn func(int, version.Set) (version.Set, bool, error)) {
		defer wg.Done()
		keys := [][]byte{[]byte(hdr), fmt.Appendf(nil, "{c}e%d", j)}
		results[j].sets, results[j].err = db.UpdateGroupHinted(keys, nil, nil, fn)
	}

	entered, release := make(chan struct{}), make(chan struct{})
	var releaseOnce sync.Once
	free := func() { releaseOnce.Do(func() { close(release) }) }
	defer wg.Wait()
	defer free() // on a failure below too, so the writers end
	wg.Add(1)
	go write(0, bump("e0", false, entered, release))
	<-entered // the leader holds the stripe, inside its fn
	for j := 1; j <= waiting; j++ {
		wg.Add(1)
		go write(j, bump(fmt.Sprintf("e%d", j), j == 5, nil, nil))
		queued(t, db, hdr, j) // one at a time, so the queue's order is j's
	}
	free()
	wg.Wait()

	for j, r := range results {
		if j == 5 {
			if r.err == nil {
				t.Errorf("write 5: no error, want its fn's refusal")
			}
			continue
		}
		if r.err != nil {
			t.Fatalf("write %d: %v", j, r.err)
		}
		want := j + 1
		if j > 5 {
			want = j // write 5 counted nothing
		}
		if got := count(t, r.sets[0]); got != want {
			t.Errorf("write %d stored counter %d, want %d (each write on the sets of those before it)", j, got, want)
		}
	}
	if got := count(t, mustGet(t, db, hdr)); got != waiting {
		t.Errorf("counter = %d, want %d", got, waiting)
	}
	if s := mustGet(t, db, "{c}e5"); len(s) != 0 {
		t.Errorf("the refused write's element = %v, want nothing", values(s))
	}
	if v := values(mustGet(t, db, "{c}e7")); !slices.Equal(v, []string{"e7"}) {
		t.Errorf("e7 = %v", v)
	}
	// The leader wrote alone; the first write that queued led the rest.
	if got := db.Stats().Combined; got != waiting-1 {
		t.Errorf("writes combined = %d, want %d: all but the first of those that queued, in one batch", got, waiting-1)
	}
}

// Many writers on one key lose no update, whether they lead or queue, and
// single-key Update combines as groups do.
func TestCombinedWritesLoseNothing(t *testing.T) {
	db := openMem(t, testOptions(t))
	const writers, each = 8, 200
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				_, err := db.Update([]byte("hot"), func(cur version.Set) (version.Set, bool, error) {
					return put(cur, "n1", strconv.Itoa(count(t, cur)+1), 0), true, nil
				})
				if err != nil {
					t.Errorf("writer %d, write %d: %v", w, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if got := count(t, mustGet(t, db, "hot")); got != writers*each {
		t.Fatalf("counter = %d, want %d", got, writers*each)
	}
	st := db.Stats()
	if st.Combined == 0 {
		t.Errorf("no write combined among %d writers of one key", writers)
	}
	t.Logf("%d of %d writes combined", st.Combined, writers*each)
}

// A closed DB refuses a combined write.
func TestCombinedWriteAfterClose(t *testing.T) {
	db := openMem(t, testOptions(t))
	db.Close()
	if _, err := db.Update([]byte("k"), setTo("n1", "v", 0)); !errors.Is(err, ErrClosed) {
		t.Fatalf("err = %v, want ErrClosed", err)
	}
}

// A change function that panics is its caller's panic when the write
// runs alone (the queue then goes on to the next write) and refuses its
// own write in a round, whoever leads it; the stripe goes on: the writes
// queued behind it get an answer and later writes run.
func TestCombinedWritePanics(t *testing.T) {
	for _, leaderPanics := range []bool{false, true} {
		db := openMem(t, testOptions(t))
		entered, release := make(chan struct{}), make(chan struct{})
		leaderErr := make(chan any, 1)
		go func() {
			defer func() { leaderErr <- recover() }()
			_, _ = db.Update([]byte("k"), func(cur version.Set) (version.Set, bool, error) {
				close(entered)
				<-release
				if leaderPanics {
					panic("leader's bug")
				}
				return put(cur, "n1", "lead", 0), true, nil
			})
		}()
		<-entered
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for j := range 2 {
			wg.Go(func() {
				defer func() { // as a connection recovers its command's panic
					if r := recover(); r != nil {
						errs[j] = fmt.Errorf("panic: %v", r)
					}
				}()
				_, errs[j] = db.Update([]byte("k"), func(cur version.Set) (version.Set, bool, error) {
					if j == 0 {
						panic("queued bug")
					}
					return put(cur, "n1", "second", 0), true, nil
				})
			})
			queued(t, db, "k", j+1)
		}
		close(release)
		wg.Wait()
		if r := <-leaderErr; (r != nil) != leaderPanics {
			t.Errorf("leader panics %v: its caller recovered %v", leaderPanics, r)
		}
		if errs[0] == nil {
			t.Errorf("leader panics %v: the panicking queued write got no error", leaderPanics)
		}
		if errs[1] != nil { // in the leader's round, or (its leader's panic gave up the queue) a round of its own
			t.Errorf("leader panics %v: the other queued write got %v", leaderPanics, errs[1])
		}
		mustUpdate(t, db, "k", setTo("n1", "after", 0))
		if v := values(mustGet(t, db, "k")); !slices.Equal(v, []string{"after"}) {
			t.Errorf("leader panics %v: k = %v after the round, want [after]", leaderPanics, v)
		}
	}
}
