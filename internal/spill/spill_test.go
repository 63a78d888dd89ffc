package spill

import (
	"bytes"
	"fmt"
	"os"
	"sync"
	"testing"
	"unsafe"
)

func fill(t *testing.T, s *Store, n int) {
	t.Helper()
	for i := range n {
		if err := s.Put(fmt.Sprintf("key-%d", i), []byte(fmt.Sprintf("value of %d", i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Seal(); err != nil {
		t.Fatal(err)
	}
}

func TestStoreFindsEveryRecordFromManyGoroutines(t *testing.T) {
	dir := t.TempDir()
	s, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 20000
	fill(t, s, n)
	if s.Len() != n {
		t.Fatalf("Len = %d, want %d", s.Len(), n)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < n; i += 4 {
				v, ok, err := s.Get(fmt.Sprintf("key-%d", i))
				if err != nil || !ok || string(v) != fmt.Sprintf("value of %d", i) {
					t.Errorf("Get(key-%d) = %q, %v, %v", i, v, ok, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if _, ok, err := s.Get("key-absent"); ok || err != nil {
		t.Errorf("Get of a key never put = %v, %v", ok, err)
	}
	// The file has no name in dir: a killed run leaves nothing behind.
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the store left %d files in its folder", len(entries))
	}
}

func TestStoreTellsApartKeysThatShareAHash(t *testing.T) {
	s, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.weakHash = func(key string) uint32 { return uint32(len(key)) } // every key of a length collides
	fill(t, s, 500)
	for _, i := range []int{0, 9, 10, 99, 100, 499} {
		v, ok, err := s.Get(fmt.Sprintf("key-%d", i))
		if err != nil || !ok || string(v) != fmt.Sprintf("value of %d", i) {
			t.Errorf("Get(key-%d) = %q, %v, %v", i, v, ok, err)
		}
	}
	if _, ok, _ := s.Get("key-500"); ok {
		t.Error("a key never put, sharing a hash with 400 others, was found")
	}
}

func TestStoreKeepsTheFirstOfRepeatedKeysAndEmptyValues(t *testing.T) {
	s, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, kv := range [][2]string{{"a", "first"}, {"b", ""}, {"a", "second"}} {
		if err := s.Put(kv[0], []byte(kv[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Put("c", nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Get("a"); err != ErrNotSealed {
		t.Errorf("Get before Seal: %v, want ErrNotSealed", err)
	}
	if err := s.Seal(); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := s.Get("a"); string(v) != "first" {
		t.Errorf("Get(a) = %q, want the first put", v)
	}
	if v, ok, _ := s.Get("b"); !ok || len(v) != 0 {
		t.Errorf("Get(b) = %q, %v", v, ok)
	}
	if err := s.Put("d", nil); err != ErrNotSealed {
		t.Errorf("Put after Seal: %v", err)
	}
}

func TestStoreRefusesARecordTooLarge(t *testing.T) {
	s, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Put("k", bytes.Repeat([]byte("x"), MaxRecord)); err == nil {
		t.Error("a record over MaxRecord was taken")
	}
}

func TestIndexSlotIsTwelveBytes(t *testing.T) {
	if n := unsafe.Sizeof(slot{}); n != 12 {
		t.Errorf("an index slot is %d bytes, want 12 (the memory a million accounts cost)", n)
	}
}
