package rdb

import (
	"encoding/binary"
	"hash/crc64"

	"github.com/ringkv/ringkv/resp"
)

// A DUMP payload is an RDB object (or FUNCTION DUMP's opcodes and
// strings), the RDB version (2 bytes, little-endian) and a CRC-64/Jones
// of everything before it (8 bytes, little-endian).

// Version is the RDB version Seal writes and the newest Open accepts
// (Redis 7.0's).
const Version = 10

// crcTable is the CRC-64 Redis uses (Jones polynomial, reflected).
var crcTable = crc64.MakeTable(0x95ac9329ac4bc9b5)

// CRC64 is Redis's crc64(0, b): no initial or final inversion.
func CRC64(b []byte) uint64 { return ^crc64.Update(^uint64(0), crcTable, b) }

// Seal appends the version and checksum to an RDB body.
func Seal(body []byte) []byte {
	body = binary.LittleEndian.AppendUint16(body, Version)
	return binary.LittleEndian.AppendUint64(body, CRC64(body))
}

// Open checks a payload's version and checksum (Redis's
// verifyDumpPayload) and returns the body it holds; ok is false for a
// payload too short, too new or corrupt.
func Open(p []byte) (body []byte, ok bool) {
	if len(p) < 10 {
		return nil, false
	}
	n := len(p)
	if binary.LittleEndian.Uint16(p[n-10:]) > Version ||
		binary.LittleEndian.Uint64(p[n-8:]) != CRC64(p[:n-8]) {
		return nil, false
	}
	return p[:n-10], true
}

// AppendLen appends an RDB length.
func AppendLen(out []byte, n uint64) []byte {
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

// AppendString appends s as Redis's rdbSaveRawString does without
// compression: a canonical integer that fits in 32 bits as an integer
// encoding, anything else as length and bytes.
func AppendString(out, s []byte) []byte {
	if len(s) <= 11 {
		if v, ok := resp.ParseInt(s); ok {
			switch {
			case v == int64(int8(v)):
				return append(out, 0xc0, byte(v))
			case v == int64(int16(v)):
				return binary.LittleEndian.AppendUint16(append(out, 0xc1), uint16(v))
			case v == int64(int32(v)):
				return binary.LittleEndian.AppendUint32(append(out, 0xc2), uint32(v))
			}
		}
	}
	return append(AppendLen(out, uint64(len(s))), s...)
}
