package replica

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ringkv/ringkv/replica/version"
)

// scanBatch is how many entries one remote scan request returns at most.
const scanBatch = 256

// Scan visits the stored keys from hash position cursor on, in hash order,
// until fn refuses one; it returns that key's hash to resume from, or 0
// when the keyspace is exhausted. Each partition is read from one replica
// (this node when it is one), so a key not yet on that replica is missed
// until it gets there, as SCAN's guarantees allow.
func (c *Coordinator) Scan(ctx context.Context, cursor uint64, fn func(key []byte, s version.Set) bool) (uint64, error) {
	for {
		lo, hi, list := c.place.Span(cursor)
		lo = max(lo, cursor)
		next, stopped, err := c.scanSpan(ctx, lo, hi, list, fn)
		if err != nil || stopped {
			return next, err
		}
		if hi == math.MaxUint64 {
			return 0, nil
		}
		cursor = hi + 1
	}
}

// scanForce, after MethodScan's limit: read even a partition still
// arriving here.
const scanForce byte = 1

// scanSpan scans [lo, hi] on the first replica that answers. A replica
// still receiving the partition refuses; when all do (a cluster just
// formed), the first is read anyway.
func (c *Coordinator) scanSpan(ctx context.Context, lo, hi uint64, list []string, fn func([]byte, version.Set) bool) (uint64, bool, error) {
	list = c.readOrder(list)
	var err error
	refused := 0
	for pass := 0; pass < 2; pass++ {
		force := pass == 1
		for _, node := range list {
			var next uint64
			var stopped bool
			if node == c.cfg.Node {
				next, stopped, err = c.scanLocal(ctx, lo, hi, force, fn)
			} else {
				next, stopped, err = c.scanRemote(ctx, node, lo, hi, force, fn)
			}
			if err == nil || ctx.Err() != nil {
				return next, stopped, err
			}
			if isArriving(err) {
				refused++
			}
			c.log.Debug().Err(err).Str("peer", node).Msg("scan failed, trying next replica")
			if next != 0 { // part of the span came through: resume after it
				lo = next
			}
		}
		if refused == 0 {
			break
		}
	}
	return 0, false, err
}

// isArriving reports whether err is a replica's errArriving, here or
// relayed by the transport as text.
func isArriving(err error) bool {
	return errors.Is(err, errArriving) || strings.Contains(err.Error(), errArriving.Error())
}

// readOrder puts this node first when it holds the partition.
func (c *Coordinator) readOrder(list []string) []string {
	if i := slices.Index(list, c.cfg.Node); i > 0 {
		list = append([]string{c.cfg.Node}, slices.Delete(slices.Clone(list), i, i+1)...)
	}
	return list
}

func (c *Coordinator) scanLocal(ctx context.Context, lo, hi uint64, force bool, fn func([]byte, version.Set) bool) (next uint64, stopped bool, err error) {
	if !force && c.arriving(lo) {
		return 0, false, errArriving
	}
	now := c.Now()
	var expired [][]byte // met past their expiry: expired on access, after the range
	err = c.store.Range(lo, hi, func(h uint64, key []byte, s version.Set) bool {
		if m := s.MinExpiry(); m != 0 && m <= now {
			expired = append(expired, bytes.Clone(key))
		}
		if ctx.Err() != nil || !fn(key, s) {
			next, stopped = h, true
			return false
		}
		return true
	})
	for _, k := range expired {
		if _, err := c.store.ExpireKey(k, now); err != nil {
			c.log.Debug().Err(err).Msg("expiring a key met by SCAN failed; the sweep will")
			break
		}
	}
	if err == nil {
		err = ctx.Err()
	}
	return next, stopped, err
}

// scanRemote pages through [lo, hi] on node.
func (c *Coordinator) scanRemote(ctx context.Context, node string, lo, hi uint64, force bool, fn func([]byte, version.Set) bool) (next uint64, stopped bool, err error) {
	for {
		req := binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, lo), hi)
		req = binary.AppendUvarint(req, scanBatch)
		if force {
			req = append(req, scanForce)
		}
		b, err := c.call(ctx, node, MethodScan, req)
		if err != nil {
			return lo, false, err
		}
		entries, more, resume, err := decodeScan(b)
		if err != nil {
			return lo, false, err
		}
		for _, e := range entries {
			if !fn(e.key, e.set) {
				return e.hash, true, nil
			}
		}
		if !more {
			return 0, false, nil
		}
		lo = resume
	}
}

type scanEntry struct {
	hash uint64
	key  []byte
	set  version.Set
}

