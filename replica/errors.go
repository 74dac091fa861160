package replica

import (
	"errors"
	"fmt"
)

// Errors of the replica layer.
var (
	ErrClosed  = errors.New("replica: coordinator closed")
	ErrTimeout = errors.New("replica: timed out waiting for replicas")
)

// QuorumError reports that fewer replicas answered than the request needed.
// Its text is the client-facing reply, e.g. "NOQUORUM wanted W=2, got 1".
type QuorumError struct {
	Op   byte // 'R' for reads, 'W' for writes
	Need int
	Got  int
}

func (e *QuorumError) Error() string {
	return fmt.Sprintf("NOQUORUM wanted %c=%d, got %d", e.Op, e.Need, e.Got)
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
	var qe QuorumError
	if _, e := fmt.Sscanf(msg, "NOQUORUM wanted %c=%d, got %d", &qe.Op, &qe.Need, &qe.Got); e == nil {
		return &qe, true
	}
	return errors.New(msg), true
}
