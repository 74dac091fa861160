package version

// AppendBinary appends c's compact encoding (the one sibling sets use for
// their pasts) to dst: for payloads that embed a context, such as a
// collection header's removal clock (package crdt).
func (c Context) AppendBinary(dst []byte) []byte { return c.appendBinary(dst) }

// DecodeContextPrefix decodes a context encoded by Context.AppendBinary at
// the start of b and returns the bytes after it.
func DecodeContextPrefix(b []byte) (Context, []byte, error) {
	d := decoder{b: b}
	c := d.context()
	if d.err != nil {
		return Context{}, nil, ErrCorrupt
	}
	return c, d.b, nil
}
