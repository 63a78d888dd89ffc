package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/secret"
)

func TestOrchestratorUsersGetAndFind(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		s := startEmulator(t, emulator.Config{Robots: 3, SpecShapes: spec})
		c := newTestClient(t, s)
		ctx := testContext(t)

		u, err := c.OrchestratorUsers.Get(ctx, 1002)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if u.ID != 1002 || u.UserName != "robot-002" || u.Type != "Robot" || u.UnattendedRobot == nil {
			t.Fatalf("Get = %+v", u)
		}
		r := u.UnattendedRobot
		if r.UserName != `CORP\svc-robot-002` || r.CredentialType != "Default" || r.RobotID != 5002 || r.ExecutionSettings["LoggingLevel"] != "Information" {
			t.Fatalf("UnattendedRobot = %+v", r)
		}
		found, err := c.OrchestratorUsers.FindByUserName(ctx, "robot-003")
		if err != nil || found.ID != 1003 {
			t.Fatalf("FindByUserName = %+v, %v", found, err)
		}
		if _, err := c.OrchestratorUsers.FindByUserName(ctx, "o'brien"); KindOf(err) != KindNotFound {
			t.Fatalf("FindByUserName with a quote = %v, want not_found", err)
		}
		if _, err := c.OrchestratorUsers.Get(ctx, 999999); KindOf(err) != KindNotFound {
			t.Fatalf("Get of unknown key = %v, want not_found", err)
		}
	})
}

func TestSetUnattendedCredentialsKeepsTheRest(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		s := startEmulator(t, emulator.Config{Robots: 2, SpecShapes: spec})
		rec := &recorder{base: http.DefaultTransport}
		c := newTestClient(t, s, withHTTPClient(&http.Client{Transport: rec}))
		ctx := testContext(t)

		u, err := c.OrchestratorUsers.SetUnattendedCredentials(ctx, 1001, UnattendedCredentials{
			UserName: `CORP\svc-robot-001b`, Password: secret.New("Robot-Rotated-Pass-1"),
		})
		if err != nil {
			t.Fatalf("SetUnattendedCredentials: %v", err)
		}
		if u.UnattendedRobot.UserName != `CORP\svc-robot-001b` {
			t.Fatalf("returned robot %+v", u.UnattendedRobot)
		}
		if s.RobotPasswordOf(1001) != "Robot-Rotated-Pass-1" {
			t.Fatal("Orchestrator's robot password not set")
		}
		var after emulator.OrchestratorUser
		for _, ou := range s.OrchestratorUsers() {
			if ou.ID == 1001 {
				after = ou
			}
		}
		ur := after.UnattendedRobot
		if ur == nil || ur.UserName != `CORP\svc-robot-001b` || ur.CredentialType != "Default" || ur.RobotID != 5001 || ur.ExecutionSettings["LoggingLevel"] != "Information" {
			t.Fatalf("server robot after PATCH: %+v", ur)
		}
		if s.CountFor("PUT", "/odata/Users({key})") != 0 || s.CountFor("PATCH", "/odata/Users({key})") != 1 {
			t.Fatal("credentials not set with exactly one PATCH")
		}
		patch := rec.find("PATCH")
		if patch == nil || strings.Contains(strings.SplitN(patch.body, `"UnattendedRobot"`, 2)[0], "Password") {
			t.Fatalf("PATCH body sends a top-level Password or is missing")
		}
		// With an empty user name only the password changes.
		if _, err := c.OrchestratorUsers.SetUnattendedCredentials(ctx, 1002, UnattendedCredentials{Password: secret.New("Other-Pass-22")}); err != nil {
			t.Fatal(err)
		}
		for _, ou := range s.OrchestratorUsers() {
			if ou.ID == 1002 && ou.UnattendedRobot.UserName != `CORP\svc-robot-002` {
				t.Fatalf("user name changed: %+v", ou.UnattendedRobot)
			}
		}
	})
}

func TestOrchestratorWithoutRoleIsForbiddenNotAuthFailure(t *testing.T) {
	app := emulator.DefaultClient()
	app.OrchestratorRole = false
	s := startEmulator(t, emulator.Config{Robots: 1, Clients: []emulator.ClientApp{app}})
	c := newTestClient(t, s)
	_, err := c.OrchestratorUsers.Get(testContext(t), 1001)
	e, ok := AsError(err)
	if !ok || e.Code != CodeABPNotAuthorized || e.Kind() != KindForbidden || IsAuthFailure(err) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(e.Error(), "Orchestrator role") {
		t.Fatalf("message does not explain the missing role: %s", e)
	}
}

