package server

import (
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/ringkv/ringkv/resp"
)

// A panicking handler answers an error naming the command; the caller (the
// connection's goroutine) carries on.
func TestRecoveredTurnsPanicIntoErrorReply(t *testing.T) {
	var logged strings.Builder
	log := zerolog.New(&logged)
	args := [][]byte{[]byte("SETRANGE"), []byte("k")}
	got := recovered(log, "127.0.0.1:1", args, func() resp.Reply { panic("slice bounds out of range") })
	if !got.IsError() || !strings.Contains(got.String(), "internal error while running 'setrange'") {
		t.Fatalf("reply = %s", got.String())
	}
	if !strings.Contains(logged.String(), "slice bounds out of range") || !strings.Contains(logged.String(), "stack") {
		t.Fatalf("log = %s", logged.String())
	}
	if ok := recovered(log, "c", args, func() resp.Reply { return resp.OK() }); ok.IsError() {
		t.Fatalf("a handler that returns normally = %s", ok.String())
	}
}
