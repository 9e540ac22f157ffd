//go:build cgo

package cuda

/*
#include <stdlib.h>
#include <stdint.h>

typedef int (*nvrtcVersion_t)(int*, int*);
typedef int (*nvrtcCreateProgram_t)(void**, const char*, const char*, int, const char* const*, const char* const*);
typedef int (*nvrtcCompileProgram_t)(void*, int, const char* const*);
typedef int (*nvrtcGetSize_t)(void*, size_t*);
typedef int (*nvrtcGetStr_t)(void*, char*);
typedef int (*nvrtcDestroyProgram_t)(void**);
typedef const char* (*nvrtcGetErrorString_t)(int);

static int bw_nvrtcVersion(void* f, int* major, int* minor) { return ((nvrtcVersion_t)f)(major, minor); }
static int bw_nvrtcCreateProgram(void* f, void** prog, const char* src, const char* name) {
	return ((nvrtcCreateProgram_t)f)(prog, src, name, 0, NULL, NULL);
}
static int bw_nvrtcCompileProgram(void* f, void* prog, int n, char** opts) {
	return ((nvrtcCompileProgram_t)f)(prog, n, (const char* const*)opts);
}
static int bw_nvrtcGetSize(void* f, void* prog, size_t* n) { return ((nvrtcGetSize_t)f)(prog, n); }
static int bw_nvrtcGetStr(void* f, void* prog, char* s) { return ((nvrtcGetStr_t)f)(prog, s); }
static int bw_nvrtcDestroyProgram(void* f, void** prog) { return ((nvrtcDestroyProgram_t)f)(prog); }
static const char* bw_nvrtcGetErrorString(void* f, int r) { return ((nvrtcGetErrorString_t)f)(r); }
*/
import "C"

import (
	"unsafe"
)

var nvrtcSyms = []string{"nvrtcVersion", "nvrtcCreateProgram", "nvrtcCompileProgram", "nvrtcGetPTXSize",
	"nvrtcGetPTX", "nvrtcGetProgramLogSize", "nvrtcGetProgramLog", "nvrtcDestroyProgram", "nvrtcGetErrorString"}

// NVRTC is the run-time CUDA compiler, opened with dlopen. It needs no
// GPU. Its methods may be called from any goroutine.
type NVRTC struct {
	lib          *dynLib
	major, minor int
}

// OpenNVRTC finds and opens libnvrtc (see LibConfig for where).
func OpenNVRTC(cfg LibConfig) (*NVRTC, error) {
	l, err := openLibrary("nvrtc", cfg, nvrtcSyms)
	if err != nil {
		return nil, err
	}
	n := &NVRTC{lib: l}
	var ma, mi C.int
	if r := C.bw_nvrtcVersion(l.syms["nvrtcVersion"], &ma, &mi); r != 0 {
		l.close()
		return nil, n.err("nvrtcVersion", r)
	}
	n.major, n.minor = int(ma), int(mi)
	return n, nil
}

// Path is the file the library was opened from.
func (n *NVRTC) Path() string { return n.lib.path }

// Version is the library's CUDA version.
func (n *NVRTC) Version() (major, minor int) { return n.major, n.minor }

func (n *NVRTC) err(op string, r C.int) error {
	name := C.GoString(C.bw_nvrtcGetErrorString(n.lib.syms["nvrtcGetErrorString"], r))
	return &Error{Op: op, Code: int(r), Name: name}
}

// Compile compiles CUDA C source to PTX with the given options (for
// example "--gpu-architecture=compute_80"). The log of a failed
// compilation is in the *CompileError.
func (n *NVRTC) Compile(src, name string, opts ...string) (string, error) {
	csrc, cname := C.CString(src), C.CString(name)
	defer C.free(unsafe.Pointer(csrc))
	defer C.free(unsafe.Pointer(cname))
	var prog unsafe.Pointer
	if r := C.bw_nvrtcCreateProgram(n.lib.syms["nvrtcCreateProgram"], &prog, csrc, cname); r != 0 {
		return "", n.err("nvrtcCreateProgram", r)
	}
	defer C.bw_nvrtcDestroyProgram(n.lib.syms["nvrtcDestroyProgram"], &prog)
	copts := C.malloc(C.size_t(len(opts)+1) * C.size_t(unsafe.Sizeof(uintptr(0))))
	defer C.free(copts)
	ov := unsafe.Slice((**C.char)(copts), len(opts)+1)
	for i, o := range opts {
		ov[i] = C.CString(o)
		defer C.free(unsafe.Pointer(ov[i]))
	}
	if r := C.bw_nvrtcCompileProgram(n.lib.syms["nvrtcCompileProgram"], prog, C.int(len(opts)), (**C.char)(copts)); r != 0 {
		return "", &CompileError{Name: name, Log: n.get(prog, "nvrtcGetProgramLogSize", "nvrtcGetProgramLog"), Err: n.err("nvrtcCompileProgram", r)}
	}
	return n.get(prog, "nvrtcGetPTXSize", "nvrtcGetPTX"), nil
}

// get reads a NUL-terminated string of the program (PTX or log).
func (n *NVRTC) get(prog unsafe.Pointer, sizeSym, strSym string) string {
	var size C.size_t
	if C.bw_nvrtcGetSize(n.lib.syms[sizeSym], prog, &size) != 0 || size == 0 {
		return ""
	}
	buf := (*C.char)(C.malloc(size))
	defer C.free(unsafe.Pointer(buf))
	if C.bw_nvrtcGetStr(n.lib.syms[strSym], prog, buf) != 0 {
		return ""
	}
	return C.GoString(buf)
}
