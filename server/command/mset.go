package command

import (
	"errors"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// PlacedKV is the part of the store that says which keys one group write
// may hold (replica.Coordinator.Placement): those whose placements are
// equal share a preference list.
type PlacedKV interface {
	GroupKV
	Placement(key []byte) string
}

// errKeyExists stops MSETNX's group write: a key holds a value.
var errKeyExists = errors.New("command: MSETNX key exists")

// MSET key value [key value ...]: the keys that share a preference list
// (every key on a single node; in a cluster the keys of one partition,
// which a hash tag gives) are written as one group: one round, one
// write, all or none, as Redis writes MSET. Keys of different preference
// lists are written group after group (README, "In a cluster").
func (d *Dispatcher) mset(s *Session, args [][]byte) resp.Reply {
	if len(args)%2 == 0 {
		return errWrongArgs("mset")
	}
	if _, err := d.setPairs(s, args[1:], false); err != nil {
		return errorReply(err)
	}
	return resp.OK()
}

// MSETNX key value [key value ...]: 1 and every key set if none of them
// holds a value, else 0 and nothing set. Keys of one preference list
// (which a cluster requires: they share a partition) are checked and
// written as one group, atomically; across groups each key is read first
// and the writes are not atomic.
func (d *Dispatcher) msetnx(s *Session, args [][]byte) resp.Reply {
	if len(args)%2 == 0 {
		return errWrongArgs("msetnx")
	}
	groups := d.placed(args[1:])
	if len(groups) > 1 {
		for i := 1; i < len(args); i += 2 {
			w, err := d.read(s, args[i])
			if err != nil {
				return errorReply(err)
			}
			if w != nil {
				return resp.Int(0)
			}
		}
	}
	ok, err := d.setPairs(s, args[1:], len(groups) == 1)
	switch {
	case err != nil:
		return errorReply(err)
	case !ok:
		return resp.Int(0)
	}
	return resp.Int(1)
}

// setPairs writes pairs (key, value, key, value ...) as MSET does, a
// later value of a key over an earlier one. With nx a group is written
// only if none of its keys holds a value; ok is false if one did (and
// that group was not written).
func (d *Dispatcher) setPairs(s *Session, pairs [][]byte, nx bool) (ok bool, err error) {
	for _, g := range d.placed(pairs) {
		if ok, err = d.setGroup(s, g, nx); !ok || err != nil {
			return ok, err
		}
	}
	return true, nil
}

// placed splits pairs into groups that one group write can take, each
// key once (with its last value), the groups in the order of their first
// keys. A store that cannot say where keys live gets one key per group.
func (d *Dispatcher) placed(pairs [][]byte) [][][]byte {
	last := make(map[string]int, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		last[string(pairs[i])] = i
	}
	pk, _ := d.raw.(PlacedKV)
	var groups [][][]byte
	at := map[string]int{}
	for i := 0; i+1 < len(pairs); i += 2 {
		if last[string(pairs[i])] != i {
			continue
		}
		name := "" // no PlacedKV: a group per key
		if pk != nil {
			name = pk.Placement(ring.InternalKey(pairs[i]))
			if g, ok := at[name]; ok {
				groups[g] = append(groups[g], pairs[i], pairs[i+1])
				continue
			}
		}
		at[name] = len(groups)
		groups = append(groups, [][]byte{pairs[i], pairs[i+1]})
	}
	return groups
}

// setGroup writes the pairs of one placement as one group write (one
// key: as SET does). See setPairs for nx and ok.
func (d *Dispatcher) setGroup(s *Session, pairs [][]byte, nx bool) (bool, error) {
	change := func(cur version.Set, now int64, val []byte) (*replica.Change, error) {
		if _, live := crdt.Resolve(cur, now); nx && live {
			return nil, errKeyExists
		}
		return d.assign(cur, now, val, 0), nil
	}
	if len(pairs) == 2 {
		write := d.overwrite
		if nx {
			write = d.update
		}
		_, err := write(s, pairs[0], func(cur version.Set, now int64) (*replica.Change, error) {
			return change(cur, now, pairs[1])
		})
		if errors.Is(err, errKeyExists) {
			return false, nil
		}
		return true, err
	}
	keys := make([][]byte, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		keys = append(keys, ring.InternalKey(pairs[i]))
	}
	res, err := d.raw.(PlacedKV).UpdateGroupNamed(s.Context(), keys, nil, replica.WriteOptions{Read: nx},
		func(i int, cur version.Set, now int64, _ []replica.Result) (*replica.Change, error) {
			return change(cur, now, pairs[2*i+1])
		})
	if errors.Is(err, replica.ErrGroupPlacement) {
		// The ring changed since placed grouped the keys: key by key.
		for i := 0; i < len(pairs); i += 2 {
			if ok, err := d.setGroup(s, pairs[i:i+2], nx); !ok || err != nil {
				return ok, err
			}
		}
		return true, nil
	}
	for _, r := range res {
		d.noteWrite(s, r, err)
	}
	if errors.Is(err, errKeyExists) {
		return false, nil
	}
	return true, err
}
