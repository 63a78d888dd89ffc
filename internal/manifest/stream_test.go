package manifest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestValidateMemoryIsFlatInTheProblems validates 200,000 rows with a
// problem on every row and samples the live heap, after a collection,
// while the problems come: it must grow by no more than the Bloom
// filter's fixed 4 MiB and a little, far below what holding the problems
// takes (measured once, by holding them), and the problems must come in
// line order, each once.
func TestValidateMemoryIsFlatInTheProblems(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and validates 200,000 rows")
	}
	const rows = 200000
	const bound = 8 << 20 // the Bloom filter (4 MiB), buffers, one row
	for _, tc := range []struct {
		name    string
		row     func(i int) string
		want    int  // problems
		control bool // also measure the heap when the problems are held
	}{
		// One read: no row is valid, so no target can be named twice.
		{"every row invalid", func(i int) string { return fmt.Sprintf("update_user,not-an-address-%d,N%d", i, i) }, rows, true},
		// Two reads: every other row changes the same account as the
		// first valid row, so conflicts and row problems interleave from
		// the second valid row on.
		{"row problems and conflicts", func(i int) string {
			if i%2 == 1 {
				return fmt.Sprintf("update_user,not-an-address-%d,N%d", i, i)
			}
			return fmt.Sprintf("update_user,same@example.com,N%d", i)
		}, rows - 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "m.csv")
			writeRows(t, path, "op,email,name", rows, tc.row)
			if tc.control {
				// The test can tell: holding the problems exceeds the bound.
				if held := heapGrowth(t, path, true, tc.want); held < 2*bound {
					t.Fatalf("holding %d problems grows the heap by only %.1f MiB: the bound of %.1f MiB cannot tell", tc.want, mib(held), mib(bound))
				} else {
					t.Logf("holding the %d problems: heap growth %.1f MiB", tc.want, mib(held))
				}
			}
			streamed := heapGrowth(t, path, false, tc.want)
			t.Logf("%d problems streamed: heap growth %.1f MiB", tc.want, mib(streamed))
			if streamed > bound {
				t.Errorf("the heap grew by %.1f MiB while %d problems came, more than %.1f MiB: problems are held", mib(streamed), tc.want, mib(bound))
			}
		})
	}
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// heapGrowth validates path and returns the largest live heap growth over
// the heap before Validate, sampled after a collection every 20,000
// problems; with hold the callback keeps every problem (what a sorted
// report would cost). It checks the count and the line order.
func heapGrowth(t *testing.T, path string, hold bool, want int) uint64 {
	t.Helper()
	var ms runtime.MemStats
	sample := func() uint64 {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	var kept []Problem
	base := sample()
	peak, n, last := uint64(0), 0, 0
	_, err := Validate(context.Background(), path, Options{}, func(p Problem) {
		n++
		if p.Source.Line <= last {
			t.Fatalf("problem %d at line %d after line %d: not in line order", n, p.Source.Line, last)
		}
		last = p.Source.Line
		if hold {
			kept = append(kept, p)
		}
		if n%20000 == 0 {
			if h := sample(); h > base {
				peak = max(peak, h-base)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Fatalf("%d problems, want %d", n, want)
	}
	runtime.KeepAlive(kept)
	return peak
}

// writeRows writes a CSV manifest of header and n rows.
func writeRows(t *testing.T, path, header string, n int, row func(i int) string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, header)
	for i := 1; i <= n; i++ {
		fmt.Fprintln(w, row(i))
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestValidateOrder checks that problems come in line order, each once,
// whichever check finds them: the rows' own (a row's problems are found
// column by column), the conflicts the second read finds, the file's own
// problems after the rows, and problems shared by rows (a YAML default or
// anchor), reported once at their own line.
func TestValidateOrder(t *testing.T) {
	tests := []struct {
		name, file, content string
		want                []string // LINE: start of message
	}{
		{
			name: "a row's problems by line, conflicts in between",
			file: "m.csv",
			content: "op,email,name,is_active\n" +
				"update_user,a@example.com,A,\n" + // 2
				"update_user,bad,\"two\nlines\",nope\n" + // 3-4: email at 3, is_active at 4
				"update_user,a@example.com,A again,\n" + // 5: conflict with 2
				"update_user,worse,,\n" + // 6
				"update_user,b@example.com,B,\n" + // 7
				"update_user,b@example.com,B again,\n", // 8: conflict with 7
			want: []string{`3: email "bad"`, `4: is_active "nope"`, `5: email=a@example.com is already changed by line 2`, `6: email "worse"`, `8: email=b@example.com is already changed by line 7`},
		},
		{
			name: "a row's problems in column order across lines",
			file: "m.csv",
			content: "op,display_name,username,surname\n" +
				"change_password,\"A\nB\",u,S\n", // surname at 3; what the row lacks is at its first line, 2
			want: []string{`2: change_password does not take display_name`, `2: change_password needs new_password`, `2: change_password needs old_password`, `3: change_password does not take surname`},
		},
		{
			name: "YAML defaults before the rows",
			file: "m.yaml",
			content: "defaults:\n  op: update_user\n  is_active: nope\n" + // is_active at 3
				"rows:\n" +
				"  - email: a@example.com\n    is_active: true\n" + // 5: overrides the default
				"  - email: bad\n" + // 7: the default's problem too
				"  - email: b@example.com\n", // 8: the default's problem again
			want: []string{`3: is_active "nope"`, `7: email "bad"`},
		},
		{
			name: "YAML defaults after the rows",
			file: "m.yaml",
			content: "rows:\n" +
				"  - email: bad\n" + // 2
				"  - email: b@example.com\n" + // 3
				"defaults:\n  op: update_user\n  is_active: nope\n", // is_active at 6
			want: []string{`2: email "bad"`, `6: is_active "nope"`},
		},
		{
			name: "YAML keys after the rows, conflicts, anchors",
			file: "m.yaml",
			content: "rows:\n" +
				"  - &base {op: update_user, email: a@example.com, is_active: nope}\n" + // 2
				"  - {op: update_user, email: c@example.com, name: C}\n" + // 3
				"  - *base\n" + // 4: the same row again: its problem is at 2, once
				"  - {op: update_user, email: c@example.com, name: C2}\n" + // 5: conflict with 3
				"  - {op: update_user, email: d@example.com, is_active: &no nah}\n" + // 6
				"  - {op: update_user, email: e@example.com, is_active: *no}\n" + // 7: its problem is at 6, once
				"unknown: 1\n", // 8
			want: []string{`2: is_active "nope"`, `5: email=c@example.com is already changed by line 3`, `6: is_active "nah"`, `8: unknown top-level key`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := validateText(t, tc.file, tc.content, Options{})
			var lines []string
			for _, p := range got {
				lines = append(lines, fmt.Sprintf("%d: %s", p.Source.Line, p.Message))
			}
			ok := len(lines) == len(tc.want)
			for i := 0; ok && i < len(lines); i++ {
				ok = strings.HasPrefix(lines[i], tc.want[i])
			}
			if !ok {
				t.Errorf("problems:\n%s\nwant, in this order:\n%s", strings.Join(lines, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
