package runfolder

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"
)

// maxIDLength is the longest run id accepted.
const maxIDLength = 128

// newID names a new run: sortable time plus a random suffix.
func newID() string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// CheckID reports whether id can name a run folder: one path element of
// letters, digits, '.', '-' and '_', beginning with a letter or a digit.
func CheckID(id string) error {
	if len(id) > maxIDLength {
		return fmt.Errorf("a run id is at most %d characters", maxIDLength)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if i == 0 && !alnum || !alnum && c != '.' && c != '-' && c != '_' {
			return fmt.Errorf("a run id names one folder: letters, digits, '.', '-' and '_', beginning with a letter or a digit")
		}
	}
	return nil
}
