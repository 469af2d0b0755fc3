package powertools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/jmespath-community/go-jmespath"
	"go.uber.org/zap"
)

// Idempotency: a handler (WithIdempotency) or any function (Idempotent) runs once per payload within an
// expiry window; duplicates get the stored response back, byte for byte. The flow, the store interface and
// the memory store live here; the DynamoDB and Redis stores are in the idempotency/dynamodbstore and
// idempotency/redisstore subpackages, so a function that does not use them links neither client.

// Record statuses, as the Python edition writes them.
const (
	IdempotencyInProgress = "INPROGRESS"
	IdempotencyCompleted  = "COMPLETED"
)

// IdempotencyRecord is one record of an idempotency store, in the layout of the Python edition.
type IdempotencyRecord struct {
	Key        string // id: "<function>.<handler>#<md5>" or "<prefix>#<md5>"
	Status     string // IdempotencyInProgress or IdempotencyCompleted
	Expiration int64  // expiration: epoch seconds after which the record is void
	// InProgressExpiration (in_progress_expiration, epoch milliseconds) is the lease of the run that wrote
	// the record: past it an INPROGRESS record may be taken over. With its status it fences the run's
	// writes: a store completes or deletes a record only while both are still the ones that run wrote.
	InProgressExpiration int64
	Data                 []byte // data: the response exactly as the handler returned it (COMPLETED)
	Validation           string // validation: the payload hash, when WithIdemPayloadValidationPath is set
}

// Expired reports whether the record's expiration has passed at now.
func (r *IdempotencyRecord) Expired(now time.Time) bool { return r.Expiration < now.Unix() }

// Live reports whether the record holds its key at now: COMPLETED and not expired, or INPROGRESS with a
// lease that has not passed. A record that is not live may be replaced.
func (r *IdempotencyRecord) Live(now time.Time) bool {
	if r.Expired(now) {
		return false
	}
	switch r.Status {
	case IdempotencyCompleted:
		return true
	case IdempotencyInProgress:
		return r.InProgressExpiration >= now.UnixMilli()
	}
	return false
}

// IdempotencyStore keeps idempotency records. Its methods are called by concurrent invocations and must
// be safe for concurrent use. NewMemoryStore, dynamodbstore.New and redisstore.New give the three stores
// of the library.
type IdempotencyStore interface {
	// Acquire writes rec (INPROGRESS) unless a record that is live at now (see IdempotencyRecord.Live)
	// holds rec.Key, atomically: of concurrent callers with one key, one at most succeeds. On success
	// it returns nil, nil. When a record holds the key it returns that record (and a nil error); the
	// record it returns may have changed since, the caller checks it again.
	Acquire(ctx context.Context, rec *IdempotencyRecord, now time.Time) (existing *IdempotencyRecord, err error)
	// Complete replaces held, the INPROGRESS record this invocation acquired, with done (COMPLETED),
	// only if the stored record still has held's status and InProgressExpiration; otherwise it changes
	// nothing and returns ErrIdempotencyFenced. now is the time of completion (the App's clock).
	Complete(ctx context.Context, held, done *IdempotencyRecord, now time.Time) error
	// Release deletes held under the same condition as Complete (ErrIdempotencyFenced otherwise), so a
	// retry of a failed run executes again.
	Release(ctx context.Context, held *IdempotencyRecord) error
}

// ErrIdempotencyAlreadyInProgress is returned to a duplicate that arrives while another invocation with
// the same key runs (its record is INPROGRESS and its lease has not passed). Retry later.
var ErrIdempotencyAlreadyInProgress = errors.New("powertools: idempotency: an invocation with this key is already in progress")

// ErrIdempotencyValidation is returned when a stored record's payload hash (WithIdemPayloadValidationPath)
// differs from the payload's: same key, different payload.
var ErrIdempotencyValidation = errors.New("powertools: idempotency: payload does not match the stored record's")

