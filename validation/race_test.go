//go:build race

package validation

// validationRaceEnabled: the race detector makes sync.Pool drop items at random, so allocation budgets
// that rely on pooled buffers are only checked without it.
const validationRaceEnabled = true
