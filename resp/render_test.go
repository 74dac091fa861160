package resp

import "testing"

// Expected renderings are what redis-cli prints for the same replies.
func TestReplyString(t *testing.T) {
	tests := []struct {
		r    Reply
		want string
	}{
		{OK(), "OK"},
		{Int(3), "(integer) 3"},
		{Null(), "(nil)"},
		{NullArray(), "(nil)"},
		{BulkString("abc"), `"abc"`},
		{Bulk([]byte("a\"b\\\n\x01\xff")), `"a\"b\\\n\x01\xff"`},
		{Err("ERR syntax error"), "(error) ERR syntax error"},
		{Double(3.5), "(double) 3.5"},
		{Bool(true), "(true)"},
		{Verbatim("txt", "# Server"), "# Server"},
		{Array(), "(empty array)"},
		{Set(), "(empty set)"},
		{Map(), "(empty hash)"},
		{Array(BulkString("a"), Int(2)), "1) \"a\"\n2) (integer) 2"},
		{Array(BulkString("a"), Array(BulkString("b"), BulkString("c"))),
			"1) \"a\"\n2) 1) \"b\"\n   2) \"c\""},
		{Array(Null(), Array(), Int(1), Int(2), Int(3), Int(4), Int(5), Int(6), Int(7), Array(Int(1), Int(2))),
			" 1) (nil)\n 2) (empty array)\n 3) (integer) 1\n 4) (integer) 2\n 5) (integer) 3\n" +
				" 6) (integer) 4\n 7) (integer) 5\n 8) (integer) 6\n 9) (integer) 7\n" +
				"10) 1) (integer) 1\n    2) (integer) 2"},
		// redis-cli indents a map value's elements like the key's, not under
		// the value: cliFormatReplyTTY passes the same prefix to both.
		{Map(BulkString("k"), Int(1), BulkString("l"), Array(Int(2), Int(3))),
			"1# \"k\" => (integer) 1\n2# \"l\" => 1) (integer) 2\n   2) (integer) 3"},
		{Set(BulkString("a"), BulkString("b")), "1~ \"a\"\n2~ \"b\""},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("got\n%s\nwant\n%s", got, tt.want)
		}
	}
}

func TestReplyText(t *testing.T) {
	for _, tt := range []struct {
		r    Reply
		want string
	}{
		{Bulk([]byte("b")), "b"}, {BulkString("s"), "s"}, {OK(), "OK"},
		{Err("ERR x"), "ERR x"}, {Verbatim("txt", "v"), "v"}, {Int(1), ""},
	} {
		if got := tt.r.Text(); got != tt.want {
			t.Errorf("%v.Text() = %q, want %q", tt.r.Kind, got, tt.want)
		}
	}
}
