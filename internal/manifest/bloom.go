package manifest

import "hash/maphash"

// bloom is a fixed-size Bloom filter over strings: it answers "certainly
// not seen" or "maybe seen" in constant memory, whatever the number of
// keys added.
type bloom struct {
	bits []uint64
	mask uint64 // number of bits - 1 (a power of two)
	k    int
	seed maphash.Seed
}

// newBloom allocates a filter of 2^log2Bits bits using k probes per key,
// hashing with seed.
func newBloom(log2Bits uint, k int, seed maphash.Seed) *bloom {
	n := uint64(1) << log2Bits
	return &bloom{bits: make([]uint64, n/64), mask: n - 1, k: k, seed: seed}
}

// addSeen adds key and reports whether it may have been added before.
func (b *bloom) addSeen(key string) bool { return b.addSeenHash(maphash.String(b.seed, key)) }

// addSeenHash is addSeen for a key already hashed with the filter's seed.
func (b *bloom) addSeenHash(h uint64) bool {
	h1, h2 := h&0xffffffff, (h>>32)|1
	seen := true
	for i := 0; i < b.k; i++ {
		bit := (h1 + uint64(i)*h2) & b.mask
		word, m := bit/64, uint64(1)<<(bit%64)
		if b.bits[word]&m == 0 {
			seen = false
			b.bits[word] |= m
		}
	}
	return seen
}
