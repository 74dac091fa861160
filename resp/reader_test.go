package resp

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// chunkReader returns its input in pieces of the given sizes (the last size
// repeats), then io.EOF.
type chunkReader struct {
	data  []byte
	sizes []int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := c.sizes[0]
	if len(c.sizes) > 1 {
		c.sizes = c.sizes[1:]
	}
	n = min(n, len(p), len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// readAll reads commands until an error, copying their arguments.
func readAll(r *Reader) (cmds [][]string, err error) {
	for {
		args, err := r.ReadCommand()
		if err != nil {
			return cmds, err
		}
		cmd := make([]string, len(args))
		for i, a := range args {
			cmd[i] = string(a)
		}
		cmds = append(cmds, cmd)
	}
}

func parse(in string, lim Limits) ([][]string, error) {
	return readAll(NewReader(strings.NewReader(in), lim))
}

func TestReadValid(t *testing.T) {
	tests := []struct {
		in   string
		want [][]string
	}{
		{"*1\r\n$4\r\nPING\r\n", [][]string{{"PING"}}},
		{"*2\r\n$3\r\nGET\r\n$0\r\n\r\n", [][]string{{"GET", ""}}},
		{"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\na\r\nb\x00\r\n", [][]string{{"SET", "k", "a\r\nb\x00"}}},
		{"*0\r\n*-1\r\n*-7\r\n*1\r\n$1\r\nx\r\n", [][]string{{"x"}}}, // empty commands are skipped
		{"PING\r\n", [][]string{{"PING"}}},
		{"PING\n", [][]string{{"PING"}}},
		{"\n\r\n   \t\r\nPING\n", [][]string{{"PING"}}},
		{"set a b\nget a\r\n", [][]string{{"set", "a", "b"}, {"get", "a"}}},
		{" *1\r\n", [][]string{{"*1"}}}, // inline, since the first byte is not '*'
		{"$3\r\n", [][]string{{"$3"}}},
	}
	for _, tt := range tests {
		got, err := parse(tt.in, Limits{})
		if err != io.EOF || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: got %q, %v; want %q, EOF", tt.in, got, err, tt.want)
		}
	}
}

func TestReadProtocolErrors(t *testing.T) {
	long := strings.Repeat("1", 70000)
	tests := []struct{ in, want string }{
		{"*abc\r\n", "invalid multibulk length"},
		{"*\r\n", "invalid multibulk length"},
		{"*+1\r\n", "invalid multibulk length"},
		{"*01\r\n", "invalid multibulk length"},
		{"*-0\r\n", "invalid multibulk length"},
		{"*1 \r\n", "invalid multibulk length"},
		{"*1048577\r\n", "invalid multibulk length"},
		{"*99999999999999999999\r\n", "invalid multibulk length"},
		{"*1\rX$1\r\nx\r\n", "invalid multibulk length"}, // stricter than Redis
		{"*1\n$1\r\nx\r\n", "invalid multibulk length"},  // '\n' alone does not end the header
		{"*1\r\nfoo\r\n", "expected '$', got 'f'"},
		{"*1\r\n\r\n", "expected '$', got '\r'"},
		{"*2\r\n$1\r\na\r\n:1\r\n", "expected '$', got ':'"},
		{"*1\r\n$-1\r\n", "invalid bulk length"},
		{"*1\r\n$abc\r\n", "invalid bulk length"},
		{"*1\r\n$\r\n", "invalid bulk length"},
		{"*1\r\n$+3\r\nabc\r\n", "invalid bulk length"},
		{"*1\r\n$536870913\r\n", "invalid bulk length"},
		{"*1\r\n$3\rXabc\r\n", "invalid bulk length"},
		{"*1\r\n$3\r\nabcXY", "invalid bulk length"}, // stricter than Redis
		{"*1\r\n$3\r\nabc\rX", "invalid bulk length"},
		{"*1\r\n$3\r\nabcd\r\n", "invalid bulk length"},
		{"*" + long, "too big mbulk count string"},
		{"*" + long + "\r\n", "too big mbulk count string"},
		{"*1\r\n$" + long, "too big bulk count string"},
		{"GET " + long, "too big inline request"},
		{"GET " + long + "\n", "too big inline request"},
		{"SET \"a\"b\r\n", "unbalanced quotes in request"},
		{"SET 'a\r\n", "unbalanced quotes in request"},
		{"PING\r\nSET \"a\r\nPING\r\n", "unbalanced quotes in request"},
	}
	for _, tt := range tests {
		cmds, err := parse(tt.in, Limits{})
		var pe *ProtocolError
		if !errors.As(err, &pe) || pe.Msg != tt.want {
			t.Errorf("%.40q: got %v; want Protocol error: %s", tt.in, err, tt.want)
			continue
		}
		if strings.HasPrefix(tt.in, "PING") && len(cmds) != 1 {
			t.Errorf("%q: commands before the error: %q", tt.in, cmds)
		}
		if err.Error() != "Protocol error: "+tt.want {
			t.Errorf("Error() = %q", err.Error())
		}
	}
}

func TestProtocolErrorReply(t *testing.T) {
	e := &ProtocolError{Msg: "expected '$', got '\r'"}
	got := string(Append(nil, e.Reply(), 2))
	if want := "-ERR Protocol error: expected '$', got ' '\r\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestReadErrorIsSticky(t *testing.T) {
	r := NewReader(strings.NewReader("*x\r\nPING\r\n"), Limits{})
	_, err1 := r.ReadCommand()
	_, err2 := r.ReadCommand()
	if err1 == nil || err1 != err2 {
		t.Fatalf("errors %v, %v; want the same protocol error twice", err1, err2)
	}
}

func TestReadEOF(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"", io.EOF},
		{"PING\r\n", io.EOF},
		{"*0\r\n", io.EOF},
		{"PING", io.ErrUnexpectedEOF},
		{"  ", io.ErrUnexpectedEOF},
		{"*", io.ErrUnexpectedEOF},
		{"*1\r", io.ErrUnexpectedEOF},
		{"*1\r\n", io.ErrUnexpectedEOF},
		{"*1\r\n$3\r\nfo", io.ErrUnexpectedEOF},
		{"*1\r\n$3\r\nfoo\r", io.ErrUnexpectedEOF},
		{"*2\r\n$3\r\nfoo\r\n", io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		for name, rd := range map[string]io.Reader{
			"plain":   strings.NewReader(tt.in),
			"dataerr": iotest.DataErrReader(strings.NewReader(tt.in)),
		} {
			if _, err := readAll(NewReader(rd, Limits{})); err != tt.want {
				t.Errorf("%q (%s): got %v, want %v", tt.in, name, err, tt.want)
			}
		}
	}
}

