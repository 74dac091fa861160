package server

import (
	"context"
	"errors"
	"sync"

	"github.com/ringkv/ringkv/cluster/transport"
	"github.com/ringkv/ringkv/replica"
)

// MethodScriptKill asks a node to kill its running script: body 0 (SCRIPT
// KILL) or 1 (FUNCTION KILL); reply "OK" or the refusal's text (numbered
// after MethodRingMembers).
const MethodScriptKill = replica.MethodUser + 7

// killRemote asks every other member that is up (command.Env.KillRemote).
func (s *Server) killRemote(ctx context.Context, function bool) []string {
	body := []byte{0}
	if function {
		body[0] = 1
	}
	var mu sync.Mutex
	var answers []string
	s.eachPeer(ctx, func(ctx context.Context, node string) {
		b, err := s.tr.Call(ctx, node, MethodScriptKill, body)
		if err != nil {
			return
		}
		mu.Lock()
		answers = append(answers, string(b))
		mu.Unlock()
	})
	return answers
}

// serveScriptKill answers MethodScriptKill. As with MethodExec, with
// requirepass set only a peer that proved the cluster key may kill.
func (s *Server) serveScriptKill(ctx context.Context, body []byte) ([]byte, error) {
	if s.env.Settings.RequirePass() != "" && !transport.Authenticated(ctx) {
		return nil, errors.New("server: script kill from an unauthenticated peer refused")
	}
	if len(body) != 1 || body[0] > 1 {
		return nil, errors.New("server: malformed script kill request")
	}
	return []byte(s.disp.KillScript(body[0] == 1)), nil
}
