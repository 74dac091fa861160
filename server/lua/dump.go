package lua

import (
	"encoding/binary"
	"hash/crc64"
)

// FUNCTION DUMP's payload is Redis's: for each library the RDB opcode
// FUNCTION2 (245) and the library code as an RDB string, then the RDB
// version (2 bytes, little-endian) and a CRC-64/Jones of everything
// before (8 bytes, little-endian). Dump writes strings uncompressed;
// Restore also reads Redis's LZF-compressed and integer-encoded strings,
// so payloads move both ways between ringkv and Redis 7.

const (
	opFunction2 = 245
	rdbVersion  = 10 // Redis 7.0
)

// crcTable is the CRC-64 Redis uses (Jones polynomial, reflected).
var crcTable = crc64.MakeTable(0x95ac9329ac4bc9b5)

// crc64Jones is Redis's crc64(0, b): no initial or final inversion.
func crc64Jones(b []byte) uint64 {
	return ^crc64.Update(^uint64(0), crcTable, b)
}

// Dump returns the FUNCTION DUMP payload of every library.
func (e *Engine) Dump() []byte {
	var out []byte
	for _, lib := range e.Libraries() {
		out = append(out, opFunction2)
		out = appendRDBLen(out, uint64(len(lib.Code)))
		out = append(out, lib.Code...)
	}
	out = binary.LittleEndian.AppendUint16(out, rdbVersion)
	return binary.LittleEndian.AppendUint64(out, crc64Jones(out))
}

func appendRDBLen(out []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(out, byte(n))
	case n < 1<<14:
		return append(out, byte(n>>8)|0x40, byte(n))
	case n <= 0xffffffff:
		return binary.BigEndian.AppendUint32(append(out, 0x80), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(out, 0x81), n)
}

// ParseDump checks a FUNCTION DUMP payload and returns the library codes
// it holds.
func ParseDump(payload []byte) ([][]byte, error) {
	if len(payload) < 10 {
		return nil, errorf("ERR DUMP payload version or checksum are wrong")
	}
	body := payload[:len(payload)-10]
	ver := binary.LittleEndian.Uint16(payload[len(payload)-10:])
	sum := binary.LittleEndian.Uint64(payload[len(payload)-8:])
	if ver > rdbVersion || sum != crc64Jones(payload[:len(payload)-8]) {
		return nil, errorf("ERR DUMP payload version or checksum are wrong")
	}
	var codes [][]byte
	for len(body) > 0 {
		if body[0] != opFunction2 {
			return nil, errorf("ERR given type is not a function")
		}
		code, rest, ok := readRDBString(body[1:])
		if !ok {
			return nil, errorf("ERR Failed loading library payload")
		}
		codes, body = append(codes, code), rest
	}
	return codes, nil
}

// readRDBLen reads an RDB length; special reports the 11xxxxxx encodings
// (the value is then the encoding type).
func readRDBLen(b []byte) (n uint64, special bool, rest []byte, ok bool) {
	if len(b) == 0 {
		return 0, false, nil, false
	}
	switch b[0] >> 6 {
	case 0:
		return uint64(b[0] & 0x3f), false, b[1:], true
	case 1:
		if len(b) < 2 {
			return 0, false, nil, false
		}
		return uint64(b[0]&0x3f)<<8 | uint64(b[1]), false, b[2:], true
	case 3:
		return uint64(b[0] & 0x3f), true, b[1:], true
	}
	switch {
	case b[0] == 0x80 && len(b) >= 5:
		return uint64(binary.BigEndian.Uint32(b[1:])), false, b[5:], true
	case b[0] == 0x81 && len(b) >= 9:
		return binary.BigEndian.Uint64(b[1:]), false, b[9:], true
	}
	return 0, false, nil, false
}

func readRDBString(b []byte) ([]byte, []byte, bool) {
	n, special, b, ok := readRDBLen(b)
	if !ok {
		return nil, nil, false
	}
	if !special {
		if n > uint64(len(b)) {
			return nil, nil, false
		}
		return b[:n], b[n:], true
	}
	switch n {
	case 0, 1, 2: // integers of 1, 2, 4 bytes
		size := 1 << n
		if len(b) < size {
			return nil, nil, false
		}
		var v int64
		switch size {
		case 1:
			v = int64(int8(b[0]))
		case 2:
			v = int64(int16(binary.LittleEndian.Uint16(b)))
		default:
			v = int64(int32(binary.LittleEndian.Uint32(b)))
		}
		return []byte(itoa(int(v))), b[size:], true
	case 3: // LZF
		clen, _, b, ok := readRDBLen(b)
		if !ok {
			return nil, nil, false
		}
		ulen, _, b, ok := readRDBLen(b)
		if !ok || clen > uint64(len(b)) || ulen > 1<<30 {
			return nil, nil, false
		}
		out, ok := lzfDecompress(b[:clen], int(ulen))
		return out, b[clen:], ok
	}
	return nil, nil, false
}

// lzfDecompress is liblzf's decoder.
func lzfDecompress(in []byte, size int) ([]byte, bool) {
	out := make([]byte, 0, size)
	for i := 0; i < len(in); {
		ctrl := int(in[i])
		i++
		if ctrl < 32 { // literal run of ctrl+1 bytes
			n := ctrl + 1
			if i+n > len(in) || len(out)+n > size {
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
		if ref < 0 || len(out)+n > size {
			return nil, false
		}
		for k := 0; k < n; k++ {
			out = append(out, out[ref+k])
		}
	}
	return out, len(out) == size
}

// RestorePolicy is FUNCTION RESTORE's FLUSH, APPEND or REPLACE.
type RestorePolicy int

// Restore policies.
const (
	RestoreAppend RestorePolicy = iota
	RestoreFlush
	RestoreReplace
)

// Restore is FUNCTION RESTORE: every library in the payload is built
// first; then, all or nothing, the policy decides what happens to the
// existing ones.
func (e *Engine) Restore(payload []byte, policy RestorePolicy) error {
	codes, err := ParseDump(payload)
	if err != nil {
		return err
	}
	var libs []*Library
	for _, code := range codes {
		lib, err := e.build(code)
		if err != nil {
			return err
		}
		libs = append(libs, lib)
	}
	e.libMu.Lock()
	defer e.libMu.Unlock()
	oldLibs, oldFuncs := e.libs, e.funcs
	e.libs, e.funcs = copyMap(oldLibs), copyMap(oldFuncs)
	if policy == RestoreFlush {
		e.libs, e.funcs = map[string]*Library{}, map[string]*Function{}
	}
	for _, lib := range libs {
		if err := e.restoreOne(lib, policy); err != nil {
			e.libs, e.funcs = oldLibs, oldFuncs
			return err
		}
	}
	return nil
}

func (e *Engine) restoreOne(lib *Library, policy RestorePolicy) error {
	if _, ok := e.libs[lib.Name]; ok && policy != RestoreReplace {
		return errorf("ERR Library " + lib.Name + " already exists")
	}
	if err := e.install(lib, true); err != nil {
		return errorf("ERR Function " + err.Error()[len("ERR Function "):])
	}
	return nil
}

func copyMap[V any](m map[string]V) map[string]V {
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