func TestReadPassesReadErrors(t *testing.T) {
	boom := errors.New("boom")
	r := NewReader(io.MultiReader(strings.NewReader("PING\r\nPI"), iotest.ErrReader(boom)), Limits{})
	cmds, err := readAll(r)
	if len(cmds) != 1 || err != boom {
		t.Fatalf("got %q, %v; want [PING], boom", cmds, err)
	}
}

// pipeline mixes every kind of input the reader accepts.
const pipeline = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n" +
	"*0\r\n" +
	"GET \"k\\x41y\" 'it\\'s'\r\n" +
	"\r\n" +
	"*2\r\n$3\r\nGET\r\n$0\r\n\r\n" +
	"PING\n" +
	"*1\r\n$4\r\nQUIT\r\n"

var pipelineWant = [][]string{{"SET", "key", "va\r\nl"}, {"GET", "kAy", "it's"}, {"GET", ""}, {"PING"}, {"QUIT"}}

func TestReadSplitAtEveryByte(t *testing.T) {
	for k := 0; k <= len(pipeline); k++ {
		rd := &chunkReader{data: []byte(pipeline), sizes: []int{k, len(pipeline)}}
		if k == 0 {
			rd.sizes = []int{1}
		}
		got, err := readAll(NewReader(rd, Limits{}))
		if err != io.EOF || !reflect.DeepEqual(got, pipelineWant) {
			t.Fatalf("split at %d: got %q, %v", k, got, err)
		}
	}
	got, err := readAll(NewReader(iotest.OneByteReader(strings.NewReader(pipeline)), Limits{}))
	if err != io.EOF || !reflect.DeepEqual(got, pipelineWant) {
		t.Fatalf("one byte at a time: got %q, %v", got, err)
	}
}

