package client

import "context"

// bulkDelete deletes what (users, robot accounts, groups) by ids in one
// DELETE whose URL and body request builds for the partition. Nothing is
// sent for no ids (a request naming none may mean all), a list holding an
// empty id is refused before anything is sent, and a refusal for carrying
// too many ids matches ErrBulkTooLarge.
func (c *Client) bulkDelete(ctx context.Context, what string, ids []string, request func(partition string) (urlStr string, body any), opts ...WriteOption) error {
	if len(ids) == 0 {
		return nil
	}
	if err := checkBulkIDs(what, ids); err != nil {
		return err
	}
	partition, err := c.PartitionID(ctx)
	if err != nil {
		return err
	}
	u, body := request(partition)
	return checkBulk(c.sendDelete(ctx, u, body, opts...), len(ids))
}
