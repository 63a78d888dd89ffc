// Package suggest finds the name that a mistyped one probably meant (a
// column, an op, a flag).
package suggest

// Nearest returns the candidate nearest to name by edit distance, or ""
// when none is close enough to be a plausible typo: at most
// max(2, len(name)/3) edits. Of equally near candidates the first wins.
func Nearest(name string, candidates []string) string {
	best, bestDist := "", 1<<30
	for _, c := range candidates {
		if d := Distance(name, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	if bestDist > max(2, len(name)/3) {
		return ""
	}
	return best
}

// Distance is the Levenshtein distance between a and b, in bytes (the
// names compared are ASCII). Only a's first 64 bytes count: a longer name
// is no typo of a short one, and the work stays bounded.
func Distance(a, b string) int {
	if len(a) > 64 {
		a = a[:64]
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
