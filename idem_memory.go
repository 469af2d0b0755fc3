package powertools

import (
	"context"
	"sync"
	"time"
)

// MemoryStore is an IdempotencyStore in the memory of one process: the records are shared by every
// invocation the process runs at once (Lambda Managed Instances) and lost with it. Use it for tests,
// for functions whose duplicates arrive at one process, or in front of nothing at all; use the
// DynamoDB or Redis store when duplicates may reach other execution environments.
type MemoryStore struct {
	mu      sync.Mutex
	records map[string]IdempotencyRecord
	sweepAt int // the size at which expired records are next swept out
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{records: map[string]IdempotencyRecord{}, sweepAt: 1024}
}

// Acquire implements IdempotencyStore.
func (s *MemoryStore) Acquire(_ context.Context, rec *IdempotencyRecord, now time.Time) (*IdempotencyRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.records[rec.Key]; ok && old.Live(now) {
		old.Data = append([]byte(nil), old.Data...)
		return &old, nil
	}
	if len(s.records) >= s.sweepAt {
		s.sweep(now)
	}
	s.records[rec.Key] = *rec
	return nil, nil
}

// sweep drops the expired records, so a long-lived process does not keep every key it ever saw.
func (s *MemoryStore) sweep(now time.Time) {
	for k, r := range s.records {
		if r.Expired(now) {
			delete(s.records, k)
		}
	}
	s.sweepAt = max(1024, 2*len(s.records))
}

// Complete implements IdempotencyStore.
func (s *MemoryStore) Complete(_ context.Context, held, done *IdempotencyRecord, _ time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.holds(held) {
		return ErrIdempotencyFenced
	}
	r := *done
	r.Data = append([]byte(nil), done.Data...)
	s.records[held.Key] = r
	return nil
}

// Release implements IdempotencyStore.
func (s *MemoryStore) Release(_ context.Context, held *IdempotencyRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.holds(held) {
		return ErrIdempotencyFenced
	}
	delete(s.records, held.Key)
	return nil
}

// holds reports whether the stored record is still held (the fence of Complete and Release).
func (s *MemoryStore) holds(held *IdempotencyRecord) bool {
	old, ok := s.records[held.Key]
	return ok && old.Status == IdempotencyInProgress && old.Status == held.Status &&
		old.InProgressExpiration == held.InProgressExpiration
}

// Record returns a copy of the record stored under key, for tests and diagnostics.
func (s *MemoryStore) Record(key string) (IdempotencyRecord, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.records[key]
	r.Data = append([]byte(nil), r.Data...)
	return r, ok
}