// ErrIdempotencyKeyMissing is returned, with WithIdemRaiseOnMissingKey, for a payload in which the key
// path finds no data.
var ErrIdempotencyKeyMissing = errors.New("powertools: idempotency: no key data in the payload")

// ErrIdempotencyFenced is what a store returns from Complete or Release when the record is no longer the
// one the caller acquired (its lease passed and another invocation took it over). The flow logs it; the
// caller never sees it wrapped in an IdempotencyStoreError.
var ErrIdempotencyFenced = errors.New("powertools: idempotency: the record was taken over by another invocation")

// ErrIdempotencyBadRecord is what a store returns for a stored record it cannot read.
var ErrIdempotencyBadRecord = errors.New("powertools: idempotency: malformed stored record")

// IdempotencyStoreError reports a store failure: the handler does not run unguarded after one, and a
// run whose response could not be stored returns it instead of the response.
type IdempotencyStoreError struct {
	Op  string // "acquire", "complete" or "release"
	Key string
	Err error
}

func (e *IdempotencyStoreError) Error() string {
	return "powertools: idempotency store: " + e.Op + " " + strconv.Quote(e.Key) + ": " + errorText(e.Err)
}

func (e *IdempotencyStoreError) Unwrap() error { return e.Err }

// IdemOption configures WithIdempotency and Idempotent.
type IdemOption func(*idemConfig)

type idemConfig struct {
	keyPath           string
	validationPath    string
	expiry            time.Duration
	cacheSize         int // 0: no local cache
	raiseOnMissingKey bool
	keyPrefix         string
	responseHook      func(ctx context.Context, response []byte, record IdempotencyRecord) []byte
	errs              []error
}

func idemDefaultConfig() idemConfig {
	return idemConfig{expiry: time.Hour}
}

func (c *idemConfig) fail(name, value, reason string) {
	c.errs = append(c.errs, &ConfigError{Name: name, Value: value, Reason: reason})
}

// WithIdemKeyPath selects the key data from the payload with a JMESPath expression; the Powertools
// functions (powertools_json, powertools_base64, powertools_base64_gzip) are available, and
// powertools_json keeps numbers as written. Default: the whole payload.
func WithIdemKeyPath(expr string) IdemOption {
	return func(c *idemConfig) { c.keyPath = expr }
}

// WithIdemPayloadValidationPath stores a hash of the data this JMESPath expression selects in each record
// and refuses, with ErrIdempotencyValidation, a payload with the same key whose hash differs. Default:
// no validation.
func WithIdemPayloadValidationPath(expr string) IdemOption {
	return func(c *idemConfig) { c.validationPath = expr }
}

// WithIdemExpiry is how long a completed record is replayed. Default: 1 hour.
func WithIdemExpiry(d time.Duration) IdemOption {
	return func(c *idemConfig) {
		if d < time.Second {
			c.fail("WithIdemExpiry", d.String(), "must be at least 1s")
			return
		}
		c.expiry = d
	}
}

// WithIdemLocalCache keeps the last n completed records in memory (an LRU, shared by the invocations of
// the process), so a repeat is answered without a request to the store; n == 0 means 256. It never holds
// an INPROGRESS record. Default: off.
func WithIdemLocalCache(n int) IdemOption {
	return func(c *idemConfig) {
		switch {
		case n < 0:
			c.fail("WithIdemLocalCache", strconv.Itoa(n), "must not be negative")
		case n == 0:
			c.cacheSize = 256
		default:
			c.cacheSize = n
		}
	}
}

// WithIdemRaiseOnMissingKey makes a payload without key data an error (ErrIdempotencyKeyMissing). Default:
// false: one WARNING log line and the handler runs unguarded, as in the Python edition.
func WithIdemRaiseOnMissingKey(on bool) IdemOption {
	return func(c *idemConfig) { c.raiseOnMissingKey = on }
}

