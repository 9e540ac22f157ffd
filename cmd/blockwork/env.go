package main

import (
	"fmt"
	"os"

	"github.com/blockwork-dev/blockwork/array/storage"
)

// configureS3 gives s3:// URLs (Zarr and .npy readers and writers) the
// client the usual AWS variables describe: AWS_ENDPOINT_URL (default AWS
// itself), AWS_REGION or AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. Without any of them
// s3:// URLs stay unconfigured and fail with an error saying so.
func configureS3() error {
	cfg := storage.S3Config{
		Endpoint:     os.Getenv("AWS_ENDPOINT_URL"),
		Region:       os.Getenv("AWS_REGION"),
		AccessKey:    os.Getenv("AWS_ACCESS_KEY_ID"),
		SecretKey:    os.Getenv("AWS_SECRET_ACCESS_KEY"),
		SessionToken: os.Getenv("AWS_SESSION_TOKEN"),
	}
	if cfg.Region == "" {
		cfg.Region = os.Getenv("AWS_DEFAULT_REGION")
	}
	if cfg.Endpoint == "" && cfg.AccessKey == "" {
		return nil
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = "https://s3.amazonaws.com"
	}
	if err := storage.ConfigureS3(cfg); err != nil {
		return fmt.Errorf("S3 from the AWS_* variables: %w", err)
	}
	return nil
}
