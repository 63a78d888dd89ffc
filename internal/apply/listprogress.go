package apply

// ListProgress is told how far the reading of a whole list is: list names
// it ("the user list"), read and total (0: not known yet) count its
// accounts; an empty list says the reading ended. A large organization's
// list takes minutes at the service's budget, before any row can go on.
type ListProgress func(list string, read, total int64)

// OnListProgress makes the resolver tell fn how its reads of whole lists
// go. Set it before Prepare; fn is called from the goroutine reading.
func (rs *Resolver) OnListProgress(fn ListProgress) { rs.progress = fn }

// listReading counts the accounts of one list being read, for the
// resolver's ListProgress.
type listReading struct {
	progress    ListProgress
	name        string
	read, total int64
}

// reading starts telling the progress of a list called name.
func (rs *Resolver) reading(name string) *listReading {
	lr := &listReading{progress: rs.progress, name: name}
	lr.tell()
	return lr
}

// withTotal is a list walk's total hook that also records the total, then
// asks next (nil: none).
func (lr *listReading) withTotal(next func(int64) error) func(int64) error {
	return func(total int64) error {
		lr.total = total
		lr.tell()
		if next == nil {
			return nil
		}
		return next(total)
	}
}

// add counts one account read.
func (lr *listReading) add() {
	lr.read++
	if lr.read%100 == 0 {
		lr.tell()
	}
}

func (lr *listReading) tell() {
	if lr.progress != nil {
		lr.progress(lr.name, lr.read, lr.total)
	}
}

// end says the list was read (or given up).
func (lr *listReading) end() {
	if lr.progress != nil {
		lr.progress("", 0, 0)
	}
}
