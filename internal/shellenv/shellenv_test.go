package shellenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// What Exports writes, a shell reads back as the values given, whatever
// characters they hold; the file is private.
func TestExportsReadBackByAShell(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	values := []string{"plain", "", "it's", "a b", "$HOME", "x;y", `back\slash`}
	env := make([]string, len(values))
	for i, v := range values {
		env[i] = "V" + string(rune('A'+i)) + "=" + v
	}
	path := filepath.Join(t.TempDir(), "env")
	if err := WriteFile(path, Exports(env)); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("env file mode %v, want 0600", st.Mode().Perm())
	}
	for i, v := range values {
		out, err := exec.Command(sh, "-c", `. "$1"; printf %s "$V`+string(rune('A'+i))+`"`, "sh", path).Output()
		if err != nil || string(out) != v {
			t.Errorf("%q read back as %q (%v)", v, out, err)
		}
	}
	if Quote("a-b_c/d") != "a-b_c/d" {
		t.Errorf("a safe word is quoted: %s", Quote("a-b_c/d"))
	}
}
