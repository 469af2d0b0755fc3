package ssmparams_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/internal/awsfake"
	"github.com/gopowertools/powertools/parameters/ssmparams"
)

func fake(t *testing.T, seed *awsfake.Seed) (*awsfake.Server, aws.Config) {
	t.Helper()
	f := awsfake.New(seed)
	return f, awsfake.StartForTest(t, f)
}

// With serves app.SSM() alone; the App's other providers have no client.
func TestWith(t *testing.T) {
	f, cfg := fake(t, &awsfake.Seed{Parameters: []awsfake.Parameter{{Name: "/a", Value: "1"}}, Secrets: map[string]string{"s": "v"}})
	app, err := powertools.New(ssmparams.WithConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := app.SSM().Get(context.Background(), "/a"); err != nil || v != "1" {
		t.Fatalf("SSM().Get = %q, %v", v, err)
	}
	if _, err := app.Secrets().Get(context.Background(), "s"); !errors.Is(err, powertools.ErrNoParamClient) {
		t.Errorf("Secrets() without its package: %v", err)
	}
	if f.Count("ssm.GetParameter") != 1 || f.Count("secretsmanager.GetSecretValue") != 0 {
		t.Errorf("counts %v", f.Counts())
	}
}

func TestNewProvider(t *testing.T) {
	_, cfg := fake(t, &awsfake.Seed{Parameters: []awsfake.Parameter{{Name: "/a", Value: "1"}}})
	p := ssmparams.NewProvider(ssm.NewFromConfig(cfg))
	if v, err := p.Get(context.Background(), "/a"); err != nil || v != "1" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	if _, err := p.Get(context.Background(), "/b"); !errors.Is(err, powertools.ErrParameterNotFound) {
		t.Errorf("unknown: %v", err)
	}
	if ssmparams.Adapt(nil) != nil {
		t.Error("Adapt(nil) is not nil")
	}
}
