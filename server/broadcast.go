package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ringkv/ringkv/cluster/transport"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/server/command"
)

// MethodBroadcast replicates the FUNCTION libraries between nodes
// (numbered after MethodPubSub): body and reply are the messages of
// command.Dispatcher.FunctionSync, a stamp query or a stamped library set.
const MethodBroadcast = replica.MethodUser + 2

// functionSyncInterval is how often a node compares its libraries' stamp
// with every member's, so one that missed a change catches up.
const functionSyncInterval = 2 * time.Second

// functionsFile holds a node's function libraries (the last stamped set),
// in its data directory.
const functionsFile = "functions.state"

var errBroadcastRefused = errors.New("server: function replication from an unauthenticated peer refused")

// wireFunctions gives the command layer its function-library hooks:
// redis.log's logger, the file that keeps the libraries across restarts,
// and the broadcast to the other members.
func (s *Server) wireFunctions(env *command.Env) {
	env.Logger = s.log.With().Str("component", "script").Logger()
	env.Functions = fileStore{path: filepath.Join(s.cfg.Dir, functionsFile)}
	if s.tr != nil {
		env.Broadcast = s.broadcast
		env.KillRemote = s.killRemote // scriptkill.go
	}
}

// broadcast sends msg to every other member that is up and settles what
// each answers; it returns the members it could not reach (they catch up
// at the next stamp exchange).
func (s *Server) broadcast(ctx context.Context, msg []byte) error {
	return s.replicate(ctx, msg, "function libraries")
}

// replicate sends msg (a stamped set of what) to every other member that
// is up and settles what each answers.
func (s *Server) replicate(ctx context.Context, msg []byte, what string) error {
	var mu sync.Mutex
	var failed []string
	s.eachPeer(ctx, func(ctx context.Context, node string) {
		if err := s.exchange(ctx, node, msg); err != nil {
			mu.Lock()
			failed = append(failed, node+": "+err.Error())
			mu.Unlock()
		}
	})
	if len(failed) > 0 {
		return fmt.Errorf("%s not replicated to %s", what, strings.Join(failed, "; "))
	}
	return nil
}

// exchange sends msg to node and keeps answering until neither side has
// anything newer to send (at most a query, a query back, and the newer
// libraries).
func (s *Server) exchange(ctx context.Context, node string, msg []byte) error {
	for hops := 0; msg != nil && hops < 3; hops++ {
		reply, err := s.tr.Call(ctx, node, MethodBroadcast, msg)
		if err != nil {
			return err
		}
		if msg, err = s.syncMessage(reply); err != nil { // acl.go
			return err
		}
	}
	return nil
}

// serveBroadcast answers a peer's MethodBroadcast. As with MethodExec, a
// peer frame does not stand in for AUTH: with requirepass set only a peer
// that proved the cluster key may change this node's libraries.
func (s *Server) serveBroadcast(ctx context.Context, _ string, body []byte) ([]byte, error) {
	if s.env.Settings.RequirePass() != "" && !transport.Authenticated(ctx) {
		return nil, errBroadcastRefused
	}
	return s.syncMessage(body) // acl.go
}

// startFunctionSync compares library stamps with every member every
// functionSyncInterval until the node stops.
func (s *Server) startFunctionSync() {
	if s.tr != nil {
		s.disp.SetACLBroadcast(s.broadcastACL) // acl.go
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		t := time.NewTicker(functionSyncInterval)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-s.ctx.Done():
				return
			case <-t.C:
				s.syncFunctionsOnce()
				s.syncACLOnce() // acl.go
			}
		}
	}()
}

func (s *Server) syncFunctionsOnce() {
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.RequestTimeout)
	defer cancel()
	q := s.disp.FunctionSyncQuery()
	for _, node := range s.place.Members() {
		if node == s.cfg.Node || !s.health.Up(node) {
			continue
		}
		if err := s.exchange(ctx, node, q); err != nil {
			s.log.Debug().Str("peer", node).Err(err).Msg("function library stamp exchange failed")
		}
	}
}

// fileStore keeps the function libraries in one file, replaced atomically
// (written beside it, synced, renamed).
type fileStore struct{ path string }

func (f fileStore) Load() ([]byte, error) {
	b, err := os.ReadFile(f.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

func (f fileStore) Save(b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(f.path), functionsFile+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), f.path)
}
