package replica

import (
	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
)

// A collection's header tombstone (DEL, expiry) is what keeps its element
// records dead: they stay in storage, covered by the header's removal
// clock (package crdt). Reaping the header while any copy of an element,
// or a hint for one, remains anywhere would let that element come back.
// So a tombstone-only record whose key has element records here is not
// reaped; instead those elements, dead for good under the tombstone, are
// dropped, and the header goes in a later round, once no node holds any.

// elementKinds are the element record kinds a key may have.
var elementKinds = []byte{ring.ElemHash, ring.ElemSet, ring.ElemZSet, ring.ElemList, ring.ElemStream}

// collectionClear reports whether tombstone-only record key (set) has no
// element records left here, dropping those its tombstones made dead.
// Elements with a sibling not covered (a concurrent write not yet merged
// into the header) are kept, and so is the header.
func (c *Coordinator) collectionClear(key []byte, set version.Set) bool {
	if ring.IsElement(key) {
		return true
	}
	user, ok := ring.UserKey(key)
	if !ok {
		return true
	}
	hdr, err := crdt.ResolveHeader(set, c.Now())
	if err != nil {
		return false
	}
	clear := true
	for _, kind := range elementKinds {
		var dead []candidate
		err := c.store.Prefix(ring.ElementPrefix(kind, user), nil, func(ek []byte, s version.Set) bool {
			if elementDead(s, hdr.Removed) {
				dead = append(dead, candidate{ek, s})
			} else {
				clear = false
			}
			return true
		})
		if err != nil {
			return false
		}
		if len(dead) > 0 {
			if err := c.raiseFloor(dead); err != nil {
				return false
			}
		}
		for _, cd := range dead {
			if ok, err := c.store.Drop(cd.key, cd.set); err != nil || !ok {
				clear = false // changed meanwhile: look again next round
			} else {
				c.stats.ElementsDropped.Add(1)
			}
		}
	}
	return clear
}

// elementDead reports whether every sibling of an element record is a
// tombstone or stamped with a header version removed covers.
func elementDead(s version.Set, removed version.Context) bool {
	for i := range s {
		if s[i].Tombstone {
			continue
		}
		hdr, _, err := crdt.DecodeElement(s[i].Value)
		if err != nil || !removed.Covers(hdr) {
			return false
		}
	}
	return true
}

// elementHintOwners returns the internal keys of the collections that
// have element records in this node's hints.
func (c *Coordinator) elementHintOwners() map[string]bool {
	owners := map[string]bool{}
	for _, t := range c.store.HintTargets() {
		_ = c.store.EachHint(t, func(key []byte, _ version.Set) bool {
			if _, user, _, ok := ring.ParseElement(key); ok {
				owners[string(ring.InternalKey(user))] = true
			}
			return true
		})
	}
	return owners
}
