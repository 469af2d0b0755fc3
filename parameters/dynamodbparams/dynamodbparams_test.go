package dynamodbparams_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/gopowertools/powertools/parameters/dynamodbparams"
)

// The provider itself is tested against dynalite in package parameters (TestDynamoDBProvider).

func TestAdaptNil(t *testing.T) {
	if dynamodbparams.Adapt(nil) != nil {
		t.Error("Adapt(nil) is not nil")
	}
}

// Each service package links its own SDK service package and no other: that is why they exist.
func TestLinksOneService(t *testing.T) {
	if testing.Short() {
		t.Skip("go list")
	}
	for pkg, want := range map[string]string{
		"../ssmparams": "service/ssm", "../secretsparams": "service/secretsmanager",
		"../appconfigparams": "service/appconfigdata", ".": "service/dynamodb",
	} {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, svc := range []string{"service/ssm", "service/secretsmanager", "service/appconfigdata", "service/dynamodb"} {
				if strings.HasSuffix(dep, "aws-sdk-go-v2/"+svc) && svc != want {
					t.Errorf("%s links %s", pkg, dep)
				}
			}
		}
	}
}
