package version

// StrEnc records how Redis would hold a string sibling's value, for OBJECT
// ENCODING and DEBUG OBJECT: Redis picks int, embstr or raw by content when
// a value is stored whole (SET), but a string modified in place (APPEND,
// SETRANGE, SETBIT, BITFIELD) is raw whatever it holds, and one built by
// INCRBYFLOAT is never int. The zero value is the by-content choice, so
// encodings made before StrEnc existed decode as it.
type StrEnc uint8

// The string encodings. Their numbers are stored: append, never renumber.
const (
	StrEncAuto   StrEnc = iota // by content, as SET stores it: int, embstr or raw
	StrEncRaw                  // modified in place: raw
	StrEncString               // a built string: embstr or raw by length, never int
	strEncLimit                // first value that is not an encoding
)
