package powertools

// Parameters: values from SSM Parameter Store, Secrets Manager, DynamoDB and AppConfig, cached.
//
// The providers here call the services through small interfaces in the library's own types
// (ParamSSMClient, ParamSecretsClient, ParamDynamoDBClient, ParamAppConfigClient), so this package links no
// AWS SDK service package: importing one, even for its input and output types only, adds 1.5 MiB and
// about 8 ms of package init to every function (see bench/README.md). The adapters from the SDK clients,
// and the default clients of app.SSM(), app.Secrets() and app.AppConfig, are in the subpackage
// github.com/gopowertools/powertools/parameters.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
	"golang.org/x/sync/singleflight"
)

// paramsDefaultMaxAge is how long a value stays cached by default: 5 minutes, as in Powertools for Python
// v3 and the AWS Parameters and Secrets Lambda extension.
const paramsDefaultMaxAge = 300 * time.Second

// paramsBatchSize is the most names one SSM GetParameters call accepts.
const paramsBatchSize = 10

// paramsSessionMaxAge is how old an AppConfigData token may get before the session is restarted: the
// service refuses tokens 24 hours old, so the provider starts a new session an hour before.
const paramsSessionMaxAge = 23 * time.Hour

// Provider is what every parameter provider satisfies: one value by name. GetJSON decodes through it.
type Provider interface {
	Get(ctx context.Context, name string, opts ...ParamOption) (string, error)
}

// Transform is what a provider does to a value before returning (and caching) it.
type Transform uint8

const (
	// TransformNone returns the value as stored. The default.
	TransformNone Transform = iota
	// TransformJSON checks that the value is JSON and returns it unchanged; GetJSON decodes it.
	TransformJSON
	// TransformBinary decodes the value from standard base64 and returns the raw bytes as a string.
	TransformBinary
	// TransformAuto picks by the name's suffix: ".json" is TransformJSON, ".binary" is TransformBinary,
	// anything else TransformNone. GetMultiple decides for each entry by its own name.
	TransformAuto
)

// String is the transform's name, as errors show it: "none", "json", "binary" or "auto".
func (t Transform) String() string {
	switch t {
	case TransformNone:
		return "none"
	case TransformJSON:
		return "json"
	case TransformBinary:
		return "binary"
	case TransformAuto:
		return "auto"
	}
	return "Transform(" + strconv.Itoa(int(t)) + ")"
}

// ParamOption configures a provider (given to its constructor) or one call (given to Get, GetMultiple,
// GetByName or Set, over the provider's).
type ParamOption func(*paramConfig)

// paramConfig is a provider's settings, and one call's after its options.
type paramConfig struct {
	maxAge       time.Duration
	forceFetch   bool
	decrypt      bool
	recursive    bool
	transform    Transform
	raiseOnError bool
	clock        func() time.Time

	// SSM writes
	overwrite bool
	paramType string
	tier      string
	kmsKeyID  string

	// DynamoDB attribute names
	keyAttr, sortAttr, valueAttr string

	errs []error // bad options, reported by the call they are given to
}

func paramsDefaultConfig() paramConfig {
	return paramConfig{
		maxAge:       paramsDefaultMaxAge,
		raiseOnError: true,
		clock:        time.Now,
		paramType:    "String",
		keyAttr:      "id",
		sortAttr:     "sk",
		valueAttr:    "value",
	}
}

func (c *paramConfig) apply(opts []ParamOption) {
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
}

func (c *paramConfig) fail(option, reason string) {
	c.errs = append(c.errs, &ConfigError{Name: option, Value: "", Reason: reason})
}

// WithParamMaxAge sets how long a fetched value is served from the cache. 0 turns the cache off for the
// call: it neither reads nor writes it. Default: 5 minutes; for the App's providers the environment
// variable POWERTOOLS_PARAMETERS_MAX_AGE (seconds).
func WithParamMaxAge(d time.Duration) ParamOption {
	return func(c *paramConfig) {
		if d < 0 {
			c.fail("WithParamMaxAge", "must not be negative")
			return
		}
		c.maxAge = d
	}
}

// WithParamForceFetch fetches the value even when the cache holds it, and refreshes the cache with it.
// Default: off.
func WithParamForceFetch() ParamOption {
	return func(c *paramConfig) { c.forceFetch = true }
}

// WithParamDecrypt asks SSM to decrypt SecureString parameters. Default: false; for the App's providers
// the environment variable POWERTOOLS_PARAMETERS_SSM_DECRYPT.
func WithParamDecrypt(on bool) ParamOption {
	return func(c *paramConfig) { c.decrypt = on }
}

// WithParamRecursive makes SSM GetMultiple return the whole tree under the path, not only its direct
// children. Default: false.
func WithParamRecursive(on bool) ParamOption {
	return func(c *paramConfig) { c.recursive = on }
}

// WithParamTransform sets what is done to each value before it is returned and cached. Default:
// TransformNone.
func WithParamTransform(t Transform) ParamOption {
	return func(c *paramConfig) {
		if t > TransformAuto {
			c.fail("WithParamTransform", "unknown transform "+t.String())
			return
		}
		c.transform = t
	}
}

