package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"
	"gopkg.in/yaml.v3"

	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/emulator"
)

// docCommand is one command shown in README.md, examples/README.md or a
// command's help examples.
type docCommand struct {
	where string // file:line or "batch CMD --help"
	line  string
}

// docManifest is a manifest shown in a README's fenced csv or yaml block.
type docManifest struct {
	where, ext, text string
}

// readmeBlocks collects the commands of a README's indented code blocks
// and the manifests of its fenced csv and yaml blocks.
func readmeBlocks(t *testing.T, path, name string) ([]docCommand, []docManifest) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cmds []docCommand
	var manifests []docManifest
	lines := strings.Split(string(data), "\n")
	prevBlank := true
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if fence, ok := strings.CutPrefix(l, "```"); ok {
			start := i + 1
			var body []string
			for i++; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
				body = append(body, lines[i])
			}
			if fence == "csv" || fence == "yaml" {
				manifests = append(manifests, docManifest{fmt.Sprintf("%s:%d", name, start), fence, strings.Join(body, "\n") + "\n"})
			}
			prevBlank = false
			continue
		}
		if cmd, ok := strings.CutPrefix(l, "    "); ok && (prevBlank || len(cmds) > 0 && cmds[len(cmds)-1].where == fmt.Sprintf("%s:%d", name, i)) {
			cmds = append(cmds, docCommand{fmt.Sprintf("%s:%d", name, i+1), strings.TrimSpace(cmd)})
			continue
		}
		prevBlank = strings.TrimSpace(l) == ""
	}
	return cmds, manifests
}

// helpExamples collects every command of every command's help examples.
func helpExamples() []docCommand {
	var out []docCommand
	root, _ := newRootCmd(&streams{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard})
	all := append(root.Commands(), root)
	for _, c := range all {
		for _, l := range strings.Split(c.Example, "\n") {
			l = strings.TrimSpace(l)
			if l == "" || strings.HasPrefix(l, "#") {
				continue
			}
			out = append(out, docCommand{"batch " + c.Name() + " --help", l})
		}
	}
	return out
}

var exitComment = regexp.MustCompile(`#.*\bexit (\d)\b`)

// TestEveryDocumentedCommandRuns runs every command shown in README.md,
// examples/README.md and the help examples, as written, against the
// emulator, in a folder holding what the examples name: a copy of
// examples/, users.csv (exported), rotate.csv (a 60-row rotation),
// recipient.txt and key.txt (an age key pair), secrets.age (a 3-row
// rotation encrypted to it) and an interrupted run rotate-2026-11-22 to resume
// (RUN_ID in README.md). Commands that serve (the emulator) run until they
// print their environment, on a free port, then are interrupted; make
// targets are checked with make -n (they build into and test the checkout
// itself); interactive applies run in-process with a terminal that answers
// yes. A comment "exit N" on a line is the exit status it must end with.
func TestEveryDocumentedCommandRuns(t *testing.T) {
	root := repoRoot(t)
	emu := startEmulator(t, emulator.Config{Users: 200, Robots: 20})
	sandbox := t.TempDir()
	env := docEnv(t, emu, sandbox)
	setupDocSandbox(t, root, sandbox, env)

	var cmds []docCommand
	var manifests []docManifest
	for _, readme := range []string{"README.md", filepath.Join("examples", "README.md")} {
		c, m := readmeBlocks(t, filepath.Join(root, readme), readme)
		cmds, manifests = append(cmds, c...), append(manifests, m...)
	}
	cmds = append(cmds, helpExamples()...)
	if len(cmds) < 30 {
		t.Fatalf("found only %d documented commands", len(cmds))
	}
	for i := 0; i < len(cmds); i++ {
		c := cmds[i]
		want := 0
		if m := exitComment.FindStringSubmatch(c.line); m != nil {
			want, _ = strconv.Atoi(m[1])
		}
		switch {
		case strings.HasPrefix(c.line, "make "):
			target := strings.Fields(c.line)[1]
			out, err := exec.Command("make", "-n", "-C", root, target).CombinedOutput()
			if err != nil {
				t.Errorf("%s: %s: make -n: %v\n%s", c.where, c.line, err, out)
			}
		case strings.Contains(c.line, "--env-file emulator.env &"):
			// The background emulator and the line that sources its
			// environment run as one script.
			if i+1 >= len(cmds) || !strings.Contains(cmds[i+1].line, ". ./emulator.env") {
				t.Fatalf("%s: %s is not followed by the line sourcing emulator.env", c.where, c.line)
			}
			script := onFreePort(c.line) + "\n" + cmds[i+1].line + "\n" +
				// The file holds the client secret: 0600 while served, gone after.
				`code=0; batch export users > /dev/null || code=$?; ` +
				`[ "$(stat -c %a emulator.env)" = 600 ] || code=8; kill $!; wait; [ -e emulator.env ] && code=9; exit $code`
			i++
			runDocShell(t, c, script, sandbox, docEnvWithout(env, "UIPATH_"), 0)
		case strings.Contains(c.line, "age -d"):
			// The read-back must print the passwords recorded for secrets.age.
			runDocShell(t, c, "("+c.line+") | grep -q '^setup-age,3,'", sandbox, env, 0)
		case isServe(c.line):
			runServing(t, c, sandbox, env)
		case isInteractiveApply(c.line):
			runInteractive(t, c, sandbox, profileEnv(c.line, env), want)
		default:
			runDocShell(t, c, strings.ReplaceAll(c.line, "RUN_ID", "rotate-2026-11-22"), sandbox, profileEnv(c.line, env), want)
		}
	}
	checkIgnored(t, root, sandbox)
	for _, m := range manifests {
		if strings.HasPrefix(m.text, "profiles:") {
			checkProfileExample(t, m)
			continue
		}
		path := filepath.Join(sandbox, "snippet."+m.ext)
		if err := os.WriteFile(path, []byte(m.text), 0o600); err != nil {
			t.Fatal(err)
		}
		runDocShell(t, docCommand{m.where, "batch validate snippet." + m.ext}, "batch validate snippet."+m.ext, sandbox, env, 0)
	}
}

