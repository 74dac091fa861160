package command

import (
	"context"
	"encoding/binary"
	"sort"
)

// ACL users replicate to every node as the function libraries do
// (functionsync.go): each change (ACL SETUSER, DELUSER) takes a new stamp
// and the whole user set is sent to the other members; a node applies a
// set only if its stamp is newer, and nodes compare stamps periodically
// so one that missed a change catches up. The messages share the
// function libraries' peer method, with their own tags:
//
//	'a' stamp          query: answered 'A' (the answerer is newer), 'a' (older) or nothing
//	'A' stamp users    the users: applied if newer
//
// users is a uvarint count, then per user its name and its rules (the
// SETUSER rules that rebuild it), each length-prefixed. Each selector is
// one rule, "(rule ...)", its rules quoted as sdssplitargs reads them
// (aclselector.go); a node from before selectors refuses that rule and
// skips it, so there the user has its root permissions only, never more.

// IsACLSync reports whether msg is an ACL replication message.
func (d *Dispatcher) IsACLSync(msg []byte) bool { return isACLSync(msg) }

func isACLSync(msg []byte) bool { return len(msg) > 0 && (msg[0] == 'a' || msg[0] == 'A') }

// SetACLBroadcast sets how ACL changes reach the other members: fn sends
// a message to each and hands each answer to ACLSync. nil: no members.
func (d *Dispatcher) SetACLBroadcast(fn func(ctx context.Context, msg []byte) error) {
	d.acl.mu.Lock()
	d.acl.broadcast = fn
	d.acl.mu.Unlock()
}

// changeUsers runs op on the users under the lock, then stamps the new
// set and sends it to the other members. s is nil for the ACL file's
// load at the start.
func (d *Dispatcher) changeUsers(s *Session, op func(users map[string]*aclUser)) {
	a := d.acl
	a.mu.Lock()
	op(a.users)
	a.reopen()
	a.stamp = stamp{counter: a.stamp.counter + 1, node: d.env.Settings.Params().Node}
	msg, send := a.fullMessage(), a.broadcast
	a.mu.Unlock()
	if send == nil {
		return
	}
	ctx := context.Background() // the start's file load
	if s != nil {
		ctx = s.Context()
	}
	if err := send(ctx, msg); err != nil {
		d.env.Logger.Warn().Err(err).Msg("ACL users not sent to every member; they catch up when they next exchange stamps")
	}
}

// fullMessage is 'A', the stamp and the users (mu held).
func (a *aclState) fullMessage() []byte {
	msg := a.stamp.append([]byte{'A'})
	names := make([]string, 0, len(a.users))
	for n := range a.users {
		names = append(names, n)
	}
	sort.Strings(names)
	msg = binary.AppendUvarint(msg, uint64(len(names)))
	for _, n := range names {
		rules := a.users[n].rules(a.cmds)
		msg = appendString(msg, n)
		msg = binary.AppendUvarint(msg, uint64(len(rules)))
		for _, r := range rules {
			msg = appendString(msg, r)
		}
	}
	return msg
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func readString(b []byte) (string, []byte, error) {
	l, n := binary.Uvarint(b)
	if n <= 0 || l > uint64(len(b)-n) {
		return "", nil, errSyncMalformed
	}
	return string(b[n : n+int(l)]), b[n+int(l):], nil
}

// ACLSyncQuery asks a peer whether its users are newer or older.
func (d *Dispatcher) ACLSyncQuery() []byte {
	d.acl.mu.RLock()
	defer d.acl.mu.RUnlock()
	return d.acl.stamp.append([]byte{'a'})
}

// ACLSync handles an ACL replication message from a peer (or a peer's
// answer) and returns the message to send back, nil for none.
func (d *Dispatcher) ACLSync(msg []byte) ([]byte, error) {
	if !isACLSync(msg) {
		return nil, errSyncMalformed
	}
	theirs, rest, err := readStamp(msg[1:])
	if err != nil {
		return nil, err
	}
	a := d.acl
	if msg[0] == 'a' {
		a.mu.RLock()
		defer a.mu.RUnlock()
		switch {
		case a.stamp.newer(theirs):
			return a.fullMessage(), nil
		case theirs.newer(a.stamp):
			return a.stamp.append([]byte{'a'}), nil
		}
		return nil, nil
	}
	users, err := a.decodeUsers(rest)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	if !theirs.newer(a.stamp) {
		a.mu.Unlock()
		return nil, nil
	}
	before := a.users
	a.users, a.stamp = users, theirs
	a.reopen()
	a.mu.Unlock()
	// Connections of deleted users close, and subscribers lose what the
	// new rules revoke, as after a local DELUSER or SETUSER.
	for n, old := range before {
		if users[n] == nil {
			d.env.Clients.Kill(KillFilter{User: n})
		} else {
			d.killRevokedSubscribers(old, users[n])
		}
	}
	return nil, nil
}

func (a *aclState) decodeUsers(b []byte) (map[string]*aclUser, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return nil, errSyncMalformed
	}
	b = b[k:]
	users := make(map[string]*aclUser, n)
	for i := uint64(0); i < n; i++ {
		var name string
		var err error
		if name, b, err = readString(b); err != nil {
			return nil, err
		}
		nr, k := binary.Uvarint(b)
		if k <= 0 || nr > uint64(len(b)) {
			return nil, errSyncMalformed
		}
		b = b[k:]
		u := newUser(name)
		for j := uint64(0); j < nr; j++ {
			var r string
			if r, b, err = readString(b); err != nil {
				return nil, err
			}
			// A rule naming a command this node lacks is skipped.
			_ = u.apply(a.cmds, r)
		}
		users[name] = u
	}
	if users["default"] == nil {
		return nil, errSyncMalformed
	}
	return users, nil
}
