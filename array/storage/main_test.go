package storage_test

import (
	"os"
	"testing"

	"github.com/blockwork-dev/blockwork/array/storage/s3test"
)

func TestMain(m *testing.M) {
	code := m.Run()
	s3test.Stop()
	os.Exit(code)
}
