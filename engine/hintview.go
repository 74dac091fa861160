package engine

import "github.com/ringkv/ringkv/replica/version"

// EachHint visits target's pending hints, in key-hash order, until fn
// returns false: RangeHintsFor in the shape the replica layer's handoff
// loop declares (it knows no engine types).
func (db *DB) EachHint(target string, fn func(key []byte, s version.Set) bool) error {
	return db.RangeHintsFor(target, func(h Hint) bool { return fn(h.Key, h.Set) })
}

// HintTargets lists, sorted, the nodes with hints pending here.
func (db *DB) HintTargets() []string { return db.hints.targetNames() }
