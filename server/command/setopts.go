package command

import (
	"math"
	"strings"

	"github.com/ringkv/ringkv/resp"
)

// setOpts are the parsed options of SET and GETEX.
type setOpts struct {
	nx, xx, get, keepTTL, persist bool
	expUnit                       string // "", "ex", "px", "exat" or "pxat"
	expArg                        []byte
}

// hasExpiry reports whether an expiry option was given.
func (o *setOpts) hasExpiry() bool { return o.expUnit != "" }

// parseSetOpts parses SET's options (getex false: NX XX GET KEEPTTL EX PX
// EXAT PXAT) or GETEX's (PERSIST EX PX EXAT PXAT) as Redis 7's
// parseExtendedStringArgumentsOrReply: any conflict is a syntax error.
func parseSetOpts(args [][]byte, getex bool) (setOpts, bool) {
	var o setOpts
	for j := 0; j < len(args); j++ {
		opt := strings.ToLower(string(args[j]))
		next := j+1 < len(args)
		switch {
		case opt == "nx" && !o.xx && !getex:
			o.nx = true
		case opt == "xx" && !o.nx && !getex:
			o.xx = true
		case opt == "get" && !getex:
			o.get = true
		case opt == "keepttl" && !o.persist && !o.hasExpiry() && !getex:
			o.keepTTL = true
		case opt == "persist" && getex && !o.keepTTL && !o.hasExpiry():
			o.persist = true
		case (opt == "ex" || opt == "px" || opt == "exat" || opt == "pxat") &&
			!o.keepTTL && !o.persist && (o.expUnit == "" || o.expUnit == opt) && next:
			o.expUnit, o.expArg = opt, args[j+1]
			j++
		default:
			return o, false
		}
	}
	return o, true
}

// expiry converts the parsed expiry option to Unix ms at now, as Redis's
// getExpireMillisecondsOrReply: the argument must be a positive integer and
// the result must not overflow, else "invalid expire time in 'cmd'".
func (o *setOpts) expiry(now int64, cmd string) (int64, resp.Reply) {
	return expireArg(o.expArg, o.expUnit == "ex" || o.expUnit == "exat",
		o.expUnit == "ex" || o.expUnit == "px", now, cmd)
}

// expireArg parses a positive expire time in seconds (sec) or ms, relative
// to now (rel) or absolute, into Unix ms.
func expireArg(arg []byte, sec, rel bool, now int64, cmd string) (int64, resp.Reply) {
	ms, ok := resp.ParseInt(arg)
	if !ok {
		return 0, errNotInteger
	}
	if ms <= 0 || (sec && ms > math.MaxInt64/1000) {
		return 0, errInvalidExpire(cmd)
	}
	if sec {
		ms *= 1000
	}
	if rel {
		if ms > math.MaxInt64-now {
			return 0, errInvalidExpire(cmd)
		}
		ms += now
	}
	return ms, resp.Reply{}
}
