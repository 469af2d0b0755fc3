// Package redisstore is the Redis (and Valkey) store of the idempotency utility, over a go-redis v9
// client, standalone or cluster. It is a package of its own so that a function not using it links no
// Redis client (powertools.WithIdempotency and powertools.Idempotent take any powertools.IdempotencyStore).
//
// The layout is the Python edition's: one string key per record, the record's key itself, holding the
// record as a JSON object ({"status": ..., "expiration": ..., "in_progress_expiration": ...,
// "validation": ..., "data": ...}), written with SET key <json> EX <ttl> NX. A record whose lease has
// passed is taken over under a short "<key>:lock" lock. Completing and deleting a record are Lua scripts
// that change it only while it is still, byte for byte, the record the caller wrote (the fence): a run
// whose lease passed can never overwrite or delete the record of the run that took over.
package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/internal/idemstore"
	"github.com/redis/go-redis/v9"
)

// Store is the Redis idempotency store. It is safe for concurrent use.
type Store struct {
	client redis.UniversalClient
	cfg    config
	// noSetGet is set once the server refused SET ... NX GET (before Redis 7.0): the store then reads the
	// old record with a GET of its own.
	noSetGet atomic.Bool
}

type config struct {
	idemstore.Config // the attribute names every store has, the options' errors
	lockTimeout      time.Duration
}

// Option configures New.
type Option func(*config)

// WithExpiryAttr names the record's expiration field (epoch seconds). Default: "expiration".
func WithExpiryAttr(name string) Option {
	return attr("WithExpiryAttr", name, func(c *config) *string { return &c.Expiry })
}

// WithInProgressExpiryAttr names the lease field (epoch milliseconds). Default: "in_progress_expiration".
func WithInProgressExpiryAttr(name string) Option {
	return attr("WithInProgressExpiryAttr", name, func(c *config) *string { return &c.InProgress })
}

// WithStatusAttr names the status field. Default: "status".
func WithStatusAttr(name string) Option {
	return attr("WithStatusAttr", name, func(c *config) *string { return &c.Status })
}

// WithDataAttr names the response field. Default: "data".
func WithDataAttr(name string) Option {
	return attr("WithDataAttr", name, func(c *config) *string { return &c.Data })
}

// WithValidationAttr names the payload-hash field. Default: "validation".
func WithValidationAttr(name string) Option {
	return attr("WithValidationAttr", name, func(c *config) *string { return &c.Validation })
}

// WithLockTimeout is how long the "<key>:lock" lock taken to replace an orphaned record lives. Default: 10s,
// as in the Python edition.
func WithLockTimeout(d time.Duration) Option {
	return func(c *config) {
		if d < time.Millisecond {
			c.Fail("redisstore.WithLockTimeout", d.String(), "must be at least 1ms")
			return
		}
		c.lockTimeout = d
	}
}

func attr(opt, name string, field func(*config) *string) Option {
	return func(c *config) { c.SetName("redisstore."+opt, name, field(c)) }
}

// New returns a store over client (a *redis.Client, *redis.ClusterClient or *redis.Ring; Valkey works
// too). It does no I/O. Errors are *powertools.ConfigError values, joined.
func New(client redis.UniversalClient, opts ...Option) (*Store, error) {
	cfg := config{Config: idemstore.Defaults(), lockTimeout: 10 * time.Second}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if client == nil {
		cfg.Fail("redisstore.New", "nil", "needs a client")
	}
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	return &Store{client: client, cfg: cfg}, nil
}

// The fenced writes: each changes the record only while it is byte for byte the value the caller wrote.
var (
	replaceIf = script(`if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0`)
	deleteIf = script(`if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`)
)

// script is a Lua script sent with EVAL: one request per call, always (EVALSHA would cost a second one on
// a server that has not seen the script, and a cluster has many).
type script string

func (sc script) Run(ctx context.Context, c redis.Scripter, keys []string, args ...any) *redis.Cmd {
	return c.Eval(ctx, string(sc), keys, args...)
}

