package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Folder is an Orchestrator folder (FolderDto) as the emulator holds it.
// FullyQualifiedName is its path: the display names of its ancestors and
// its own, joined by "/" ("Shared/Finance/AP").
type Folder struct {
	ID                 int64  `json:"Id"`
	Key                string `json:"Key"`
	DisplayName        string `json:"DisplayName"`
	FullyQualifiedName string `json:"FullyQualifiedName"`
	Description        string `json:"Description,omitempty"`
	// ParentID is 0 for a folder at the root.
	ParentID        int64  `json:"ParentId,omitempty"`
	FolderType      string `json:"FolderType"`
	ProvisionType   string `json:"ProvisionType"`
	PermissionModel string `json:"PermissionModel"`
	FeedType        string `json:"FeedType"`
}

// Enum values of FolderDto the emulator accepts, the first of each its
// default: a folder made without them is a modern folder (fine-grained
// permissions), as UiPath's own tools create them.
var (
	folderTypes      = []string{"Standard", "Personal", "Virtual", "Solution", "DebugSolution"}
	provisionTypes   = []string{"Automatic", "Manual"}
	permissionModels = []string{"FineGrained", "InheritFromTenant"}
	feedTypes        = []string{"Processes", "Undefined", "Libraries", "PersonalWorkspace", "FolderHierarchy"}
)

// folderPathDivider joins the names of a folder's path.
const folderPathDivider = "/"

// maxFolderName is FolderDto.DisplayName's maxLength.
const maxFolderName = 115

// folderIDBase is where the folder ids of an organization generated from
// seed start: folder ids differ between organizations of different seeds,
// as they do between UiPath tenants.
func folderIDBase(seed int64) int64 { return 10_000 + 1000*seedSlot(seed) }

// seedSlot maps a seed into [0, 1000), the slot its id ranges use.
func seedSlot(seed int64) int64 { return (seed%1000 + 1000) % 1000 }

// folderByPath returns the folder whose FullyQualifiedName is path
// (case-insensitively, surrounding slashes ignored); nil when none. The
// caller holds the store's lock.
func (st *store) folderByPath(path string) *Folder {
	path = strings.Trim(path, folderPathDivider)
	for _, id := range st.folderOrder {
		if f := st.folders[id]; strings.EqualFold(f.FullyQualifiedName, path) {
			return f
		}
	}
	return nil
}

// childNamed returns the folder called name (case-insensitively) under
// parent (0: the root); nil when none. The caller holds the store's lock.
func (st *store) childNamed(parent int64, name string) *Folder {
	for _, id := range st.folderOrder {
		if f := st.folders[id]; f.ParentID == parent && strings.EqualFold(f.DisplayName, name) {
			return f
		}
	}
	return nil
}

// ancestors returns f's parent, its parent's parent and so on up to the
// root. The caller holds the store's lock.
func (st *store) ancestors(f *Folder) []*Folder {
	var out []*Folder
	for p := st.folders[f.ParentID]; p != nil; p = st.folders[p.ParentID] {
		out = append(out, p)
	}
	return out
}

// newFolder adds a folder called name under parent (0: the root), with
// the given key (a GUID) and id (0: the next one), and returns it. The
// caller holds the store's write lock and has checked that the name and
// the id are free.
func (st *store) newFolder(id, parent int64, name, key string) *Folder {
	if id == 0 {
		id = st.lastFolder + 1
	}
	st.lastFolder = max(st.lastFolder, id)
	f := &Folder{
		ID: id, Key: key, DisplayName: name, FullyQualifiedName: name, ParentID: parent,
		FolderType: folderTypes[0], ProvisionType: provisionTypes[0], PermissionModel: permissionModels[0], FeedType: feedTypes[0],
	}
	if p := st.folders[parent]; p != nil {
		f.FullyQualifiedName = p.FullyQualifiedName + folderPathDivider + name
	}
	st.folders[f.ID] = f
	st.folderOrder = append(st.folderOrder, f.ID)
	return f
}

// folderNameProblem says what is wrong with a folder's display name, or
// "" when it will do. A "/" would make its path ambiguous.
func folderNameProblem(name string) string {
	switch {
	case strings.TrimSpace(name) == "":
		return "The DisplayName field is required."
	case len([]rune(name)) > maxFolderName:
		return fmt.Sprintf("The field DisplayName must be a string with a maximum length of %d.", maxFolderName)
	case strings.Contains(name, folderPathDivider):
		return "The folder name cannot contain '" + folderPathDivider + "'."
	}
	return ""
}

