package storage_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blockwork-dev/blockwork/array/storage"
)

// A store is opened from its URL (here a local directory; "s3://bucket/prefix"
// after storage.ConfigureS3), written and read by key.
func Example() {
	tmp, err := os.MkdirTemp("", "storage-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(tmp)

	ctx := context.Background()
	s, err := storage.Open(filepath.Join(tmp, "arr.zarr"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, k := range []string{".zarray", "0.0", "0.1"} {
		if err := s.Put(ctx, k, []byte("bytes of "+k)); err != nil {
			fmt.Println(err)
			return
		}
	}
	keys, _ := s.List(ctx, "0.")
	part, _ := s.GetRange(ctx, "0.1", 9, 3)
	_, err = s.Get(ctx, "1.0")
	fmt.Println(keys, string(part), errors.Is(err, storage.ErrNotFound))
	// Output: [0.0 0.1] 0.1 true
}
