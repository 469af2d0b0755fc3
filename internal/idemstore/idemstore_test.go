package idemstore

import (
	"errors"
	"strings"
	"testing"

	"github.com/gopowertools/powertools"
)

func TestParseEpoch(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1764590400", 1764590400, true},
		{"1764590400123", 1764590400123, true},
		{"-5", -5, true},
		{"1764590400.75", 1764590400, true}, // a float another tool wrote: truncated
		{"1.7645904e9", 1764590400, true},
		{"x", 0, false},
		{"", 0, false},
		{"12abc", 0, false},
	} {
		got, ok := ParseEpoch(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseEpoch(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestValidStatus(t *testing.T) {
	for status, want := range map[string]bool{"INPROGRESS": true, "COMPLETED": true, "": false, "DONE": false, "completed": false} {
		if got := ValidStatus(status); got != want {
			t.Errorf("ValidStatus(%q) = %v", status, got)
		}
	}
}

func TestConfig(t *testing.T) {
	c := Defaults()
	if c.Attrs != (Attrs{"expiration", "in_progress_expiration", "status", "data", "validation"}) {
		t.Fatalf("defaults %+v", c.Attrs)
	}
	if c.Err() != nil {
		t.Fatal(c.Err())
	}
	c.SetName("x.WithDataAttr", "body", &c.Data)
	c.SetName("x.WithStatusAttr", "", &c.Status)
	c.Fail("x.New", "nil", "needs a client")
	if c.Data != "body" || c.Status != "status" {
		t.Fatalf("%+v", c.Attrs)
	}
	err := c.Err()
	var ce *powertools.ConfigError
	if !errors.Is(err, powertools.ErrConfig) || !errors.As(err, &ce) || ce.Name != "x.WithStatusAttr" ||
		strings.Count(err.Error(), "\n") != 1 {
		t.Fatalf("%v", err)
	}
}
