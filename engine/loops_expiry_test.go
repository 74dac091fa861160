package engine

import (
	"testing"
	"testing/synctest"
	"time"
)

// With active expiry off (DEBUG SET-ACTIVE-EXPIRE 0) the sweeper leaves
// expired keys stored; back on, it reaps them within a cycle or two.
func TestSetActiveExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := testOptions(t)
		o.SweepInterval = 100 * time.Millisecond
		db, err := OpenMem(o)
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := db.Close(); err != nil {
				t.Error(err)
			}
			time.Sleep(2 * time.Second) // goleveldb's mpoolDrain, as TestSweeperRunsOnItsOwn
		}()
		db.SetActiveExpiry(false)
		exp := time.Now().Add(100 * time.Millisecond).UnixMilli()
		for i := range 5 {
			mustUpdate(t, db, key(i), setTo("a", "v", exp))
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if db.Len() != 5 {
			t.Fatalf("Len = %d with active expiry off, want 5", db.Len())
		}
		db.SetActiveExpiry(true)
		time.Sleep(300 * time.Millisecond)
		synctest.Wait()
		if db.Len() != 0 {
			t.Fatalf("Len = %d with active expiry back on, want 0", db.Len())
		}
	})
}
