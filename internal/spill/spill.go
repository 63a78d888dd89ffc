// Package spill keeps records on disk, each found again by its key through
// an index of 12 bytes a record held in memory, so that a run can keep
// the state of millions of accounts without holding them in its heap.
//
// A Store is filled, then sealed, then read: Put appends (one goroutine
// at a time), Seal sorts the index once, and Get may then be called from
// any number of goroutines. The file is unlinked as soon as it is made
// where the system allows it, so that nothing is left behind by a run
// that is killed; Close removes it otherwise.
package spill

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"os"
	"slices"
	"sync"
)

// MaxRecord is the largest key plus value a record holds.
const MaxRecord = 1<<24 - 1

// maxOffset is the file size past which records cannot be indexed.
const maxOffset = 1<<40 - 1

// ErrNotSealed is returned by Get before Seal, and by Put after it.
var ErrNotSealed = errors.New("spill: the store is not sealed")

// slot is one record in the index: 32 bits of its key's hash, and where
// the record lies (offset << 24 | length) split in two words, so that a
// slot is 12 bytes and holds no pointer for the garbage collector to scan.
type slot struct {
	hash         uint32
	locHi, locLo uint32
}

func (s slot) loc() (off int64, n int) {
	l := uint64(s.locHi)<<32 | uint64(s.locLo)
	return int64(l >> 24), int(l & MaxRecord)
}

// Store is an append-only file of records with an index in memory.
type Store struct {
	f       *os.File
	name    string // removed at Close when it could not be unlinked at once
	w       *bufio.Writer
	size    int64
	seed    maphash.Seed
	index   []slot
	sealed  bool
	scratch []byte
	// weakHash, when set (by tests), replaces the hash: keys that share
	// a hash must still be told apart.
	weakHash func(string) uint32

	bufs sync.Pool // read buffers of Get
}

// New makes a store in a new file in dir (the system's temporary folder
// when dir is empty), readable by the owner only.
func New(dir string) (*Store, error) {
	f, err := os.CreateTemp(dir, ".batch-spill-*")
	if err != nil {
		return nil, fmt.Errorf("spill: %w", err)
	}
	s := &Store{f: f, w: bufio.NewWriterSize(f, 256<<10), seed: maphash.MakeSeed()}
	if err := os.Remove(f.Name()); err != nil {
		s.name = f.Name() // some systems keep an open file's name
	}
	return s, nil
}

// Len is the number of records put.
func (s *Store) Len() int { return len(s.index) }

// Put appends a record. Records are not checked for repeated keys: Get
// finds the first put.
func (s *Store) Put(key string, value []byte) error {
	if s.sealed {
		return ErrNotSealed
	}
	s.scratch = binary.AppendUvarint(s.scratch[:0], uint64(len(key)))
	n := len(s.scratch) + len(key) + len(value)
	if n > MaxRecord {
		return fmt.Errorf("spill: a record of %d bytes is over the %d a store holds", n, MaxRecord)
	}
	if s.size+int64(n) > maxOffset {
		return fmt.Errorf("spill: the store is full (%d bytes)", s.size)
	}
	loc := uint64(s.size)<<24 | uint64(n)
	s.index = append(s.index, slot{hash: s.hash(key), locHi: uint32(loc >> 32), locLo: uint32(loc)})
	if _, err := s.w.Write(s.scratch); err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	if _, err := s.w.WriteString(key); err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	if _, err := s.w.Write(value); err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	s.size += int64(n)
	return nil
}

// Seal writes what is buffered and sorts the index: the store is read
// only from then on.
func (s *Store) Seal() error {
	if s.sealed {
		return nil
	}
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	s.w = nil
	slices.SortStableFunc(s.index, func(a, b slot) int { return cmp.Compare(a.hash, b.hash) })
	s.index = slices.Clip(s.index)
	s.sealed = true
	return nil
}

// Get returns the value of the first record put with key, in a slice of
// its own.
func (s *Store) Get(key string) ([]byte, bool, error) {
	if !s.sealed {
		return nil, false, ErrNotSealed
	}
	h := s.hash(key)
	i, _ := slices.BinarySearchFunc(s.index, h, func(e slot, h uint32) int { return cmp.Compare(e.hash, h) })
	bp, _ := s.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	defer s.bufs.Put(bp)
	for ; i < len(s.index) && s.index[i].hash == h; i++ {
		off, n := s.index[i].loc()
		buf := slices.Grow((*bp)[:0], n)[:n]
		*bp = buf
		if _, err := s.f.ReadAt(buf, off); err != nil {
			return nil, false, fmt.Errorf("spill: read record at %d: %w", off, err)
		}
		klen, w := binary.Uvarint(buf)
		if w <= 0 || uint64(len(buf)-w) < klen {
			return nil, false, fmt.Errorf("spill: record at %d is damaged", off)
		}
		if string(buf[w:w+int(klen)]) == key {
			return slices.Clone(buf[w+int(klen):]), true, nil
		}
	}
	return nil, false, nil
}

func (s *Store) hash(key string) uint32 {
	if s.weakHash != nil {
		return s.weakHash(key)
	}
	h := maphash.String(s.seed, key)
	return uint32(h ^ h>>32)
}

// Close closes the file and removes it if it still has a name. The store
// cannot be used after.
func (s *Store) Close() error {
	err := s.f.Close()
	if s.name != "" {
		err = errors.Join(err, os.Remove(s.name))
	}
	s.index = nil
	return err
}
