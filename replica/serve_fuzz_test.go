package replica_test

import (
	"context"
	"testing"

	"github.com/ringkv/ringkv/engine"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/version"
)

// No peer input may crash a node: every replica method, fed any body,
// answers or fails with an error.
func FuzzServePeer(f *testing.F) {
	var s version.Set
	s, _ = s.Put("n1.a", version.Context{}, version.Sibling{Value: []byte("v"), Time: 1}, 0)
	set := s.AppendBinary(nil)
	keySet := append([]byte{1, 'k'}, set...)
	page := make([]byte, 24) // MethodTransferPage: lo 0, hi 0, after 0, no key, limit 64
	page = append(page, 0, 64)
	f.Add(replica.MethodTransferPage, page)
	batch := append([]byte{2, byte(len(keySet))}, keySet...) // MethodMergeBatch: two copies
	batch = append(append(batch, byte(len(keySet))), keySet...)
	f.Add(replica.MethodMergeBatch, batch)
	f.Add(replica.MethodGetGroup, []byte{0, 2, 1, 'k', 1, 'j'})
	f.Add(replica.MethodGetGroup, []byte{1, 1, 1, 'k'})
	for m := uint8(0); m <= replica.MethodGetGroup; m++ {
		f.Add(m, []byte{})
		f.Add(m, keySet)
		f.Add(m, append([]byte{2, 'n', '2'}, keySet...))
		f.Add(m, []byte{18, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255})
	}
	db, err := engine.OpenMem(engine.Options{SweepInterval: -1})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = db.Close() })
	c, err := replica.New(replica.Config{Node: "n1", N: 3, R: 2, W: 2, Timeout: 1e9}, db, extended{
		primaries: []string{"n1", "n2", "n3"}, fallbacks: []string{"n4"}}, noPeers{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method uint8, body []byte) {
		if method == replica.MethodFlush {
			return // empties the store: legal, but it would slow the fuzzer down
		}
		_, _ = c.ServePeer(context.Background(), "n2", method, body)
	})
}

// noPeers fails every call: the fuzzed node is alone.
type noPeers struct{}

func (noPeers) Call(context.Context, string, uint8, []byte) ([]byte, error) {
	return nil, context.DeadlineExceeded
}
