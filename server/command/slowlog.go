package command

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ringkv/ringkv/resp"
)

// The slow log, as Redis 7.0's: every command that ran for at least
// slowlog-log-slower-than microseconds (negative: never; 0: every command)
// is recorded with its arguments, newest first, up to slowlog-max-len
// entries. The time is the handler's, quorum waits included. Commands
// refused before running (unknown, arity, NOAUTH) are not recorded, nor
// those Redis flags skip_slowlog (EXEC: its commands are recorded one by
// one). Passwords are "(redacted)" as Redis does.

// Redis's bounds on what an entry keeps of a command.
const (
	slowlogMaxArgc = 32  // SLOWLOG_ENTRY_MAX_ARGC
	slowlogMaxArg  = 128 // SLOWLOG_ENTRY_MAX_STRING
)

// slowlog holds the entries. Its zero value is an empty log.
type slowlog struct {
	mu      sync.Mutex
	nextID  int64
	entries []slowEntry // oldest first
}

// slowEntry is one SLOWLOG GET entry.
type slowEntry struct {
	id, time, usec int64 // id, Unix seconds, duration in µs
	args           []string
	addr, name     string
}

// record adds cmd's run to the log if it was slow enough.
func (l *slowlog) record(d *Dispatcher, lim *introLimits, s *Session, cmd *Command, args [][]byte, took time.Duration) {
	limit := lim.slowUsec.Load()
	usec := took.Microseconds()
	if limit < 0 || usec < limit || skipSlowlog(cmd) {
		return
	}
	e := slowEntry{time: d.env.Clock().Unix(), usec: usec, args: slowArgs(cmd.Name, args),
		addr: s.Addr, name: s.Info().Name}
	maxLen := lim.slowMax.Load()
	l.mu.Lock()
	defer l.mu.Unlock()
	e.id = l.nextID
	l.nextID++
	l.entries = append(l.entries, e)
	l.trim(maxLen)
}

// trim drops the oldest entries beyond maxLen. It slices them off the
// front, so a record costs O(1) however long the log: append copies the
// live entries once the array fills. (Copying the log at every record
// was 2.4% of a coordinator's CPU under SET -P 16 on 3 nodes, where
// quorum waits make most commands slow.)
func (l *slowlog) trim(maxLen int64) {
	if over := int64(len(l.entries)) - maxLen; over > 0 {
		clear(l.entries[:over]) // the array holds them until it is copied
		l.entries = l.entries[over:]
	}
}

// skipSlowlog reports whether Redis never logs cmd (flag skip_slowlog).
func skipSlowlog(cmd *Command) bool {
	rc := redisMeta()[cmd.Name]
	return rc != nil && rc.skipSlowlog
}

// slowArgs is what an entry keeps of args: at most slowlogMaxArgc
// arguments and slowlogMaxArg bytes of each, passwords redacted.
func slowArgs(name string, args [][]byte) []string {
	n := min(len(args), slowlogMaxArgc)
	out := make([]string, n)
	redact := redacted(name, args)
	for i := range n {
		a := args[i]
		switch {
		case n != len(args) && i == n-1:
			out[i] = fmt.Sprintf("... (%d more arguments)", len(args)-n+1)
		case redact[i]:
			out[i] = "(redacted)"
		case len(a) > slowlogMaxArg:
			out[i] = fmt.Sprintf("%s... (%d more bytes)", a[:slowlogMaxArg], len(a)-slowlogMaxArg)
		default:
			out[i] = string(a)
		}
	}
	return out
}

// redacted marks the arguments Redis hides from the slow log: AUTH's,
// HELLO's AUTH credentials and CONFIG SET's password values.
func redacted(name string, args [][]byte) map[int]bool {
	out := map[int]bool{}
	switch name {
	case "auth":
		for i := 1; i < len(args); i++ {
			out[i] = true
		}
	case "hello":
		for i := 2; i+2 < len(args); i++ {
			if strings.EqualFold(string(args[i]), "auth") {
				out[i+1], out[i+2] = true, true
				break
			}
		}
	case "config|set":
		for i := 2; i+1 < len(args); i += 2 {
			switch strings.ToLower(string(args[i])) {
			case "requirepass", "masterauth":
				out[i+1] = true
			}
		}
	}
	return out
}

func (d *Dispatcher) slowlogCommand() *Command {
	const f = Admin | Loading | Stale
	return container("slowlog", -2, 0, "server", nil,
		keyless("get", -2, f, "", d.slowlogGet),
		keyless("len", 2, f, "", d.slowlogLen),
		keyless("reset", 2, f, "", d.slowlogReset),
		keyless("help", 2, Loading|Stale, "", d.slowlogHelp),
	)
}

// SLOWLOG GET [count]: the newest count entries (default 10, -1: all).
func (d *Dispatcher) slowlogGet(_ *Session, args [][]byte) resp.Reply {
	count := int64(10)
	switch len(args) {
	case 2:
	case 3:
		n, ok := resp.ParseInt(args[2])
		if !ok || n < -1 {
			return resp.Err("ERR count should be greater than or equal to -1")
		}
		count = n
	default:
		return resp.Err("ERR unknown subcommand or wrong number of arguments for '" + string(args[1]) + "'. Try SLOWLOG HELP.")
	}
	l := &d.intro.slow
	l.mu.Lock()
	defer l.mu.Unlock()
	if count < 0 || count > int64(len(l.entries)) {
		count = int64(len(l.entries))
	}
	out := make([]resp.Reply, 0, count)
	for i := len(l.entries) - 1; i >= len(l.entries)-int(count); i-- {
		out = append(out, l.entries[i].reply())
	}
	return resp.Array(out...)
}

func (e slowEntry) reply() resp.Reply {
	args := make([]resp.Reply, len(e.args))
	for i, a := range e.args {
		args[i] = resp.BulkString(a)
	}
	return resp.Array(resp.Int(e.id), resp.Int(e.time), resp.Int(e.usec), resp.Array(args...),
		resp.BulkString(e.addr), resp.BulkString(e.name))
}

// SLOWLOG LEN
func (d *Dispatcher) slowlogLen(_ *Session, _ [][]byte) resp.Reply {
	l := &d.intro.slow
	l.mu.Lock()
	defer l.mu.Unlock()
	return resp.Int(int64(len(l.entries)))
}

// SLOWLOG RESET
func (d *Dispatcher) slowlogReset(_ *Session, _ [][]byte) resp.Reply {
	l := &d.intro.slow
	l.mu.Lock()
	l.entries = nil
	l.mu.Unlock()
	return resp.OK()
}

// SLOWLOG HELP
func (d *Dispatcher) slowlogHelp(_ *Session, _ [][]byte) resp.Reply {
	return help("SLOWLOG",
		"GET [<count>]",
		"    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
		"    Entries are made of:",
		"    id, timestamp, time in microseconds, arguments array, client IP and port,",
		"    client name",
		"LEN",
		"    Return the length of the slowlog.",
		"RESET",
		"    Reset the slowlog.",
	)
}
