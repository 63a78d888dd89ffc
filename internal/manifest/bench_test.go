package manifest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkValidateCSV measures validation of distinct update_user rows;
// allocations per row drive the garbage collector and so peak memory.
func BenchmarkValidateCSV(b *testing.B) {
	const rows = 20000
	path := filepath.Join(b.TempDir(), "bench.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "op,email,name,surname,display_name,is_active,group_ids_to_add,group_ids_to_remove")
	for i := 1; i <= rows; i++ {
		fmt.Fprintf(w, "update_user,user%07d@example.com,Name%d,Surname%d,\"Surname%d, Name%d\",%t,%s,%s\n",
			i, i, i, i, i, i%10 != 0, groupFinance, groupAdmins)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n, err := Validate(context.Background(), path, Options{}, func(p Problem) { b.Fatal(p) })
		if err != nil || n != rows {
			b.Fatal(n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
}
