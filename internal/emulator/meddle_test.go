package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/uipath-batch/batch/internal/syncbuf"
)

// The second administrator changes every robot's settings, local group,
// robot account and user once, after the N-th API request (token
// requests do not count), and says so once on the log.
func TestSecondAdministratorMeddles(t *testing.T) {
	var log syncbuf.Buffer
	seed := writeSeed(t, `users: [{userName: nameless, email: nameless@example.com}]
groups: [{id: 7a0c0d3e-1111-4c1a-9b7e-000000000010, name: Sales}]
robotAccounts: [{name: quiet}]
orchestratorUsers: [{id: 4001, userName: human}]
`)
	h := startServer(t, Config{Users: 3, Robots: 2, SeedFile: seed, MeddleAfter: 3, Log: &log})
	before := h.srv.Snapshot()
	tok := h.token(t)
	h.token(t) // token requests do not count
	u := before.Users[0]
	get := func() string {
		resp, body := h.do(t, http.MethodGet, h.identity("/api/User/"+u.ID), tok, "")
		wantStatus(t, resp, body, http.StatusOK)
		return string(body)
	}
	if got := get(); !strings.Contains(got, `"name":"`+u.Name+`"`) {
		t.Fatalf("request 1: %s", got)
	}
	resp, body := h.do(t, http.MethodGet, h.identity("/api/Nothing"), tok, "") // unresolved, still an API request
	wantStatus(t, resp, body, http.StatusNotFound)
	if h.srv.Meddled() != nil || log.String() != "" {
		t.Fatal("meddled before the third request")
	}
	// The third request is answered from the state before; the change is
	// there once its answer is.
	if got := get(); !strings.Contains(got, `"name":"`+u.Name+`"`) {
		t.Fatalf("request 3 saw the change: %s", got)
	}
	if got := get(); !strings.Contains(got, `"name":"`+u.Name+` (edited)"`) {
		t.Fatalf("request 4 does not see the change: %s", got)
	}

	after := h.srv.Snapshot()
	for i, o := range after.OrchestratorUsers {
		b := before.OrchestratorUsers[i]
		if b.UnattendedRobot == nil {
			if o.UnattendedRobot != nil || !o.LastModificationTime.Equal(b.LastModificationTime) {
				t.Fatalf("a user without a robot changed: %+v", o)
			}
			continue
		}
		ur := o.UnattendedRobot
		if ur.ExecutionSettings["LoggingLevel"] != "Verbose" || ur.ExecutionSettings["MeddledBy"] != "other-admin" ||
			ur.LimitConcurrentExecution == b.UnattendedRobot.LimitConcurrentExecution || !o.LastModificationTime.After(b.LastModificationTime) ||
			h.srv.RobotPasswordOf(o.ID) != InitialRobotPassword(i+1) {
			t.Fatalf("robot %d after meddling: %+v", o.ID, ur)
		}
	}
	for i, g := range after.Groups {
		want := before.Groups[i].Name
		if !builtInGroups[g.ID] {
			want += " (renamed)"
		}
		if g.Name != want {
			t.Fatalf("group %s named %q, want %q", g.ID, g.Name, want)
		}
	}
	for i, r := range after.RobotAccounts {
		want := before.RobotAccounts[i].DisplayName + " (edited)"
		if r.DisplayName != want || !r.LastModificationTime.After(before.RobotAccounts[i].LastModificationTime) {
			t.Fatalf("robot account %s: %+v, want %q", r.Name, r, want)
		}
	}
	for i, u := range after.Users {
		b := before.Users[i]
		want := b.Name + " (edited)"
		if b.Name == "" {
			want = "Edited"
		}
		if u.Name != want || !u.LastModificationTime.After(b.LastModificationTime) || u.PasswordSHA256 != b.PasswordSHA256 {
			t.Fatalf("user %s: %q, want %q", u.UserName, u.Name, want)
		}
	}

	m := h.srv.Meddled()
	if !slices.Equal(h.srv.Snapshot().Meddled, m) {
		t.Fatal("the state snapshot does not hold the meddles")
	}
	// 2 generated robots × 3 fields, Finance and Sales, 3 robot accounts, 4 users.
	if len(m) != 6+2+3+4 {
		t.Fatalf("%d meddles: %+v", len(m), m)
	}
	if m[0] != (Meddle{"orchestratorUser", "1001", "UnattendedRobot.ExecutionSettings.LoggingLevel", "Verbose"}) ||
		m[2] != (Meddle{"orchestratorUser", "1001", "UnattendedRobot.LimitConcurrentExecution", true}) ||
		m[6] != (Meddle{"group", GroupFinance, "name", "Finance (renamed)"}) ||
		m[len(m)-1] != (Meddle{"user", after.Users[3].ID, "name", "Edited"}) {
		t.Fatalf("meddles %+v", m)
	}
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "after API request 3") || !strings.Contains(lines[0], "4 user names") {
		t.Fatalf("log %q", log.String())
	}

	// Once only.
	for range 5 {
		get()
	}
	if len(h.srv.Meddled()) != len(m) || strings.Count(log.String(), "\n") != 1 {
		t.Fatal("meddled again")
	}
	if u2, _ := h.srv.User(u.ID); u2.Name != u.Name+" (edited)" {
		t.Fatalf("name after more requests %q", u2.Name)
	}
}

// The second administrator meddles while other requests are in flight,
// without a race (run with -race), and exactly once.
func TestSecondAdministratorMeddlesUnderLoad(t *testing.T) {
	h := startServer(t, Config{Users: 200, Robots: 20, MeddleAfter: 50})
	tok := h.token(t)
	users := h.srv.Users()
	// send is h.do for a goroutine other than the test's: it reports a
	// failure instead of stopping the test.
	send := func(method, u, body string) error {
		req, err := http.NewRequest(method, u, strings.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := h.client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s %s: status %d", method, u, resp.StatusCode)
		}
		return nil
	}
	errs := make(chan error, 8*25)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				u := users[(w*25+i)%len(users)]
				switch i % 4 {
				case 0:
					errs <- send(http.MethodPut, h.identity("/api/User/"+u.ID), `{"surname":"S"}`)
				case 1:
					errs <- send(http.MethodGet, h.identity("/api/User/users/"+DefaultPartitionID+"?top=50&sortBy=Id"), "")
				case 2:
					errs <- send(http.MethodPatch, h.orchestrator("/odata/Users(1001)"), `{"Name":"n"}`)
				default:
					errs <- send(http.MethodGet, h.identity("/api/Group/"+DefaultPartitionID), "")
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := len(h.srv.Meddled()); got != 20*3+1+20+200 {
		t.Fatalf("%d meddles", got)
	}
	for _, u := range h.srv.Users() {
		if strings.Count(u.Name, "(edited)") != 1 {
			t.Fatalf("user %s named %q", u.UserName, u.Name)
		}
	}
}

// Without MeddleAfter nobody meddles; a negative one is refused.
func TestNoMeddlingByDefault(t *testing.T) {
	h := startServer(t, Config{Users: 1})
	tok := h.token(t)
	for range 3 {
		h.do(t, http.MethodGet, h.identity("/api/User/users/"+DefaultPartitionID), tok, "")
	}
	if h.srv.Meddled() != nil || strings.Contains(h.srv.Users()[0].Name, "edited") {
		t.Fatal("meddled without MeddleAfter")
	}
	if _, err := New(Config{MeddleAfter: -1}); err == nil {
		t.Fatal("a negative MeddleAfter was accepted")
	}
}
