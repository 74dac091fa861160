//go:build linux

package server

import (
	"testing"
	"time"
)

// Arrived is when the kernel received the input, not when the goroutine
// read it: input read 50 ms after it was sent carries its send time. The
// kernel turns its stamps on a moment after they are first asked for
// (input before carries none, and Arrived is the read's time), so the
// test tries a few sends.
func TestConnInboxArrived(t *testing.T) {
	c, cli := inboxPair(t)
	if at := c.Arrived(); at != 0 {
		t.Fatalf("nothing read: Arrived = %d", at)
	}
	buf := make([]byte, 64)
	var sent, read, at time.Time
	for try := 0; try < 10; try++ {
		sent = time.Now()
		if _, err := cli.Write([]byte("PING\r\n")); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
		read = time.Now()
		if n, err := c.readSocket(buf); n != 6 || err != nil {
			t.Fatalf("read %d, %v", n, err)
		}
		at = time.Unix(0, c.Arrived())
		if !at.Before(sent.Add(-time.Millisecond)) && !at.After(read.Add(-40*time.Millisecond)) {
			return
		}
	}
	t.Fatalf("sent at %s, read at %s: Arrived = %s", sent.Format(time.StampMicro), read.Format(time.StampMicro), at.Format(time.StampMicro))
}
