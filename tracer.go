package powertools

// Tracer: X-Ray subsegments written natively (issue 5). The foundation declares the hooks the App calls;
// this file fills them in.

// tracerConfig holds the tracer settings.
type tracerConfig struct{}

func tracerDefaultConfig() tracerConfig { return tracerConfig{} }

func (c *tracerConfig) readEnv(env *envReader) {}

func (c *tracerConfig) validate() []error { return nil }

// tracerRoot is the App's process-wide tracing state; nil when tracing is off.
type tracerRoot struct{}

func newTracerRoot(a *App) (*tracerRoot, error) { return nil, nil }

// tracerMiddleware returns the layer that opens the handler's subsegment ("## name"); nil when tracing is
// off.
func (a *App) tracerMiddleware(name string) Middleware { return nil }

// Tracer is one invocation's trace segment.
type Tracer struct{}
