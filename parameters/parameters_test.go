package parameters_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/internal/awsfake"
	"github.com/gopowertools/powertools/internal/testenv"
	"github.com/gopowertools/powertools/parameters"
)

// countingDynamo counts the calls the provider makes through the real client.
type countingDynamo struct {
	*dynamodb.Client
	gets, queries atomic.Int32
}

func (c *countingDynamo) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.gets.Add(1)
	return c.Client.GetItem(ctx, in, o...)
}

func (c *countingDynamo) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	c.queries.Add(1)
	return c.Client.Query(ctx, in, o...)
}

func dynalite(t *testing.T) *countingDynamo {
	t.Helper()
	endpoint := testenv.StartDynalite(t)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("a", "b", ""), BaseEndpoint: &endpoint}
	return &countingDynamo{Client: dynamodb.NewFromConfig(cfg)}
}

func createTable(t *testing.T, c *dynamodb.Client, name string, keys ...string) {
	t.Helper()
	in := &dynamodb.CreateTableInput{TableName: &name, BillingMode: types.BillingModePayPerRequest}
	for i, k := range keys {
		kt := types.KeyTypeHash
		if i == 1 {
			kt = types.KeyTypeRange
		}
		in.KeySchema = append(in.KeySchema, types.KeySchemaElement{AttributeName: aws.String(k), KeyType: kt})
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{AttributeName: aws.String(k), AttributeType: types.ScalarAttributeTypeS})
	}
	if _, err := c.CreateTable(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

func put(t *testing.T, c *dynamodb.Client, table string, item map[string]types.AttributeValue) {
	t.Helper()
	if _, err := c.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: &table, Item: item}); err != nil {
		t.Fatal(err)
	}
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func TestDynamoDBProvider(t *testing.T) {
	c := dynalite(t)
	ctx := context.Background()
	createTable(t, c.Client, "params", "id")
	createTable(t, c.Client, "multi", "id", "sk")
	createTable(t, c.Client, "renamed", "pk")
	put(t, c.Client, "params", map[string]types.AttributeValue{"id": s("color"), "value": s("blue")})
	put(t, c.Client, "params", map[string]types.AttributeValue{"id": s("count"), "value": &types.AttributeValueMemberN{Value: "42"}})
	put(t, c.Client, "params", map[string]types.AttributeValue{"id": s("conf.json"), "value": s(`{"a":1}`)})
	put(t, c.Client, "params", map[string]types.AttributeValue{"id": s("novalue")})
	put(t, c.Client, "renamed", map[string]types.AttributeValue{"pk": s("x"), "val": s("renamed-value")})
	// Enough data for Query to answer in two pages (dynalite pages at 1 MB).
	big := strings.Repeat("x", 100_000)
	for i := range 12 {
		put(t, c.Client, "multi", map[string]types.AttributeValue{"id": s("app"), "sk": s(fmt.Sprintf("k%02d", i)), "value": s(big)})
	}
	put(t, c.Client, "multi", map[string]types.AttributeValue{"id": s("small"), "sk": s("a.json"), "value": s(`[1]`)})
	put(t, c.Client, "multi", map[string]types.AttributeValue{"id": s("small"), "sk": s("b.binary"), "value": s("aGk=")})

	p := parameters.NewDynamoDBProvider(c, "params")
	for name, want := range map[string]string{"color": "blue", "count": "42", "conf.json": `{"a":1}`} {
		if v, err := p.Get(ctx, name, powertools.WithParamTransform(powertools.TransformAuto)); err != nil || v != want {
			t.Errorf("Get(%s) = %q, %v", name, v, err)
		}
	}
	_, _ = p.Get(ctx, "color", powertools.WithParamTransform(powertools.TransformAuto))
	if n := c.gets.Load(); n != 3 {
		t.Errorf("GetItem calls = %d, want 3 (the fourth Get is cached)", n)
	}
	_, err := p.Get(ctx, "missing")
	if !errors.Is(err, powertools.ErrParameterNotFound) {
		t.Errorf("missing: %v", err)
	}
	var pe *powertools.ParameterError
	if _, err := p.Get(ctx, "novalue"); !errors.As(err, &pe) || pe.Provider != "dynamodb" || !strings.Contains(err.Error(), "attribute value is missing") {
		t.Errorf("no value attribute: %v", err)
	}

	m := parameters.NewDynamoDBProvider(c, "multi")
	got, err := m.GetMultiple(ctx, "app")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 12 || got["k11"] != big {
		t.Errorf("GetMultiple: %d entries", len(got))
	}
	if n := c.queries.Load(); n < 2 {
		t.Errorf("Query calls = %d, want every page (2 or more)", n)
	}
	before := c.queries.Load()
	if _, err := m.GetMultiple(ctx, "app"); err != nil || c.queries.Load() != before {
		t.Errorf("second GetMultiple queried again (%v)", err)
	}
	small, err := m.GetMultiple(ctx, "small", powertools.WithParamTransform(powertools.TransformAuto))
	if err != nil || small["a.json"] != "[1]" || small["b.binary"] != "hi" {
		t.Errorf("GetMultiple auto = %v, %v", small, err)
	}

	r := parameters.NewDynamoDBProvider(c, "renamed", powertools.WithParamDynamoDBAttributes("pk", "", "val"))
	if v, err := r.Get(ctx, "x"); err != nil || v != "renamed-value" {
		t.Errorf("renamed attributes: %q, %v", v, err)
	}
	if _, err := parameters.NewDynamoDBProvider(c, "nosuchtable").Get(ctx, "x"); err == nil || errors.Is(err, powertools.ErrParameterNotFound) {
		t.Errorf("missing table: %v", err)
	}
}

// With builds the SDK clients from the default AWS configuration, lazily: New reads none of it, the
// first call loads it (here pointed at the fake by AWS_ENDPOINT_URL, as the demo does).
func TestWithDefaultConfig(t *testing.T) {
	f := awsfake.New(&awsfake.Seed{Secrets: map[string]string{"k": "v"}, Parameters: []awsfake.Parameter{{Name: "/p", Value: "1"}}})
	url, err := f.Start(0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")

	app, err := powertools.New(parameters.With())
	if err != nil {
		t.Fatal(err)
	}
	// Now the environment the configuration is loaded from: New had none of it.
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_ENDPOINT_URL", url)
	if len(f.Counts()) != 0 {
		t.Fatal("New called AWS")
	}
	if v, err := app.Secrets().Get(context.Background(), "k"); err != nil || v != "v" {
		t.Fatalf("Secrets().Get = %q, %v", v, err)
	}
	if v, err := app.SSM().Get(context.Background(), "/p"); err != nil || v != "1" {
		t.Fatalf("SSM().Get = %q, %v", v, err)
	}
	for _, ua := range f.UserAgents() {
		if !strings.Contains(ua, "powertools-go/"+powertools.Version) {
			t.Errorf("user agent %q", ua)
		}
	}
}
