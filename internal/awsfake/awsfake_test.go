package awsfake

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/appconfigdata"
	actypes "github.com/aws/aws-sdk-go-v2/service/appconfigdata/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

func sdkConfig(t *testing.T, s *Server) aws.Config {
	t.Helper()
	cfg := StartForTest(t, s)
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") {
		t.Fatalf("listening on %s", s.URL())
	}
	return cfg
}

// The service limits the fake keeps, seen by the real SDK clients.
func TestServiceBehaviour(t *testing.T) {
	s := New(nil)
	cfg := sdkConfig(t, s)
	ctx := context.Background()
	c := ssm.NewFromConfig(cfg)

	names := make([]string, 11)
	for i := range names {
		names[i] = fmt.Sprintf("/n%d", i)
	}
	_, err := c.GetParameters(ctx, &ssm.GetParametersInput{Names: names})
	if err == nil || !strings.Contains(err.Error(), "ValidationException") {
		t.Errorf("11 names: %v, want ValidationException", err)
	}
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/none")})
	var nf *ssmtypes.ParameterNotFound
	if !errors.As(err, &nf) {
		t.Errorf("GetParameter of an unknown name: %v", err)
	}
	for i := range 3 {
		s.PutParameter(fmt.Sprintf("/p/%d", i), "v", "")
	}
	out, err := c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/p"), MaxResults: aws.Int32(2)})
	if err != nil || len(out.Parameters) != 2 || out.NextToken == nil {
		t.Fatalf("page 1: %v, %v", out, err)
	}
	out, err = c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/p"), MaxResults: aws.Int32(2), NextToken: out.NextToken})
	if err != nil || len(out.Parameters) != 1 || out.NextToken != nil {
		t.Fatalf("page 2: %v, %v", out, err)
	}
	if s.Count("ssm.GetParametersByPath") != 2 || s.Count("ssm.GetParameters") != 1 {
		t.Errorf("counts %v", s.Counts())
	}

	sm := secretsmanager.NewFromConfig(cfg)
	if _, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("x"), SecretString: aws.String("v")}); err == nil {
		t.Error("PutSecretValue of an unknown secret succeeded")
	}
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("x"), SecretBinary: []byte{1, 2}}); err != nil {
		t.Fatal(err)
	}
	got, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("x")})
	if err != nil || string(got.SecretBinary) != "\x01\x02" || got.SecretString != nil {
		t.Errorf("binary secret: %v, %v", got, err)
	}

	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	s.DeployConfiguration("a", "e", "p", "one", "text/plain")
	ac := appconfigdata.NewFromConfig(cfg)
	sess, err := ac.StartConfigurationSession(ctx, &appconfigdata.StartConfigurationSessionInput{
		ApplicationIdentifier: aws.String("a"), EnvironmentIdentifier: aws.String("e"), ConfigurationProfileIdentifier: aws.String("p")})
	if err != nil {
		t.Fatal(err)
	}
	first, err := ac.GetLatestConfiguration(ctx, &appconfigdata.GetLatestConfigurationInput{ConfigurationToken: sess.InitialConfigurationToken})
	if err != nil || string(first.Configuration) != "one" || aws.ToString(first.ContentType) != "text/plain" || first.NextPollIntervalInSeconds != 60 {
		t.Fatalf("first: %+v, %v", first, err)
	}
	second, err := ac.GetLatestConfiguration(ctx, &appconfigdata.GetLatestConfigurationInput{ConfigurationToken: first.NextPollConfigurationToken})
	if err != nil || len(second.Configuration) != 0 {
		t.Fatalf("unchanged: %q, %v", second.Configuration, err)
	}
	var bad *actypes.BadRequestException
	if _, err := ac.GetLatestConfiguration(ctx, &appconfigdata.GetLatestConfigurationInput{ConfigurationToken: first.NextPollConfigurationToken}); !errors.As(err, &bad) {
		t.Errorf("reused token: %v, want BadRequestException", err)
	}
	now = now.Add(24 * time.Hour)
	if _, err := ac.GetLatestConfiguration(ctx, &appconfigdata.GetLatestConfigurationInput{ConfigurationToken: second.NextPollConfigurationToken}); !errors.As(err, &bad) {
		t.Errorf("24-hour-old token: %v, want BadRequestException", err)
	}
}

// FuzzServeHTTP: any body under any operation gets an answer (an AWS error shape for bad input), never a
// panic.
func FuzzServeHTTP(f *testing.F) {
	ops := []string{"AmazonSSM.GetParameter", "AmazonSSM.GetParameters", "AmazonSSM.GetParametersByPath",
		"AmazonSSM.PutParameter", "secretsmanager.GetSecretValue", "secretsmanager.PutSecretValue",
		"secretsmanager.CreateSecret", "rest.session", "rest.latest"}
	for i := range ops {
		f.Add(uint8(i), `{"Name":"/a","Names":["/a"],"Path":"/","Value":"v","SecretId":"a","SecretBinary":"AA=="}`)
		f.Add(uint8(i), `{"NextToken":"page-99","MaxResults":-1}`)
		f.Add(uint8(i), `not json`)
	}
	f.Fuzz(func(t *testing.T, op uint8, body string) {
		s := New(&Seed{Parameters: []Parameter{{Name: "/a", Value: "1"}}, Secrets: map[string]string{"a": "s"},
			AppConfig: []AppConfigProfile{{Application: "a", Environment: "e", Profile: "p", Content: "c"}}})
		target := ops[int(op)%len(ops)]
		var req *http.Request
		switch target {
		case "rest.session":
			req = httptest.NewRequest(http.MethodPost, "/configurationsessions", strings.NewReader(body))
		case "rest.latest":
			req = httptest.NewRequest(http.MethodGet, "/configuration?configuration_token="+fmt.Sprintf("%x", body), nil)
		default:
			req = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
			req.Header.Set("X-Amz-Target", target)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: status %d", target, body, rec.Code)
		}
	})
}
