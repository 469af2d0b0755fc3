package powertools

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The repository basics agree with the code: the license is MIT No Attribution, the changelog has an
// Unreleased section and a section for Version, and the user agent names the library and its version.
func TestRepositoryBasics(t *testing.T) {
	license, err := os.ReadFile("LICENSE")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(license), "MIT No Attribution\n") {
		t.Errorf("LICENSE is not MIT No Attribution: %.40q", license)
	}
	changelog, err := os.ReadFile("CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, heading := range []string{"## [Unreleased]", "## [" + Version + "] - "} {
		if !strings.Contains(string(changelog), "\n"+heading) {
			t.Errorf("CHANGELOG.md has no %q section", heading)
		}
	}
	if !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(Version) {
		t.Errorf("Version %q is not MAJOR.MINOR.PATCH", Version)
	}
	if ua := userAgentName + "/" + Version; ua != "powertools-go/"+Version {
		t.Errorf("user agent %q, the doc of Version says powertools-go/<Version>", ua)
	}
}
