//go:build ignore

// gen writes commands.resp and docs.resp, the metadata of every command of
// the Redis version ringkv implements, as that redis-server reports it:
// the full COMMAND reply and the full COMMAND DOCS reply, in RESP3, sorted
// by command name (Redis answers in hash order) so that the files are
// stable. The server package embeds them (redismeta.go) so that COMMAND
// INFO and COMMAND DOCS answer Redis's own flags, ACL categories, tips, key
// specifications and documentation for each command ringkv has.
//
// Run from server/command, with that version's redis-server on PATH:
//
//	go generate ./server/command   (or: go run ./redisdata/gen.go)
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ringkv/ringkv/resp"
)

func main() {
	version := flag.String("version", "7.0.15", "the redis-server version required")
	out := flag.String("out", "redisdata", "output directory")
	flag.Parse()
	dir, err := os.MkdirTemp("", "redisdata")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "redis.sock")
	srv := exec.Command("redis-server", "--port", "0", "--unixsocket", sock,
		"--save", "", "--appendonly", "no", "--dir", dir)
	if err := srv.Start(); err != nil {
		log.Fatal(err)
	}
	defer func() { _ = srv.Process.Kill(); _ = srv.Wait() }()
	c := dial(sock)
	if info := c.do("INFO", "server").Text(); !strings.Contains(info, "redis_version:"+*version+"\r\n") {
		log.Fatalf("redis-server is not %s:\n%s", *version, info)
	}
	c.do("HELLO", "3")
	cmds := c.do("COMMAND")
	sortInfo(&cmds)
	docs := c.do("COMMAND", "DOCS")
	sortDocs(&docs)
	write(filepath.Join(*out, "commands.resp"), cmds)
	write(filepath.Join(*out, "docs.resp"), docs)
}

type conn struct {
	c   net.Conn
	buf []byte
}

func dial(sock string) *conn {
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("unix", sock); err == nil {
			return &conn{c: c}
		}
		time.Sleep(50 * time.Millisecond)
	}
	log.Fatal("redis-server did not start")
	return nil
}

// do sends one command and reads its whole reply.
func (c *conn) do(args ...string) resp.Reply {
	req := make([]resp.Reply, len(args))
	for i, a := range args {
		req[i] = resp.BulkString(a)
	}
	if _, err := c.c.Write(resp.Append(nil, resp.Array(req...), 2)); err != nil {
		log.Fatal(err)
	}
	chunk := make([]byte, 1<<16)
	for {
		if r, n, err := resp.ParseReply(c.buf); err == nil {
			r = detach(r)
			c.buf = c.buf[n:]
			if r.IsError() {
				log.Fatalf("%v: %s", args, r.Str)
			}
			return r
		}
		n, err := c.c.Read(chunk)
		if err != nil {
			log.Fatal(err)
		}
		c.buf = append(c.buf, chunk[:n]...)
	}
}

// detach copies the bulk strings out of the read buffer.
func detach(r resp.Reply) resp.Reply {
	if r.Bytes != nil {
		r.Bytes = bytes.Clone(r.Bytes)
	}
	for i := range r.Elems {
		r.Elems[i] = detach(r.Elems[i])
	}
	return r
}

func name(r resp.Reply) string { return r.Elems[0].Text() }

// sortInfo sorts COMMAND's entries, and each one's subcommands, by name.
func sortInfo(r *resp.Reply) {
	sort.Slice(r.Elems, func(i, j int) bool { return name(r.Elems[i]) < name(r.Elems[j]) })
	for i := range r.Elems {
		if e := &r.Elems[i]; len(e.Elems) >= 10 {
			sortInfo(&e.Elems[9])
		}
	}
}

// sortDocs sorts a COMMAND DOCS map, and each entry's subcommands map, by
// name.
func sortDocs(r *resp.Reply) {
	type pair struct{ k, v resp.Reply }
	ps := make([]pair, len(r.Elems)/2)
	for i := range ps {
		ps[i] = pair{r.Elems[2*i], r.Elems[2*i+1]}
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].k.Text() < ps[j].k.Text() })
	for i, p := range ps {
		for j := 0; j+1 < len(p.v.Elems); j += 2 {
			if p.v.Elems[j].Text() == "subcommands" {
				sortDocs(&p.v.Elems[j+1])
			}
		}
		r.Elems[2*i], r.Elems[2*i+1] = p.k, p.v
	}
}

func write(path string, r resp.Reply) {
	if err := os.WriteFile(path, resp.Append(nil, r, 3), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Println("wrote", path)
}
