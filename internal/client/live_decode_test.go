package client

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/uipath-batch/batch/internal/secret"
)

// liveRoute answers GETs whose path ends with suffix with a file of
// testdata/live: answers in the shapes the live service sends, which
// depart from the published definitions.
type liveRoute struct{ suffix, file string }

// liveClient serves routes on loopback and returns a PAT client for them
// and the query strings of the GETs it was sent, by path.
func liveClient(t *testing.T, routes ...liveRoute) (*Client, func() map[string][]string) {
	t.Helper()
	var mu sync.Mutex
	queries := map[string][]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		queries[r.URL.Path] = append(queries[r.URL.Path], r.URL.RawQuery)
		mu.Unlock()
		for _, rt := range routes {
			if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, rt.suffix) {
				body, err := os.ReadFile(filepath.Join("testdata", "live", rt.file))
				if err != nil {
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(body)
				return
			}
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	st := Settings{URI: srv.URL, Organization: "org", Tenant: "tenant", PAT: secret.New("pat-value-for-tests"),
		PartitionID: "3fa85f64-5717-4562-b3fc-2c963f66afa6"}
	c, err := New(context.Background(), st)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, func() map[string][]string {
		mu.Lock()
		defer mu.Unlock()
		return queries
	}
}

// Live user pages carry integer type and category codes, an unknown code,
// groupIDs null and zone-less timestamps; every user is read, none fails
// the page, and the page is asked for sorted by id.
func TestLiveUsersPageDecodes(t *testing.T) {
	c, queries := liveClient(t, liveRoute{"/api/User/users/3fa85f64-5717-4562-b3fc-2c963f66afa6", "users_page.json"})
	var got []User
	if err := c.Users.All(testContext(t), func(u User) error { got = append(got, u); return nil }); err != nil {
		t.Fatal(err)
	}
	want := []struct{ typ, category string }{
		{"user", "local"}, {"directoryUser", "directory"}, {"robotAccount", "linkedLocal"},
		{UnknownEnumPrefix + "9", UnknownEnumPrefix + "9"}, {"directoryUser", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("%d users, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].Type != w.typ || got[i].Category != w.category {
			t.Errorf("user %d: type %q category %q, want %q %q", i, got[i].Type, got[i].Category, w.typ, w.category)
		}
	}
	if code, ok := UnknownEnum(got[3].Type); !ok || code != "9" {
		t.Errorf("UnknownEnum(%q) = %q, %v", got[3].Type, code, ok)
	}
	if got[1].GroupIDs != nil || got[2].GroupIDs != nil || len(got[0].GroupIDs) != 2 || len(got[3].GroupIDs) != 0 {
		t.Errorf("groupIDs: %v %v %v %v", got[0].GroupIDs, got[1].GroupIDs, got[2].GroupIDs, got[3].GroupIDs)
	}
	if got[0].CreationTime == nil || got[0].CreationTime.Nanosecond() != 123456700 || got[0].LastModificationTime != nil {
		t.Errorf("timestamps: %v %v", got[0].CreationTime, got[0].LastModificationTime)
	}
	for path, qs := range queries() {
		for _, q := range qs {
			if !strings.Contains(q, "sortBy=Id") {
				t.Errorf("GET %s?%s without sortBy=Id", path, q)
			}
		}
	}
}

// A single live user reads like one of a page.
func TestLiveUserDecodes(t *testing.T) {
	c, _ := liveClient(t, liveRoute{"/api/User/0b3c2f7e-5d1a-4c1a-9b7e-00000000a002", "user.json"})
	u, err := c.Users.Get(testContext(t), "0b3c2f7e-5d1a-4c1a-9b7e-00000000a002")
	if err != nil {
		t.Fatal(err)
	}
	if u.Type != "directoryUser" || u.Category != "directory" || u.GroupIDs != nil || u.DisplayName != "Grace Hopper" {
		t.Fatalf("user = %+v", u)
	}
}

// Live robot accounts spell groupIds either way and send null for none.
func TestLiveRobotAccountsDecode(t *testing.T) {
	c, queries := liveClient(t,
		liveRoute{"/api/RobotAccount/3fa85f64-5717-4562-b3fc-2c963f66afa6", "robot_accounts_page.json"},
		liveRoute{"/api/RobotAccount/3fa85f64-5717-4562-b3fc-2c963f66afa6/0b3c2f7e-5d1a-4c1a-9b7e-00000000b001", "robot_account.json"})
	ctx := testContext(t)
	var got []RobotAccount
	if err := c.RobotAccounts.All(ctx, func(r RobotAccount) error { got = append(got, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].GroupIDs != nil || !slices.Equal(got[1].GroupIDs, []string{"6f1b7c2a-0d4e-4c1a-9b7e-000000000003"}) ||
		got[2].GroupIDs != nil || got[2].DisplayName != "" {
		t.Fatalf("robot accounts = %+v", got)
	}
	one, err := c.RobotAccounts.Get(ctx, "0b3c2f7e-5d1a-4c1a-9b7e-00000000b001")
	if err != nil || one.Name != "robot-001" || one.GroupIDs != nil {
		t.Fatalf("Get = %+v, %v", one, err)
	}
	for _, q := range queries()["/org/identity_/api/RobotAccount/3fa85f64-5717-4562-b3fc-2c963f66afa6"] {
		if !strings.Contains(q, "sortBy=Id") {
			t.Errorf("robot account page asked without sortBy=Id: %s", q)
		}
	}
}

// Live groups carry integer types and empty members, which are not read.
func TestLiveGroupsDecode(t *testing.T) {
	c, _ := liveClient(t, liveRoute{"/api/Group/3fa85f64-5717-4562-b3fc-2c963f66afa6", "groups.json"})
	groups, err := c.Groups.List(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []Group{
		{ID: "6f1b7c2a-0d4e-4c1a-9b7e-000000000001", Name: "Everyone", Type: "builtIn"},
		{ID: "6f1b7c2a-0d4e-4c1a-9b7e-000000000005", Name: "Finance", Type: "custom"},
		{ID: "6f1b7c2a-0d4e-4c1a-9b7e-000000000006", Name: "Auditors", Type: "custom"},
		{ID: "6f1b7c2a-0d4e-4c1a-9b7e-000000000007", Name: "Tomorrow", Type: UnknownEnumPrefix + "9"},
	}
	if !slices.Equal(groups, want) {
		t.Fatalf("groups = %+v", groups)
	}
}

// Live Orchestrator users carry integer Type and CredentialType codes.
func TestLiveOrchestratorUsersDecode(t *testing.T) {
	c, _ := liveClient(t,
		liveRoute{"/odata/Users", "orchestrator_users_page.json"},
		liveRoute{"/odata/Users(1005)", "orchestrator_user.json"})
	ctx := testContext(t)
	var got []OrchestratorUser
	if err := c.OrchestratorUsers.All(ctx, func(u OrchestratorUser) error { got = append(got, u); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("%d users, want 4", len(got))
	}
	for i, w := range []struct{ typ, cred string }{{"Robot", "Default"}, {"Robot", "SmartCard"}, {UnknownEnumPrefix + "9", UnknownEnumPrefix + "9"}} {
		r := got[i].UnattendedRobot
		if got[i].Type != w.typ || r == nil || r.CredentialType != w.cred {
			t.Errorf("user %d: type %q robot %+v, want %q %q", i, got[i].Type, r, w.typ, w.cred)
		}
	}
	if got[3].Type != "DirectoryUser" || got[3].UnattendedRobot != nil {
		t.Errorf("user 3: %+v", got[3])
	}
	if r := got[0].UnattendedRobot; r.RobotID != 5001 || r.MachineMappingsCount != 2 || r.ExecutionSettings["LoggingLevel"] != "Information" || !r.PasswordSignIn() {
		t.Errorf("robot 0: %+v", r)
	}
	if got[1].UnattendedRobot.PasswordSignIn() || got[2].UnattendedRobot.PasswordSignIn() {
		t.Error("a SmartCard or unknown credential type signs in with a password")
	}

	one, err := c.OrchestratorUsers.Get(ctx, 1005)
	if err != nil {
		t.Fatal(err)
	}
	if one.ID != 1005 || one.Type != "Robot" || one.UnattendedRobot == nil || one.UnattendedRobot.CredentialType != "SafeNet" || one.UnattendedRobot.RobotID != 5005 {
		t.Fatalf("Get = %+v (robot %+v)", one, one.UnattendedRobot)
	}
}

// Credential stores: Type a string or a number, Details null or absent.
func TestLiveCredentialStoresDecode(t *testing.T) {
	c, queries := liveClient(t,
		liveRoute{"/odata/CredentialStores", "credential_stores.json"},
		liveRoute{"/odata/CredentialStores(3)", "credential_store.json"})
	ctx := testContext(t)
	stores, err := c.CredentialStores.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []CredentialStore{
		{ID: 1, Name: "Orchestrator Database", Type: "Database"},
		{ID: 3, Name: "Vault", Type: "HashicorpVaultReadOnly", ReadOnly: true},
		{ID: 4, Name: "Legacy", Type: "2"},
		{ID: 5, Name: "Plain", Type: "CyberArk"},
	}
	if !slices.Equal(stores, want) {
		t.Fatalf("stores = %+v", stores)
	}
	one, err := c.CredentialStores.Get(ctx, 3)
	if err != nil || one != want[1] {
		t.Fatalf("Get(3) = %+v, %v", one, err)
	}
	if n := len(queries()["/org/tenant/orchestrator_/odata/CredentialStores"]); n != 1 {
		t.Errorf("List sent %d requests, want 1", n)
	}
	if _, err := c.CredentialStores.Get(ctx, 99); KindOf(err) != KindNotFound {
		t.Errorf("Get(99) = %v, want not found", err)
	}
}
