// Package cpuprofile writes a pprof CPU profile of a whole command.
package cpuprofile

import (
	"os"
	"runtime/pprof"
)

// Profile is a CPU profile being written.
type Profile struct{ file *os.File }

// Start starts writing a CPU profile to path.
func Start(path string) (*Profile, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return &Profile{file: f}, nil
}

// Stop ends the profile and closes its file: a profile not stopped is
// empty. Stopping a nil or stopped Profile does nothing.
func (p *Profile) Stop() error {
	if p == nil || p.file == nil {
		return nil
	}
	pprof.StopCPUProfile()
	err := p.file.Close()
	p.file = nil
	return err
}
