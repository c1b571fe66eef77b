//go:build linux

package store

import "syscall"

// mapMem maps n bytes of zeroed anonymous memory, asking for huge pages
// (transparent huge pages in "madvise" mode only back regions that ask).
// It returns nil if the mapping fails.
func mapMem(n int) []byte {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil
	}
	_ = syscall.Madvise(b, syscall.MADV_HUGEPAGE) // advice: without it, 4 KiB pages
	return b
}

func unmapMem(b []byte) { _ = syscall.Munmap(b) }
