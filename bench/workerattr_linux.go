package bench

import "syscall"

// workerAttr makes a worker process die with the thread that started it
// (StartCluster keeps that thread for the cluster's life).
func workerAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