func TestReadBuffered(t *testing.T) {
	r := NewReader(strings.NewReader("PING\r\nPING\r\n"), Limits{})
	if _, err := r.ReadCommand(); err != nil || r.Buffered() != 6 {
		t.Fatalf("after first: err %v, Buffered %d; want 6", err, r.Buffered())
	}
	if _, err := r.ReadCommand(); err != nil || r.Buffered() != 0 {
		t.Fatalf("after second: err %v, Buffered %d; want 0", err, r.Buffered())
	}
}

func TestReadLimits(t *testing.T) {
	lim := Limits{MaxBulkLen: 5, MaxMultiBulk: 2, MaxInline: 8}
	tests := []struct{ in, want string }{
		{"*2\r\n$5\r\nabcde\r\n$0\r\n\r\n", ""},
		{"*3\r\n", "invalid multibulk length"},
		{"*1\r\n$6\r\n", "invalid bulk length"},
		{"12345678\n", ""},
		{"12345678\r\n", "too big inline request"}, // the CR counts: 9 bytes before '\n'
		{"123456789", "too big inline request"},
		{"*0000001\r\n", "invalid multibulk length"}, // 8 bytes before '\r': allowed length
		{"*00000001\r\n", "too big mbulk count string"},
		{"*1\r\n$00000001\r\n", "too big bulk count string"},
	}
	for _, tt := range tests {
		_, err := parse(tt.in, lim)
		var pe *ProtocolError
		switch {
		case tt.want == "" && err != io.EOF:
			t.Errorf("%q: got %v, want success", tt.in, err)
		case tt.want != "" && (!errors.As(err, &pe) || pe.Msg != tt.want):
			t.Errorf("%q: got %v, want %s", tt.in, err, tt.want)
		}
	}
	if d := DefaultLimits(); d.MaxBulkLen != 512<<20 || d.MaxMultiBulk != 1<<20 || d.MaxInline != 64<<10 {
		t.Errorf("DefaultLimits() = %+v", d)
	}
}

// A declared length costs nothing until the bytes arrive.
func TestReadDeclaredBulkDoesNotAllocate(t *testing.T) {
	r := NewReader(strings.NewReader("*1\r\n$500000000\r\n0123456789"), Limits{})
	if _, err := r.ReadCommand(); err != io.ErrUnexpectedEOF {
		t.Fatalf("got %v, want ErrUnexpectedEOF", err)
	}
	if len(r.buf) > minReadBuf {
		t.Fatalf("buffer grew to %d bytes", len(r.buf))
	}
}

func TestReadLargeBulk(t *testing.T) {
	val := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	in := Append(nil, Array(BulkString("SET"), BulkString("k"), Bulk(val)), 2)
	in = append(in, "PING\r\n"...)
	r := NewReader(&chunkReader{data: in, sizes: []int{1000, 4096}}, Limits{})
	args, err := r.ReadCommand()
	if err != nil || len(args) != 3 || !bytes.Equal(args[2], val) {
		t.Fatalf("got %d args, err %v", len(args), err)
	}
	if len(r.buf) > 2<<20 {
		t.Errorf("buffer is %d bytes for a 1 MiB bulk", len(r.buf))
	}
	if args, err := r.ReadCommand(); err != nil || string(args[0]) != "PING" {
		t.Fatalf("after the bulk: %q, %v", args, err)
	}
	if _, err := r.ReadCommand(); err != io.EOF || len(r.buf) > minReadBuf {
		t.Fatalf("got %v, buffer %d bytes; want EOF and the big buffer replaced", err, len(r.buf))
	}
}

