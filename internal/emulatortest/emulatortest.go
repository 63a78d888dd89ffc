// Package emulatortest starts the emulator for a package's tests and
// gives the connection settings that point at it: the setup the tests of
// apply, export and runner share.
package emulatortest

import (
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/emulator"
)

// Start serves an emulator of cfg on a loopback port until the test ends
// and returns it with the settings its environment gives (no profile
// file), env overriding any variable of that environment.
func Start(t *testing.T, cfg emulator.Config, env ...string) (*emulator.Server, client.Settings) {
	t.Helper()
	emu, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	vars := map[string]string{}
	for _, kv := range append(emu.Env(), env...) {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	settings, err := client.LoadSettings(func(k string) (string, bool) { v, ok := vars[k]; return v, ok }, "")
	if err != nil {
		t.Fatal(err)
	}
	return emu, settings
}
