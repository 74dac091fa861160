package replica

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"slices"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
)

// MethodElements reads one page of a collection's element records:
// body: uvarint len, prefix, uvarint len, after (empty: from the first),
// uvarint limit, then optionally a flag byte (1: reverse: the records
// before "after", from the last, in descending key order; a forward
// request carries no flag, so older nodes still read it); reply: last
// flush time (8 bytes), then per record uvarint len, key, uvarint len,
// encoded set, then 0 (done) or 1 (more).
const MethodElements uint8 = 14

// MethodElements' flags: walk backwards; never read through (a node
// pulling a collection it is receiving asks its source with it).
const (
	elementsReverse byte = 1
	elementsDirect  byte = 2
)

// reverseStore is a Store that walks a prefix backwards (*engine.DB).
type reverseStore interface {
	PrefixReverse(prefix, before []byte, fn func(key []byte, s version.Set) bool) error
}

// elementsPage is how many records one replica returns per page.
const elementsPage = 512

// elementsFirstPage is how many records one replica returns for a walk's
// first page; each next page doubles it, up to elementsPage. Most walks
// stop after a few records (an SPOP's pick reads 4 members from each of
// three points, a pop the ones it takes and 64 ahead): with 512 from the
// first, SPOP on a 3-node cluster decoded thousands of records per pop
// and ran at 96 requests/s.
const elementsFirstPage = 32

// Elements visits the records whose keys start with prefix (a collection's
// element records: cluster/ring.ElementPrefix, which share one placement
// hash) and sort after after (nil: from the first), in key order, until
// fn returns false. Each record is the merge of what o.R of the
// partition's primaries hold (this node first when it is one), so an
// acknowledged element write is seen as Get would see it; replicas found
// behind are left to anti-entropy. Pages of elementsPage records keep
// each answer bounded: a page is complete up to the smallest last key of
// the replicas that had more. fn owns key and s, as with the store's
// Prefix: each record is decoded afresh.
func (c *Coordinator) Elements(ctx context.Context, prefix, after []byte, o ReadOptions, fn func(key []byte, s version.Set) bool) error {
	return c.elements(ctx, prefix, after, false, o, fn)
}

// ElementsReverse is Elements walking backwards: the records under prefix
// that sort before before (nil: from the last), in descending key order.
// Its pages mirror the forward ones: a page is complete down to the
// largest last key of the replicas that had more.
func (c *Coordinator) ElementsReverse(ctx context.Context, prefix, before []byte, o ReadOptions, fn func(key []byte, s version.Set) bool) error {
	return c.elements(ctx, prefix, before, true, o, fn)
}

func (c *Coordinator) elements(ctx context.Context, prefix, from []byte, reverse bool, o ReadOptions, fn func(key []byte, s version.Set) bool) error {
	list := c.readOrder(c.replicas(prefix))
	if len(list) == 1 && list[0] == c.cfg.Node {
		return c.elementsLocal(prefix, from, reverse, o.Header, fn)
	}
	for limit := elementsFirstPage; ; limit = min(2*limit, elementsPage) {
		page, bound, err := c.elementsPage(ctx, prefix, from, reverse, list, o, limit)
		if err != nil {
			return err
		}
		for _, e := range page {
			if !fn(e.key, e.set) {
				return nil
			}
		}
		if bound == nil {
			return nil
		}
		from = bound
	}
}

// elementsLocal walks this node's copy alone (a single node); hdr is the
// collection's header if the caller has it (ReadOptions.Header).
func (c *Coordinator) elementsLocal(prefix, from []byte, reverse bool, hdr *crdt.Header, fn func([]byte, version.Set) bool) error {
	c.pullCollection(context.Background(), prefix)
	now := c.Now()
	var gc func([]byte, version.Set) bool
	if hdr != nil {
		gc = c.elementGCBy(hdr.Removed)
	} else {
		gc = c.elementGC(prefix, now)
	}
	return c.storePrefix(prefix, from, reverse, func(key []byte, s version.Set) bool {
		if gc(key, s) {
			return true
		}
		s, _ = s.Expire(now)
		return fn(key, s)
	})
}