func TestFolderHeader(t *testing.T) {
	s := startEmulator(t, emulator.Config{Robots: 1})
	rec := &recorder{base: http.DefaultTransport}
	st := settingsFor(t, s, "UIPATH_FOLDER_ID=77")
	c, err := New(testContext(t), st, withHTTPClient(&http.Client{Transport: rec}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.OrchestratorUsers.Get(testContext(t), 1001); err != nil {
		t.Fatal(err)
	}
	if got := rec.find("GET").header.Get("X-UIPATH-OrganizationUnitId"); got != "77" {
		t.Fatalf("X-UIPATH-OrganizationUnitId = %q", got)
	}
}

// recorded is one request as it left the client.
type recorded struct {
	method string
	url    string
	header http.Header
	body   string
}

// recorder is a RoundTripper that keeps a copy of every request.
type recorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	reqs []recorded
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body string
	if req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			b := new(strings.Builder)
			_, _ = copyAll(b, rc)
			body = b.String()
		}
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, recorded{req.Method, req.URL.String(), req.Header.Clone(), body})
	r.mu.Unlock()
	return r.base.RoundTrip(req)
}

func (r *recorder) all() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}

func (r *recorder) find(method string) *recorded {
	for _, q := range r.all() {
		if q.method == method && !strings.HasSuffix(q.url, "/connect/token") {
			return &q
		}
	}
	return nil
}

const orchestratorSeed = `orchestratorUsers:
  - id: 3001
    userName: "o'brien"
    name: Pat
    type: User
  - id: 3002
    userName: robot-rich
    type: Robot
    unattendedRobot:
      userName: 'CORP\svc-rich'
      password: Rich-Pass-1
      credentialType: SmartCard
      executionSettings: {LoggingLevel: Verbose, MaxRetries: 12345678901234, Nested: {a: true}}
      limitConcurrentExecution: true
      robotId: 7002
`

func TestOrchestratorSeededUsers(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		seed := writeFile(t, "seed.yaml", orchestratorSeed, 0o600)
		s := startEmulator(t, emulator.Config{SeedFile: seed, SpecShapes: spec})
		c := newTestClient(t, s)
		ctx := testContext(t)

		u, err := c.OrchestratorUsers.FindByUserName(ctx, "o'brien")
		if err != nil || u.ID != 3001 || u.UnattendedRobot != nil {
			t.Fatalf("FindByUserName(o'brien) = %+v, %v", u, err)
		}
		_, err = c.OrchestratorUsers.SetUnattendedCredentials(ctx, 3001, UnattendedCredentials{Password: secret.New("Any-Pass-123")})
		if !errors.Is(err, ErrNoUnattendedRobot) || KindOf(err) != KindValidation {
			t.Fatalf("credentials on a user without robot: %v", err)
		}
		if s.CountFor("PATCH", "/odata/Users({key})") != 0 {
			t.Fatal("PATCH sent for a user without robot")
		}

		if _, err := c.OrchestratorUsers.SetUnattendedCredentials(ctx, 3002, UnattendedCredentials{Password: secret.New("Rich-Pass-2")}); err != nil {
			t.Fatal(err)
		}
		after, err := c.OrchestratorUsers.Get(ctx, 3002)
		if err != nil {
			t.Fatal(err)
		}
		r := after.UnattendedRobot
		got, _ := json.Marshal(r.ExecutionSettings)
		if string(got) != `{"LoggingLevel":"Verbose","MaxRetries":12345678901234,"Nested":{"a":true}}` ||
			r.CredentialType != "SmartCard" || !r.LimitConcurrentExecution || r.RobotID != 7002 || r.UserName != `CORP\svc-rich` {
			t.Fatalf("robot after PATCH: %+v (settings %s)", r, got)
		}
		if s.RobotPasswordOf(3002) != "Rich-Pass-2" {
			t.Fatal("password not stored")
		}
	})
}

func TestUnattendedRobotKeepsUnknownFields(t *testing.T) {
	in := `{"UserName":"u","Password":null,"CredentialType":"Default","ExecutionSettings":{"x":1},"RobotId":5,"FutureField":{"k":[1,2]}}`
	var r UnattendedRobot
	if err := json.Unmarshal([]byte(in), &r); err != nil {
		t.Fatal(err)
	}
	pw := "p"
	out, _ := json.Marshal(r.wire(&pw))
	var m map[string]json.RawMessage
	_ = json.Unmarshal(out, &m)
	if string(m["FutureField"]) != `{"k":[1,2]}` || string(m["Password"]) != `"p"` || string(m["ExecutionSettings"]) != `{"x":1}` {
		t.Fatalf("wire = %s", out)
	}
	plain, _ := json.Marshal(r)
	if strings.Contains(string(plain), "Password") {
		t.Fatalf("marshalled robot has a password field: %s", plain)
	}
}

