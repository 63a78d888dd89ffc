package apply

import (
	"net/http"

	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/manifest"
)

// opWrites is the service and HTTP method of the request each op writes
// with: the budget its rows wait for. An ensure op's write is the create
// (an account or group that exists already is updated with a PUT, or not
// written at all).
var opWrites = map[manifest.Op]struct{ service, method string }{
	manifest.OpUpdateUser:            {client.ServiceIdentity, http.MethodPut},
	manifest.OpSetPassword:           {client.ServiceIdentity, http.MethodPut},
	manifest.OpChangePassword:        {client.ServiceIdentity, http.MethodPost},
	manifest.OpUpdateRobotAccount:    {client.ServiceIdentity, http.MethodPut},
	manifest.OpEnsureUser:            {client.ServiceIdentity, http.MethodPost},
	manifest.OpDeleteUser:            {client.ServiceIdentity, http.MethodDelete},
	manifest.OpEnsureRobotAccount:    {client.ServiceIdentity, http.MethodPost},
	manifest.OpDeleteRobotAccount:    {client.ServiceIdentity, http.MethodDelete},
	manifest.OpEnsureGroup:           {client.ServiceIdentity, http.MethodPost},
	manifest.OpDeleteGroup:           {client.ServiceIdentity, http.MethodDelete},
	manifest.OpSetRobotCredentials:   {client.ServiceOrchestrator, http.MethodPatch},
	manifest.OpUpdateUnattendedRobot: {client.ServiceOrchestrator, http.MethodPatch},
	manifest.OpEnsureFolder:          {client.ServiceOrchestrator, http.MethodPost},
	manifest.OpSetFolderAccess:       {client.ServiceOrchestrator, http.MethodPost},
	manifest.OpRemoveFolderAccess:    {client.ServiceOrchestrator, http.MethodPost},
	manifest.OpSetTenantRoles:        {client.ServiceOrchestrator, http.MethodPost},
	manifest.OpSetCredentialAsset:    {client.ServiceOrchestrator, http.MethodPut},
}

// Lane is the budget a row waits for, as the client's throttle key
// (client.ThrottleKey): its write's when the run writes, its service's
// reads in a plan. Rows of one lane queue behind each other for a worker
// when their budget is used up; rows of another lane do not (see
// worker.Lanes). A membership row sent through its group (a bulk phase)
// is a PUT of Identity, as its own write is.
func Lane(job *manifest.Job, writes bool) string {
	w, ok := opWrites[job.Op]
	if !ok {
		w.service, w.method = client.ServiceIdentity, http.MethodPut
	}
	if !writes {
		w.method = http.MethodGet
	}
	return client.ThrottleKey(w.service, w.method)
}
