package crdt

import "math"

// sparseSet is Redis's hllSparseSet: raise register index of the sparse
// HLL b to count, splitting the opcode that covers it and merging equal
// adjacent VALs, byte for byte as Redis does so the values compare equal.
// It promotes b to dense when count exceeds a VAL's range or the result
// would outgrow sparseMax.
func sparseSet(b []byte, index int, count uint8, sparseMax int) ([]byte, bool, error) {
	if count > hllValMax {
		return promote(b, index, count)
	}
	// Step 1: find the opcode covering index.
	p, end := HLLHeaderSize, len(b)
	first, span, prev := 0, 0, -1
	for p < end {
		oplen := 1
		switch op := b[p]; {
		case op&0xc0 == 0:
			span = int(op&0x3f) + 1
		case op&0x80 != 0:
			span = int(op&3) + 1
		default:
			span = xzeroLen(b[p:])
			oplen = 2
		}
		if index <= first+span-1 {
			break
		}
		prev = p
		p += oplen
		first += span
	}
	if span == 0 || p >= end {
		return b, false, ErrHLLInvalid
	}
	op := b[p]
	isZero, isXZero, isVal := op&0xc0 == 0, op&0xc0 == 0x40, op&0x80 != 0
	oldlen := 1
	if isXZero {
		oldlen = 2
	}
	// Step 2: the trivial cases.
	if isVal {
		if uint8(op>>2&0x1f)+1 >= count {
			return b, false, nil // A: no update needed
		}
		if span == 1 { // B
			b[p] = valOp(int(count), 1)
			return sparseMerge(b, prev), true, nil
		}
	}
	if isZero && span == 1 { // C
		b[p] = valOp(int(count), 1)
		return sparseMerge(b, prev), true, nil
	}
	// D: split the opcode into up to three.
	last := first + span - 1
	seq := make([]byte, 0, 5)
	if isZero || isXZero {
		if index != first {
			seq = appendZero(seq, index-first)
		}
		seq = append(seq, valOp(int(count), 1))
		if index != last {
			seq = appendZero(seq, last-index)
		}
	} else {
		cur := int(op>>2&0x1f) + 1
		if index != first {
			seq = append(seq, valOp(cur, index-first))
		}
		seq = append(seq, valOp(int(count), 1))
		if index != last {
			seq = append(seq, valOp(cur, last-index))
		}
	}
	// Step 3: substitute the sequence for the old opcode.
	delta := len(seq) - oldlen
	if delta > 0 && len(b)+delta > sparseMax {
		return promote(b, index, count)
	}
	out := make([]byte, 0, len(b)+len(seq))
	out = append(append(out, b[:p]...), seq...)
	if p+oldlen < len(b) {
		out = append(out, b[p+oldlen:]...)
	}
	// An XZERO cut after its first byte (Redis reads the terminator as
	// its second) leaves the last byte of seq past the new length.
	return sparseMerge(out[:len(b)+delta], prev), true, nil
}

// promote converts b to dense and sets the register there.
func promote(b []byte, index int, count uint8) ([]byte, bool, error) {
	d, err := HLLToDense(b)
	if err != nil {
		return b, false, err
	}
	denseSet(d[HLLHeaderSize:], index, count)
	return d, true, nil
}

// sparseMerge is hllSparseSet's step 4: from the opcode before the
// change (prev, -1 for the start), scan up to 5 opcodes merging adjacent
// VALs of one value whose runs fit one opcode; then mark the cache stale.
func sparseMerge(b []byte, prev int) []byte {
	p := prev
	if p < 0 {
		p = HLLHeaderSize
	}
	for scan := 5; p < len(b) && scan > 0; scan-- {
		op := b[p]
		if op&0xc0 == 0x40 {
			p += 2
			continue
		} else if op&0xc0 == 0 {
			p++
			continue
		}
		if p+1 < len(b) && b[p+1]&0x80 != 0 {
			v1, v2 := op>>2&0x1f, b[p+1]>>2&0x1f
			if n := int(op&3) + int(b[p+1]&3) + 2; v1 == v2 && n <= hllValLen {
				b[p+1] = valOp(int(v1)+1, n)
				b = append(b[:p], b[p+1:]...)
				continue // try the merged opcode with the next one
			}
		}
		p++
	}
	HLLInvalidate(b)
	return b
}

// HLLHisto is the histogram of b's register values (hllDenseRegHisto,
// hllSparseRegHisto): h[v] registers hold v. A sparse b that does not
// cover exactly 16384 registers is ErrHLLInvalid.
func HLLHisto(b []byte) (h [64]int, err error) {
	if b[4] == hllDense {
		regs := b[HLLHeaderSize:]
		for i := range HLLRegisters {
			h[denseGet(regs, i)]++
		}
		return h, nil
	}
	idx := 0
	for p := HLLHeaderSize; p < len(b); {
		op := b[p]
		switch {
		case op&0xc0 == 0:
			n := int(op&0x3f) + 1
			idx += n
			h[0] += n
			p++
		case op&0xc0 == 0x40:
			n := xzeroLen(b[p:])
			idx += n
			h[0] += n
			p += 2
		default:
			n := int(op&3) + 1
			idx += n
			h[op>>2&0x1f+1] += n
			p++
		}
	}
	if idx != HLLRegisters {
		return h, ErrHLLInvalid
	}
	return h, nil
}

// RegistersHisto is the histogram of raw registers (hllRawRegHisto).
func RegistersHisto(regs *[HLLRegisters]uint8) (h [64]int) {
	for _, v := range regs {
		h[v&63]++
	}
	return h
}

// HLLEstimate is Redis's hllCount from a register histogram: Ertl's
// improved estimator ("New cardinality estimation algorithms for
// HyperLogLog sketches", arXiv:1702.01284), in the same float64 steps.
func HLLEstimate(h [64]int) uint64 {
	m := float64(HLLRegisters)
	z := m * hllTau((m-float64(h[hllQ+1]))/m)
	for j := hllQ; j >= 1; j-- {
		z += float64(h[j])
		z *= 0.5
	}
	z += m * hllSigma(float64(h[0])/m)
	const alphaInf = 0.721347520444481703680 // 0.5/ln(2)
	e := alphaInf * m * m / z
	// llroundl, then through a double to uint64: out of range (z == 0)
	// gives x86-64's integer indefinite, 1<<63.
	if math.IsNaN(e) || e >= 1<<63 || e <= -(1<<63) {
		return 1 << 63
	}
	return uint64(int64(math.Round(e)))
}

func hllSigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y, z := 1.0, x
	for {
		x *= x
		zp := z
		z += x * y
		y += y
		if zp == z {
			return z
		}
	}
}

func hllTau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y, z := 1.0, 1-x
	for {
		x = math.Sqrt(x)
		zp := z
		y *= 0.5
		d := 1 - x
		z -= d * d * y
		if zp == z {
			return z / 3
		}
	}
}