// storePrefix walks the local store's records under prefix after from
// (forward) or before it (reverse). A store without a reverse walk is
// read forward whole and replayed backwards.
func (c *Coordinator) storePrefix(prefix, from []byte, reverse bool, fn func([]byte, version.Set) bool) error {
	if !reverse {
		return c.store.Prefix(prefix, from, fn)
	}
	if rs, ok := c.store.(reverseStore); ok {
		return rs.PrefixReverse(prefix, from, fn)
	}
	var all []scanEntry
	err := c.store.Prefix(prefix, nil, func(key []byte, s version.Set) bool {
		if from != nil && bytes.Compare(key, from) >= 0 {
			return false
		}
		all = append(all, scanEntry{key: key, set: s})
		return true
	})
	for i := len(all) - 1; err == nil && i >= 0; i-- {
		if !fn(all[i].key, all[i].set) {
			break
		}
	}
	return err
}

// elementGC returns a filter that drops, as a walk meets them, the element
// records under prefix that this node's own copy of their collection's
// header removed for good: every sibling a value stamped with a header
// version the resolved removal clock covers (a DEL or expiry, then the key
// written again). Such a record can never be live again here (the clock
// only grows while the header exists, and a header with elements left is
// never reaped), and a copy elsewhere is just as dead, so dropping it
// locally loses nothing; it spares later walks and the disk. Records with
// tombstones are left to the reaper, whose checks they need.
func (c *Coordinator) elementGC(prefix []byte, now int64) func(key []byte, s version.Set) bool {
	_, user, _, ok := ring.ParseElement(prefix)
	if !ok {
		return func([]byte, version.Set) bool { return false }
	}
	hs, err := c.store.Get(ring.InternalKey(user))
	if err != nil || len(hs) == 0 {
		return func([]byte, version.Set) bool { return false }
	}
	hdr, err := crdt.ResolveHeader(hs, now)
	if err != nil {
		return func([]byte, version.Set) bool { return false }
	}
	return c.elementGCBy(hdr.Removed)
}

// elementGCBy is elementGC's filter for a header whose removal clock is
// removed.
func (c *Coordinator) elementGCBy(removed version.Context) func(key []byte, s version.Set) bool {
	if removed.IsZero() {
		return func([]byte, version.Set) bool { return false }
	}
	return func(key []byte, s version.Set) bool {
		for i := range s {
			if s[i].Tombstone {
				return false
			}
			stamp, _, err := crdt.DecodeElement(s[i].Value)
			if err != nil || !removed.Covers(stamp) {
				return false
			}
		}
		if ok, err := c.store.Drop(key, s); err != nil || !ok {
			return false
		}
		c.stats.ElementsDropped.Add(1)
		return true
	}
}

// elementsPage gathers one page (limit records from each) from o.R
// primaries and merges it. bound is
// where the next page starts, nil when no replica had more.
// Reverse, bound is the largest last key of the replicas that had more,
// and the page holds what sorts at or above it, in descending order.
func (c *Coordinator) elementsPage(ctx context.Context, prefix, after []byte, reverse bool, list []string, o ReadOptions, limit int) (page []scanEntry, bound []byte, err error) {
	var targets []copyTarget
	for _, n := range list {
		if c.up(n) {
			targets = append(targets, copyTarget{Node: n})
		}
	}
	t := newTally(need(o.R, c.cfg.R, len(list)), need(o.PR, c.cfg.PR, len(list)), targets)
	type answer struct {
		entries []scanEntry
		more    bool
		err     error
	}
	replies := make(chan answer, len(targets))
	bctx, cancel := c.background(ctx)
	defer cancel()
	for _, x := range targets {
		c.track(func() {
			var a answer
			a.entries, a.more, a.err = c.elementsFrom(bctx, x.Node, prefix, after, reverse, limit)
			replies <- a
		})
	}
	merged := map[string]version.Set{}
	wait := ctxDone(ctx, c.cfg.Timeout)
	defer wait.stop()
	for !t.met() && !t.hopeless() {
		select {
		case a := <-replies:
			t.answer(a.err == nil, true, true)
			if a.err != nil {
				c.log.Debug().Err(a.err).Msg("element read failed on a replica")
				continue
			}
			for _, e := range a.entries {
				merged[string(e.key)] = merged[string(e.key)].Merge(e.set)
			}
			if a.more && len(a.entries) > 0 {
				last := a.entries[len(a.entries)-1].key
				if bound == nil || (!reverse && bytes.Compare(last, bound) < 0) || (reverse && bytes.Compare(last, bound) > 0) {
					bound = last
				}
			}
		case <-wait.done:
			return nil, nil, t.err("R")
		}
	}
	if !t.met() {
		return nil, nil, t.err("R")
	}
	flushed := c.flushedAt()
	for k, s := range merged {
		if bound != nil && ((!reverse && k > string(bound)) || (reverse && k < string(bound))) {
			continue // past a replica's page end: the next page has it whole
		}
		if s = s.DropBefore(flushed); len(s) > 0 {
			page = append(page, scanEntry{key: []byte(k), set: s})
		}
	}
	slices.SortFunc(page, func(a, b scanEntry) int { return bytes.Compare(a.key, b.key) })
	if reverse {
		slices.Reverse(page)
	}
	return page, bound, nil
}

