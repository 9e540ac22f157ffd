package main

import (
	"context"
	"errors"
)

func benchCmd(ctx context.Context, args []string) error {
	return errors.New("bench: the suite runner is not written yet")
}
