//go:build !unix

package outbox

// processAlive cannot tell on this platform; the heartbeat lease decides.
func processAlive(pid int) (known, alive bool) { return false, false }
