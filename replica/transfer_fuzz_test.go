package replica

import (
	"bytes"
	"testing"
)

// FuzzDecodeTransferPage: no peer reply to a transfer page can crash the
// receiving node, and what decodes re-encodes to the same records.
func FuzzDecodeTransferPage(f *testing.F) {
	f.Add([]byte{0})
	f.Add([]byte{1})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 1, 1, 'k', 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, more, err := decodeTransferPage(b)
		if err != nil {
			return
		}
		var out []byte
		for _, e := range entries {
			if len(e.key) == 0 {
				t.Fatal("decoded an empty key")
			}
			out = appendPageEntry(out, e.hash, e.key, e.set.AppendBinary(nil))
		}
		if more {
			out = append(out, 1)
		} else {
			out = append(out, 0)
		}
		again, more2, err := decodeTransferPage(out)
		if err != nil || more2 != more || len(again) != len(entries) {
			t.Fatalf("re-decoding: %d entries, more %v, %v; want %d, %v", len(again), more2, err, len(entries), more)
		}
		for i := range again {
			if again[i].hash != entries[i].hash || !bytes.Equal(again[i].key, entries[i].key) || !again[i].set.Equal(entries[i].set) {
				t.Fatalf("entry %d changed on re-decoding", i)
			}
		}
	})
}
