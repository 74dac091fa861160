package engine

import "testing"

// The floor belongs to the actor it was raised under, survives a reopen,
// and a new actor starts from 0.
func TestCounterFloorFollowsTheActor(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	if f, err := db.CounterFloor(); err != nil || f != 0 {
		t.Fatalf("fresh floor = %d, %v", f, err)
	}
	for _, c := range []uint64{7, 3} { // never lowered
		if err := db.RaiseCounterFloor(c); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if db, err = Open(dir, testOptions(t)); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if f, _ := db.CounterFloor(); f != 7 {
		t.Fatalf("floor after reopen = %d, want 7", f)
	}
	if _, err := db.NewActor(); err != nil {
		t.Fatal(err)
	}
	if f, _ := db.CounterFloor(); f != 0 {
		t.Fatalf("floor under a new actor = %d, want 0", f)
	}
}
