package command

import (
	"errors"

	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/resp"
)

// WAIT numreplicas timeout answers how many replicas, besides one copy,
// hold the client's last write, counted from what its coordinator saw:
//
//   - a write that met its quorum was acknowledged by exactly W copies
//     when the coordinator answered (W capped at N and at the ring's
//     members; more with a PW that needed more primaries, so W is a lower
//     bound then), fallbacks holding a hint included (sloppy quorum);
//   - a write that failed its quorum (NOQUORUM) by the copies that
//     acknowledged it in time;
//   - before any write, nothing is missing anywhere: every replica of the
//     client's keys holds all of its writes (N copies).
//
// WAIT answers that count minus one, as Redis counts replicas without the
// master: a single node answers 0, as a Redis without replicas does; a
// 3-node cluster with W=2 answers 1. It never blocks: the copies still in
// flight after the quorum, and later hinted handoff, are not visible to
// this node, so waiting could not honestly observe them; the count is
// answered at once, whatever numreplicas and timeout (which are checked as
// Redis checks them). Only the writes this node coordinates (or runs as a
// local part of a split command) are recorded: a write forwarded to the
// key's coordinator on another node leaves the count of the previous
// write, unless the server notes it (Session.NoteWrite).

// noteWrite records on s the outcome of one KV.Update made for it.
func (d *Dispatcher) noteWrite(s *Session, res replica.Result, err error) {
	var qe *replica.QuorumError
	switch {
	case err == nil && res.Written():
		s.NoteQuorumWrite()
	case errors.As(err, &qe) && (qe.Op == "W" || qe.Op == "PW") && qe.Got > 0:
		s.NoteWrite(qe.Got)
	}
}

// NoteWrite records that copies of s's last write acknowledged it
// (copies includes the coordinator's own). The server calls it for a
// write it forwarded to another node, with the quorum that write met.
func (s *Session) NoteWrite(copies int) { s.intro.acks.Store(int64(copies)) }

// ackedQuorum in Session acks stands for "met the write quorum": WAIT
// works out W then, so that a write does not pay for it (the ring's member
// list; a CPU profile of SET showed it at 7%).
const ackedQuorum = -1

// NoteQuorumWrite records that s's last write met the write quorum (the
// server calls it for a write it forwarded to its coordinator).
func (s *Session) NoteQuorumWrite() { s.intro.acks.Store(ackedQuorum) }

// writeQuorum is the effective default W: capped at N and at the ring's
// members.
func (d *Dispatcher) writeQuorum() int {
	return int(min(d.env.Settings.W(), d.effectiveN()))
}

// effectiveN is N capped at the ring's members.
func (d *Dispatcher) effectiveN() int64 {
	return min(d.env.Settings.N(), int64(max(len(d.env.Topology.Members()), 1)))
}

// WAIT numreplicas timeout
func (d *Dispatcher) wait(s *Session, args [][]byte) resp.Reply {
	if _, ok := resp.ParseInt(args[1]); !ok {
		return errNotInteger
	}
	ms, ok := resp.ParseInt(args[2])
	switch {
	case !ok:
		return resp.Err("ERR timeout is not an integer or out of range")
	case ms < 0:
		return resp.Err("ERR timeout is negative")
	}
	copies := s.intro.acks.Load()
	switch copies {
	case 0:
		copies = d.effectiveN()
	case ackedQuorum:
		copies = int64(d.writeQuorum())
	}
	return resp.Int(max(copies-1, 0))
}
