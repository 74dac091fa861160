package command

import (
	"bytes"
	"context"
	"sort"
	"strings"

	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/version"
)

var _ ElementKV = (*memKV)(nil)

// Elements walks the records under prefix after after, in key order.
func (k *memKV) Elements(_ context.Context, prefix, after []byte, _ replica.ReadOptions, fn func([]byte, version.Set) bool) error {
	from := string(prefix)
	if after != nil && string(after) >= from {
		from = string(after) + "\x00"
	}
	return k.walk(prefix, from, false, fn)
}

// elementsReverse walks the records under prefix before before (nil: all),
// in reverse key order.
func (k *memKV) elementsReverse(prefix, before []byte, fn func([]byte, version.Set) bool) error {
	return k.walk(prefix, string(before), true, fn)
}

// walk calls fn on the records under prefix from from (forward: at or
// after it; reverse: before it, "" for the end), a chunk copied under the
// lock at a time, so fn runs unlocked and a short walk copies little.
func (k *memKV) walk(prefix []byte, from string, reverse bool, fn func([]byte, version.Set) bool) error {
	const chunk = 32
	for {
		k.mu.Lock()
		if k.err != nil {
			k.mu.Unlock()
			return k.err
		}
		all := k.sortedKeys()
		var keys []string
		var sets []version.Set
		take := func(key string) bool {
			if !strings.HasPrefix(key, string(prefix)) || len(keys) == chunk {
				return false
			}
			keys, sets = append(keys, key), append(sets, k.m[key])
			return true
		}
		if reverse {
			end := len(all)
			if from != "" {
				end = sort.SearchStrings(all, from)
			}
			for i := end - 1; i >= 0 && take(all[i]); i-- {
			}
		} else {
			for _, key := range all[sort.SearchStrings(all, from):] {
				if !take(key) {
					break
				}
			}
		}
		k.mu.Unlock()
		for i, key := range keys {
			if !fn(bytes.Clone([]byte(key)), ownedSet(sets[i])) { // fn owns both, as from the engine
				return nil
			}
		}
		if len(keys) < chunk {
			return nil
		}
		if from = keys[len(keys)-1]; !reverse {
			from += "\x00"
		}
	}
}

// sortedKeys returns k.m's keys in order, under k.mu. Keys are never
// deleted from k.m (Flush replaces it and drops the list), so a list as
// long as the map holds its keys.
func (k *memKV) sortedKeys() []string {
	if len(k.sorted) != len(k.m) {
		k.sorted = k.sorted[:0]
		for key := range k.m {
			k.sorted = append(k.sorted, key)
		}
		sort.Strings(k.sorted)
	}
	return k.sorted
}

// ownedSet is a copy of s whose siblings and values the caller may
// change (ElementKV: a walk owns the records it is handed).
func ownedSet(s version.Set) version.Set {
	out := make(version.Set, len(s))
	for i := range s {
		out[i] = s[i]
		out[i].Value = bytes.Clone(s[i].Value)
	}
	return out
}
