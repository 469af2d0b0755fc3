package powertools_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/appconfigdata"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/internal/awsfake"
	"github.com/gopowertools/powertools/internal/testenv"
	"github.com/gopowertools/powertools/parameters"
)

// fakeAWS starts the SSM / Secrets Manager / AppConfigData fake on 127.0.0.1 and returns it with an SDK
// configuration pointing at it (static credentials, no retries, so request counts are exact).
func fakeAWS(t testing.TB, seed *awsfake.Seed) (*awsfake.Server, aws.Config) {
	t.Helper()
	f := awsfake.New(seed)
	url, err := f.Start(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f, fakeConfig(url)
}

func fakeConfig(url string) aws.Config {
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		BaseEndpoint:     aws.String(url),
		RetryMaxAttempts: 1,
	}
}

// clock is a fake clock tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// counted checks how many requests of op the fake received since the last check.
type counted struct {
	t    *testing.T
	f    *awsfake.Server
	seen map[string]int
}

func (c *counted) want(op string, n int) {
	c.t.Helper()
	got := c.f.Count(op) - c.seen[op]
	c.seen[op] = c.f.Count(op)
	if got != n {
		c.t.Errorf("%s: %d requests, want %d", op, got, n)
	}
}

func newCounted(t *testing.T, f *awsfake.Server) *counted {
	return &counted{t: t, f: f, seen: map[string]int{}}
}

func TestSSMGetCache(t *testing.T) {
	f, cfg := fakeAWS(t, &awsfake.Seed{Parameters: []awsfake.Parameter{{Name: "/app/color", Value: "blue"}}})
	clk := newClock()
	p := parameters.NewSSMProvider(ssm.NewFromConfig(cfg), powertools.WithParamClock(clk.Now))
	ctx := context.Background()
	c := newCounted(t, f)
	const op = "ssm.GetParameter"

	get := func(want string, opts ...powertools.ParamOption) {
		t.Helper()
		v, err := p.Get(ctx, "/app/color", opts...)
		if err != nil || v != want {
			t.Fatalf("Get = %q, %v; want %q", v, err, want)
		}
	}
	get("blue")
	c.want(op, 1)
	get("blue") // hit
	c.want(op, 0)

	f.PutParameter("/app/color", "red", "")
	get("blue") // still cached
	c.want(op, 0)
	get("red", powertools.WithParamForceFetch()) // skips the read, refreshes the entry
	c.want(op, 1)
	get("red")
	c.want(op, 0)

	f.PutParameter("/app/color", "green", "")
	get("green", powertools.WithParamMaxAge(0)) // neither reads...
	c.want(op, 1)
	get("red") // ...nor writes the cache
	c.want(op, 0)

	clk.Advance(5*time.Minute - time.Nanosecond)
	get("red")
	c.want(op, 0)
	clk.Advance(time.Nanosecond) // the default max age is 5 minutes
	get("green")
	c.want(op, 1)

	get("green", powertools.WithParamMaxAge(time.Second))
	c.want(op, 0) // a shorter max age reads the same entry...
	clk.Advance(time.Second)
	get("green", powertools.WithParamMaxAge(time.Second)) // ...which was stored for 5 minutes: still live
	c.want(op, 0)
}

// The cache key holds every option that changes the answer.
func TestSSMCacheKey(t *testing.T) {
	f, cfg := fakeAWS(t, &awsfake.Seed{Parameters: []awsfake.Parameter{
		{Name: "/k/doc", Value: `{"a":1}`}, {Name: "/k/secret", Value: "s3cr3t", Type: "SecureString"},
		{Name: "/k/sub/x", Value: "1"},
	}})
	p := parameters.NewSSMProvider(ssm.NewFromConfig(cfg))
	ctx := context.Background()
	c := newCounted(t, f)

	for _, opts := range [][]powertools.ParamOption{
		nil,
		{powertools.WithParamTransform(powertools.TransformJSON)},
		{powertools.WithParamTransform(powertools.TransformAuto)},
	} {
		if _, err := p.Get(ctx, "/k/doc", opts...); err != nil {
			t.Fatal(err)
		}
		c.want("ssm.GetParameter", 1)
		if _, err := p.Get(ctx, "/k/doc", opts...); err != nil {
			t.Fatal(err)
		}
		c.want("ssm.GetParameter", 0)
	}

	enc, _ := p.Get(ctx, "/k/secret")
	dec, _ := p.Get(ctx, "/k/secret", powertools.WithParamDecrypt(true))
	c.want("ssm.GetParameter", 2)
	if enc == "s3cr3t" || dec != "s3cr3t" {
		t.Errorf("without decryption %q, with %q", enc, dec)
	}

	flat, _ := p.GetMultiple(ctx, "/k")
	deep, _ := p.GetMultiple(ctx, "/k", powertools.WithParamRecursive(true))
	c.want("ssm.GetParametersByPath", 2)
	if len(flat) != 2 || len(deep) != 3 {
		t.Errorf("flat %v, recursive %v", flat, deep)
	}
	// Get and GetMultiple of one name are different calls.
	if _, err := p.GetMultiple(ctx, "/k/doc"); err != nil {
		t.Fatal(err)
	}
	c.want("ssm.GetParametersByPath", 1)
}

