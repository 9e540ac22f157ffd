package main

import (
	"bytes"
	"os"
	"testing"
)

// The committed kernels/cpu/philox_amd64.s is what the generator writes
// (regenerate with go generate ./kernels/cpu).
func TestGeneratedFileUpToDate(t *testing.T) {
	have, err := os.ReadFile("../../philox_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, generate()) {
		t.Error("kernels/cpu/philox_amd64.s differs from what internal/philoxgen writes: run go generate ./kernels/cpu")
	}
}
