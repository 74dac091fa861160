package crdt

import (
	"bytes"
	"testing"
)

// FuzzHLLDecode: no HLL value, however corrupted, panics any HLL
// operation; a valid one (its opcodes cover the 16384 registers) counts
// the same sparse and dense, and after an add stays valid with every
// register at least what it was and the added one raised (unless it ends
// with a cut XZERO, which Redis reads as if its second byte were 0).
func FuzzHLLDecode(f *testing.F) {
	f.Add(NewHLL(), []byte("a"))
	f.Add(hllOf(f, "a", "b", "c"), []byte("d"))
	f.Add([]byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x3f\xfc\x7f\xbe"), []byte("x"))
	f.Add([]byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f"), []byte(""))
	f.Add([]byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x3f\x3f\x3f\x3e\x7f"), []byte("a"))
	f.Add([]byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\xff\xff\x7f\xfe"), []byte("y"))
	f.Fuzz(func(t *testing.T, b, ele []byte) {
		if !IsHLL(b) {
			return
		}
		_ = HLLDecode(b)
		_, _ = HLLCached(b)
		var m [HLLRegisters]uint8
		mergeErr := HLLMergeInto(&m, b)
		h, histErr := HLLHisto(b)
		d, denseErr := HLLToDense(bytes.Clone(b))
		if (mergeErr == nil) != (histErr == nil) || (histErr == nil) != (denseErr == nil) {
			t.Fatalf("validity disagrees: merge %v histo %v dense %v", mergeErr, histErr, denseErr)
		}
		_, _ = MergeHLL([][]byte{b, NewHLL()})
		nb, _, addErr := HLLAdd(bytes.Clone(b), ele, HLLSparseMaxBytes)
		if histErr != nil {
			return
		}
		hd, _ := HLLHisto(d)
		if HLLEstimate(h) != HLLEstimate(hd) {
			t.Fatal("sparse and dense counts differ")
		}
		if cutXZero(b) {
			return // Redis's own add reads past such a value's end
		}
		if addErr != nil {
			t.Fatalf("add to a valid HLL: %v", addErr)
		}
		if !IsHLL(nb) {
			t.Fatal("add made an invalid HLL header")
		}
		var after [HLLRegisters]uint8
		if err := HLLMergeInto(&after, nb); err != nil {
			t.Fatalf("add made a corrupted HLL: %v", err)
		}
		i, c := hllPatLen(ele)
		for j := range after {
			if after[j] < m[j] {
				t.Fatalf("register %d fell from %d to %d", j, m[j], after[j])
			}
			if j != i && after[j] != m[j] {
				t.Fatalf("register %d changed", j)
			}
		}
		if after[i] != max(m[i], c) {
			t.Fatalf("register %d = %d, want max(%d, %d)", i, after[i], m[i], c)
		}
	})
}

// cutXZero reports whether sparse b ends with an XZERO opcode cut after
// its first byte.
func cutXZero(b []byte) bool {
	if HLLDense(b) {
		return false
	}
	p := HLLHeaderSize
	for p < len(b) {
		if b[p]&0xc0 == 0x40 {
			if p == len(b)-1 {
				return true
			}
			p += 2
		} else {
			p++
		}
	}
	return false
}
