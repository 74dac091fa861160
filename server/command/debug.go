package command

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// DEBUG has the subcommands that mean something for ringkv; the others
// (RELOAD, DIGEST, ...) answer Redis's error for an
// unknown subcommand. Unlike Redis 7 (enable-debug-command no), DEBUG is
// always enabled.
//
//   - SLEEP seconds stops this node, as Redis stops: every other command
//     waits until it ends (it holds the gate transactions and scripts use).
//   - OBJECT key prints Redis's line for the value: at: an address that
//     stands for the value object (debugobj_addr.go), refcount and encoding
//     as OBJECT says, serializedlength as Redis's RDB would store it
//     without LZF compression (Redis compresses strings over 20 bytes), lru
//     and lru_seconds_idle from the time of the last write (see OBJECT).
//     ringkv adds siblings:N, the number of concurrent versions.
//   - ERROR message answers message as an error reply.
//   - SET-ACTIVE-EXPIRE 0|1 stops or restarts this node's active expiry
//     (Env.ActiveExpire); expired keys read as missing either way.
func (d *Dispatcher) debugCommand() *Command {
	return keyless("debug", -2, Admin|NoScript|Loading|Stale|Atomic, "server", d.debug)
}

// DEBUG subcommand [arg ...]
func (d *Dispatcher) debug(s *Session, args [][]byte) resp.Reply {
	sub := strings.ToLower(string(args[1]))
	switch {
	case sub == "help" && len(args) == 2:
		return debugHelp()
	case sub == "sleep" && len(args) == 3:
		return d.debugSleep(s, args[2])
	case sub == "object" && len(args) == 3:
		return d.debugObject(s, args[2])
	case sub == "error" && len(args) == 3:
		return resp.Err(string(args[2]))
	case sub == "set-active-expire" && len(args) == 3:
		d.env.ActiveExpire(catoi(args[2]) != 0) // Redis: atoi, any non-zero enables
		return resp.OK()
	}
	return resp.Err("ERR unknown subcommand or wrong number of arguments for '" + string(args[1]) +
		"'. Try DEBUG HELP.")
}

// debugSleep holds every command of this node for secs (C's strtod of it:
// decimals allowed, garbage reads as 0).
func (d *Dispatcher) debugSleep(s *Session, secs []byte) resp.Reply {
	f := strtod(string(secs[:min(len(secs), 400)]))
	if math.IsNaN(f) || f < 0 {
		f = 0
	}
	dur := time.Duration(math.Min(f*1e9, math.MaxInt64/2))
	sleep := func() {
		t := time.NewTimer(dur)
		defer t.Stop()
		select {
		case <-t.C:
		case <-s.Context().Done():
		}
	}
	if s.inExclusive {
		sleep()
	} else {
		d.gate.exclusive("debug", 0, sleep)
	}
	return resp.OK()
}

// strtod parses the longest prefix of v that is a number, as C's strtod;
// 0 if none.
func strtod(v string) float64 {
	v = strings.TrimLeft(v, " \t\n\v\f\r")
	for n := min(len(v), 400); n > 0; n-- {
		if f, err := strconv.ParseFloat(v[:n], 64); err == nil || isRangeErr(err) {
			return f
		}
	}
	return 0
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// debugObject is DEBUG OBJECT's line for key's value.
func (d *Dispatcher) debugObject(s *Session, key []byte) resp.Reply {
	_, set, err := d.lookupValue(s, key)
	if err != nil {
		return errorReply(err)
	}
	now := d.env.KV.Now()
	v, ok := crdt.Resolve(set, now)
	if !ok {
		return errNoSuchKey
	}
	w, live := v.Winner, len(set.Live(now))
	enc := encoding(v)
	switch v.Kind {
	case version.KindHash, version.KindSet, version.KindZSet: // by contents, as OBJECT ENCODING
		if cv, err := d.dumpValue(s, key); err != nil {
			return errorReply(err)
		} else if cv != nil {
			enc = d.encLimits().of(cv)
		}
	}
	return resp.Simple(fmt.Sprintf("Value at:%s refcount:%d encoding:%s serializedlength:%d lru:%d lru_seconds_idle:%d siblings:%d",
		objectAddr(key, v.Bytes, enc), refcount(v.Bytes), enc, rdbStringLen(v.Bytes),
		(w.Time/1000)&(1<<24-1), d.idleSeconds(w), live))
}

// rdbStringLen is the size of a string in an RDB file, without
// compression: small integers in 2, 3 or 5 bytes, else a length prefix
// and the bytes.
func rdbStringLen(v []byte) int {
	if n, ok := canonicalInt(v); ok && len(v) <= 11 {
		switch {
		case n >= math.MinInt8 && n <= math.MaxInt8:
			return 2
		case n >= math.MinInt16 && n <= math.MaxInt16:
			return 3
		case n >= math.MinInt32 && n <= math.MaxInt32:
			return 5
		}
	}
	switch n := len(v); {
	case n < 1<<6:
		return 1 + n
	case n < 1<<14:
		return 2 + n
	case n <= math.MaxUint32:
		return 5 + n
	default:
		return 9 + n
	}
}

func debugHelp() resp.Reply {
	return help("DEBUG",
		"ERROR <string>",
		"    Return a Redis protocol error with <string> as message. Useful for clients",
		"    unit tests to simulate Redis errors.",
		"OBJECT <key>",
		"    Show low level info about `key` and associated value.",
		"SET-ACTIVE-EXPIRE <0|1>",
		"    Setting it to 0 disables expiring keys in background when they are not",
		"    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
		"    default.",
		"SLEEP <seconds>",
		"    Stop the server for <seconds>. Decimals allowed.",
	)
}

// catoi is C's atoi: leading space, a sign, then digits up to the first
// other byte; no digits read as 0.
func catoi(v []byte) int64 {
	s := strings.TrimLeft(string(v[:min(len(v), 64)]), " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
	}
	var n int64
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int64(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}