// All pages 2,500 users in three GETs (the last page known by the count),
// in key order; a user from the list has its credentials set with one
// PATCH and no GET, its robot sent back as listed.
func TestOrchestratorUsersAllThenSetWithoutReading(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		const n = 2500
		var b strings.Builder
		b.WriteString("orchestratorUsers:\n")
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, "  - {id: %d, userName: r%d, unattendedRobot: {userName: 'CORP\\svc-%d', credentialType: SmartCard, robotId: %d, executionSettings: {LoggingLevel: Verbose}}}\n", 20000+i, i, i, 70000+i)
		}
		s := startEmulator(t, emulator.Config{SeedFile: writeFile(t, "seed.yaml", b.String(), 0o600), SpecShapes: spec})
		c := newTestClient(t, s)
		ctx := testContext(t)

		var list []OrchestratorUser
		if err := c.OrchestratorUsers.All(ctx, func(u OrchestratorUser) error { list = append(list, u); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(list) != n || s.CountFor("GET", "/odata/Users") != 3 {
			t.Fatalf("All: %d users in %d GETs, want %d in 3", len(list), s.CountFor("GET", "/odata/Users"), n)
		}
		for i, u := range list {
			if u.ID != int64(20001+i) || u.UnattendedRobot == nil || u.UnattendedRobot.ExternalStore() != "" {
				t.Fatalf("user %d: %+v", i, u)
			}
		}
		if _, err := c.OrchestratorUsers.SetUnattendedCredentialsOf(ctx, list[1233], UnattendedCredentials{Password: secret.New("Listed-Pass-1234")}); err != nil {
			t.Fatal(err)
		}
		if s.CountFor("GET", "/odata/Users({key})") != 0 || s.CountFor("PATCH", "/odata/Users({key})") != 1 {
			t.Fatal("credentials of a listed user not set with exactly one PATCH and no GET")
		}
		after, err := c.OrchestratorUsers.Get(ctx, 21234)
		if err != nil {
			t.Fatal(err)
		}
		r := after.UnattendedRobot
		if s.RobotPasswordOf(21234) != "Listed-Pass-1234" || r.UserName != `CORP\svc-1234` || r.CredentialType != "SmartCard" || r.RobotID != 71234 || r.ExecutionSettings["LoggingLevel"] != "Verbose" {
			t.Fatalf("robot after PATCH: %+v", r)
		}
	})
}

// A listed user carries what access needs: whether it is active, its
// tenant roles, the Identity entity it stands for and its unattended
// robot.
func TestOrchestratorUsersCarryAccessFields(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		no := false
		s := startEmulator(t, emulator.Config{Robots: 1, SpecShapes: spec, SeedData: &emulator.SeedFile{
			Users: []emulator.SeedUser{{UserName: "jdoe", Email: "jane.doe@example.com"}},
			OrchestratorUsers: []emulator.SeedOrchestrator{{ID: 3001, UserName: "jdoe", Type: TypeDirectoryUser, IsActive: &no,
				RolesList: []string{"Allow to be Automation User"}}},
		}})
		c := newTestClient(t, s)
		byName := map[string]OrchestratorUser{}
		if err := c.OrchestratorUsers.All(testContext(t), func(u OrchestratorUser) error { byName[u.UserName] = u; return nil }); err != nil {
			t.Fatal(err)
		}
		robot, jdoe := byName["robot-001"], byName["jdoe"]
		if !robot.IsActive || !slices.Equal(robot.RolesList, []string{"Robot"}) || robot.DirectoryIdentifier != s.RobotAccounts()[0].ID ||
			!robot.MayHaveUnattendedSession || robot.UnattendedRobot == nil || robot.UnattendedRobot.CredentialType != "Default" {
			t.Fatalf("robot-001 %+v", robot)
		}
		if jdoe.IsActive || jdoe.Type != TypeDirectoryUser || jdoe.DirectoryIdentifier != s.Users()[0].ID ||
			!slices.Equal(jdoe.RolesList, []string{"Allow to be Automation User"}) || jdoe.UnattendedRobot != nil {
			t.Fatalf("jdoe %+v", jdoe)
		}
	})
}
