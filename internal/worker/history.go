package worker

import "time"

// historyBucket is the resolution of a sendHistory; historyBuckets of them
// cover a little over 400 s of sends to look back on when a 429 teaches a
// budget (more than the 5-minute windows of the client's published budgets).
const (
	historyBucket  = int64(50 * time.Millisecond)
	historyBuckets = 8192
)

// sendHistory counts sends per 50 ms bucket over the last ~400 s, in fixed
// memory. The limiter reads it when a 429 shows that a method's budget is
// unknown or wrong: how many requests went out recently, and since when.
type sendHistory struct {
	counts [historyBuckets]uint32
	newest int64 // index of the newest bucket in use
	total  int
}

func bucketOf(t int64) int64 {
	if t < 0 {
		return (t - historyBucket + 1) / historyBucket
	}
	return t / historyBucket
}

func slotOf(b int64) int {
	return int(((b % historyBuckets) + historyBuckets) % historyBuckets)
}

// add counts n sends at time t.
func (h *sendHistory) add(t int64, n int) {
	b := bucketOf(t)
	if h.total == 0 && b > h.newest {
		h.newest = b
	}
	if b > h.newest {
		h.advance(b)
	}
	if b <= h.newest-historyBuckets {
		return // older than the history keeps
	}
	h.counts[slotOf(b)] += uint32(n)
	h.total += n
}

// advance moves the newest bucket to b, forgetting buckets that fall out.
func (h *sendHistory) advance(b int64) {
	if b-h.newest >= historyBuckets {
		h.counts = [historyBuckets]uint32{}
		h.total = 0
		h.newest = b
		return
	}
	for i := h.newest + 1; i <= b; i++ {
		s := slotOf(i)
		h.total -= int(h.counts[s])
		h.counts[s] = 0
	}
	h.newest = b
}

// remove uncounts one send at time t, if it is still counted.
func (h *sendHistory) remove(t int64) {
	b := bucketOf(t)
	if b > h.newest || b <= h.newest-historyBuckets {
		return
	}
	if s := slotOf(b); h.counts[s] > 0 {
		h.counts[s]--
		h.total--
	}
}

// oldest returns the start of the oldest bucket holding a send, and false if
// there is none.
func (h *sendHistory) oldest() (int64, bool) {
	if h.total == 0 {
		return 0, false
	}
	for b := h.newest - historyBuckets + 1; b <= h.newest; b++ {
		if h.counts[slotOf(b)] > 0 {
			return b * historyBucket, true
		}
	}
	return 0, false
}

// since calls fn, oldest first, for each bucket ending after from that holds
// sends, with the bucket's end time and count.
func (h *sendHistory) since(from int64, fn func(end int64, n int)) {
	first := max(bucketOf(from), h.newest-historyBuckets+1)
	for b := first; b <= h.newest; b++ {
		if n := h.counts[slotOf(b)]; n > 0 {
			fn((b+1)*historyBucket, int(n))
		}
	}
}
