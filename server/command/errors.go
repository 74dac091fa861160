package command

import (
	"context"
	"errors"

	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/resp"
)

// Redis's shared error replies, word for word (resp's table).
var (
	errSyntax       = resp.ErrSyntax()
	errNotInteger   = resp.ErrNotInteger()
	errNotFloat     = resp.ErrNotFloat()
	errWrongType    = resp.ErrWrongType()
	errOverflow     = resp.ErrOverflow()
	errNaNOrInf     = resp.ErrNaNOrInf()
	errNoAuth       = resp.ErrNoAuth()
	errWrongPass    = resp.ErrWrongPass()
	errNoSuchKey    = resp.ErrNoSuchKey()
	errDBIndex      = resp.ErrDBIndex()
	errInvalidCur   = resp.Err("ERR invalid cursor")
	errStringTooBig = resp.Err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
)

// errWrongArgs is the arity error for the command's full name ("get",
// "client|kill").
func errWrongArgs(fullname string) resp.Reply { return resp.ErrWrongArgs(fullname) }

// errInvalidExpire is the error for a bad expire time in cmd.
func errInvalidExpire(cmd string) resp.Reply { return resp.ErrInvalidExpire(cmd) }

// replyError carries a ready reply out of an UpdateFunc (e.g. INCR on a
// value that is not an integer), so the handler answers it verbatim.
type replyError struct{ r resp.Reply }

func (e *replyError) Error() string { return e.r.Str }

// redisError is an error from below that names its own reply, such as
// the engine's DiskError ("MISCONF Errors writing to the data directory
// ...").
type redisError interface{ RedisError() string }

// errorReply is the one mapping from KV and handler errors to replies:
// a quorum failure is its own text (NOQUORUM ...), a replyError its reply,
// a redisError its text, anything else "ERR <text>".
func errorReply(err error) resp.Reply {
	var re *replyError
	var qe *replica.QuorumError
	var de redisError
	switch {
	case errors.As(err, &re):
		return re.r
	case errors.As(err, &de):
		return resp.Err(de.RedisError())
	case errors.As(err, &qe):
		return resp.Err(qe.Error())
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, replica.ErrTimeout):
		return resp.Err("ERR timed out waiting for replicas")
	case errors.Is(err, context.Canceled):
		return resp.Err("ERR request canceled")
	}
	return resp.Err("ERR " + err.Error())
}
