package worker

// sendLog is a queue of send times (nanoseconds on the limiter's time line),
// oldest first, holding at most what the current budget window needs. It
// reuses its backing array, so a steady stream of pushes does not allocate.
type sendLog struct {
	times []int64
	head  int
}

// len returns the number of entries.
func (s *sendLog) len() int { return len(s.times) - s.head }

// at returns the i-th oldest entry.
func (s *sendLog) at(i int) int64 { return s.times[s.head+i] }

// last returns the newest entry, or minInt64 when empty.
func (s *sendLog) last() int64 {
	if s.len() == 0 {
		return -1 << 63
	}
	return s.times[len(s.times)-1]
}

// push appends t, which must not be older than last().
func (s *sendLog) push(t int64) {
	if len(s.times) == cap(s.times) && s.head > 0 {
		n := copy(s.times, s.times[s.head:])
		s.times = s.times[:n]
		s.head = 0
	}
	s.times = append(s.times, t)
}

// trim drops entries at or before cutoff.
func (s *sendLog) trim(cutoff int64) {
	for s.head < len(s.times) && s.times[s.head] <= cutoff {
		s.head++
	}
	if s.head == len(s.times) {
		s.times = s.times[:0]
		s.head = 0
	}
}

// remove deletes one entry equal to t, searching from the newest end; it
// reports whether one was found.
func (s *sendLog) remove(t int64) bool {
	for i := len(s.times) - 1; i >= s.head; i-- {
		switch {
		case s.times[i] == t:
			copy(s.times[i:], s.times[i+1:])
			s.times = s.times[:len(s.times)-1]
			return true
		case s.times[i] < t:
			return false
		}
	}
	return false
}

// reset empties the log, keeping its array.
func (s *sendLog) reset() {
	s.times = s.times[:0]
	s.head = 0
}

// nextSlot returns the earliest time not before now (nor before the newest
// entry, so that callers are served in order) at which one more send keeps
// every span of span nanoseconds at most requests sends.
func (s *sendLog) nextSlot(now int64, requests int, span int64) int64 {
	s.trim(now - span)
	return s.slot(now, requests, span)
}

// slot is nextSlot without dropping old entries (for trying a shorter span
// while the longer one stays in force).
func (s *sendLog) slot(now int64, requests int, span int64) int64 {
	t := max(now, s.last())
	if n := s.len(); n >= requests {
		t = max(t, s.at(n-requests)+span)
	}
	return t
}
