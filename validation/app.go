package validation

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/gopowertools/powertools"
)

// optionName names With in the *powertools.ConfigError values New returns for it.
const optionName = "validation.With"

// With validates every event against inbound before the handler runs, after unwrapping it with envelope
// when envelope is not "" (a powertools.Envelope* constant or any expression), and every response
// against outbound after the handler returns (responses are not unwrapped). A zero Schema skips that
// side. It plugs into the App through powertools.WithValidator, after the user middleware. Schemas and
// the envelope are compiled by powertools.New: a bad one is a *powertools.ConfigError from New, joined
// with every other problem. A failing event returns a *ValidationError with Stage "inbound" and the
// handler is not called; a failing response returns one with Stage "outbound" in place of the response.
// Default: no validation; there is no environment variable.
func With(inbound, outbound Schema, envelope string) powertools.Option {
	return powertools.WithValidator(&validator{inbound: inbound, outbound: outbound, expr: envelope})
}

// validator is the powertools.Validator With gives the App. Its compiled form is built once, by Init.
type validator struct {
	inbound, outbound Schema
	expr              string

	once    sync.Once
	err     error
	in, out *schemaCompiled // nil for a side without a schema
	env     *powertools.Envelope
}

// Init compiles the schemas and the envelope (once, however many Apps share the option).
func (v *validator) Init() error {
	v.once.Do(func() { v.err = v.compile() })
	return v.err
}

func (v *validator) compile() error {
	if v.inbound.IsZero() && v.outbound.IsZero() {
		return &powertools.ConfigError{Name: optionName, Reason: "needs an inbound or an outbound schema"}
	}
	var errs []error
	side := func(s Schema, name string) *schemaCompiled {
		if s.IsZero() {
			return nil
		}
		sch, err := s.compiled()
		if err != nil {
			errs = append(errs, &powertools.ConfigError{Name: optionName, Value: name + " schema", Reason: strings.TrimPrefix(err.Error(), "powertools: ")})
		}
		return sch
	}
	v.in = side(v.inbound, "inbound")
	v.out = side(v.outbound, "outbound")
	if v.expr != "" {
		var err error
		if v.env, err = powertools.CompileEnvelope(v.expr); err != nil {
			errs = append(errs, &powertools.ConfigError{Name: optionName, Value: v.expr, Reason: strings.TrimPrefix(err.Error(), "powertools: ")})
		}
	}
	return errors.Join(errs...)
}

// ValidateEvent checks the event, unwrapped by the envelope, against the inbound schema.
func (v *validator) ValidateEvent(_ context.Context, event []byte) error {
	return v.check("inbound", v.in, v.env, event)
}

// ValidateResponse checks the response against the outbound schema.
func (v *validator) ValidateResponse(_ context.Context, response []byte) error {
	return v.check("outbound", v.out, nil, response)
}

// check validates one side's JSON, marking a failure with its stage.
func (v *validator) check(stage string, sch *schemaCompiled, env *powertools.Envelope, raw []byte) error {
	if sch == nil {
		return nil
	}
	if len(raw) == 0 {
		raw = []byte("null") // a handler without a result answers null
	}
	err := validateText(sch, env, raw)
	if err == nil {
		return nil // before errors.As, whose target would escape: no allocation on success
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		ve.Stage = stage
	}
	return err
}
