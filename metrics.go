package powertools

// Metrics: CloudWatch Embedded Metric Format (issue 4). The foundation declares the hooks the App calls;
// this file fills them in.

// metricsConfig holds the metrics settings.
type metricsConfig struct{}

func metricsDefaultConfig() metricsConfig { return metricsConfig{} }

func (c *metricsConfig) readEnv(env *envReader) {}

func (c *metricsConfig) validate() []error { return nil }

// metricsRoot is the App's process-wide metrics state; nil when metrics are off.
type metricsRoot struct{}

func newMetricsRoot(a *App) (*metricsRoot, error) { return nil, nil }

// metricsMiddleware returns the layer that gives each invocation its MetricSet and flushes it on every
// exit; nil when metrics are off.
func (a *App) metricsMiddleware() Middleware { return nil }

// MetricSet is one invocation's metrics.
type MetricSet struct{}
