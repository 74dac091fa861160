package engine

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/opt"
)

// checkFormat verifies the layout version, stamping it on an empty DB;
// fresh reports that it did.
func (db *DB) checkFormat() (fresh bool, err error) {
	b, err := db.ldb.Get(metaKey(metaFormat), nil)
	switch {
	case errors.Is(err, leveldb.ErrNotFound):
		return true, db.stampFormat()
	case err != nil:
		return false, fmt.Errorf("engine: open %s: reading format: %w", db.dir, err)
	case len(b) != 8:
		return false, fmt.Errorf("%w: %s has a malformed format marker (%d bytes); "+
			"it was not written by ringkv: move it aside", ErrFormat, db.dir, len(b))
	}
	switch v := binary.BigEndian.Uint64(b); {
	case v > formatVersion:
		return false, fmt.Errorf("%w %d in %s, written by a newer ringkv (this build reads format %d): "+
			"run that version, or move the directory aside to start empty",
			ErrFormat, v, db.dir, formatVersion)
	case v >= 1 && v <= 3:
		return false, db.migrate(v) // migrate.go
	case v == 4:
		return false, db.migrateTombIndex() // migrate.go
	case v != formatVersion:
		return false, fmt.Errorf("%w %d in %s (this build reads format %d): "+
			"move the directory aside to start empty", ErrFormat, v, db.dir, formatVersion)
	}
	return false, nil
}

// stampFormat writes the format marker, refusing a DB that holds keys but
// no marker (not ours, or damaged).
func (db *DB) stampFormat() error {
	it := db.ldb.NewIterator(nil, nil)
	empty := !it.First()
	it.Release()
	if err := it.Error(); err != nil {
		return fmt.Errorf("engine: open %s: %w", db.dir, err)
	}
	if !empty {
		return fmt.Errorf("%w: %s holds LevelDB data but no ringkv format marker: "+
			"move it aside or point --dir elsewhere", ErrFormat, db.dir)
	}
	err := db.ldb.Put(metaKey(metaFormat), u64(formatVersion), &opt.WriteOptions{Sync: true})
	if err != nil {
		return fmt.Errorf("engine: open %s: writing format: %w", db.dir, err)
	}
	return nil
}
