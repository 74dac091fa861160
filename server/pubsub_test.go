package server

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/ringkv/ringkv/server/command"
)

func TestPubSubCodecRoundTrip(t *testing.T) {
	msgs := []command.Message{{Channel: []byte("a"), Payload: []byte("hello")},
		{Shard: true, Channel: []byte("s"), Payload: []byte{}}}
	got, err := decodePublish(encodePublish(msgs))
	if err != nil || len(got) != 2 || !got[1].Shard || string(got[0].Payload) != "hello" ||
		!bytes.Equal(got[0].Channel, []byte("a")) {
		t.Errorf("publish: %+v %v", got, err)
	}
	for _, q := range []command.Query{
		{Op: command.QueryChannels, Pattern: []byte("n*")},
		{Op: command.QueryChannels, Shard: true},
		{Op: command.QueryNumSub, Names: [][]byte{[]byte("a"), []byte("b")}},
		{Op: command.QueryNumPat},
	} {
		b := encodeQuery(q)
		got, err := decodeQuery(b[0:])
		if err != nil || got.Op != q.Op || got.Shard != q.Shard || (q.Pattern == nil) != (got.Pattern == nil) ||
			len(got.Names) != len(q.Names) {
			t.Errorf("query %+v: %+v %v", q, got, err)
		}
	}
	a := command.Answer{Names: [][]byte{[]byte("x")}, Counts: []int64{3, 0}}
	if got, err := decodeAnswer(encodeAnswer(a)); err != nil || !reflect.DeepEqual(got, a) {
		t.Errorf("answer: %+v %v", got, err)
	}
}

// FuzzPubSubDecode: no body from a peer makes the decoders panic or
// allocate beyond it.
func FuzzPubSubDecode(f *testing.F) {
	f.Add(encodePublish([]command.Message{{Channel: []byte("c"), Payload: []byte("p")}}))
	f.Add(encodeQuery(command.Query{Op: command.QueryNumSub, Names: [][]byte{[]byte("a")}}))
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 {
			return
		}
		_, _ = decodePublish(b)
		_, _ = decodeQuery(b)
		_, _ = decodeAnswer(b)
	})
}
