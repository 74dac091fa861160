package resp

import "fmt"

// Kind says which RESP type a Reply is. The zero Kind is Null, so the zero
// Reply encodes as a nil reply.
type Kind uint8

// Reply kinds. RESP3-only kinds have a RESP2 fallback (see Append).
const (
	KindNull      Kind = iota // $-1 (RESP2), _ (RESP3)
	KindSimple                // +OK
	KindError                 // -ERR ...
	KindInt                   // :42
	KindBulk                  // $3 abc
	KindNullArray             // *-1 (RESP2), _ (RESP3)
	KindArray                 // *n
	KindMap                   // %n (RESP3), flat *2n (RESP2)
	KindSet                   // ~n (RESP3), *n (RESP2)
	KindDouble                // ,3.5 (RESP3), bulk "3.5" (RESP2)
	KindBool                  // #t (RESP3), :1 (RESP2)
	KindVerbatim              // =8 txt:text (RESP3), bulk "text" (RESP2)
	KindRaw                   // Bytes already encoded (a reply relayed from another node)
)

var kindNames = [...]string{"null", "simple", "error", "int", "bulk", "nullarray",
	"array", "map", "set", "double", "bool", "verbatim", "raw"}

// Raw is a reply already encoded for the connection's protocol, e.g. one
// relayed from the node that ran the command.
func Raw(b []byte) Reply { return Reply{Kind: KindRaw, Bytes: b} }

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Reply is one reply value, as handlers return it. It is a small value type:
// simple replies (OK, errors, integers, bulk strings) need no heap allocation.
// Which fields are meaningful depends on Kind:
//
//	KindSimple, KindError: Str (an error's Str includes its code, "ERR ...")
//	KindBulk: Bytes if non-nil, else Str
//	KindInt, KindBool: Int (a Bool is 1 or 0)
//	KindDouble: Float
//	KindVerbatim: Str, as "fmt:text" with a three-letter fmt
//	KindArray, KindSet: Elems; KindMap: Elems as alternating key, value
//
// Replies keep references to the slices given to their constructors; the
// caller must not modify them until the reply is written.
type Reply struct {
	Kind  Kind
	Str   string
	Bytes []byte
	Int   int64
	Float float64
	Elems []Reply
}

// OK is the +OK status reply.
func OK() Reply { return Reply{Kind: KindSimple, Str: "OK"} }

// Simple is a status reply (+s). CR and LF in s are written as spaces.
func Simple(s string) Reply { return Reply{Kind: KindSimple, Str: s} }

// Err is an error reply. msg starts with the error code, e.g. "ERR syntax
// error" or "WRONGTYPE ..."; a leading '-' is dropped. CR and LF in msg are
// written as spaces, as Redis does.
func Err(msg string) Reply {
	if len(msg) > 0 && msg[0] == '-' {
		msg = msg[1:]
	}
	return Reply{Kind: KindError, Str: msg}
}

// Errf is Err with fmt.Sprintf formatting.
func Errf(format string, a ...any) Reply { return Err(fmt.Sprintf(format, a...)) }

// Int is an integer reply.
func Int(n int64) Reply { return Reply{Kind: KindInt, Int: n} }

// Bulk is a bulk string reply holding b (not copied). Bulk(nil) is the empty
// string; use Null for a nil reply.
func Bulk(b []byte) Reply { return Reply{Kind: KindBulk, Bytes: b} }

// BulkString is a bulk string reply holding s.
func BulkString(s string) Reply { return Reply{Kind: KindBulk, Str: s} }

// Null is the nil reply: $-1 in RESP2, _ in RESP3 (GET on a missing key).
func Null() Reply { return Reply{Kind: KindNull} }

// NullArray is the nil array: *-1 in RESP2, _ in RESP3 (e.g. a timed-out BLPOP).
func NullArray() Reply { return Reply{Kind: KindNullArray} }

// Array is an array reply of elems (not copied).
func Array(elems ...Reply) Reply { return Reply{Kind: KindArray, Elems: elems} }

// Map is a map reply from alternating keys and values. An odd count gets a
// Null value appended for the last key.
func Map(kv ...Reply) Reply {
	if len(kv)%2 != 0 {
		kv = append(kv, Null())
	}
	return Reply{Kind: KindMap, Elems: kv}
}

// Set is a set reply of elems (not copied).
func Set(elems ...Reply) Reply { return Reply{Kind: KindSet, Elems: elems} }

// Double is a floating point reply, formatted as Redis does (%.17g-style).
func Double(f float64) Reply { return Reply{Kind: KindDouble, Float: f} }

// Bool is a boolean reply (RESP2: integer 1 or 0).
func Bool(b bool) Reply {
	if b {
		return Reply{Kind: KindBool, Int: 1}
	}
	return Reply{Kind: KindBool}
}

// Verbatim is a verbatim string reply (INFO, CLIENT LIST). format is a
// three-letter type such as "txt" or "mkd"; any other length becomes "txt".
func Verbatim(format, text string) Reply {
	if len(format) != 3 {
		format = "txt"
	}
	return Reply{Kind: KindVerbatim, Str: format + ":" + text}
}

// IsError reports whether r is an error reply.
func (r Reply) IsError() bool { return r.Kind == KindError }

// Text returns a bulk, simple, error or verbatim reply's payload as a string
// (verbatim without its "fmt:" prefix); "" for other kinds.
func (r Reply) Text() string {
	switch r.Kind {
	case KindBulk:
		if r.Bytes != nil {
			return string(r.Bytes)
		}
		return r.Str
	case KindSimple, KindError:
		return r.Str
	case KindVerbatim:
		return verbatimText(r.Str)
	}
	return ""
}

func verbatimText(s string) string {
	if len(s) >= 4 {
		return s[4:]
	}
	return s
}
