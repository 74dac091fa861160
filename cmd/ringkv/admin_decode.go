package main

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/ringkv/ringkv/resp"
)

// clusterStatus is RINGKV STATUS: one node's view of the cluster. JSON
// names are the RESP keys.
type clusterStatus struct {
	Node        string   `json:"node"`
	RingVersion string   `json:"ring_version"`
	Partitions  int64    `json:"partitions"` // Q
	N           int64    `json:"n"`
	Members     []member `json:"members"`
}

// member is one known node in RINGKV STATUS; -1 counts are unknown.
type member struct {
	Name        string `json:"name"`
	State       string `json:"state"` // alive | suspect | failed | left
	Ring        string `json:"ring"`  // member | leaving | removed | joining
	Client      string `json:"client"`
	Primary     int64  `json:"primary"`
	Replicas    int64  `json:"replicas"`
	Keys        int64  `json:"keys"`
	Bytes       int64  `json:"bytes"`
	Hints       int64  `json:"hints"`
	Transfers   int64  `json:"transfers"`
	RingVersion string `json:"ring_version"` // "" unknown
}

// fields is a RESP map by key. Both protocols are read: RESP3's map and
// RESP2's flat [k1, v1, k2, v2, ...] array.
type fields map[string]resp.Reply

func asFields(r resp.Reply) (fields, error) {
	if (r.Kind != resp.KindMap && r.Kind != resp.KindArray) || len(r.Elems)%2 != 0 {
		return nil, fmt.Errorf("want a map, got %s", r.Kind)
	}
	f := make(fields, len(r.Elems)/2)
	for i := 0; i < len(r.Elems); i += 2 {
		k := r.Elems[i]
		if k.Kind != resp.KindBulk && k.Kind != resp.KindSimple {
			return nil, fmt.Errorf("want a map, got a %s key", k.Kind)
		}
		f[k.Text()] = r.Elems[i+1]
	}
	return f, nil
}

func asList(r resp.Reply) ([]resp.Reply, error) {
	switch r.Kind {
	case resp.KindArray, resp.KindSet:
		return r.Elems, nil
	case resp.KindNull, resp.KindNullArray:
		return nil, nil
	}
	return nil, fmt.Errorf("want an array, got %s", r.Kind)
}

func (f fields) str(key string) string { return f[key].Text() }

// int returns an integer field, or def when it is absent or not a number.
func (f fields) int(key string, def int64) int64 {
	r, ok := f[key]
	switch {
	case !ok:
		return def
	case r.Kind == resp.KindInt:
		return r.Int
	case r.Kind == resp.KindDouble:
		return int64(r.Float)
	}
	if n, err := strconv.ParseInt(r.Text(), 10, 64); err == nil {
		return n
	}
	return def
}

func decodeStatus(r resp.Reply) (clusterStatus, error) {
	f, err := asFields(r)
	if err != nil {
		return clusterStatus{}, err
	}
	s := clusterStatus{Node: f.str("node"), RingVersion: f.str("ring_version"),
		Partitions: f.int("partitions", 0), N: f.int("n", 0)}
	list, err := asList(f["members"])
	if err != nil {
		return s, fmt.Errorf("members: %w", err)
	}
	for i, e := range list {
		m, err := asFields(e)
		if err != nil {
			return s, fmt.Errorf("members[%d]: %w", i, err)
		}
		s.Members = append(s.Members, member{Name: m.str("name"), State: m.str("state"),
			Ring: m.str("ring"), Client: m.str("client"), Primary: m.int("primary", 0),
			Replicas: m.int("replicas", 0), Keys: m.int("keys", -1), Bytes: m.int("bytes", -1),
			Hints: m.int("hints", -1), Transfers: m.int("transfers", -1), RingVersion: m.str("ring_version")})
	}
	return s, nil
}

// errUnexpectedReply is a reply of a form the admin commands do not know.
var errUnexpectedReply = errors.New("unexpected reply")

// fetchStatus asks the node for RINGKV STATUS.
func fetchStatus(c *nodeClient) (clusterStatus, error) {
	r, err := c.do("RINGKV", "STATUS")
	if err != nil {
		return clusterStatus{}, err
	}
	s, err := decodeStatus(r)
	if err != nil {
		return s, fmt.Errorf("%w to RINGKV STATUS from %s: %v; is it a ringkv of this version?", errUnexpectedReply, c.addr, err)
	}
	return s, nil
}