func TestSSMGetByNameChunks(t *testing.T) {
	for _, n := range []int{0, 1, 10, 11, 20, 21} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			seed := &awsfake.Seed{}
			names := map[string][]powertools.ParamOption{}
			for i := range n {
				name := fmt.Sprintf("/batch/p%02d", i)
				seed.Parameters = append(seed.Parameters, awsfake.Parameter{Name: name, Value: "v" + strconv.Itoa(i)})
				names[name] = nil
			}
			f, cfg := fakeAWS(t, seed)
			p := parameters.NewSSMProvider(ssm.NewFromConfig(cfg))
			got, err := p.GetByName(context.Background(), names)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != n {
				t.Fatalf("%d values, want %d: %v", len(got), n, got)
			}
			for i := range n {
				if v := got[fmt.Sprintf("/batch/p%02d", i)]; v != "v"+strconv.Itoa(i) {
					t.Errorf("p%02d = %q", i, v)
				}
			}
			c := newCounted(t, f)
			c.seen["ssm.GetParameters"] = 0
			c.want("ssm.GetParameters", (n+9)/10)
			// Every value is cached: a second call makes no request.
			if again, err := p.GetByName(context.Background(), names); err != nil || len(again) != n {
				t.Fatalf("again: %d values, %v", len(again), err)
			}
			c.want("ssm.GetParameters", 0)
		})
	}
}

func TestSSMGetByNameDecryptBatches(t *testing.T) {
	seed := &awsfake.Seed{}
	names := map[string][]powertools.ParamOption{}
	for i := range 12 {
		name := fmt.Sprintf("/mix/plain%02d", i)
		seed.Parameters = append(seed.Parameters, awsfake.Parameter{Name: name, Value: "p"})
		names[name] = nil
	}
	for i := range 3 {
		name := fmt.Sprintf("/mix/secure%d", i)
		seed.Parameters = append(seed.Parameters, awsfake.Parameter{Name: name, Value: "clear", Type: "SecureString"})
		names[name] = []powertools.ParamOption{powertools.WithParamDecrypt(true)}
	}
	seed.Parameters = append(seed.Parameters, awsfake.Parameter{Name: "/mix/conf.json", Value: `{"on":true}`})
	names["/mix/conf.json"] = []powertools.ParamOption{powertools.WithParamTransform(powertools.TransformAuto)}
	f, cfg := fakeAWS(t, seed)
	p := parameters.NewSSMProvider(ssm.NewFromConfig(cfg))
	got, err := p.GetByName(context.Background(), names)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 16 {
		t.Fatalf("%d values: %v", len(got), got)
	}
	for i := range 3 {
		if v := got[fmt.Sprintf("/mix/secure%d", i)]; v != "clear" {
			t.Errorf("secure%d = %q, want it decrypted", i, v)
		}
	}
	// 13 plain names: 2 batches; 3 decrypted ones: 1 batch of their own.
	if n := f.Count("ssm.GetParameters"); n != 3 {
		t.Errorf("GetParameters calls = %d, want 3", n)
	}
}

func TestSSMGetByNameErrors(t *testing.T) {
	f, cfg := fakeAWS(t, &awsfake.Seed{Parameters: []awsfake.Parameter{
		{Name: "/e/ok", Value: "fine"}, {Name: "/e/bad.json", Value: "{not json"},
	}})
	p := parameters.NewSSMProvider(ssm.NewFromConfig(cfg))
	names := map[string][]powertools.ParamOption{
		"/e/ok": nil, "/e/missing1": nil, "/e/missing2": nil,
		"/e/bad.json": {powertools.WithParamTransform(powertools.TransformAuto)},
	}
	for _, raise := range []bool{true, false} {
		t.Run("raise="+strconv.FormatBool(raise), func(t *testing.T) {
			got, err := p.GetByName(context.Background(), names, powertools.WithParamRaiseOnError(raise))
			var pe *powertools.ParametersError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *ParametersError", err)
			}
			if want := []string{"/e/bad.json", "/e/missing1", "/e/missing2"}; fmt.Sprint(pe.Names()) != fmt.Sprint(want) {
				t.Errorf("failed names %v, want %v", pe.Names(), want)
			}
			if !errors.Is(err, powertools.ErrParameterNotFound) {
				t.Error("does not match ErrParameterNotFound")
			}
			var te *powertools.TransformError
			if !errors.As(err, &te) || te.Name != "/e/bad.json" {
				t.Errorf("no *TransformError for /e/bad.json: %v", err)
			}
			msg := err.Error()
			if strings.Count(msg, "powertools:") != 1 || strings.Contains(msg, "not json") || strings.Contains(msg, "fine") {
				t.Errorf("message %q: want one prefix and no value", msg)
			}
			if raise && got != nil {
				t.Errorf("raise: values %v returned", got)
			}
			if !raise && (len(got) != 1 || got["/e/ok"] != "fine") {
				t.Errorf("values %v, want /e/ok alone", got)
			}
		})
	}
	_ = f
}

