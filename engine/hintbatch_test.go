package engine

import (
	"errors"
	"testing"

	"github.com/syndtr/goleveldb/leveldb/storage"
)

// A write and the hints for the replicas its coordinator knows are down go
// to disk together: both or neither, counts included.
func TestUpdateHintedWritesRecordAndHintsTogether(t *testing.T) {
	fs := &faultStorage{Storage: storage.NewMemStorage()}
	defer fs.Storage.Close()
	db := openFault(t, fs)
	defer db.Close()
	stored, err := db.UpdateHinted([]byte("k"), []string{"n2", "n3"}, setTo("a", "v1", 0))
	if err != nil {
		t.Fatal(err)
	}
	if st := db.HintStats(); st.Pending != 2 {
		t.Fatalf("pending hints = %d, want 2", st.Pending)
	}
	hinted, err := db.HintedSet([]byte("k"))
	if err != nil || !hinted.Equal(stored) {
		t.Fatalf("hinted set %v, %v; want the stored set %v", hinted, err, stored)
	}
	fs.failWrite.Store(true)
	if _, err := db.UpdateHinted([]byte("j"), []string{"n2"}, setTo("a", "v", 0)); !errors.Is(err, errInjected) {
		t.Fatalf("UpdateHinted with a failing journal = %v", err)
	}
	if st := db.HintStats(); st.Pending != 2 || st.Targets["n2"].Pending != 1 {
		t.Fatalf("a failed write left hint counts %+v", st)
	}
	if h, _ := db.HintedSet([]byte("j")); len(h) != 0 {
		t.Fatalf("a failed write left a hint: %v", h)
	}
}
