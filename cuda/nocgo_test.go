//go:build !cgo

package cuda

import (
	"errors"
	"testing"
)

func TestLibrariesNeedCgo(t *testing.T) {
	if _, err := OpenNVRTC(LibConfig{}); !errors.Is(err, errNoCgo) {
		t.Fatalf("OpenNVRTC without cgo: %v", err)
	}
	if _, err := OpenCUBLAS(LibConfig{}); !errors.Is(err, errNoCgo) {
		t.Fatalf("OpenCUBLAS without cgo: %v", err)
	}
}
