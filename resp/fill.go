package resp

import "io"

// maxEmptyReads is how many (0, nil) reads fill tolerates, as bufio does.
const maxEmptyReads = 100

// fill reads more bytes into buf[w:], first moving the unread bytes to the
// front and growing the buffer if it is full. The buffer grows only as data
// arrives: a bulk's declared length never allocates by itself, and growth
// is geometric so a large bulk is copied O(1) times per byte.
func (r *Reader) fill() error {
	if r.rerr != nil {
		return r.rerr
	}
	if r.r > 0 {
		r.w = copy(r.buf, r.buf[r.r:r.w])
		r.r = 0
	}
	if r.w == len(r.buf) {
		r.grow()
	}
	for range maxEmptyReads {
		n, err := r.rd.Read(r.buf[r.w:])
		if n < 0 || n > len(r.buf)-r.w {
			return io.ErrShortBuffer // broken io.Reader
		}
		r.w += n
		if n > 0 {
			r.rerr = err
			return nil
		}
		if err != nil {
			return err
		}
	}
	return io.ErrNoProgress
}

// grow doubles the buffer (at least minReadBuf), but no further than the end
// of the bulk being read when that is known to be nearer.
func (r *Reader) grow() {
	size := max(2*len(r.buf), minReadBuf)
	if r.left > 0 && r.bulk >= 0 {
		if need := r.pos + r.bulk + 2; need > len(r.buf) && need < size {
			size = need
		}
	}
	buf := make([]byte, size)
	copy(buf, r.buf[:r.w])
	r.buf = buf
}

// drained is called when every buffered byte has been consumed: it rewinds
// the buffer and drops one grown large by a big command.
func (r *Reader) drained() {
	r.r, r.w = 0, 0
	if len(r.buf) > maxKeptReadBuf {
		r.buf = nil
	}
}
