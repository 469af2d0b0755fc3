package sdkload

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/gopowertools/powertools"
)

// A configuration that does not load is an error, tried again on the next call; once loaded it is kept,
// prepared by App.ConfigureAWS (one more API option: the user agent).
func TestLoadRetriesThenKeeps(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", dir+"/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/credentials")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_PROFILE", "no-such-profile")
	app, err := powertools.New()
	if err != nil {
		t.Fatal(err)
	}
	c := New(app, nil)
	var slot Slot[string]
	builds := 0
	build := func(aws.Config) string { builds++; return "client" }
	if _, err := slot.Get(context.Background(), c, build); err == nil {
		t.Fatal("a missing profile loaded")
	}
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "eu-west-1")
	got, err := slot.Get(context.Background(), c, build)
	if err != nil || got != "client" {
		t.Fatalf("second try: %q, %v", got, err)
	}
	cfg, _ := c.Load(context.Background())
	if cfg.Region != "eu-west-1" || len(cfg.APIOptions) != 1 {
		t.Errorf("region %q, %d API options", cfg.Region, len(cfg.APIOptions))
	}
	t.Setenv("AWS_REGION", "us-west-2")
	_, _ = slot.Get(context.Background(), c, build)
	if cfg, _ := c.Load(context.Background()); cfg.Region != "eu-west-1" || builds != 1 {
		t.Errorf("reloaded: region %q, %d builds", cfg.Region, builds)
	}
}

func TestGivenAndNone(t *testing.T) {
	given := aws.Config{Region: "ap-south-1"}
	c := New(nil, &given)
	given.Region = "changed"
	if cfg, err := c.Load(context.Background()); err != nil || cfg.Region != "ap-south-1" {
		t.Errorf("given: %q, %v", cfg.Region, err)
	}
	var n None
	_, e1 := n.SSM(context.Background())
	_, e2 := n.Secrets(context.Background())
	_, e3 := n.AppConfig(context.Background())
	for _, err := range []error{e1, e2, e3} {
		if !errors.Is(err, powertools.ErrNoParamClient) {
			t.Errorf("None: %v", err)
		}
	}
}