func TestSSMGetMultiple(t *testing.T) {
	seed := &awsfake.Seed{}
	for i := range 25 {
		seed.Parameters = append(seed.Parameters, awsfake.Parameter{Name: fmt.Sprintf("/svc/k%02d", i), Value: strconv.Itoa(i)})
	}
	seed.Parameters = append(seed.Parameters,
		awsfake.Parameter{Name: "/svc/deep/a.json", Value: `{"x":1}`},
		awsfake.Parameter{Name: "/svc/deep/b.binary", Value: "aGVsbG8="},
		awsfake.Parameter{Name: "/other/z", Value: "no"},
	)
	f, cfg := fakeAWS(t, seed)
	p := parameters.NewSSMProvider(ssm.NewFromConfig(cfg))
	ctx := context.Background()
	c := newCounted(t, f)

	flat, err := p.GetMultiple(ctx, "/svc")
	if err != nil {
		t.Fatal(err)
	}
	if len(flat) != 25 || flat["k07"] != "7" || flat["k24"] != "24" {
		t.Fatalf("flat: %d entries %v", len(flat), flat)
	}
	c.want("ssm.GetParametersByPath", 3) // pages of 10: every page is read

	deep, err := p.GetMultiple(ctx, "/svc/", powertools.WithParamRecursive(true), powertools.WithParamTransform(powertools.TransformAuto))
	if err != nil {
		t.Fatal(err)
	}
	if len(deep) != 27 || deep["deep/a.json"] != `{"x":1}` || deep["deep/b.binary"] != "hello" || deep["k00"] != "0" {
		t.Fatalf("recursive: %d entries %v", len(deep), deep)
	}
	c.want("ssm.GetParametersByPath", 3)

	deep["k00"] = "changed by the caller"
	again, _ := p.GetMultiple(ctx, "/svc/", powertools.WithParamRecursive(true), powertools.WithParamTransform(powertools.TransformAuto))
	c.want("ssm.GetParametersByPath", 0)
	if again["k00"] != "0" {
		t.Error("the caller's change reached the cache")
	}

	f.PutParameter("/svc/deep/c.json", "[oops", "")
	_, err = p.GetMultiple(ctx, "/svc/deep", powertools.WithParamTransform(powertools.TransformAuto))
	var te *powertools.TransformError
	if !errors.As(err, &te) || te.Name != "c.json" || te.Transform != powertools.TransformJSON || strings.Contains(err.Error(), "oops") {
		t.Errorf("err = %v, want a *TransformError for c.json without the value", err)
	}
}

func TestSSMSet(t *testing.T) {
	f, cfg := fakeAWS(t, &awsfake.Seed{Parameters: []awsfake.Parameter{{Name: "/w/a", Value: "1"}}})
	p := parameters.NewSSMProvider(ssm.NewFromConfig(cfg))
	ctx := context.Background()
	if v, _ := p.Get(ctx, "/w/a"); v != "1" {
		t.Fatal(v)
	}
	if m, _ := p.GetMultiple(ctx, "/w"); m["a"] != "1" {
		t.Fatal(m)
	}
	if m, _ := p.GetMultiple(ctx, "/"); len(m) != 0 {
		t.Fatal(m) // direct children of / only: none
	}

	err := p.Set(ctx, "/w/a", "2")
	var exists *ssmtypes.ParameterAlreadyExists
	if !errors.As(err, &exists) {
		t.Fatalf("Set without overwrite: %v, want ParameterAlreadyExists", err)
	}
	if err := p.Set(ctx, "/w/a", "3", powertools.WithParamOverwrite(true), powertools.WithParamType("SecureString"),
		powertools.WithParamTier("Advanced"), powertools.WithParamKMSKey("alias/k")); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.Parameter("/w/a"); got.Value != "3" || got.Type != "SecureString" || got.Version != 2 {
		t.Errorf("stored %+v", got)
	}
	before := f.Count("ssm.GetParameter")
	// No stale value: the Get and the GetMultiple of the parent path fetch again.
	if v, _ := p.Get(ctx, "/w/a", powertools.WithParamDecrypt(true)); v != "3" {
		t.Errorf("Get after Set = %q", v)
	}
	if v, _ := p.Get(ctx, "/w/a"); v == "1" {
		t.Errorf("Get after Set = %q, the stale value", v)
	}
	if f.Count("ssm.GetParameter") != before+2 {
		t.Error("Get after Set did not fetch")
	}
	if m, _ := p.GetMultiple(ctx, "/w", powertools.WithParamDecrypt(true)); m["a"] != "3" {
		t.Errorf("GetMultiple after Set = %v", m)
	}
	if err := p.Set(ctx, "/w/b", "x", powertools.WithParamType("Number")); err == nil || !errors.Is(err, powertools.ErrConfig) {
		t.Errorf("bad type: %v", err)
	}
}

