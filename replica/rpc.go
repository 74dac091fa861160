package replica

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/ringkv/ringkv/replica/version"
)

// Peer RPC methods served by Coordinator.ServePeer. Other layers use codes
// from MethodUser up.
const (
	MethodGet   uint8 = 1 // body: key; reply: last flush time (8 bytes), encoded set
	MethodMerge uint8 = 2 // body: uvarint len, key, encoded set; reply: empty
	MethodScan  uint8 = 3 // body: cursor, hi, limit; reply: entries, next
	MethodLen   uint8 = 4 // reply: uvarint count of local keys with a value
	MethodFlush uint8 = 5 // body: flush time, Unix ms (8 bytes); flush the local store
	MethodApply uint8 = 6 // body: see encodeApply; coordinate a write decided elsewhere
	MethodHint  uint8 = 7 // body: uvarint len, target, then a merge body; store a hint for target
	// MethodGetHinted is MethodGet asked of a fallback: the reply merges
	// the hints it holds for the key with any copy of its own.
	MethodGetHinted uint8 = 8
	// MethodGetGroup is MethodGet of several keys of one preference list
	// (getGroupRemote has the body and reply).
	MethodGetGroup uint8 = 18
	MethodUser     uint8 = 32
)

// getRemote asks node for its set of key (method MethodGet or
// MethodGetHinted), and learns node's last flush.
func (c *Coordinator) getRemote(ctx context.Context, node string, method uint8, key []byte) (version.Set, error) {
	b, err := c.call(ctx, node, method, key)
	if err != nil {
		return nil, err
	}
	if len(b) < 8 {
		return nil, errors.New("replica: malformed get reply")
	}
	c.learnFlush(int64(binary.BigEndian.Uint64(b)))
	return version.DecodeSet(b[8:])
}

// getGroupMax bounds the keys of one MethodGetGroup request, and
// getGroupReplyMax the bytes of sets in its reply: a replica answers the
// keys in order up to that size (at least one), and the coordinator asks
// again for the rest.
const getGroupMax = 1024

var getGroupReplyMax = 16 << 20 // a variable for tests

// getGroupRemote asks node for its sets of keys (what it holds for a
// primary it stands in for too, if hinted) into sets, one request per
// reply of up to getGroupReplyMax bytes, and learns node's last flush.
// If node refuses the request (a node that predates MethodGetGroup), the
// keys left are read one by one, as MethodMergeBatch falls back.
// Body: a flags byte (1: hinted), uvarint count, then each key as uvarint
// length and bytes. Reply: node's last flush (8 bytes), uvarint count of
// keys answered (a prefix of the request's), then each set as uvarint
// length and encoding.
func (c *Coordinator) getGroupRemote(ctx context.Context, node string, hinted bool, keys [][]byte, sets []version.Set) error {
	for done := 0; done < len(keys); {
		ask := keys[done:min(len(keys), done+getGroupMax)]
		body := []byte{0}
		if hinted {
			body[0] = 1
		}
		body = binary.AppendUvarint(body, uint64(len(ask)))
		for _, k := range ask {
			body = binary.AppendUvarint(body, uint64(len(k)))
			body = append(body, k...)
		}
		b, err := c.call(ctx, node, MethodGetGroup, body)
		if isRemoteErr(err) {
			return c.getEachRemote(ctx, node, hinted, keys[done:], sets[done:])
		}
		if err != nil {
			return err
		}
		if len(b) < 8 {
			return errors.New("replica: malformed get group reply")
		}
		c.learnFlush(int64(binary.BigEndian.Uint64(b)))
		n, k := binary.Uvarint(b[8:])
		if k <= 0 || n == 0 || n > uint64(len(ask)) {
			return errors.New("replica: malformed get group reply")
		}
		b = b[8+k:]
		for i := range int(n) {
			enc, rest, ok := cutBytes(b)
			if !ok {
				return errors.New("replica: malformed get group reply")
			}
			if sets[done+i], err = version.DecodeSet(enc); err != nil {
				return err
			}
			b = rest
		}
		done += int(n)
	}
	return nil
}

// getEachRemote is getGroupRemote one key per request.
func (c *Coordinator) getEachRemote(ctx context.Context, node string, hinted bool, keys [][]byte, sets []version.Set) error {
	method := MethodGet
	if hinted {
		method = MethodGetHinted
	}
	for i, k := range keys {
		var err error
		if sets[i], err = c.getRemote(ctx, node, method, k); err != nil {
			return err
		}
	}
	return nil
}

