package version

import (
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
)

// contextFormat is the first byte of a decoded context.
const contextFormat = 1

// maxContextLen bounds what DecodeContext accepts, in encoded characters.
const maxContextLen = 64 << 10

// EncodeContext renders v as an opaque, printable token (URL-safe base64 of
// a format byte, the vector and a CRC-32), safe to copy from redis-cli. The
// empty vector encodes as "".
func EncodeContext(v VV) string {
	if len(v) == 0 {
		return ""
	}
	b := append([]byte{contextFormat}, v.appendBinary(nil)...)
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeContext parses a token made by EncodeContext on any node. Anything
// else, including a token altered in transit, yields ErrBadContext.
func DecodeContext(s string) (VV, error) {
	if len(s) > maxContextLen {
		return nil, ErrBadContext
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 6 || b[0] != contextFormat {
		return nil, ErrBadContext
	}
	body, sum := b[:len(b)-4], binary.BigEndian.Uint32(b[len(b)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, ErrBadContext
	}
	d := decoder{b: body[1:]}
	v := d.vv()
	if d.err != nil || len(d.b) != 0 || len(v) == 0 {
		return nil, ErrBadContext
	}
	return v, nil
}
