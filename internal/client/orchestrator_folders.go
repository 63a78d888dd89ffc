package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// FoldersService reads and creates Orchestrator folders (odata/Folders)
// and says and changes who holds which folder roles in them (see
// orchestrator_access.go). Its reads need the scope OR.Folders.Read, its
// writes OR.Folders.Write (or OR.Folders for both): a token asks for them
// only when the caller names the operations (OpListFolders and the others
// of FolderOperations) with WithOperations.
type FoldersService service

// Folders returns the client's folder service.
func (c *Client) Folders() *FoldersService { return &FoldersService{client: c} }

// Folder is an Orchestrator folder (FolderDto), the parts we use.
type Folder struct {
	// ID is the folder's key, as in odata/Folders({key}) and as
	// AssignUsers and RemoveUser take it. Folder ids differ between
	// organizations: name folders by path.
	ID  int64
	Key string
	// DisplayName is the folder's own name; FullyQualifiedName its path,
	// the names of its ancestors and its own joined by "/"
	// ("Shared/Finance/AP").
	DisplayName        string
	FullyQualifiedName string
	Description        string
	// ParentID is nil for a folder at the root.
	ParentID  *int64
	ParentKey string
	// FolderType ("Standard", "Personal", "Virtual", "Solution",
	// "DebugSolution"), ProvisionType ("Manual", "Automatic"),
	// PermissionModel ("InheritFromTenant", "FineGrained") and FeedType
	// are read from their names or integer codes (see UnknownEnum).
	FolderType, ProvisionType, PermissionModel, FeedType string
}

// Modern reports whether the folder has its own fine-grained permissions
// (a modern folder), which accounts can be assigned to; a classic folder
// (InheritFromTenant) takes no assignments.
func (f Folder) Modern() bool { return f.PermissionModel == "FineGrained" }

// Enums of FolderDto, in the published definitions' order.
var (
	folderTypes      = enum{"Standard", "Personal", "Virtual", "Solution", "DebugSolution"}
	provisionTypes   = enum{"Manual", "Automatic"}
	permissionModels = enum{"InheritFromTenant", "FineGrained"}
	feedTypes        = enum{"Undefined", "Processes", "Libraries", "PersonalWorkspace", "FolderHierarchy"}
)

// UnmarshalJSON reads a FolderDto: enums as names or integer codes, a
// root folder's parent null or absent.
func (f *Folder) UnmarshalJSON(b []byte) error {
	var w struct {
		ID                 int64           `json:"Id"`
		Key                json.RawMessage `json:"Key"`
		DisplayName        string          `json:"DisplayName"`
		FullyQualifiedName string          `json:"FullyQualifiedName"`
		Description        *string         `json:"Description"`
		ParentID           *int64          `json:"ParentId"`
		ParentKey          json.RawMessage `json:"ParentKey"`
		FolderType         json.RawMessage `json:"FolderType"`
		ProvisionType      json.RawMessage `json:"ProvisionType"`
		PermissionModel    json.RawMessage `json:"PermissionModel"`
		FeedType           json.RawMessage `json:"FeedType"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("folder: %w", err)
	}
	*f = Folder{ID: w.ID, Key: str(w.Key), DisplayName: w.DisplayName, FullyQualifiedName: w.FullyQualifiedName,
		ParentID: w.ParentID, ParentKey: str(w.ParentKey)}
	if w.Description != nil {
		f.Description = *w.Description
	}
	f.FolderType, _ = folderTypes.decode(w.FolderType)
	f.ProvisionType, _ = provisionTypes.decode(w.ProvisionType)
	f.PermissionModel, _ = permissionModels.decode(w.PermissionModel)
	f.FeedType, _ = feedTypes.decode(w.FeedType)
	return nil
}

// folderPath is the OData path of the folder with id, followed by rest.
func folderPath(id int64, rest string) string {
	return "odata/Folders(" + strconv.FormatInt(id, 10) + ")" + rest
}

// List reads every folder of the tenant (GET odata/Folders with $top,
// $skip and $count, in id order): ⌈folders / 1,000⌉ GETs.
func (s *FoldersService) List(ctx context.Context) ([]Folder, error) {
	var out []Folder
	err := odataWalk(ctx, s.client, "folders", "odata/Folders?$orderby=Id%20asc&", func(f Folder) error {
		out = append(out, f)
		return nil
	})
	return out, err
}

// Get reads one folder by id (GET odata/Folders({key})).
func (s *FoldersService) Get(ctx context.Context, id int64) (Folder, error) {
	req, err := s.client.orchestratorRequest(ctx, http.MethodGet, folderPath(id, ""), nil)
	if err != nil {
		return Folder{}, err
	}
	var f Folder
	if _, err := s.client.Do(req, &f); err != nil {
		return Folder{}, fmt.Errorf("read folder %d: %w", id, err)
	}
	return f, nil
}

// FindByPath returns the folder whose FullyQualifiedName is path
// (odata/Folders?$filter=FullyQualifiedName eq '…', compared
// case-insensitively as the service does), in one GET; a *LookupError
// when there is none (or several).
func (s *FoldersService) FindByPath(ctx context.Context, path string) (Folder, error) {
	path = strings.Trim(path, "/")
	req, err := s.client.orchestratorRequest(ctx, http.MethodGet, "odata/Folders?$filter="+odataEq("FullyQualifiedName", path), nil)
	if err != nil {
		return Folder{}, err
	}
	var list struct {
		Value []Folder `json:"value"`
	}
	if _, err := s.client.Do(req, &list); err != nil {
		return Folder{}, fmt.Errorf("find folder %s: %w", path, err)
	}
	var found []Folder
	for _, f := range list.Value {
		if strings.EqualFold(f.FullyQualifiedName, path) {
			found = append(found, f)
		}
	}
	if len(found) != 1 {
		return Folder{}, &LookupError{Resource: "folder", By: "path", Value: path, Matches: len(found)}
	}
	return found[0], nil
}

// odataEq is an OData $filter "field eq 'value'", query-escaped (quotes
// in value doubled, spaces as %20).
func odataEq(field, value string) string {
	filter := field + " eq '" + strings.ReplaceAll(value, "'", "''") + "'"
	return strings.ReplaceAll(url.QueryEscape(filter), "+", "%20")
}

// NewFolder is a folder to create: its name, and its parent's id (nil for
// a folder at the root).
type NewFolder struct {
	DisplayName string
	ParentID    *int64
	Description string
}

// Create creates a folder (POST odata/Folders) and returns it as the
// service answers (its id, key and path). The folder is modern
// (PermissionModel FineGrained, ProvisionType Automatic), as UiPath's own
// tools make them: only a modern folder takes assignments. A name the
// parent already holds (case-insensitively) is refused with 409
// (KindConflict). A create is not idempotent: after a lost answer, look
// the folder up by path (FindByPath) before sending it again.
func (s *FoldersService) Create(ctx context.Context, nf NewFolder, opts ...WriteOption) (Folder, error) {
	body := map[string]any{"DisplayName": nf.DisplayName, "ProvisionType": "Automatic", "PermissionModel": "FineGrained"}
	if nf.ParentID != nil {
		body["ParentId"] = *nf.ParentID
	}
	if nf.Description != "" {
		body["Description"] = nf.Description
	}
	req, err := s.client.orchestratorRequest(ctx, http.MethodPost, "odata/Folders", body)
	if err != nil {
		return Folder{}, err
	}
	var f Folder
	if _, err := s.client.Do(req, &f, opts...); err != nil {
		return Folder{}, fmt.Errorf("create folder %s: %w", nf.DisplayName, err)
	}
	return f, nil
}
