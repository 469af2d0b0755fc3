package redisstore

import (
	"bytes"
	"testing"

	"github.com/gopowertools/powertools"
)

// FuzzDecode: any stored value decodes or is refused, never a panic; what encode writes decodes back to
// the same record.
func FuzzDecode(f *testing.F) {
	s, err := New(nilClient{})
	if err != nil {
		f.Fatal(err)
	}
	for _, v := range []string{
		`{"status":"INPROGRESS","expiration":1767225600,"in_progress_expiration":1767225600123}`,
		`{"data": "{\"ok\": true}", "status": "COMPLETED", "expiration": 1767225600}`,
		`{"status":"COMPLETED","expiration":1.5e9,"data":"/w==","data_encoding":"base64"}`,
		`{"status":null}`, `[]`, `"x"`,
	} {
		f.Add(v, []byte(`{"a":1}`))
	}
	f.Fuzz(func(t *testing.T, stored string, data []byte) {
		_, _ = s.decode("k", stored)
		rec := &powertools.IdempotencyRecord{Key: "k", Status: powertools.IdempotencyCompleted, Expiration: 1767225600,
			InProgressExpiration: 1767225600123, Data: data, Validation: "v"}
		got, err := s.decode("k", s.encode(rec))
		if err != nil {
			t.Fatalf("own record refused: %v", err)
		}
		if !bytes.Equal(got.Data, data) || got.Expiration != rec.Expiration || got.InProgressExpiration != rec.InProgressExpiration ||
			got.Status != rec.Status || got.Validation != rec.Validation {
			t.Fatalf("round trip: %+v, want %+v", got, rec)
		}
	})
}
