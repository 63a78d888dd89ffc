package emulator

import (
	"encoding/binary"
	"encoding/hex"
	"sync/atomic"
)

// traceSource makes W3C traceparent-shaped ids ("00-<32 hex>-<16 hex>-00")
// from a random per-server prefix and a counter: unique and cheap.
type traceSource struct {
	prefix [8]byte
	n      atomic.Uint64
}

func newTraceSource() *traceSource {
	t := &traceSource{}
	copy(t.prefix[:], randomBytes(8))
	return t
}

func (t *traceSource) next() string {
	n := t.n.Add(1)
	var raw [24]byte
	copy(raw[:8], t.prefix[:])
	binary.BigEndian.PutUint64(raw[8:16], n)
	binary.BigEndian.PutUint64(raw[16:24], n*0x9e3779b97f4a7c15)
	var out [55]byte
	copy(out[:3], "00-")
	hex.Encode(out[3:35], raw[:16])
	out[35] = '-'
	hex.Encode(out[36:52], raw[16:24])
	copy(out[52:], "-00")
	return string(out[:])
}
