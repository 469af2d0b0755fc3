package testenv

import "testing"

// SkipAllocsUnderRace skips an allocation-budget test in a -race build: the race detector makes sync.Pool
// drop items at random, so allocation counts mean nothing there. scripts/test.sh runs every test named
// *Alloc* again without -race, where the budgets are enforced.
func SkipAllocsUnderRace(t testing.TB) {
	t.Helper()
	if RaceEnabled {
		t.Skip("allocation budget: enforced by the test command's run without -race (the race detector makes sync.Pool drop items at random)")
	}
}
