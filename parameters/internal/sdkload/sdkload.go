// Package sdkload is what the parameters packages share to build SDK clients lazily: the AWS
// configuration, loaded once on first use (again after a failure) and prepared by App.ConfigureAWS, and
// a slot holding one client built once.
package sdkload

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/gopowertools/powertools"
)

// Config is an App's AWS configuration, loaded on the first Load.
type Config struct {
	app   *powertools.App
	given *aws.Config

	mu  sync.Mutex
	cfg *aws.Config
}

// New returns the configuration of app: a copy of given, or the default configuration when given is nil.
func New(app *powertools.App, given *aws.Config) *Config {
	if given != nil {
		c := given.Copy()
		given = &c
	}
	return &Config{app: app, given: given}
}

// Load returns the configuration, loading it on the first call (config.LoadDefaultConfig: region,
// credentials, AWS_ENDPOINT_URL...) and preparing it with App.ConfigureAWS.
func (c *Config) Load(ctx context.Context) (aws.Config, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cfg != nil {
		return *c.cfg, nil
	}
	var cfg aws.Config
	if c.given != nil {
		cfg = c.given.Copy()
	} else {
		var err error
		if cfg, err = config.LoadDefaultConfig(context.WithoutCancel(ctx)); err != nil {
			return aws.Config{}, fmt.Errorf("powertools: parameters: load the AWS configuration: %w", err)
		}
	}
	if c.app != nil {
		c.app.ConfigureAWS(&cfg)
	}
	c.cfg = &cfg
	return cfg, nil
}

// Slot holds one client, built on the first Get.
type Slot[C any] struct {
	mu    sync.Mutex
	c     C
	built bool
}

// Get returns the client, building it from cfg with build on the first call that can load cfg.
func (s *Slot[C]) Get(ctx context.Context, cfg *Config, build func(aws.Config) C) (C, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.built {
		return s.c, nil
	}
	c, err := cfg.Load(ctx)
	if err != nil {
		var zero C
		return zero, err
	}
	s.c, s.built = build(c), true
	return s.c, nil
}

// None serves no service: embedded by factories serving one, for the others.
type None struct{}

// SSM answers ErrNoParamClient.
func (None) SSM(context.Context) (powertools.ParamSSMClient, error) {
	return nil, powertools.ErrNoParamClient
}

// Secrets answers ErrNoParamClient.
func (None) Secrets(context.Context) (powertools.ParamSecretsClient, error) {
	return nil, powertools.ErrNoParamClient
}

// AppConfig answers ErrNoParamClient.
func (None) AppConfig(context.Context) (powertools.ParamAppConfigClient, error) {
	return nil, powertools.ErrNoParamClient
}

// Option is the With / WithConfig option of a parameters package: the App's providers get the clients
// newClients makes over the App's AWS configuration, a copy of given, or the default configuration when
// given is nil, loaded on first use. opts apply to those providers over the environment's.
func Option[C powertools.ParamClients](given *aws.Config, newClients func(*Config) C, opts []powertools.ParamOption) powertools.Option {
	return powertools.WithParamClients(func(app *powertools.App) powertools.ParamClients {
		return newClients(New(app, given))
	}, opts...)
}

// NotFound is err, or powertools.ParamNotFound(err) when err holds the service's not-found error E (for
// example *smtypes.ResourceNotFoundException), so that errors.Is(err, powertools.ErrParameterNotFound)
// and errors.As for E both hold.
func NotFound[E error](err error) error {
	var nf E
	if errors.As(err, &nf) {
		return powertools.ParamNotFound(err)
	}
	return err
}
