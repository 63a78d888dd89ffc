package emulator

import (
	"bufio"
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// commandPackage is the binary whose `emulator` command is tested.
const commandPackage = "github.com/uipath-batch/batch/cmd/batch"

// buildBatch builds the binary; it skips the test when the command package
// does not build at the moment (it is shared with work in progress).
func buildBatch(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "batch")
	out, err := exec.Command("go", "build", "-o", bin, commandPackage).CombinedOutput()
	if err != nil {
		t.Skipf("%s does not build now:\n%s", commandPackage, out)
	}
	return bin
}

func TestEmulatorCommand(t *testing.T) {
	bin := buildBatch(t)
	statePath := filepath.Join(t.TempDir(), "state.json")
	cmd := exec.Command(bin, "emulator", "--listen", "127.0.0.1:0", "--users", "3", "--robots", "1", "--seed", "5", "--state-out", statePath)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	env := map[string]string{}
	lines := bufio.NewScanner(stdout)
	for len(env) < 6 && lines.Scan() {
		kv, ok := strings.CutPrefix(lines.Text(), "export ")
		if !ok {
			t.Fatalf("unexpected stdout line %q", lines.Text())
		}
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	if env["UIPATH_ORGANIZATION"] != DefaultOrg || env["UIPATH_CLIENT_ID"] != DefaultClientID || env["UIPATH_PARTITION_ID"] != DefaultPartitionID {
		t.Fatalf("printed env %v", env)
	}
	h := &harness{base: env["UIPATH_URI"], client: &http.Client{}}
	tok := h.tokenFor(t, env["UIPATH_CLIENT_ID"], env["UIPATH_CLIENT_SECRET"], "")
	resp, body := h.do(t, http.MethodGet, h.identity("/api/User/users/"+env["UIPATH_PARTITION_ID"]), tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	var page identityPage[userDTO]
	mustJSON(t, body, &page)
	if page.TotalCount != 3 {
		t.Fatalf("users %d", page.TotalCount)
	}
	resp, body = h.do(t, http.MethodPut, h.identity("/api/User/"+page.Results[0].ID), tok, `{"password":"Command-Pass-1"}`)
	wantStatus(t, resp, body, http.StatusOK)

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("emulator exited with %v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("emulator did not stop on SIGINT")
	}
	info, err := os.Stat(statePath)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("state file: %v %v", info, err)
	}
	data, _ := os.ReadFile(statePath)
	if !bytes.Contains(data, []byte(PasswordSHA256("Command-Pass-1"))) || bytes.Contains(data, []byte("Command-Pass-1")) {
		t.Fatal("state file does not hold the hashed password (or holds the plaintext)")
	}
	if strings.Contains(stderr.String(), "Command-Pass-1") {
		t.Fatal("a password reached stderr")
	}
}

func TestEmulatorCommandRefusesBadSettings(t *testing.T) {
	bin := buildBatch(t)
	for _, args := range [][]string{
		{"emulator", "--limits", "GET=lots"},
		{"emulator", "--listen", "0.0.0.0:0"},
		{"emulator", "--fault-rate", "2"},
		{"emulator", "--bulk-max", "-1"},
		{"emulator", "--meddle-after", "-1"},
	} {
		cmd := exec.Command(bin, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 2 {
			t.Fatalf("%v: exit %v, want 2; stderr %s", args, err, stderr.String())
		}
	}
}

func TestEmulatorCommandEnvOnly(t *testing.T) {
	bin := buildBatch(t)
	cmd := exec.Command(bin, "emulator", "--listen", "127.0.0.1:0", "--users", "1", "--robots", "0", "--env-only")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	lines := bufio.NewScanner(stdout)
	var got []string
	for len(got) < 6 && lines.Scan() {
		got = append(got, lines.Text())
	}
	if len(got) != 6 || !strings.HasPrefix(got[0], "export UIPATH_URI=http://127.0.0.1:") {
		t.Fatalf("stdout %q", got)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit %v", err)
	}
	if lines.Scan() || stderr.Len() != 0 {
		t.Fatalf("--env-only printed more: stdout %q stderr %q", lines.Text(), stderr.String())
	}
}

// --users 0 --robots 0 serves an empty organization, which the lifecycle
// endpoints fill; --bulk-max bounds their bulk requests.
func TestEmulatorCommandEmptyOrganizationAndBulkMax(t *testing.T) {
	bin := buildBatch(t)
	statePath := filepath.Join(t.TempDir(), "state.json")
	cmd := exec.Command(bin, "emulator", "--listen", "127.0.0.1:0", "--users", "0", "--robots", "0", "--bulk-max", "2", "--env-only", "--state-out", statePath)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	env := map[string]string{}
	lines := bufio.NewScanner(stdout)
	for len(env) < 6 && lines.Scan() {
		k, v, _ := strings.Cut(strings.TrimPrefix(lines.Text(), "export "), "=")
		env[k] = v
	}
	h := &harness{base: env["UIPATH_URI"], client: &http.Client{}}
	tok := h.tokenFor(t, env["UIPATH_CLIENT_ID"], env["UIPATH_CLIENT_SECRET"], "")
	resp, body := h.do(t, http.MethodGet, h.identity("/api/User/users/"+DefaultPartitionID), tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	if !bytes.Contains(body, []byte(`"totalCount":0`)) {
		t.Fatalf("an empty organization lists users: %s", body)
	}
	create := func(emails ...string) (*http.Response, []byte) {
		var users []string
		for _, e := range emails {
			users = append(users, `{"email":"`+e+`"}`)
		}
		return h.do(t, http.MethodPost, h.identity("/api/User/BulkCreate"), tok, `{`+partitionJSON+`,"users":[`+strings.Join(users, ",")+`]}`)
	}
	resp, body = create("a@example.com", "b@example.com", "c@example.com")
	wantProblem(t, resp, body, "users", "at most 2 ids; this one carries 3")
	resp, body = create("a@example.com", "b@example.com")
	wantStatus(t, resp, body, http.StatusOK)
	resp, body = h.do(t, http.MethodPost, h.identity("/api/Group"), tok, `{`+partitionJSON+`,"name":"Migrated"}`)
	wantProblem(t, resp, body, "id", "The Id field is required.")
	resp, body = h.do(t, http.MethodPost, h.identity("/api/Group"), tok, `{`+partitionJSON+`,"id":"`+testGUID(1)+`","name":"Migrated"}`)
	wantStatus(t, resp, body, http.StatusCreated)

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit %v", err)
	}
	data, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatal(err)
	}
	var snap StateSnapshot
	mustJSON(t, data, &snap)
	if len(snap.Users) != 2 || len(snap.RobotAccounts) != 0 || len(snap.Groups) != 5 || snap.Groups[4].Name != "Migrated" {
		t.Fatalf("state: %d users, %d robots, groups %v", len(snap.Users), len(snap.RobotAccounts), snap.Groups)
	}
}

// --spec-shapes answers the definitions' shapes; --meddle-after N has a
// second administrator change the organization after N API requests,
// said in one line on stderr.
func TestEmulatorCommandSpecShapesAndMeddling(t *testing.T) {
	bin := buildBatch(t)
	cmd := exec.Command(bin, "emulator", "--listen", "127.0.0.1:0", "--users", "2", "--robots", "1", "--spec-shapes", "--meddle-after", "2")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	env := map[string]string{}
	lines := bufio.NewScanner(stdout)
	for len(env) < 6 && lines.Scan() {
		k, v, _ := strings.Cut(strings.TrimPrefix(lines.Text(), "export "), "=")
		env[k] = v
	}
	notes := bufio.NewScanner(stderr)
	if !notes.Scan() || !strings.Contains(notes.Text(), "with the published definitions' shapes") {
		t.Fatalf("status line %q", notes.Text())
	}
	h := &harness{base: env["UIPATH_URI"], client: &http.Client{}}
	tok := h.tokenFor(t, env["UIPATH_CLIENT_ID"], env["UIPATH_CLIENT_SECRET"], "")
	resp, body := h.do(t, http.MethodGet, h.identity("/api/User/users/"+DefaultPartitionID), tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	if !bytes.Contains(body, []byte(`"type":"user"`)) || bytes.Contains(body, []byte(`"category"`)) {
		t.Fatalf("not the definitions' shapes: %s", body)
	}
	resp, body = h.do(t, http.MethodPost, h.identity("/api/Group"), tok, `{`+partitionJSON+`,"name":"No id"}`)
	wantStatus(t, resp, body, http.StatusCreated)
	if !notes.Scan() || !strings.Contains(notes.Text(), "after API request 2 a second administrator changed 1 unattended robots' settings, 2 local group names, 1 robot account display names and 2 user names") {
		t.Fatalf("meddling line %q", notes.Text())
	}
	resp, body = h.do(t, http.MethodGet, h.identity("/api/Group/"+DefaultPartitionID), tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	if !bytes.Contains(body, []byte(`"name":"No id (renamed)"`)) {
		t.Fatalf("groups after meddling: %s", body)
	}
}
