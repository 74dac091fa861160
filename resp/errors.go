package resp

import "strings"

// Standard Redis 7 error replies, word for word. Handlers return these so
// clients and tests that match Redis's texts keep working.

// ErrSyntax is "ERR syntax error".
func ErrSyntax() Reply { return Err("ERR syntax error") }

// ErrNotInteger is the reply for an argument that is not a valid int64.
func ErrNotInteger() Reply { return Err("ERR value is not an integer or out of range") }

// ErrNotFloat is the reply for an argument that is not a valid float.
func ErrNotFloat() Reply { return Err("ERR value is not a valid float") }

// ErrOverflow is INCR/DECR's reply when the result would overflow int64.
func ErrOverflow() Reply { return Err("ERR increment or decrement would overflow") }

// ErrNaNOrInf is INCRBYFLOAT's reply when the result is not finite.
func ErrNaNOrInf() Reply { return Err("ERR increment would produce NaN or Infinity") }

// ErrWrongType is the reply for an operation on a key of another type.
func ErrWrongType() Reply {
	return Err("WRONGTYPE Operation against a key holding the wrong kind of value")
}

// ErrNoAuth is the reply to any command but AUTH/HELLO before authenticating.
func ErrNoAuth() Reply { return Err("NOAUTH Authentication required.") }

// ErrWrongPass is the reply to AUTH with a wrong password.
func ErrWrongPass() Reply {
	return Err("WRONGPASS invalid username-password pair or user is disabled.")
}

// ErrAuthNotConfigured is the reply to AUTH when no password is set.
func ErrAuthNotConfigured() Reply {
	return Err("ERR AUTH <password> called without any password configured for " +
		"the default user. Are you sure your configuration is correct?")
}

// ErrNoSuchKey is "ERR no such key" (RENAME and friends).
func ErrNoSuchKey() Reply { return Err("ERR no such key") }

// ErrDBIndex is SELECT's reply for a database other than those that exist.
func ErrDBIndex() Reply { return Err("ERR DB index is out of range") }

// ErrWrongArgs is the arity error, e.g. "ERR wrong number of arguments for
// 'get' command". cmd is the command table's name; it is lower-cased, as
// Redis prints its table name (subcommands as "client|kill").
func ErrWrongArgs(cmd string) Reply {
	return Err("ERR wrong number of arguments for '" + strings.ToLower(cmd) + "' command")
}

// ErrInvalidExpire is e.g. "ERR invalid expire time in 'set' command".
func ErrInvalidExpire(cmd string) Reply {
	return Err("ERR invalid expire time in '" + strings.ToLower(cmd) + "' command")
}

// ErrUnknownCommand is Redis's reply to an unknown command name, built as
// processCommand does: the name as typed (at most 128 bytes), then the first
// arguments each as 'arg' plus a space, stopping once 128 bytes of argument
// text are written and cutting the last one to fit. As in C, a NUL byte ends
// a string, and CR/LF become spaces. Note the trailing space after each
// argument, also after the last one:
//
//	ERR unknown command 'FOO', with args beginning with: 'a' 'b' ␠
//	ERR unknown command 'foo', with args beginning with:␠   (no arguments)
func ErrUnknownCommand(name string, args [][]byte) Reply {
	var b strings.Builder
	b.WriteString("ERR unknown command '")
	b.WriteString(cString(name, 128))
	b.WriteString("', with args beginning with: ")
	n := 0 // length of the args part, as sdslen(args) in Redis
	for _, a := range args {
		if n >= 128 {
			break
		}
		s := cString(string(a), 128-n)
		b.WriteString("'" + s + "' ")
		n += len(s) + 3
	}
	return Err(sanitize(b.String()))
}

// ErrUnknownSubcommand is e.g. "ERR unknown subcommand 'FOO'. Try CLIENT HELP.".
func ErrUnknownSubcommand(cmd, sub string) Reply {
	return Err(sanitize("ERR unknown subcommand '" + cString(sub, 128) + "'. Try " +
		strings.ToUpper(cmd) + " HELP."))
}

// ErrSubcommandSyntax is Redis's addReplySubcommandSyntaxError: the
// subcommand (as "%.128s") of cmd was unknown or had the wrong arity.
func ErrSubcommandSyntax(cmd, sub string) Reply {
	return Err(sanitize("ERR unknown subcommand or wrong number of arguments for '" + cString(sub, 128) +
		"'. Try " + strings.ToUpper(cmd) + " HELP."))
}

// CString is C's "%.*s" of s: up to its first NUL, at most max bytes.
func CString(s string, max int) string { return cString(s, max) }

// cString is C's "%.*s": s up to its first NUL, at most max bytes.
func cString(s string, max int) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	if len(s) > max {
		s = s[:max]
	}
	return s
}

// sanitize replaces CR and LF with spaces, as Redis does for error texts
// that echo user input.
func sanitize(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}
