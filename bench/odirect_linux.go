package bench

import "syscall"

// oDirect opens a file past the page cache (diskRead).
const oDirect = syscall.O_DIRECT