func TestParamNotFound(t *testing.T) {
	_, cfg := fakeAWS(t, &awsfake.Seed{AppConfig: []awsfake.AppConfigProfile{{Application: "a", Environment: "e", Profile: "p", Content: "x"}}})
	ctx := context.Background()
	_, err := parameters.NewSSMProvider(ssm.NewFromConfig(cfg)).Get(ctx, "/nope")
	var pe *powertools.ParameterError
	var ssmNF *ssmtypes.ParameterNotFound
	if !errors.Is(err, powertools.ErrParameterNotFound) || !errors.As(err, &ssmNF) || !errors.As(err, &pe) || pe.Provider != "ssm" || pe.Name != "/nope" {
		t.Errorf("ssm: %v", err)
	}
	_, err = parameters.NewSecretsProvider(secretsmanager.NewFromConfig(cfg)).Get(ctx, "nope")
	var smNF *smtypes.ResourceNotFoundException
	if !errors.Is(err, powertools.ErrParameterNotFound) || !errors.As(err, &smNF) || !errors.As(err, &pe) || pe.Provider != "secrets" {
		t.Errorf("secrets: %v", err)
	}
	_, err = parameters.NewAppConfigProvider(appconfigdata.NewFromConfig(cfg), "a", "e").Get(ctx, "nope")
	if !errors.Is(err, powertools.ErrParameterNotFound) || !errors.As(err, &pe) || pe.Provider != "appconfig" {
		t.Errorf("appconfig: %v", err)
	}
	if strings.Count(err.Error(), "powertools:") != 1 {
		t.Errorf("message %q has not exactly one prefix", err)
	}
}

func TestSecrets(t *testing.T) {
	f, cfg := fakeAWS(t, &awsfake.Seed{Secrets: map[string]string{"db": "pw1"}})
	f.PutSecretBinary("cert", []byte{0, 1, 2, 0xff})
	p := parameters.NewSecretsProvider(secretsmanager.NewFromConfig(cfg))
	ctx := context.Background()
	c := newCounted(t, f)

	if v, err := p.Get(ctx, "db"); err != nil || v != "pw1" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	if v, err := p.Get(ctx, "cert"); err != nil || v != "\x00\x01\x02\xff" {
		t.Fatalf("binary Get = %q, %v", v, err)
	}
	_, _ = p.Get(ctx, "db")
	c.want("secretsmanager.GetSecretValue", 2)

	// An existing secret: PutSecretValue only; the cache is refreshed.
	if err := p.Set(ctx, "db", []byte("pw2")); err != nil {
		t.Fatal(err)
	}
	c.want("secretsmanager.PutSecretValue", 1)
	c.want("secretsmanager.CreateSecret", 0)
	if v, _ := p.Get(ctx, "db"); v != "pw2" {
		t.Errorf("after Set: %q", v)
	}
	c.want("secretsmanager.GetSecretValue", 1)

	// A new secret: PutSecretValue fails with ResourceNotFound, then CreateSecret.
	if err := p.Set(ctx, "api", []byte("key")); err != nil {
		t.Fatal(err)
	}
	c.want("secretsmanager.PutSecretValue", 1)
	c.want("secretsmanager.CreateSecret", 1)
	if v, binary, ok := f.Secret("api"); !ok || binary || v != "key" {
		t.Errorf("stored %q binary=%v ok=%v", v, binary, ok)
	}
	if err := p.Set(ctx, "blob", []byte{0xff, 0xfe}); err != nil {
		t.Fatal(err)
	}
	if v, binary, _ := f.Secret("blob"); !binary || v != "\xff\xfe" {
		t.Errorf("invalid UTF-8 stored as %q binary=%v", v, binary)
	}
}

func TestAppConfigSession(t *testing.T) {
	f, cfg := fakeAWS(t, &awsfake.Seed{AppConfig: []awsfake.AppConfigProfile{
		{Application: "shop", Environment: "prod", Profile: "flags", Content: `{"beta":false}`},
		{Application: "shop", Environment: "prod", Profile: "limits", Content: `{"max":3}`},
	}})
	clk := newClock()
	f.SetClock(clk.Now)
	p := parameters.NewAppConfigProvider(appconfigdata.NewFromConfig(cfg), "shop", "prod", powertools.WithParamClock(clk.Now))
	ctx := context.Background()
	c := newCounted(t, f)
	const start, latest = "appconfigdata.StartConfigurationSession", "appconfigdata.GetLatestConfiguration"

	get := func(profile, want string, opts ...powertools.ParamOption) {
		t.Helper()
		v, err := p.Get(ctx, profile, opts...)
		if err != nil || v != want {
			t.Fatalf("Get(%s) = %q, %v; want %q", profile, v, err, want)
		}
	}
	get("flags", `{"beta":false}`)
	c.want(start, 1)
	c.want(latest, 1)
	get("flags", `{"beta":false}`) // cached
	c.want(latest, 0)

	// Unchanged: the service answers an empty configuration, the provider the last one.
	get("flags", `{"beta":false}`, powertools.WithParamForceFetch())
	c.want(start, 0)
	c.want(latest, 1)

	f.DeployConfiguration("shop", "prod", "flags", `{"beta":true}`, "")
	get("flags", `{"beta":true}`, powertools.WithParamForceFetch())
	c.want(start, 0) // the session goes on with the next token
	c.want(latest, 1)

	get("limits", `{"max":3}`) // a session per profile
	c.want(start, 1)
	c.want(latest, 1)

	// A rejected token: a new session, once.
	f.RejectTokens()
	get("flags", `{"beta":true}`, powertools.WithParamForceFetch())
	c.want(start, 1)
	c.want(latest, 2)

	// Before the token is 24 hours old the provider starts a new session; the fake would refuse the old token.
	clk.Advance(23*time.Hour + time.Minute)
	get("flags", `{"beta":true}`)
	c.want(start, 1)
	c.want(latest, 1)

	// JSON transform and GetJSON over the provider.
	type limits struct{ Max int }
	l, err := powertools.GetJSON[limits](ctx, p, "limits")
	if err != nil || l.Max != 3 {
		t.Errorf("GetJSON = %+v, %v", l, err)
	}
}

