package powertools

// chainError is an error whose message is its context, then its cause's message without the cause's own
// "powertools: " prefix: a chain of library errors reads as one sentence with one prefix.
type chainError struct {
	context string // starts with "powertools: "
	err     error
}

// chainWrap wraps err under context ("powertools: idempotency: payload"); errors.Is and errors.As see err.
func chainWrap(context string, err error) error { return &chainError{context: context, err: err} }

func (e *chainError) Error() string { return e.context + ": " + errorText(e.err) }

func (e *chainError) Unwrap() error { return e.err }
