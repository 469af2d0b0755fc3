package powertools

// Validation: JSON Schema for inbound events and responses (issue 7). The foundation declares the hooks
// the App calls; this file fills them in.

// validationConfig holds the validation settings.
type validationConfig struct{}

// validationRoot holds the compiled schemas; nil when validation is off.
type validationRoot struct{}

func newValidationRoot(a *App) (*validationRoot, error) { return nil, nil }

// validationMiddleware returns the layer that validates the event before the handler and the response
// after it; nil when validation is off.
func (a *App) validationMiddleware() Middleware { return nil }
