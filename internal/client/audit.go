package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// AuditService reads UiPath's audit logs, newest first, back to a given
// time: Orchestrator's (odata/AuditLogs, scope OR.Audit.Read:
// OpReadOrchestratorAudit) and Identity's (/api/AuditQuery, PM.Audit.Read:
// OpReadIdentityAudit). A token asks for these scopes only when the
// caller names AuditOperations with WithOperations; without them a read
// is refused (KindForbidden).
//
// The logs fill in behind the changes: a change's record may appear some
// time after it. A walk reads what the service serves when it asks.
type AuditService service

// Audit returns the client's audit log service.
func (c *Client) Audit() *AuditService { return &AuditService{client: c} }

// auditPage is how many records one audit read asks for: the most both
// services serve (Orchestrator's $top, the emulated Identity's top).
const auditPage = 1000

// Enums of AuditLogDto, in the published definitions' order.
var (
	auditActions = enum{"Unknown", "Create", "Update", "Delete", "StartJob", "StopJob", "Associate", "Upload",
		"ChangeStatus", "Import", "ChangePassword", "Register", "Toggle", "ResetPassword", "PasswordResetAttempt",
		"Download", "Acknowledge", "Activate", "Assign", "BulkUpload", "UpdateFeature", "ResumeJob", "Start", "End",
		"Skip", "Unassign", "Deactivate", "CreateBlobFileSas", "DeleteBlobFile", "Move", "Set", "StartDelete",
		"ExploreStart", "ExploreEnd", "Save", "Convert", "Forward", "BulkComplete", "BulkSave", "ForceStopJob",
		"MigrateFolder", "EditTaskMetadata", "Archive", "StartMigrateFolders", "ToggleUserFolderSubscription",
		"StartUninstall", "StartInstall", "VideoAccess", "AutomaticallyExploreEnd", "InstallState", "FinishInstall",
		"FinishUninstall"}
	auditComponents = enum{"Unknown", "Assets", "Environments", "Processes", "Queues", "Robots", "Roles",
		"Schedules", "Users", "Comments", "Units", "Jobs", "Settings", "Packages", "License", "Tenant", "Machines",
		"Libraries", "Webhooks", "ExecutionMedia", "Monitoring", "CredentialStores", "DefaultCredentialStores",
		"TaskCatalogs", "Tasks", "Maintenance", "Folders", "DirectoryService", "Buckets", "Secrets",
		"PersonalWorkspaces", "CloudSubscriptions", "CloudSnapshots", "Sessions", "CredentialsProxies", "StudioWeb",
		"AutomationSolutions", "RemoteControl", "TaskSolutions", "TaskDefinitions", "HttpTriggers",
		"AutopilotForRobotsData", "BusinessRules", "IntegrationTriggers", "JobAttachments", "TestSets",
		"TestSetSchedules", "TestDataQueues", "TestDataQueueItems"}
)

// OrchestratorAuditRecord is one record of Orchestrator's audit log
// (AuditLogDto), the parts we use.
type OrchestratorAuditRecord struct {
	// ID is the record's id (what OrchestratorDetails takes), not the
	// entity's.
	ID            int64
	ExecutionTime time.Time
	// Component ("Users", "Folders", …) and Action ("Create", "Update",
	// "Assign", "Unassign", …) are read from their names or integer codes
	// (see UnknownEnum).
	Component, Action string
	// DisplayName and EntityID are the resource acted on: for Component
	// Users an Orchestrator user's UserName and id, for Folders a
	// folder's name and id.
	DisplayName string
	EntityID    int64
	// UserName, UserType and ExternalClientID say who made the change:
	// an External Application has UserType DirectoryExternalApplication
	// and its client id in ExternalClientID (UserName is its name, which
	// the client does not know); a person has no ExternalClientID.
	UserName, UserType string
	ExternalClientID   string
	// OperationText says the change in words; Parameters is the JSON of
	// what the request asked for.
	OperationText, Parameters string
	ServiceName, MethodName   string
}

