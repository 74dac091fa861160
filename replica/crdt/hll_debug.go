package crdt

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
)

// HLLDenseRegister is register i of a dense HLL b.
func HLLDenseRegister(b []byte, i int) uint8 { return denseGet(b[HLLHeaderSize:], i) }

// HLLDecode is PFDEBUG DECODE of a sparse b: its opcodes as "z:len"
// (ZERO), "Z:len" (XZERO) and "v:value,len" (VAL), space separated.
func HLLDecode(b []byte) string {
	var sb strings.Builder
	for p := HLLHeaderSize; p < len(b); {
		if sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		switch op := b[p]; {
		case op&0xc0 == 0:
			fmt.Fprintf(&sb, "z:%d", op&0x3f+1)
			p++
		case op&0xc0 == 0x40:
			fmt.Fprintf(&sb, "Z:%d", xzeroLen(b[p:]))
			p += 2
		default:
			fmt.Fprintf(&sb, "v:%d,%d", op>>2&0x1f+1, op&3+1)
			p++
		}
	}
	return sb.String()
}

// HLLSelfTest is PFSELFTEST: dense registers read back what was set
// without touching their neighbours; then n adds of distinct elements
// (derived from seed) to a dense and a sparse HLL agree and stay within
// six standard errors at every power of ten. It returns "" or what
// failed.
func HLLSelfTest(seed uint64, n int) string {
	dense, err := HLLToDense(NewHLL())
	if err != nil {
		return err.Error()
	}
	regs := dense[HLLHeaderSize:]
	var want [HLLRegisters]uint8
	x := seed | 1
	for range 100 {
		for i := range want {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			want[i] = uint8(x & hllRegMax)
			denseSet(regs, i, want[i])
		}
		for i, w := range want {
			if v := denseGet(regs, i); v != w {
				return fmt.Sprintf("Register %d should be %d but is %d", i, w, v)
			}
		}
	}
	clear(regs)
	sparse := NewHLL()
	relerr := 1.04 / math.Sqrt(HLLRegisters)
	checkpoint := 1
	var ele [8]byte
	for j := 1; j <= n; j++ {
		binary.LittleEndian.PutUint64(ele[:], uint64(j)^seed)
		dense, _, _ = HLLAdd(dense, ele[:], HLLSparseMaxBytes)
		sparse, _, _ = HLLAdd(sparse, ele[:], HLLSparseMaxBytes)
		if j != checkpoint {
			continue
		}
		if j < HLLSparseMaxBytes/2 && HLLDense(sparse) {
			return "sparse encoding not used"
		}
		hd, _ := HLLHisto(dense)
		hs, err := HLLHisto(sparse)
		if err != nil || HLLEstimate(hd) != HLLEstimate(hs) {
			return "dense/sparse disagree"
		}
		abserr := math.Abs(float64(checkpoint) - float64(HLLEstimate(hd)))
		maxerr := math.Ceil(relerr * 6 * float64(checkpoint))
		if j == 10 {
			maxerr = 1
		}
		if abserr > maxerr {
			return fmt.Sprintf("Too big error. card:%d abserr:%d", checkpoint, int64(abserr))
		}
		checkpoint *= 10
	}
	return ""
}
