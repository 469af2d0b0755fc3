package appconfigparams_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/appconfigdata"
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/internal/awsfake"
	"github.com/gopowertools/powertools/parameters/appconfigparams"
	"github.com/gopowertools/powertools/parameters/secretsparams"
)

func fake(t *testing.T, seed *awsfake.Seed) (*awsfake.Server, aws.Config) {
	t.Helper()
	f := awsfake.New(seed)
	return f, awsfake.StartForTest(t, f)
}

// With serves app.AppConfig alone; given with secretsparams.With, each serves its own service.
func TestWith(t *testing.T) {
	f, cfg := fake(t, &awsfake.Seed{Secrets: map[string]string{"s": "v"},
		AppConfig: []awsfake.AppConfigProfile{{Application: "svc", Environment: "prod", Profile: "flags", Content: "on"}}})
	app, err := powertools.New(powertools.WithService("svc"), appconfigparams.WithConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := app.AppConfig("", "prod").Get(context.Background(), "flags"); err != nil || v != "on" {
		t.Fatalf("AppConfig().Get = %q, %v", v, err)
	}
	if _, err := app.Secrets().Get(context.Background(), "s"); !errors.Is(err, powertools.ErrNoParamClient) {
		t.Errorf("Secrets() without its package: %v", err)
	}
	both, err := powertools.New(powertools.WithService("svc"), appconfigparams.WithConfig(cfg), secretsparams.WithConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := both.Secrets().Get(context.Background(), "s"); err != nil || v != "v" {
		t.Errorf("Secrets() with both: %q, %v", v, err)
	}
	if v, err := both.AppConfig("", "prod").Get(context.Background(), "flags"); err != nil || v != "on" {
		t.Errorf("AppConfig() with both: %q, %v", v, err)
	}
	if f.Count("appconfigdata.StartConfigurationSession") != 2 {
		t.Errorf("counts %v", f.Counts())
	}
}

func TestNewProvider(t *testing.T) {
	f, cfg := fake(t, &awsfake.Seed{AppConfig: []awsfake.AppConfigProfile{{Application: "a", Environment: "e", Profile: "p", Content: "x"}}})
	p := appconfigparams.NewProvider(appconfigdata.NewFromConfig(cfg), "a", "e")
	f.RejectTokens()
	if v, err := p.Get(context.Background(), "p"); err != nil || v != "x" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	f.RejectTokens() // the token the provider holds is refused: it starts a new session
	if v, err := p.Get(context.Background(), "p", powertools.WithParamForceFetch()); err != nil || v != "x" {
		t.Fatalf("Get after a rejected token = %q, %v", v, err)
	}
	if n := f.Count("appconfigdata.StartConfigurationSession"); n != 2 {
		t.Errorf("%d sessions, want 2", n)
	}
	if appconfigparams.Adapt(nil) != nil {
		t.Error("Adapt(nil) is not nil")
	}
}
