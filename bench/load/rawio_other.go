//go:build !linux

package load

import "syscall"

// Elsewhere the client writes and reads through net.Conn alone.

func rawRead(fd uintptr, p []byte) (int, syscall.Errno)  { return 0, syscall.ENOSYS }
func rawWrite(fd uintptr, p []byte) (int, syscall.Errno) { return 0, syscall.ENOSYS }

const rawSupported = false
