package htmlreport

import (
	"fmt"
	"math"
	"time"
)

// histogram counts finished rows, their retries and the 429s they met
// over time since the run started, in a fixed number of buckets whose
// width doubles whenever a row finishes beyond the last: the same memory
// for a second's run and a night's.
type histogram struct {
	start   time.Time
	width   time.Duration
	buckets [histBuckets]bucket
	used    int // buckets up to the latest finish
	rows    int
}

type bucket struct{ rows, retries, throttled int }

const histBuckets = 1024

// maxBucketWidth is the widest a bucket grows: histBuckets of it span
// centuries, and a wider one would overflow time.Duration.
const maxBucketWidth = time.Duration(1<<62) / histBuckets / 2

func newHistogram(start time.Time) *histogram {
	return &histogram{start: start, width: 10 * time.Millisecond}
}

func (h *histogram) add(t time.Time, attempts, throttled int) {
	if h.start.IsZero() {
		h.start = t
	}
	off := max(t.Sub(h.start), 0)
	for off >= h.width*histBuckets && h.width <= maxBucketWidth {
		h.widen()
	}
	if off >= h.width*histBuckets {
		off = h.width*histBuckets - 1 // a time centuries off (a hand-edited or corrupt row): the last bucket
	}
	i := int(off / h.width)
	b := &h.buckets[i]
	b.rows++
	b.retries += max(attempts-1, 0)
	b.throttled += throttled
	h.used = max(h.used, i+1)
	h.rows++
}

// widen doubles the bucket width, merging neighbours.
func (h *histogram) widen() {
	for i := 0; i < histBuckets/2; i++ {
		a, b := h.buckets[2*i], h.buckets[2*i+1]
		h.buckets[i] = bucket{a.rows + b.rows, a.retries + b.retries, a.throttled + b.throttled}
	}
	clear(h.buckets[histBuckets/2:])
	h.used = (h.used + 1) / 2
	h.width *= 2
}

// chart is the timeline's drawing: bars in an SVG of fixed size.
type chart struct {
	Width, Height int
	// Top: rows per second; bottom: retries and 429s per bar.
	Rate          []bar
	Trouble       []bar
	RateMax       string
	TroubleMax    string
	Labels        []axisLabel
	TopH, BottomY int
	BottomH       int
	Retries       int
	Throttled     int
	BarSeconds    string
	Span          string
	// Pauses mark where a resumed run was interrupted.
	Pauses []pauseMark

	start time.Time     // the time at the plot's left edge
	span  time.Duration // the time the plot spans
}

// pauseMark is an interruption on the timeline: a band from X over W (0
// when only the resume is known) up to the resume, at End; its label goes
// left of End near the plot's right edge.
type pauseMark struct {
	X, W, End float64
	LabelLeft bool
	Title     string
}

type bar struct {
	X, Y, W, H float64
	Title      string
	Red        bool
}

type axisLabel struct {
	X            float64
	Text, Anchor string
}

// maxBars is how many bars the timeline draws at most.
const maxBars = 120

// draw lays the histogram out as bars: rows per second above, retries and
// 429s below. It returns nil when no row has a finish time.
func (h *histogram) draw() *chart {
	if h.rows == 0 {
		return nil
	}
	per := (h.used + maxBars - 1) / maxBars
	n := (h.used + per - 1) / per
	barDur := h.width * time.Duration(per)
	secs := barDur.Seconds()
	merged := make([]bucket, n)
	for i := 0; i < h.used; i++ {
		m := &merged[i/per]
		m.rows += h.buckets[i].rows
		m.retries += h.buckets[i].retries
		m.throttled += h.buckets[i].throttled
	}
	c := &chart{Width: 900, Height: 230, TopH: 120, BottomY: 156, BottomH: 54, BarSeconds: fmtDur(barDur), Span: fmtDur(barDur * time.Duration(n)),
		start: h.start, span: barDur * time.Duration(n)}
	const left, plotW = plotLeft, plotWidth
	bw := plotW / float64(n)
	maxRate, maxTrouble := 0.0, 0
	for _, m := range merged {
		maxRate = math.Max(maxRate, float64(m.rows)/secs)
		maxTrouble = max(maxTrouble, m.retries, m.throttled)
		c.Retries += m.retries
		c.Throttled += m.throttled
	}
	c.RateMax = fmt.Sprintf("%.0f rows/s", maxRate)
	c.TroubleMax = fmt.Sprint(maxTrouble)
	for i, m := range merged {
		x := left + float64(i)*bw
		from := barDur * time.Duration(i)
		if m.rows > 0 {
			rate := float64(m.rows) / secs
			hgt := math.Max(1, float64(c.TopH-16)*rate/maxRate)
			c.Rate = append(c.Rate, bar{X: x, Y: float64(c.TopH) - hgt, W: math.Max(bw-0.5, 0.5), H: hgt,
				Title: fmt.Sprintf("+%s: %d rows (%.1f rows/s)", fmtDur(from), m.rows, rate)})
		}
		if maxTrouble > 0 {
			half := math.Max(bw/2-0.25, 0.25)
			if m.retries > 0 {
				hgt := math.Max(1, float64(c.BottomH)*float64(m.retries)/float64(maxTrouble))
				c.Trouble = append(c.Trouble, bar{X: x, Y: float64(c.BottomY+c.BottomH) - hgt, W: half, H: hgt,
					Title: fmt.Sprintf("+%s: %d retries", fmtDur(from), m.retries)})
			}
			if m.throttled > 0 {
				hgt := math.Max(1, float64(c.BottomH)*float64(m.throttled)/float64(maxTrouble))
				c.Trouble = append(c.Trouble, bar{X: x + half, Y: float64(c.BottomY+c.BottomH) - hgt, W: half, H: hgt, Red: true,
					Title: fmt.Sprintf("+%s: %d 429s", fmtDur(from), m.throttled)})
			}
		}
	}
	for _, f := range []float64{0, 0.25, 0.5, 0.75, 1} {
		anchor := "middle"
		switch f {
		case 0:
			anchor = "start"
		case 1:
			anchor = "end"
		}
		c.Labels = append(c.Labels, axisLabel{X: left + f*plotW, Anchor: anchor, Text: "+" + fmtDur(time.Duration(f*float64(barDur)*float64(n)))})
	}
	return c
}

// plotLeft and plotWidth place the timeline's plot in its SVG.
const plotLeft, plotWidth = 50.0, 840.0

// markPauses marks the interruptions of a resumed run on the chart, each
// from the interruption (when known) to the resume, within the plot.
func (c *chart) markPauses(ps []pause) {
	if c.span <= 0 {
		return
	}
	x := func(t time.Time) float64 {
		f := float64(t.Sub(c.start)) / float64(c.span)
		return plotLeft + plotWidth*math.Min(math.Max(f, 0), 1)
	}
	for _, p := range ps {
		to := x(p.to)
		from := to
		if !p.from.IsZero() {
			from = x(p.from)
		}
		c.Pauses = append(c.Pauses, pauseMark{X: from, W: to - from, End: to, LabelLeft: to > plotLeft+plotWidth*0.8, Title: p.title})
	}
}

// fmtDur writes a duration the way a person reads a run's length.
func fmtDur(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	default:
		return d.Round(time.Second).String()
	}
}
