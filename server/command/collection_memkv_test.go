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
	k.mu.Lock()
	if k.err != nil {
		k.mu.Unlock()
		return k.err
	}
	var keys []string
	for key := range k.m {
		if strings.HasPrefix(key, string(prefix)) && (after == nil || key > string(after)) {
			keys = append(keys, key)
		}
	}
	sort.Strings(keys)
	sets := make([]version.Set, len(keys))
	for i, key := range keys {
		sets[i] = k.m[key]
	}
	k.mu.Unlock()
	for i, key := range keys {
		if !fn(bytes.Clone([]byte(key)), sets[i]) {
			return nil
		}
	}
	return nil
}
