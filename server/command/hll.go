package command

import (
	"bytes"

	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// HyperLogLog commands (PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST).
// An HLL is a plain string in Redis's own representation (crdt/hll.go),
// so GET, SET, DUMP and RESTORE move it to and from redis-server as is.
// Concurrent PFADDs of one key leave HLL siblings; crdt.Resolve reads them
// as their register-wise maximum (crdt.MergeHLL), and a PF write
// supersedes them with that merge plus its own change. PFCOUNT of one key
// stores the cardinality it computed in the value's cache bytes, as Redis
// does, so GET answers the same bytes as redis-server.
//
// hll-sparse-max-bytes is fixed at its default, 3000.

var (
	errHLLType    = resp.Err("WRONGTYPE Key is not a valid HyperLogLog string value.")
	errHLLInvalid = resp.Err("INVALIDOBJ Corrupted HLL object detected")
)

// hllCommands are the HyperLogLog commands.
func (d *Dispatcher) hllCommands() []*Command {
	const g = "hyperloglog"
	return []*Command{
		spec("pfadd", -2, Write|DenyOOM|Fast, 1, 1, 1, g, d.pfadd),
		spec("pfcount", -2, ReadOnly, 1, -1, 1, g, d.pfcount),
		spec("pfmerge", -2, Write|DenyOOM, 1, -1, 1, g, d.pfmerge),
		spec("pfdebug", 3, Write|DenyOOM|Admin, 2, 2, 1, g, d.pfdebug),
		spec("pfselftest", 1, Admin, 0, 0, 0, g, d.pfselftest),
	}
}

// hllValue checks that a live v holds an HLL (Redis's
// isHLLObjectOrReply): another type is WRONGTYPE, a string that is not an
// HLL the HyperLogLog WRONGTYPE.
func hllValue(v crdt.Value) ([]byte, error) {
	switch {
	case !crdt.IsString(v.Kind):
		return nil, &replyError{errWrongType}
	case !crdt.IsHLL(v.Bytes):
		return nil, &replyError{errHLLType}
	}
	return v.Bytes, nil
}

// hllWrite runs a read-modify-write of key's HLL: fn gets a private copy
// of its value (nil if none) and returns the value to write, or nil for
// none. A record with concurrent siblings is always rewritten (with their
// merge, if fn writes nothing), so PF writes collapse them. The key's
// expiry is kept.
func (d *Dispatcher) hllWrite(s *Session, key []byte, fn func(b []byte) ([]byte, error)) error {
	_, err := d.update(s, key, func(cur version.Set, now int64) (*replica.Change, error) {
		v, live := crdt.Resolve(cur, now)
		var b []byte
		if live {
			hb, err := hllValue(v)
			if err != nil {
				return nil, err
			}
			b = bytes.Clone(hb)
		}
		nb, err := fn(b)
		if err != nil {
			return nil, err
		}
		if nb == nil && live && len(cur.Live(now)) > 1 {
			nb = b
		}
		if nb == nil {
			return nil, nil
		}
		ch := d.assign(cur, now, nb, v.Expiry)
		ch.Enc = version.StrEncRaw // strenc.go: Redis's HLLs are raw strings
		return ch, nil
	})
	return err
}

// hllErr maps the crdt layer's corrupted-HLL error to Redis's reply.
func hllErr(err error) error {
	if err == crdt.ErrHLLInvalid {
		return &replyError{errHLLInvalid}
	}
	return err
}

// PFADD key [element ...]
func (d *Dispatcher) pfadd(s *Session, args [][]byte) resp.Reply {
	var created, updated bool
	err := d.hllWrite(s, args[1], func(b []byte) ([]byte, error) {
		created, updated = b == nil, b == nil
		if created {
			b = crdt.NewHLL()
		}
		for _, e := range args[2:] {
			nb, changed, err := crdt.HLLAdd(b, e, crdt.HLLSparseMaxBytes)
			if err != nil {
				return nil, hllErr(err)
			}
			b, updated = nb, updated || changed
		}
		if !updated {
			return nil, nil
		}
		crdt.HLLInvalidate(b)
		return b, nil
	})
	if err != nil {
		return errorReply(err)
	}
	if !updated {
		return resp.Int(0)
	}
	var ev []keyEvent
	if created {
		ev = append(ev, keyEvent{class: notifyNew, name: "new", key: args[1]})
	}
	return d.emit(s, resp.Int(1), append(ev, keyEvent{class: notifyString, name: "pfadd", key: args[1]}))
}

// PFCOUNT key [key ...]
func (d *Dispatcher) pfcount(s *Session, args [][]byte) resp.Reply {
	if len(args) > 2 {
		var max [crdt.HLLRegisters]uint8
		if _, err := d.hllUnion(s, args[1:], &max); err != nil {
			return errorReply(err)
		}
		return resp.Int(int64(crdt.HLLEstimate(crdt.RegistersHisto(&max))))
	}
	v, ok, err := d.readValue(s, args[1])
	if err != nil {
		return errorReply(err)
	}
	if !ok {
		return resp.Int(0)
	}
	b, err := hllValue(v)
	if err != nil {
		return errorReply(err)
	}
	if card, ok := crdt.HLLCached(b); ok {
		return resp.Int(int64(card))
	}
	// Stale: compute it and store it in the value, as Redis does.
	var card uint64
	err = d.hllWrite(s, args[1], func(b []byte) ([]byte, error) {
		if b == nil {
			card = 0
			return nil, nil
		}
		if c, ok := crdt.HLLCached(b); ok {
			card = c
			return nil, nil
		}
		h, err := crdt.HLLHisto(b)
		if err != nil {
			return nil, hllErr(err)
		}
		card = crdt.HLLEstimate(h)
		crdt.HLLSetCache(b, card)
		return b, nil
	})
	if err != nil {
		return errorReply(err)
	}
	return resp.Int(int64(card))
}

// hllUnion raises max to the registers of every HLL among keys (missing
// keys count as empty), checking them in order as Redis does; dense
// reports whether one of them is dense.
func (d *Dispatcher) hllUnion(s *Session, keys [][]byte, max *[crdt.HLLRegisters]uint8) (dense bool, err error) {
	for _, k := range keys {
		v, ok, err := d.readValue(s, k)
		if err != nil {
			return false, err
		}
		if !ok {
			continue
		}
		b, err := hllValue(v)
		if err != nil {
			return false, err
		}
		dense = dense || crdt.HLLDense(b)
		if err := crdt.HLLMergeInto(max, b); err != nil {
			return false, hllErr(err)
		}
	}
	return dense, nil
}

// PFMERGE destkey [sourcekey ...]
func (d *Dispatcher) pfmerge(s *Session, args [][]byte) resp.Reply {
	var max [crdt.HLLRegisters]uint8
	dense, err := d.hllUnion(s, args[1:], &max)
	if err != nil {
		return errorReply(err)
	}
	var created bool
	err = d.hllWrite(s, args[1], func(b []byte) ([]byte, error) {
		created = b == nil
		if created {
			b = crdt.NewHLL()
		} else if err := crdt.HLLMergeInto(&max, b); err != nil { // changed since read
			return nil, hllErr(err)
		}
		var err error
		if dense {
			if b, err = crdt.HLLToDense(b); err != nil {
				return nil, hllErr(err)
			}
		}
		regs := max
		return crdt.HLLFromRegisters(b, &regs, crdt.HLLSparseMaxBytes)
	})
	if err != nil {
		return errorReply(err)
	}
	var ev []keyEvent
	if created {
		ev = append(ev, keyEvent{class: notifyNew, name: "new", key: args[1]})
	}
	return d.emit(s, resp.OK(), append(ev, keyEvent{class: notifyString, name: "pfadd", key: args[1]}))
}
