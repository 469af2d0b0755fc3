package secretsparams_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/internal/awsfake"
	"github.com/gopowertools/powertools/parameters/secretsparams"
)

func fake(t *testing.T, seed *awsfake.Seed) (*awsfake.Server, aws.Config) {
	t.Helper()
	f := awsfake.New(seed)
	return f, awsfake.StartForTest(t, f)
}

// With serves app.Secrets() alone; the App's other providers have no client.
func TestWith(t *testing.T) {
	f, cfg := fake(t, &awsfake.Seed{Parameters: []awsfake.Parameter{{Name: "/a", Value: "1"}}, Secrets: map[string]string{"s": "v"}})
	app, err := powertools.New(secretsparams.WithConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := app.Secrets().Get(context.Background(), "s"); err != nil || v != "v" {
		t.Fatalf("Secrets().Get = %q, %v", v, err)
	}
	if _, err := app.SSM().Get(context.Background(), "/a"); !errors.Is(err, powertools.ErrNoParamClient) {
		t.Errorf("SSM() without its package: %v", err)
	}
	if f.Count("ssm.GetParameter") != 0 || f.Count("secretsmanager.GetSecretValue") != 1 {
		t.Errorf("counts %v", f.Counts())
	}
}

func TestNewProvider(t *testing.T) {
	_, cfg := fake(t, &awsfake.Seed{Secrets: map[string]string{"s": "v"}})
	p := secretsparams.NewProvider(secretsmanager.NewFromConfig(cfg))
	if v, err := p.Get(context.Background(), "s"); err != nil || v != "v" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	if _, err := p.Get(context.Background(), "t"); !errors.Is(err, powertools.ErrParameterNotFound) {
		t.Errorf("unknown: %v", err)
	}
	if secretsparams.Adapt(nil) != nil {
		t.Error("Adapt(nil) is not nil")
	}
}
