package command

import (
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/ringkv/ringkv/resp"
)

// maxErrorCodes bounds the distinct codes INFO errorstats tracks (Redis
// 7.2's ERROR_STATS_NUMBER; 7.0 has no bound). A script can raise any
// code (redis.error_reply), so beyond it new codes count only in
// total_error_replies.
const maxErrorCodes = 128

// errorStats counts error replies by code, as Redis's incrementErrorCount
// does for INFO errorstats.
type errorStats struct {
	mu     sync.Mutex
	counts map[string]int64 // by code ("ERR", "WRONGTYPE", ...)
}

// errorCode is the code Redis counts an error reply under: the text
// before the first space when it is within the first 31 bytes, else ERR.
func errorCode(msg string) string {
	i := strings.IndexByte(msg[:min(len(msg), 31)], ' ')
	if i < 0 {
		return "ERR"
	}
	return msg[:i]
}

func (e *errorStats) add(msg string) {
	code := errorCode(msg)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.counts == nil {
		e.counts = make(map[string]int64)
	}
	if _, ok := e.counts[code]; ok || len(e.counts) < maxErrorCodes {
		e.counts[code]++
	}
}

func (e *errorStats) reset() {
	e.mu.Lock()
	e.counts = nil
	e.mu.Unlock()
}

// lines are INFO errorstats' lines, sorted by code as Redis's radix tree.
func (e *errorStats) lines() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	codes := make([]string, 0, len(e.counts))
	for code := range e.counts {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	out := make([]string, len(codes))
	for i, code := range codes {
		out[i] = "errorstat_" + code + ":count=" + strconv.FormatInt(e.counts[code], 10)
	}
	return out
}

// CountError counts one error reply to a client: total_error_replies and
// its code's errorstat line.
func (s *Stats) CountError(r resp.Reply) {
	s.ErrorReplies.Add(1)
	s.errors.add(r.Str)
}

// takeCountedError reports whether the error reply being returned was
// counted already, and clears the mark.
func (s *Session) takeCountedError() bool {
	c := s.countedErr
	s.countedErr = false
	return c
}

// maxScriptErrors is how many of a script's call errors are remembered.
const maxScriptErrors = 16

// noteError counts r if it is a call the script caller refused itself
// (Redis's scriptCall counts those), and remembers every error reply so
// that the script returning it does not count it again.
func (c *scriptCaller) noteError(r resp.Reply) resp.Reply {
	if r.Kind != resp.KindError {
		return r
	}
	if !c.ran {
		c.d.env.Stats.CountError(r)
	}
	if len(c.errs) == maxScriptErrors {
		c.errs = c.errs[1:]
	}
	c.errs = append(c.errs, r.Str)
	return r
}

// counted marks the script's reply r as counted when it is the error of
// one of its calls, raised by redis.call ("... script: <sha>, on ...") or
// returned from redis.pcall: Redis flags such errors
// ignore_err_stats_update, so they count once.
func (c *scriptCaller) counted(r resp.Reply) resp.Reply {
	if r.Kind != resp.KindError {
		return r
	}
	for _, e := range c.errs {
		if r.Str == e || strings.HasPrefix(r.Str, e+" script: ") {
			c.s.countedErr = true
			break
		}
	}
	return r
}