// docEnv is the environment documented commands run in: the emulator's
// settings, the binary on PATH as batch (and as bin/batch in the folder),
// and age (a stand-in that decrypts with the age library).
func docEnv(t *testing.T, emu *emulator.Server, sandbox string) []string {
	t.Helper()
	bin := filepath.Join(sandbox, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"batch": binPath, "age": self, "age-keygen": self} {
		if err := os.Symlink(target, filepath.Join(bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	return append([]string{"PATH=" + bin + ":" + os.Getenv("PATH"), "HOME=" + sandbox, "TMPDIR=" + os.TempDir()}, emu.Env()...)
}

// envValue is the value of key in env ("" when unset).
func envValue(env []string, key string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			return v
		}
	}
	return ""
}

func docEnvWithout(env []string, prefix string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, prefix) {
			out = append(out, kv)
		}
	}
	return out
}

// profileEnv is the environment of a documented command: one that names
// a profile runs without the emulator's UIPATH_* variables, which would
// override the profile (batch refuses that).
func profileEnv(line string, env []string) []string {
	if strings.Contains(line, "--profile") {
		return docEnvWithout(env, "UIPATH_")
	}
	return env
}

// checkProfileExample reads a README's example of ~/.uipath/config as
// batch reads the file: every profile it names loads, with a way to sign in.
func checkProfileExample(t *testing.T, m docManifest) {
	t.Helper()
	path := writeFile(t, t.TempDir(), "config", m.text)
	var f struct {
		Profiles []struct {
			Name string `yaml:"name"`
		} `yaml:"profiles"`
	}
	if err := yaml.Unmarshal([]byte(m.text), &f); err != nil || len(f.Profiles) == 0 {
		t.Fatalf("%s: the profile example does not parse: %v", m.where, err)
	}
	for _, p := range f.Profiles {
		s, err := client.LoadProfileSettings(func(string) (string, bool) { return "", false }, path, p.Name)
		if err == nil {
			err = s.Validate()
		}
		if err != nil || s.Organization == "" {
			t.Errorf("%s: profile %q: %v (organization %q)", m.where, p.Name, err, s.Organization)
		}
	}
}

