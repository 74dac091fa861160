package command

import (
	"context"
	"sort"
	"sync"
	"sync/atomic"
)

// aclState is a node's ACL users. open is the fast path: while only the
// default user exists and it may run everything, on every key and
// channel, Do checks nothing but that one atomic flag.
type aclState struct {
	open atomic.Bool
	cmds commandSet

	mu      sync.RWMutex
	users   map[string]*aclUser // never changed in place (acl.go)
	reqpass string              // the requirepass the default user's password follows
	stamp   stamp               // the users' replication stamp (aclsync.go)
	log     aclLog              // ACL LOG (acllog.go)
	saveMu  sync.Mutex          // one ACL SAVE at a time (aclfile.go)
	// broadcast sends a change to the other members (aclsync.go).
	broadcast func(ctx context.Context, msg []byte) error
}

func newACLState(all []*Command, requirepass string) *aclState {
	a := &aclState{cmds: newCommandSet(all), users: map[string]*aclUser{}}
	def := newUser("default")
	for _, r := range []string{"+@all", "~*", "&*", "on", "nopass"} {
		_ = def.apply(a.cmds, r)
	}
	a.users["default"] = def
	a.followRequirePass(requirepass)
	a.open.Store(true)
	return a
}

// followRequirePass gives the default user the password requirepass
// (CONFIG SET requirepass, --requirepass), as Redis's
// ACLUpdateDefaultUserPassword; "" makes it nopass. mu held for writing.
func (a *aclState) followRequirePass(pass string) {
	a.reqpass = pass
	def := a.users["default"].clone()
	_ = def.apply(a.cmds, "resetpass")
	if pass == "" {
		_ = def.apply(a.cmds, "nopass")
	} else {
		_ = def.apply(a.cmds, ">"+pass)
	}
	a.users["default"] = def
}

// sync applies a requirepass changed since the last look.
func (a *aclState) sync(requirepass string) {
	a.mu.RLock()
	same := a.reqpass == requirepass
	a.mu.RUnlock()
	if same {
		return
	}
	a.mu.Lock()
	if a.reqpass != requirepass {
		a.followRequirePass(requirepass)
	}
	a.mu.Unlock()
}

// user returns the user named name, nil if there is none.
func (a *aclState) user(name string) *aclUser {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.users[name]
}

// names returns the users' names in order.
func (a *aclState) names() []string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := make([]string, 0, len(a.users))
	for n := range a.users {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// reopen recomputes open after a change (mu held for writing): only the
// default user, with every permission.
func (a *aclState) reopen() {
	def := a.users["default"]
	pass := def.flags&flagNoPass != 0 && len(def.passwords) == 0
	if a.reqpass != "" {
		pass = def.flags&flagNoPass == 0 && len(def.passwords) == 1 && def.passwords[0] == hashPassword([]byte(a.reqpass))
	}
	open := len(a.users) == 1 && def.flags&flagOn != 0 && def.future && pass &&
		len(def.cmds) == len(a.cmds.names) && def.allKeys && def.allChans && len(def.firstArgs) == 0
	a.open.Store(open)
}

// defaultAuthed reports whether a new connection is authenticated as the
// default user without AUTH: it is on and nopass.
func (a *aclState) defaultAuthed() bool {
	def := a.user("default")
	return def.flags&flagNoPass != 0 && def.flags&flagOff == 0
}
