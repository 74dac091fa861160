package resp

import (
	"strings"
	"testing"
)

func TestErrorTexts(t *testing.T) {
	x200 := strings.Repeat("x", 200)
	y100 := strings.Repeat("y", 100)
	tests := []struct {
		got  Reply
		want string
	}{
		{ErrSyntax(), "ERR syntax error"},
		{ErrNotInteger(), "ERR value is not an integer or out of range"},
		{ErrNotFloat(), "ERR value is not a valid float"},
		{ErrOverflow(), "ERR increment or decrement would overflow"},
		{ErrNaNOrInf(), "ERR increment would produce NaN or Infinity"},
		{ErrWrongType(), "WRONGTYPE Operation against a key holding the wrong kind of value"},
		{ErrNoAuth(), "NOAUTH Authentication required."},
		{ErrWrongPass(), "WRONGPASS invalid username-password pair or user is disabled."},
		{ErrAuthNotConfigured(), "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"},
		{ErrNoSuchKey(), "ERR no such key"},
		{ErrDBIndex(), "ERR DB index is out of range"},
		{ErrWrongArgs("GET"), "ERR wrong number of arguments for 'get' command"},
		{ErrWrongArgs("client|kill"), "ERR wrong number of arguments for 'client|kill' command"},
		{ErrInvalidExpire("set"), "ERR invalid expire time in 'set' command"},
		{ErrUnknownSubcommand("client", "FOO"), "ERR unknown subcommand 'FOO'. Try CLIENT HELP."},
		{ErrUnknownCommand("foo", nil), "ERR unknown command 'foo', with args beginning with: "},
		{ErrUnknownCommand("FOO", [][]byte{[]byte("a"), []byte("b")}),
			"ERR unknown command 'FOO', with args beginning with: 'a' 'b' "},
		{ErrUnknownCommand(x200, [][]byte{[]byte(x200), []byte("b")}),
			"ERR unknown command '" + x200[:128] + "', with args beginning with: '" + x200[:128] + "' "},
		{ErrUnknownCommand("f", [][]byte{[]byte(y100), []byte(y100), []byte("c")}),
			"ERR unknown command 'f', with args beginning with: '" + y100 + "' '" + y100[:25] + "' "},
		{ErrUnknownCommand("f\r\noo", [][]byte{[]byte("a\nb"), []byte("c\x00d")}),
			"ERR unknown command 'f  oo', with args beginning with: 'a b' 'c' "},
	}
	for _, tt := range tests {
		if !tt.got.IsError() || tt.got.Str != tt.want {
			t.Errorf("got %q (kind %v), want %q", tt.got.Str, tt.got.Kind, tt.want)
		}
	}
}
