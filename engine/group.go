package engine

import (
	"errors"

	"github.com/syndtr/goleveldb/leveldb"

	"github.com/ringkv/ringkv/replica/version"
)

// UpdateGroupHinted is UpdateHinted for several distinct keys written as
// one: fn runs on each key's current set in order (i is the key's index),
// under every key's stripe lock, and the sets it changes are stored, with
// their hints for targets, in one LevelDB write, so the group is stored
// whole or not at all. A collection's header and element records share a
// placement hash and so a stripe: the lock costs one. An error from fn
// writes nothing. It returns each key's stored set.
func (db *DB) UpdateGroupHinted(keys [][]byte, targets []string, fn func(i int, cur version.Set) (next version.Set, changed bool, err error)) ([]version.Set, error) {
	hashes := make([]uint64, len(keys))
	for i, k := range keys {
		hashes[i] = Hash(k)
	}
	stored := make([]version.Set, len(keys))
	err := db.keysLocked(hashes, func() error {
		var recs []*keyRec
		var nexts []version.Set
		for i, k := range keys {
			r, err := db.loadRec(hashes[i], dataKey(hashes[i], k), k, true)
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
		var b leveldb.Batch
		var undos []func()
		for j, r := range recs {
			for _, t := range targets {
				undo, err := db.batchHint(&b, t, r.h, r.key, nexts[j])
				if errors.Is(err, ErrHintsFull) {
					db.log.Warn().Err(err).Msg("hint dropped; anti-entropy will repair its target")
					continue
				}
				if err != nil {
					return err
				}
				undos = append(undos, undo)
			}
		}
		if err := db.storeRecsBatch(&b, recs, nexts); err != nil {
			for _, u := range undos {
				u()
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return stored, nil
}
