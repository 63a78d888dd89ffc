package emulator

import (
	"net/http"
	"net/url"
	"testing"
)

type odataUsers struct {
	Context string           `json:"@odata.context"`
	Count   int              `json:"@odata.count"`
	Value   []map[string]any `json:"value"`
}

func TestOrchestratorUserLookup(t *testing.T) {
	h := startServer(t, Config{Robots: 3, SeedFile: "testdata/seed.yaml"})
	tok := h.token(t)
	get := func(query string) (int, odataUsers, []byte) {
		resp, body := h.do(t, http.MethodGet, h.orchestrator("/odata/Users?"+query), tok, "")
		var page odataUsers
		if resp.StatusCode == 200 {
			mustJSON(t, body, &page)
		}
		return resp.StatusCode, page, body
	}
	status, page, body := get("$filter=" + url.QueryEscape("UserName eq 'robot-002'"))
	if status != 200 || page.Count != 1 || len(page.Value) != 1 || page.Value[0]["Id"] != float64(1002) || page.Context == "" {
		t.Fatalf("filter: %d %s", status, body)
	}
	ur := page.Value[0]["UnattendedRobot"].(map[string]any)
	if ur["UserName"] != `CORP\svc-robot-002` || ur["Password"] != nil || ur["RobotId"] != float64(5002) || ur["CredentialType"] != "Default" {
		t.Fatalf("unattended robot %v", ur)
	}
	// OData quoting: '' is a quote inside the literal.
	status, page, body = get("$filter=" + url.QueryEscape("UserName eq 'o''brien'"))
	if status != 200 || page.Count != 1 || page.Value[0]["UserName"] != "o'brien" {
		t.Fatalf("quoted filter: %d %s", status, body)
	}
	status, page, _ = get("$top=2&$skip=1")
	if status != 200 || page.Count != 5 || len(page.Value) != 2 || page.Value[0]["UserName"] != "robot-002" {
		t.Fatalf("paging: count %d len %d", page.Count, len(page.Value))
	}
	for _, bad := range []string{"$top=1001", "$filter=" + url.QueryEscape("UserName eq robot"), "$filter=" + url.QueryEscape("Nope eq 'x'")} {
		status, _, body = get(bad)
		var e struct {
			Message   string
			ErrorCode int
			TraceID   string `json:"TraceId"`
		}
		mustJSON(t, body, &e)
		if status != 400 || e.Message == "" || e.TraceID == "" {
			t.Fatalf("%s: %d %s", bad, status, body)
		}
	}
}

