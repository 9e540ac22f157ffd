//go:build !linux

package bench

import "syscall"

// workerAttr: no parent-death signal outside Linux; Close stops the
// workers.
func workerAttr() *syscall.SysProcAttr { return nil }
