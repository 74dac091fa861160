package replica

import (
	"bytes"
	"testing"

	"github.com/ringkv/ringkv/replica/version"
)

// A delete's removal record (crdt.Removal) becomes its tombstone's
// KindCounter payload, also when another node forwarded the delete
// (MethodApply carries Value, not Kind); a delete without one is a plain
// tombstone, as before.
func TestChangeRemovalRecordSibling(t *testing.T) {
	rec := []byte{1, 0, 2, 0, 0, 0, 0}
	ch := &Change{Delete: true, Value: rec}
	_, _, fwd, err := decodeApply(encodeApply([]byte("k"), 2, ch))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*Change{ch, fwd} {
		sb := c.Sibling(9)
		if !sb.Tombstone || sb.Kind != version.KindCounter || !bytes.Equal(sb.Value, rec) || sb.Time != 9 {
			t.Fatalf("sibling = %+v", sb)
		}
	}
	if sb := (&Change{Delete: true}).Sibling(9); !sb.Tombstone || sb.Kind != version.KindString || sb.Value != nil {
		t.Fatalf("plain delete = %+v", sb)
	}
}
