package ring

import (
	"bytes"
	"testing"
)

func TestInternalKeys(t *testing.T) {
	for _, k := range [][]byte{[]byte("plain"), {}, {0xFF}, {0xFF, 0x00, 'x'}, {0xFF, 'h', 3, 'a', 'b', 'c', 'm'}, []byte("{tag}x")} {
		ik := InternalKey(k)
		got, ok := UserKey(ik)
		if !ok || !bytes.Equal(got, k) {
			t.Errorf("UserKey(InternalKey(%q)) = %q, %v", k, got, ok)
		}
		if IsElement(ik) {
			t.Errorf("user key %q's internal key reads as an element", k)
		}
		if Hash(ik) != Hash(k) {
			t.Errorf("Hash(InternalKey(%q)) differs from Hash(%q)", k, k)
		}
		for _, kind := range []byte{ElemHash, ElemSet, ElemZSet, ElemList} {
			for _, m := range [][]byte{nil, []byte("f"), {0xFF, 0xFF}} {
				ek := ElementKey(kind, k, m)
				gk, gkey, gm, ok := ParseElement(ek)
				if !ok || gk != kind || !bytes.Equal(gkey, k) || !bytes.Equal(gm, m) {
					t.Errorf("ParseElement(ElementKey(%c, %q, %q)) = %c %q %q %v", kind, k, m, gk, gkey, gm, ok)
				}
				if _, ok := UserKey(ek); ok {
					t.Errorf("element key %q reads as a user key", ek)
				}
				if Hash(ek) != Hash(k) {
					t.Errorf("element of %q hashes apart from its collection", k)
				}
				if !bytes.HasPrefix(ek, ElementPrefix(kind, k)) {
					t.Errorf("element key lacks its prefix")
				}
				if end := PrefixEnd(ElementPrefix(kind, k)); end != nil && bytes.Compare(ek, end) >= 0 {
					t.Errorf("element key %q sorts past its prefix's end %q", ek, end)
				}
			}
		}
	}
	// Two collections whose names are prefixes of one another never share
	// records: the length is part of the prefix.
	if bytes.HasPrefix(ElementKey(ElemSet, []byte("ab"), []byte("c")), ElementPrefix(ElemSet, []byte("a"))) {
		t.Error("collection a's prefix covers collection ab's records")
	}
	if got := PrefixEnd([]byte{1, 0xFF}); !bytes.Equal(got, []byte{2}) {
		t.Errorf("PrefixEnd = %v", got)
	}
	if PrefixEnd([]byte{0xFF}) != nil {
		t.Error("PrefixEnd of all-0xFF is not nil")
	}
}

func FuzzParseElement(f *testing.F) {
	f.Add([]byte{0xFF, 'h', 1, 'k', 'm'})
	f.Add([]byte{0xFF, 's', 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = Hash(b)
		if kind, k, m, ok := ParseElement(b); ok && !bytes.Equal(ElementKey(kind, k, m), b) {
			// Non-minimal varints parse; they are never written.
			if _, _, _, ok2 := ParseElement(ElementKey(kind, k, m)); !ok2 {
				t.Fatalf("re-encoding %q does not parse", b)
			}
		}
	})
}
