package command

import (
	"strconv"
	"sync/atomic"
)

// port, settable at run time as in Redis 7: CONFIG SET stores the new
// port, then applyPort asks the server to listen on it (OnPort). When the
// server cannot, the whole CONFIG SET is rolled back.

// errListen is applyPort's failure, Redis 7.0's text.
const errListen configText = "Unable to listen on this port. Check server logs."

// Port returns the client port setting.
func (s *Settings) Port() int { return int(s.port.Load()) }

// OnPort registers fn, which moves the client listener to a new port (0:
// stops listening for new clients, as Redis) and fails if it cannot listen
// there. Without it (tests) a new port is only stored.
func (s *Settings) OnPort(fn func(port int) error) {
	s.mu.Lock()
	s.listen = fn
	s.mu.Unlock()
}

// SetBoundPort records the port the server actually bound (--port 0 picks
// one), without applying anything.
func (s *Settings) SetBoundPort(port int) { s.port.Store(int64(port)) }

func getPort(s *Settings) string { return strconv.Itoa(s.Port()) }

func setPort(s *Settings, v string) error {
	return intSetter(0, 65535, func(s *Settings) *atomic.Int64 { return &s.port })(s, v)
}

// applyPort runs with s.mu held (Set's apply phase).
func applyPort(s *Settings) error {
	if s.listen == nil {
		return nil
	}
	if s.listen(s.Port()) != nil {
		return errListen
	}
	return nil
}
