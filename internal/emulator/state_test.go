package emulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestGeneratedTenantFollowsConventionsAndIsDeterministic(t *testing.T) {
	a, err := New(Config{Users: 25, Robots: 3, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New(Config{Users: 25, Robots: 3, Seed: 7})
	c, _ := New(Config{Users: 25, Robots: 3, Seed: 8})
	if !reflect.DeepEqual(a.Users(), b.Users()) || !reflect.DeepEqual(a.OrchestratorUsers(), b.OrchestratorUsers()) || !reflect.DeepEqual(a.RobotAccounts(), b.RobotAccounts()) {
		t.Fatal("same seed, different tenants")
	}
	if a.Users()[0].ID == c.Users()[0].ID {
		t.Fatal("different seeds, same ids")
	}
	users := a.Users()
	u10, u11 := users[9], users[10]
	if u10.UserName != "user00010" || u10.Email != "user00010@example.com" || u10.IsActive || !reflect.DeepEqual(u10.GroupIDs, []string{GroupEveryone}) {
		t.Fatalf("user 10: %+v", u10)
	}
	if !u11.IsActive || !reflect.DeepEqual(u11.GroupIDs, []string{GroupEveryone, GroupAutomationUsers}) || u11.DisplayName != u11.Name+" "+u11.Surname {
		t.Fatalf("user 11: %+v", u11)
	}
	if a.PasswordOf(users[0].ID) != "Initial-Pass-00001!" || !isGUID(users[0].ID) {
		t.Fatal("user 1 password or id")
	}
	r := a.RobotAccounts()[2]
	o := a.OrchestratorUsers()[2]
	if r.Name != "robot-003" || r.DisplayName != "Robot 003" || o.ID != 1003 || o.UserName != "robot-003" || o.Type != "Robot" {
		t.Fatalf("robot 3: %+v %+v", r, o)
	}
	if ur := o.UnattendedRobot; ur.UserName != `CORP\svc-robot-003` || ur.RobotID != 5003 || ur.CredentialType != "Default" || ur.ExecutionSettings["LoggingLevel"] != "Information" || ur.LimitConcurrentExecution {
		t.Fatalf("unattended robot: %+v", ur)
	}
	if len(a.Groups()) != 5 || a.Groups()[4].Name != "Finance" {
		t.Fatalf("groups %v", a.Groups())
	}
	// Copies: changing them does not touch the state.
	users[0].GroupIDs[0] = "changed"
	if a.Users()[0].GroupIDs[0] != GroupEveryone {
		t.Fatal("Users returned shared slices")
	}
}

func TestSeedFile(t *testing.T) {
	srv, err := New(Config{Users: 2, SeedFile: "testdata/seed.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	users := srv.Users()
	if len(users) != 4 || users[2].UserName != "jdoe" || srv.PasswordOf(users[2].ID) != "Seeded-Pass-1" || users[3].IsActive {
		t.Fatalf("users %+v", users)
	}
	if len(srv.Groups()) != 6 || srv.RobotPasswordOf(2001) != "Night-Pass-1" {
		t.Fatal("groups or robot password from seed file")
	}
	dir := t.TempDir()
	js := filepath.Join(dir, "seed.json")
	if err := os.WriteFile(js, []byte(`{"users":[{"userName":"a","groupIDs":["11111111-2222-4333-8444-555555555555"]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{SeedFile: js}); err == nil || !strings.Contains(err.Error(), "unknown group") {
		t.Fatalf("unknown group in seed file: %v", err)
	}
	if err := os.WriteFile(js, []byte(`{"people":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{SeedFile: js}); err == nil {
		t.Fatal("unknown key in seed file accepted")
	}
}

func TestConfigAndStartRefusals(t *testing.T) {
	for _, cfg := range []Config{
		{PartitionID: "nope"}, {FaultRate: 1.5}, {FaultRate: 0.6, ResetRate: 0.6}, {Users: -1},
		{Clients: []ClientApp{{ID: "a"}}}, {Clients: []ClientApp{{ID: "a", Secret: "b", Scopes: []string{"Bogus"}}}},
		{Limits: map[string]Budget{"GET": {0, 0}}},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
	srv, _ := New(Config{})
	for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:0", ":0", "nonsense"} {
		if err := srv.Start(addr); err == nil {
			srv.Close()
			t.Errorf("Start(%q) accepted", addr)
		}
	}
}

func TestEnvAndDebugEndpoints(t *testing.T) {
	h := startServer(t, Config{Users: 2, Robots: 1})
	env := strings.Join(h.srv.Env(), "\n")
	for _, want := range []string{"UIPATH_URI=" + h.base, "UIPATH_ORGANIZATION=demo-org", "UIPATH_TENANT=DefaultTenant",
		"UIPATH_CLIENT_ID=batch-emulator", "UIPATH_CLIENT_SECRET=emulator-secret-not-for-production", "UIPATH_PARTITION_ID=" + DefaultPartitionID} {
		if !strings.Contains(env, want) {
			t.Fatalf("Env misses %s:\n%s", want, env)
		}
	}
	tok := h.token(t)
	u := firstUser(t, h)
	h.do(t, http.MethodPut, h.identity("/api/User/"+u.ID), tok, `{"password":"Debug-Pass-1"}`)
	h.srv.ThrottleNext(1)
	h.do(t, http.MethodGet, h.identity("/api/User/"+u.ID), tok, "")

	resp, body := h.do(t, http.MethodGet, h.base+"/_emulator/state", "", "")
	wantStatus(t, resp, body, http.StatusOK)
	if strings.Contains(string(body), "Debug-Pass-1") || strings.Contains(string(body), "Initial-Pass") {
		t.Fatal("state endpoint shows a plaintext password")
	}
	var snap StateSnapshot
	mustJSON(t, body, &snap)
	if len(snap.Users) != 2 || snap.Users[0].PasswordSHA256 != PasswordSHA256("Debug-Pass-1") || len(snap.OrchestratorUsers) != 1 ||
		snap.OrchestratorUsers[0].UnattendedPasswordSHA256 != PasswordSHA256(InitialRobotPassword(1)) || len(snap.Groups) != 5 || len(snap.RobotAccounts) != 1 {
		t.Fatalf("state %s", body)
	}

	resp, body = h.do(t, http.MethodGet, h.base+"/_emulator/requests", "", "")
	wantStatus(t, resp, body, http.StatusOK)
	var sum RequestSummary
	mustJSON(t, body, &sum)
	if sum.ByTemplate["PUT /api/User/{userId}"] != 1 || sum.ByTemplate["GET /api/User/{userId}"] != 1 || sum.Throttled != 1 || sum.TokenRequests != 1 || sum.ByMethod["PUT"] != 1 || sum.Total != 2 {
		t.Fatalf("requests %s", body)
	}
	resp, body = h.do(t, http.MethodPost, h.base+"/_emulator/state", "", "{}")
	wantStatus(t, resp, body, http.StatusMethodNotAllowed)

	reqs := h.srv.Requests()
	if len(reqs) < 3 || reqs[len(reqs)-1].Status != 429 || reqs[len(reqs)-2].ClientID != DefaultClientID {
		t.Fatalf("request log %+v", reqs)
	}

	path := filepath.Join(t.TempDir(), "state.json")
	if err := h.srv.WriteState(path); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("state file mode %v %v", info.Mode(), err)
	}
	data, _ := os.ReadFile(path)
	var fromFile StateSnapshot
	if err := json.Unmarshal(data, &fromFile); err != nil || len(fromFile.Users) != 2 {
		t.Fatalf("state file: %v", err)
	}
}

func TestRequestLogIsCappedButCountersComplete(t *testing.T) {
	h := startServer(t, Config{Users: 1, RequestLogLimit: 5})
	tok := h.token(t)
	u := h.identity("/api/User/" + firstUser(t, h).ID)
	for i := 0; i < 12; i++ {
		h.do(t, http.MethodGet, u, tok, "")
	}
	if got := len(h.srv.Requests()); got != 5 {
		t.Fatalf("kept %d records, want 5", got)
	}
	if got := h.srv.Counts()["GET"]; got != 12 {
		t.Fatalf("GET counter %d", got)
	}
	if h.srv.CountFor("GET", "/api/User/{userId}") != 12 {
		t.Fatal("template counter")
	}
}

func TestHandlerServesWithoutStart(t *testing.T) {
	srv, err := New(Config{Robots: 1})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	h := &harness{srv: srv, base: ts.URL, client: ts.Client()}
	resp, body := h.do(t, http.MethodGet, h.orchestrator("/odata/Users(1001)"), h.token(t), "")
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), `"@odata.context":"`+ts.URL+`/demo-org/DefaultTenant/orchestrator_/odata/$metadata#Users/$entity"`) {
		t.Fatalf("body %s", body)
	}
}