// setupDocSandbox puts into the folder what the documented commands name.
func setupDocSandbox(t *testing.T, root, sandbox string, env []string) {
	t.Helper()
	examples := filepath.Join(sandbox, "examples")
	if err := os.CopyFS(examples, os.DirFS(filepath.Join(root, "examples"))); err != nil {
		t.Fatal(err)
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, sandbox, "key.txt", id.String()+"\n")
	writeFile(t, sandbox, "recipient.txt", id.Recipient().String()+"\n")
	writeFile(t, sandbox, "rotate.csv", rotationManifest(60))
	// The profiles the migration steps name (run without the emulator's
	// variables: see profileEnv).
	if err := os.MkdirAll(filepath.Join(sandbox, ".uipath"), 0o700); err != nil {
		t.Fatal(err)
	}
	var profiles strings.Builder
	profiles.WriteString("profiles:\n")
	for _, name := range []string{"old-org", "new-org"} {
		fmt.Fprintf(&profiles, "  - name: %s\n    uri: %s\n    organization: %s\n    tenant: %s\n    auth:\n      clientId: %s\n      clientSecret: %s\n",
			name, envValue(env, "UIPATH_URI"), envValue(env, "UIPATH_ORGANIZATION"), envValue(env, "UIPATH_TENANT"), envValue(env, "UIPATH_CLIENT_ID"), envValue(env, "UIPATH_CLIENT_SECRET"))
	}
	writeFile(t, sandbox, filepath.Join(".uipath", "config"), profiles.String())
	// A short one for secrets.age: the documented read-back starts age once
	// per line.
	writeFile(t, sandbox, "rotate-3.csv", rotationManifest(3))
	for _, script := range []string{
		"batch export users -o users.csv",
		"batch apply rotate-3.csv --yes --secrets-out secrets.age --age-recipient \"$(cat recipient.txt)\" --run-id setup-age",
	} {
		runDocShell(t, docCommand{"setup", script}, script, sandbox, env, 0)
	}
	// An interrupted run to resume, with settings of its own.
	cmd := exec.Command(binPath, "apply", "rotate.csv", "--yes", "--run-id", "rotate-2026-11-22", "--limits", "PUT=10/1s", "--workers", "2",
		"--secrets-out", "rotate-2026-11-22.age", "--age-recipient", id.Recipient().String(), "--no-progress")
	cmd.Dir, cmd.Env = sandbox, env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	waitLines(t, filepath.Join(sandbox, "reports", "rotate-2026-11-22", "results.jsonl"), 3, done)
	_ = cmd.Process.Signal(syscall.SIGINT)
	<-done
	if code := cmd.ProcessState.ExitCode(); code != 3 {
		t.Fatalf("setup: the run to resume exited %d, want 3\n%s", code, &out)
	}
}

// runDocShell runs a command line through sh in the folder.
func runDocShell(t *testing.T, c docCommand, script, dir string, env []string, want int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", script)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	code := exitCodeOf(err)
	if code != want {
		t.Errorf("%s: %s: exit %d, want %d\n%s", c.where, c.line, code, want, maskSecrets(out, env))
	}
}

// secretAssignment is a printed credential: the emulator prints its
// client secret among the export lines it starts with.
var secretAssignment = regexp.MustCompile(`(UIPATH_CLIENT_SECRET|UIPATH_PAT)=("[^"]*"|'[^']*'|\S+)`)

// maskSecrets hides the credentials a command's output may show (the
// environment's, and any printed as an assignment) before a failure
// prints it.
func maskSecrets(out []byte, env []string) string {
	text := secretAssignment.ReplaceAllString(string(out), "$1=***")
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if (k == "UIPATH_CLIENT_SECRET" || k == "UIPATH_PAT") && v != "" {
			text = strings.ReplaceAll(text, v, "***")
		}
	}
	return text
}

// isServe reports a command that serves until interrupted.
func isServe(line string) bool {
	f := strings.Fields(line)
	return len(f) > 1 && (f[0] == "batch" || f[0] == "bin/batch") && f[1] == "emulator" && !strings.Contains(line, "&")
}

// onFreePort makes an emulator command listen on a free port, leaving the
// rest as written (the later flag wins).
func onFreePort(line string) string {
	return strings.Replace(line, " emulator", " emulator --listen 127.0.0.1:0", 1)
}

