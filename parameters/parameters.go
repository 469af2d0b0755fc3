// Package parameters connects the Parameters utility of package powertools to the AWS SDK for Go v2: the
// providers over SDK clients (NewSSMProvider, NewSecretsProvider, NewDynamoDBProvider,
// NewAppConfigProvider) and the option With, which gives an App's default providers (app.SSM(),
// app.Secrets(), app.AppConfig, powertools.SSM(ctx)...) SDK clients built from the default AWS
// configuration on first use.
//
// It is a package of its own because the SDK's service packages are heavy: importing ssm,
// secretsmanager, appconfigdata and dynamodb adds 1.5 MiB and about 8 ms of package init (the SSM
// package's schema tables alone take 4 ms), which a function using only the logger, metrics and tracer
// must not pay. Only the functions that import this package do.
//
//	app, err := powertools.New(powertools.WithService("orders"), parameters.With())
//	...
//	key, err := powertools.Secrets(ctx).Get(ctx, "orders/payment-api-key")
package parameters

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/appconfigdata"
	actypes "github.com/aws/aws-sdk-go-v2/service/appconfigdata/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/gopowertools/powertools"
)

// SSMClient is the part of *ssm.Client the SSM provider calls; the SDK client satisfies it, and so can an
// instrumented or stubbed one.
type SSMClient interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
	GetParameters(ctx context.Context, in *ssm.GetParametersInput, optFns ...func(*ssm.Options)) (*ssm.GetParametersOutput, error)
	GetParametersByPath(ctx context.Context, in *ssm.GetParametersByPathInput, optFns ...func(*ssm.Options)) (*ssm.GetParametersByPathOutput, error)
	PutParameter(ctx context.Context, in *ssm.PutParameterInput, optFns ...func(*ssm.Options)) (*ssm.PutParameterOutput, error)
}

// SecretsClient is the part of *secretsmanager.Client the Secrets provider calls.
type SecretsClient interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	PutSecretValue(ctx context.Context, in *secretsmanager.PutSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
	CreateSecret(ctx context.Context, in *secretsmanager.CreateSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.CreateSecretOutput, error)
}

// DynamoDBClient is the part of *dynamodb.Client the DynamoDB provider calls.
type DynamoDBClient interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// AppConfigClient is the part of *appconfigdata.Client the AppConfig provider calls.
type AppConfigClient interface {
	StartConfigurationSession(ctx context.Context, in *appconfigdata.StartConfigurationSessionInput, optFns ...func(*appconfigdata.Options)) (*appconfigdata.StartConfigurationSessionOutput, error)
	GetLatestConfiguration(ctx context.Context, in *appconfigdata.GetLatestConfigurationInput, optFns ...func(*appconfigdata.Options)) (*appconfigdata.GetLatestConfigurationOutput, error)
}

// NewSSMProvider is powertools.NewSSMProvider over an SDK SSM client.
func NewSSMProvider(client SSMClient, opts ...powertools.ParamOption) *powertools.SSMProvider {
	return powertools.NewSSMProvider(SSM(client), opts...)
}

// NewSecretsProvider is powertools.NewSecretsProvider over an SDK Secrets Manager client.
func NewSecretsProvider(client SecretsClient, opts ...powertools.ParamOption) *powertools.SecretsProvider {
	return powertools.NewSecretsProvider(Secrets(client), opts...)
}

// NewDynamoDBProvider is powertools.NewDynamoDBProvider over an SDK DynamoDB client.
func NewDynamoDBProvider(client DynamoDBClient, table string, opts ...powertools.ParamOption) *powertools.DynamoDBProvider {
	return powertools.NewDynamoDBProvider(DynamoDB(client), table, opts...)
}

// NewAppConfigProvider is powertools.NewAppConfigProvider over an SDK AppConfigData client.
func NewAppConfigProvider(client AppConfigClient, application, environment string, opts ...powertools.ParamOption) *powertools.AppConfigProvider {
	return powertools.NewAppConfigProvider(AppConfig(client), application, environment, opts...)
}

