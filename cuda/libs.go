package cuda

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// LibConfig says where to look for the CUDA libraries opened at run time.
// The zero value searches the loader's path, /usr/local/cuda/lib64 and the
// pip wheel layouts under the usual site-packages directories.
type LibConfig struct {
	// Dir is searched first (cmd/blockwork reads it from
	// BLOCKWORK_CUDA_LIB_DIR).
	Dir string
	// SitePackages are more Python site-packages directories to search
	// for NVIDIA's wheels (a virtualenv's, say).
	SitePackages []string
}

// libVersions are the sonames tried, newest first.
var libVersions = []string{"13", "12", "11", "11.2", "10"}

// wheelDirs are the library directories of NVIDIA's pip wheels, relative to
// site-packages, for a library (CUDA 13 puts everything in cu13/lib).
var wheelDirs = map[string][]string{
	"nvrtc":  {"nvidia/cu13/lib", "nvidia/cuda_nvrtc/lib"},
	"cublas": {"nvidia/cu13/lib", "nvidia/cublas/lib"},
}

// sitePackageGlobs are where Python installs wheels on Linux.
var sitePackageGlobs = []string{
	"/usr/local/lib/python3*/dist-packages",
	"/usr/local/lib/python3*/site-packages",
	"/usr/lib/python3/dist-packages",
	"/usr/lib/python3*/site-packages",
	"/opt/conda/lib/python3*/site-packages",
}

// candidates lists the paths tried for library lib ("nvrtc", "cublas"),
// in order: each soname in cfg.Dir, then each soname as a bare name (the
// loader's own search), then /usr/local/cuda/lib64, then the wheel
// directories of each site-packages directory.
func candidates(lib string, cfg LibConfig, sitePackages []string) []string {
	names := make([]string, 0, len(libVersions)+1)
	for _, v := range libVersions {
		names = append(names, "lib"+lib+".so."+v)
	}
	names = append(names, "lib"+lib+".so")
	var out []string
	dirs := func(ds ...string) {
		for _, d := range ds {
			for _, n := range names {
				out = append(out, filepath.Join(d, n))
			}
		}
	}
	if cfg.Dir != "" {
		dirs(cfg.Dir)
	}
	out = append(out, names...)
	dirs("/usr/local/cuda/lib64")
	for _, sp := range append(append([]string(nil), cfg.SitePackages...), sitePackages...) {
		for _, w := range wheelDirs[lib] {
			dirs(filepath.Join(sp, w))
		}
	}
	return out
}

// systemSitePackages expands sitePackageGlobs.
func systemSitePackages() []string {
	var out []string
	for _, g := range sitePackageGlobs {
		m, _ := filepath.Glob(g)
		out = append(out, m...)
	}
	return out
}

// openLibrary opens the first candidate of lib that loads and has every
// symbol in syms.
func openLibrary(lib string, cfg LibConfig, syms []string) (*dynLib, error) {
	var tried []string
	for _, path := range candidates(lib, cfg, systemSitePackages()) {
		if strings.Contains(path, "/") && !fileExists(path) {
			continue
		}
		l, err := dlopen(path)
		if err != nil {
			tried = append(tried, err.Error())
			continue
		}
		if err := l.resolve(syms); err != nil {
			tried = append(tried, err.Error())
			l.close()
			continue
		}
		return l, nil
	}
	if len(tried) == 0 {
		tried = append(tried, "no candidate file exists")
	}
	return nil, fmt.Errorf("%w: lib%s (%s)", ErrNoLibrary, lib, strings.Join(tried, "; "))
}

var errNoCgo = errors.New("cuda: run-time libraries need cgo")