func TestGetJSON(t *testing.T) {
	secretWord := "hunter2-" + strconv.Itoa(12345)
	_, cfg := fakeAWS(t, &awsfake.Seed{Secrets: map[string]string{
		"good": `{"user":"u","port":5432}`, "bad": `{"user":"` + secretWord, "wrongtype": `{"port":"` + secretWord + `"}`,
		"b64": "eyJwb3J0Ijo4MH0=",
	}})
	p := parameters.NewSecretsProvider(secretsmanager.NewFromConfig(cfg))
	type db struct {
		User string `json:"user"`
		Port int    `json:"port"`
	}
	ctx := context.Background()
	got, err := powertools.GetJSON[db](ctx, p, "good")
	if err != nil || got != (db{"u", 5432}) {
		t.Fatalf("GetJSON = %+v, %v", got, err)
	}
	if got, err := powertools.GetJSON[db](ctx, p, "b64", powertools.WithParamTransform(powertools.TransformBinary)); err != nil || got.Port != 80 {
		t.Fatalf("binary then JSON = %+v, %v", got, err)
	}
	for _, name := range []string{"bad", "wrongtype"} {
		_, err := powertools.GetJSON[db](ctx, p, name)
		var te *powertools.TransformError
		if !errors.As(err, &te) || te.Name != name || te.Transform != powertools.TransformJSON {
			t.Errorf("%s: %v, want a *TransformError", name, err)
		}
		if strings.Contains(err.Error(), "hunter2") || strings.Contains(errors.Unwrap(err).Error(), "hunter2") {
			t.Errorf("%s: the value leaked into %q", name, err)
		}
	}
	if _, err := p.Get(ctx, "good", powertools.WithParamTransform(powertools.Transform(9))); !errors.Is(err, powertools.ErrConfig) {
		t.Errorf("unknown transform: %v", err)
	}
}

// 64 concurrent misses of one key make one request. The test runs in a synctest bubble with the fake
// answering in process: synctest.Wait returns once every caller is blocked, either in the held request or
// waiting for it, so the count is checked with all 64 inside Get.
func TestSSMSingleflight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := awsfake.New(&awsfake.Seed{Parameters: []awsfake.Parameter{{Name: "/hot", Value: "v"}}})
		cfg := fakeConfig("http://127.0.0.1:1")
		cfg.HTTPClient = f.InProcess()
		p := parameters.NewSSMProvider(ssm.NewFromConfig(cfg))
		release := f.Hold("ssm.GetParameter")
		var wg sync.WaitGroup
		var bad atomic.Int32
		for range 64 {
			wg.Go(func() {
				if v, err := p.Get(context.Background(), "/hot"); err != nil || v != "v" {
					bad.Add(1)
				}
			})
		}
		synctest.Wait()
		if n := f.Count("ssm.GetParameter"); n != 1 {
			t.Errorf("64 concurrent misses made %d requests, want 1", n)
		}
		release()
		wg.Wait()
		if bad.Load() != 0 {
			t.Errorf("%d callers got a wrong answer", bad.Load())
		}
		if n := f.Count("ssm.GetParameter"); n != 1 {
			t.Errorf("%d requests in all, want 1", n)
		}
	})
}

// stubSSM is a ParamSSMClient in the library's own types, counting calls.
type stubSSM struct {
	values map[string]string
	calls  atomic.Int64
}

func (s *stubSSM) GetParameter(_ context.Context, name string, _ bool) (string, error) {
	s.calls.Add(1)
	v, ok := s.values[name]
	if !ok {
		return "", powertools.ParamNotFound(nil)
	}
	return v, nil
}
func (s *stubSSM) GetParameters(context.Context, []string, bool) ([]powertools.ParamItem, []string, error) {
	return nil, nil, errors.New("not used")
}
func (s *stubSSM) GetParametersByPath(context.Context, string, bool, bool, string) ([]powertools.ParamItem, string, error) {
	return nil, "", errors.New("not used")
}
func (s *stubSSM) PutParameter(context.Context, powertools.ParamPut) error {
	return errors.New("not used")
}

func TestParamsCacheHitAllocs(t *testing.T) {
	testenv.SkipAllocsUnderRace(t)
	stub := &stubSSM{values: map[string]string{"/a": "value"}}
	p := powertools.NewSSMProvider(stub)
	ctx := context.Background()
	if _, err := p.Get(ctx, "/a"); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(1000, func() {
		if v, _ := p.Get(ctx, "/a"); v != "value" {
			t.Fatal(v)
		}
	})
	if allocs != 0 {
		t.Errorf("cache hit: %v allocs, want 0", allocs)
	}
	if stub.calls.Load() != 1 {
		t.Errorf("%d calls", stub.calls.Load())
	}
}

