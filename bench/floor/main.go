// Command floor is the smallest Redis-protocol server in Go, in two
// shapes, to measure what the connection model alone costs per request
// on this machine, with nothing behind it but a map:
//
//	go run ./bench/floor -port 7009 -model goroutine   # a goroutine per connection (Go's netpoller), as ringkv
//	go run ./bench/floor -port 7008 -model epoll       # one epoll loop on raw sockets, as redis-server
//	redis-benchmark -p PORT -t get,set -c 50 -n 200000 -r 1000000 -q
//
// It answers SET and GET (anything else with +OK) and nothing more: no
// errors, no limits, Linux only. It is a measuring stick, not a server.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strconv"
	"sync"
	"syscall"
)

type store struct {
	mu sync.RWMutex
	m  map[string][]byte
}

// do runs one command and appends its reply to out.
func (s *store) do(args [][]byte, out []byte) []byte {
	switch {
	case len(args) == 3 && (string(args[0]) == "SET" || string(args[0]) == "set"):
		s.mu.Lock()
		s.m[string(args[1])] = append([]byte(nil), args[2]...)
		s.mu.Unlock()
		return append(out, "+OK\r\n"...)
	case len(args) == 2 && (string(args[0]) == "GET" || string(args[0]) == "get"):
		s.mu.RLock()
		v, ok := s.m[string(args[1])]
		s.mu.RUnlock()
		if !ok {
			return append(out, "$-1\r\n"...)
		}
		out = strconv.AppendInt(append(out, '$'), int64(len(v)), 10)
		return append(append(append(out, "\r\n"...), v...), "\r\n"...)
	}
	return append(out, "+OK\r\n"...)
}

// run runs the whole commands in, appending their replies to out, and
// returns the rest of in (a command not whole yet) and out.
func (s *store) run(in, out []byte) ([]byte, []byte) {
	for {
		args, used := parse(in)
		if used == 0 {
			return in, out
		}
		out = s.do(args, out)
		in = in[used:]
	}
}

// parse reads one RESP array of bulk strings from b: the arguments and
// the bytes used, 0 if b holds no whole command yet.
func parse(b []byte) ([][]byte, int) {
	num := func(i int) (int, int) {
		n := 0
		for ; i < len(b) && b[i] != '\r'; i++ {
			n = n*10 + int(b[i]-'0')
		}
		return n, i + 2
	}
	if len(b) == 0 || b[0] != '*' {
		return nil, 0
	}
	n, i := num(1)
	args := make([][]byte, n)
	for a := range args {
		if i >= len(b) {
			return nil, 0
		}
		var size int
		size, i = num(i + 1)
		if i+size+2 > len(b) {
			return nil, 0
		}
		args[a] = b[i : i+size]
		i += size + 2
	}
	return args, i
}

func main() {
	port := flag.Int("port", 7009, "port on 127.0.0.1")
	model := flag.String("model", "goroutine", "goroutine (a goroutine per connection) or epoll (one event loop)")
	flag.Parse()
	s := &store{m: map[string][]byte{}}
	var err error
	switch *model {
	case "goroutine":
		err = serveGoroutines(s, *port)
	case "epoll":
		err = serveEpoll(s, *port)
	default:
		err = fmt.Errorf("unknown -model %q", *model)
	}
	log.Print(err)
	os.Exit(1)
}

// serveGoroutines is Go's usual server: a goroutine per connection that
// reads (through the netpoller: a read, EAGAIN, park, wake, read again),
// runs the commands it read and writes their replies.
func serveGoroutines(s *store, port int) error {
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return err
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go func() {
			defer c.Close()
			var in, out []byte
			buf := make([]byte, 16<<10)
			for {
				n, err := c.Read(buf)
				if err != nil {
					if !errors.Is(err, io.EOF) {
						log.Print(err)
					}
					return
				}
				in, out = s.run(append(in, buf[:n]...), out)
				in = append(in[:0:0], in...)
				if len(out) > 0 {
					if _, err := c.Write(out); err != nil {
						return
					}
					out = out[:0]
				}
			}
		}()
	}
}

// serveEpoll is redis-server's shape: one loop waits in epoll_wait, reads
// each ready socket once, runs its commands and writes the replies.
func serveEpoll(s *store, port int) error {
	lfd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		return err
	}
	if err := syscall.SetsockoptInt(lfd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); err != nil {
		return err
	}
	if err := syscall.Bind(lfd, &syscall.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return err
	}
	if err := syscall.Listen(lfd, 1024); err != nil {
		return err
	}
	ep, err := syscall.EpollCreate1(0)
	if err != nil {
		return err
	}
	go func() { // accepts in a blocking call of its own
		for {
			fd, _, err := syscall.Accept4(lfd, syscall.SOCK_NONBLOCK)
			if err != nil {
				log.Print(err)
				continue
			}
			_ = syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
			if err := syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, fd, &syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)}); err != nil {
				log.Print(err)
			}
		}
	}()
	pending := map[int32][]byte{}
	events := make([]syscall.EpollEvent, 128)
	buf := make([]byte, 16<<10)
	var out []byte
	for {
		n, err := syscall.EpollWait(ep, events, -1)
		if err != nil {
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			return err
		}
		for _, e := range events[:n] {
			fd := int(e.Fd)
			k, err := syscall.Read(fd, buf)
			if k <= 0 {
				if !errors.Is(err, syscall.EAGAIN) {
					syscall.Close(fd)
					delete(pending, e.Fd)
				}
				continue
			}
			var in []byte
			in, out = s.run(append(pending[e.Fd], buf[:k]...), out)
			if len(in) > 0 {
				pending[e.Fd] = append([]byte(nil), in...)
			} else {
				delete(pending, e.Fd)
			}
			if len(out) > 0 {
				if _, err := syscall.Write(fd, out); err != nil {
					log.Print(err)
				}
				out = out[:0]
			}
		}
	}
}
