// Package budget holds request budgets: how many requests of a key may be
// sent in a rolling window. The client says what UiPath allows (and reads
// --limits into them); the worker's limiter keeps to them. Neither needs
// the other to speak of a budget.
package budget

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Budget is a rolling-window allowance: at most Requests requests in any
// span of Window.
type Budget struct {
	Requests int
	Window   time.Duration
}

// String formats the budget as a count and a window ("160/5m").
func (b Budget) String() string {
	return strconv.Itoa(b.Requests) + "/" + formatWindow(b.Window)
}

// Limits holds one budget per key (the caller's names, such as
// "identity:PUT"; this package gives them no meaning). A nil or empty
// Limits leaves every key unlimited (though a limiter may still learn
// budgets from 429 answers).
type Limits map[string]Budget

// String formats the limits as KEY=N/WINDOW, keys sorted; nil or empty
// limits format as "none".
func (l Limits) String() string {
	if len(l) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var sb strings.Builder
	for i, m := range keys {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(m + "=" + l[m].String())
	}
	return sb.String()
}

// formatWindow writes a window in the largest unit that divides it.
func formatWindow(d time.Duration) string {
	switch {
	case d > 0 && d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d > 0 && d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d > 0 && d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	default:
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	}
}
