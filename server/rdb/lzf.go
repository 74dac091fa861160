package rdb

// lzfMaxRatio bounds how much LZF can expand: a 3-byte back reference
// yields at most 264 bytes.
const lzfMaxRatio = 88

// DecompressLZF is liblzf's decoder; the output must be exactly size
// bytes (Redis's rdbLoadLzfStringObject).
func DecompressLZF(in []byte, size uint64) ([]byte, bool) {
	if size == 0 || size > uint64(len(in))*lzfMaxRatio+32 {
		return nil, false
	}
	out := make([]byte, 0, size)
	for i := 0; i < len(in); {
		ctrl := int(in[i])
		i++
		if ctrl < 32 { // a literal run of ctrl+1 bytes
			n := ctrl + 1
			if i+n > len(in) || uint64(len(out)+n) > size {
				return nil, false
			}
			out = append(out, in[i:i+n]...)
			i += n
			continue
		}
		n := ctrl >> 5
		if n == 7 {
			if i >= len(in) {
				return nil, false
			}
			n += int(in[i])
			i++
		}
		if i >= len(in) {
			return nil, false
		}
		ref := len(out) - ((ctrl & 0x1f) << 8) - int(in[i]) - 1
		i++
		n += 2
		if ref < 0 || uint64(len(out)+n) > size {
			return nil, false
		}
		for k := 0; k < n; k++ { // byte by byte: the source may overlap the output
			out = append(out, out[ref+k])
		}
	}
	return out, uint64(len(out)) == size
}
