package transport

import "testing"

// A call moves one request frame and one reply frame; each side counts
// them on the wire, the sealed ones with their length field and GCM tag.
func TestBytesCountFrames(t *testing.T) {
	for _, c := range []struct {
		name  string
		edit  []func(*Config)
		extra uint64 // per frame beyond the plain header
	}{
		{"plain", nil, 0},
		{"sealed", []func(*Config){withKey("k")}, sealLenField + sealOverhead},
	} {
		t.Run(c.name, func(t *testing.T) {
			bk := newBook()
			b := listen(t, "b", bk, echo, c.edit...)
			a := listen(t, "a", bk, echo, c.edit...)
			if (a.Bytes() != Bytes{}) {
				t.Fatalf("fresh transport counted %+v", a.Bytes())
			}
			mustCall(t, a, "b", 7, []byte("hello")) // reply: 7 + "hello"
			req, rep := frameHeaderLen+5+c.extra, frameHeaderLen+6+c.extra
			if got, want := a.Bytes(), (Bytes{Sent: req, Received: rep, FramesSent: 1, FramesReceived: 1, Writes: 1}); got != want {
				t.Fatalf("caller counted %+v, want %+v", got, want)
			}
			if got, want := b.Bytes(), (Bytes{Sent: rep, Received: req, FramesSent: 1, FramesReceived: 1, Writes: 1}); got != want {
				t.Fatalf("callee counted %+v, want %+v", got, want)
			}
			mustCall(t, a, "a", 1, []byte("self")) // served locally: nothing crosses
			if got := a.Bytes().Sent; got != req {
				t.Fatalf("a self call counted: sent %d, want %d", got, req)
			}
		})
	}
}

func TestBytesNilTransport(t *testing.T) {
	var tr *TCP
	if (tr.Bytes() != Bytes{}) {
		t.Fatalf("nil transport counted %+v", tr.Bytes())
	}
}
