package command

import (
	"context"

	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/resp"
)

// HDEL key field ...: hdel when it removed a field, then del when that
// emptied the hash (Redis deletes it; one quorum read of the key tells).
func hdelEvents(d *Dispatcher, args [][]byte, r resp.Reply) []keyEvent {
	if r.Kind != resp.KindInt || r.Int == 0 {
		return nil
	}
	ev := one(notifyHash, "hdel", args[1])
	set, err := d.env.KV.Get(context.Background(), args[1], replica.ReadOptions{})
	if _, live := set.Winner(d.env.KV.Now()); err == nil && !live {
		ev = append(ev, keyEvent{class: notifyGeneric, name: "del", key: args[1]})
	}
	return ev
}

// The hash commands' notifications (Redis's notifyKeyspaceEvent calls in
// t_hash.c), added to notify.go's tables; hset, hincrby and hincrbyfloat
// create a key that was absent, so they fire "new" first.
func init() {
	for name, ev := range map[string]func(*Dispatcher, [][]byte, resp.Reply) []keyEvent{
		"hset":         always(notifyHash, "hset"),
		"hmset":        always(notifyHash, "hset"),
		"hsetnx":       ifInt(notifyHash, "hset"),
		"hdel":         hdelEvents,
		"hincrby":      always(notifyHash, "hincrby"),
		"hincrbyfloat": always(notifyHash, "hincrbyfloat"),
	} {
		keyEventsOf[name] = ev
	}
	for _, name := range []string{"hset", "hincrby", "hincrbyfloat"} {
		creates[name] = true
	}
}
