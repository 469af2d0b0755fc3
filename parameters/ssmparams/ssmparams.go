// Package ssmparams is the SSM Parameter Store part of package parameters alone: a function that reads
// only SSM links only the SDK's ssm package (and the configuration loader), not those of the other
// services, whose package init costs each cold start (bench/README.md).
//
//	app, err := powertools.New(ssmparams.With())
//	...
//	host, err := powertools.SSM(ctx).Get(ctx, "/orders/db/host")
package ssmparams

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/parameters/internal/sdkload"
)

// Client is the part of *ssm.Client the SSM provider calls; the SDK client satisfies it, and so can an
// instrumented or stubbed one.
type Client interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
	GetParameters(ctx context.Context, in *ssm.GetParametersInput, optFns ...func(*ssm.Options)) (*ssm.GetParametersOutput, error)
	GetParametersByPath(ctx context.Context, in *ssm.GetParametersByPathInput, optFns ...func(*ssm.Options)) (*ssm.GetParametersByPathOutput, error)
	PutParameter(ctx context.Context, in *ssm.PutParameterInput, optFns ...func(*ssm.Options)) (*ssm.PutParameterOutput, error)
}

// NewProvider is powertools.NewSSMProvider over an SDK SSM client.
func NewProvider(client Client, opts ...powertools.ParamOption) *powertools.SSMProvider {
	return powertools.NewSSMProvider(Adapt(client), opts...)
}

// With is the option of powertools.New giving app.SSM() (and powertools.SSM(ctx)) an SDK client, built
// on its first call from the default AWS configuration, as parameters.With does for every service.
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
	slot sdkload.Slot[powertools.ParamSSMClient]
}

func (c *clients) SSM(ctx context.Context) (powertools.ParamSSMClient, error) {
	return c.slot.Get(ctx, c.cfg, Build)
}

// Build is the library's SSM client built from cfg.
func Build(cfg aws.Config) powertools.ParamSSMClient { return Adapt(ssm.NewFromConfig(cfg)) }

// Adapt turns an SDK SSM client into the library's interface: ParameterNotFound matches
// powertools.ErrParameterNotFound.
func Adapt(client Client) powertools.ParamSSMClient {
	if client == nil {
		return nil
	}
	return adapter{client}
}

type adapter struct{ c Client }

func ssmErr(err error) error {
	var nf *ssmtypes.ParameterNotFound
	if errors.As(err, &nf) {
		return powertools.ParamNotFound(err)
	}
	return err
}

func (a adapter) GetParameter(ctx context.Context, name string, decrypt bool) (string, error) {
	out, err := a.c.GetParameter(ctx, &ssm.GetParameterInput{Name: &name, WithDecryption: &decrypt})
	if err != nil {
		return "", ssmErr(err)
	}
	if out.Parameter == nil {
		return "", powertools.ParamNotFound(nil)
	}
	return aws.ToString(out.Parameter.Value), nil
}

func (a adapter) GetParameters(ctx context.Context, names []string, decrypt bool) ([]powertools.ParamItem, []string, error) {
	out, err := a.c.GetParameters(ctx, &ssm.GetParametersInput{Names: names, WithDecryption: &decrypt})
	if err != nil {
		return nil, nil, ssmErr(err)
	}
	return items(out.Parameters), out.InvalidParameters, nil
}

func (a adapter) GetParametersByPath(ctx context.Context, path string, recursive, decrypt bool, next string) ([]powertools.ParamItem, string, error) {
	in := &ssm.GetParametersByPathInput{Path: &path, Recursive: &recursive, WithDecryption: &decrypt}
	if next != "" {
		in.NextToken = &next
	}
	out, err := a.c.GetParametersByPath(ctx, in)
	if err != nil {
		return nil, "", ssmErr(err)
	}
	return items(out.Parameters), aws.ToString(out.NextToken), nil
}

func (a adapter) PutParameter(ctx context.Context, p powertools.ParamPut) error {
	in := &ssm.PutParameterInput{
		Name: &p.Name, Value: &p.Value, Type: ssmtypes.ParameterType(p.Type), Overwrite: &p.Overwrite,
	}
	if p.Tier != "" {
		in.Tier = ssmtypes.ParameterTier(p.Tier)
	}
	if p.KMSKeyID != "" {
		in.KeyId = &p.KMSKeyID
	}
	_, err := a.c.PutParameter(ctx, in)
	return err
}

func items(ps []ssmtypes.Parameter) []powertools.ParamItem {
	out := make([]powertools.ParamItem, 0, len(ps))
	for _, p := range ps {
		out = append(out, powertools.ParamItem{Name: aws.ToString(p.Name), Value: aws.ToString(p.Value)})
	}
	return out
}
