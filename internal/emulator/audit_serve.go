package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The audit endpoints: Orchestrator's odata/AuditLogs (OR.Audit or
// OR.Audit.Read) with GetAuditLogDetails, and Identity's
// /api/AuditQuery/{partitionGlobalId} (PM.Audit or PM.Audit.Read; the
// definitions name no scope for it). Both serve only what
// Config.AuditLag lets through, and count against their service's
// budgets like any request.

// resolveAuditLogs maps what follows /odata/AuditLogs to its endpoint.
func (s *Server) resolveAuditLogs(method, tail string) (ep endpoint, params []string, allow string) {
	const details = "GET /odata/AuditLogs/UiPath.Server.Configuration.OData.GetAuditLogDetails(auditLogId={auditLogId})"
	if tail == "" || tail == "/" {
		if method == http.MethodGet {
			return endpoint{"GET /odata/AuditLogs", scopeOrchAudit, true, s.listAuditLogs}, nil, ""
		}
		return endpoint{}, nil, "GET"
	}
	name, ok := cutPrefixFold(tail, "/"+odataActions)
	if !ok {
		return endpoint{}, nil, ""
	}
	args, ok := functionCall(name, "GetAuditLogDetails")
	if !ok {
		return endpoint{}, nil, ""
	}
	if method == http.MethodGet {
		return endpoint{details, scopeOrchAudit, true, s.auditLogDetails}, []string{args}, ""
	}
	return endpoint{}, nil, "GET"
}

// auditLogDTO is AuditLogDto. UserId is left out: the emulator's actors
// (External Applications, the second administrator) have no Orchestrator
// user.
type auditLogDTO struct {
	ServiceName      string              `json:"ServiceName"`
	MethodName       string              `json:"MethodName"`
	Parameters       string              `json:"Parameters"`
	ExecutionTime    string              `json:"ExecutionTime"`
	Action           string              `json:"Action"`
	Component        string              `json:"Component"`
	DisplayName      string              `json:"DisplayName"`
	EntityID         int64               `json:"EntityId"`
	OperationText    string              `json:"OperationText"`
	UserName         string              `json:"UserName"`
	UserType         string              `json:"UserType"`
	Entities         []auditLogEntityDTO `json:"Entities,omitempty"`
	ExternalClientID string              `json:"ExternalClientId,omitempty"`
	UserIsDeleted    bool                `json:"UserIsDeleted"`
	ID               int64               `json:"Id"`
}

// auditLogEntityDTO is AuditLogEntityDto.
type auditLogEntityDTO struct {
	AuditLogID int64  `json:"AuditLogId"`
	CustomData string `json:"CustomData"`
	EntityID   int64  `json:"EntityId"`
	EntityName string `json:"EntityName"`
	Action     string `json:"Action"`
	ID         int64  `json:"Id"`
}

func toAuditLogEntityDTOs(r *AuditLog) []auditLogEntityDTO {
	out := make([]auditLogEntityDTO, 0, len(r.Entities))
	for _, e := range r.Entities {
		out = append(out, auditLogEntityDTO{AuditLogID: r.ID, CustomData: e.CustomData, EntityID: e.EntityID,
			EntityName: e.EntityName, Action: e.Action, ID: e.ID})
	}
	return out
}

func toAuditLogDTO(r *AuditLog, expand bool) auditLogDTO {
	dto := auditLogDTO{
		ServiceName: r.ServiceName, MethodName: r.MethodName, Parameters: r.Parameters,
		ExecutionTime: formatWireTime(r.ExecutionTime), Action: r.Action, Component: r.Component,
		DisplayName: r.DisplayName, EntityID: r.EntityID, OperationText: r.OperationText,
		UserName: r.UserName, UserType: r.UserType, ExternalClientID: r.ExternalClientID, ID: r.ID,
	}
	if expand {
		dto.Entities = toAuditLogEntityDTOs(r)
	}
	return dto
}

func auditLogTime(r AuditLog) time.Time { return r.ExecutionTime }

func identityEventTime(r IdentityAuditEvent) time.Time { return r.CreatedOn }

