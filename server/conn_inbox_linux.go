//go:build linux

package server

import (
	"sync"
	"syscall"
	"unsafe"

	"github.com/rs/zerolog"
)

// socketQueued returns how many bytes the kernel holds for fd that were
// not read yet (FIONREAD), 0 if it cannot tell.
func socketQueued(fd uintptr) int {
	var n int32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCINQ, uintptr(unsafe.Pointer(&n))); errno != 0 {
		return 0
	}
	return int(n)
}

// stampArrivals asks the kernel to record when fd's input arrives
// (SO_TIMESTAMPNS), for readStamped.
func stampArrivals(fd uintptr) {
	_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1)
}

// The control message readStamped looks for: a header, then a timespec.
var (
	stampHeader = syscall.CmsgLen(0)
	stampSpace  = syscall.CmsgSpace(int(unsafe.Sizeof(syscall.Timespec{})))
)

// readStamped reads from fd into p (one recvmsg(2), no allocation) and
// returns also when the kernel received the last of the bytes read (Unix
// ns; 0 if it did not say: stampArrivals not set, or not a socket).
func readStamped(fd uintptr, p []byte) (n int, stamp int64, err error) {
	if len(p) == 0 {
		return 0, 0, nil
	}
	var oob [64]byte
	iov := syscall.Iovec{Base: &p[0]}
	iov.SetLen(len(p))
	msg := syscall.Msghdr{Iov: &iov, Iovlen: 1, Control: &oob[0]}
	msg.SetControllen(stampSpace)
	r, _, errno := syscall.Syscall(syscall.SYS_RECVMSG, fd, uintptr(unsafe.Pointer(&msg)), 0)
	if errno != 0 {
		return 0, 0, errno
	}
	if int(msg.Controllen) >= stampSpace {
		h := (*syscall.Cmsghdr)(unsafe.Pointer(&oob[0]))
		if h.Level == syscall.SOL_SOCKET && h.Type == syscall.SCM_TIMESTAMPNS {
			stamp = (*syscall.Timespec)(unsafe.Pointer(&oob[stampHeader])).Nano()
		}
	}
	return int(r), stamp, nil
}

// socketPeek copies the start of what the kernel holds for fd into p
// without taking it (MSG_PEEK), and returns how much; 0 if nothing.
func socketPeek(fd uintptr, p []byte) int {
	if len(p) == 0 {
		return 0
	}
	r, _, errno := syscall.Syscall6(syscall.SYS_RECVFROM, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)),
		syscall.MSG_PEEK|syscall.MSG_DONTWAIT, 0, 0)
	if errno != 0 {
		return 0
	}
	return int(r)
}

// readyWatch is a level-triggered epoll set of the client sockets, apart
// from Go's own: ready tells in one system call which of them hold input
// the kernel received and nobody read, so that a blocking command's
// catch-up (command/blocking.go catchUpEarlier) peeks only at those. A
// socket leaves the set when it closes. nil (epoll refused): ready knows
// none.
type readyWatch struct {
	fd int
	mu sync.Mutex // ready's buffer
	ev [256]syscall.EpollEvent
}

func newReadyWatch(log zerolog.Logger) *readyWatch {
	fd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		log.Warn().Err(err).Msg("epoll_create1 failed: blocked clients are served in the order their commands ran, not arrived")
		return nil
	}
	return &readyWatch{fd: fd}
}

// add watches the socket fd (-1: none).
func (w *readyWatch) add(fd int) {
	if w == nil || fd < 0 {
		return
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)}
	_ = syscall.EpollCtl(w.fd, syscall.EPOLL_CTL_ADD, fd, &ev)
}

// ready appends to fds the watched sockets holding unread input (at
// most 256).
func (w *readyWatch) ready(fds []int32) []int32 {
	if w == nil {
		return fds
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := syscall.EpollWait(w.fd, w.ev[:], 0)
	if err != nil {
		return fds
	}
	for _, e := range w.ev[:n] {
		fds = append(fds, e.Fd)
	}
	return fds
}

func (w *readyWatch) close() {
	if w != nil {
		_ = syscall.Close(w.fd)
	}
}
