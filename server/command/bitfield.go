package command

import (
	"bytes"

	"github.com/ringkv/ringkv/resp"
)

// BITFIELD key [GET type offset | SET type offset value | INCRBY type
// offset increment | OVERFLOW WRAP|SAT|FAIL ...]
func (d *Dispatcher) bitfield(s *Session, args [][]byte) resp.Reply {
	return d.bitfieldGeneric(s, args, false)
}

// BITFIELD_RO key [GET type offset ...]
func (d *Dispatcher) bitfieldRO(s *Session, args [][]byte) resp.Reply {
	return d.bitfieldGeneric(s, args, true)
}

// bitfieldGeneric parses every operation first (the first bad one is the
// reply), then runs GETs alone as a read and anything else as one
// read-modify-write that keeps the key's expiry.
func (d *Dispatcher) bitfieldGeneric(s *Session, args [][]byte, ro bool) resp.Reply {
	ops, r := parseBitfield(args[2:], d.env.Settings.ProtoMaxBulkLen())
	switch {
	case r.IsError():
		return r
	case readOnly(ops):
		v, _, err := d.readString(s, args[1])
		if err != nil {
			return errorReply(err)
		}
		_, out := runBitfield(v, ops)
		return bfReply(out)
	case ro:
		return errBfRO
	}
	var out []bfResult
	_, err := d.modify(s, args[1], modBits, func(v []byte, live bool) ([]byte, error) {
		var nv []byte
		nv, out = runBitfield(v, ops)
		if live && bytes.Equal(nv, v) {
			return nil, nil
		}
		return nv, nil
	})
	if err != nil {
		return errorReply(err)
	}
	return bfReply(out)
}
