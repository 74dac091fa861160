package engine

import (
	"fmt"
	"slices"

	"github.com/ringkv/ringkv/replica/version"
)

// UpdateGroupHinted is UpdateHinted for several distinct keys written as
// one: fn runs on each key's current set in order (i is the key's index),
// under every key's stripe lock, and the sets it changes are stored, with
// their hints for targets, in one LevelDB write, so the group is stored
// whole or not at all. A collection's header and element records share a
// placement hash and so a stripe: the lock costs one. An error from fn
// writes nothing. It returns each key's stored set.
//
// A key given as nil is named by keyOf(i) when its turn comes, after fn
// decided the keys before it (a list element whose position id carries
// its header write's stamp); keys[i] is set to that name. It must hash as
// a key given (one placement, and a stripe already locked).
func (db *DB) UpdateGroupHinted(keys [][]byte, keyOf func(i int) []byte, targets []string, fn func(i int, cur version.Set) (next version.Set, changed bool, err error)) ([]version.Set, error) {
	hashes := make([]uint64, 0, len(keys))
	for _, k := range keys {
		if k != nil {
			hashes = append(hashes, Hash(k))
		}
	}
	if s := oneStripe(hashes); s >= 0 && len(targets) == 0 {
		q := &db.writeQ[s]
		if !q.lead() {
			return db.queued(q, &pendingWrite{keys: keys, keyOf: keyOf, hashes: hashes, fn: fn})
		}
		defer q.handOff()
	}
	stored := make([]version.Set, len(keys))
	err := db.keysLocked(hashes, func() error {
		var recs []*keyRec
		var nexts []version.Set
		for i, k := range keys {
			if k == nil {
				if keyOf != nil {
					k = keyOf(i)
				}
				if k == nil || !slices.Contains(hashes, Hash(k)) {
					return fmt.Errorf("engine: group key %d named %q, outside the group's placement", i, k)
				}
				keys[i] = k
			}
			h := Hash(k)
			r, err := db.loadRec(h, dataKey(h, k), k, true)
			if err != nil {
				return err
			}
			next, changed, err := fn(i, r.cur)
			if err != nil {
				return err
			}
			stored[i] = r.cur
			if changed {
				recs, nexts, stored[i] = append(recs, r), append(nexts, next), next
			}
		}
		if len(recs) == 0 {
			return nil
		}
		b := getBatch()
		defer putBatch(b)
		undo, err := db.batchHints(b, targets, recs, nexts)
		if err != nil {
			return err
		}
		if err := db.storeRecsBatch(b, recs, nexts); err != nil {
			undo()
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return stored, nil
}