// With is the option of powertools.New giving the App's default providers SDK clients: built once, on the
// first call of one of them (never in New), from the default AWS configuration (config.LoadDefaultConfig:
// region, credentials, AWS_ENDPOINT_URL...) prepared by App.ConfigureAWS (the library's user agent and,
// when tracing is on, the tracer's instrumentation). A configuration that fails to load is tried again on
// the next call. opts apply to those providers over the environment's (POWERTOOLS_PARAMETERS_MAX_AGE,
// POWERTOOLS_PARAMETERS_SSM_DECRYPT).
func With(opts ...powertools.ParamOption) powertools.Option {
	return powertools.WithParamClients(func(app *powertools.App) powertools.ParamClients {
		return &sdkClients{app: app}
	}, opts...)
}

// WithConfig is With building the clients from a copy of cfg instead of the default configuration.
func WithConfig(cfg aws.Config, opts ...powertools.ParamOption) powertools.Option {
	return powertools.WithParamClients(func(app *powertools.App) powertools.ParamClients {
		c := cfg.Copy()
		return &sdkClients{app: app, given: &c}
	}, opts...)
}

// sdkClients builds the App's SDK clients lazily, each once.
type sdkClients struct {
	app   *powertools.App
	given *aws.Config

	mu        sync.Mutex
	cfg       *aws.Config
	ssm       powertools.ParamSSMClient
	secrets   powertools.ParamSecretsClient
	appconfig powertools.ParamAppConfigClient
}

// config loads (once it succeeds) and prepares the AWS configuration; c.mu is held.
func (c *sdkClients) config(ctx context.Context) (aws.Config, error) {
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
	c.app.ConfigureAWS(&cfg)
	c.cfg = &cfg
	return cfg, nil
}

func (c *sdkClients) SSM(ctx context.Context) (powertools.ParamSSMClient, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ssm == nil {
		cfg, err := c.config(ctx)
		if err != nil {
			return nil, err
		}
		c.ssm = SSM(ssm.NewFromConfig(cfg))
	}
	return c.ssm, nil
}

func (c *sdkClients) Secrets(ctx context.Context) (powertools.ParamSecretsClient, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.secrets == nil {
		cfg, err := c.config(ctx)
		if err != nil {
			return nil, err
		}
		c.secrets = Secrets(secretsmanager.NewFromConfig(cfg))
	}
	return c.secrets, nil
}

func (c *sdkClients) AppConfig(ctx context.Context) (powertools.ParamAppConfigClient, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.appconfig == nil {
		cfg, err := c.config(ctx)
		if err != nil {
			return nil, err
		}
		c.appconfig = AppConfig(appconfigdata.NewFromConfig(cfg))
	}
	return c.appconfig, nil
}

// SSM adapts an SDK SSM client to the library's interface.
func SSM(client SSMClient) powertools.ParamSSMClient {
	if client == nil {
		return nil
	}
	return ssmAdapter{client}
}

type ssmAdapter struct{ c SSMClient }

func ssmErr(err error) error {
	var nf *ssmtypes.ParameterNotFound
	if errors.As(err, &nf) {
		return powertools.ParamNotFound(err)
	}
	return err
}

func (a ssmAdapter) GetParameter(ctx context.Context, name string, decrypt bool) (string, error) {
	out, err := a.c.GetParameter(ctx, &ssm.GetParameterInput{Name: &name, WithDecryption: &decrypt})
	if err != nil {
		return "", ssmErr(err)
	}
	if out.Parameter == nil {
		return "", powertools.ParamNotFound(nil)
	}
	return aws.ToString(out.Parameter.Value), nil
}

func (a ssmAdapter) GetParameters(ctx context.Context, names []string, decrypt bool) ([]powertools.ParamItem, []string, error) {
	out, err := a.c.GetParameters(ctx, &ssm.GetParametersInput{Names: names, WithDecryption: &decrypt})
	if err != nil {
		return nil, nil, ssmErr(err)
	}
	return ssmItems(out.Parameters), out.InvalidParameters, nil
}