// UnmarshalJSON reads an AuditLogDto: enums as names or integer codes,
// ExecutionTime with or without a zone (UTC without), nulls as zero.
func (r *OrchestratorAuditRecord) UnmarshalJSON(b []byte) error {
	var w struct {
		ID               int64           `json:"Id"`
		ExecutionTime    string          `json:"ExecutionTime"`
		Component        json.RawMessage `json:"Component"`
		Action           json.RawMessage `json:"Action"`
		DisplayName      *string         `json:"DisplayName"`
		EntityID         *int64          `json:"EntityId"`
		UserName         *string         `json:"UserName"`
		UserType         json.RawMessage `json:"UserType"`
		ExternalClientID *string         `json:"ExternalClientId"`
		OperationText    *string         `json:"OperationText"`
		Parameters       *string         `json:"Parameters"`
		ServiceName      *string         `json:"ServiceName"`
		MethodName       *string         `json:"MethodName"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("audit record: %w", err)
	}
	at, err := parseServiceTime(w.ExecutionTime)
	if err != nil {
		return fmt.Errorf("audit record %d: ExecutionTime: %w", w.ID, err)
	}
	*r = OrchestratorAuditRecord{ID: w.ID, ExecutionTime: at, DisplayName: deref(w.DisplayName),
		UserName: deref(w.UserName), ExternalClientID: deref(w.ExternalClientID), OperationText: deref(w.OperationText),
		Parameters: deref(w.Parameters), ServiceName: deref(w.ServiceName), MethodName: deref(w.MethodName)}
	if w.EntityID != nil {
		r.EntityID = *w.EntityID
	}
	r.Component, _ = auditComponents.decode(w.Component)
	r.Action, _ = auditActions.decode(w.Action)
	r.UserType, _ = orchestratorUserTypes.decode(w.UserType)
	return nil
}

// deref is *p, or "" for nil.
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// parseServiceTime reads a time as the services send it: RFC 3339 with
// up to seven decimals, or without a zone, which is UTC.
func parseServiceTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	t, err := time.Parse("2006-01-02T15:04:05.999999999", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a time", s)
	}
	return t.UTC(), nil
}

// Orchestrator calls fn for every record of Orchestrator's audit log from
// since on, newest first: GET odata/AuditLogs ordered by ExecutionTime
// descending, filtered to ExecutionTime ge since (a zero since reads the
// whole log), 1,000 a page, until a short page or the first record older
// than since. since counts to the millisecond (rounded down, as the
// services keep times): a record of the millisecond before it may be
// handed on too. Records the log gains while it is read push the later
// pages back: a record met twice is handed to fn once (by ID). An error
// from fn stops the walk and is returned as is.
func (s *AuditService) Orchestrator(ctx context.Context, since time.Time, fn func(OrchestratorAuditRecord) error) error {
	since = auditSince(since)
	query := "$orderby=ExecutionTime%20desc"
	if !since.IsZero() {
		query += "&$filter=" + odataQueryEscape("ExecutionTime ge "+since.Format(odataMillis))
	}
	seen := map[int64]struct{}{}
	for skip := 0; ; {
		req, err := s.client.orchestratorRequest(ctx, http.MethodGet, fmt.Sprintf("odata/AuditLogs?%s&$top=%d&$skip=%d", query, auditPage, skip), nil)
		if err != nil {
			return err
		}
		var page struct {
			Value []OrchestratorAuditRecord `json:"value"`
		}
		if _, err := s.client.Do(req, &page); err != nil {
			return fmt.Errorf("read Orchestrator's audit log from record %d: %w", skip, err)
		}
		for _, r := range page.Value {
			if r.ExecutionTime.Before(since) {
				return nil
			}
			if _, dup := seen[r.ID]; dup {
				continue
			}
			seen[r.ID] = struct{}{}
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(page.Value) < auditPage {
			return nil
		}
		skip += len(page.Value)
	}
}

// odataMillis is a DateTimeOffset literal to the millisecond.
const odataMillis = "2006-01-02T15:04:05.000Z07:00"

// auditSince is where a walk from since starts: since in UTC, rounded
// down to the millisecond.
func auditSince(since time.Time) time.Time {
	if since.IsZero() {
		return since
	}
	return since.UTC().Truncate(time.Millisecond)
}

// odataQueryEscape escapes an OData expression for a query string, spaces
// as %20.
func odataQueryEscape(expr string) string {
	return strings.ReplaceAll(url.QueryEscape(expr), "+", "%20")
}

// OrchestratorAuditEntity is one entity an Orchestrator audit record
// changed (AuditLogEntityDto).
type OrchestratorAuditEntity struct {
	ID, AuditLogID, EntityID int64
	EntityName               string
	Action                   string
	// CustomData is the service's JSON of the values before and after.
	CustomData string
}

// UnmarshalJSON reads an AuditLogEntityDto: Action as a name or an
// integer code, nulls as zero.
func (e *OrchestratorAuditEntity) UnmarshalJSON(b []byte) error {
	var w struct {
		ID         int64           `json:"Id"`
		AuditLogID int64           `json:"AuditLogId"`
		EntityID   *int64          `json:"EntityId"`
		EntityName *string         `json:"EntityName"`
		Action     json.RawMessage `json:"Action"`
		CustomData *string         `json:"CustomData"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("audit entity: %w", err)
	}
	*e = OrchestratorAuditEntity{ID: w.ID, AuditLogID: w.AuditLogID, EntityName: deref(w.EntityName), CustomData: deref(w.CustomData)}
	if w.EntityID != nil {
		e.EntityID = *w.EntityID
	}
	e.Action, _ = auditActions.decode(w.Action)
	return nil
}

