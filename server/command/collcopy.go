package command

import (
	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
)

// copyCollection is COPY and RENAME of a collection: dst (unless it holds
// a value and not replace) is deleted and written again with src's
// members, each as one version with its resolved value (a counter's
// totals kept, so a score or HINCRBY field goes on counting), and src's
// TTL. It walks src, so it costs what the collection holds, as Redis's
// COPY does; both keys' collection locks are held throughout. It reports
// whether it wrote.
func (d *Dispatcher) copyCollection(s *Session, src, dst []byte, kind version.Kind, replace bool) (bool, error) {
	defer d.lockKeys([][]byte{src, dst})()
	from, err := d.openColl(s, src, kind, lockNone)
	if err != nil {
		return false, err
	}
	defer from.close()
	if !from.exists() {
		return false, nil // deleted meanwhile
	}
	if !replace {
		if _, live, err := d.readValue(s, dst); err != nil || live {
			return false, err
		}
	}
	if _, err := d.dropKey(s, dst); err != nil {
		return false, err
	}
	to := &coll{d: d, s: s, key: dst, kind: kind, unlock: func() {}}
	exp := from.hdr.Expiry
	to.expiry = &exp
	if err := to.touch(); err != nil {
		return false, err
	}
	var werr error
	err = from.each(nil, func(member []byte, live []*version.Sibling) bool {
		ch, err := copiedElement(kind, live)
		if err == nil {
			_, err = to.update(member, func([]*version.Sibling) (ElemChange, error) { return ch, nil })
		}
		werr = err
		return err == nil
	})
	if err == nil {
		err = werr
	}
	d.wakeWaiters(s, dst) // a BLPOP or BZPOPMIN waiting on dst (blocking.go); a spurious wake only retries
	return err == nil, err
}

// copiedElement is the write that copies a member's live versions: its
// counter resolved whole (a sorted set's scores are float counters), or
// its newest plain value.
func copiedElement(kind version.Kind, live []*version.Sibling) (ElemChange, error) {
	for _, sb := range live {
		if sb.Kind == version.KindCounter {
			c, err := crdt.ResolveCounter(live, kind == version.KindZSet)
			if err != nil {
				return ElemChange{}, err
			}
			return ElemChange{Op: ElemWrite, Kind: version.KindCounter, Body: c.AppendBinary(nil)}, nil
		}
	}
	return ElemChange{Op: ElemWrite, Body: crdt.Newest(live).Value}, nil
}
