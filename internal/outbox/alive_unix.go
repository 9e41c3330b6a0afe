//go:build unix

package outbox

import (
	"errors"
	"syscall"
)

// processAlive reports whether a process with pid exists on this host.
// known is false when the answer cannot be had.
func processAlive(pid int) (known, alive bool) {
	if pid <= 0 {
		return false, false
	}
	err := syscall.Kill(pid, 0)
	switch {
	case err == nil, errors.Is(err, syscall.EPERM):
		return true, true
	case errors.Is(err, syscall.ESRCH):
		return true, false
	}
	return false, false
}