// WithIdemKeyPrefix replaces "<AWS_LAMBDA_FUNCTION_NAME>.<handler name>" in record keys with p, so a
// record keeps its key when the function or the handler is renamed. Default: none.
func WithIdemKeyPrefix(p string) IdemOption {
	return func(c *idemConfig) {
		if p == "" {
			c.fail("WithIdemKeyPrefix", p, "must not be empty")
			return
		}
		c.keyPrefix = p
	}
}

// WithIdemResponseHook runs fn on every replayed response (never on a first execution); what it returns
// is given to the caller instead. record is the stored record. Default: none.
func WithIdemResponseHook(fn func(ctx context.Context, response []byte, record IdempotencyRecord) []byte) IdemOption {
	return func(c *idemConfig) {
		if fn == nil {
			c.fail("WithIdemResponseHook", "nil", "hook must not be nil")
			return
		}
		c.responseHook = fn
	}
}

// idemSettings is the App configuration's part for WithIdempotency.
type idemSettings struct {
	disabled bool // POWERTOOLS_IDEMPOTENCY_DISABLED
	on       bool
	store    IdempotencyStore
	opts     []IdemOption
	// layer and check are set by WithIdempotency, so that a function that never calls it links none of
	// the idempotency flow (the App's chain reaches it only through them).
	layer func(a *App, handler string) Middleware
	check func(opts []IdemOption) error
}

func (s *idemSettings) readEnv(env *envReader) {
	env.boolean("POWERTOOLS_IDEMPOTENCY_DISABLED", &s.disabled)
}

// WithIdempotency makes the handler idempotent: it runs once per payload (or per the data
// WithIdemKeyPath selects) within the expiry, duplicates get its stored response. In the chain it sits
// after inbound validation and before the handler. Default: off; POWERTOOLS_IDEMPOTENCY_DISABLED=true
// turns it off, and off Idempotent too (one WARNING line per App, when the first idempotent handler or
// function is built).
func WithIdempotency(store IdempotencyStore, opts ...IdemOption) Option {
	return func(c *config) {
		if store == nil {
			c.addErr("WithIdempotency", "nil", "needs a store")
			return
		}
		c.idem.on, c.idem.store, c.idem.opts = true, store, opts
		c.idem.layer, c.idem.check = idemLayer, idemCheckOptions
	}
}

// idemGuard is one idempotent handler or function: the compiled options, the store, the local cache.
type idemGuard struct {
	app        *App
	store      IdempotencyStore
	cfg        idemConfig
	keyQ       jmespath.JMESPath // nil: the whole payload
	validQ     jmespath.JMESPath // nil: no validation
	cache      *lru.Cache[string, *IdempotencyRecord]
	namePrefix string // "<function>.<handler>", or the key prefix
	disabled   bool
}

// idemFunctions are the Powertools JMESPath functions, with powertools_json keeping numbers as written;
// made when an expression is compiled, not at init (jmesFunctions says why).
func idemFunctions() []jmespath.FunctionEntry {
	fs := jmesFunctions()
	for i := range fs {
		if fs[i].Name == "powertools_json" {
			fs[i].Handler = func(args []any) (any, error) {
				s, err := jmesStringArg("powertools_json", args)
				if err != nil {
					return nil, err
				}
				return idemDecode([]byte(s))
			}
		}
	}
	return fs
}

func idemCompile(name, expr string) (q jmespath.JMESPath, err error) {
	defer func() {
		if v := recover(); v != nil {
			q, err = nil, &ConfigError{Name: name, Value: expr, Reason: fmt.Sprintf("does not compile: %v", v)}
		}
	}()
	q, err = jmespath.Compile(expr, idemFunctions()...)
	if err != nil {
		return nil, &ConfigError{Name: name, Value: expr, Reason: "does not compile: " + err.Error()}
	}
	return q, nil
}

