package replica

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ringkv/ringkv/replica/version"
)

// Peer methods of tombstone reaping.
const (
	// MethodReapCheck: body: candidates (see encodeCandidates); reply: one
	// byte per candidate: reapAbsent, reapHeld or reapBlocked.
	MethodReapCheck uint8 = 12
	// MethodReap: body: candidates; reply: uvarint count reaped.
	MethodReap uint8 = 13
)

// A node's answer about one candidate tombstone.
const (
	reapAbsent  byte = 0 // no record and no hint for the key
	reapHeld    byte = 1 // the same tombstones, and no hint
	reapBlocked byte = 2 // something else, or a hint is pending
)

// reapBatch is how many candidates one round checks at once.
const reapBatch = 256

// candidate is a tombstone-only key this node may reap.
type candidate struct {
	key []byte
	set version.Set
}

// ReapOnce reaps the tombstones this node is the first primary of, once
// they are older than the grace period, every primary holds exactly the
// same tombstones, and no node holds a hint for the key (so nothing can
// bring an older value back; Riak's delete_mode, Cassandra's gc_grace). It
// runs only while every ring member is up: a down node may hold a hint
// or a stale copy. It returns how many keys it reaped.
func (c *Coordinator) ReapOnce(ctx context.Context) (int, error) {
	members := c.place.Members()
	if c.peers == nil || c.cfg.TombstoneGrace < 0 {
		return 0, nil
	}
	for _, m := range members {
		if m != c.cfg.Node && !c.cfg.Up(m) {
			return 0, nil // keep the last pass's pending count
		}
	}
	if pending, foreign := c.HandoffBusy(); pending > 0 || foreign > 0 || !c.cfg.Handoff.Quiet() {
		return 0, nil // a copy in transit could bring an older value back
	}
	olderThan := c.cfg.Now() - c.cfg.TombstoneGrace.Milliseconds()
	var total, seen int
	defer func() { c.stats.TombstonesPending.Store(int64(seen - total)) }()
	spans := c.spans()
	batches := make([][]candidate, len(spans))
	flush := func(i int) error {
		n, err := c.reapBatch(ctx, members, spans[i].replicas, batches[i])
		total += n
		batches[i] = batches[i][:0]
		return err
	}
	var ferr error
	err := c.store.Tombstones(olderThan, func(h uint64, key []byte, s version.Set) bool {
		// spans are in hash order: the first that ends at or after h
		i, _ := slices.BinarySearchFunc(spans, h, func(sp span, h uint64) int { return cmp.Compare(sp.hi, h) })
		if i == len(spans) || spans[i].lo > h {
			return true // a partition this node does not hold
		}
		if spans[i].replicas[0] != c.cfg.Node {
			return true // its first primary reaps it
		}
		batches[i] = append(batches[i], candidate{key, s})
		seen++
		if len(batches[i]) == reapBatch {
			ferr = flush(i)
		}
		return ferr == nil && ctx.Err() == nil
	})
	if err = errors.Join(err, ferr); err != nil {
		return total, err
	}
	for i := range batches {
		if len(batches[i]) == 0 {
			continue
		}
		if err := flush(i); err != nil {
			return total, err
		}
	}
	return total, nil
}

// reapBatch checks one batch with every member (each raising its counter
// floor as it answers), then reaps what all agree on (reapable): first on
// the other nodes, then here.
func (c *Coordinator) reapBatch(ctx context.Context, members, primaries []string, batch []candidate) (int, error) {
	if err := c.raiseFloor(batch); err != nil {
		return 0, err
	}
	verdicts := make([]map[string]byte, len(batch))
	hinted := c.elementHintOwners()
	for i, cd := range batch {
		verdicts[i] = map[string]byte{c.cfg.Node: reapHeld}
		if h, err := c.store.HintedSet(cd.key); err != nil || len(h) > 0 || hinted[string(cd.key)] || !c.collectionClear(cd.key, cd.set) {
			verdicts[i][c.cfg.Node] = reapBlocked
		}
	}
	body := encodeCandidates(batch)
	var others []string
	for _, m := range members {
		if m == c.cfg.Node {
			continue
		}
		b, err := c.call(ctx, m, MethodReapCheck, body)
		if err != nil {
			return 0, fmt.Errorf("reap check on %s: %w", m, err)
		}
		if len(b) != len(batch) {
			return 0, errors.New("replica: malformed reap check reply")
		}
		for i, v := range b {
			verdicts[i][m] = v
		}
		others = append(others, m)
	}
	var agreed []candidate
	for i, cd := range batch {
		if reapable(verdicts[i], primaries) {
			agreed = append(agreed, cd)
		}
	}
	if len(agreed) == 0 {
		return 0, nil
	}
	reapBody := encodeCandidates(agreed)
	for _, m := range others {
		if _, err := c.call(ctx, m, MethodReap, reapBody); err != nil {
			return 0, fmt.Errorf("reap on %s: %w", m, err)
		}
	}
	n, err := c.reapLocal(agreed)
	c.stats.TombstonesReaped.Add(int64(n))
	return n, err
}

