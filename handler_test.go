package powertools

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

type decodeTestEvent struct {
	ID    string            `json:"id"`
	Items int               `json:"items"`
	Tags  []string          `json:"tags"`
	Attrs map[string]any    `json:"attrs"`
	Raw   json.RawMessage   `json:"raw"`
	Inner *decodeTestEvent  `json:"inner"`
	Flags map[string]bool   `json:"flags"`
	Named map[string]string `json:"-"`
}

// decodeCompare decodes payload with decodeEvent and with json.Unmarshal into a fresh T each and fails
// when the values or the errors differ.
func decodeCompare[T any](t *testing.T, payload []byte) {
	t.Helper()
	var got, want T
	err := decodeEvent(payload, &got)
	wantErr := json.Unmarshal(payload, &want)
	switch {
	case (err == nil) != (wantErr == nil):
		t.Fatalf("%q into %T: error %v, json.Unmarshal's %v", payload, got, err, wantErr)
	case err != nil:
		if w := (&EventDecodeError{Type: reflect.TypeFor[T]().String(), Err: wantErr}).Error(); err.Error() != w {
			t.Fatalf("%q into %T: error %q, want %q", payload, got, err, w)
		}
	case !reflect.DeepEqual(got, want):
		t.Fatalf("%q into %T: %#v, json.Unmarshal decodes %#v", payload, got, got, want)
	}
}

// FuzzDecodeEvent: decoding with a kept decoder is json.Unmarshal, value and error, payload after payload
// (each decode in the sequence reuses what the one before left).
func FuzzDecodeEvent(f *testing.F) {
	f.Add([]byte(`{"id":"o-42","items":3}`), []byte(`{"id":"o-43"}`+"  \n"))
	f.Add([]byte(`{"id":"o-42"} x`), []byte(`{"items":"3"}`))
	f.Add([]byte(`{"id":"o-42"}}`), []byte(`[]`))
	f.Add([]byte(" \t{\"tags\":[\"a\",\"b\"],\"attrs\":{\"k\":[1,2,{\"z\":null}]}}\r\n"+strings.Repeat(" ", 2000)), []byte(`{"raw":{"a":[1]},"inner":{"id":"i"}}`))
	f.Add([]byte(``), []byte(`null`))
	f.Add([]byte(`{"id":"\ud800","items":1e400}`), []byte(`{"flags":{"a":true,"b":1}}`))
	f.Add([]byte(`{"ID":"case","ITEMS":2}`), []byte(`{"id":"a"}{"id":"b"}`))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		for _, p := range [][]byte{a, b, a} {
			decodeCompare[decodeTestEvent](t, p)
			decodeCompare[map[string]any](t, p)
			decodeCompare[[]any](t, p)
			decodeCompare[string](t, p)
		}
	})
}

// TestDecodeEventLarge: a payload over eventDecoderMax decodes as well (through json.Unmarshal).
func TestDecodeEventLarge(t *testing.T) {
	big := []byte(`{"id":"` + strings.Repeat("x", eventDecoderMax) + `","items":1}`)
	decodeCompare[decodeTestEvent](t, big)
	decodeCompare[decodeTestEvent](t, []byte(`{"id":"after","items":2}`))
}