// idemCompileOptions applies opts over the defaults and compiles the JMESPath expressions; every
// problem is a *ConfigError, joined.
func idemCompileOptions(opts []IdemOption) (cfg idemConfig, keyQ, validQ jmespath.JMESPath, err error) {
	cfg = idemDefaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	errs := cfg.errs
	if cfg.keyPath != "" {
		if keyQ, err = idemCompile("WithIdemKeyPath", cfg.keyPath); err != nil {
			errs = append(errs, err)
		}
	}
	if cfg.validationPath != "" {
		if validQ, err = idemCompile("WithIdemPayloadValidationPath", cfg.validationPath); err != nil {
			errs = append(errs, err)
		}
	}
	return cfg, keyQ, validQ, errors.Join(errs...)
}

// newIdemGuard compiles the options for the handler or function named handler.
func newIdemGuard(a *App, store IdempotencyStore, handler string, opts []IdemOption) (*idemGuard, error) {
	cfg, keyQ, validQ, err := idemCompileOptions(opts)
	if err != nil {
		return nil, err
	}
	g := &idemGuard{app: a, store: store, cfg: cfg, keyQ: keyQ, validQ: validQ, disabled: a.cfg.idem.disabled}
	if g.cfg.cacheSize > 0 {
		g.cache, _ = lru.New[string, *IdempotencyRecord](g.cfg.cacheSize) // only fails for a size <= 0
	}
	g.namePrefix = g.cfg.keyPrefix
	if g.namePrefix == "" {
		fn := a.functionName
		if fn == "" {
			fn = "test-func" // the Python edition's name outside Lambda
		}
		g.namePrefix = fn + "." + handler
	}
	if g.disabled {
		a.idemWarnDisabled.Do(func() {
			a.log.base.Warn("powertools: idempotency is disabled by POWERTOOLS_IDEMPOTENCY_DISABLED: handlers run unguarded")
		})
	}
	return g, nil
}

// idemMiddleware is the chain's idempotency layer; nil without WithIdempotency.
func (a *App) idemMiddleware(handler string) Middleware {
	if !a.cfg.idem.on || a.cfg.idem.layer == nil {
		return nil
	}
	return a.cfg.idem.layer(a, handler)
}

// idemLayer is the chain's idempotency layer of one handler.
func idemLayer(a *App, handler string) Middleware {
	g, err := newIdemGuard(a, a.cfg.idem.store, handler, a.cfg.idem.opts)
	if err != nil { // New checked the options; only a bug gets here
		panic("powertools: Wrap: " + err.Error())
	}
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
			return g.run(ctx, payload, next.Invoke)
		})
	}
}

// validate checks the options of WithIdempotency for New.
func (s *idemSettings) validate() error {
	if !s.on || s.check == nil {
		return nil
	}
	return s.check(s.opts)
}

// idemCheckOptions compiles the options of WithIdempotency, for their errors.
func idemCheckOptions(opts []IdemOption) error {
	_, _, _, err := idemCompileOptions(opts)
	return err
}

// Idempotent makes fn idempotent: it runs once per input (or per the data WithIdemKeyPath selects from
// the input's JSON form) within the expiry, and duplicates get the result it returned, decoded from the
// stored JSON. app gives the environment (AWS_LAMBDA_FUNCTION_NAME, POWERTOOLS_IDEMPOTENCY_DISABLED), the
// clock and the logger; store may differ from the handler's. It works inside a wrapped handler (a record
// handler of a batch, say) and outside one. A bad option makes every call return its *ConfigError.
func Idempotent[T, R any](app *App, store IdempotencyStore, fn func(context.Context, T) (R, error), opts ...IdemOption) func(context.Context, T) (R, error) {
	var g *idemGuard
	var gErr error
	switch {
	case app == nil:
		gErr = &ConfigError{Name: "Idempotent", Value: "nil", Reason: "needs an App"}
	case store == nil:
		gErr = &ConfigError{Name: "Idempotent", Value: "nil", Reason: "needs a store"}
	case fn == nil:
		gErr = &ConfigError{Name: "Idempotent", Value: "nil", Reason: "needs a function"}
	default:
		g, gErr = newIdemGuard(app, store, describeHandler(fn), opts)
	}
	return func(ctx context.Context, in T) (R, error) {
		var zero R
		if gErr != nil {
			return zero, gErr
		}
		payload, err := json.Marshal(in)
		if err != nil {
			return zero, &DecodeError{Step: "json", Err: err}
		}
		var result R
		fresh := false
		out, err := g.run(ctx, payload, func(ctx context.Context, _ []byte) ([]byte, error) {
			r, err := fn(ctx, in)
			if err != nil {
				return nil, err
			}
			result, fresh = r, true
			b, err := json.Marshal(r)
			if err != nil {
				return nil, &DecodeError{Step: "json", Err: err}
			}
			return b, nil
		})
		if err != nil {
			return zero, err
		}
		if fresh {
			return result, nil
		}
		if err := json.Unmarshal(out, &result); err != nil {
			return zero, &DecodeError{Step: "json", Err: fmt.Errorf("stored response: %w", err)}
		}
		return result, nil
	}
}

