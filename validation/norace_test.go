//go:build !race

package validation

// validationRaceEnabled: see race_test.go.
const validationRaceEnabled = false
