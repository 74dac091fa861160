package replica

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"slices"

	"github.com/ringkv/ringkv/replica/version"
)

// applyRemote is Update on a node outside the key's preference list: it
// reads the key with quorum R, lets fn decide on that view, and has the
// first replica that answers coordinate the write. Unlike a local Update
// this read-modify-write is not atomic: a concurrent write in between
// becomes a sibling, never a lost write.
func (c *Coordinator) applyRemote(ctx context.Context, key []byte, o WriteOptions, list []string, fn UpdateFunc) (Result, error) {
	cur, err := c.Get(ctx, key, ReadOptions{R: o.R, PR: o.PR})
	if err != nil {
		return Result{}, err
	}
	ch, err := fn(cur, c.Now())
	if err != nil || ch == nil {
		return Result{Set: cur}, err
	}
	body := encodeApply(key, o.W, ch)
	for _, node := range c.Coordinators(key) {
		b, err := c.call(ctx, node, MethodApply, body)
		if err != nil {
			if rerr, ran := fromRemote(err); ran || ctx.Err() != nil {
				return Result{}, rerr
			}
			continue // not reached: try the next replica
		}
		return decodeResult(b)
	}
	return Result{}, &QuorumError{Op: "W", Need: need(o.W, c.cfg.W, len(list)), Got: 0}
}

// serveApply coordinates a write another node decided (MethodApply).
func (c *Coordinator) serveApply(ctx context.Context, body []byte) ([]byte, error) {
	key, w, ch, err := decodeApply(body)
	if err != nil {
		return nil, err
	}
	list := c.replicas(key)
	if !slices.Contains(list, c.cfg.Node) {
		list = append([]string{c.cfg.Node}, list...) // views differ: coordinate anyway
	}
	if !ch.Context.IsZero() && len(list) > 1 {
		// The context came from a quorum read elsewhere: learn its writes,
		// or meeting it with the local copy would drop them.
		if err := c.catchUp(ctx, [][]byte{bytes.Clone(key)}, WriteOptions{}); err != nil {
			return nil, err
		}
	}
	res, err := c.write(ctx, key, WriteOptions{W: w}, list, func(version.Set, int64) (*Change, error) { return ch, nil })
	if err != nil {
		return nil, err
	}
	return encodeResult(res), nil
}

func encodeApply(key []byte, w int, ch *Change) []byte {
	b := binary.AppendUvarint(nil, uint64(len(key)))
	b = append(b, key...)
	b = binary.AppendUvarint(b, uint64(max(w, 0)))
	// The low bit is the delete flag, bits 1-4 the kind, bits 5-6 the
	// string encoding.
	flags := byte(ch.Kind)<<1 | byte(ch.Enc)<<5
	if ch.Delete {
		flags = 1
	}
	b = append(b, flags)
	b = binary.AppendVarint(b, ch.Expiry)
	b = binary.AppendUvarint(b, uint64(len(ch.Value)))
	b = append(b, ch.Value...)
	return append(b, version.EncodeContext(ch.Context)...)
}

func decodeApply(b []byte) (key []byte, w int, ch *Change, err error) {
	bad := errors.New("replica: malformed apply request")
	key, b, ok := cutBytes(b)
	if !ok {
		return nil, 0, nil, bad
	}
	wv, n := binary.Uvarint(b)
	if n <= 0 || len(b) < n+1 || wv > 1<<16 {
		return nil, 0, nil, bad
	}
	ch = &Change{Delete: b[n]&1 == 1, Kind: version.Kind(b[n] >> 1 & 0xf), Enc: version.StrEnc(b[n] >> 5)}
	if ch.Delete && (ch.Kind != version.KindString || ch.Enc != version.StrEncAuto) {
		return nil, 0, nil, bad
	}
	b = b[n+1:]
	if ch.Expiry, n = binary.Varint(b); n <= 0 {
		return nil, 0, nil, bad
	}
	if ch.Value, b, ok = cutBytes(b[n:]); !ok {
		return nil, 0, nil, bad
	}
	if len(b) > 0 {
		if ch.Context, err = version.DecodeContext(string(b)); err != nil {
			return nil, 0, nil, err
		}
	}
	return key, int(wv), ch, nil
}

func encodeResult(r Result) []byte {
	b := binary.AppendUvarint(nil, uint64(len(r.Dot.Node)))
	b = append(b, r.Dot.Node...)
	b = binary.AppendUvarint(b, r.Dot.Counter)
	ctx := version.EncodeContext(r.Context)
	b = binary.AppendUvarint(b, uint64(len(ctx)))
	b = append(b, ctx...)
	return r.Set.AppendBinary(b)
}

func decodeResult(b []byte) (Result, error) {
	bad := errors.New("replica: malformed apply reply")
	var r Result
	node, b, ok := cutBytes(b)
	if !ok {
		return r, bad
	}
	cnt, n := binary.Uvarint(b)
	if n <= 0 {
		return r, bad
	}
	r.Dot = version.Dot{Node: string(node), Counter: cnt}
	ctx, b, ok := cutBytes(b[n:])
	if !ok {
		return r, bad
	}
	var err error
	if len(ctx) > 0 {
		if r.Context, err = version.DecodeContext(string(ctx)); err != nil {
			return r, err
		}
	}
	r.Set, err = version.DecodeSet(b)
	return r, err
}
