package transport

import (
	"context"
	"errors"
	"fmt"
)

// Handler serves requests arriving from peers. ServePeer is called
// concurrently. ctx carries the caller's deadline and is cancelled when the
// connection or the transport closes. from is the name of the calling node,
// proven when Authenticated(ctx). body belongs to the handler; the returned
// slice belongs to the transport (do not modify it after returning). A
// returned error reaches the caller as a *RemoteError carrying err.Error().
type Handler interface {
	ServePeer(ctx context.Context, from string, method uint8, body []byte) ([]byte, error)
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(ctx context.Context, from string, method uint8, body []byte) ([]byte, error)

// ServePeer calls f.
func (f HandlerFunc) ServePeer(ctx context.Context, from string, method uint8, body []byte) ([]byte, error) {
	return f(ctx, from, method, body)
}

// Transport sends requests to peers by node name.
type Transport interface {
	// Call sends body to node to, to be served by its Handler under method,
	// and waits for the reply until ctx is done. body must not be modified
	// until Call returns. Errors wrap ErrUnreachable, ErrTimeout, ErrClosed
	// or ErrFrameTooLarge, or are a *RemoteError.
	Call(ctx context.Context, to string, method uint8, body []byte) ([]byte, error)
	// Close stops serving, fails calls in flight and waits for every
	// goroutine the transport owns.
	Close() error
}

var (
	_ Transport = (*TCP)(nil)
	_ Transport = (*MemTransport)(nil)
)

// Errors returned by this package. Test with errors.Is.
var (
	// ErrUnreachable: the peer could not be reached, or the connection
	// failed while the call was in flight.
	ErrUnreachable = errors.New("transport: peer unreachable")
	// ErrTimeout: the ctx deadline passed before the reply arrived.
	ErrTimeout = errors.New("transport: call timed out")
	// ErrClosed: this transport is closed.
	ErrClosed = errors.New("transport: closed")
	// ErrFrameTooLarge: a message exceeds the maximum frame size.
	ErrFrameTooLarge = errors.New("transport: frame too large")
	// ErrAuth: the peer failed cluster-key authentication (wrapped together
	// with ErrUnreachable).
	ErrAuth = errors.New("transport: peer authentication failed")
	// ErrVersion: the peer speaks another protocol version (wrapped together
	// with ErrUnreachable).
	ErrVersion = errors.New("transport: protocol version mismatch")
	// ErrProtocol: the peer sent a malformed frame or handshake.
	ErrProtocol = errors.New("transport: protocol error")
)

// RemoteError is an error returned by the remote node's Handler.
type RemoteError struct {
	Node string // the node whose handler failed
	Msg  string // the handler error's text
}

func (e *RemoteError) Error() string {
	return fmt.Sprintf("transport: remote %s: %s", e.Node, e.Msg)
}

// ctxError converts a done ctx's error into a Call error: a passed deadline
// wraps both ErrTimeout and context.DeadlineExceeded; cancellation is
// returned as is.
func ctxError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %w", ErrTimeout, err)
	}
	return err
}

// copyBytes returns a copy of b that shares no memory with it. Empty
// payloads become nil, as they arrive over TCP.
func copyBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append(make([]byte, 0, len(b)), b...)
}

// Remote returns the remote handler's error text; it lets other packages
// tell "the peer ran the request and failed" from "the peer was not
// reached" without importing this one.
func (e *RemoteError) Remote() string { return e.Msg }

// authKey marks a handler ctx whose request is Authenticated.
type authKey struct{}

func withAuthenticated(ctx context.Context) context.Context {
	return context.WithValue(ctx, authKey{}, true)
}

// Authenticated reports whether the request a Handler is serving came from
// a peer that proved it holds the cluster key (over a sealed connection), or
// from this node itself. Without a cluster key it is false: the caller's
// name is only what it claimed, so a handler must not grant it anything a
// stranger on the listener's network should not have.
func Authenticated(ctx context.Context) bool {
	v, _ := ctx.Value(authKey{}).(bool)
	return v
}
