package resp

// Limits bound what a single command may make the server buffer. A zero
// field takes its default.
type Limits struct {
	// MaxBulkLen is the longest bulk argument in bytes (Redis's
	// proto-max-bulk-len). Default 512 MiB.
	MaxBulkLen int64
	// MaxMultiBulk is the most arguments one command may declare. Default
	// 1024*1024.
	MaxMultiBulk int
	// MaxInline is the longest inline command line in bytes, and also the
	// longest "*<n>" or "$<n>" header line (Redis's PROTO_INLINE_MAX_SIZE
	// serves both). Default 64 KiB.
	MaxInline int
	// Unauthenticated applies Redis's limits for a client that must still
	// AUTH: a command of more than UnauthMaxArgs arguments, or a bulk
	// longer than UnauthMaxBulkLen, is a protocol error (so a stranger
	// cannot make the server buffer megabytes). Inline commands keep
	// MaxInline, as in Redis. Default false.
	Unauthenticated bool
}

// Redis's limits before AUTH (networking.c, processMultibulkBuffer).
const (
	UnauthMaxArgs    = 10
	UnauthMaxBulkLen = 16 << 10
)

// DefaultLimits returns Redis 7's limits.
func DefaultLimits() Limits {
	return Limits{MaxBulkLen: 512 << 20, MaxMultiBulk: 1024 * 1024, MaxInline: 64 << 10}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBulkLen <= 0 {
		l.MaxBulkLen = d.MaxBulkLen
	}
	if l.MaxMultiBulk <= 0 {
		l.MaxMultiBulk = d.MaxMultiBulk
	}
	if l.MaxInline <= 0 {
		l.MaxInline = d.MaxInline
	}
	return l
}

// ProtocolError is a malformed request. Redis answers it with its reply and
// closes the connection; the Reader stops at it (every later ReadCommand
// returns the same error).
type ProtocolError struct{ Msg string }

// Error returns "Protocol error: " + Msg.
func (e *ProtocolError) Error() string { return "Protocol error: " + e.Msg }

// Reply is the error reply Redis sends, e.g. "-ERR Protocol error: invalid
// bulk length".
func (e *ProtocolError) Reply() Reply { return Err("ERR " + e.Error()) }

func protoErr(msg string) error { return &ProtocolError{Msg: msg} }
