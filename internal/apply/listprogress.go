package apply

// ListProgress is told how far the reading of a whole list is: list names
// it ("the user list"), read and total (0: not known yet) count its
// accounts; an empty list says the reading ended. A large organization's
// list takes minutes at the service's budget, before any row can go on.
type ListProgress func(list string, read, total int64)

// OnListProgress makes the resolver tell fn how its reads of whole lists
// go. Set it before Prepare; fn is called from the goroutine reading.
func (rs *Resolver) OnListProgress(fn ListProgress) { rs.progress = fn }

// ListReading counts the accounts of one list being read, for a
// ListProgress (nil: it counts for no one).
type ListReading struct {
	progress    ListProgress
	name        string
	read, total int64
}

// NewListReading starts telling progress how the reading of the list
// called name goes.
func NewListReading(progress ListProgress, name string) *ListReading {
	lr := &ListReading{progress: progress, name: name}
	lr.tell()
	return lr
}

// reading starts telling the resolver's progress of a list called name.
func (rs *Resolver) reading(name string) *ListReading { return NewListReading(rs.progress, name) }

// Restart counts from zero again: the list is read again from its first
// page.
func (lr *ListReading) Restart() {
	lr.read = 0
	lr.tell()
}

// WithTotal is a list walk's total hook that also records the total, then
// asks next (nil: none).
func (lr *ListReading) WithTotal(next func(int64) error) func(int64) error {
	return func(total int64) error {
		lr.total = total
		lr.tell()
		if next == nil {
			return nil
		}
		return next(total)
	}
}

// Add counts one account read.
func (lr *ListReading) Add() {
	lr.read++
	if lr.read%100 == 0 {
		lr.tell()
	}
}

func (lr *ListReading) tell() {
	if lr.progress != nil {
		lr.progress(lr.name, lr.read, lr.total)
	}
}

// End says the list was read (or given up).
func (lr *ListReading) End() {
	if lr.progress != nil {
		lr.progress("", 0, 0)
	}
}