// folderDTO is FolderDto as GET and POST answer it. Live, a root
// folder's ParentId and ParentKey and an empty Description are null; in
// spec shapes they are left out (the definitions do not declare them
// nullable).
type folderDTO struct {
	Key                string          `json:"Key"`
	DisplayName        string          `json:"DisplayName"`
	FullyQualifiedName string          `json:"FullyQualifiedName"`
	Description        json.RawMessage `json:"Description,omitempty"`
	FolderType         string          `json:"FolderType"`
	IsPersonal         bool            `json:"IsPersonal"`
	ProvisionType      string          `json:"ProvisionType"`
	PermissionModel    string          `json:"PermissionModel"`
	ParentID           json.RawMessage `json:"ParentId,omitempty"`
	ParentKey          json.RawMessage `json:"ParentKey,omitempty"`
	FeedType           string          `json:"FeedType"`
	ID                 int64           `json:"Id"`
}

var jsonNull = json.RawMessage("null")

// absent is how an answer carries a value it lacks: null live, left out
// in spec shapes.
func (s *Server) absent() json.RawMessage {
	if s.cfg.SpecShapes {
		return nil
	}
	return jsonNull
}

// toFolderDTO shapes f. The caller holds the store's lock.
func (s *Server) toFolderDTO(f *Folder) folderDTO {
	dto := folderDTO{
		Key: f.Key, DisplayName: f.DisplayName, FullyQualifiedName: f.FullyQualifiedName,
		FolderType: f.FolderType, IsPersonal: f.FolderType == "Personal", ProvisionType: f.ProvisionType,
		PermissionModel: f.PermissionModel, FeedType: f.FeedType, ID: f.ID,
		Description: s.absent(), ParentID: s.absent(), ParentKey: s.absent(),
	}
	if f.Description != "" {
		dto.Description, _ = json.Marshal(f.Description)
	}
	if p := s.state.folders[f.ParentID]; p != nil {
		dto.ParentID = json.RawMessage(strconv.FormatInt(p.ID, 10))
		dto.ParentKey, _ = json.Marshal(p.Key)
	}
	return dto
}

// folderFields are the FolderDto properties a $filter compares.
var folderFields = odataFields[Folder]{
	typeName: "UiPath.Server.Configuration.OData.FolderDto",
	id:       func(f *Folder) int64 { return f.ID },
	text: map[string]func(*Folder) string{
		"DisplayName":        func(f *Folder) string { return f.DisplayName },
		"FullyQualifiedName": func(f *Folder) string { return f.FullyQualifiedName },
		"FolderType":         func(f *Folder) string { return f.FolderType },
	},
}

// listFolders serves GET /odata/Folders with $filter, $top and $skip, in
// id order.
func (s *Server) listFolders(c *call) {
	serveODataList(s, c, "Folders", folderFields, func(st *store, skip, top int, match func(*Folder) bool) ([]folderDTO, int) {
		return pageOf(st.folderOrder, st.folders, skip, top, match, s.toFolderDTO)
	})
}

// getFolder serves GET /odata/Folders({key}).
func (s *Server) getFolder(c *call) {
	key, ok := orchestratorKey(c)
	if !ok {
		return
	}
	s.state.mu.RLock()
	f := s.state.folders[key]
	var dto folderDTO
	if f != nil {
		dto = s.toFolderDTO(f)
	}
	s.state.mu.RUnlock()
	if f == nil {
		c.orchestratorNotFound("Folder does not exist.", 1002)
		return
	}
	s.answerEntity(c, http.StatusOK, "Folders/$entity", dto)
}

// answerEntity answers one entity of entitySet with its @odata.context.
func (s *Server) answerEntity(c *call, status int, entitySet string, dto any) {
	fields, _ := json.Marshal(dto)
	ctx, _ := json.Marshal(s.odataContext(c, entitySet))
	body := make([]byte, 0, len(fields)+len(ctx)+20)
	body = append(body, `{"@odata.context":`...)
	body = append(body, ctx...)
	if len(fields) > 2 {
		body = append(body, ',')
		body = append(body, fields[1:]...)
	} else {
		body = append(body, '}')
	}
	c.json(status, body)
}

