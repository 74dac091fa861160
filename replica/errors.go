package replica

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Errors of the replica layer.
var (
	ErrClosed  = errors.New("replica: coordinator closed")
	ErrTimeout = errors.New("replica: timed out waiting for replicas")
)

// QuorumError reports that fewer replicas answered than the request needed.
// Its text is the client-facing reply, e.g. "NOQUORUM wanted W=2, got 1"
// or, for a strict quorum of primaries, "NOQUORUM wanted PW=2, got 1".
type QuorumError struct {
	Op   string // "R", "W", "PR" or "PW"
	Need int
	Got  int
}

func (e *QuorumError) Error() string {
	return fmt.Sprintf("NOQUORUM wanted %s=%d, got %d", e.Op, e.Need, e.Got)
}

// parseQuorumError reads back a QuorumError's text, as a peer's handler
// failure carries it.
func parseQuorumError(msg string) (*QuorumError, bool) {
	rest, ok := strings.CutPrefix(msg, "NOQUORUM wanted ")
	if !ok {
		return nil, false
	}
	op, rest, ok1 := strings.Cut(rest, "=")
	need, got, ok2 := strings.Cut(rest, ", got ")
	n, err1 := strconv.Atoi(need)
	g, err2 := strconv.Atoi(got)
	if !ok1 || !ok2 || err1 != nil || err2 != nil {
		return nil, false
	}
	switch op {
	case "R", "W", "PR", "PW":
		return &QuorumError{Op: op, Need: n, Got: g}, true
	}
	return nil, false
}

// remoteError is how a Caller reports that the peer ran the request and
// its handler failed (cluster/transport's *RemoteError).
type remoteError interface{ Remote() string }

// fromRemote turns a peer handler's failure back into this package's
// error: a remote QuorumError stays a *QuorumError. ok is false if err is
// not a handler failure (the peer was not reached).
func fromRemote(err error) (out error, ok bool) {
	var re remoteError
	if !errors.As(err, &re) {
		return err, false
	}
	msg := re.Remote()
	if qe, ok := parseQuorumError(msg); ok {
		return qe, true
	}
	return errors.New(msg), true
}
