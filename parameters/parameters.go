// Package parameters connects the Parameters utility of package powertools to the AWS SDK for Go v2: the
// providers over SDK clients (NewSSMProvider, NewSecretsProvider, NewDynamoDBProvider,
// NewAppConfigProvider) and the option With, which gives an App's default providers (app.SSM(),
// app.Secrets(), app.AppConfig, powertools.SSM(ctx)...) SDK clients built from the default AWS
// configuration on first use.
//
// It is a package of its own because the SDK's service packages are heavy: importing ssm,
// secretsmanager, appconfigdata and dynamodb adds 1.5 MiB and about 8 ms of package init (the SSM
// package's schema tables alone take 2.5 to 4 ms), which a function using only the logger, metrics and
// tracer must not pay. Only the functions that import this package do, and a function using one service
// can import its package alone (ssmparams, secretsparams, appconfigparams, dynamodbparams) to link only
// that SDK package.
//
//	app, err := powertools.New(powertools.WithService("orders"), parameters.With())
//	...
//	key, err := powertools.Secrets(ctx).Get(ctx, "orders/payment-api-key")
package parameters

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/parameters/appconfigparams"
	"github.com/gopowertools/powertools/parameters/dynamodbparams"
	"github.com/gopowertools/powertools/parameters/internal/sdkload"
	"github.com/gopowertools/powertools/parameters/secretsparams"
	"github.com/gopowertools/powertools/parameters/ssmparams"
)

// SSMClient is the part of *ssm.Client the SSM provider calls (ssmparams.Client).
type SSMClient = ssmparams.Client

// SecretsClient is the part of *secretsmanager.Client the Secrets provider calls (secretsparams.Client).
type SecretsClient = secretsparams.Client

// DynamoDBClient is the part of *dynamodb.Client the DynamoDB provider calls (dynamodbparams.Client).
type DynamoDBClient = dynamodbparams.Client

// AppConfigClient is the part of *appconfigdata.Client the AppConfig provider calls
// (appconfigparams.Client).
type AppConfigClient = appconfigparams.Client

// NewSSMProvider is powertools.NewSSMProvider over an SDK SSM client.
func NewSSMProvider(client SSMClient, opts ...powertools.ParamOption) *powertools.SSMProvider {
	return ssmparams.NewProvider(client, opts...)
}

// NewSecretsProvider is powertools.NewSecretsProvider over an SDK Secrets Manager client.
func NewSecretsProvider(client SecretsClient, opts ...powertools.ParamOption) *powertools.SecretsProvider {
	return secretsparams.NewProvider(client, opts...)
}

// NewDynamoDBProvider is powertools.NewDynamoDBProvider over an SDK DynamoDB client.
func NewDynamoDBProvider(client DynamoDBClient, table string, opts ...powertools.ParamOption) *powertools.DynamoDBProvider {
	return dynamodbparams.NewProvider(client, table, opts...)
}

// NewAppConfigProvider is powertools.NewAppConfigProvider over an SDK AppConfigData client.
func NewAppConfigProvider(client AppConfigClient, application, environment string, opts ...powertools.ParamOption) *powertools.AppConfigProvider {
	return appconfigparams.NewProvider(client, application, environment, opts...)
}

// SSM adapts an SDK SSM client to the library's interface (ssmparams.Adapt).
func SSM(client SSMClient) powertools.ParamSSMClient { return ssmparams.Adapt(client) }

// Secrets adapts an SDK Secrets Manager client to the library's interface (secretsparams.Adapt).
func Secrets(client SecretsClient) powertools.ParamSecretsClient { return secretsparams.Adapt(client) }

// DynamoDB adapts an SDK DynamoDB client to the library's interface (dynamodbparams.Adapt).
func DynamoDB(client DynamoDBClient) powertools.ParamDynamoDBClient {
	return dynamodbparams.Adapt(client)
}

// AppConfig adapts an SDK AppConfigData client to the library's interface (appconfigparams.Adapt).
func AppConfig(client AppConfigClient) powertools.ParamAppConfigClient {
	return appconfigparams.Adapt(client)
}

// With is the option of powertools.New giving the App's default providers SDK clients: built once, on the
// first call of one of them (never in New), from the default AWS configuration (config.LoadDefaultConfig:
// region, credentials, AWS_ENDPOINT_URL...) loaded once for all of them and prepared by App.ConfigureAWS
// (the library's user agent and, when tracing is on, the tracer's instrumentation). A configuration that
// fails to load is tried again on the next call. opts apply to those providers over the environment's
// (POWERTOOLS_PARAMETERS_MAX_AGE, POWERTOOLS_PARAMETERS_SSM_DECRYPT).
func With(opts ...powertools.ParamOption) powertools.Option {
	return sdkload.Option(nil, newSdkClients, opts)
}

// WithConfig is With building the clients from a copy of cfg instead of the default configuration.
func WithConfig(cfg aws.Config, opts ...powertools.ParamOption) powertools.Option {
	return sdkload.Option(&cfg, newSdkClients, opts)
}

func newSdkClients(cfg *sdkload.Config) *sdkClients { return &sdkClients{cfg: cfg} }

// sdkClients builds the App's SDK clients lazily, each once, from one configuration.
type sdkClients struct {
	cfg       *sdkload.Config
	ssm       sdkload.Slot[powertools.ParamSSMClient]
	secrets   sdkload.Slot[powertools.ParamSecretsClient]
	appconfig sdkload.Slot[powertools.ParamAppConfigClient]
}

func (c *sdkClients) SSM(ctx context.Context) (powertools.ParamSSMClient, error) {
	return c.ssm.Get(ctx, c.cfg, ssmparams.Build)
}

func (c *sdkClients) Secrets(ctx context.Context) (powertools.ParamSecretsClient, error) {
	return c.secrets.Get(ctx, c.cfg, secretsparams.Build)
}

func (c *sdkClients) AppConfig(ctx context.Context) (powertools.ParamAppConfigClient, error) {
	return c.appconfig.Get(ctx, c.cfg, appconfigparams.Build)
}
