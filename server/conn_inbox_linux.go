//go:build linux

package server

import (
	"syscall"
	"unsafe"
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