// createFolder serves POST /odata/Folders: a FolderDto with DisplayName
// and, for a subfolder, ParentId or ParentKey. A name already used under
// the same parent (case-insensitively) is refused with 409; an unknown
// parent with 400. It answers 201 with the folder.
func (s *Server) createFolder(c *call) {
	body, err := readBody(c)
	if err != nil {
		c.orchestratorInvalid("The request body could not be read.", 0)
		return
	}
	var (
		name, description, parentKey                         *string
		parentID                                             *int64
		folderType, provisionType, permissionModel, feedType *string
	)
	err = odataProps(body, "UiPath.Server.Configuration.OData.FolderDto", map[string]any{
		"DisplayName": &name, "Description": &description, "ParentId": &parentID, "ParentKey": &parentKey,
		"FolderType": &folderType, "ProvisionType": &provisionType, "PermissionModel": &permissionModel, "FeedType": &feedType,
		// Read-only: accepted and ignored.
		"Id": nil, "Key": nil, "FullyQualifiedName": nil, "IsPersonal": nil,
	})
	if err != nil {
		c.orchestratorInvalid(err.Error(), 0)
		return
	}
	if name == nil {
		name = new(string)
	}
	if msg := folderNameProblem(*name); msg != "" {
		c.orchestratorInvalid(msg, 0)
		return
	}
	if description != nil && len([]rune(*description)) > 500 {
		c.orchestratorInvalid("The field Description must be a string with a maximum length of 500.", 0)
		return
	}
	enums := []struct {
		field string
		value *string
		allow []string
	}{
		{"FolderType", folderType, folderTypes[:1]}, // the other types are not created this way
		{"ProvisionType", provisionType, provisionTypes},
		{"PermissionModel", permissionModel, permissionModels},
		{"FeedType", feedType, feedTypes},
	}
	for _, e := range enums {
		if e.value != nil && !slices.Contains(e.allow, *e.value) {
			c.orchestratorInvalid(fmt.Sprintf("The value '%s' is not valid for %s.", *e.value, e.field), 0)
			return
		}
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	var parent int64
	switch {
	case parentID != nil:
		if st.folders[*parentID] == nil {
			c.orchestratorInvalid(fmt.Sprintf("The parent folder %d does not exist.", *parentID), 0)
			return
		}
		parent = *parentID
	case parentKey != nil && *parentKey != "":
		i := slices.IndexFunc(st.folderOrder, func(id int64) bool { return strings.EqualFold(st.folders[id].Key, *parentKey) })
		if i < 0 {
			c.orchestratorInvalid(fmt.Sprintf("The parent folder %s does not exist.", *parentKey), 0)
			return
		}
		parent = st.folderOrder[i]
	}
	if dup := st.childNamed(parent, *name); dup != nil {
		c.orchestratorConflict(fmt.Sprintf("A folder named '%s' already exists there (%s).", dup.DisplayName, dup.FullyQualifiedName), 0)
		return
	}
	f := st.newFolder(0, parent, *name, newGUID())
	for _, set := range []struct {
		dst *string
		v   *string
	}{{&f.ProvisionType, provisionType}, {&f.PermissionModel, permissionModel}, {&f.FeedType, feedType}, {&f.Description, description}} {
		if set.v != nil {
			*set.dst = *set.v
		}
	}
	folder := map[string]any{"Id": f.ID, "Key": f.Key, "DisplayName": f.DisplayName, "FullyQualifiedName": f.FullyQualifiedName,
		"ParentId": f.ParentID, "PermissionModel": f.PermissionModel, "ProvisionType": f.ProvisionType}
	st.auditOrchestrator(s.actorOf(c), orchestratorChange{component: AuditFolders, action: AuditCreate, method: "Create",
		displayName: f.DisplayName, entityID: f.ID, entityName: "Folder",
		parameters: map[string]any{"DisplayName": f.DisplayName, "ParentId": f.ParentID, "FullyQualifiedName": f.FullyQualifiedName},
		after:      folder})
	s.answerEntity(c, http.StatusCreated, "Folders/$entity", s.toFolderDTO(f))
}
