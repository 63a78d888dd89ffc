package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/syncbuf"
)

// openPTY opens a pseudo-terminal pair: the binary sees a terminal on the
// follower end, as a person's shell would give it.
func openPTY(t *testing.T) (leader, follower *os.File) {
	t.Helper()
	leader, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, leader.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		leader.Close()
		t.Skipf("unlock pseudo-terminal: %v", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, leader.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		leader.Close()
		t.Skipf("pseudo-terminal number: %v", e)
	}
	follower, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		leader.Close()
		t.Skipf("open pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { leader.Close(); follower.Close() })
	return leader, follower
}

// Ctrl-C at apply's confirmation prompt ends the run at once, with
// nothing sent (it used to wait for the answer regardless).
func TestInterruptAtConfirmationAborts(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 3})
	dir := t.TempDir()
	writeFile(t, dir, "m.csv", "op,username,name\nupdate_user,user00001,Changed\n")
	_, tty := openPTY(t)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := batchCmd(ctx, emu, dir, "apply", "m.csv", "--limits", "none", "--run-id", "prompt")
	var stderr syncbuf.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, &bytes.Buffer{}, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(stderr.String(), "Type yes to continue") {
		if ctx.Err() != nil {
			t.Fatalf("no prompt:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("Ctrl-C at the prompt did not end the run:\n%s", stderr.String())
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != int(exitStopped) {
		t.Fatalf("exit %v, want %d\n%s", err, exitStopped, stderr.String())
	}
	if !strings.Contains(stderr.String(), "nothing was sent") {
		t.Errorf("stderr does not say nothing was sent:\n%s", stderr.String())
	}
	if n := len(emu.Requests()) + emu.TokenRequests(); n != 0 {
		t.Errorf("%d requests sent after an interrupted confirmation", n)
	}
}