// runServing starts an emulator command, waits for its environment, stops
// it with an interrupt, and checks it ends cleanly (and keeps its state
// when asked to).
func runServing(t *testing.T, c docCommand, dir string, env []string) {
	t.Helper()
	line, _, _ := strings.Cut(c.line, "#")
	cmd := exec.Command("sh", "-c", "exec "+onFreePort(line))
	cmd.Dir, cmd.Env = dir, env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	first, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(first, "export UIPATH_") {
		_ = cmd.Process.Kill()
		t.Fatalf("%s: %s: printed %q, %v\n%s", c.where, c.line, first, err, &stderr)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	_ = cmd.Process.Signal(syscall.SIGINT)
	if err := cmd.Wait(); err != nil {
		t.Errorf("%s: %s: %v\n%s", c.where, c.line, err, &stderr)
	}
	if _, file, ok := strings.Cut(line, "--state-out "); ok {
		if _, err := os.Stat(filepath.Join(dir, strings.Fields(file)[0])); err != nil {
			t.Errorf("%s: %s: no state file: %v", c.where, c.line, err)
		}
	}
}

// isInteractiveApply reports a plain apply that asks for confirmation.
func isInteractiveApply(line string) bool {
	line, _, _ = strings.Cut(line, "#")
	f := strings.Fields(line)
	return len(f) > 1 && (f[0] == "batch" || f[0] == "bin/batch") && f[1] == "apply" &&
		!strings.Contains(line, "--yes") && !strings.Contains(line, "--resume") && !strings.ContainsAny(line, "|&;<>$()\"'")
}

// runInteractive runs an apply in-process, as on a terminal whose person
// answers yes.
func runInteractive(t *testing.T, c docCommand, dir string, env []string, want int) {
	t.Helper()
	line, _, _ := strings.Cut(c.line, "#")
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "UIPATH_") {
			t.Setenv(k, "") // restored after the test
			_ = os.Unsetenv(k)
		}
	}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	t.Chdir(dir)
	var out, errOut bytes.Buffer
	io := &streams{In: strings.NewReader("yes\n"), Out: &out, ErrOut: &errOut, StdinTTY: true}
	code := run(strings.Fields(line)[1:], io)
	if int(code) != want || !strings.Contains(errOut.String(), "Type yes to continue") {
		t.Errorf("%s: %s: exit %d, want %d (after the confirmation prompt)\n%s%s", c.where, c.line, code, want, &out, &errOut)
	}
}

// TestSchedulingExamplesAreValid checks the scheduling examples: the
// systemd units with systemd-analyze verify (when it is installed), the
// CronJob as YAML, and the batch command line of each with batch's own
// flags.
func TestSchedulingExamplesAreValid(t *testing.T) {
	dir := filepath.Join(repoRoot(t), "examples", "schedule")
	checkBatchCommandLine(t, "batch-rotate.service", unitCommand(t, dir, "batch-rotate"))
	checkBatchCommandLine(t, "rotate-cronjob.k8s.yaml", cronJobCommand(t, filepath.Join(dir, "rotate-cronjob.k8s.yaml")))
}

// unitCommand checks the systemd units name.service and name.timer in dir
// (with systemd-analyze, when installed) and returns the shell line the
// service's ExecStart runs.
func unitCommand(t *testing.T, dir, name string) string {
	t.Helper()
	service := filepath.Join(dir, name+".service")
	if _, err := exec.LookPath("systemd-analyze"); err == nil {
		out, err := exec.Command("systemd-analyze", "verify", service, filepath.Join(dir, name+".timer")).CombinedOutput()
		if err != nil || len(bytes.TrimSpace(out)) > 0 {
			t.Errorf("systemd-analyze verify %s: %v\n%s", name, err, out)
		}
	} else {
		t.Log("systemd-analyze not installed: the units' syntax is not verified")
	}
	data, err := os.ReadFile(service)
	if err != nil {
		t.Fatal(err)
	}
	_, line, ok := strings.Cut(strings.ReplaceAll(string(data), "\\\n", " "), "ExecStart=/bin/sh -c '")
	if !ok {
		t.Fatalf("%s.service has no ExecStart running batch", name)
	}
	line, _, _ = strings.Cut(line, "'\n")
	return strings.ReplaceAll(line, "%%", "%")
}