// OrchestratorDetails reads what the Orchestrator audit record id changed
// (GET odata/AuditLogs/UiPath.Server.Configuration.OData.
// GetAuditLogDetails(auditLogId=id)), in one request.
func (s *AuditService) OrchestratorDetails(ctx context.Context, id int64) ([]OrchestratorAuditEntity, error) {
	rel := "odata/AuditLogs/UiPath.Server.Configuration.OData.GetAuditLogDetails(auditLogId=" + strconv.FormatInt(id, 10) + ")"
	req, err := s.client.orchestratorRequest(ctx, http.MethodGet, rel, nil)
	if err != nil {
		return nil, err
	}
	var out struct {
		Value []OrchestratorAuditEntity `json:"value"`
	}
	if _, err := s.client.Do(req, &out); err != nil {
		return nil, fmt.Errorf("read the details of audit record %d: %w", id, err)
	}
	return out.Value, nil
}

// IdentityAuditRecord is one record of Identity's audit
// (AuditQueryRecordDto).
type IdentityAuditRecord struct {
	CreatedOn time.Time
	// Category ("User", "RobotAccount", "Group" in the emulator) and
	// Action ("Create", "Update", "Delete", "ResetPassword",
	// "ChangePassword") are the service's words.
	Category, Action string
	// Details is the record's auditLogDetails, free text (the emulator
	// writes JSON naming the target).
	Details string
	// UserName, Email and Source say who made the change (the emulator
	// writes an External Application's client id as UserName, no Email,
	// Source "ExternalApplication").
	UserName, Email, Source string
	Message                 string
}

// UnmarshalJSON reads an AuditQueryRecordDto, nulls as "".
func (r *IdentityAuditRecord) UnmarshalJSON(b []byte) error {
	var w struct {
		CreatedOn       string  `json:"createdOn"`
		Category        *string `json:"category"`
		Action          *string `json:"action"`
		AuditLogDetails *string `json:"auditLogDetails"`
		UserName        *string `json:"userName"`
		Email           *string `json:"email"`
		Message         *string `json:"message"`
		Source          *string `json:"source"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("identity audit record: %w", err)
	}
	at, err := parseServiceTime(w.CreatedOn)
	if err != nil {
		return fmt.Errorf("identity audit record: createdOn: %w", err)
	}
	*r = IdentityAuditRecord{CreatedOn: at, Category: deref(w.Category), Action: deref(w.Action), Details: deref(w.AuditLogDetails),
		UserName: deref(w.UserName), Email: deref(w.Email), Message: deref(w.Message), Source: deref(w.Source)}
	return nil
}

// key tells records apart for the de-duplication of a walk: Identity's
// records carry no id.
func (r IdentityAuditRecord) key() string {
	return strings.Join([]string{r.CreatedOn.UTC().Format(time.RFC3339Nano), r.Category, r.Action, r.Details, r.UserName, r.Email, r.Source}, "\x00")
}

// Identity calls fn for every record of Identity's audit from since on,
// newest first: GET /api/AuditQuery/{partitionGlobalId} with
// sortBy=createdOn&sortOrder=desc, 1,000 a page, until a short page, the
// total count, or the first record older than since (a zero since reads
// it all; since counts to the millisecond, as for Orchestrator). The
// service filters nothing: the pages before since are read, the ones
// after not. Records the audit gains while it is read push the later
// pages back: a record met twice is handed to fn once (records alike in
// every field and time are one). An error from fn stops the walk and is
// returned as is.
func (s *AuditService) Identity(ctx context.Context, since time.Time, fn func(IdentityAuditRecord) error) error {
	since = auditSince(since)
	partition, err := s.client.PartitionID(ctx)
	if err != nil {
		return err
	}
	base := joinURL(s.client.endpoints.Identity, "api", "AuditQuery", url.PathEscape(partition))
	seen := map[string]struct{}{}
	for read := 0; ; {
		q := url.Values{"sortBy": {"createdOn"}, "sortOrder": {"desc"}, "top": {strconv.Itoa(auditPage)}, "skip": {strconv.Itoa(read)}}
		req, err := s.client.NewRequest(ctx, http.MethodGet, withQuery(base, q), nil)
		if err != nil {
			return err
		}
		var p page[IdentityAuditRecord]
		if _, err := s.client.Do(req, &p); err != nil {
			return fmt.Errorf("read Identity's audit from record %d: %w", read, err)
		}
		for _, r := range p.Results {
			if r.CreatedOn.Before(since) {
				return nil
			}
			k := r.key()
			if _, dup := seen[k]; dup {
				continue
			}
			seen[k] = struct{}{}
			if err := fn(r); err != nil {
				return err
			}
		}
		read += len(p.Results)
		if pageDone(len(p.Results), auditPage, read, p.TotalCount) {
			return nil
		}
	}
}