// serveGetGroup answers MethodGetGroup (getGroupRemote) as MethodGet or
// MethodGetHinted answers each key.
func (c *Coordinator) serveGetGroup(ctx context.Context, body []byte) ([]byte, error) {
	if len(body) < 1 || body[0] > 1 {
		return nil, errors.New("replica: malformed get group request")
	}
	hinted := body[0] == 1
	n, k := binary.Uvarint(body[1:])
	if k <= 0 || n == 0 || n > getGroupMax {
		return nil, errors.New("replica: malformed get group request")
	}
	rest := body[1+k:]
	keys := make([][]byte, n)
	for i := range keys {
		var ok bool
		if keys[i], rest, ok = cutBytes(rest); !ok {
			return nil, errors.New("replica: malformed get group request")
		}
	}
	out := binary.BigEndian.AppendUint64(nil, uint64(c.store.FlushedAt()))
	var sets []byte
	answered := 0
	for _, key := range keys {
		s, err := c.getServed(ctx, key, hinted)
		if err != nil {
			return nil, err
		}
		sets = binary.AppendUvarint(sets, uint64(s.EncodedLen()))
		sets = s.AppendBinary(sets)
		answered++
		if len(sets) >= getGroupReplyMax {
			break
		}
	}
	out = binary.AppendUvarint(out, uint64(answered))
	return append(out, sets...), nil
}

// getServed is this node's set of key as a peer's read sees it: with
// what a partition's old owner still holds while it arrives
// (readThrough), and, if hinted, the hints held for key.
func (c *Coordinator) getServed(ctx context.Context, key []byte, hinted bool) (version.Set, error) {
	s, err := c.store.Get(key)
	if err != nil {
		return nil, err
	}
	s = c.readThrough(ctx, key, s)
	if hinted {
		h, err := c.store.HintedSet(key)
		if err != nil {
			return nil, err
		}
		s = s.Merge(h)
	}
	return s, nil
}

// mergeRemote sends s for node to merge into its set of key.
func (c *Coordinator) mergeRemote(ctx context.Context, node string, key []byte, s version.Set) error {
	_, err := c.call(ctx, node, MethodMerge, encodeKeySet(key, s))
	return err
}

func encodeKeySet(key []byte, s version.Set) []byte {
	b := binary.AppendUvarint(make([]byte, 0, len(key)+64), uint64(len(key)))
	return s.AppendBinary(append(b, key...))
}

func encodeHint(target string, mergeBody []byte) []byte {
	b := binary.AppendUvarint(make([]byte, 0, len(target)+len(mergeBody)+2), uint64(len(target)))
	return append(append(b, target...), mergeBody...)
}

func decodeHint(b []byte) (target string, key []byte, s version.Set, err error) {
	t, rest, ok := cutBytes(b)
	if !ok || len(t) == 0 {
		return "", nil, nil, errors.New("replica: malformed hint request")
	}
	key, s, err = decodeKeySet(rest)
	return string(t), key, s, err
}

func decodeKeySet(b []byte) ([]byte, version.Set, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return nil, nil, errors.New("replica: malformed merge request")
	}
	key := b[k : k+int(n)]
	s, err := version.DecodeSet(b[k+int(n):])
	return key, s, err
}

// ServePeer answers the replica methods for other nodes' coordinators.
func (c *Coordinator) ServePeer(ctx context.Context, from string, method uint8, body []byte) ([]byte, error) {
	switch method {
	case MethodGet, MethodGetHinted, MethodGetDirect:
		var s version.Set
		var err error
		if method == MethodGetDirect {
			s, err = c.store.Get(body)
		} else {
			s, err = c.getServed(ctx, body, method == MethodGetHinted)
		}
		if err != nil {
			return nil, err
		}
		return s.AppendBinary(binary.BigEndian.AppendUint64(nil, uint64(c.store.FlushedAt()))), nil
	case MethodGetGroup:
		return c.serveGetGroup(ctx, body)
	case MethodHint:
		target, key, s, err := decodeHint(body)
		if err != nil {
			return nil, err
		}
		if target == c.cfg.Node { // views differ: it is ours
			_, _, err = c.store.Merge(key, s)
			return nil, err
		}
		if err := c.store.PutHint(target, key, s.DropBefore(c.flushedAt())); err != nil {
			return nil, err
		}
		c.stats.HintsStored.Add(1)
		return nil, nil
	case MethodMerge:
		key, s, err := decodeKeySet(body)
		if err != nil {
			return nil, err
		}
		_, _, err = c.store.Merge(key, s)
		return nil, err
	case MethodMergeBatch:
		return nil, c.serveMergeBatch(body)
	case MethodScan:
		return c.serveScan(ctx, body)
	case MethodTransferPage:
		return c.serveTransferPage(ctx, body)
	case MethodElements:
		return c.serveElements(ctx, body)
	case MethodLen:
		return binary.AppendUvarint(nil, uint64(c.store.Len())), nil
	case MethodFlush:
		if len(body) != 8 {
			return nil, errors.New("replica: malformed flush request")
		}
		return nil, c.store.Flush(int64(binary.BigEndian.Uint64(body)))
	case MethodApply:
		return c.serveApply(ctx, body)
	case MethodTreeRoots, MethodTreeSegments, MethodSegmentKeys:
		return c.serveTree(method, body)
	case MethodReapCheck:
		return c.serveReapCheck(body)
	case MethodReap:
		return c.serveReap(body)
	}
	return nil, fmt.Errorf("replica: unknown peer method %d from %s", method, from)
}