// ttl is what is left of the record's life at now, in whole seconds, at least one.
func ttl(rec *powertools.IdempotencyRecord, now time.Time) time.Duration {
	return time.Duration(max(rec.Expiration-now.Unix(), 1)) * time.Second
}

// Acquire implements powertools.IdempotencyStore: one SET key <json> EX <ttl> NX GET, which returns the
// old record when the key is taken; an orphaned record (lease passed, or expired but not yet evicted) is
// replaced under the "<key>:lock" lock, only if it has not changed since it was read.
func (s *Store) Acquire(ctx context.Context, rec *powertools.IdempotencyRecord, now time.Time) (*powertools.IdempotencyRecord, error) {
	val := s.encode(rec)
	var existing *powertools.IdempotencyRecord
	for range 3 {
		old, taken, err := s.setNX(ctx, rec.Key, val, ttl(rec, now))
		if err != nil {
			return nil, err
		}
		if !taken {
			return nil, nil
		}
		if existing, err = s.decode(rec.Key, old); err != nil {
			return nil, err
		}
		if existing.Live(now) {
			return existing, nil
		}
		replaced, err := s.takeOver(ctx, rec.Key, old, val, ttl(rec, now))
		if err != nil || replaced {
			return nil, err
		}
		if replaced, err = s.lockedOut(ctx, rec.Key); err != nil || replaced {
			return existing, err
		}
	}
	return existing, nil
}

// lockedOut reports whether another caller holds the takeover lock (it is replacing the record).
func (s *Store) lockedOut(ctx context.Context, key string) (bool, error) {
	n, err := s.client.Exists(ctx, key+":lock").Result()
	return n > 0, err
}

// setNX writes val under key unless the key exists; taken reports that it did, with its value.
func (s *Store) setNX(ctx context.Context, key, val string, ttl time.Duration) (old string, taken bool, err error) {
	if !s.noSetGet.Load() {
		old, err = s.client.SetArgs(ctx, key, val, redis.SetArgs{Mode: "NX", TTL: ttl, Get: true}).Result()
		switch {
		case errors.Is(err, redis.Nil):
			return "", false, nil
		case err == nil:
			return old, true, nil
		case !strings.Contains(strings.ToLower(err.Error()), "syntax"):
			return "", false, err
		}
		s.noSetGet.Store(true) // before Redis 7.0: NX and GET do not combine
	}
	ok, err := s.client.SetNX(ctx, key, val, ttl).Result()
	if err != nil || ok {
		return "", false, err
	}
	old, err = s.client.Get(ctx, key).Result()
	if errors.Is(err, redis.Nil) { // gone in between: the caller tries again
		return s.setNX(ctx, key, val, ttl)
	}
	return old, err == nil, err
}

// takeOver replaces the orphaned record old with val, holding the lock; replaced is false when another
// caller holds the lock or the record changed since it was read.
func (s *Store) takeOver(ctx context.Context, key, old, val string, ttl time.Duration) (replaced bool, err error) {
	token := newToken()
	locked, err := s.client.SetNX(ctx, key+":lock", token, s.cfg.lockTimeout).Result()
	if err != nil || !locked {
		return false, err
	}
	defer deleteIf.Run(context.WithoutCancel(ctx), s.client, []string{key + ":lock"}, token) // best effort; it expires anyway
	n, err := replaceIf.Run(ctx, s.client, []string{key}, old, val, int64(ttl/time.Second)).Int()
	return n == 1, err
}

func newToken() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Complete implements powertools.IdempotencyStore with a Lua script: the record is replaced only while it
// is still held.
func (s *Store) Complete(ctx context.Context, held, done *powertools.IdempotencyRecord, now time.Time) error {
	n, err := replaceIf.Run(ctx, s.client, []string{held.Key}, s.encode(held), s.encode(done), int64(ttl(done, now)/time.Second)).Int()
	if err != nil {
		return err
	}
	if n != 1 {
		return powertools.ErrIdempotencyFenced
	}
	return nil
}