func TestReadArgsAreClipped(t *testing.T) {
	r := NewReader(strings.NewReader("*2\r\n$1\r\na\r\n$1\r\nb\r\n"), Limits{})
	args, err := r.ReadCommand()
	if err != nil {
		t.Fatal(err)
	}
	_ = append(args[0], 'X')
	if string(args[1]) != "b" {
		t.Fatalf("appending to args[0] changed args[1] to %q", args[1])
	}
}

func TestReadNoAllocs(t *testing.T) {
	in := bytes.Repeat([]byte("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\nGET k\r\n"), 100)
	src := bytes.NewReader(in)
	r := NewReader(src, Limits{})
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := r.ReadCommand(); err == io.EOF {
			src.Reset(in)
			r.err = nil
		}
	})
	if allocs > 0 {
		t.Errorf("%.1f allocations per command", allocs)
	}
}

// Before AUTH, Redis refuses more than 10 arguments and bulks over 16 KiB
// as soon as their header arrives (redis-server 7.0.15, measured).
func TestReadUnauthenticatedLimits(t *testing.T) {
	lim := Limits{Unauthenticated: true}
	big := strings.Repeat("x", UnauthMaxBulkLen)
	tests := []struct{ in, want string }{
		{"*10\r\n", "unexpected EOF"},
		{"*11\r\n", "unauthenticated multibulk length"},
		{"*0\r\n*11\r\n", "unauthenticated multibulk length"},
		{"*2000000000\r\n", "unauthenticated multibulk length"},
		{"*3000000000\r\n", "invalid multibulk length"},
		{"*1\r\n$16385\r\n", "unauthenticated bulk length"},
		{"*1\r\n$16384\r\n" + big + "\r\n", "EOF"},
		{"*1\r\n$-1\r\n", "invalid bulk length"},
		{"*1\r\n$600000000\r\n", "invalid bulk length"},
		{"a b c d e f g h i j k l\r\n", "EOF"}, // inline: only MaxInline, as Redis
	}
	for _, tt := range tests {
		_, err := parse(tt.in, lim)
		var pe *ProtocolError
		if errors.As(err, &pe) {
			err = errors.New(pe.Msg)
		}
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q: got %v, want %s", tt.in, err, tt.want)
		}
	}
	if _, err := parse("*11\r\n", Limits{}); err != io.ErrUnexpectedEOF {
		t.Errorf("authenticated *11: got %v", err)
	}
}

// SetLimits takes effect from the next command: a pipeline of AUTH and a
// large SET is read as Redis reads it, one command at a time.
func TestReadSetLimitsBetweenCommands(t *testing.T) {
	val := strings.Repeat("v", 100000)
	in := "*2\r\n$4\r\nAUTH\r\n$1\r\np\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\n" + val + "\r\n"
	r := NewReader(strings.NewReader(in), Limits{Unauthenticated: true})
	if args, err := r.ReadCommand(); err != nil || string(args[0]) != "AUTH" {
		t.Fatalf("AUTH: %q %v", args, err)
	}
	r.SetLimits(Limits{})
	if args, err := r.ReadCommand(); err != nil || len(args[2]) != len(val) {
		t.Fatalf("SET after AUTH: %d args, %v", len(args), err)
	}
	r = NewReader(strings.NewReader(in), Limits{Unauthenticated: true})
	_, _ = r.ReadCommand()
	var pe *ProtocolError
	if _, err := r.ReadCommand(); !errors.As(err, &pe) || pe.Msg != "unauthenticated bulk length" {
		t.Fatalf("SET while still unauthenticated: %v", err)
	}
}
