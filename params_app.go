package powertools

// The App's default parameter providers: app.SSM(), app.Secrets(), app.AppConfig and their twins from a
// handler's context. Their clients come from a ParamClients factory (parameters.With installs the one
// building AWS SDK clients), built on first use, never by New.

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
)

// ParamClients gives the clients of the App's default providers. parameters.With() installs one building
// AWS SDK clients from the default AWS configuration (with App.ConfigureAWS applied). Each method is
// called on every fetch of a default provider, never by New: it builds its client on the first call and
// returns the same one afterwards.
type ParamClients interface {
	SSM(ctx context.Context) (ParamSSMClient, error)
	Secrets(ctx context.Context) (ParamSecretsClient, error)
	AppConfig(ctx context.Context) (ParamAppConfigClient, error)
}

// WithParamClients adds a factory of the clients behind app.SSM(), app.Secrets() and app.AppConfig
// (called once by New, with the App being built; it must do no I/O), and options for those providers
// over the environment's. A factory answers ErrNoParamClient for the services it does not serve; with
// several, the last one serving a service wins. Default: none (the calls fail with ErrNoParamClient);
// parameters.With() is this option with the AWS SDK clients of the three services, ssmparams.With(),
// secretsparams.With() and appconfigparams.With() with one each (linking only that SDK package).
func WithParamClients(clients func(app *App) ParamClients, defaults ...ParamOption) Option {
	return func(c *config) {
		if clients == nil {
			c.addErr("WithParamClients", "nil", "clients must not be nil")
			return
		}
		c.params.clients = append(c.params.clients, clients)
		c.params.defaults = append(c.params.defaults, defaults...)
	}
}

// ConfigureAWS prepares an AWS configuration for the clients the library builds: it adds the library's
// user agent ("powertools-go/<Version>") and, when the App traces, InstrumentAWS. A nil cfg is ignored.
func (a *App) ConfigureAWS(cfg *aws.Config) {
	if cfg == nil {
		return
	}
	cfg.APIOptions = append(cfg.APIOptions, awsmiddleware.AddUserAgentKeyValue(userAgentName, Version))
	if a.tracer != nil {
		InstrumentAWS(cfg)
	}
}

// paramsAppConfig is the App's parameters settings.
type paramsAppConfig struct {
	maxAge   time.Duration // POWERTOOLS_PARAMETERS_MAX_AGE
	decrypt  bool          // POWERTOOLS_PARAMETERS_SSM_DECRYPT
	clients  []func(*App) ParamClients
	defaults []ParamOption
}

func paramsAppDefaultConfig() paramsAppConfig { return paramsAppConfig{maxAge: paramsDefaultMaxAge} }

func (c *paramsAppConfig) readEnv(env *envReader) {
	if v, ok := env.get("POWERTOOLS_PARAMETERS_MAX_AGE"); ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n > int64(1<<62/time.Second) {
			env.fail("POWERTOOLS_PARAMETERS_MAX_AGE", v, "want a whole number of seconds, 0 or more")
		} else {
			c.maxAge = time.Duration(n) * time.Second
		}
	}
	env.boolean("POWERTOOLS_PARAMETERS_SSM_DECRYPT", &c.decrypt)
}

func (c *paramsAppConfig) validate() []error {
	probe := paramsDefaultConfig()
	probe.apply(c.defaults)
	return probe.errs
}

// paramsRoot holds the App's default providers; their clients come from clients.
type paramsRoot struct {
	app     *App
	base    paramConfig
	clients ParamClients // nil without WithParamClients

	mu        sync.Mutex
	ssm       *SSMProvider
	secrets   *SecretsProvider
	appconfig map[[2]string]*AppConfigProvider
}

func newParamsRoot(a *App) *paramsRoot {
	base := paramsDefaultConfig()
	base.maxAge = a.cfg.params.maxAge
	base.decrypt = a.cfg.params.decrypt
	base.clock = a.now
	base.apply(a.cfg.params.defaults)
	r := &paramsRoot{app: a, base: base, appconfig: make(map[[2]string]*AppConfigProvider)}
	if len(a.cfg.params.clients) > 0 {
		var m paramsMergedClients
		for i := len(a.cfg.params.clients) - 1; i >= 0; i-- { // the last given first
			m = append(m, a.cfg.params.clients[i](a))
		}
		r.clients = m
	}
	return r
}

// paramsMergedClients asks each factory in turn, until one serves the service.
type paramsMergedClients []ParamClients

func paramsFirst[C any](m paramsMergedClients, get func(ParamClients) (C, error)) (C, error) {
	var zero C
	for _, f := range m {
		if f == nil {
			continue
		}
		c, err := get(f)
		if errors.Is(err, ErrNoParamClient) {
			continue
		}
		return c, err
	}
	return zero, ErrNoParamClient
}

func (m paramsMergedClients) SSM(ctx context.Context) (ParamSSMClient, error) {
	return paramsFirst(m, func(f ParamClients) (ParamSSMClient, error) { return f.SSM(ctx) })
}

func (m paramsMergedClients) Secrets(ctx context.Context) (ParamSecretsClient, error) {
	return paramsFirst(m, func(f ParamClients) (ParamSecretsClient, error) { return f.Secrets(ctx) })
}

func (m paramsMergedClients) AppConfig(ctx context.Context) (ParamAppConfigClient, error) {
	return paramsFirst(m, func(f ParamClients) (ParamAppConfigClient, error) { return f.AppConfig(ctx) })
}

func (r *paramsRoot) call(provider string) paramsCall {
	return paramsCall{provider: provider, cfg: r.base, cache: newParamsCache(), debug: r.app.debug}
}