// listAuditLogs serves GET /odata/AuditLogs: $filter (comparisons of
// ExecutionTime, Id and EntityId with eq, ne, gt, ge, lt, le; of
// Component, Action, UserType, DisplayName, UserName, ExternalClientId,
// ServiceName and MethodName with eq and ne, case-insensitively; joined
// by and), $orderby ExecutionTime or Id, asc (the default) or desc,
// $top (at most 1000, the default), $skip, $count and $expand=Entities.
// The header x-UIPATH-AuditedService: TestAutomation answers no records
// (the emulator audits Orchestrator only).
func (s *Server) listAuditLogs(c *call) {
	q := c.r.URL.Query()
	match, err := parseAuditFilter(q.Get("$filter"))
	if err != nil {
		c.orchestratorInvalid("The query specified in the URI is not valid. "+err.Error(), 0)
		return
	}
	desc, err := parseAuditOrder(q.Get("$orderby"))
	if err != nil {
		c.orchestratorInvalid("The query specified in the URI is not valid. "+err.Error(), 0)
		return
	}
	expand := false
	switch e := strings.TrimSpace(q.Get("$expand")); {
	case e == "":
	case strings.EqualFold(e, "Entities"):
		expand = true
	default:
		c.orchestratorInvalid(fmt.Sprintf("The query specified in the URI is not valid. Could not find a property named '%s' on type 'UiPath.Server.Configuration.OData.AuditLogDto'.", e), 0)
		return
	}
	withCount := false
	switch cnt := q.Get("$count"); cnt {
	case "", "false":
	case "true":
		withCount = true
	default:
		c.orchestratorInvalid("The query specified in the URI is not valid. '"+cnt+"' is not a valid count option.", 0)
		return
	}
	top, skip, ok := odataPaging(c)
	if !ok {
		return
	}
	testAutomation := strings.EqualFold(c.r.Header.Get("x-UIPATH-AuditedService"), "TestAutomation")

	s.state.mu.RLock()
	log := visible(s.state.audit.orchestrator, auditLogTime, time.Now(), s.cfg.AuditLag)
	if testAutomation {
		log = nil
	}
	page, count := []auditLogDTO{}, 0
	for i := range log {
		r := &log[i]
		if desc {
			r = &log[len(log)-1-i]
		}
		if match != nil && !match(r) {
			continue
		}
		if count >= skip && len(page) < top {
			page = append(page, toAuditLogDTO(r, expand))
		}
		count++
	}
	s.state.mu.RUnlock()

	body, _ := json.Marshal(struct {
		Context string        `json:"@odata.context"`
		Count   *int          `json:"@odata.count,omitempty"`
		Value   []auditLogDTO `json:"value"`
	}{s.odataContext(c, "AuditLogs"), countIf(withCount, count), page})
	c.json(http.StatusOK, body)
}

func countIf(ok bool, n int) *int {
	if !ok {
		return nil
	}
	return &n
}

