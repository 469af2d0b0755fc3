package powertools

// Test-only views of unexported state, for the external test package.

// ConfigView is the part of the resolved configuration tests check.
type ConfigView struct {
	LogLevel   string
	LogEvent   bool
	SampleRate float64
	Debug      bool
}

// DebugConfig exposes the App's resolved configuration to tests.
func DebugConfig(a *App) ConfigView {
	return ConfigView{
		LogLevel:   levelName(a.log.level),
		LogEvent:   a.cfg.log.logEvent,
		SampleRate: a.cfg.log.sampleRate,
		Debug:      a.cfg.debug,
	}
}

// LogStartupFailure is the line Start writes when New fails, for tests.
var LogStartupFailure = logStartupFailure

// TracerOn reports whether the App traces (WithTracer, not turned off by the environment).
func TracerOn(a *App) bool { return a.tracer != nil }
