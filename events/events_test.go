package events

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixture reads testdata/name.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// load decodes testdata/name into T.
func load[T any](t testing.TB, name string) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(fixture(t, name), &v), name)
	return v
}

// roundTrip decodes a fixture into T, encodes it again and checks nothing was lost or invented.
func roundTrip[T any](t *testing.T, name string) T {
	t.Helper()
	v := load[T](t, name)
	out, err := json.Marshal(v)
	require.NoError(t, err)
	assert.JSONEq(t, string(fixture(t, name)), string(out), name)
	return v
}

// checkErr asserts err is a *DecodeError of source and field wrapping want, with one prefix.
func checkErr(t *testing.T, err error, source string, record int, field string, want error) {
	t.Helper()
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, source, de.Source)
	assert.Equal(t, record, de.Record)
	if field != "" {
		assert.Contains(t, de.Field, field)
	}
	if want != nil {
		assert.ErrorIs(t, err, want)
	}
	assert.True(t, strings.HasPrefix(err.Error(), "powertools: "), err.Error())
	assert.Equal(t, 1, strings.Count(err.Error(), "powertools:"), err.Error())
}

func TestDecodeErrorMessage(t *testing.T) {
	err := eventsDecodeErr("sqs", 3, "body", eventsKind(ErrBadJSON, errors.New("unexpected end of JSON input")))
	assert.Equal(t, "powertools: decode sqs record 3 body: malformed JSON: unexpected end of JSON input", err.Error())
	assert.ErrorIs(t, err, ErrBadJSON)
	assert.NotErrorIs(t, err, ErrBadBase64)
	err = eventsDecodeErr("kafka", -1, "", eventsKind(ErrBadBase64, nil))
	assert.Equal(t, "powertools: decode kafka: malformed base64", err.Error())
}
