package arrowio

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
)

// A (rows, 0) array has no Parquet representation (a file without
// columns keeps no rows and ReadParquet cannot read it back): the write
// is an error and leaves no file, instead of a file that reads back as
// an error.
func TestWriteParquetNoColumns(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	p := filepath.Join(dir, "e.parquet")
	err := WriteParquet(ctx, array.FromSlice([]float64{}, []int{4, 0}), p)
	if err == nil || !strings.Contains(err.Error(), "no columns") {
		t.Fatalf("WriteParquet of shape (4, 0): %v, want an error about no columns", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("files left behind: %v", ents)
	}
}
