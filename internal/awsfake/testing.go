package awsfake

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// StartForTest starts s on a free port of 127.0.0.1, closes it when the test ends, and returns the AWS
// configuration that points the real SDK clients at it (static credentials, one attempt per call).
func StartForTest(t testing.TB, s *Server) aws.Config {
	t.Helper()
	url, err := s.Start(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return aws.Config{Region: "us-east-1", BaseEndpoint: &url, RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")}
}