// idemLogger is the invocation's logger inside a wrapped handler, the App's outside one.
func (g *idemGuard) logger(ctx context.Context) *zap.Logger {
	if invocationFrom(ctx) != nil {
		return Logger(ctx)
	}
	return g.app.log.base
}

// run is the idempotent flow around next.
func (g *idemGuard) run(ctx context.Context, payload []byte, next func(context.Context, []byte) ([]byte, error)) ([]byte, error) {
	if g.disabled {
		return next(ctx, payload)
	}
	key, validation, ok, err := g.keys(payload)
	if err != nil {
		return nil, err
	}
	if !ok {
		if g.cfg.raiseOnMissingKey {
			return nil, ErrIdempotencyKeyMissing
		}
		g.logger(ctx).Warn("powertools: idempotency: no key data in the payload; the handler runs unguarded",
			zap.String("key_path", g.cfg.keyPath))
		return next(ctx, payload)
	}
	now := g.app.now()
	if g.cache != nil {
		if rec, hit := g.cache.Get(key); hit {
			if rec.Expired(now) {
				g.cache.Remove(key)
			} else {
				if g.validQ != nil && rec.Validation != validation {
					return nil, ErrIdempotencyValidation
				}
				return g.replay(ctx, rec), nil
			}
		}
	}
	held := &IdempotencyRecord{
		Key:                  key,
		Status:               IdempotencyInProgress,
		Expiration:           now.Add(g.cfg.expiry).Unix(),
		InProgressExpiration: g.lease(ctx, now),
		Validation:           validation,
	}
	for attempt := 0; ; attempt++ {
		existing, err := g.store.Acquire(ctx, held, now)
		if err != nil {
			return nil, &IdempotencyStoreError{Op: "acquire", Key: key, Err: err}
		}
		if existing == nil {
			break
		}
		if g.validQ != nil && existing.Validation != validation {
			return nil, ErrIdempotencyValidation
		}
		if existing.Live(now) {
			if existing.Status == IdempotencyCompleted {
				if g.cache != nil {
					g.cache.Add(key, existing)
				}
				return g.replay(ctx, existing), nil
			}
			return nil, ErrIdempotencyAlreadyInProgress
		}
		// The record the store read back changed since its write failed (it was completed, deleted or
		// taken over in between): try again, a few times.
		if attempt == 2 {
			return nil, ErrIdempotencyAlreadyInProgress
		}
	}
	return g.execute(ctx, payload, held, next)
}

