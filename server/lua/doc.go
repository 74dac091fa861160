// Package lua runs Redis scripts: EVAL scripts and FUNCTION libraries, in
// a sandboxed Lua 5.1 VM (github.com/yuin/gopher-lua), with the redis.*
// API, the libraries Redis scripts use (string, table, math, bit, cjson,
// struct, cmsgpack) and Redis 7.0's RESP <-> Lua conversion rules.
//
// It knows nothing of the command table or the store: a script's
// redis.call / redis.pcall go to a Caller, which runs one command and
// returns its resp.Reply (with Redis's error texts for commands a script
// may not run). The caller of this package makes scripts atomic, enforces
// read-only scripts and cluster placement, and decides when to kill a
// script (by cancelling the context passed to Eval or FCall).
//
// Start from New (an Engine: one VM for EVAL, one for functions), Compile
// (a Script from an EVAL body, with its shebang flags), Engine.Eval,
// Engine.Load (FUNCTION LOAD) and Engine.FCall. Dump and Restore encode
// libraries in Redis's FUNCTION DUMP payload format.
//
// The sandbox is Redis's: no os, io, package, loadfile, dofile or print;
// reading a missing global fails with "Script attempted to access
// nonexistent global variable", and writing any global or a library
// table with "Attempt to modify a readonly table". Library tables are
// read-only proxies, so pairs/next/rawget see through them but the #
// operator on them is 0.
//
// Errors carry Lua 5.1's texts, as redis-server returns them: a Lua 5.1
// parser checks syntax before gopher-lua compiles (luaerr_syntax.go), and
// runtime errors are reworded as they are raised, so pcall, xpcall and
// FUNCTION LOAD see the same texts as a script's error reply
// (luaerr_raise.go, errtext.go, luaerr_args.go).
package lua
