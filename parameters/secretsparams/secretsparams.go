// Package secretsparams is the Secrets Manager part of package parameters alone: a function that reads
// only secrets links only the SDK's secretsmanager package (and the configuration loader), not those of
// the other services, whose package init costs each cold start (bench/README.md).
//
//	app, err := powertools.New(secretsparams.With())
//	...
//	key, err := powertools.Secrets(ctx).Get(ctx, "orders/payments-api-key")
package secretsparams

import (
	"context"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/parameters/internal/sdkload"
)

// Client is the part of *secretsmanager.Client the Secrets provider calls.
type Client interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	PutSecretValue(ctx context.Context, in *secretsmanager.PutSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
	CreateSecret(ctx context.Context, in *secretsmanager.CreateSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.CreateSecretOutput, error)
}

// NewProvider is powertools.NewSecretsProvider over an SDK Secrets Manager client.
func NewProvider(client Client, opts ...powertools.ParamOption) *powertools.SecretsProvider {
	return powertools.NewSecretsProvider(Adapt(client), opts...)
}

// With is the option of powertools.New giving app.Secrets() (and powertools.Secrets(ctx)) an SDK client,
// built on its first call from the default AWS configuration, as parameters.With does for every service.
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
	slot sdkload.Slot[powertools.ParamSecretsClient]
}

func (c *clients) Secrets(ctx context.Context) (powertools.ParamSecretsClient, error) {
	return c.slot.Get(ctx, c.cfg, Build)
}

// Build is the library's Secrets Manager client built from cfg.
func Build(cfg aws.Config) powertools.ParamSecretsClient {
	return Adapt(secretsmanager.NewFromConfig(cfg))
}

// Adapt turns an SDK Secrets Manager client into the library's interface: ResourceNotFoundException
// matches powertools.ErrParameterNotFound, and a value written is SecretString when it is valid UTF-8,
// SecretBinary otherwise.
func Adapt(client Client) powertools.ParamSecretsClient {
	if client == nil {
		return nil
	}
	return adapter{client}
}

type adapter struct{ c Client }

// notFound marks the service's not-found error as powertools.ErrParameterNotFound.
func notFound(err error) error { return sdkload.NotFound[*smtypes.ResourceNotFoundException](err) }

func (a adapter) GetSecretValue(ctx context.Context, id string) (string, error) {
	out, err := a.c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &id})
	if err != nil {
		return "", notFound(err)
	}
	if out.SecretString != nil {
		return *out.SecretString, nil
	}
	return string(out.SecretBinary), nil
}

func (a adapter) PutSecretValue(ctx context.Context, id string, value []byte) error {
	in := &secretsmanager.PutSecretValueInput{SecretId: &id}
	if utf8.Valid(value) {
		in.SecretString = aws.String(string(value))
	} else {
		in.SecretBinary = value
	}
	_, err := a.c.PutSecretValue(ctx, in)
	return notFound(err)
}

func (a adapter) CreateSecret(ctx context.Context, name string, value []byte) error {
	in := &secretsmanager.CreateSecretInput{Name: &name}
	if utf8.Valid(value) {
		in.SecretString = aws.String(string(value))
	} else {
		in.SecretBinary = value
	}
	_, err := a.c.CreateSecret(ctx, in)
	return err
}