// raiseFloor durably raises this node's counter floor above every counter
// of its current actor in cands' histories. Every holder does it while
// the batch is checked, before any holder reaps: once one holder has
// reaped, a write there (claiming its own counters up to its floor) can
// supersede the tombstone and, merged elsewhere, drop the other holders'
// dots from their histories; their next writes must still not restart
// their counters.
func (c *Coordinator) raiseFloor(cands []candidate) error {
	actor := c.actorID()
	var top uint64
	for _, cd := range cands {
		top = max(top, cd.set.Context().Max(actor))
	}
	if top == 0 {
		return nil
	}
	if err := c.store.RaiseCounterFloor(top); err != nil {
		return fmt.Errorf("raising the counter floor before reaping: %w", err)
	}
	return nil
}

// reapLocal reaps candidates here, having raised the counter floor first
// (a reaped key's next write continues above it, so no dot is issued
// twice and a stale copy or context of a reaped write stays covered).
func (c *Coordinator) reapLocal(cands []candidate) (int, error) {
	if err := c.raiseFloor(cands); err != nil {
		return 0, err
	}
	var n int
	for _, cd := range cands {
		done, err := c.store.Reap(cd.key, cd.set)
		if err != nil {
			return n, err
		}
		if done {
			n++
		}
	}
	return n, nil
}

func (c *Coordinator) serveReapCheck(body []byte) ([]byte, error) {
	cands, err := decodeCandidates(body)
	if err != nil {
		return nil, err
	}
	if err := c.raiseFloor(cands); err != nil {
		return nil, err
	}
	out := make([]byte, len(cands))
	hinted := c.elementHintOwners()
	for i, cd := range cands {
		cur, err1 := c.store.Get(cd.key)
		h, err2 := c.store.HintedSet(cd.key)
		switch {
		case err1 != nil || err2 != nil || len(h) > 0 || hinted[string(cd.key)]:
			out[i] = reapBlocked
		case !c.collectionClear(cd.key, cur):
			out[i] = reapBlocked
		case len(cur) == 0:
			out[i] = reapAbsent
		case cur.Equal(cd.set):
			out[i] = reapHeld
		default:
			out[i] = reapBlocked
		}
	}
	return out, nil
}

func (c *Coordinator) serveReap(body []byte) ([]byte, error) {
	cands, err := decodeCandidates(body)
	if err != nil {
		return nil, err
	}
	for _, cd := range cands {
		if !cd.set.Tombstones() {
			return nil, errors.New("replica: reap request for a key with a value")
		}
	}
	n, err := c.reapLocal(cands)
	return binary.AppendUvarint(nil, uint64(n)), err
}

func encodeCandidates(cands []candidate) []byte {
	var b []byte
	for _, cd := range cands {
		enc := cd.set.AppendBinary(nil)
		b = binary.AppendUvarint(b, uint64(len(cd.key)))
		b = append(b, cd.key...)
		b = binary.AppendUvarint(b, uint64(len(enc)))
		b = append(b, enc...)
	}
	return b
}

func decodeCandidates(b []byte) ([]candidate, error) {
	var out []candidate
	for len(b) > 0 {
		key, rest, ok := cutBytes(b)
		if !ok {
			return nil, errors.New("replica: malformed reap request")
		}
		enc, rest, ok := cutBytes(rest)
		if !ok {
			return nil, errors.New("replica: malformed reap request")
		}
		s, err := version.DecodeSet(enc)
		if err != nil {
			return nil, err
		}
		out = append(out, candidate{key, s})
		b = rest
	}
	return out, nil
}

// reapLoop runs ReapOnce every quarter of the grace period (at least every
// minute, at most every 100ms).
func (c *Coordinator) reapLoop() {
	period := min(max(c.cfg.TombstoneGrace/4, 100*time.Millisecond), time.Minute)
	c.every(period, nil, func(ctx context.Context) {
		n, err := c.ReapOnce(ctx)
		if err != nil {
			c.log.Debug().Err(err).Msg("tombstone reaping incomplete; retrying next round")
		}
		if n > 0 {
			c.log.Debug().Int("reaped", n).Msg("tombstones reaped")
		}
	})
}
