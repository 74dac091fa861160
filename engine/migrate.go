package engine

import (
	"fmt"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/util"
)

// migrateBatch is how many records one migration batch rewrites.
const migrateBatch = 1000

// migrateHashTags moves a format-1 directory to format 2. Format 2 places
// a key with a Redis hash tag ({user1}:cart) by the tag's hash, so every
// data, expiry-index and hint record of such a key is rewritten under its
// new hash, in batches; then the saved Merkle tree (laid out by hash) is
// dropped, to be rebuilt, and the format marker is stamped, durably. A
// crash part-way leaves format 1 stamped: the next Open migrates again, and
// records already moved are left alone (their stored hash is current).
func (db *DB) migrateHashTags() error {
	moved := 0
	for _, pfx := range []byte{prefixData, prefixExpiry, prefixHint} {
		n, err := db.rehash(pfx)
		if err != nil {
			return fmt.Errorf("engine: open %s: migrating to format %d: %w", db.dir, formatVersion, err)
		}
		moved += n
	}
	if err := db.deleteTree(); err != nil {
		return err
	}
	if err := db.ldb.Put(metaKey(metaFormat), u64(formatVersion), &opt.WriteOptions{Sync: true}); err != nil {
		return fmt.Errorf("engine: open %s: writing format: %w", db.dir, err)
	}
	db.log.Info().Int("records_moved", moved).Int("format", formatVersion).
		Msg("data directory migrated: keys with hash tags are now placed by their tag")
	return nil
}

// rehash rewrites the records under pfx whose stored hash is not their
// key's Hash, and returns how many it moved.
func (db *DB) rehash(pfx byte) (int, error) {
	it := db.ldb.NewIterator(util.BytesPrefix([]byte{pfx}), &opt.ReadOptions{DontFillCache: true})
	defer it.Release()
	var b leveldb.Batch
	moved := 0
	for it.Next() {
		nk, ok := rehashed(it.Key())
		if !ok {
			continue
		}
		b.Delete(append([]byte(nil), it.Key()...))
		b.Put(nk, append([]byte(nil), it.Value()...))
		if moved++; b.Len() >= 2*migrateBatch {
			if err := db.ldb.Write(&b, &opt.WriteOptions{Sync: true}); err != nil {
				return moved, err
			}
			b.Reset()
		}
	}
	if err := it.Error(); err != nil {
		return moved, err
	}
	return moved, db.ldb.Write(&b, &opt.WriteOptions{Sync: true})
}

// rehashed returns the key a record k should have under the current Hash,
// and false if it has it already (or is not a record that holds a hash).
func rehashed(k []byte) ([]byte, bool) {
	switch k[0] {
	case prefixData:
		if h, key, ok := parseDataKey(k); ok && h != Hash(key) {
			return dataKey(Hash(key), key), true
		}
	case prefixExpiry:
		if exp, h, key, ok := parseExpiryKey(k); ok && h != Hash(key) {
			return expiryKey(exp, Hash(key), key), true
		}
	case prefixHint:
		if target, h, key, ok := parseHintKey(k); ok && h != Hash(key) {
			return hintKey(target, Hash(key), key), true
		}
	}
	return nil, false
}