// WithParamRaiseOnError decides what SSM GetByName does when some names fail (unknown, or not
// transformable): true fails the whole call with a *ParametersError listing all of them; false returns
// the values found together with that error. Default: true.
func WithParamRaiseOnError(on bool) ParamOption {
	return func(c *paramConfig) { c.raiseOnError = on }
}

// WithParamClock replaces the clock cache expiry is measured with, for tests. Default: time.Now; the
// App's providers use the App's clock (WithClock).
func WithParamClock(now func() time.Time) ParamOption {
	return func(c *paramConfig) {
		if now == nil {
			c.fail("WithParamClock", "clock must not be nil")
			return
		}
		c.clock = now
	}
}

// WithParamOverwrite lets SSMProvider.Set replace an existing parameter. Default: false (Set of an
// existing name fails).
func WithParamOverwrite(on bool) ParamOption {
	return func(c *paramConfig) { c.overwrite = on }
}

// WithParamType sets the type SSMProvider.Set writes: "String", "StringList" or "SecureString".
// Default: "String".
func WithParamType(t string) ParamOption {
	return func(c *paramConfig) {
		switch t {
		case "String", "StringList", "SecureString":
			c.paramType = t
		default:
			c.fail("WithParamType", "want String, StringList or SecureString")
		}
	}
}

// WithParamTier sets the tier SSMProvider.Set writes: "Standard", "Advanced" or "Intelligent-Tiering".
// Default: the service's (Standard).
func WithParamTier(tier string) ParamOption {
	return func(c *paramConfig) {
		switch tier {
		case "", "Standard", "Advanced", "Intelligent-Tiering":
			c.tier = tier
		default:
			c.fail("WithParamTier", "want Standard, Advanced or Intelligent-Tiering")
		}
	}
}

// WithParamKMSKey sets the KMS key SSMProvider.Set encrypts a SecureString with. Default: the account's
// key for SSM.
func WithParamKMSKey(keyID string) ParamOption {
	return func(c *paramConfig) { c.kmsKeyID = keyID }
}

// WithParamDynamoDBAttributes renames the attributes the DynamoDB provider reads: the partition key
// (default "id"), the sort key of GetMultiple (default "sk") and the value (default "value"). An empty
// name keeps the default.
func WithParamDynamoDBAttributes(key, sort, value string) ParamOption {
	return func(c *paramConfig) {
		if key != "" {
			c.keyAttr = key
		}
		if sort != "" {
			c.sortAttr = sort
		}
		if value != "" {
			c.valueAttr = value
		}
	}
}

// ---- errors

// ErrParameterNotFound matches, through errors.Is, the error of every provider for a name the service
// does not know. The error also wraps the SDK's own typed error (*types.ParameterNotFound,
// *types.ResourceNotFoundException...), for errors.As.
var ErrParameterNotFound = errors.New("powertools: parameter not found")

// ErrNoParamClient is the error of a default provider that has no client: app.SSM() and the others on
// an App built without parameters.With (or WithParamClients), or powertools.SSM(ctx) and the others
// outside a wrapped handler.
var ErrNoParamClient = errors.New("powertools: parameters: no client (give New the option parameters.With(), and call from inside a wrapped handler)")

// ErrAppConfigTokenRejected is what a ParamAppConfigClient returns when the service refuses a
// configuration token (expired, already used, corrupt): the provider starts a new session.
var ErrAppConfigTokenRejected = errors.New("powertools: appconfig: configuration token rejected")

// ParamNotFound marks cause (the service's not-found error) as a missing parameter: the result matches
// ErrParameterNotFound and unwraps to cause. Adapters of ParamSSMClient and the others return it.
func ParamNotFound(cause error) error { return &paramsNotFoundError{cause: cause} }

type paramsNotFoundError struct{ cause error }

func (e *paramsNotFoundError) Error() string {
	if e.cause == nil {
		return "not found"
	}
	return "not found: " + paramsCauseText(e.cause)
}
func (e *paramsNotFoundError) Is(target error) bool { return target == ErrParameterNotFound }
func (e *paramsNotFoundError) Unwrap() error        { return e.cause }

// ParameterError is the error of a provider call: which provider ("ssm", "secrets", "dynamodb",
// "appconfig"), which name, and the cause (a *ConfigError for a bad option, the SDK's error, or one
// matching ErrParameterNotFound). Its message never holds a value.
type ParameterError struct {
	Provider string
	Name     string
	Err      error
}

func (e *ParameterError) Error() string {
	return "powertools: parameters: " + e.Provider + " " + strconv.Quote(e.Name) + ": " + paramsCauseText(e.Err)
}

func (e *ParameterError) Unwrap() error { return e.Err }

// TransformError reports a value that could not be transformed (TransformJSON, TransformBinary) or
// decoded (GetJSON). Err describes the problem by position only: the value never appears in it.
type TransformError struct {
	Name      string
	Transform Transform
	Err       error
}

func (e *TransformError) Error() string {
	return "powertools: parameters: transform " + e.Transform.String() + " of " + strconv.Quote(e.Name) + ": " + paramsCauseText(e.Err)
}

func (e *TransformError) Unwrap() error { return e.Err }

// ParametersError is the error of SSM GetByName when some names failed: each failed name with its error
// (a *ParameterError or a *TransformError). With WithParamRaiseOnError(false) it comes together with the
// values of the other names.
type ParametersError struct {
	Provider string
	Errors   map[string]error
}