func TestParamsNilClient(t *testing.T) {
	_, err := powertools.NewSSMProvider(nil).Get(context.Background(), "/x")
	if !errors.Is(err, powertools.ErrNoParamClient) {
		t.Errorf("nil client: %v", err)
	}
	// outside a wrapped handler: working values, never nil
	if _, err := powertools.SSM(context.Background()).Get(context.Background(), "/x"); !errors.Is(err, powertools.ErrNoParamClient) {
		t.Errorf("SSM(ctx) outside: %v", err)
	}
	if _, err := powertools.Secrets(context.Background()).Get(context.Background(), "x"); !errors.Is(err, powertools.ErrNoParamClient) {
		t.Errorf("Secrets(ctx) outside: %v", err)
	}
	if _, err := powertools.AppConfig(context.Background(), "a", "e").Get(context.Background(), "p"); !errors.Is(err, powertools.ErrNoParamClient) {
		t.Errorf("AppConfig(ctx) outside: %v", err)
	}
	_, err = powertools.NewAppConfigProvider(&stubAppConfig{}, "", "prod").Get(context.Background(), "p")
	if !errors.Is(err, powertools.ErrConfig) {
		t.Errorf("no application: %v", err)
	}
}

type stubAppConfig struct{}

func (*stubAppConfig) StartConfigurationSession(context.Context, string, string, string) (string, error) {
	return "t", nil
}
func (*stubAppConfig) GetLatestConfiguration(context.Context, string) ([]byte, string, error) {
	return []byte("c"), "t", nil
}

// countingClients is a ParamClients factory over the fake that records what was built when.
type countingClients struct {
	cfg    aws.Config
	built  atomic.Int32
	called atomic.Int32
}

func (c *countingClients) factory(app *powertools.App) powertools.ParamClients {
	c.built.Add(1)
	return &fakeClients{c: c, app: app}
}

type fakeClients struct {
	c   *countingClients
	app *powertools.App

	once      [3]sync.Once
	ssm       powertools.ParamSSMClient
	secrets   powertools.ParamSecretsClient
	appconfig powertools.ParamAppConfigClient
}

func (f *fakeClients) sdk() aws.Config {
	f.c.called.Add(1)
	cfg := f.c.cfg.Copy()
	f.app.ConfigureAWS(&cfg)
	return cfg
}
func (f *fakeClients) SSM(context.Context) (powertools.ParamSSMClient, error) {
	f.once[0].Do(func() { f.ssm = parameters.SSM(ssm.NewFromConfig(f.sdk())) })
	return f.ssm, nil
}
func (f *fakeClients) Secrets(context.Context) (powertools.ParamSecretsClient, error) {
	f.once[1].Do(func() { f.secrets = parameters.Secrets(secretsmanager.NewFromConfig(f.sdk())) })
	return f.secrets, nil
}
func (f *fakeClients) AppConfig(context.Context) (powertools.ParamAppConfigClient, error) {
	f.once[2].Do(func() { f.appconfig = parameters.AppConfig(appconfigdata.NewFromConfig(f.sdk())) })
	return f.appconfig, nil
}

func TestAppParameters(t *testing.T) {
	f, cfg := fakeAWS(t, &awsfake.Seed{
		Parameters: []awsfake.Parameter{{Name: "/app/x", Value: "1"}, {Name: "/app/s", Value: "clear", Type: "SecureString"}},
		Secrets:    map[string]string{"key": "k1"},
		AppConfig:  []awsfake.AppConfigProfile{{Application: "orders", Environment: "prod", Profile: "flags", Content: "on"}},
	})
	clients := &countingClients{cfg: cfg}
	app := newApp(t, map[string]string{"POWERTOOLS_SERVICE_NAME": "orders", "POWERTOOLS_PARAMETERS_SSM_DECRYPT": "true"},
		powertools.WithParamClients(clients.factory))
	if clients.called.Load() != 0 || len(f.Counts()) != 0 {
		t.Fatal("New built a client or called AWS")
	}
	ssm1, secrets1 := app.SSM(), app.Secrets()
	if ssm1 != app.SSM() || secrets1 != app.Secrets() || app.AppConfig("", "prod") != app.AppConfig("orders", "prod") ||
		app.AppConfig("orders", "dev") == app.AppConfig("orders", "prod") {
		t.Error("the App's providers are not one per App")
	}
	h := app.Wrap(func(ctx context.Context) (string, error) {
		if powertools.SSM(ctx) != app.SSM() || powertools.Secrets(ctx) != app.Secrets() || powertools.AppConfig(ctx, "", "prod") != app.AppConfig("", "prod") {
			return "", errors.New("context providers differ from the App's")
		}
		s, err := powertools.SSM(ctx).Get(ctx, "/app/s")
		if err != nil {
			return "", err
		}
		k, err := powertools.Secrets(ctx).Get(ctx, "key")
		if err != nil {
			return "", err
		}
		c, err := powertools.AppConfig(ctx, "", "prod").Get(ctx, "flags")
		return s + "," + k + "," + c, err
	})
	for range 3 {
		out, err := h.Invoke(lambdaCtx("req"), []byte(`{}`))
		if err != nil || string(out) != `"clear,k1,on"` {
			t.Fatalf("Invoke = %s, %v", out, err)
		}
	}
	if n := clients.called.Load(); n != 3 || clients.built.Load() != 1 {
		t.Errorf("clients built %d times (factory %d), want once each (3, 1)", n, clients.built.Load())
	}
	for op, n := range f.Counts() {
		if n != 1 {
			t.Errorf("%s: %d requests over 3 invocations, want 1 (cached)", op, n)
		}
	}
	for _, ua := range f.UserAgents() {
		if !strings.Contains(ua, "powertools-go/"+powertools.Version) {
			t.Errorf("user agent %q lacks powertools-go/%s", ua, powertools.Version)
		}
	}

	// Without a client factory, the App's providers fail clearly.
	bare := newApp(t, nil)
	if _, err := bare.SSM().Get(context.Background(), "/app/x"); !errors.Is(err, powertools.ErrNoParamClient) {
		t.Errorf("no factory: %v", err)
	}
}

