package runner

import (
	"context"

	"github.com/uipath-batch/batch/internal/apply"
	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/export"
	"github.com/uipath-batch/batch/internal/worker"
)

// An export's reads go through the run's retry policy (--max-attempts):
// a read that failed in a retryable way (429, 502, 503, 504, a dropped
// connection) is read again. A walk through a list is read again whole,
// and handed on only once it has been read whole, so that no item is
// handed on twice (an export holds its rows until its lists are read
// anyway).

// retryingReader is an apply.Reader whose list reads are retried, telling
// progress (nil: no one) how the account lists' reading goes.
type retryingReader struct {
	apply.Reader
	policy   worker.RetryPolicy
	progress apply.ListProgress
}

// again runs read under the policy.
func again(ctx context.Context, p worker.RetryPolicy, read func(context.Context) error) error {
	_, err := worker.Retry(ctx, p, func(ctx context.Context, _ int) error { return read(ctx) })
	return err
}

// whole reads a list with walk under the policy, afresh on each attempt,
// and hands its items to fn once it is read whole.
func whole[T any](ctx context.Context, p worker.RetryPolicy, walk func(context.Context, func(T) error) error, fn func(T) error) error {
	var items []T
	err := again(ctx, p, func(ctx context.Context) error {
		items = items[:0]
		return walk(ctx, func(it T) error { items = append(items, it); return nil })
	})
	if err != nil {
		return err
	}
	for _, it := range items {
		if err := fn(it); err != nil {
			return err
		}
	}
	return nil
}

func (r retryingReader) EachUser(ctx context.Context, fn func(apply.User) error) error {
	return countedWhole(ctx, r, "the user list", r.Reader.EachUserWithTotal, fn)
}

func (r retryingReader) EachRobot(ctx context.Context, fn func(apply.Robot) error) error {
	return countedWhole(ctx, r, "the robot account list", r.Reader.EachRobotWithTotal, fn)
}

func (r retryingReader) EachOrchestratorUser(ctx context.Context, fn func(apply.OrchestratorUser) error) error {
	walk := func(ctx context.Context, _ func(int64) error, fn func(apply.OrchestratorUser) error) error {
		return r.Reader.EachOrchestratorUser(ctx, fn) // it says no total
	}
	return countedWhole(ctx, r, "Orchestrator's user list", walk, fn)
}

// countedWhole reads the list called name with walk, whole (see whole),
// telling r's progress how far each attempt is.
func countedWhole[T any](ctx context.Context, r retryingReader, name string, walk func(context.Context, func(int64) error, func(T) error) error, fn func(T) error) error {
	lr := apply.NewListReading(r.progress, name)
	defer lr.End()
	return whole(ctx, r.policy, func(ctx context.Context, fn func(T) error) error {
		lr.Restart()
		return walk(ctx, lr.WithTotal(nil), func(it T) error {
			lr.Add()
			return fn(it)
		})
	}, fn)
}

func (r retryingReader) ListGroups(ctx context.Context) ([]apply.Group, error) {
	var gs []apply.Group
	err := again(ctx, r.policy, func(ctx context.Context) error {
		var err error
		gs, err = r.Reader.ListGroups(ctx)
		return err
	})
	return gs, err
}

func (r retryingReader) CredentialStores(ctx context.Context) ([]apply.CredentialStore, error) {
	var cs []apply.CredentialStore
	err := again(ctx, r.policy, func(ctx context.Context) error {
		var err error
		cs, err = r.Reader.CredentialStores(ctx)
		return err
	})
	return cs, err
}

// retryingAccess is an export.AccessReader whose reads are retried.
type retryingAccess struct {
	export.AccessReader
	policy worker.RetryPolicy
}

// retried reads one answer under the policy.
func retried[T any](ctx context.Context, p worker.RetryPolicy, read func(context.Context) (T, error)) (T, error) {
	var out T
	err := again(ctx, p, func(ctx context.Context) error {
		var err error
		out, err = read(ctx)
		return err
	})
	return out, err
}

func (r retryingAccess) Folders(ctx context.Context) ([]client.Folder, error) {
	return retried(ctx, r.policy, r.AccessReader.Folders)
}

func (r retryingAccess) Roles(ctx context.Context) ([]client.Role, error) {
	return retried(ctx, r.policy, r.AccessReader.Roles)
}

func (r retryingAccess) FolderUsers(ctx context.Context, folderID int64) ([]client.FolderMember, error) {
	return retried(ctx, r.policy, func(ctx context.Context) ([]client.FolderMember, error) {
		return r.AccessReader.FolderUsers(ctx, folderID)
	})
}

func (r retryingAccess) EachOrchestratorUser(ctx context.Context, fn func(client.OrchestratorUser) error) error {
	return whole(ctx, r.policy, r.AccessReader.EachOrchestratorUser, fn)
}

// retryingAssets is an export.AssetReader whose reads are retried.
type retryingAssets struct {
	export.AssetReader
	policy worker.RetryPolicy
}

func (r retryingAssets) Folders(ctx context.Context) ([]client.Folder, error) {
	return retried(ctx, r.policy, r.AssetReader.Folders)
}

func (r retryingAssets) Assets(ctx context.Context, folderID int64) ([]client.Asset, error) {
	return retried(ctx, r.policy, func(ctx context.Context) ([]client.Asset, error) {
		return r.AssetReader.Assets(ctx, folderID)
	})
}

func (r retryingAssets) CredentialStores(ctx context.Context) ([]client.CredentialStore, error) {
	return retried(ctx, r.policy, r.AssetReader.CredentialStores)
}