// Names are the failed names, sorted.
func (e *ParametersError) Names() []string { return slices.Sorted(maps.Keys(e.Errors)) }

func (e *ParametersError) Error() string {
	var b strings.Builder
	b.WriteString("powertools: parameters: ")
	b.WriteString(e.Provider)
	b.WriteString(": ")
	b.WriteString(strconv.Itoa(len(e.Errors)))
	b.WriteString(" failed:")
	for i, name := range e.Names() {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteByte(' ')
		b.WriteString(strconv.Quote(name))
		b.WriteString(": ")
		err := e.Errors[name]
		var pe *ParameterError
		var te *TransformError
		switch {
		case errors.As(err, &pe) && pe.Name == name:
			b.WriteString(paramsCauseText(pe.Err))
		case errors.As(err, &te) && te.Name == name:
			b.WriteString("transform " + te.Transform.String() + ": " + paramsCauseText(te.Err))
		default:
			b.WriteString(paramsCauseText(err))
		}
	}
	return b.String()
}

// Unwrap gives errors.Is and errors.As every name's error, in name order.
func (e *ParametersError) Unwrap() []error {
	out := make([]error, 0, len(e.Errors))
	for _, name := range e.Names() {
		out = append(out, e.Errors[name])
	}
	return out
}

// paramsCauseText is a cause's message without its own "powertools: " prefix, so a message has exactly one.
func paramsCauseText(err error) string {
	if err == nil {
		return "unknown error"
	}
	return strings.TrimPrefix(err.Error(), "powertools: ")
}

// ---- transforms

// paramsTransformFor resolves TransformAuto by name.
func paramsTransformFor(t Transform, name string) Transform {
	if t != TransformAuto {
		return t
	}
	switch {
	case strings.HasSuffix(name, ".json"):
		return TransformJSON
	case strings.HasSuffix(name, ".binary"):
		return TransformBinary
	}
	return TransformNone
}

// paramsTransform applies t to value; the error never quotes the value.
func paramsTransform(t Transform, name, value string) (string, error) {
	t = paramsTransformFor(t, name)
	switch t {
	case TransformJSON:
		if !json.Valid([]byte(value)) {
			var v any
			err := json.Unmarshal([]byte(value), &v)
			return "", &TransformError{Name: name, Transform: t, Err: paramsRedactJSON(err)}
		}
	case TransformBinary:
		b, err := base64.StdEncoding.DecodeString(value)
		if err != nil {
			return "", &TransformError{Name: name, Transform: t, Err: paramsRedactBase64(err)}
		}
		return string(b), nil
	}
	return value, nil
}

// paramsRedactJSON describes a JSON error by position and types only: encoding/json's messages quote
// characters (and numbers) of the value.
func paramsRedactJSON(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return errors.New("invalid JSON")
	case errors.As(err, &se):
		return errors.New("invalid JSON at offset " + strconv.FormatInt(se.Offset, 10))
	case errors.As(err, &te):
		msg := "cannot decode a JSON value into Go type " + te.Type.String()
		if te.Field != "" {
			msg += " (field " + te.Field + ")"
		}
		return errors.New(msg + " at offset " + strconv.FormatInt(te.Offset, 10))
	case errors.Is(err, errParamsUnexpectedEnd) || strings.Contains(err.Error(), "unexpected end of JSON input"):
		return errParamsUnexpectedEnd
	}
	return errors.New("invalid JSON")
}

var errParamsUnexpectedEnd = errors.New("unexpected end of JSON input")

func paramsRedactBase64(err error) error {
	var ce base64.CorruptInputError
	if errors.As(err, &ce) {
		return errors.New("invalid base64 at byte " + strconv.FormatInt(int64(ce), 10))
	}
	return errors.New("invalid base64")
}

// GetJSON fetches name through p (with opts) and decodes it into T. A value that is not T in JSON is a
// *TransformError; the decoded value is not cached (the text is), so each call decodes.
func GetJSON[T any](ctx context.Context, p Provider, name string, opts ...ParamOption) (T, error) {
	var v T
	s, err := p.Get(ctx, name, opts...)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		var zero T
		return zero, &TransformError{Name: name, Transform: TransformJSON, Err: paramsRedactJSON(err)}
	}
	return v, nil
}

// ---- cache

type paramsKind uint8

const (
	paramsKindGet paramsKind = iota
	paramsKindMultiple
)

// paramsKey identifies one cached answer: everything that changes it.
type paramsKey struct {
	name      string
	kind      paramsKind
	transform Transform
	decrypt   bool
	recursive bool
}

func (k paramsKey) flight() string {
	b := make([]byte, 0, len(k.name)+5)
	b = append(b, byte('0'+k.kind), byte('0'+k.transform), paramsBoolByte(k.decrypt), paramsBoolByte(k.recursive), 0)
	return string(append(b, k.name...))
}

func paramsBoolByte(b bool) byte {
	if b {
		return '1'
	}
	return '0'
}

type paramsEntry struct {
	value   string
	values  map[string]string // GetMultiple
	expires time.Time
}

