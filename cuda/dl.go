//go:build cgo

package cuda

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>
*/
import "C"

import (
	"fmt"
	"os"
	"unsafe"
)

// dynLib is a shared library opened with dlopen and its resolved symbols.
type dynLib struct {
	h    unsafe.Pointer
	path string
	syms map[string]unsafe.Pointer
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func dlopen(path string) (*dynLib, error) {
	cs := C.CString(path)
	defer C.free(unsafe.Pointer(cs))
	h := C.dlopen(cs, C.RTLD_NOW|C.RTLD_LOCAL)
	if h == nil {
		return nil, fmt.Errorf("dlopen %s: %s", path, C.GoString(C.dlerror()))
	}
	return &dynLib{h: h, path: path, syms: map[string]unsafe.Pointer{}}, nil
}

// resolve looks every name up with dlsym.
func (l *dynLib) resolve(names []string) error {
	for _, n := range names {
		cs := C.CString(n)
		C.dlerror()
		p := C.dlsym(l.h, cs)
		C.free(unsafe.Pointer(cs))
		if p == nil {
			return fmt.Errorf("%s: no symbol %s", l.path, n)
		}
		l.syms[n] = p
	}
	return nil
}

func (l *dynLib) close() { C.dlclose(l.h) }
