package powertools_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gopowertools/powertools"
)

// memorySSM is a ParamSSMClient in the library's own types: a test double needs no AWS SDK type.
type memorySSM map[string]string

func (m memorySSM) GetParameter(_ context.Context, name string, _ bool) (string, error) {
	fmt.Println("GetParameter", name)
	v, ok := m[name]
	if !ok {
		return "", powertools.ParamNotFound(nil)
	}
	return v, nil
}
func (m memorySSM) GetParameters(context.Context, []string, bool) ([]powertools.ParamItem, []string, error) {
	return nil, nil, nil
}
func (m memorySSM) GetParametersByPath(context.Context, string, bool, bool, string) ([]powertools.ParamItem, string, error) {
	return nil, "", nil
}
func (m memorySSM) PutParameter(context.Context, powertools.ParamPut) error { return nil }

// A provider over a client of your own, with a clock the cache expires by.
func ExampleNewSSMProvider() {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := powertools.NewSSMProvider(memorySSM{"/app/flags.json": `{"beta":true}`},
		powertools.WithParamMaxAge(time.Minute), powertools.WithParamClock(func() time.Time { return now }))
	ctx := context.Background()

	auto := powertools.WithParamTransform(powertools.TransformAuto) // .json: checked to be JSON
	v, _ := p.Get(ctx, "/app/flags.json", auto)
	fmt.Println(v)
	flags, _ := powertools.GetJSON[struct{ Beta bool }](ctx, p, "/app/flags.json", auto) // cached
	fmt.Println(flags.Beta)
	now = now.Add(time.Minute)
	_, _ = p.Get(ctx, "/app/flags.json", auto) // expired
	_, err := p.Get(ctx, "/app/missing")
	fmt.Println(err)
	// Output:
	// GetParameter /app/flags.json
	// {"beta":true}
	// true
	// GetParameter /app/flags.json
	// GetParameter /app/missing
	// powertools: parameters: ssm "/app/missing": not found
}
