package engine

import (
	"errors"
	"slices"
	"testing"

	"github.com/ringkv/ringkv/replica/version"
)

// UpdateGroupHinted stores a group whole or not at all: fn's error on a
// later key leaves the earlier keys as they were; otherwise every
// changed key, its expiry index entry and its hints are written, and fn
// sees the keys in order.
func TestUpdateGroupHinted(t *testing.T) {
	db := openMem(t, testOptions(t))
	keys := [][]byte{[]byte("hdr"), []byte("elem"), []byte("same")}
	mustUpdate(t, db, "same", setTo("n1", "kept", 0))
	boom := errors.New("refused")

	_, err := db.UpdateGroupHinted(keys, nil, []string{"n2"}, func(i int, cur version.Set) (version.Set, bool, error) {
		if i == 1 {
			return nil, false, boom
		}
		return put(cur, "n1", "v", 0), true, nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want fn's", err)
	}
	if s := mustGet(t, db, "hdr"); len(s) != 0 {
		t.Fatalf("hdr = %v after the group failed on a later key; want nothing written", values(s))
	}

	var order []int
	got, err := db.UpdateGroupHinted(keys, nil, []string{"n2"}, func(i int, cur version.Set) (version.Set, bool, error) {
		order = append(order, i)
		if i == 2 {
			return cur, false, nil // unchanged: not written, not hinted
		}
		return put(cur, "n1", string(keys[i]), int64(100+i)), true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(order, []int{0, 1, 2}) {
		t.Errorf("fn saw keys %v, want 0 1 2 in order", order)
	}
	for i, k := range []string{"hdr", "elem"} {
		if v := values(mustGet(t, db, k)); !slices.Equal(v, []string{k}) || !slices.Equal(values(got[i]), v) {
			t.Errorf("%s = %v (returned %v), want [%s]", k, v, values(got[i]), k)
		}
	}
	if v := values(got[2]); !slices.Equal(v, []string{"kept"}) {
		t.Errorf("unchanged key returned %v, want its stored [kept]", v)
	}
	if e := indexEntries(t, db); len(e) != 2 {
		t.Errorf("expiry index = %v, want hdr's and elem's entries", e)
	}
	var hinted []string
	if err := db.EachHint("n2", func(k []byte, _ version.Set) bool { hinted = append(hinted, string(k)); return true }); err != nil {
		t.Fatal(err)
	}
	slices.Sort(hinted)
	if !slices.Equal(hinted, []string{"elem", "hdr"}) {
		t.Errorf("hints for n2 = %v, want elem and hdr", hinted)
	}
}
