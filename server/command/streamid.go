package command

import (
	"encoding/binary"
	"math"
	"strconv"

	"github.com/ringkv/ringkv/resp"
)

// streamID is a stream entry's ID, <ms>-<seq>, as Redis's streamID.
type streamID struct{ ms, seq uint64 }

var (
	minStreamID = streamID{}
	maxStreamID = streamID{math.MaxUint64, math.MaxUint64}
)

func (a streamID) less(b streamID) bool {
	return a.ms < b.ms || (a.ms == b.ms && a.seq < b.seq)
}

func (a streamID) String() string {
	return strconv.FormatUint(a.ms, 10) + "-" + strconv.FormatUint(a.seq, 10)
}

func (a streamID) reply() resp.Reply { return resp.BulkString(a.String()) }

func (a streamID) isZero() bool { return a == streamID{} }

// incr is the next ID; ok is false past the last one (streamIncrID).
func (a streamID) incr() (streamID, bool) {
	switch {
	case a.seq < math.MaxUint64:
		return streamID{a.ms, a.seq + 1}, true
	case a.ms < math.MaxUint64:
		return streamID{a.ms + 1, 0}, true
	}
	return a, false
}

// decr is the previous ID; ok is false before 0-0 (streamDecrID).
func (a streamID) decr() (streamID, bool) {
	switch {
	case a.seq > 0:
		return streamID{a.ms, a.seq - 1}, true
	case a.ms > 0:
		return streamID{a.ms - 1, math.MaxUint64}, true
	}
	return a, false
}

// bytes is the ID's 16-byte big-endian form, which sorts as IDs do.
func (a streamID) bytes() []byte {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], a.ms)
	binary.BigEndian.PutUint64(b[8:], a.seq)
	return b[:]
}

// streamIDFrom decodes bytes' form; ok is false for any other length.
func streamIDFrom(b []byte) (streamID, bool) {
	if len(b) != 16 {
		return streamID{}, false
	}
	return streamID{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}, true
}

// errInvalidStreamID is Redis's reply to an ID it cannot parse.
var errInvalidStreamID = resp.Err("ERR Invalid stream ID specified as stream command argument")

// parseStreamID is Redis's streamGenericParseIDOrReply: "<ms>[-<seq>]"
// (a missing seq is missingSeq), "-" and "+" unless strict, and, with
// seqGiven non-nil, "<ms>-*" (seqGiven false).
func parseStreamID(b []byte, missingSeq uint64, strict bool, seqGiven *bool) (streamID, bool) {
	if len(b) > 127 {
		return streamID{}, false
	}
	if seqGiven != nil {
		*seqGiven = true
	}
	if len(b) == 1 {
		switch b[0] {
		case '-':
			return minStreamID, !strict
		case '+':
			return maxStreamID, !strict
		}
	}
	msPart, seqPart, dash := b, []byte(nil), false
	for i, c := range b {
		if c == '-' {
			msPart, seqPart, dash = b[:i], b[i+1:], true
			break
		}
	}
	ms, ok := parseUint64(msPart)
	if !ok {
		return streamID{}, false
	}
	seq := missingSeq
	if dash {
		if seqGiven != nil && len(seqPart) == 1 && seqPart[0] == '*' {
			seq, *seqGiven = 0, false
		} else if seq, ok = parseUint64(seqPart); !ok {
			return streamID{}, false
		}
	}
	return streamID{ms, seq}, true
}

// parseUint64 is Redis's string2ull: decimal digits only, at most
// 2^64-1 (a leading '-' or '+' is refused).
func parseUint64(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseUint(string(b), 10, 64)
	return v, err == nil
}

// parseStreamIDs parses strict IDs (XDEL's, XACK's); ok is false if one
// is not an ID.
func parseStreamIDs(args [][]byte) ([]streamID, bool) {
	ids := make([]streamID, 0, len(args))
	for _, a := range args {
		id, ok := parseStreamID(a, 0, true, nil)
		if !ok {
			return nil, false
		}
		ids = append(ids, id)
	}
	return ids, true
}

// parseIntervalID is a range bound (streamParseIntervalIDOrReply): "("
// makes it exclusive (and strict).
func parseIntervalID(b []byte, missingSeq uint64) (id streamID, exclusive, ok bool) {
	if len(b) > 1 && b[0] == '(' {
		id, ok = parseStreamID(b[1:], missingSeq, true, nil)
		return id, true, ok
	}
	id, ok = parseStreamID(b, missingSeq, false, nil)
	return id, false, ok
}