// serveScan answers MethodScan: up to limit entries from [lo, hi], and
// where to resume if there are more.
func (c *Coordinator) serveScan(ctx context.Context, body []byte) ([]byte, error) {
	if len(body) < 17 {
		return nil, errors.New("replica: malformed scan request")
	}
	lo, hi := binary.BigEndian.Uint64(body), binary.BigEndian.Uint64(body[8:])
	limit, n := binary.Uvarint(body[16:])
	if force := n > 0 && len(body) == 17+n && body[16+n] == scanForce; !force && c.arriving(lo) {
		return nil, errArriving
	}
	if n <= 0 || limit == 0 {
		return nil, errors.New("replica: malformed scan request")
	}
	var out []byte
	var count uint64
	more, resume := false, uint64(0)
	err := c.store.Range(lo, hi, func(h uint64, key []byte, s version.Set) bool {
		if count == limit {
			more, resume = true, h
			return false
		}
		count++
		out = binary.BigEndian.AppendUint64(out, h)
		out = binary.AppendUvarint(out, uint64(len(key)))
		out = append(out, key...)
		enc := s.AppendBinary(nil)
		out = binary.AppendUvarint(out, uint64(len(enc)))
		out = append(out, enc...)
		return ctx.Err() == nil
	})
	if err != nil {
		return nil, err
	}
	tail := []byte{0}
	if more {
		tail = binary.BigEndian.AppendUint64([]byte{1}, resume)
	}
	return append(out, tail...), nil
}

func decodeScan(b []byte) (entries []scanEntry, more bool, resume uint64, err error) {
	bad := errors.New("replica: malformed scan reply")
	for {
		if len(b) == 1 && b[0] == 0 {
			return entries, false, 0, nil
		}
		if len(b) == 9 && b[0] == 1 {
			return entries, true, binary.BigEndian.Uint64(b[1:]), nil
		}
		if len(b) < 8 {
			return nil, false, 0, bad
		}
		var e scanEntry
		e.hash, b = binary.BigEndian.Uint64(b), b[8:]
		var ok bool
		if e.key, b, ok = cutBytes(b); !ok {
			return nil, false, 0, bad
		}
		var enc []byte
		if enc, b, ok = cutBytes(b); !ok {
			return nil, false, 0, bad
		}
		if e.set, err = version.DecodeSet(enc); err != nil {
			return nil, false, 0, err
		}
		entries = append(entries, e)
	}
}

func cutBytes(b []byte) (field, rest []byte, ok bool) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return nil, nil, false
	}
	return b[k : k+int(n)], b[k+int(n):], true
}

// Len returns the number of keys holding a value: the sum of every node's
// local count divided by the replication factor in force, exact when the
// replicas agree. Nodes that do not answer are left out.
func (c *Coordinator) Len(ctx context.Context) (int64, error) {
	members := c.place.Members()
	if len(members) == 1 {
		return c.store.Len(), nil
	}
	var total int64
	for _, node := range members {
		if node == c.cfg.Node {
			total += c.store.Len()
			continue
		}
		b, err := c.call(ctx, node, MethodLen, nil)
		if err != nil {
			continue
		}
		n, _ := binary.Uvarint(b)
		total += int64(n)
	}
	nRep, _, _ := c.Quorum(len(members))
	return (total + int64(nRep) - 1) / int64(nRep), nil
}

// flushTimeout bounds how long FLUSHALL waits for a member: emptying a
// store deletes every record and compacts, which takes seconds per
// million keys, far beyond the request timeout.
const flushTimeout = 2 * time.Minute // and so does a partitioned member gossip has not yet seen fail

// Flush removes every key on every member (FLUSHALL), on all of them at
// once. Each node also remembers the flush's time and from then on drops
// versions written at or before it, so a late replication or read repair
// cannot bring a flushed key back. A member that cannot be reached keeps
// its data: the error names it, and FLUSHALL should be repeated once it is
// back.
func (c *Coordinator) Flush(ctx context.Context) error {
	before := c.Now()
	body := binary.BigEndian.AppendUint64(nil, uint64(before))
	members := c.place.Members()
	errs := make([]error, len(members))
	var wg sync.WaitGroup
	for i, node := range members {
		if node == c.cfg.Node {
			continue
		}
		if !c.up(node) { // not waited for: it learns of the flush when back (learnFlush)
			errs[i] = fmt.Errorf("flush %s: down as far as membership knows (it adopts this flush once it is back and hears from a member)", node)
			continue
		}
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(ctx, max(flushTimeout, c.cfg.Timeout))
			defer cancel()
			if _, err := c.peers.Call(ctx, node, MethodFlush, body); err != nil {
				errs[i] = fmt.Errorf("flush %s: %w", node, err)
			}
		})
	}
	var local error
	if slices.Contains(members, c.cfg.Node) {
		local = c.store.Flush(before)
	}
	wg.Wait()
	return errors.Join(append(errs, local)...)
}
