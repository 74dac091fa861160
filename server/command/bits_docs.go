package command

// COMMAND DOCS entries of the bitmap commands and LCS, kept beside their
// handlers.
func init() {
	for name, dc := range map[string]doc{
		"setbit":      {"2.2.0", "Sets or clears the bit at offset of the string value. Creates the key if it doesn't exist.", "key:key offset:integer value:integer"},
		"getbit":      {"2.2.0", "Returns a bit value by offset.", "key:key offset:integer"},
		"bitcount":    {"2.6.0", "Counts the number of set bits (population counting) in a string.", "key:key start:integer? end:integer? BYTE|BIT?"},
		"bitpos":      {"2.8.7", "Finds the first set (1) or clear (0) bit in a string.", "key:key bit:integer start:integer? end:integer? BYTE|BIT?"},
		"bitop":       {"2.6.0", "Performs bitwise operations on multiple strings, and stores the result.", "AND|OR|XOR|NOT destkey:key key:key+"},
		"bitfield":    {"3.2.0", "Performs arbitrary bitfield integer operations on strings.", "key:key GET=encoding:string|SET=encoding:string|INCRBY=encoding:string|OVERFLOW=behavior:string*"},
		"bitfield_ro": {"6.0.0", "Performs arbitrary read-only bitfield integer operations on strings.", "key:key GET=encoding:string*"},
		"lcs":         {"7.0.0", "Finds the longest common substring.", "key1:key key2:key LEN? IDX? MINMATCHLEN=min-match-len:integer? WITHMATCHLEN?"},
	} {
		docs[name] = dc
	}
}
