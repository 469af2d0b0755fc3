//go:build race

package powertools

// metricsRaceEnabled: the race detector makes sync.Pool drop items at random, so allocation budgets
// are only checked without it.
const metricsRaceEnabled = true