func TestOrchestratorGetAndNotFound(t *testing.T) {
	h := startServer(t, Config{Robots: 1})
	tok := h.token(t)
	resp, body := h.do(t, http.MethodGet, h.orchestrator("/odata/Users(1001)"), tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	var u map[string]any
	mustJSON(t, body, &u)
	if u["UserName"] != "robot-001" || u["Type"] != "Robot" {
		t.Fatalf("user %s", body)
	}
	resp, body = h.do(t, http.MethodGet, h.orchestrator("/odata/Users(42)"), tok, "")
	wantStatus(t, resp, body, http.StatusNotFound)
	var e struct {
		Message   string `json:"message"`
		ErrorCode int    `json:"errorCode"`
		TraceID   string `json:"traceId"`
	}
	mustJSON(t, body, &e)
	if e.Message == "" || e.ErrorCode != 1002 || e.TraceID != resp.Header.Get("X-Request-Id") {
		t.Fatalf("404 body %s", body)
	}
	req, _ := http.NewRequest(http.MethodGet, h.orchestrator("/odata/Users(1001)"), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("X-UIPATH-OrganizationUnitId", "7")
	resp, body = h.send(t, req)
	wantStatus(t, resp, body, http.StatusOK)
	req.Header.Set("X-UIPATH-OrganizationUnitId", "folder")
	resp, body = h.send(t, req)
	wantStatus(t, resp, body, http.StatusBadRequest)
	resp, body = h.do(t, http.MethodGet, h.base+"/demo-org/OtherTenant/orchestrator_/odata/Users(1001)", tok, "")
	wantStatus(t, resp, body, http.StatusNotFound)
}

func TestOrchestratorPatchMergesButReplacesUnattendedRobot(t *testing.T) {
	h := startServer(t, Config{Robots: 1})
	tok := h.token(t)
	u := h.orchestrator("/odata/Users(1001)")
	before := h.srv.OrchestratorUsers()[0]

	// The forum thread's mistake: the deprecated top-level Password is
	// accepted and ignored.
	resp, body := h.do(t, http.MethodPatch, u, tok, `{"Password":"Top-Level-1"}`)
	wantStatus(t, resp, body, http.StatusOK)
	if len(body) != 0 {
		t.Fatalf("PATCH answered a body: %s", body)
	}
	if h.srv.RobotPasswordOf(1001) != InitialRobotPassword(1) {
		t.Fatal("top-level Password changed the unattended password")
	}

	// A partial UnattendedRobot replaces the object whole.
	resp, body = h.do(t, http.MethodPatch, u, tok, `{"Name":"Night","UnattendedRobot":{"UserName":"CORP\\svc-new","Password":"New-Pass-1"}}`)
	wantStatus(t, resp, body, http.StatusOK)
	after := h.srv.OrchestratorUsers()[0]
	if after.Name != "Night" || after.FullName != before.FullName || after.UserName != "robot-001" {
		t.Fatalf("merge: %+v", after)
	}
	// RobotId is the server's: the robot keeps it though the body left it out.
	if ur := after.UnattendedRobot; ur.UserName != `CORP\svc-new` || ur.CredentialType != "" || ur.RobotID != 5001 || ur.ExecutionSettings != nil {
		t.Fatalf("UnattendedRobot not replaced whole: %+v", ur)
	}
	if h.srv.RobotPasswordOf(1001) != "New-Pass-1" {
		t.Fatal("unattended password not stored")
	}
	if !after.LastModificationTime.After(before.LastModificationTime) {
		t.Fatal("LastModificationTime did not move")
	}

	// A careful client sends the whole object back, without what the
	// server computes.
	if n := h.srv.ServerComputedSent(); n != 0 {
		t.Fatalf("ServerComputedSent = %d before any RobotId was sent", n)
	}
	resp, body = h.do(t, http.MethodPatch, u, tok, `{"UnattendedRobot":{"UserName":"CORP\\svc-robot-001","Password":"Merged-Pass-2","CredentialType":"Default","ExecutionSettings":{"LoggingLevel":"Information"},"LimitConcurrentExecution":false}}`)
	wantStatus(t, resp, body, http.StatusOK)
	after = h.srv.OrchestratorUsers()[0]
	if ur := after.UnattendedRobot; ur.RobotID != 5001 || ur.CredentialType != "Default" || ur.ExecutionSettings["LoggingLevel"] != "Information" {
		t.Fatalf("merged PATCH: %+v", ur)
	}
	resp, body = h.do(t, http.MethodGet, u, tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	if contains(body, "Merged-Pass-2") {
		t.Fatal("GET returned the password")
	}

	// OData property names are case-sensitive; wrong types are refused.
	for _, bad := range []string{`{"userName":"x"}`, `{"IsActive":"yes"}`, `{"UnattendedRobot":{"Pass":"x"}}`, `{"UnattendedRobot":{"CredentialType":"Magic"}}`, `not json`} {
		resp, body = h.do(t, http.MethodPatch, u, tok, bad)
		wantStatus(t, resp, body, http.StatusBadRequest)
		var e struct {
			Message   string
			ErrorCode *int
			TraceID   string `json:"TraceId"`
		}
		mustJSON(t, body, &e)
		if e.Message == "" || e.ErrorCode == nil || e.TraceID == "" {
			t.Fatalf("%s: %s", bad, body)
		}
	}
	resp, body = h.do(t, http.MethodPatch, h.orchestrator("/odata/Users(9)"), tok, `{"Name":"x"}`)
	wantStatus(t, resp, body, http.StatusNotFound)
}

func TestOrchestratorPutResetsOmittedFields(t *testing.T) {
	h := startServer(t, Config{Robots: 1})
	tok := h.token(t)
	u := h.orchestrator("/odata/Users(1001)")
	before := h.srv.OrchestratorUsers()[0]
	resp, body := h.do(t, http.MethodPut, u, tok, `{"Name":"x"}`)
	wantStatus(t, resp, body, http.StatusBadRequest)

	resp, body = h.do(t, http.MethodPut, u, tok, `{"UserName":"robot-001","Name":"Only"}`)
	wantStatus(t, resp, body, http.StatusOK)
	after := h.srv.OrchestratorUsers()[0]
	if after.Name != "Only" || after.FullName != "" || after.UnattendedRobot != nil || after.IsActive || len(after.RolesList) != 0 {
		t.Fatalf("PUT kept omitted fields: %+v", after)
	}
	if after.ID != before.ID || after.Key != before.Key || after.Type != "Robot" || !after.CreationTime.Equal(before.CreationTime) {
		t.Fatalf("PUT changed read-only fields: %+v", after)
	}
	if h.srv.RobotPasswordOf(1001) != "" {
		t.Fatal("PUT without UnattendedRobot kept the password")
	}
}

func contains(body []byte, s string) bool { return len(s) > 0 && bytesContains(body, s) }