// Release implements powertools.IdempotencyStore with a Lua script: the record is deleted only while it
// is still held.
func (s *Store) Release(ctx context.Context, held *powertools.IdempotencyRecord) error {
	n, err := deleteIf.Run(ctx, s.client, []string{held.Key}, s.encode(held)).Int()
	if err != nil {
		return err
	}
	if n != 1 {
		return powertools.ErrIdempotencyFenced
	}
	return nil
}

// encode writes the record as a JSON object, always the same bytes for the same record (the fence
// compares them). A response that is not UTF-8 is stored base64-encoded, with "<data>_encoding":"base64".
func (s *Store) encode(r *powertools.IdempotencyRecord) string {
	b := make([]byte, 0, 128+len(r.Data))
	b = append(b, '{')
	b = appendStr(b, s.cfg.Status, r.Status)
	b = append(b, ',')
	b = appendKey(b, s.cfg.Expiry)
	b = strconv.AppendInt(b, r.Expiration, 10)
	if r.InProgressExpiration != 0 {
		b = append(b, ',')
		b = appendKey(b, s.cfg.InProgress)
		b = strconv.AppendInt(b, r.InProgressExpiration, 10)
	}
	if r.Validation != "" {
		b = append(b, ',')
		b = appendStr(b, s.cfg.Validation, r.Validation)
	}
	if r.Status == powertools.IdempotencyCompleted {
		b = append(b, ',')
		if utf8.Valid(r.Data) {
			b = appendStr(b, s.cfg.Data, string(r.Data))
		} else {
			b = appendStr(b, s.cfg.Data, base64.StdEncoding.EncodeToString(r.Data))
			b = append(b, ',')
			b = appendStr(b, s.cfg.Data+"_encoding", "base64")
		}
	}
	return string(append(b, '}'))
}

func appendKey(b []byte, k string) []byte {
	kb, _ := json.Marshal(k)
	return append(append(b, kb...), ':')
}

func appendStr(b []byte, k, v string) []byte {
	vb, _ := json.Marshal(v) // a string always encodes
	return append(appendKey(b, k), vb...)
}

// decode reads a stored record. A value that is not one is ErrIdempotencyBadRecord.
func (s *Store) decode(key, val string) (*powertools.IdempotencyRecord, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(val), &m); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", powertools.ErrIdempotencyBadRecord, key, err)
	}
	r := &powertools.IdempotencyRecord{Key: key}
	var encoding, data string
	var bad []string
	num := func(name string, dst *int64) {
		if raw, ok := m[name]; ok && string(raw) != "null" {
			var f json.Number
			if json.Unmarshal(raw, &f) != nil {
				bad = append(bad, name)
				return
			}
			n, ok := idemstore.ParseEpoch(f.String()) // Python may have written a float
			if !ok {
				bad = append(bad, name)
				return
			}
			*dst = n
		}
	}
	str := func(name string, dst *string) {
		if raw, ok := m[name]; ok && string(raw) != "null" {
			if json.Unmarshal(raw, dst) != nil {
				bad = append(bad, name)
			}
		}
	}
	str(s.cfg.Status, &r.Status)
	num(s.cfg.Expiry, &r.Expiration)
	num(s.cfg.InProgress, &r.InProgressExpiration)
	str(s.cfg.Validation, &r.Validation)
	str(s.cfg.Data, &data)
	str(s.cfg.Data+"_encoding", &encoding)
	if !idemstore.ValidStatus(r.Status) {
		bad = append(bad, s.cfg.Status)
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("%w: %s: bad field(s) %s", powertools.ErrIdempotencyBadRecord, key, strings.Join(bad, ", "))
	}
	r.Data = []byte(data)
	if encoding == "base64" {
		b, err := base64.StdEncoding.DecodeString(data)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: data: %v", powertools.ErrIdempotencyBadRecord, key, err)
		}
		r.Data = b
	}
	return r, nil
}
