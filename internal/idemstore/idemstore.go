// Package idemstore is what the idempotency stores (idempotency/dynamodbstore, idempotency/redisstore)
// share: the names of a record's attributes with their options' checks, the configuration errors of New,
// and the reading of a stored record's numbers and status. The library's root package does not import it.
package idemstore

import (
	"errors"
	"strconv"

	"github.com/gopowertools/powertools"
)

// Attrs names a record's attributes (DynamoDB) or fields (Redis), the Python edition's by default.
type Attrs struct {
	Expiry     string // epoch seconds; default "expiration"
	InProgress string // the lease, epoch milliseconds; default "in_progress_expiration"
	Status     string // default "status"
	Data       string // the response; default "data"
	Validation string // the payload hash; default "validation"
}

// Config is the part of a store's configuration every store has: the attribute names and the problems
// its options found.
type Config struct {
	Attrs
	Errs []error
}

// Defaults is a Config with the Python edition's attribute names.
func Defaults() Config {
	return Config{Attrs: Attrs{Expiry: "expiration", InProgress: "in_progress_expiration", Status: "status",
		Data: "data", Validation: "validation"}}
}

// Fail records a *powertools.ConfigError for the option or function name (e.g. "redisstore.New").
func (c *Config) Fail(name, value, reason string) {
	c.Errs = append(c.Errs, &powertools.ConfigError{Name: name, Value: value, Reason: reason})
}

// SetName sets *dst to the attribute name given to the option opt, which must not be empty.
func (c *Config) SetName(opt, name string, dst *string) {
	if name == "" {
		c.Fail(opt, name, "must not be empty")
		return
	}
	*dst = name
}

// Err is the problems found so far, joined; nil when there are none.
func (c *Config) Err() error { return errors.Join(c.Errs...) }

// ParseEpoch reads a stored epoch number: an integer, or a float as another tool (Python) may write it,
// truncated. ok is false for anything else.
func ParseEpoch(s string) (n int64, ok bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	return int64(f), true
}

// ValidStatus reports whether status is one a record may have (INPROGRESS or COMPLETED).
func ValidStatus(status string) bool {
	return status == powertools.IdempotencyInProgress || status == powertools.IdempotencyCompleted
}
