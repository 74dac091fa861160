package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func TestAppendCommand(t *testing.T) {
	got := string(AppendCommand(nil, []byte("SET"), []byte("key:0000001"), []byte("")))
	want := "*3\r\n$3\r\nSET\r\n$11\r\nkey:0000001\r\n$0\r\n\r\n"
	if got != want {
		t.Errorf("AppendCommand = %q, want %q", got, want)
	}
}

func TestLoadStream(t *testing.T) {
	l := Load{KeyFormat: "key:%07d", Count: 3, Size: 100, Random: true}
	var b bytes.Buffer
	n, err := l.WriteTo(&b)
	if err != nil || n != int64(b.Len()) {
		t.Fatalf("WriteTo = %d, %v (buffer %d)", n, err, b.Len())
	}
	cmds := strings.Split(b.String(), "*3\r\n")[1:]
	if len(cmds) != 3 {
		t.Fatalf("%d commands, want 3: %q", len(cmds), b.String())
	}
	for i, c := range cmds {
		f := strings.Split(c, "\r\n")
		key, val := fmt.Sprintf("key:%07d", i), f[5]
		if f[0] != "$3" || f[1] != "SET" || f[2] != "$11" || f[3] != key || f[4] != "$100" || len(val) != 100 {
			t.Errorf("command %d = %q", i, c)
		}
	}
	if cmds[0] == cmds[1] {
		t.Error("random values repeat across keys")
	}
}

func TestLoadValues(t *testing.T) {
	r := Load{Size: 100, Random: true}
	a, b := r.Value(nil, 42), r.Value(nil, 42)
	if !bytes.Equal(a, b) {
		t.Error("values are not deterministic")
	}
	if bytes.Equal(r.Value(nil, 1), r.Value(nil, 2)) {
		t.Error("different keys got the same value")
	}
	x := Load{Size: 5}.Value(nil, 7)
	if string(x) != "xxxxx" {
		t.Errorf("plain value = %q, want redis-benchmark's xxxxx", x)
	}
}

func TestParsePipeSummary(t *testing.T) {
	out := "All data transferred. Waiting for the last reply...\nLast reply received from server.\nerrors: 2, replies: 1000000\n"
	e, r, ok := ParsePipeSummary(out)
	if !ok || e != 2 || r != 1000000 {
		t.Errorf("ParsePipeSummary = %d, %d, %v", e, r, ok)
	}
	if _, _, ok := ParsePipeSummary("Error reading from the server"); ok {
		t.Error("matched output without a summary")
	}
}