// cronJobCommand reads a Kubernetes CronJob of one container and returns
// the shell line it runs (its one argument).
func cronJobCommand(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var job struct {
		Kind string `yaml:"kind"`
		Spec struct {
			JobTemplate struct {
				Spec struct {
					Template struct {
						Spec struct {
							Containers []struct {
								Command []string `yaml:"command"`
								Args    []string `yaml:"args"`
							} `yaml:"containers"`
						} `yaml:"spec"`
					} `yaml:"template"`
				} `yaml:"spec"`
			} `yaml:"jobTemplate"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(data, &job); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	containers := job.Spec.JobTemplate.Spec.Template.Spec.Containers
	if job.Kind != "CronJob" || len(containers) != 1 || len(containers[0].Args) != 1 {
		t.Fatalf("%s: kind %q, containers %+v", path, job.Kind, containers)
	}
	return containers[0].Args[0]
}

var shellSubst = regexp.MustCompile(`"[^"]*\$\([^)]*\)[^"]*"`)

// checkBatchCommandLine parses a scheduled "exec batch apply …" line with
// apply's own flags: a flag that does not exist, or a missing value, fails.
func checkBatchCommandLine(t *testing.T, where, line string) {
	t.Helper()
	line = shellSubst.ReplaceAllString(line, "VALUE")
	f := strings.Fields(line)
	for len(f) > 0 && f[0] != "apply" {
		f = f[1:]
	}
	if len(f) < 2 {
		t.Fatalf("%s: no batch apply command in %q", where, line)
	}
	root, _ := newRootCmd(&streams{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard})
	apply, _, err := root.Find([]string{"apply"})
	if err != nil {
		t.Fatal(err)
	}
	if err := apply.ParseFlags(f[1:]); err != nil {
		t.Errorf("%s: %v", where, err)
	}
	if args := apply.Flags().Args(); len(args) != 1 {
		t.Errorf("%s: apply takes one manifest, the command line gives %v", where, args)
	}
	for _, must := range []string{"yes", "log-format", "run-id", "secrets-out", "age-recipient"} {
		if !apply.Flags().Changed(must) {
			t.Errorf("%s: the scheduled run does not set --%s", where, must)
		}
	}
}

// ageShim stands in for the age command in documented shell lines: "age -d
// -i KEYFILE" decrypts standard input with the age library.
// ageKeygenShim stands for age-keygen in the documented commands: -o FILE
// writes a new identity (0600) as age-keygen does, -y FILE prints its
// recipient.
func ageKeygenShim() int {
	args := os.Args[1:]
	if len(args) != 2 || args[0] != "-o" && args[0] != "-y" {
		fmt.Fprintln(os.Stderr, "age-keygen stand-in: want -o FILE or -y FILE")
		return 2
	}
	if args[0] == "-y" {
		data, err := os.ReadFile(args[1])
		if err == nil {
			var ids []age.Identity
			if ids, err = age.ParseIdentities(bytes.NewReader(data)); err == nil {
				fmt.Println(ids[0].(*age.X25519Identity).Recipient())
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return 0
	}
	id, err := age.GenerateX25519Identity()
	if err == nil {
		err = os.WriteFile(args[1], []byte(fmt.Sprintf("# created: %s\n# public key: %s\n%s\n", time.Now().Format(time.RFC3339), id.Recipient(), id)), 0o600)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Fprintln(os.Stderr, "Public key:", id.Recipient())
	return 0
}

func ageShim() int {
	args := os.Args[1:]
	if len(args) != 3 || args[0] != "-d" || args[1] != "-i" {
		fmt.Fprintln(os.Stderr, "age stand-in: want -d -i KEYFILE")
		return 2
	}
	keys, err := os.Open(args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer keys.Close()
	ids, err := age.ParseIdentities(keys)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	r, err := age.Decrypt(os.Stdin, ids...)
	if err == nil {
		_, err = io.Copy(os.Stdout, r)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// checkIgnored checks that what the documented commands wrote into the
// folder (standing for a checkout) is ignored by the repository's
// .gitignore: the emulator's environment, secrets files, age keys,
// reports, exports.
func checkIgnored(t *testing.T, root, sandbox string) {
	t.Helper()
	inputs := map[string]bool{"examples": true, "rotate.csv": true, "rotate-3.csv": true, ".uipath": true}
	entries, err := os.ReadDir(sandbox)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, e := range entries {
		if inputs[e.Name()] {
			continue
		}
		name := e.Name()
		if e.IsDir() {
			name += "/"
		}
		checked++
		t.Logf("written by the documented steps: %s", name)
		if err := exec.Command("git", "-C", root, "check-ignore", "--no-index", "-q", name).Run(); err != nil {
			t.Errorf("%s, written by the documented steps, is not covered by .gitignore (%v)", name, err)
		}
	}
	if checked < 8 {
		t.Errorf("only %d files written by the documented steps: the check looked at the wrong folder", checked)
	}
}

// The CronJob's client secret, mounted as its volume says (defaultMode,
// with the group read bit the kubelet adds for fsGroup), is read: a run
// with it signs in; the same file readable by others is refused.
func TestCronJobSecretFileModeIsAccepted(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "examples", "schedule", "rotate-cronjob.k8s.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var job struct {
		Spec struct {
			JobTemplate struct {
				Spec struct {
					Template struct {
						Spec struct {
							SecurityContext struct {
								FSGroup *int `yaml:"fsGroup"`
							} `yaml:"securityContext"`
							Volumes []struct {
								Secret *struct {
									DefaultMode *int `yaml:"defaultMode"`
								} `yaml:"secret"`
							} `yaml:"volumes"`
						} `yaml:"spec"`
					} `yaml:"template"`
				} `yaml:"spec"`
			} `yaml:"jobTemplate"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(data, &job); err != nil {
		t.Fatal(err)
	}
	pod := job.Spec.JobTemplate.Spec.Template.Spec
	mode := os.FileMode(0o644) // the kubelet's default
	for _, v := range pod.Volumes {
		if v.Secret != nil && v.Secret.DefaultMode != nil {
			mode = os.FileMode(*v.Secret.DefaultMode)
		}
	}
	if pod.SecurityContext.FSGroup != nil {
		mode |= 0o040 // the group the kubelet gives the files may read them
	}
	emu := startEmulator(t, emulator.Config{Users: 2})
	for _, m := range []os.FileMode{mode, 0o644} {
		dir := t.TempDir()
		secretFile := filepath.Join(dir, "client-secret")
		if err := os.WriteFile(secretFile, []byte(emulator.DefaultClientSecret), m); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(secretFile, m); err != nil {
			t.Fatal(err)
		}
		writeFile(t, dir, "m.csv", "op,email,name\nupdate_user,user00001@example.com,Ann\n")
		cmd := batchCmd(context.Background(), emu, dir, "plan", "m.csv", "--limits", "none")
		env := cmd.Env[:0:0]
		for _, kv := range cmd.Env {
			if !strings.HasPrefix(kv, "UIPATH_CLIENT_SECRET=") {
				env = append(env, kv)
			}
		}
		cmd.Env = append(env, "UIPATH_CLIENT_SECRET_FILE="+secretFile)
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		if want := map[bool]int{true: 0, false: 2}[m == mode]; code != want {
			t.Errorf("secret file mode %04o: exit %d, want %d\n%s", m, code, want, out)
		}
	}
}

// The README's wait for the background emulator ends when the emulator
// cannot start (its port taken) instead of spinning forever.
func TestEmulatorWaitEndsWhenThePortIsTaken(t *testing.T) {
	t.Parallel()
	cmds, _ := readmeBlocks(t, filepath.Join(repoRoot(t), "README.md"), "README.md")
	i := slices.IndexFunc(cmds, func(c docCommand) bool { return strings.Contains(c.line, "--env-file emulator.env &") })
	if i < 0 || i+1 >= len(cmds) {
		t.Fatal("the README has no background emulator step")
	}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	start := strings.Replace(cmds[i].line, " emulator", " emulator --listen "+taken.Addr().String(), 1)
	sandbox := t.TempDir()
	env := docEnvWithout(docEnv(t, startEmulator(t, emulator.Config{}), sandbox), "UIPATH_")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", start+"\n"+cmds[i+1].line)
	cmd.Dir, cmd.Env = sandbox, env
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("the wait did not end with the port taken:\n%s", out)
	}
	if err == nil {
		t.Errorf("the steps succeeded with the emulator's port taken:\n%s", out)
	}
}
