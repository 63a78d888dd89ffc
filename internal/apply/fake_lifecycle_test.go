package apply

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// The fake's account lifecycle: creates give ids of their own, deletes
// take every id or none, group members are the accounts' GroupIDs.

func (f *fake) newID() string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", len(f.users)+len(f.robots)+len(f.groups)+1000)
}

func (f *fake) CreateUser(ctx context.Context, nu NewUser, before BeforeSend) error {
	return f.write(ctx, "CreateUser", before, func() error {
		for _, u := range f.users {
			if strings.EqualFold(u.Email, nu.Email) {
				return &fakeErr{code: "conflict", status: 400}
			}
		}
		id := nu.ID
		if id == "" {
			id = f.newID()
		}
		f.users = append(f.users, &User{ID: id, Email: nu.Email, UserName: nu.UserName, Name: nu.Name,
			Surname: nu.Surname, DisplayName: nu.DisplayName, GroupIDs: slices.Clone(nu.GroupIDs), IsActive: true})
		return nil
	})
}

func (f *fake) CreateRobot(ctx context.Context, nr NewRobot, before BeforeSend) error {
	return f.write(ctx, "CreateRobot", before, func() error {
		f.robots = append(f.robots, &Robot{ID: f.newID(), Name: nr.Name, DisplayName: nr.DisplayName, GroupIDs: slices.Clone(nr.GroupIDs)})
		return nil
	})
}

func (f *fake) CreateGroup(ctx context.Context, ng NewGroup, before BeforeSend) error {
	return f.write(ctx, "CreateGroup", before, func() error {
		if ng.ID == "" {
			return &fakeErr{code: "validation", status: 400, fields: map[string][]string{"id": {"The Id field is required."}}}
		}
		if slices.ContainsFunc(f.groups, func(g Group) bool { return strings.EqualFold(g.ID, ng.ID) }) {
			return &fakeErr{code: "conflict", status: 409}
		}
		f.groups = append(f.groups, Group{ID: ng.ID, Name: ng.Name})
		return nil
	})
}

func (f *fake) UpdateGroupMembers(ctx context.Context, g Group, add, remove []string, before BeforeSend) error {
	return f.write(ctx, "UpdateGroupMembers", before, func() error {
		for _, u := range f.users {
			if slices.Contains(add, u.ID) && !slices.Contains(u.GroupIDs, g.ID) {
				u.GroupIDs = append(u.GroupIDs, g.ID)
			}
			if slices.Contains(remove, u.ID) {
				u.GroupIDs = slices.DeleteFunc(u.GroupIDs, func(id string) bool { return id == g.ID })
			}
		}
		return nil
	})
}

func (f *fake) DeleteUsers(ctx context.Context, ids []string, before BeforeSend) error {
	return f.write(ctx, "DeleteUsers", before, func() error {
		for i, id := range ids {
			if f.userByID(id) == nil {
				return &fakeErr{code: "not_found", status: 404, fields: map[string][]string{fmt.Sprintf("userIds[%d]", i): {"not found"}}}
			}
		}
		f.users = slices.DeleteFunc(f.users, func(u *User) bool { return slices.Contains(ids, u.ID) })
		return nil
	})
}

func (f *fake) DeleteRobots(ctx context.Context, ids []string, before BeforeSend) error {
	return f.write(ctx, "DeleteRobots", before, func() error {
		f.robots = slices.DeleteFunc(f.robots, func(r *Robot) bool { return slices.Contains(ids, r.ID) })
		return nil
	})
}

func (f *fake) DeleteGroups(ctx context.Context, ids []string, before BeforeSend) error {
	return f.write(ctx, "DeleteGroups", before, func() error {
		if f.bulkGroupDeleteTakesAll && len(ids) > 1 {
			f.groups = slices.DeleteFunc(f.groups, func(g Group) bool { return !g.BuiltIn })
		}
		f.groups = slices.DeleteFunc(f.groups, func(g Group) bool { return slices.Contains(ids, g.ID) })
		return nil
	})
}
