// Package appconfigparams is the AppConfig part of package parameters alone: a function that reads only
// AppConfig links only the SDK's appconfigdata package (and the configuration loader), not those of the
// other services, whose package init costs each cold start (bench/README.md).
//
//	app, err := powertools.New(appconfigparams.With())
//	...
//	flags, err := powertools.AppConfig(ctx, "", "prod").Get(ctx, "flags")
package appconfigparams

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/appconfigdata"
	actypes "github.com/aws/aws-sdk-go-v2/service/appconfigdata/types"
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/parameters/internal/sdkload"
)

// Client is the part of *appconfigdata.Client the AppConfig provider calls.
type Client interface {
	StartConfigurationSession(ctx context.Context, in *appconfigdata.StartConfigurationSessionInput, optFns ...func(*appconfigdata.Options)) (*appconfigdata.StartConfigurationSessionOutput, error)
	GetLatestConfiguration(ctx context.Context, in *appconfigdata.GetLatestConfigurationInput, optFns ...func(*appconfigdata.Options)) (*appconfigdata.GetLatestConfigurationOutput, error)
}

// NewProvider is powertools.NewAppConfigProvider over an SDK AppConfigData client.
func NewProvider(client Client, application, environment string, opts ...powertools.ParamOption) *powertools.AppConfigProvider {
	return powertools.NewAppConfigProvider(Adapt(client), application, environment, opts...)
}

// With is the option of powertools.New giving app.AppConfig (and powertools.AppConfig(ctx, ...)) an SDK
// client, built on its first call from the default AWS configuration, as parameters.With does for every
// service.
func With(opts ...powertools.ParamOption) powertools.Option {
	return sdkload.Option(nil, newClients, opts)
}

// WithConfig is With building the client from a copy of cfg.
func WithConfig(cfg aws.Config, opts ...powertools.ParamOption) powertools.Option {
	return sdkload.Option(&cfg, newClients, opts)
}

func newClients(cfg *sdkload.Config) *clients { return &clients{cfg: cfg} }

type clients struct {
	sdkload.None
	cfg  *sdkload.Config
	slot sdkload.Slot[powertools.ParamAppConfigClient]
}

func (c *clients) AppConfig(ctx context.Context) (powertools.ParamAppConfigClient, error) {
	return c.slot.Get(ctx, c.cfg, Build)
}

// Build is the library's AppConfigData client built from cfg.
func Build(cfg aws.Config) powertools.ParamAppConfigClient {
	return Adapt(appconfigdata.NewFromConfig(cfg))
}

// Adapt turns an SDK AppConfigData client into the library's interface: a BadRequestException from
// GetLatestConfiguration (expired, used or corrupt token) matches powertools.ErrAppConfigTokenRejected,
// a ResourceNotFoundException powertools.ErrParameterNotFound.
func Adapt(client Client) powertools.ParamAppConfigClient {
	if client == nil {
		return nil
	}
	return adapter{client}
}

type adapter struct{ c Client }

// notFound marks the service's not-found error as powertools.ErrParameterNotFound.
func notFound(err error) error { return sdkload.NotFound[*actypes.ResourceNotFoundException](err) }

func (a adapter) StartConfigurationSession(ctx context.Context, application, environment, profile string) (string, error) {
	out, err := a.c.StartConfigurationSession(ctx, &appconfigdata.StartConfigurationSessionInput{
		ApplicationIdentifier: &application, EnvironmentIdentifier: &environment, ConfigurationProfileIdentifier: &profile,
	})
	if err != nil {
		return "", notFound(err)
	}
	return aws.ToString(out.InitialConfigurationToken), nil
}

func (a adapter) GetLatestConfiguration(ctx context.Context, token string) ([]byte, string, error) {
	out, err := a.c.GetLatestConfiguration(ctx, &appconfigdata.GetLatestConfigurationInput{ConfigurationToken: &token})
	if err != nil {
		var bad *actypes.BadRequestException
		if errors.As(err, &bad) {
			return nil, "", &tokenRejected{err}
		}
		return nil, "", notFound(err)
	}
	return out.Configuration, aws.ToString(out.NextPollConfigurationToken), nil
}

// tokenRejected matches powertools.ErrAppConfigTokenRejected and unwraps to the SDK's error.
type tokenRejected struct{ err error }

func (e *tokenRejected) Error() string        { return "configuration token rejected: " + e.err.Error() }
func (e *tokenRejected) Is(target error) bool { return target == powertools.ErrAppConfigTokenRejected }
func (e *tokenRejected) Unwrap() error        { return e.err }
