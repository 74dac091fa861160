package membership

import (
	"bytes"
	"log"

	"github.com/rs/zerolog"
)

// stdWriter bridges Serf's and memberlist's *log.Logger into zerolog: each
// line's "[LEVEL]" prefix becomes the zerolog level and the "memberlist:" or
// "serf:" prefix becomes the "lib" field.
type stdWriter struct{ log zerolog.Logger }

func newStdLogger(l zerolog.Logger) *log.Logger { return log.New(stdWriter{l}, "", 0) }

var levels = []struct {
	prefix []byte
	level  zerolog.Level
}{
	{[]byte("[DEBUG]"), zerolog.DebugLevel},
	{[]byte("[INFO]"), zerolog.InfoLevel},
	{[]byte("[WARN]"), zerolog.WarnLevel},
	{[]byte("[ERR]"), zerolog.ErrorLevel},
	{[]byte("[ERROR]"), zerolog.ErrorLevel},
	{[]byte("[TRACE]"), zerolog.TraceLevel},
}

// Write logs one line. Lines without a known prefix are logged at Info.
func (w stdWriter) Write(b []byte) (int, error) {
	line := bytes.TrimSpace(b)
	level := zerolog.InfoLevel
	for _, l := range levels {
		if bytes.HasPrefix(line, l.prefix) {
			level, line = l.level, bytes.TrimSpace(line[len(l.prefix):])
			break
		}
	}
	ev := w.log.WithLevel(level)
	if lib, rest, ok := bytes.Cut(line, []byte(": ")); ok && (string(lib) == "memberlist" || string(lib) == "serf") {
		ev, line = ev.Str("lib", string(lib)), rest
	}
	ev.Msg(string(line))
	return len(b), nil
}