func (a ssmAdapter) GetParametersByPath(ctx context.Context, path string, recursive, decrypt bool, next string) ([]powertools.ParamItem, string, error) {
	in := &ssm.GetParametersByPathInput{Path: &path, Recursive: &recursive, WithDecryption: &decrypt}
	if next != "" {
		in.NextToken = &next
	}
	out, err := a.c.GetParametersByPath(ctx, in)
	if err != nil {
		return nil, "", ssmErr(err)
	}
	return ssmItems(out.Parameters), aws.ToString(out.NextToken), nil
}

func (a ssmAdapter) PutParameter(ctx context.Context, p powertools.ParamPut) error {
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

func ssmItems(ps []ssmtypes.Parameter) []powertools.ParamItem {
	out := make([]powertools.ParamItem, 0, len(ps))
	for _, p := range ps {
		out = append(out, powertools.ParamItem{Name: aws.ToString(p.Name), Value: aws.ToString(p.Value)})
	}
	return out
}

// Secrets adapts an SDK Secrets Manager client to the library's interface. A value written is
// SecretString when it is valid UTF-8, SecretBinary otherwise.
func Secrets(client SecretsClient) powertools.ParamSecretsClient {
	if client == nil {
		return nil
	}
	return secretsAdapter{client}
}

type secretsAdapter struct{ c SecretsClient }

func secretsErr(err error) error {
	var nf *smtypes.ResourceNotFoundException
	if errors.As(err, &nf) {
		return powertools.ParamNotFound(err)
	}
	return err
}

func (a secretsAdapter) GetSecretValue(ctx context.Context, id string) (string, error) {
	out, err := a.c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &id})
	if err != nil {
		return "", secretsErr(err)
	}
	if out.SecretString != nil {
		return *out.SecretString, nil
	}
	return string(out.SecretBinary), nil
}

func (a secretsAdapter) PutSecretValue(ctx context.Context, id string, value []byte) error {
	in := &secretsmanager.PutSecretValueInput{SecretId: &id}
	if utf8.Valid(value) {
		in.SecretString = aws.String(string(value))
	} else {
		in.SecretBinary = value
	}
	_, err := a.c.PutSecretValue(ctx, in)
	return secretsErr(err)
}

func (a secretsAdapter) CreateSecret(ctx context.Context, name string, value []byte) error {
	in := &secretsmanager.CreateSecretInput{Name: &name}
	if utf8.Valid(value) {
		in.SecretString = aws.String(string(value))
	} else {
		in.SecretBinary = value
	}
	_, err := a.c.CreateSecret(ctx, in)
	return err
}

// DynamoDB adapts an SDK DynamoDB client to the library's interface. The value attribute may be a string,
// a number (its text) or binary (its bytes).
func DynamoDB(client DynamoDBClient) powertools.ParamDynamoDBClient {
	if client == nil {
		return nil
	}
	return dynamoAdapter{client}
}

type dynamoAdapter struct{ c DynamoDBClient }

func (a dynamoAdapter) GetItem(ctx context.Context, table, keyAttr, key, valueAttr string) (string, error) {
	out, err := a.c.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:            &table,
		Key:                  map[string]ddbtypes.AttributeValue{keyAttr: &ddbtypes.AttributeValueMemberS{Value: key}},
		ProjectionExpression: aws.String("#v"),
		ExpressionAttributeNames: map[string]string{
			"#v": valueAttr,
		},
	})
	if err != nil {
		return "", err
	}
	if out.Item == nil {
		return "", powertools.ParamNotFound(nil)
	}
	return dynamoValue(out.Item[valueAttr], valueAttr)
}