func TestAppParametersEnv(t *testing.T) {
	for _, tc := range []struct {
		env     string
		wantErr bool
		fetches int // of 3 Gets, the clock moved 61 s between them
	}{
		{"", false, 1},
		{"0", false, 3},
		{"60", false, 3},
		{"120", false, 2},
		{"abc", true, 0},
		{"-1", true, 0},
		{"1.5", true, 0},
	} {
		t.Run("max_age="+tc.env, func(t *testing.T) {
			f, cfg := fakeAWS(t, &awsfake.Seed{Parameters: []awsfake.Parameter{{Name: "/e", Value: "v"}}})
			env := map[string]string{}
			if tc.env != "" {
				env["POWERTOOLS_PARAMETERS_MAX_AGE"] = tc.env
			}
			clk := newClock()
			app, err := powertools.New(powertools.WithEnv(env), powertools.WithClock(clk.Now), parameters.WithConfig(cfg))
			if tc.wantErr {
				var ce *powertools.ConfigError
				if !errors.As(err, &ce) || ce.Name != "POWERTOOLS_PARAMETERS_MAX_AGE" {
					t.Fatalf("New: %v, want a *ConfigError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				if _, err := app.SSM().Get(context.Background(), "/e"); err != nil {
					t.Fatal(err)
				}
				clk.Advance(61 * time.Second)
			}
			if n := f.Count("ssm.GetParameter"); n != tc.fetches {
				t.Errorf("%d fetches, want %d", n, tc.fetches)
			}
		})
	}
	_, err := powertools.New(powertools.WithEnv(map[string]string{"POWERTOOLS_PARAMETERS_SSM_DECRYPT": "maybe"}))
	if !errors.Is(err, powertools.ErrConfig) {
		t.Errorf("bad decrypt flag: %v", err)
	}
	// An explicit option beats the environment.
	f, cfg := fakeAWS(t, &awsfake.Seed{Parameters: []awsfake.Parameter{{Name: "/e", Value: "v"}}})
	app := newApp(t, map[string]string{"POWERTOOLS_PARAMETERS_MAX_AGE": "0"}, parameters.WithConfig(cfg, powertools.WithParamMaxAge(time.Hour)))
	for range 2 {
		_, _ = app.SSM().Get(context.Background(), "/e")
	}
	if n := f.Count("ssm.GetParameter"); n != 1 {
		t.Errorf("WithParamMaxAge over the environment: %d fetches", n)
	}
}

// A fetched value appears in no log line, trace document or error message, debug mode included.
func TestParamValuesNeverLeak(t *testing.T) {
	const marker = "TOPSECRET-7f3a"
	f, cfg := fakeAWS(t, &awsfake.Seed{
		Parameters: []awsfake.Parameter{{Name: "/leak/p", Value: marker}, {Name: "/leak/bad.json", Value: "{" + marker}},
		Secrets:    map[string]string{"leak": marker, "leak.json": `["` + marker},
	})
	daemon, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer daemon.Close()
	var logs, debug syncBuffer
	app := newApp(t, map[string]string{"POWERTOOLS_SERVICE_NAME": "leak"},
		powertools.WithTracer(), powertools.WithXRayDaemonAddress(daemon.LocalAddr().String()),
		powertools.WithLogOutput(&logs), powertools.WithDebug(true), powertools.WithDebugOutput(&debug),
		powertools.WithLogLevel("DEBUG"), parameters.WithConfig(cfg))
	var errs []string
	h := app.Wrap(func(ctx context.Context) error {
		for range 2 { // a miss, then a hit
			if v, err := powertools.SSM(ctx).Get(ctx, "/leak/p"); err != nil || v != marker {
				return fmt.Errorf("ssm: %q %v", v, err)
			}
			if v, err := powertools.Secrets(ctx).Get(ctx, "leak"); err != nil || v != marker {
				return fmt.Errorf("secrets: %q %v", v, err)
			}
		}
		_, err := powertools.SSM(ctx).Get(ctx, "/leak/bad.json", powertools.WithParamTransform(powertools.TransformAuto))
		errs = append(errs, err.Error())
		_, err = powertools.GetJSON[[]string](ctx, powertools.Secrets(ctx), "leak.json")
		errs = append(errs, err.Error())
		_, err = powertools.SSM(ctx).GetByName(ctx, map[string][]powertools.ParamOption{"/leak/bad.json": {powertools.WithParamTransform(powertools.TransformJSON)}})
		errs = append(errs, err.Error())
		powertools.Logger(ctx).Debug("done")
		return nil
	})
	ctx := withTrace(lambdaCtx("r1"), "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
	if _, err := h.Invoke(ctx, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	var docs []string
	buf := make([]byte, 1<<16)
	for {
		_ = daemon.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, err := daemon.Read(buf)
		if err != nil {
			break
		}
		docs = append(docs, string(buf[:n]))
	}
	all := strings.Join(docs, "\n")
	if !strings.Contains(all, `"name":"SSM"`) || !strings.Contains(all, `"name":"Secrets Manager"`) {
		t.Errorf("the SDK calls were not traced (InstrumentAWS): %s", all)
	}
	for what, text := range map[string]string{"logs": logs.String(), "debug": debug.String(), "traces": all, "errors": strings.Join(errs, "\n")} {
		if strings.Contains(text, marker) {
			t.Errorf("the value appears in the %s:\n%s", what, text)
		}
	}
	if !strings.Contains(debug.String(), "cache hit") {
		t.Errorf("debug mode reports no cache hit: %s", debug.String())
	}
	_ = f
}

// FuzzParamsTransform: any value through every transform is returned or refused with a
// *TransformError, never a panic, and the error never quotes the value.
func FuzzParamsTransform(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"a":`, "aGVsbG8=", "aGVsbG8", "", "[1,2,3]", "\xff\xfe", `"x"`, "nul\x00l"} {
		f.Add(s, uint8(powertools.TransformJSON))
		f.Add(s, uint8(powertools.TransformBinary))
	}
	f.Fuzz(func(t *testing.T, value string, tr uint8) {
		transform := powertools.Transform(tr % 4)
		stub := &stubSSM{values: map[string]string{"/f": value, "/f.json": value, "/f.binary": value}}
		p := powertools.NewSSMProvider(stub, powertools.WithParamMaxAge(0))
		for _, name := range []string{"/f", "/f.json", "/f.binary"} {
			_, err := p.Get(context.Background(), name, powertools.WithParamTransform(transform))
			if err == nil {
				continue
			}
			var te *powertools.TransformError
			if !errors.As(err, &te) {
				t.Fatalf("%s: %v is not a *TransformError", name, err)
			}
			msg := strings.TrimPrefix(err.Error(), `powertools: parameters: transform `+te.Transform.String()+` of "`+name+`": `)
			if len(value) >= 4 && strings.Contains(msg, value) {
				t.Fatalf("%s: the value %q is in the message %q", name, value, err)
			}
		}
		_, _ = powertools.GetJSON[map[string]any](context.Background(), p, "/f")
	})
}

// sdkCacheOf is a hand-written cache, the baseline of BenchmarkParamsCacheHit: a sync.Map of values with
// their expiry, as a function would write one without the library.
type syncMapCache struct{ m sync.Map }

type syncMapEntry struct {
	value   string
	expires time.Time
}

func (c *syncMapCache) get(name string, fetch func(string) (string, error)) (string, error) {
	if e, ok := c.m.Load(name); ok && time.Now().Before(e.(*syncMapEntry).expires) {
		return e.(*syncMapEntry).value, nil
	}
	v, err := fetch(name)
	if err != nil {
		return "", err
	}
	c.m.Store(name, &syncMapEntry{value: v, expires: time.Now().Add(5 * time.Minute)})
	return v, nil
}

func BenchmarkParamsCacheHit(b *testing.B) {
	stub := &stubSSM{values: map[string]string{"/bench/key": "value"}}
	ctx := context.Background()
	b.Run("powertools", func(b *testing.B) {
		p := powertools.NewSSMProvider(stub)
		_, _ = p.Get(ctx, "/bench/key")
		b.ReportAllocs()
		for b.Loop() {
			if v, _ := p.Get(ctx, "/bench/key"); v != "value" {
				b.Fatal(v)
			}
		}
	})
	b.Run("syncmap", func(b *testing.B) {
		var c syncMapCache
		fetch := func(name string) (string, error) { return stub.GetParameter(ctx, name, false) }
		_, _ = c.get("/bench/key", fetch)
		b.ReportAllocs()
		for b.Loop() {
			if v, _ := c.get("/bench/key", fetch); v != "value" {
				b.Fatal(v)
			}
		}
	})
	b.Run("powertools-parallel", func(b *testing.B) {
		p := powertools.NewSSMProvider(stub)
		_, _ = p.Get(ctx, "/bench/key")
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_, _ = p.Get(ctx, "/bench/key")
			}
		})
	})
	b.Run("syncmap-parallel", func(b *testing.B) {
		var c syncMapCache
		fetch := func(name string) (string, error) { return stub.GetParameter(ctx, name, false) }
		_, _ = c.get("/bench/key", fetch)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_, _ = c.get("/bench/key", fetch)
			}
		})
	})
}
