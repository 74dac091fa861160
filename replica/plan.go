package replica

import (
	"slices"

	"github.com/ringkv/ringkv/replica/version"
)

// copyTarget is one node a request goes to, and the primary it stands in
// for: "" when the node is itself a primary of the key.
type copyTarget struct {
	Node string
	For  string
}

// plan chooses where a request for a key goes (Dynamo §4.6, sloppy
// quorum): every primary that is up, and for each primary that is down the
// next fallback of the extended preference list that is up, each used
// once. Primaries down with no fallback left are returned in orphans: the
// coordinator keeps their hints itself. spare is the fallbacks left over,
// in order, for primaries that fail during the request. plan is pure.
func plan(primaries, fallbacks []string, up func(string) bool) (targets []copyTarget, orphans, spare []string) {
	for _, f := range fallbacks {
		if up(f) && !slices.Contains(primaries, f) {
			spare = append(spare, f)
		}
	}
	for _, p := range primaries {
		switch {
		case up(p):
			targets = append(targets, copyTarget{Node: p})
		case len(spare) > 0:
			targets = append(targets, copyTarget{Node: spare[0], For: p})
			spare = spare[1:]
		default:
			orphans = append(orphans, p)
		}
	}
	return targets, orphans, spare
}

// tally counts a request's answers against its quorum, in the manner of
// etcd raft's quorum package: the goroutines gather the votes, tally
// decides. Every target answers once; a primary answer also counts toward
// the primaries-only quorum (PR/PW).
type tally struct {
	need, needP int // answers needed, of which primaries
	got, gotP   int
	pending     int // targets that have not answered
	pendingP    int // of which could still answer as a primary
}

func newTally(need, needP int, targets []copyTarget) tally {
	t := tally{need: need, needP: needP, pending: len(targets)}
	for _, x := range targets {
		if x.For == "" {
			t.pendingP++
		}
	}
	return t
}

// self counts the coordinator's own answer.
func (t *tally) self(primary bool) {
	t.got++
	if primary {
		t.gotP++
	}
}

// answer records one target's outcome: ok if it answered, primary if a
// primary did; wasPrimary says whether the target was first sent to one.
func (t *tally) answer(ok, primary, wasPrimary bool) {
	t.pending--
	if wasPrimary {
		t.pendingP--
	}
	if ok {
		t.got++
		if primary {
			t.gotP++
		}
	}
}

// met reports whether both quorums are reached.
func (t *tally) met() bool { return t.got >= t.need && t.gotP >= t.needP }

// hopeless reports whether the answers still to come cannot reach them.
func (t *tally) hopeless() bool {
	return t.got+t.pending < t.need || t.gotP+t.pendingP < t.needP
}

// err is the quorum error for the tally's shortfall: the primaries-only
// one when that is what failed.
func (t *tally) err(op string) *QuorumError {
	if t.gotP < t.needP && (t.got >= t.need || t.gotP+t.pendingP < t.needP) {
		return &QuorumError{Op: "P" + op, Need: t.needP, Got: t.gotP}
	}
	return &QuorumError{Op: op, Need: t.need, Got: t.got}
}

// StandIns returns, for key, what plan would do now: the fallback standing
// in for each primary that is down, and the down primaries with no
// fallback left (their hints stay on the coordinator). RINGKV LOCATE shows it.
func (c *Coordinator) StandIns(key []byte) (standIns [][2]string, orphans []string) {
	list := c.replicas(key)
	targets, orphans, _ := plan(list, c.fallbacks(key, list), c.up)
	for _, t := range targets {
		if t.For != "" {
			standIns = append(standIns, [2]string{t.For, t.Node})
		}
	}
	return standIns, orphans
}

// toRepair decides a read repair of n keys from the answers alone: the
// merge of every answer for each key (less what a FLUSHALL at flushedAt
// removed), and the primaries that answered any key with less. Fallbacks
// are not repaired: their hints reach the primaries.
func toRepair(seen []reply, n int, flushedAt int64) (merged []version.Set, stale []staleReply) {
	merged = make([]version.Set, n)
	for _, r := range seen {
		if r.err == nil {
			for i, s := range r.sets {
				merged[i] = merged[i].Merge(s)
			}
		}
	}
	for i := range merged {
		merged[i] = merged[i].DropBefore(flushedAt)
	}
	return merged, staleOf(seen, merged)
}

// staleReply is a primary that answered a read's keys (their indexes)
// with less than the read's merge.
type staleReply struct {
	target copyTarget
	keys   []int
}

// staleOf returns the primaries among seen that answered some key with
// less than merged, the read's merged sets.
func staleOf(seen []reply, merged []version.Set) (stale []staleReply) {
	for _, r := range seen {
		if r.err != nil || r.target.For != "" {
			continue
		}
		var keys []int
		for i, s := range r.sets {
			if !s.Equal(merged[i]) {
				keys = append(keys, i)
			}
		}
		if keys != nil {
			stale = append(stale, staleReply{target: r.target, keys: keys})
		}
	}
	return stale
}

// reapable decides whether a tombstone may be reaped from every node's
// verdict on it: each primary must hold exactly the same tombstones, every
// other node must hold them or nothing, and no node a hint for the key.
func reapable(verdicts map[string]byte, primaries []string) bool {
	for node, v := range verdicts {
		switch {
		case v == reapHeld:
		case v == reapAbsent && !slices.Contains(primaries, node):
		default:
			return false
		}
	}
	for _, p := range primaries {
		if _, ok := verdicts[p]; !ok {
			return false
		}
	}
	return true
}
