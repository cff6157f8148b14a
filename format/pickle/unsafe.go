package pickle

import "strings"

// Modules whose every name can reach the OS, run code or load more code.
// Nothing is ever called here; the list only decides what we warn about.
var unsafeModules = map[string]bool{
	"os": true, "posix": true, "nt": true, "sys": true, "subprocess": true,
	"_posixsubprocess": true, "_winapi": true, "commands": true, "pty": true,
	"popen2": true, "shutil": true, "socket": true, "ctypes": true,
	"importlib": true, "imp": true, "runpy": true, "pkgutil": true,
	"zipimport": true, "code": true, "codeop": true, "pickle": true,
	"_pickle": true, "cPickle": true, "marshal": true, "shelve": true,
	"dill": true, "webbrowser": true, "multiprocessing": true, "pdb": true,
	"bdb": true, "timeit": true, "profile": true, "cProfile": true,
	"_thread": true, "thread": true, "threading": true, "signal": true,
	"asyncio": true, "urllib": true, "urllib2": true, "http": true,
	"httplib": true, "ftplib": true, "smtplib": true, "telnetlib": true,
	"requests": true, "platform": true, "gc": true, "types": true,
	"linecache": true, "logging.config": true, "tempfile": true,
	"glob": true, "io": true, "_io": true, "fcntl": true, "mmap": true,
}

// Builtins that run code, touch files or reach arbitrary attributes.
var unsafeBuiltins = map[string]bool{
	"eval": true, "exec": true, "execfile": true, "compile": true,
	"open": true, "file": true, "__import__": true, "getattr": true,
	"setattr": true, "delattr": true, "globals": true, "locals": true,
	"vars": true, "input": true, "raw_input": true, "breakpoint": true,
	"reload": true, "help": true, "exit": true, "quit": true,
}

// Gadgets used to call methods or functions indirectly.
var unsafeNames = map[string]bool{
	"operator.attrgetter": true, "operator.methodcaller": true,
	"functools.partial": true,
	"functools.reduce":  true, "torch.load": true, "torch.hub.load": true,
	"torch.jit.load": true, "numpy.load": true, "numpy.testing._private.utils.runstring": true,
	"torch.serialization.load": true, "torch._C._jit_load": true,
}

// IsUnsafe reports whether a global could do harm if a real unpickler
// imported and called it.
func IsUnsafe(g Global) bool {
	mod := g.Module
	switch mod {
	case "builtins", "__builtin__", "__builtins__":
		return unsafeBuiltins[g.Name]
	}
	if unsafeNames[g.String()] {
		return true
	}
	for m := mod; m != ""; {
		if unsafeModules[m] {
			return true
		}
		i := strings.LastIndexByte(m, '.')
		if i < 0 {
			break
		}
		m = m[:i]
	}
	return false
}