// paramsCache is one provider's cache, safe for concurrent invocations. Reads take no lock: the map is
// replaced, never changed, by the (rare) writes, which copy it under mu. Entries stay until replaced or
// invalidated by a write; an expired one is refetched on its next read.
type paramsCache struct {
	m      atomic.Pointer[map[paramsKey]paramsEntry]
	mu     sync.Mutex
	gen    uint64 // bumped by every invalidation: a fetch started before one does not store its answer
	flight singleflight.Group
}

func newParamsCache() *paramsCache {
	c := &paramsCache{}
	m := make(map[paramsKey]paramsEntry)
	c.m.Store(&m)
	return c
}

// lookup returns a live entry; it allocates nothing.
func (c *paramsCache) lookup(k paramsKey, now time.Time) (paramsEntry, bool) {
	e, ok := (*c.m.Load())[k]
	if !ok || !now.Before(e.expires) {
		return paramsEntry{}, false
	}
	return e, true
}

func (c *paramsCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// store keeps e unless an invalidation happened since gen was read.
func (c *paramsCache) store(k paramsKey, e paramsEntry, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	old := *c.m.Load()
	m := make(map[paramsKey]paramsEntry, len(old)+1)
	for key, v := range old {
		m[key] = v
	}
	m[k] = e
	c.m.Store(&m)
}

// invalidate drops every entry a write of name makes stale: the name's own, under every option, and the
// GetMultiple answers of every path above it.
func (c *paramsCache) invalidate(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	old := *c.m.Load()
	m := make(map[paramsKey]paramsEntry, len(old))
	for k, v := range old {
		if k.name != name && (k.kind != paramsKindMultiple || !paramsUnder(name, k.name)) {
			m[k] = v
		}
	}
	c.m.Store(&m)
}

// paramsUnder reports whether name is in the tree under path.
func paramsUnder(name, path string) bool {
	if path == "" || path == "/" {
		return true
	}
	return strings.HasPrefix(name, strings.TrimSuffix(path, "/")+"/")
}

// paramsCall is the part of a provider every call goes through.
type paramsCall struct {
	provider string
	cfg      paramConfig
	cache    *paramsCache
	debug    *zap.Logger
}

func newParamsCall(provider string, base paramConfig, opts []ParamOption) paramsCall {
	base.apply(opts)
	return paramsCall{provider: provider, cfg: base, cache: newParamsCache(), debug: zap.NewNop()}
}

// config is the provider's configuration, or a copy with the call's options over it.
func (p *paramsCall) config(opts []ParamOption) *paramConfig {
	if len(opts) == 0 {
		return &p.cfg
	}
	c := p.cfg
	c.errs = nil
	c.forceFetch = false
	c.apply(opts)
	return &c
}

// cached runs fetch for k through the cache: a live entry answers without calling; concurrent misses
// of one key share one fetch; MaxAge 0 bypasses the cache; ForceFetch skips the read and refreshes.
func (p *paramsCall) cached(k paramsKey, cfg *paramConfig, fetch func() (paramsEntry, error)) (paramsEntry, error) {
	if cfg.maxAge > 0 && !cfg.forceFetch {
		if e, ok := p.hit(k, cfg); ok {
			return e, nil
		}
	}
	return p.miss(k, cfg, fetch)
}

// hit looks k up; it allocates nothing.
func (p *paramsCall) hit(k paramsKey, cfg *paramConfig) (paramsEntry, bool) {
	e, ok := p.cache.lookup(k, cfg.clock())
	if ok {
		if ce := p.debug.Check(zap.DebugLevel, "powertools: parameters: cache hit"); ce != nil {
			ce.Write(zap.String("provider", p.provider), zap.String("name", k.name))
		}
	}
	return e, ok
}

// miss fetches k and stores the answer (unless MaxAge is 0). Concurrent misses share one fetch, except
// ForceFetch ones, which each want a value fetched after they were called.
func (p *paramsCall) miss(k paramsKey, cfg *paramConfig, fetch func() (paramsEntry, error)) (paramsEntry, error) {
	if cfg.maxAge == 0 {
		return fetch()
	}
	run := func() (paramsEntry, error) {
		gen := p.cache.generation()
		e, err := fetch()
		if err != nil {
			return e, err
		}
		e.expires = cfg.clock().Add(cfg.maxAge)
		p.cache.store(k, e, gen)
		if ce := p.debug.Check(zap.DebugLevel, "powertools: parameters: fetched"); ce != nil {
			ce.Write(zap.String("provider", p.provider), zap.String("name", k.name), zap.Duration("max_age", cfg.maxAge))
		}
		return e, nil
	}
	if cfg.forceFetch {
		return run()
	}
	v, err, _ := p.cache.flight.Do(k.flight(), func() (any, error) {
		e, err := run()
		return e, err
	})
	e, _ := v.(paramsEntry)
	return e, err
}

// begin is the allocation-free start of every Get: the call's configuration, its cache key, and the
// cached value when there is a live one (hit).
func (p *paramsCall) begin(name string, opts []ParamOption, decrypt bool) (cfg *paramConfig, k paramsKey, value string, hit bool, err error) {
	cfg = p.config(opts)
	if len(cfg.errs) > 0 {
		return cfg, k, "", false, &ParameterError{Provider: p.provider, Name: name, Err: errors.Join(cfg.errs...)}
	}
	k = paramsKey{name: name, kind: paramsKindGet, transform: cfg.transform, decrypt: decrypt && cfg.decrypt}
	if cfg.maxAge > 0 && !cfg.forceFetch {
		if e, ok := p.hit(k, cfg); ok {
			return cfg, k, e.value, true, nil
		}
	}
	return cfg, k, "", false, nil
}

// fetchString is the miss of a Get: fetch, transform, store.
func (p *paramsCall) fetchString(k paramsKey, cfg *paramConfig, fetch func() (string, error)) (string, error) {
	e, err := p.miss(k, cfg, func() (paramsEntry, error) {
		raw, err := fetch()
		if err != nil {
			return paramsEntry{}, p.wrap(k.name, err)
		}
		v, err := paramsTransform(cfg.transform, k.name, raw)
		if err != nil {
			return paramsEntry{}, err
		}
		return paramsEntry{value: v}, nil
	})
	return e.value, err
}

func (p *paramsCall) wrap(name string, err error) error {
	var pe *ParameterError
	var te *TransformError
	if errors.As(err, &pe) || errors.As(err, &te) {
		return err
	}
	return &ParameterError{Provider: p.provider, Name: name, Err: err}
}

// invalidate is what a write does to the cache.
func (p *paramsCall) invalidate(name string) { p.cache.invalidate(name) }

// ---- SSM Parameter Store

// ParamItem is one name and value of a multi-value answer (SSM parameters, DynamoDB items).
type ParamItem struct {
	Name  string
	Value string
}

// ParamPut is one SSM PutParameter call.
type ParamPut struct {
	Name, Value string
	Type        string // String, StringList or SecureString
	Tier        string // "" for the service's default
	KMSKeyID    string
	Overwrite   bool
}

// ParamSSMClient is the part of the SSM API the SSMProvider calls, in the library's own types.
// parameters.NewSSMProvider adapts an *ssm.Client (or anything with its methods) to it; a test can
// implement it directly. An unknown name is an error matching ErrParameterNotFound (see ParamNotFound).
type ParamSSMClient interface {
	GetParameter(ctx context.Context, name string, decrypt bool) (string, error)
	// GetParameters fetches at most 10 names: the values found and the names the service does not know.
	GetParameters(ctx context.Context, names []string, decrypt bool) (found []ParamItem, invalid []string, err error)
	// GetParametersByPath fetches one page; next is "" after the last.
	GetParametersByPath(ctx context.Context, path string, recursive, decrypt bool, nextToken string) (page []ParamItem, next string, err error)
	PutParameter(ctx context.Context, in ParamPut) error
}

// SSMProvider reads (and writes) SSM Parameter Store parameters, cached.
type SSMProvider struct {
	client ParamSSMClient
	call   paramsCall
}

// NewSSMProvider returns a provider calling client, with opts as the default of every call. With an SDK
// client, use parameters.NewSSMProvider(ssm.NewFromConfig(cfg)).
func NewSSMProvider(client ParamSSMClient, opts ...ParamOption) *SSMProvider {
	return &SSMProvider{client: paramsOrNoSSM(client), call: newParamsCall("ssm", paramsDefaultConfig(), opts)}
}

// Get returns the parameter name (GetParameter), decrypted with WithParamDecrypt(true).
func (p *SSMProvider) Get(ctx context.Context, name string, opts ...ParamOption) (string, error) {
	cfg, k, v, hit, err := p.call.begin(name, opts, true)
	if hit || err != nil {
		return v, err
	}
	return p.call.fetchString(k, cfg, func() (string, error) { return p.client.GetParameter(ctx, name, cfg.decrypt) })
}

// GetMultiple returns the parameters under path (GetParametersByPath, every page), keyed by their name
// relative to path ("/app/db/host" under "/app" is "db/host"). Direct children only, unless
// WithParamRecursive(true). TransformAuto decides for each by its name.
func (p *SSMProvider) GetMultiple(ctx context.Context, path string, opts ...ParamOption) (map[string]string, error) {
	cfg := p.call.config(opts)
	if len(cfg.errs) > 0 {
		return nil, &ParameterError{Provider: "ssm", Name: path, Err: errors.Join(cfg.errs...)}
	}
	k := paramsKey{name: path, kind: paramsKindMultiple, transform: cfg.transform, decrypt: cfg.decrypt, recursive: cfg.recursive}
	e, err := p.call.cached(k, cfg, func() (paramsEntry, error) {
		out := make(map[string]string)
		token := ""
		for {
			page, next, err := p.client.GetParametersByPath(ctx, path, cfg.recursive, cfg.decrypt, token)
			if err != nil {
				return paramsEntry{}, p.call.wrap(path, err)
			}
			for _, it := range page {
				name := strings.TrimLeft(strings.TrimPrefix(it.Name, path), "/")
				v, err := paramsTransform(cfg.transform, name, it.Value)
				if err != nil {
					return paramsEntry{}, err
				}
				out[name] = v
			}
			if next == "" || next == token {
				return paramsEntry{values: out}, nil
			}
			token = next
		}
	})
	if err != nil {
		return nil, err
	}
	return maps.Clone(e.values), nil
}

// GetByName returns every named parameter, each with its own options over opts (transform, decrypt,
// max age), through GetParameters in batches of 10; the names needing decryption go in batches of their
// own. Cached values are not fetched again. Names that fail (unknown, or not transformable) make a
// *ParametersError: the whole call fails, or, with WithParamRaiseOnError(false), the error comes with
// the values of the other names.
func (p *SSMProvider) GetByName(ctx context.Context, names map[string][]ParamOption, opts ...ParamOption) (map[string]string, error) {
	base := p.call.config(opts)
	if len(base.errs) > 0 {
		return nil, &ParameterError{Provider: "ssm", Name: strings.Join(slices.Sorted(maps.Keys(names)), ","), Err: errors.Join(base.errs...)}
	}
	out := make(map[string]string, len(names))
	failed := make(map[string]error)
	type pending struct {
		cfg paramConfig
		key paramsKey
	}
	todo := map[bool][]string{} // by decrypt
	pend := make(map[string]pending, len(names))
	gen := p.call.cache.generation()
	for _, name := range slices.Sorted(maps.Keys(names)) {
		cfg := *base
		cfg.errs = nil
		cfg.apply(names[name])
		if len(cfg.errs) > 0 {
			failed[name] = &ParameterError{Provider: "ssm", Name: name, Err: errors.Join(cfg.errs...)}
			continue
		}
		k := paramsKey{name: name, kind: paramsKindGet, transform: cfg.transform, decrypt: cfg.decrypt}
		if cfg.maxAge > 0 && !cfg.forceFetch {
			if e, ok := p.call.cache.lookup(k, cfg.clock()); ok {
				out[name] = e.value
				continue
			}
		}
		pend[name] = pending{cfg: cfg, key: k}
		todo[cfg.decrypt] = append(todo[cfg.decrypt], name)
	}
	for _, decrypt := range []bool{false, true} {
		batch := todo[decrypt]
		for start := 0; start < len(batch); start += paramsBatchSize {
			chunk := batch[start:min(start+paramsBatchSize, len(batch))]
			found, invalid, err := p.client.GetParameters(ctx, chunk, decrypt)
			if err != nil {
				for _, name := range chunk {
					failed[name] = &ParameterError{Provider: "ssm", Name: name, Err: err}
				}
				continue
			}
			for _, name := range invalid {
				failed[name] = &ParameterError{Provider: "ssm", Name: name, Err: ParamNotFound(nil)}
			}
			for _, it := range found {
				pd, ok := pend[it.Name]
				if !ok {
					continue // not asked for (the service answers by name)
				}
				v, err := paramsTransform(pd.cfg.transform, it.Name, it.Value)
				if err != nil {
					failed[it.Name] = err
					continue
				}
				out[it.Name] = v
				if pd.cfg.maxAge > 0 {
					p.call.cache.store(pd.key, paramsEntry{value: v, expires: pd.cfg.clock().Add(pd.cfg.maxAge)}, gen)
				}
			}
			for _, name := range chunk { // neither found nor reported invalid: missing all the same
				if _, ok := out[name]; !ok && failed[name] == nil {
					failed[name] = &ParameterError{Provider: "ssm", Name: name, Err: ParamNotFound(nil)}
				}
			}
		}
	}
	if len(failed) == 0 {
		return out, nil
	}
	perr := &ParametersError{Provider: "ssm", Errors: failed}
	if base.raiseOnError {
		return nil, perr
	}
	return out, perr
}

// Set writes the parameter name (PutParameter) with the type, tier, KMS key and overwrite flag of the
// options, and drops every cached answer it makes stale.
func (p *SSMProvider) Set(ctx context.Context, name, value string, opts ...ParamOption) error {
	cfg := p.call.config(opts)
	if len(cfg.errs) > 0 {
		return &ParameterError{Provider: "ssm", Name: name, Err: errors.Join(cfg.errs...)}
	}
	defer p.call.invalidate(name)
	err := p.client.PutParameter(ctx, ParamPut{
		Name: name, Value: value, Type: cfg.paramType, Tier: cfg.tier, KMSKeyID: cfg.kmsKeyID, Overwrite: cfg.overwrite,
	})
	if err != nil {
		return p.call.wrap(name, err)
	}
	return nil
}

// ---- Secrets Manager

// ParamSecretsClient is the part of the Secrets Manager API the SecretsProvider calls, in the library's
// own types (parameters.NewSecretsProvider adapts the SDK client). GetSecretValue returns SecretString,
// or SecretBinary's bytes; an unknown secret is an error matching ErrParameterNotFound.
type ParamSecretsClient interface {
	GetSecretValue(ctx context.Context, id string) (string, error)
	PutSecretValue(ctx context.Context, id string, value []byte) error
	CreateSecret(ctx context.Context, name string, value []byte) error
}

// SecretsProvider reads (and writes) Secrets Manager secrets, cached.
type SecretsProvider struct {
	client ParamSecretsClient
	call   paramsCall
}

// NewSecretsProvider returns a provider calling client, with opts as the default of every call. With an
// SDK client, use parameters.NewSecretsProvider(secretsmanager.NewFromConfig(cfg)).
func NewSecretsProvider(client ParamSecretsClient, opts ...ParamOption) *SecretsProvider {
	return &SecretsProvider{client: paramsOrNoSecrets(client), call: newParamsCall("secrets", paramsDefaultConfig(), opts)}
}

// Get returns the secret's current value: SecretString, or SecretBinary's bytes as a string.
func (p *SecretsProvider) Get(ctx context.Context, name string, opts ...ParamOption) (string, error) {
	cfg, k, v, hit, err := p.call.begin(name, opts, false)
	if hit || err != nil {
		return v, err
	}
	return p.call.fetchString(k, cfg, func() (string, error) { return p.client.GetSecretValue(ctx, name) })
}

// Set stores value as the secret's new current version (PutSecretValue), creating the secret
// (CreateSecret) when it does not exist, and drops the cached value. Valid UTF-8 is stored as
// SecretString, anything else as SecretBinary.
func (p *SecretsProvider) Set(ctx context.Context, name string, value []byte) error {
	defer p.call.invalidate(name)
	err := p.client.PutSecretValue(ctx, name, value)
	if errors.Is(err, ErrParameterNotFound) {
		err = p.client.CreateSecret(ctx, name, value)
	}
	if err != nil {
		return p.call.wrap(name, err)
	}
	return nil
}

// ---- DynamoDB

// ParamDynamoDBClient is the part of the DynamoDB API the DynamoDBProvider calls, in the library's own
// types (parameters.NewDynamoDBProvider adapts the SDK client). GetItem returns the value attribute of
// the item whose keyAttr is key (an error matching ErrParameterNotFound when there is none); Query
// returns one page of the items whose keyAttr is key, as sort key and value, and the cursor of the next
// page (nil after the last).
type ParamDynamoDBClient interface {
	GetItem(ctx context.Context, table, keyAttr, key, valueAttr string) (string, error)
	Query(ctx context.Context, table, keyAttr, key, sortAttr, valueAttr string, start any) (items []ParamItem, next any, err error)
}

// DynamoDBProvider reads values from a DynamoDB table, cached: Get by partition key ("id"), GetMultiple
// by partition key with one item per sort key ("sk"), the value in "value" (WithParamDynamoDBAttributes
// renames them).
type DynamoDBProvider struct {
	client ParamDynamoDBClient
	table  string
	call   paramsCall
}

// NewDynamoDBProvider returns a provider reading table through client, with opts as the default of every
// call. With an SDK client, use parameters.NewDynamoDBProvider(dynamodb.NewFromConfig(cfg), table).
func NewDynamoDBProvider(client ParamDynamoDBClient, table string, opts ...ParamOption) *DynamoDBProvider {
	return &DynamoDBProvider{client: paramsOrNoDynamoDB(client), table: table, call: newParamsCall("dynamodb", paramsDefaultConfig(), opts)}
}

// Get returns the value of the item whose partition key is name (GetItem).
func (p *DynamoDBProvider) Get(ctx context.Context, name string, opts ...ParamOption) (string, error) {
	cfg, k, v, hit, err := p.call.begin(name, opts, false)
	if hit || err != nil {
		return v, err
	}
	return p.call.fetchString(k, cfg, func() (string, error) {
		return p.client.GetItem(ctx, p.table, cfg.keyAttr, name, cfg.valueAttr)
	})
}

// GetMultiple returns the items whose partition key is path (Query, every page), as sort key → value.
func (p *DynamoDBProvider) GetMultiple(ctx context.Context, path string, opts ...ParamOption) (map[string]string, error) {
	cfg := p.call.config(opts)
	if len(cfg.errs) > 0 {
		return nil, &ParameterError{Provider: "dynamodb", Name: path, Err: errors.Join(cfg.errs...)}
	}
	k := paramsKey{name: path, kind: paramsKindMultiple, transform: cfg.transform}
	e, err := p.call.cached(k, cfg, func() (paramsEntry, error) {
		out := make(map[string]string)
		var start any
		for {
			items, next, err := p.client.Query(ctx, p.table, cfg.keyAttr, path, cfg.sortAttr, cfg.valueAttr, start)
			if err != nil {
				return paramsEntry{}, p.call.wrap(path, err)
			}
			for _, it := range items {
				v, err := paramsTransform(cfg.transform, it.Name, it.Value)
				if err != nil {
					return paramsEntry{}, err
				}
				out[it.Name] = v
			}
			if next == nil {
				return paramsEntry{values: out}, nil
			}
			start = next
		}
	})
	if err != nil {
		return nil, err
	}
	return maps.Clone(e.values), nil
}

// ---- AppConfig

// ParamAppConfigClient is the AppConfigData API the AppConfigProvider calls, in the library's own types
// (parameters.NewAppConfigProvider adapts the SDK client). GetLatestConfiguration returns the
// configuration (empty when unchanged since the token's previous answer) and the next token; a token
// the service refuses is an error matching ErrAppConfigTokenRejected.
type ParamAppConfigClient interface {
	StartConfigurationSession(ctx context.Context, application, environment, profile string) (token string, err error)
	GetLatestConfiguration(ctx context.Context, token string) (configuration []byte, nextToken string, err error)
}

// AppConfigProvider reads AppConfig configuration profiles of one application and environment, cached,
// through the AppConfigData session protocol: one session per profile, each call using the token the
// previous one returned, the last configuration kept for the answers meaning "unchanged", and a new
// session before the token is 24 hours old or when the service refuses it.
type AppConfigProvider struct {
	client      ParamAppConfigClient
	application string
	environment string
	call        paramsCall

	mu       sync.Mutex
	sessions map[string]*paramsSession
}

type paramsSession struct {
	mu      sync.Mutex
	token   string
	tokenAt time.Time
	last    []byte
}

// NewAppConfigProvider returns a provider of the profiles of application in environment, calling client,
// with opts as the default of every call. app.AppConfig uses the App's service name for an empty
// application; a provider built here needs one. With an SDK client, use
// parameters.NewAppConfigProvider(appconfigdata.NewFromConfig(cfg), application, environment).
func NewAppConfigProvider(client ParamAppConfigClient, application, environment string, opts ...ParamOption) *AppConfigProvider {
	return &AppConfigProvider{
		client: paramsOrNoAppConfig(client), application: application, environment: environment,
		call: newParamsCall("appconfig", paramsDefaultConfig(), opts), sessions: make(map[string]*paramsSession),
	}
}

// Get returns the configuration profile's latest content.
func (p *AppConfigProvider) Get(ctx context.Context, profile string, opts ...ParamOption) (string, error) {
	cfg, k, v, hit, err := p.call.begin(profile, opts, false)
	if hit || err != nil {
		return v, err
	}
	return p.call.fetchString(k, cfg, func() (string, error) {
		if p.application == "" || p.environment == "" {
			return "", &ConfigError{Name: "NewAppConfigProvider", Value: p.application + "/" + p.environment, Reason: "application and environment must not be empty"}
		}
		return p.fetch(ctx, profile, cfg.clock)
	})
}

func (p *AppConfigProvider) session(profile string) *paramsSession {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.sessions[profile]
	if s == nil {
		s = &paramsSession{}
		p.sessions[profile] = s
	}
	return s
}

func (p *AppConfigProvider) fetch(ctx context.Context, profile string, clock func() time.Time) (string, error) {
	s := p.session(profile)
	s.mu.Lock()
	defer s.mu.Unlock()
	restarted := false
	for {
		if s.token == "" || clock().Sub(s.tokenAt) >= paramsSessionMaxAge {
			token, err := p.client.StartConfigurationSession(ctx, p.application, p.environment, profile)
			if err != nil {
				return "", err
			}
			s.token, s.tokenAt, restarted = token, clock(), true
		}
		conf, next, err := p.client.GetLatestConfiguration(ctx, s.token)
		if errors.Is(err, ErrAppConfigTokenRejected) && !restarted {
			s.token = "" // start again, once
			continue
		}
		if err != nil {
			return "", err
		}
		if next != "" {
			s.token, s.tokenAt = next, clock()
		} else {
			s.token = ""
		}
		if len(conf) > 0 {
			s.last = conf
		}
		return string(s.last), nil
	}
}

// ---- clients that are not there

func paramsOrNoSSM(c ParamSSMClient) ParamSSMClient {
	if c == nil {
		return paramsNoClient{}
	}
	return c
}

func paramsOrNoSecrets(c ParamSecretsClient) ParamSecretsClient {
	if c == nil {
		return paramsNoClient{}
	}
	return c
}

func paramsOrNoDynamoDB(c ParamDynamoDBClient) ParamDynamoDBClient {
	if c == nil {
		return paramsNoClient{}
	}
	return c
}

func paramsOrNoAppConfig(c ParamAppConfigClient) ParamAppConfigClient {
	if c == nil {
		return paramsNoClient{}
	}
	return c
}

// paramsNoClient answers every call with ErrNoParamClient: the client of a provider built with nil, and
// of the default providers when there is no App or no client factory.
type paramsNoClient struct{}

func (paramsNoClient) GetParameter(context.Context, string, bool) (string, error) {
	return "", ErrNoParamClient
}
func (paramsNoClient) GetParameters(context.Context, []string, bool) ([]ParamItem, []string, error) {
	return nil, nil, ErrNoParamClient
}
func (paramsNoClient) GetParametersByPath(context.Context, string, bool, bool, string) ([]ParamItem, string, error) {
	return nil, "", ErrNoParamClient
}
func (paramsNoClient) PutParameter(context.Context, ParamPut) error { return ErrNoParamClient }
func (paramsNoClient) GetSecretValue(context.Context, string) (string, error) {
	return "", ErrNoParamClient
}
func (paramsNoClient) PutSecretValue(context.Context, string, []byte) error { return ErrNoParamClient }
func (paramsNoClient) CreateSecret(context.Context, string, []byte) error   { return ErrNoParamClient }
func (paramsNoClient) GetItem(context.Context, string, string, string, string) (string, error) {
	return "", ErrNoParamClient
}
func (paramsNoClient) Query(context.Context, string, string, string, string, string, any) ([]ParamItem, any, error) {
	return nil, nil, ErrNoParamClient
}
func (paramsNoClient) StartConfigurationSession(context.Context, string, string, string) (string, error) {
	return "", ErrNoParamClient
}
func (paramsNoClient) GetLatestConfiguration(context.Context, string) ([]byte, string, error) {
	return nil, "", ErrNoParamClient
}
