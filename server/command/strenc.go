package command

import (
	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
)

// Redis reports a string's encoding by how it was stored: a value stored
// whole (SET, MSET, INCR, RESTORE ...) is int when it reads as an integer,
// else embstr up to 44 bytes, else raw; a value modified in place (APPEND
// to an existing key, SETRANGE, SETBIT, BITFIELD SET/INCRBY) or built as
// a buffer (BITOP's destination, a HyperLogLog) is raw whatever it holds; INCRBYFLOAT builds a string that is never int. Each
// sibling keeps the mark of the write that made it (version.StrEnc), so
// concurrent siblings keep their own and the winner's is the answer; a
// rewrite that keeps the value (EXPIRE, PERSIST, GETEX, COPY, RENAME) keeps
// its mark, as Redis keeps the object.

// strMod says how a read-modify-write of a string (modify) leaves its
// encoding.
type strMod struct {
	enc     version.StrEnc // the mark the written value gets
	newAuto bool           // a key that held nothing gets StrEncAuto: APPEND stores its argument as SET does
	touch   bool           // mark an existing value even when unchanged: SETBIT and BITFIELD unshare it first
}

// The modifications, as Redis 7.0's t_string.c and bitops.c make them.
var (
	modAppend = strMod{enc: version.StrEncRaw, newAuto: true}
	modRange  = strMod{enc: version.StrEncRaw}
	modBits   = strMod{enc: version.StrEncRaw, touch: true}
	modFloat  = strMod{enc: version.StrEncString}
)

// encFor is the mark of a value written over a key that was live or not.
func (m strMod) encFor(live bool) version.StrEnc {
	if m.newAuto && !live {
		return version.StrEncAuto
	}
	return m.enc
}

// remark reports whether an unchanged live value must still be written
// to carry m's mark.
func (m strMod) remark(v crdt.Value, live bool) bool {
	return m.touch && live && v.Winner != nil && v.Winner.Enc != m.enc
}

// strEnc is the mark a rewrite of v keeps: its winner's, for a string.
func strEnc(v crdt.Value) version.StrEnc {
	if v.Winner == nil || !crdt.IsString(v.Kind) {
		return version.StrEncAuto
	}
	return v.Winner.Enc
}

// strEncoding is OBJECT ENCODING of the string value v.
func strEncoding(v crdt.Value) string {
	switch strEnc(v) {
	case version.StrEncRaw:
		return "raw"
	case version.StrEncString:
		if len(v.Bytes) <= 44 {
			return "embstr"
		}
		return "raw"
	}
	return stringEncoding(v.Bytes)
}
