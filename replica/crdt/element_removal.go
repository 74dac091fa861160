package crdt

import "github.com/ringkv/ringkv/replica/version"

// Removal records of elements. A hash field or sorted-set member removed
// by HDEL, ZREM, ZPOP... is a tombstone that keeps what it removed
// (Removal over the element's live siblings), as a whole-key DEL's does:
// the field's highest base stamp and its counter totals. A counter
// sibling concurrent with it (an HINCRBY or ZINCRBY on the other side of
// a partition) then counts only the increments the removal did not see.
// LiveElements folds the records into the live counter siblings it
// returns, so a field's value is its live siblings' resolution as before;
// a write to the element supersedes the records, so it carries them on
// (Assign and Incr over the element's record with its removal records,
// RemovedCounter for a member written afresh).

// RemovalRecords returns the removal records among s (tombstones of kind
// KindCounter), nil if there are none.
func RemovalRecords(s version.Set) version.Set {
	var out version.Set
	for i := range s {
		if s[i].Tombstone && s[i].Kind == version.KindCounter {
			out = append(out, s[i])
		}
	}
	return out
}

// RemovedCounter is the counter a record whose live siblings are gone
// counts from (mode float or int): 0, stamped above the bases its removal
// records removed, with the totals they saw seen and removed, so that
// what it adds counts and what they removed does not come back. With no
// records it is a fresh counter (NewFloat, or the zero Counter).
func RemovedCounter(records version.Set, float bool) Counter {
	c, _, _ := resolve(nil, float, removals(records, 0)) // tombstones: never live
	return c
}

// foldRemovals applies the removal records of s to the live counter
// siblings among live (bodies, as LiveElements returns them), rewriting
// their values: each joins the totals the removals saw into its seen and
// removed totals, and one whose base a removal removed (its stamp at or
// below the removal's) counts from 0 at the removal's stamp. Resolving
// the folded siblings gives what resolving them with the records would
// (resolveSet), and a function of the set, so replicas agree.
func foldRemovals(s version.Set, now int64, live []*version.Sibling) error {
	rm := removals(s, now)
	if !rm.ok {
		return nil
	}
	for _, sb := range live {
		if sb.Kind != version.KindCounter {
			continue
		}
		c, err := DecodeCounter(sb.Value)
		if err != nil {
			return err
		}
		c.seen = joinTotals(c.seen, rm.seen)
		c.removed = joinTotals(c.removed, rm.seen)
		if !rm.stamp.Less(c.stamp) {
			c.base, c.baseF, c.absorbed, c.stamp = 0, 0, nil, rm.stamp
		}
		sb.Value = c.AppendBinary(nil)
	}
	return nil
}
