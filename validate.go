package powertools

import (
	"context"

	"go.uber.org/zap"
)

// Validator checks the events and the responses of an App's handler. The validation subpackage's With
// gives the JSON Schema one; the core package knows only this interface, so a function that does not
// validate links no JSON Schema code.
type Validator interface {
	// Init prepares the validator (compiles its schemas). New calls it once, while it checks the rest of
	// the configuration, and returns its error joined with every other problem: return *ConfigError
	// values naming the option the problem came from.
	Init() error
	// ValidateEvent checks the event before the handler runs; an error is returned in place of the
	// handler's result and the handler is not called.
	ValidateEvent(ctx context.Context, event []byte) error
	// ValidateResponse checks the handler's response (not called when the handler failed); an error is
	// returned in place of the response.
	ValidateResponse(ctx context.Context, response []byte) error
}

// WithValidator validates every event with v before the handler runs and every response after it, inside
// the user middleware (see the chain order in the package documentation). Use validation.With for JSON
// Schema validation. Default: none; there is no environment variable.
func WithValidator(v Validator) Option {
	return func(c *config) {
		if v == nil {
			c.addErr("WithValidator", "", "needs a Validator")
			return
		}
		c.validator = v
	}
}

// validatorInit runs the validator's Init for New; nil when there is none.
func (c *config) validatorInit() error {
	if c.validator == nil {
		return nil
	}
	return c.validator.Init()
}

// validatorMiddleware returns the layer that validates the event before the handler and the response
// after it; nil without a validator.
func (a *App) validatorMiddleware() Middleware {
	v := a.cfg.validator
	if v == nil {
		return nil
	}
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
			if err := v.ValidateEvent(ctx, payload); err != nil {
				a.debug.Debug("powertools: validation failed", zap.String("stage", "inbound"), zap.Error(err))
				return nil, err
			}
			out, err := next.Invoke(ctx, payload)
			if err != nil {
				return out, err
			}
			if err := v.ValidateResponse(ctx, out); err != nil {
				a.debug.Debug("powertools: validation failed", zap.String("stage", "outbound"), zap.Error(err))
				return nil, err
			}
			return out, nil
		})
	}
}
