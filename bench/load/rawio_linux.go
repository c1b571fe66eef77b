package load

import (
	"syscall"
	"unsafe"
)

// rawRead and rawWrite are read(2) and write(2) on a non-blocking socket,
// made without the runtime's system call bookkeeping (which wakes the
// runtime's monitor thread when the process was idle, as a load generator
// waiting for its answers mostly is): they never block.
func rawRead(fd uintptr, p []byte) (int, syscall.Errno) {
	return rawIO(syscall.SYS_READ, fd, p)
}

func rawWrite(fd uintptr, p []byte) (int, syscall.Errno) {
	return rawIO(syscall.SYS_WRITE, fd, p)
}

func rawIO(trap, fd uintptr, p []byte) (int, syscall.Errno) {
	if len(p) == 0 {
		return 0, 0
	}
	for {
		n, _, e := syscall.RawSyscall(trap, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return int(n), 0
	}
}

// rawSupported reports whether rawRead and rawWrite are real.
const rawSupported = true