// auditLogDetails serves GET /odata/AuditLogs/UiPath.Server.
// Configuration.OData.GetAuditLogDetails(auditLogId=…): the entities the
// record changed, with their values before and after. A record that is
// not there, or not yet (Config.AuditLag), is 404.
func (s *Server) auditLogDetails(c *call) {
	params, err := functionParams(c.params[0])
	if err != nil {
		c.orchestratorInvalid(err.Error(), 0)
		return
	}
	id, err := strconv.ParseInt(params["auditLogId"], 10, 64)
	if err != nil {
		c.orchestratorInvalid("The auditLogId parameter must be an audit record id (Edm.Int64).", 0)
		return
	}
	s.state.mu.RLock()
	log := visible(s.state.audit.orchestrator, auditLogTime, time.Now(), s.cfg.AuditLag)
	i, found := slices.BinarySearchFunc(log, id, func(r AuditLog, id int64) int { return cmpInt64(r.ID, id) })
	var entities []auditLogEntityDTO
	if found {
		entities = toAuditLogEntityDTOs(&log[i])
	}
	s.state.mu.RUnlock()
	if !found {
		c.orchestratorNotFound("Audit log does not exist.", 1002)
		return
	}
	body, _ := json.Marshal(struct {
		Context string              `json:"@odata.context"`
		Value   []auditLogEntityDTO `json:"value"`
	}{s.odataContext(c, "Collection(UiPath.Server.Configuration.OData.AuditLogEntityDto)"), entities})
	c.json(http.StatusOK, body)
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// parseAuditOrder reads $orderby: ExecutionTime or Id (the same order:
// records are numbered in time order), asc or desc; empty is asc.
func parseAuditOrder(orderBy string) (desc bool, err error) {
	orderBy = strings.TrimSpace(orderBy)
	if orderBy == "" {
		return false, nil
	}
	field, dir, _ := strings.Cut(orderBy, " ")
	if field != "ExecutionTime" && field != "Id" {
		return false, fmt.Errorf("The emulator orders audit logs by ExecutionTime or Id only, not by '%s'.", orderBy)
	}
	switch strings.TrimSpace(dir) {
	case "", "asc":
		return false, nil
	case "desc":
		return true, nil
	}
	return false, fmt.Errorf("'%s' is not asc or desc in $orderby.", strings.TrimSpace(dir))
}

// Properties of AuditLogDto a $filter may compare.
var (
	auditTimeFields = map[string]func(*AuditLog) time.Time{
		"ExecutionTime": func(r *AuditLog) time.Time { return r.ExecutionTime },
	}
	auditIntFields = map[string]func(*AuditLog) int64{
		"Id":       func(r *AuditLog) int64 { return r.ID },
		"EntityId": func(r *AuditLog) int64 { return r.EntityID },
	}
	auditTextFields = map[string]func(*AuditLog) string{
		"Component":        func(r *AuditLog) string { return r.Component },
		"Action":           func(r *AuditLog) string { return r.Action },
		"UserType":         func(r *AuditLog) string { return r.UserType },
		"DisplayName":      func(r *AuditLog) string { return r.DisplayName },
		"UserName":         func(r *AuditLog) string { return r.UserName },
		"ExternalClientId": func(r *AuditLog) string { return r.ExternalClientID },
		"ServiceName":      func(r *AuditLog) string { return r.ServiceName },
		"MethodName":       func(r *AuditLog) string { return r.MethodName },
	}
)

// parseAuditFilter reads an AuditLogs $filter: comparisons joined by
// "and", each "Field op literal", optionally in parentheses. nil accepts
// every record.
func parseAuditFilter(filter string) (func(*AuditLog) bool, error) {
	filter = strings.TrimSpace(filter)
	if filter == "" {
		return nil, nil
	}
	clauses, err := splitOData(filter, " and ")
	if err != nil {
		return nil, err
	}
	preds := make([]func(*AuditLog) bool, 0, len(clauses))
	for _, clause := range clauses {
		p, err := auditComparison(unwrapParens(clause))
		if err != nil {
			return nil, err
		}
		preds = append(preds, p)
	}
	return func(r *AuditLog) bool {
		for _, p := range preds {
			if !p(r) {
				return false
			}
		}
		return true
	}, nil
}

// splitOData splits s at sep outside string literals; an "or" outside
// them is refused (the emulator joins comparisons with and only).
func splitOData(s, sep string) ([]string, error) {
	var out []string
	inQuote, start := false, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\'':
			inQuote = !inQuote // a doubled quote toggles twice
		case !inQuote && strings.HasPrefix(s[i:], " or "):
			return nil, fmt.Errorf("The emulator joins $filter comparisons with 'and' only: %s", s)
		case !inQuote && strings.HasPrefix(s[i:], sep):
			out = append(out, s[start:i])
			start = i + len(sep)
			i += len(sep) - 1
		}
	}
	if inQuote {
		return nil, fmt.Errorf("A string literal lacks its closing quote in $filter: %s", s)
	}
	return append(out, s[start:]), nil
}

