package transport

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// book is a test address book: the Resolve function membership would give.
type book struct {
	mu sync.Mutex
	m  map[string]string
}

func newBook() *book { return &book{m: make(map[string]string)} }

func (b *book) set(node, addr string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.m[node] = addr
}

func (b *book) resolve(node string) (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	a, ok := b.m[node]
	return a, ok
}

// listen starts a TCP transport named name, registered in bk, closed at the
// end of the test.
func listen(tb testing.TB, name string, bk *book, h Handler, edit ...func(*Config)) *TCP {
	tb.Helper()
	cfg := TestConfig(name)
	cfg.Resolve, cfg.Handler = bk.resolve, h
	if t, ok := tb.(*testing.T); ok {
		cfg.Logger = zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel)
	}
	for _, e := range edit {
		e(&cfg)
	}
	tr, err := Listen(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	bk.set(name, tr.Addr())
	tb.Cleanup(func() { _ = tr.Close() })
	return tr
}

// echo replies with the method byte followed by the body.
var echo = HandlerFunc(func(_ context.Context, _ string, method uint8, body []byte) ([]byte, error) {
	return append([]byte{method}, body...), nil
})

func ctxTimeout(tb testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	tb.Cleanup(cancel)
	return ctx
}

// mustCall calls and fails the test on error.
func mustCall(tb testing.TB, tr Transport, to string, method uint8, body []byte) []byte {
	tb.Helper()
	resp, err := tr.Call(ctxTimeout(tb, 5*time.Second), to, method, body)
	if err != nil {
		tb.Fatalf("Call(%s): %v", to, err)
	}
	return resp
}

// wantErr fails unless err wraps every target.
func wantErr(tb testing.TB, err error, targets ...error) {
	tb.Helper()
	for _, target := range targets {
		if !errors.Is(err, target) {
			tb.Fatalf("error %v does not wrap %v", err, target)
		}
	}
}

// eventually retries f (a real-network condition) until it holds or 5s pass.
func eventually(tb testing.TB, what string, f func() error) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s: %v", what, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
