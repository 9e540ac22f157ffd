//go:build !cgo

package cuda

import "unsafe"

type dynLib struct {
	path string
	syms map[string]unsafe.Pointer
}

func fileExists(string) bool { return false }

func dlopen(path string) (*dynLib, error) { return nil, errNoCgo }

func (l *dynLib) resolve([]string) error { return errNoCgo }

func (l *dynLib) close() {}