// elementsFrom reads one page of up to limit records from node (this
// node included).
func (c *Coordinator) elementsFrom(ctx context.Context, node string, prefix, after []byte, reverse bool, limit int) ([]scanEntry, bool, error) {
	req := encodeElements(prefix, after, limit, reverse)
	if node == c.cfg.Node {
		b, err := c.serveElements(ctx, req)
		if err != nil {
			return nil, false, err
		}
		return decodeElements(b)
	}
	b, err := c.call(ctx, node, MethodElements, req)
	if err != nil {
		return nil, false, err
	}
	return decodeElements(b)
}

func encodeElements(prefix, after []byte, limit int, reverse bool) []byte {
	b := binary.AppendUvarint(nil, uint64(len(prefix)))
	b = append(b, prefix...)
	b = binary.AppendUvarint(b, uint64(len(after)))
	b = append(b, after...)
	b = binary.AppendUvarint(b, uint64(limit))
	if reverse {
		b = append(b, elementsReverse)
	}
	return b
}

// serveElements answers MethodElements from the local store.
func (c *Coordinator) serveElements(ctx context.Context, body []byte) ([]byte, error) {
	bad := errors.New("replica: malformed element read request")
	prefix, rest, ok := cutBytes(body)
	if !ok || len(prefix) == 0 {
		return nil, bad
	}
	after, rest, ok := cutBytes(rest)
	if !ok {
		return nil, bad
	}
	limit, n := binary.Uvarint(rest)
	if n <= 0 || limit == 0 {
		return nil, bad
	}
	var reverse, direct bool
	switch flags := rest[n:]; {
	case len(flags) == 0: // a forward request (all that older nodes send)
	case len(flags) == 1 && flags[0]&^(elementsReverse|elementsDirect) == 0:
		reverse, direct = flags[0]&elementsReverse != 0, flags[0]&elementsDirect != 0
	default:
		return nil, bad
	}
	if len(after) == 0 {
		after = nil
	} else if !bytes.HasPrefix(after, prefix) {
		return nil, bad
	}
	if !direct {
		c.pullCollection(ctx, prefix)
	}
	now := c.Now()
	gc := c.elementGC(prefix, now)
	out := binary.BigEndian.AppendUint64(nil, uint64(c.store.FlushedAt()))
	var count uint64
	more := false
	err := c.storePrefix(prefix, after, reverse, func(key []byte, s version.Set) bool {
		if gc(key, s) {
			return ctx.Err() == nil
		}
		if count == limit {
			more = true
			return false
		}
		count++
		s, _ = s.Expire(now)
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
	if more {
		return append(out, 1), nil
	}
	return append(out, 0), nil
}

// decodeElements decodes serveElements' reply. The sender's flush time is
// not needed: the coordinator drops what its own flush removed, and a
// replica's flush removed its records already.
func decodeElements(b []byte) (entries []scanEntry, more bool, err error) {
	bad := errors.New("replica: malformed element read reply")
	if len(b) < 9 {
		return nil, false, bad
	}
	b = b[8:]
	for {
		if len(b) == 1 && b[0] <= 1 {
			return entries, b[0] == 1, nil
		}
		var e scanEntry
		var enc []byte
		var ok bool
		if e.key, b, ok = cutBytes(b); !ok {
			return nil, false, bad
		}
		if enc, b, ok = cutBytes(b); !ok {
			return nil, false, bad
		}
		if e.set, err = version.DecodeSet(enc); err != nil {
			return nil, false, err
		}
		entries = append(entries, e)
	}
}
