package command

import (
	"strconv"
	"strings"

	"github.com/ringkv/ringkv/resp"
)

// DBSIZE
func (d *Dispatcher) dbsize(s *Session, _ [][]byte) resp.Reply {
	n, err := d.env.KV.Len(s.Context())
	return orInt(err, n)
}

// TIME → [unix seconds, microseconds]
func (d *Dispatcher) time(_ *Session, _ [][]byte) resp.Reply {
	us := d.env.Clock().UnixMicro()
	return resp.Array(resp.BulkString(strconv.FormatInt(us/1e6, 10)),
		resp.BulkString(strconv.FormatInt(us%1e6, 10)))
}

// FLUSHDB [ASYNC|SYNC], FLUSHALL [ASYNC|SYNC]
func (d *Dispatcher) flush(s *Session, args [][]byte) resp.Reply {
	if len(args) > 2 {
		return errSyntax
	}
	if len(args) == 2 {
		if m := strings.ToLower(string(args[1])); m != "async" && m != "sync" {
			return errSyntax
		}
	}
	if err := d.env.KV.Flush(s.Context()); err != nil {
		return errorReply(err)
	}
	return resp.OK()
}

// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: calls the server's hook and
// closes the caller's connection. The reply (OK) is only seen if the server
// writes it before closing; Redis sends none.
func (d *Dispatcher) shutdown(s *Session, args [][]byte) resp.Reply {
	var nosave, save, abort, other bool
	for _, a := range args[1:] {
		switch strings.ToLower(string(a)) {
		case "nosave":
			nosave = true
		case "save":
			save = true
		case "now", "force":
			other = true
		case "abort":
			abort = true
		default:
			return errSyntax
		}
	}
	if (abort && (nosave || save || other)) || (nosave && save) {
		return errSyntax
	}
	if abort {
		return resp.Err("ERR No shutdown in progress.")
	}
	d.stopScript() // a busy, even unkillable, script ends now (SHUTDOWN NOSAVE)
	d.env.Shutdown()
	s.Close = true
	return resp.Raw(nil) // Redis closes the connection without a reply
}

// LASTSAVE: Unix time of the last SAVE or BGSAVE, or of the start.
func (d *Dispatcher) lastsave(_ *Session, _ [][]byte) resp.Reply {
	return resp.Int(d.lastSave.Load())
}

// SAVE: data is persisted continuously, so this only acknowledges.
func (d *Dispatcher) save(_ *Session, _ [][]byte) resp.Reply {
	d.lastSave.Store(d.env.Clock().Unix())
	return resp.OK()
}

// BGSAVE [SCHEDULE]: as SAVE, with Redis's reply.
func (d *Dispatcher) bgsave(_ *Session, args [][]byte) resp.Reply {
	if len(args) > 2 || (len(args) == 2 && !strings.EqualFold(string(args[1]), "schedule")) {
		return errSyntax
	}
	d.lastSave.Store(d.env.Clock().Unix())
	return resp.Simple("Background saving started")
}
