package main

import (
	"syscall"
	"time"
)

// selfCPU is the CPU time this process has used so far: in the scenarios
// that run the emulator here, mostly the emulator's.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