func (a dynamoAdapter) Query(ctx context.Context, table, keyAttr, key, sortAttr, valueAttr string, start any) ([]powertools.ParamItem, any, error) {
	in := &dynamodb.QueryInput{
		TableName:                &table,
		KeyConditionExpression:   aws.String("#k = :k"),
		ExpressionAttributeNames: map[string]string{"#k": keyAttr},
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{
			":k": &ddbtypes.AttributeValueMemberS{Value: key},
		},
	}
	if lek, ok := start.(map[string]ddbtypes.AttributeValue); ok && len(lek) > 0 {
		in.ExclusiveStartKey = lek
	}
	out, err := a.c.Query(ctx, in)
	if err != nil {
		return nil, nil, err
	}
	items := make([]powertools.ParamItem, 0, len(out.Items))
	for _, it := range out.Items {
		sk, err := dynamoValue(it[sortAttr], sortAttr)
		if err != nil {
			return nil, nil, err
		}
		v, err := dynamoValue(it[valueAttr], valueAttr)
		if err != nil {
			return nil, nil, err
		}
		items = append(items, powertools.ParamItem{Name: sk, Value: v})
	}
	if len(out.LastEvaluatedKey) == 0 {
		return items, nil, nil
	}
	return items, out.LastEvaluatedKey, nil
}

// errAttribute reports a missing or non-scalar attribute; its text names the attribute, never a value.
type errAttribute struct{ name, reason string }

func (e *errAttribute) Error() string { return "attribute " + e.name + " " + e.reason }

func dynamoValue(av ddbtypes.AttributeValue, name string) (string, error) {
	switch v := av.(type) {
	case *ddbtypes.AttributeValueMemberS:
		return v.Value, nil
	case *ddbtypes.AttributeValueMemberN:
		return v.Value, nil
	case *ddbtypes.AttributeValueMemberB:
		return string(v.Value), nil
	case nil:
		return "", &errAttribute{name, "is missing"}
	}
	return "", &errAttribute{name, "is not a string, number or binary"}
}

// AppConfig adapts an SDK AppConfigData client to the library's interface: a BadRequestException from
// GetLatestConfiguration (expired, used or corrupt token) matches powertools.ErrAppConfigTokenRejected,
// a ResourceNotFoundException powertools.ErrParameterNotFound.
func AppConfig(client AppConfigClient) powertools.ParamAppConfigClient {
	if client == nil {
		return nil
	}
	return appConfigAdapter{client}
}

type appConfigAdapter struct{ c AppConfigClient }

func appConfigErr(err error) error {
	var nf *actypes.ResourceNotFoundException
	if errors.As(err, &nf) {
		return powertools.ParamNotFound(err)
	}
	return err
}

func (a appConfigAdapter) StartConfigurationSession(ctx context.Context, application, environment, profile string) (string, error) {
	out, err := a.c.StartConfigurationSession(ctx, &appconfigdata.StartConfigurationSessionInput{
		ApplicationIdentifier: &application, EnvironmentIdentifier: &environment, ConfigurationProfileIdentifier: &profile,
	})
	if err != nil {
		return "", appConfigErr(err)
	}
	return aws.ToString(out.InitialConfigurationToken), nil
}

func (a appConfigAdapter) GetLatestConfiguration(ctx context.Context, token string) ([]byte, string, error) {
	out, err := a.c.GetLatestConfiguration(ctx, &appconfigdata.GetLatestConfigurationInput{ConfigurationToken: &token})
	if err != nil {
		var bad *actypes.BadRequestException
		if errors.As(err, &bad) {
			return nil, "", &tokenRejected{err}
		}
		return nil, "", appConfigErr(err)
	}
	return out.Configuration, aws.ToString(out.NextPollConfigurationToken), nil
}

// tokenRejected matches powertools.ErrAppConfigTokenRejected and unwraps to the SDK's error.
type tokenRejected struct{ err error }

func (e *tokenRejected) Error() string        { return "configuration token rejected: " + e.err.Error() }
func (e *tokenRejected) Is(target error) bool { return target == powertools.ErrAppConfigTokenRejected }
func (e *tokenRejected) Unwrap() error        { return e.err }
