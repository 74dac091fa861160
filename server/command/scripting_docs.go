package command

// COMMAND DOCS entries of the scripting commands, kept beside their
// handlers (used where Redis's own metadata lacks them).
func init() {
	const s = "script:string numkeys:integer key:key* arg:string*"
	const f = "function:string numkeys:integer key:key* arg:string*"
	for name, dc := range map[string]doc{
		"eval":             {"2.6.0", "Executes a server-side Lua script.", s},
		"evalsha":          {"2.6.0", "Executes a server-side Lua script by SHA1 digest.", "sha1:string numkeys:integer key:key* arg:string*"},
		"eval_ro":          {"7.0.0", "Executes a read-only server-side Lua script.", s},
		"evalsha_ro":       {"7.0.0", "Executes a read-only server-side Lua script by SHA1 digest.", "sha1:string numkeys:integer key:key* arg:string*"},
		"fcall":            {"7.0.0", "Invokes a function.", f},
		"fcall_ro":         {"7.0.0", "Invokes a read-only function.", f},
		"script":           {"2.6.0", "A container for Lua scripts management commands.", ""},
		"script|load":      {"2.6.0", "Loads a server-side Lua script to the script cache.", "script:string"},
		"script|exists":    {"2.6.0", "Determines whether server-side Lua scripts exist in the script cache.", "sha1:string+"},
		"script|flush":     {"2.6.0", "Removes all server-side Lua scripts from the script cache.", "ASYNC|SYNC?"},
		"script|kill":      {"2.6.0", "Terminates a server-side Lua script during execution.", ""},
		"script|debug":     {"3.2.0", "Sets the debug mode of server-side Lua scripts.", "YES|SYNC|NO"},
		"script|help":      {"5.0.0", "Returns helpful text about the different subcommands.", ""},
		"function":         {"7.0.0", "A container for function commands.", ""},
		"function|load":    {"7.0.0", "Creates a library.", "REPLACE? function-code:string"},
		"function|list":    {"7.0.0", "Returns information about all libraries.", "LIBRARYNAME=library-name-pattern:string? WITHCODE?"},
		"function|delete":  {"7.0.0", "Deletes a library and its functions.", "library-name:string"},
		"function|flush":   {"7.0.0", "Deletes all libraries and functions.", "ASYNC|SYNC?"},
		"function|dump":    {"7.0.0", "Dumps all libraries into a serialized binary payload.", ""},
		"function|restore": {"7.0.0", "Restores all libraries from a payload.", "serialized-value:string FLUSH|APPEND|REPLACE?"},
		"function|stats":   {"7.0.0", "Returns information about a function during execution.", ""},
		"function|kill":    {"7.0.0", "Terminates a function during execution.", ""},
		"function|help":    {"7.0.0", "Returns helpful text about the different subcommands.", ""},
	} {
		docs[name] = dc
	}
}
