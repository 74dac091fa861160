package server

import (
	"errors"
	"net"
	"syscall"
	"time"
)

// goneEvery is how often a blocked client's socket is checked for a close.
const goneEvery = 100 * time.Millisecond

// watchGone reports, while a command blocks (BLPOP ...), when the client
// closed its connection: nobody reads the socket meanwhile, so a peek
// (MSG_PEEK|MSG_DONTWAIT, which consumes nothing) every goneEvery looks
// for the end of the stream or an error. Bytes waiting (a pipelined
// command) mean the client is still there. Redis notices the close in
// its event loop and unblocks the client, so that a later push is not
// popped for nobody; this is the same. stop ends the watch.
func watchGone(conn net.Conn) (gone <-chan struct{}, stop func()) {
	sc, ok := conn.(syscall.Conn)
	done, quit := make(chan struct{}), make(chan struct{})
	if !ok {
		return done, func() {} // never reported: the command's timeout holds
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return done, func() {}
	}
	go func() {
		t := time.NewTicker(goneEvery)
		defer t.Stop()
		buf := make([]byte, 1)
		for {
			select {
			case <-quit:
				return
			case <-t.C:
			}
			closed := false
			cerr := raw.Read(func(fd uintptr) bool {
				n, _, err := syscall.Recvfrom(int(fd), buf, syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
				switch {
				case err == nil:
					closed = n == 0 // the peer's FIN
				case errors.Is(err, syscall.EAGAIN), errors.Is(err, syscall.EINTR):
				default:
					closed = true // reset, or the socket is gone
				}
				return true // never wait for readiness
			})
			if closed || cerr != nil {
				close(done)
				return
			}
		}
	}()
	return done, func() { close(quit) }
}
