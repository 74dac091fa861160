package command

import (
	"strconv"
	"strings"
	"time"
)

// ObufClass is a client class of client-output-buffer-limit.
type ObufClass int

// The classes, in CONFIG GET's order. Replica exists for CONFIG's sake:
// ringkv has no Redis replicas.
const (
	ObufNormal ObufClass = iota
	ObufReplica
	ObufPubSub
	obufClasses
)

var obufNames = [obufClasses]string{"normal", "slave", "pubsub"}

// ObufLimit is one class's client-output-buffer-limit: a client whose
// pending reply bytes reach Hard is closed at once; one that stays at or
// above Soft for more than SoftSeconds is closed too. Zero disables a limit.
type ObufLimit struct {
	Hard, Soft  int64 // bytes
	SoftSeconds int64
}

// ObufLimits are every class's limits.
type ObufLimits [obufClasses]ObufLimit

// DefaultObufLimits are Redis's: normal 0 0 0, slave 256mb 64mb 60,
// pubsub 32mb 8mb 60.
func DefaultObufLimits() ObufLimits {
	return ObufLimits{
		ObufNormal:  {},
		ObufReplica: {Hard: 256 << 20, Soft: 64 << 20, SoftSeconds: 60},
		ObufPubSub:  {Hard: 32 << 20, Soft: 8 << 20, SoftSeconds: 60},
	}
}

// ObufLimit returns the current limits of class c.
func (s *Settings) ObufLimit(c ObufClass) ObufLimit {
	if p := s.obuf.Load(); p != nil {
		return p[c]
	}
	return DefaultObufLimits()[c]
}

// String formats l as CONFIG GET does: "normal 0 0 0 slave ... pubsub ...".
func (l ObufLimits) String() string {
	var b strings.Builder
	for c, v := range l {
		if c > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(obufNames[c] + " " + itoa(v.Hard) + " " + itoa(v.Soft) + " " + itoa(v.SoftSeconds))
	}
	return b.String()
}

// obufError is a CONFIG SET client-output-buffer-limit error, in Redis's
// words.
type obufError string

func (e obufError) Error() string { return string(e) }

const (
	errObufArgs  obufError = "Wrong number of arguments in buffer limit configuration."
	errObufClass obufError = "Invalid client class specified in buffer limit configuration."
	errObufValue obufError = "Error in hard, soft or soft_seconds setting in buffer limit configuration."
)

// parseObufClass accepts Redis's class names (replica and slave alike);
// master is not settable.
func parseObufClass(name string) (ObufClass, bool) {
	switch strings.ToLower(name) {
	case "normal":
		return ObufNormal, true
	case "slave", "replica":
		return ObufReplica, true
	case "pubsub":
		return ObufPubSub, true
	}
	return 0, false
}

// Apply returns l with the classes named in v changed: v is groups of
// "<class> <hard> <soft> <soft_seconds>", sizes in Redis memory units.
// Every group is checked before any is applied, as Redis does.
func (l ObufLimits) Apply(v string) (ObufLimits, error) {
	f := strings.Fields(v)
	if len(f)%4 != 0 {
		return l, errObufArgs
	}
	for i := 0; i < len(f); i += 4 {
		c, ok := parseObufClass(f[i])
		if !ok {
			return l, errObufClass
		}
		var n [3]int64
		for j := range n {
			if n[j], ok = parseMemory(f[i+1+j]); !ok {
				return l, errObufValue
			}
		}
		l[c] = ObufLimit{Hard: n[0], Soft: n[1], SoftSeconds: leadingInt(f[i+3])}
	}
	return l, nil
}

// leadingInt is C's strtoll(s, NULL, 10) on an already validated value
// (Redis reads soft_seconds so: "3kb" is 3 seconds).
func leadingInt(s string) int64 {
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, _ := strconv.ParseInt(s[:end], 10, 64)
	return n
}

func getObufLimits(s *Settings) string {
	if p := s.obuf.Load(); p != nil {
		return p.String()
	}
	return DefaultObufLimits().String()
}

func setObufLimits(s *Settings, v string) error {
	cur := DefaultObufLimits()
	if p := s.obuf.Load(); p != nil {
		cur = *p
	}
	next, err := cur.Apply(v)
	if err != nil {
		return err
	}
	s.obuf.Store(&next)
	return nil
}

// ObufWatch decides, for one client, when its pending output breaks its
// class's limits (Redis's checkClientOutputBufferLimits): at once at the
// hard limit, or after staying at or above the soft limit for more than
// SoftSeconds. The zero value is ready; it is not safe for concurrent use.
type ObufWatch struct {
	softSince time.Time // when used first reached Soft; zero when below
}

// Over reports whether used pending bytes break l at now.
func (w *ObufWatch) Over(l ObufLimit, used int64, now time.Time) bool {
	if l.Hard > 0 && used >= l.Hard {
		return true
	}
	if l.Soft == 0 || used < l.Soft {
		w.softSince = time.Time{}
		return false
	}
	if w.softSince.IsZero() {
		w.softSince = now
		return false
	}
	return now.Sub(w.softSince) > time.Duration(l.SoftSeconds)*time.Second
}

// Reset forgets the soft limit's clock (nothing is pending any more).
func (w *ObufWatch) Reset() { w.softSince = time.Time{} }

// SoftDeadline returns when a client that stays at or above l.Soft from
// now on breaks the limit (the zero time if l has no soft limit or used
// is below it), so a blocked write can be given that deadline.
func (w *ObufWatch) SoftDeadline(l ObufLimit, used int64, now time.Time) time.Time {
	if l.Soft == 0 || used < l.Soft {
		return time.Time{}
	}
	since := w.softSince
	if since.IsZero() {
		since = now
	}
	return since.Add(time.Duration(l.SoftSeconds)*time.Second + time.Second)
}
