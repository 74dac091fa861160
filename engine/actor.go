package engine

import (
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/opt"
)

// Meta keys of the write identity; see doc.go.
const (
	// metaActor holds the current actor token.
	metaActor = "actor"
	// metaOpen holds the SyncMode of the session that has the DB open
	// (one byte); a clean Close deletes it, so finding it at Open means
	// the previous session stopped without Close.
	metaOpen = "open"
)

// actorLen is the length of an actor token: 8 base32 characters, 40
// random bits. A node's tokens collide only by chance, with probability
// about k²/2⁴¹ over k tokens ever drawn: 5e-7 for a thousand.
const actorLen = 8

// actorEncoding is lowercase RFC 4648 base32: printable, no padding at
// 5 bytes, safe in contexts and in redis-cli.
var actorEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Actor returns the current write identity token (actorLen printable
// characters). A coordinator names its dots with it (with its node name),
// so that a counter is never issued twice under one name: the token
// changes whenever this node may have lost writes it acknowledged. Read
// it inside Update's fn, under the key's lock: Flush, which changes it,
// cannot run in between.
func (db *DB) Actor() string { return *db.actor.Load() }

// NewActor durably switches to a fresh token and returns it.
func (db *DB) NewActor() (string, error) {
	db.recoverWrites()
	db.gate.RLock()
	defer db.gate.RUnlock()
	if db.closed {
		return "", ErrClosed
	}
	if err := db.rotateActor("requested by NewActor", nil); err != nil {
		return "", err
	}
	return db.Actor(), nil
}

// openState restores at Open what the replica layer relies on: the write
// identity and the pending-hint counts.
func (db *DB) openState() error {
	if err := db.openActor(); err != nil {
		return err
	}
	return db.loadHints()
}

// flushState is Flush's part of that state, run with the gate held
// exclusively before the records go: a new actor first (a crash part way
// must not leave emptied records under the old one), then no hints.
func (db *DB) flushState() error {
	if err := db.rotateActor("FLUSHALL", nil); err != nil {
		return err
	}
	return db.resetHints()
}

// openActor loads the actor token, replacing it when history may be lost,
// and marks the DB open (durably, in the same batch): a clean Close
// unmarks it.
func (db *DB) openActor() error {
	tok, err := db.ldb.Get(metaKey(metaActor), nil)
	if err != nil && !errors.Is(err, leveldb.ErrNotFound) {
		return fmt.Errorf("engine: open %s: reading actor: %w", db.dir, err)
	}
	prev, err := db.ldb.Get(metaKey(metaOpen), nil)
	unclean := err == nil
	if err != nil && !errors.Is(err, leveldb.ErrNotFound) {
		return fmt.Errorf("engine: open %s: reading open marker: %w", db.dir, err)
	}
	db.actor.Store(new(string(tok)))
	var b leveldb.Batch
	b.Put(metaKey(metaOpen), []byte{byte(db.opt.Sync)})
	if reason := actorReason(tok, prev, unclean); reason != "" {
		return db.rotateActor(reason, &b)
	}
	if err := db.ldb.Write(&b, &opt.WriteOptions{Sync: true}); err != nil {
		return fmt.Errorf("engine: open %s: writing open marker: %w", db.dir, err)
	}
	return nil
}

// actorReason says why the stored token tok must be replaced, or "" to
// keep it. unclean is whether the previous session left its open marker
// prev (its SyncMode).
func actorReason(tok, prev []byte, unclean bool) string {
	switch {
	case tok == nil:
		return "no actor stored: new or wiped directory"
	case !validActor(string(tok)):
		return fmt.Sprintf("stored actor %q is malformed", tok)
	case unclean && (len(prev) != 1 || SyncMode(prev[0]) != SyncAlways):
		return fmt.Sprintf("previous run (appendfsync %s) stopped without a clean shutdown "+
			"and may have lost the tail of its journal", prevMode(prev))
	}
	return ""
}

func prevMode(prev []byte) string {
	if len(prev) != 1 {
		return "unknown"
	}
	return SyncMode(prev[0]).String()
}

func validActor(s string) bool {
	b, err := actorEncoding.DecodeString(s)
	return err == nil && len(s) == actorLen && len(b) == actorLen*5/8
}

// rotateActor durably stores a fresh token (in b, if given, with b's
// other writes) and switches to it. The caller holds the gate, shared or
// exclusive, or is Open.
func (db *DB) rotateActor(reason string, b *leveldb.Batch) error {
	db.actorMu.Lock()
	defer db.actorMu.Unlock()
	old := db.Actor()
	tok := newActorToken(old)
	if b == nil {
		b = new(leveldb.Batch)
	}
	b.Put(metaKey(metaActor), []byte(tok))
	if err := db.ldb.Write(b, &opt.WriteOptions{Sync: true}); err != nil {
		return fmt.Errorf("engine: %s: storing new actor: %w", db.dir, closedErr(err))
	}
	db.actor.Store(&tok)
	db.log.Info().Str("actor", tok).Str("previous", old).Str("reason", reason).Msg("new write actor")
	return nil
}

// newActorToken draws a random token other than old. (crypto/rand.Read
// never fails: it crashes the program instead.)
func newActorToken(old string) string {
	var raw [actorLen * 5 / 8]byte
	for {
		rand.Read(raw[:])
		if tok := actorEncoding.EncodeToString(raw[:]); tok != old {
			return tok
		}
	}
}

// markClean records a clean shutdown: the caller (Close) has made every
// write durable and stopped every writer.
func (db *DB) markClean() error {
	if err := db.ldb.Delete(metaKey(metaOpen), &opt.WriteOptions{Sync: true}); err != nil {
		return fmt.Errorf("engine: close %s: clearing open marker: %w", db.dir, err)
	}
	return nil
}
