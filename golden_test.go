package powertools

import "flag"

// updateGolden rewrites every golden file and generated fixture under testdata/: go test -update.
var updateGolden = flag.Bool("update", false, "rewrite the golden files and generated fixtures under testdata/")

// UpdateGolden tells the external test package whether -update was given.
func UpdateGolden() bool { return *updateGolden }
