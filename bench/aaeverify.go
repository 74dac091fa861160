package main

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/ringkv/ringkv/engine"
)

// holds opens a stopped node's LevelDB (dir is its --dir) and counts the
// keys of l it holds with l's value as a live sibling: what the node would
// answer at R=1 without asking anyone.
func holds(dir string, l Load) (int, error) {
	db, err := engine.Open(dir, engine.Options{SweepInterval: -1})
	if err != nil {
		return 0, fmt.Errorf("bench: open %s: %w", dir, err)
	}
	have := 0
	var key, val []byte
	for i := range l.Count {
		key, val = fmt.Appendf(key[:0], l.KeyFormat, i), l.Value(val, i)
		set, err := db.Get(key)
		if err != nil {
			return have, errors.Join(err, db.Close())
		}
		for _, s := range set {
			if !s.Tombstone && bytes.Equal(s.Value, val) {
				have++
				break
			}
		}
	}
	return have, db.Close()
}
