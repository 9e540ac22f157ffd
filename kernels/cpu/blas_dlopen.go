//go:build linux && (amd64 || arm64)

package cpu

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/ebitengine/purego"
)

// blasCandidates lists the libraries tried, in order. Names go through
// the dynamic loader's search path (LD_LIBRARY_PATH, ld.so.cache, the
// default directories), so Debian's alternatives decide which build
// libopenblas.so.0 and libblas.so.3 are:
//
//  1. libopenblas.so.0  OpenBLAS's runtime name (libopenblas0-pthread, -openmp or -serial)
//  2. libopenblas.so    the development link (libopenblas-dev), for other layouts
//  3. libcblas.so.3     a separate CBLAS (ATLAS)
//  4. libblas.so.3      the BLAS alternative; used only if it exports cblas_dgemm
//     (OpenBLAS and BLIS do, netlib's reference BLAS does not)
//  5. /usr/lib/<multiarch>/openblas-pthread/libopenblas.so.0, the one absolute
//     path: where Debian's libopenblas0-pthread puts the library itself, for a
//     machine whose alternatives or loader cache do not name it. <multiarch>
//     is Debian's triplet for runtime.GOARCH (x86_64-linux-gnu, aarch64-linux-gnu).
func blasCandidates() []string {
	c := []string{"libopenblas.so.0", "libopenblas.so", "libcblas.so.3", "libblas.so.3"}
	if t := debianMultiarch(runtime.GOARCH); t != "" {
		c = append(c, "/usr/lib/"+t+"/openblas-pthread/libopenblas.so.0")
	}
	return c
}

// debianMultiarch is Debian's multiarch triplet for a Go GOARCH on linux.
func debianMultiarch(goarch string) string {
	switch goarch {
	case "amd64":
		return "x86_64-linux-gnu"
	case "arm64":
		return "aarch64-linux-gnu"
	}
	return ""
}

// blasOpen opens the library at path (or found by the loader under that
// name) and binds cblas_dgemm, cblas_sgemm if present, and
// openblas_set_num_threads if present. An error wrapping errNoCBLAS means
// the library opened but has no cblas_dgemm; it is then closed again.
func blasOpen(path string) (*blasLib, error) {
	h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_LOCAL)
	if err != nil {
		return nil, err // the loader's message names the path
	}
	dg, err := purego.Dlsym(h, "cblas_dgemm")
	if err != nil || dg == 0 {
		purego.Dlclose(h)
		return nil, fmt.Errorf("%s: %w", path, errNoCBLAS)
	}
	lib := &blasLib{name: "cblas", path: path}
	purego.RegisterFunc(&lib.dgemm, dg)
	if sg, err := purego.Dlsym(h, "cblas_sgemm"); err == nil && sg != 0 {
		purego.RegisterFunc(&lib.sgemm, sg)
	}
	if st, err := purego.Dlsym(h, "openblas_set_num_threads"); err == nil && st != 0 {
		lib.name = "openblas"
		purego.RegisterFunc(&lib.setThreads, st)
	}
	if gt, err := purego.Dlsym(h, "openblas_get_num_threads"); err == nil && gt != 0 {
		purego.RegisterFunc(&lib.getThreads, gt)
	}
	lib.lapack = lapackBind(func(name string) uintptr {
		p, err := purego.Dlsym(h, name)
		if err != nil {
			return 0
		}
		return p
	}, purego.RegisterFunc)
	if file := mappedFile(dg); file != "" {
		lib.path = file
	}
	return lib, nil
}

// mappedFile returns the file mapped at address addr in this process (from
// /proc/self/maps), "" if it cannot tell: the real file behind a library
// name and its symlinks, for BLASName.
func mappedFile(addr uintptr) string {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// start-end perms offset dev inode path
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || !strings.HasPrefix(fields[5], "/") {
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		if uint64(addr) >= start && uint64(addr) < end {
			return strings.Join(fields[5:], " ")
		}
	}
	return ""
}
