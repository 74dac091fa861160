package lua

import "github.com/ringkv/ringkv/server/rdb"

// FUNCTION DUMP's payload is Redis's: for each library the RDB opcode
// FUNCTION2 (245) and the library code as an RDB string, sealed as any
// DUMP payload (server/rdb: RDB version and CRC-64/Jones). Dump writes
// strings uncompressed; Restore also reads Redis's LZF-compressed and
// integer-encoded strings, so payloads move both ways between ringkv and
// Redis 7.

const opFunction2 = 245

// Dump returns the FUNCTION DUMP payload of every library.
func (e *Engine) Dump() []byte {
	var out []byte
	for _, lib := range e.Libraries() {
		out = rdb.AppendString(append(out, opFunction2), lib.Code)
	}
	return rdb.Seal(out)
}

// ParseDump checks a FUNCTION DUMP payload and returns the library codes
// it holds.
func ParseDump(payload []byte) ([][]byte, error) {
	body, ok := rdb.Open(payload)
	if !ok {
		return nil, errorf("ERR DUMP payload version or checksum are wrong")
	}
	var codes [][]byte
	for r := rdb.NewReader(body); len(r.Rest()) > 0; {
		if r.Byte() != opFunction2 {
			return nil, errorf("ERR given type is not a function")
		}
		code := r.Str()
		if r.Bad() {
			return nil, errorf("ERR Failed loading library payload")
		}
		codes = append(codes, code)
	}
	return codes, nil
}

// RestorePolicy is FUNCTION RESTORE's FLUSH, APPEND or REPLACE.
type RestorePolicy int

// Restore policies.
const (
	RestoreAppend RestorePolicy = iota
	RestoreFlush
	RestoreReplace
)

// Restore is FUNCTION RESTORE: every library in the payload is built
// first; then, all or nothing, the policy decides what happens to the
// existing ones.
func (e *Engine) Restore(payload []byte, policy RestorePolicy) error {
	codes, err := ParseDump(payload)
	if err != nil {
		return err
	}
	var libs []*Library
	for _, code := range codes {
		lib, err := e.build(code)
		if err != nil {
			return err
		}
		libs = append(libs, lib)
	}
	e.libMu.Lock()
	defer e.libMu.Unlock()
	oldLibs, oldFuncs := e.libs, e.funcs
	e.libs, e.funcs = copyMap(oldLibs), copyMap(oldFuncs)
	if policy == RestoreFlush {
		e.libs, e.funcs = map[string]*Library{}, map[string]*Function{}
	}
	for _, lib := range libs {
		if err := e.restoreOne(lib, policy); err != nil {
			e.libs, e.funcs = oldLibs, oldFuncs
			return err
		}
	}
	return nil
}

func (e *Engine) restoreOne(lib *Library, policy RestorePolicy) error {
	if _, ok := e.libs[lib.Name]; ok && policy != RestoreReplace {
		return errorf("ERR Library " + lib.Name + " already exists")
	}
	if err := e.install(lib, true); err != nil {
		return errorf("ERR Function " + err.Error()[len("ERR Function "):])
	}
	return nil
}

func copyMap[V any](m map[string]V) map[string]V {
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
