//go:build !linux

package s3test

import (
	"errors"

	"github.com/blockwork-dev/blockwork/array/storage"
)

type server struct{ cfg storage.S3Config }

func (s *server) stop() {}

// Binary is the MinIO server's path (Linux only).
func Binary() (string, error) { return "", errors.New("s3test runs MinIO on Linux only") }

func start() (*server, error) { return nil, errors.New("s3test runs MinIO on Linux only") }
