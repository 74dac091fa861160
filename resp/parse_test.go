package resp

import "testing"

func TestParseReplyRoundTrip(t *testing.T) {
	replies := []Reply{OK(), Err("ERR x"), Int(-7), BulkString("a\r\nb"), Null(), NullArray(),
		Array(Int(1), BulkString("x"), Array()), Map(BulkString("k"), Int(2)), Set(Int(1)),
		Double(2.5), Bool(true), Verbatim("txt", "hello")}
	for _, proto := range []int{2, 3} {
		for _, r := range replies {
			enc := Append(nil, r, proto)
			got, n, err := ParseReply(enc)
			if err != nil || n != len(enc) {
				t.Fatalf("proto %d %v: n=%d err=%v", proto, r, n, err)
			}
			if again := Append(nil, got, proto); string(again) != string(enc) {
				t.Fatalf("proto %d: %q re-encodes as %q", proto, enc, again)
			}
			if _, _, err := ParseReply(enc[:len(enc)-1]); err == nil {
				t.Fatalf("truncated %q accepted", enc)
			}
		}
	}
	if _, _, err := ParseReply([]byte("?x\r\n")); err == nil {
		t.Fatal("unknown type accepted")
	}
}

func FuzzParseReply(f *testing.F) {
	f.Add([]byte("*2\r\n$1\r\na\r\n:1\r\n"))
	f.Add([]byte("%1\r\n+a\r\n_\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, n, err := ParseReply(b)
		if err != nil {
			return
		}
		if n > len(b) {
			t.Fatalf("used %d of %d bytes", n, len(b))
		}
		_ = Append(nil, r, 3)
	})
}

// A peer reply announcing a bulk string longer than memory (the length
// overflows when added to the offset) is incomplete, not a panic.
func TestParseReplyHugeBulkLength(t *testing.T) {
	for _, in := range []string{
		"$9223372036854775807\r\nab\r\n",
		"$9223372036854775806\r\n",
		"=9223372036854775805\r\nabc\r\n",
		"*1\r\n$9223372036854775807\r\nx\r\n",
	} {
		if _, _, err := ParseReply([]byte(in)); err == nil {
			t.Errorf("ParseReply(%q) succeeded", in)
		}
	}
	if _, _, err := ParseReply([]byte("$2\r\nabXY")); err == nil {
		t.Error("a bulk string not followed by CRLF was accepted")
	}
}
