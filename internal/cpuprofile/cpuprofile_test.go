package cpuprofile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestStopWritesTheProfileOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cpu.prof")
	p, err := Start(path)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if err := p.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if st, err := os.Stat(path); err != nil || st.Size() == 0 {
		t.Fatalf("profile after Stop: %v, %v; want a non-empty file", st, err)
	}
	if err := p.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	if err := (*Profile)(nil).Stop(); err != nil {
		t.Errorf("Stop of no profile: %v", err)
	}
	// The profiler is free again.
	q, err := Start(filepath.Join(t.TempDir(), "again.prof"))
	if err != nil {
		t.Fatalf("Start after Stop: %v", err)
	}
	_ = q.Stop()
}

func TestStartFailsForAPathItCannotCreate(t *testing.T) {
	if p, err := Start(filepath.Join(t.TempDir(), "missing", "cpu.prof")); err == nil {
		_ = p.Stop()
		t.Fatal("Start in a missing folder succeeded")
	}
}
