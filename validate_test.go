package powertools_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopowertools/powertools"
)

// testValidator refuses events and responses that are JSON null and counts its calls.
type testValidator struct {
	initErr          error
	inits, in, out   int
	lastEvent, lastR string
}

var errTestNull = errors.New("null refused")

func (v *testValidator) Init() error { v.inits++; return v.initErr }

func (v *testValidator) ValidateEvent(_ context.Context, event []byte) error {
	return testRefuseNull(&v.in, &v.lastEvent, event)
}

func (v *testValidator) ValidateResponse(_ context.Context, response []byte) error {
	return testRefuseNull(&v.out, &v.lastR, response)
}

// testRefuseNull counts a call, keeps what it saw and refuses JSON null.
func testRefuseNull(calls *int, last *string, b []byte) error {
	*calls++
	*last = string(b)
	if string(b) == "null" {
		return errTestNull
	}
	return nil
}

func TestWithValidator(t *testing.T) {
	v := &testValidator{}
	var seen []string
	mark := func(next powertools.Handler) powertools.Handler {
		return powertools.HandlerFunc(func(ctx context.Context, p []byte) ([]byte, error) {
			seen = append(seen, "middleware") // the user middleware runs outside the validator
			return next.Invoke(ctx, p)
		})
	}
	app, err := powertools.New(powertools.WithEnv(map[string]string{}), powertools.WithLogOutput(io.Discard),
		powertools.WithMiddleware(mark), powertools.WithValidator(v))
	require.NoError(t, err)
	assert.Equal(t, 1, v.inits, "New calls Init once")
	calls := 0
	h := app.Wrap(func(ctx context.Context, ev any) (any, error) {
		calls++
		if m, ok := ev.(map[string]any); ok && m["fail"] == true {
			return nil, errors.New("handler failed")
		}
		return ev, nil
	})

	out, err := h.Invoke(context.Background(), []byte(`{"a":1}`))
	require.NoError(t, err)
	assert.JSONEq(t, `{"a":1}`, string(out))
	assert.Equal(t, `{"a":1}`, v.lastEvent)
	assert.JSONEq(t, `{"a":1}`, v.lastR)

	// An inbound failure stops the invocation before the handler.
	out, err = h.Invoke(context.Background(), []byte(`null`))
	require.ErrorIs(t, err, errTestNull)
	assert.Nil(t, out)
	assert.Equal(t, 1, calls)

	// A handler error is returned as is; the response is not validated.
	outBefore := v.out
	_, err = h.Invoke(context.Background(), []byte(`{"fail":true}`))
	require.EqualError(t, err, "handler failed")
	assert.Equal(t, outBefore, v.out)

	// Any other response is returned as the handler gave it (outbound failures: the next test).
	out, err = h.Invoke(context.Background(), []byte(`[null]`))
	require.NoError(t, err)
	assert.JSONEq(t, `[null]`, string(out))
	assert.Equal(t, []string{"middleware", "middleware", "middleware", "middleware"}, seen)
}

func TestWithValidatorOutboundFailure(t *testing.T) {
	v := &testValidator{}
	app, err := powertools.New(powertools.WithEnv(map[string]string{}), powertools.WithLogOutput(io.Discard), powertools.WithValidator(v))
	require.NoError(t, err)
	out, err := app.Wrap(func(ctx context.Context) (any, error) { return nil, nil }).Invoke(context.Background(), []byte(`{}`))
	require.ErrorIs(t, err, errTestNull)
	assert.Nil(t, out)
}

func TestWithValidatorErrorsJoinedByNew(t *testing.T) {
	initErr := &powertools.ConfigError{Name: "custom.Validator", Value: "x", Reason: "bad schema"}
	_, err := powertools.New(
		powertools.WithEnv(map[string]string{"POWERTOOLS_DEBUG": "maybe"}),
		powertools.WithLogOutput(io.Discard),
		powertools.WithValidator(&testValidator{initErr: initErr}),
	)
	require.ErrorIs(t, err, powertools.ErrConfig)
	var ce *powertools.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, err.Error(), "POWERTOOLS_DEBUG", "the other problem is reported too")
	assert.Contains(t, err.Error(), "custom.Validator")

	_, err = powertools.New(powertools.WithEnv(map[string]string{}), powertools.WithLogOutput(io.Discard), powertools.WithValidator(nil))
	require.ErrorIs(t, err, powertools.ErrConfig)
	assert.Contains(t, err.Error(), "WithValidator")
}

func TestWithValidatorDebugLogsFailures(t *testing.T) {
	var debug bytes.Buffer
	app, err := powertools.New(powertools.WithEnv(map[string]string{}), powertools.WithLogOutput(io.Discard),
		powertools.WithDebug(true), powertools.WithDebugOutput(&debug), powertools.WithValidator(&testValidator{}))
	require.NoError(t, err)
	_, err = app.Wrap(func(ctx context.Context, ev any) error { return nil }).Invoke(context.Background(), []byte(`null`))
	require.Error(t, err)
	assert.Contains(t, debug.String(), `"stage":"inbound"`)
}
