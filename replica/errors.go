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