// unwrapParens strips the parentheses around a whole comparison.
func unwrapParens(s string) string {
	s = strings.TrimSpace(s)
	for strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

// auditComparison reads one "Field op literal" of an AuditLogs $filter.
func auditComparison(clause string) (func(*AuditLog) bool, error) {
	field, rest, ok := strings.Cut(clause, " ")
	op, literal, ok2 := strings.Cut(strings.TrimSpace(rest), " ")
	literal = strings.TrimSpace(literal)
	if !ok || !ok2 || literal == "" {
		return nil, fmt.Errorf("Syntax error in $filter: '%s' is not 'Property operator value'.", clause)
	}
	order, ok := comparisons[op]
	if !ok {
		return nil, fmt.Errorf("Syntax error in $filter: unknown operator '%s'.", op)
	}
	if get, ok := auditTimeFields[field]; ok {
		if strings.ContainsRune(literal, '\'') {
			return nil, fmt.Errorf("A binary operator with incompatible types was detected. Found operand types 'Edm.DateTimeOffset' and 'Edm.String' for operator kind '%s'.", op)
		}
		t, err := time.Parse(time.RFC3339Nano, literal)
		if err != nil {
			return nil, fmt.Errorf("'%s' is not a valid Edm.DateTimeOffset literal.", literal)
		}
		return func(r *AuditLog) bool { return order(get(r).Compare(t)) }, nil
	}
	if get, ok := auditIntFields[field]; ok {
		n, err := strconv.ParseInt(literal, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("'%s' is not a valid Edm.Int64 literal.", literal)
		}
		return func(r *AuditLog) bool { return order(cmpInt64(get(r), n)) }, nil
	}
	if get, ok := auditTextFields[field]; ok {
		if op != "eq" && op != "ne" {
			return nil, fmt.Errorf("The emulator compares %s with eq and ne only.", field)
		}
		// An enum may be written with its type: UiPath.Core.Enums.AuditComponent'Users'.
		if i := strings.IndexByte(literal, '\''); i > 0 {
			literal = literal[i:]
		}
		value, err := odataString(literal)
		if err != nil {
			return nil, err
		}
		return func(r *AuditLog) bool { return order(boolCompare(strings.EqualFold(get(r), value))) }, nil
	}
	return nil, fmt.Errorf("Could not find a property named '%s' on type 'UiPath.Server.Configuration.OData.AuditLogDto'.", field)
}

// comparisons are the OData comparison operators, each as a test of a
// three-way comparison's result.
var comparisons = map[string]func(int) bool{
	"eq": func(c int) bool { return c == 0 },
	"ne": func(c int) bool { return c != 0 },
	"gt": func(c int) bool { return c > 0 },
	"ge": func(c int) bool { return c >= 0 },
	"lt": func(c int) bool { return c < 0 },
	"le": func(c int) bool { return c <= 0 },
}

// boolCompare is an equality as a three-way comparison's result.
func boolCompare(equal bool) int {
	if equal {
		return 0
	}
	return 1
}

// identityAuditDTO is AuditQueryRecordDto.
type identityAuditDTO struct {
	CreatedOn       string   `json:"createdOn"`
	Category        nullable `json:"category"`
	Action          nullable `json:"action"`
	AuditLogDetails nullable `json:"auditLogDetails"`
	UserName        nullable `json:"userName"`
	Email           nullable `json:"email"`
	Message         nullable `json:"message"`
	DetailsVersion  nullable `json:"detailsVersion"`
	Source          nullable `json:"source"`
}

func toIdentityAuditDTO(r *IdentityAuditEvent) identityAuditDTO {
	return identityAuditDTO{
		CreatedOn: formatWireTime(r.CreatedOn), Category: nullable(r.Category), Action: nullable(r.Action),
		AuditLogDetails: nullable(r.Details), UserName: nullable(r.UserName), Email: nullable(r.Email),
		Message: nullable(r.Message), DetailsVersion: auditDetailsVersion, Source: nullable(r.Source),
	}
}

// identityAuditQuery serves GET /api/AuditQuery/{partitionGlobalId}: top
// (default 10, at most 1000) and skip, sortBy createdOn (the only one
// emulated; any other is refused with 400) and sortOrder desc (the
// default, newest first) or asc; language is accepted and ignored. The
// answer is a paged result with the total count.
func (s *Server) identityAuditQuery(c *call) {
	top, skip, ok := s.paging(c)
	if !ok {
		return
	}
	q := c.r.URL.Query()
	if by := queryValue(q, "sortBy"); by != "" && !strings.EqualFold(by, "createdOn") {
		c.validationProblem("sortBy", fmt.Sprintf("The emulator sorts audit events by createdOn only, not by '%s'.", by))
		return
	}
	desc := true
	switch order := queryValue(q, "sortOrder"); {
	case order == "" || strings.EqualFold(order, "desc"):
	case strings.EqualFold(order, "asc"):
		desc = false
	default:
		c.validationProblem("sortOrder", "The value '"+order+"' is not valid.")
		return
	}
	s.state.mu.RLock()
	log := visible(s.state.audit.identity, identityEventTime, time.Now(), s.cfg.AuditLag)
	results := make([]identityAuditDTO, 0, min(top, max(len(log)-skip, 0)))
	for i := skip; i < len(log) && len(results) < top; i++ {
		r := &log[i]
		if desc {
			r = &log[len(log)-1-i]
		}
		results = append(results, toIdentityAuditDTO(r))
	}
	s.state.mu.RUnlock()
	body, _ := json.Marshal(identityPage[identityAuditDTO]{TotalCount: int64(len(log)), Results: results})
	c.json(http.StatusOK, body)
}