// execute runs next under the acquired record held, then completes it or, on error or panic, releases it.
func (g *idemGuard) execute(ctx context.Context, payload []byte, held *IdempotencyRecord, next func(context.Context, []byte) ([]byte, error)) (out []byte, err error) {
	completed := false
	defer func() {
		if completed {
			return
		}
		// The handler failed or panicked: delete the record so that a retry runs. The original error
		// (or panic) goes on; a failed release is logged.
		switch rerr := g.store.Release(context.WithoutCancel(ctx), held); {
		case errors.Is(rerr, ErrIdempotencyFenced):
			g.logger(ctx).Warn("powertools: idempotency: the lease passed and another invocation took the record over; it is left alone",
				zap.String("idempotency_key", held.Key))
		case rerr != nil:
			g.logger(ctx).Warn("powertools: idempotency: the record of a failed run could not be deleted; a retry waits for its lease",
				zap.String("idempotency_key", held.Key), zap.Error(rerr))
		}
	}()
	out, err = next(ctx, payload)
	if err != nil {
		return nil, err
	}
	completed = true
	completedAt := g.app.now()
	done := &IdempotencyRecord{
		Key:                  held.Key,
		Status:               IdempotencyCompleted,
		Expiration:           completedAt.Add(g.cfg.expiry).Unix(),
		InProgressExpiration: held.InProgressExpiration,
		Data:                 out,
		Validation:           held.Validation,
	}
	switch cerr := g.store.Complete(context.WithoutCancel(ctx), held, done, completedAt); {
	case errors.Is(cerr, ErrIdempotencyFenced):
		g.logger(ctx).Warn("powertools: idempotency: the lease passed and another invocation took the record over; this response is not stored",
			zap.String("idempotency_key", held.Key))
	case cerr != nil:
		return nil, &IdempotencyStoreError{Op: "complete", Key: held.Key, Err: cerr}
	case g.cache != nil:
		cached := *done
		cached.Data = append([]byte(nil), out...)
		g.cache.Add(held.Key, &cached)
	}
	return out, nil
}

// replay returns a copy of the stored response, through the response hook.
func (g *idemGuard) replay(ctx context.Context, rec *IdempotencyRecord) []byte {
	out := append([]byte(nil), rec.Data...)
	if g.cfg.responseHook != nil {
		r := *rec
		r.Data = out
		out = g.cfg.responseHook(ctx, out, r)
	}
	return out
}

// lease is the end of this run's lease, in epoch milliseconds of the App's clock: now plus the time left
// before the invocation's deadline, or the record's expiry without a deadline.
func (g *idemGuard) lease(ctx context.Context, now time.Time) int64 {
	if dl, ok := ctx.Deadline(); ok {
		return now.Add(time.Until(dl)).UnixMilli()
	}
	return now.Add(g.cfg.expiry).UnixMilli()
}

// keys computes the record key and the validation hash of payload; ok is false when the key path finds
// no data.
func (g *idemGuard) keys(payload []byte) (key, validation string, ok bool, err error) {
	doc, err := idemDecode(payload)
	if err != nil {
		return "", "", false, chainWrap("powertools: idempotency: payload", err)
	}
	data := doc
	if g.keyQ != nil {
		if data, err = idemSearch(g.keyQ, g.cfg.keyPath, doc); err != nil {
			return "", "", false, err
		}
	}
	if idemMissingKey(data) {
		return "", "", false, nil
	}
	h, err := idemHash(data)
	if err != nil {
		return "", "", false, fmt.Errorf("powertools: idempotency: key: %w", err)
	}
	key = g.namePrefix + "#" + h
	if g.validQ != nil {
		v, err := idemSearch(g.validQ, g.cfg.validationPath, doc)
		if err != nil {
			return "", "", false, err
		}
		if validation, err = idemHash(v); err != nil {
			return "", "", false, fmt.Errorf("powertools: idempotency: validation: %w", err)
		}
	}
	return key, validation, true, nil
}

func idemSearch(q jmespath.JMESPath, expr string, doc any) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, &JMESPathError{Expr: expr, Err: fmt.Errorf("evaluation panicked: %v", r)}
		}
	}()
	v, err = q.Search(doc)
	if err != nil {
		return nil, &JMESPathError{Expr: expr, Err: err}
	}
	return v, nil
}
