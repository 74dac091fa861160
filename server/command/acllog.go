package command

import (
	"sync"
	"time"

	"github.com/ringkv/ringkv/resp"
)

// aclLog is ACL LOG: the latest denials, newest first. A denial like one
// of the last ten (same reason, context, object and user, within a
// minute) bumps that entry's count instead (Redis's addACLLogEntry).
type aclLog struct {
	mu      sync.Mutex
	entries []aclLogEntry
}

// aclLogMax is acllog-max-len's default.
const aclLogMax = 128

type aclLogEntry struct {
	count   int64
	reason  aclReason
	context string // toplevel, multi, lua
	object  string // the command, key, channel, or AUTH/HELLO
	user    string
	at      time.Time
	client  string // CLIENT LIST line of the client
}

func (l *aclLog) add(e aclLogEntry, now time.Time) {
	e.count, e.at = 1, now
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := 0; i < len(l.entries) && i < 10; i++ {
		m := l.entries[i]
		d := now.Sub(m.at)
		if m.reason == e.reason && m.context == e.context && m.object == e.object &&
			m.user == e.user && d <= time.Minute && d >= -time.Minute {
			m.count, m.at, m.client = m.count+1, now, e.client
			copy(l.entries[1:i+1], l.entries[:i])
			l.entries[0] = m
			return
		}
	}
	l.entries = append([]aclLogEntry{e}, l.entries...)
	if len(l.entries) > aclLogMax {
		l.entries = l.entries[:aclLogMax]
	}
}

func (l *aclLog) reset() {
	l.mu.Lock()
	l.entries = nil
	l.mu.Unlock()
}

// reply renders the newest count entries.
func (l *aclLog) reply(count int, now time.Time) resp.Reply {
	l.mu.Lock()
	defer l.mu.Unlock()
	count = max(0, min(count, len(l.entries)))
	out := make([]resp.Reply, count)
	str := resp.BulkString
	for i, e := range l.entries[:count] {
		out[i] = resp.Map(str("count"), resp.Int(e.count), str("reason"), str(aclReasonNames[e.reason]),
			str("context"), str(e.context), str("object"), str(e.object), str("username"), str(e.user),
			str("age-seconds"), resp.Double(float64(now.Sub(e.at).Milliseconds())/1000),
			str("client-info"), str(e.client))
	}
	return resp.Array(out...)
}