// SSM is the App's SSM Parameter Store provider: one per App, its cache shared by every invocation. Its
// client is built on its first call (see WithParamClients); the max age comes from
// POWERTOOLS_PARAMETERS_MAX_AGE and decryption from POWERTOOLS_PARAMETERS_SSM_DECRYPT.
func (a *App) SSM() *SSMProvider {
	r := a.params
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ssm == nil {
		r.ssm = &SSMProvider{client: paramsLazySSM{r}, call: r.call("ssm")}
	}
	return r.ssm
}

// Secrets is the App's Secrets Manager provider, built as SSM is.
func (a *App) Secrets() *SecretsProvider {
	r := a.params
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.secrets == nil {
		r.secrets = &SecretsProvider{client: paramsLazySecrets{r}, call: r.call("secrets")}
	}
	return r.secrets
}

// AppConfig is the App's AppConfig provider for application (the App's service name when empty) and
// environment, one per pair, built as SSM is.
func (a *App) AppConfig(application, environment string) *AppConfigProvider {
	if application == "" {
		application = a.cfg.service
	}
	r := a.params
	r.mu.Lock()
	defer r.mu.Unlock()
	key := [2]string{application, environment}
	p := r.appconfig[key]
	if p == nil {
		p = &AppConfigProvider{
			client: paramsLazyAppConfig{r}, application: application, environment: environment,
			call: r.call("appconfig"), sessions: make(map[string]*paramsSession),
		}
		r.appconfig[key] = p
	}
	return p
}

// SSM is the SSM provider of the App running the invocation ctx belongs to (app.SSM()). Outside a
// wrapped handler it is a provider whose calls fail with ErrNoParamClient, never nil.
func SSM(ctx context.Context) *SSMProvider {
	if inv := invocationFrom(ctx); inv != nil {
		return inv.app.SSM()
	}
	return NewSSMProvider(nil)
}

// Secrets is the Secrets Manager provider of the App running the invocation ctx belongs to
// (app.Secrets()); outside a wrapped handler, one whose calls fail with ErrNoParamClient.
func Secrets(ctx context.Context) *SecretsProvider {
	if inv := invocationFrom(ctx); inv != nil {
		return inv.app.Secrets()
	}
	return NewSecretsProvider(nil)
}

// AppConfig is the AppConfig provider of the App running the invocation ctx belongs to
// (app.AppConfig(application, environment)); outside a wrapped handler, one whose calls fail with
// ErrNoParamClient.
func AppConfig(ctx context.Context, application, environment string) *AppConfigProvider {
	if inv := invocationFrom(ctx); inv != nil {
		return inv.app.AppConfig(application, environment)
	}
	return NewAppConfigProvider(nil, application, environment)
}

type paramsLazySSM struct{ r *paramsRoot }

func (l paramsLazySSM) client(ctx context.Context) (ParamSSMClient, error) {
	if l.r.clients == nil {
		return nil, ErrNoParamClient
	}
	return l.r.clients.SSM(ctx)
}

func (l paramsLazySSM) GetParameter(ctx context.Context, name string, decrypt bool) (string, error) {
	c, err := l.client(ctx)
	if err != nil {
		return "", err
	}
	return c.GetParameter(ctx, name, decrypt)
}

func (l paramsLazySSM) GetParameters(ctx context.Context, names []string, decrypt bool) ([]ParamItem, []string, error) {
	c, err := l.client(ctx)
	if err != nil {
		return nil, nil, err
	}
	return c.GetParameters(ctx, names, decrypt)
}

func (l paramsLazySSM) GetParametersByPath(ctx context.Context, path string, recursive, decrypt bool, next string) ([]ParamItem, string, error) {
	c, err := l.client(ctx)
	if err != nil {
		return nil, "", err
	}
	return c.GetParametersByPath(ctx, path, recursive, decrypt, next)
}

func (l paramsLazySSM) PutParameter(ctx context.Context, in ParamPut) error {
	c, err := l.client(ctx)
	if err != nil {
		return err
	}
	return c.PutParameter(ctx, in)
}

type paramsLazySecrets struct{ r *paramsRoot }

func (l paramsLazySecrets) client(ctx context.Context) (ParamSecretsClient, error) {
	if l.r.clients == nil {
		return nil, ErrNoParamClient
	}
	return l.r.clients.Secrets(ctx)
}

func (l paramsLazySecrets) GetSecretValue(ctx context.Context, id string) (string, error) {
	c, err := l.client(ctx)
	if err != nil {
		return "", err
	}
	return c.GetSecretValue(ctx, id)
}

func (l paramsLazySecrets) PutSecretValue(ctx context.Context, id string, value []byte) error {
	c, err := l.client(ctx)
	if err != nil {
		return err
	}
	return c.PutSecretValue(ctx, id, value)
}

func (l paramsLazySecrets) CreateSecret(ctx context.Context, name string, value []byte) error {
	c, err := l.client(ctx)
	if err != nil {
		return err
	}
	return c.CreateSecret(ctx, name, value)
}

type paramsLazyAppConfig struct{ r *paramsRoot }

func (l paramsLazyAppConfig) client(ctx context.Context) (ParamAppConfigClient, error) {
	if l.r.clients == nil {
		return nil, ErrNoParamClient
	}
	return l.r.clients.AppConfig(ctx)
}

func (l paramsLazyAppConfig) StartConfigurationSession(ctx context.Context, application, environment, profile string) (string, error) {
	c, err := l.client(ctx)
	if err != nil {
		return "", err
	}
	return c.StartConfigurationSession(ctx, application, environment, profile)
}

func (l paramsLazyAppConfig) GetLatestConfiguration(ctx context.Context, token string) ([]byte, string, error) {
	c, err := l.client(ctx)
	if err != nil {
		return nil, "", err
	}
	return c.GetLatestConfiguration(ctx, token)
}
