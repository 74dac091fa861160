package command

import (
	"math"
	"strconv"

	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// OBJECT answers what Redis would say of a key's value, computed from the
// value rather than from an in-memory object ringkv does not have:
//
//   - ENCODING: Redis's rule for strings (tryObjectEncoding): "int" if the
//     value is the canonical form of a 64-bit integer and at most 20 bytes,
//     "embstr" up to 44 bytes, else "raw". (Redis keeps a string it
//     modified in place, by APPEND or SETRANGE, "raw" however short.) A
//     collection's is read from its contents and the configured
//     thresholds (encoding.go), by current contents: where Redis would keep
//     a shrunk hash a hashtable, ringkv answers listpack again.
//   - REFCOUNT: 2147483647 for the integers 0..9999 (Redis's shared
//     integers, used while maxmemory is off), else 1.
//   - IDLETIME: seconds since the value was written. Reads do not count:
//     ringkv records no per-key access time (it would turn every read into
//     a replicated write).
//   - FREQ: refused, as Redis refuses it when maxmemory-policy is not an
//     LFU policy, which ringkv's (noeviction) never is.
func (d *Dispatcher) objectCommand() *Command {
	const f = ReadOnly
	return container("object", -2, 0, "generic", nil,
		spec("encoding", 3, f, 2, 2, 1, "", d.objectEncoding),
		spec("freq", 3, f, 2, 2, 1, "", d.objectFreq),
		spec("idletime", 3, f, 2, 2, 1, "", d.objectIdletime),
		spec("refcount", 3, f, 2, 2, 1, "", d.objectRefcount),
		keyless("help", 2, Loading|Stale, "", d.objectHelp),
	)
}

// Redis shares the integer objects 0..OBJ_SHARED_INTEGERS-1.
const (
	sharedIntegers = 10000
	sharedRefcount = math.MaxInt32 // OBJ_SHARED_REFCOUNT
)

var errNoLFU = resp.Err("ERR An LFU maxmemory policy is not selected, access frequency not tracked. " +
	"Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")

// lookupValue returns key's winning value without counting a keyspace hit
// or miss (Redis's LOOKUP_NOTOUCH lookups), nil if the key holds none.
func (d *Dispatcher) lookupValue(s *Session, key []byte) (*version.Sibling, version.Set, error) {
	set, err := d.env.KV.Get(s.Context(), key, replica.ReadOptions{})
	if err != nil {
		return nil, nil, err
	}
	w, ok := set.Winner(d.env.KV.Now())
	if !ok {
		return nil, set, nil
	}
	return w, set, nil
}

// objectOf runs fn on key's resolved value (a counter's decimal),
// answering nil for a missing key.
func (d *Dispatcher) objectOf(s *Session, key []byte, fn func(v crdt.Value) resp.Reply) resp.Reply {
	_, set, err := d.lookupValue(s, key)
	if err != nil {
		return errorReply(err)
	}
	v, ok := crdt.Resolve(set, d.env.KV.Now())
	if !ok {
		return resp.Null()
	}
	return fn(v)
}

// OBJECT ENCODING key
func (d *Dispatcher) objectEncoding(s *Session, args [][]byte) resp.Reply {
	return d.objectOf(s, args[2], func(v crdt.Value) resp.Reply {
		switch v.Kind {
		case version.KindHash, version.KindSet, version.KindZSet:
			cv, err := d.dumpValue(s, args[2]) // the whole collection, one quorum walk
			switch {
			case err != nil:
				return errorReply(err)
			case cv == nil:
				return resp.Null() // emptied meanwhile
			}
			return resp.BulkString(d.encLimits().of(cv))
		}
		return resp.BulkString(encoding(v))
	})
}

// encoding is OBJECT ENCODING of v by its header alone: a string's by its
// bytes; a collection's as Redis 7.0 encodes a small one (objectEncoding
// reads a collection's contents instead).
func encoding(v crdt.Value) string {
	switch v.Kind {
	case version.KindHash, version.KindZSet:
		return "listpack"
	case version.KindSet:
		return "hashtable"
	case version.KindList:
		return "quicklist"
	case version.KindStream:
		return "stream"
	}
	return strEncoding(v) // strenc.go
}

// OBJECT FREQ key
func (d *Dispatcher) objectFreq(s *Session, args [][]byte) resp.Reply {
	return d.objectOf(s, args[2], func(crdt.Value) resp.Reply { return errNoLFU })
}

// OBJECT IDLETIME key
func (d *Dispatcher) objectIdletime(s *Session, args [][]byte) resp.Reply {
	return d.objectOf(s, args[2], func(v crdt.Value) resp.Reply {
		return resp.Int(d.idleSeconds(v.Winner))
	})
}

// OBJECT REFCOUNT key
func (d *Dispatcher) objectRefcount(s *Session, args [][]byte) resp.Reply {
	return d.objectOf(s, args[2], func(v crdt.Value) resp.Reply {
		if !crdt.IsString(v.Kind) {
			return resp.Int(1)
		}
		return resp.Int(refcount(v.Bytes))
	})
}

// idleSeconds is the time since w was written, in whole seconds.
func (d *Dispatcher) idleSeconds(w *version.Sibling) int64 {
	return max(0, (d.env.KV.Now()-w.Time)/1000)
}

// canonicalInt parses v as Redis's string2l does: a 64-bit integer
// written without sign, padding or leading zeros ("-0" is not one).
func canonicalInt(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > 20 {
		return 0, false
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != string(v) {
		return 0, false
	}
	return n, true
}

// stringEncoding is Redis's encoding of a string value it just stored.
func stringEncoding(v []byte) string {
	if _, ok := canonicalInt(v); ok {
		return "int"
	}
	if len(v) <= 44 {
		return "embstr"
	}
	return "raw"
}

// refcount is OBJECT REFCOUNT of a string value.
func refcount(v []byte) int64 {
	if n, ok := canonicalInt(v); ok && n >= 0 && n < sharedIntegers {
		return sharedRefcount
	}
	return 1
}

// OBJECT HELP
func (d *Dispatcher) objectHelp(_ *Session, _ [][]byte) resp.Reply {
	return help("OBJECT",
		"ENCODING <key>",
		"    Return the kind of internal representation used in order to store the value",
		"    associated with a <key>.",
		"FREQ <key>",
		"    Return the access frequency index of the <key>. The returned integer is",
		"    proportional to the logarithm of the recent access frequency of the key.",
		"IDLETIME <key>",
		"    Return the idle time of the <key>, that is the approximated number of",
		"    seconds elapsed since the last access to the key.",
		"REFCOUNT <key>",
		"    Return the number of references of the value associated with the specified",
		"    <key>.",
	)
}
