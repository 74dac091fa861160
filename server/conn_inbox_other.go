//go:build !linux

package server

import (
	"syscall"

	"github.com/rs/zerolog"
)

// socketQueued returns 0: only Linux's figure is read, elsewhere a PUBLISH
// waits only for input a subscriber's goroutine has already read.
func socketQueued(uintptr) int { return 0 }

// stampArrivals does nothing: only Linux's receive times are read.
func stampArrivals(uintptr) {}

// readStamped reads from fd into p; the time of arrival is unknown (0).
func readStamped(fd uintptr, p []byte) (int, int64, error) {
	n, err := syscall.Read(int(fd), p)
	return n, 0, err
}

// socketPeek returns 0: only Linux's kernel queue is looked at.
func socketPeek(uintptr, []byte) int { return 0 }

// readyWatch knows no socket's kernel input off Linux.
type readyWatch struct{}

func newReadyWatch(zerolog.Logger) *readyWatch { return nil }
func (*readyWatch) add(int)                    {}
func (*readyWatch) ready(fds []int32) []int32  { return fds }
func (*readyWatch) close()                     {}
