package command

// ConnStats are a connection's buffer figures for CLIENT LIST and CLIENT
// INFO, as the server measures them (Redis's fd, qbuf, qbuf-free,
// argv-mem, obl, oll, omem and tot-mem).
type ConnStats struct {
	FD           int   // the socket's file descriptor; -1 if unknown
	QueryBuf     int64 // bytes received, not yet parsed into a command
	QueryBufFree int64 // free space of the query buffer
	ArgvMem      int64 // bytes of the current or last command's arguments
	OutBuf       int64 // encoded reply bytes not yet written (obl)
	OutList      int64 // queued reply frames (oll): pub/sub messages waiting
	OutMem       int64 // bytes of every pending reply and message (omem)
	TotMem       int64 // the connection's buffers in total
}

// noConn are the figures of a session without a connection (tests).
var noConn = ConnStats{FD: -1}
