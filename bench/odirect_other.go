//go:build !linux

package bench

// oDirect: no O_DIRECT here (not in package syscall outside Linux), so
// diskRead goes through the page cache and its ceiling is optimistic
// for a store read before.
const oDirect = 0
