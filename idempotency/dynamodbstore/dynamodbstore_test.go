package dynamodbstore_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/idempotency/dynamodbstore"
	"github.com/gopowertools/powertools/internal/idemtest"
	"github.com/gopowertools/powertools/internal/testenv"
)

// newClient is a real SDK client on endpoint with static credentials.
func newClient(endpoint string, maxAttempts int) *dynamodb.Client {
	cfg := aws.Config{
		Region:      "eu-west-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		HTTPClient:  &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128, DialContext: (&net.Dialer{Timeout: time.Second}).DialContext}},
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = maxAttempts
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 10 * time.Millisecond, nil })
			})
		},
	}
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

// newTable starts dynalite and creates the table "idempotency" (partition key id) in it.
func newTable(t testing.TB) *dynamodb.Client {
	raw := newClient(testenv.StartDynalite(t), 3)
	createTable(t, raw, "idempotency", false)
	return raw
}

// createTable creates the table the Python edition documents (id, or pk + sk with a sort key).
func createTable(t testing.TB, c *dynamodb.Client, name string, sortKey bool) {
	t.Helper()
	in := &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
	}
	if sortKey {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS})
		in.KeySchema = append(in.KeySchema, types.KeySchemaElement{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange})
	}
	if _, err := c.CreateTable(context.Background(), in); err != nil {
		t.Fatalf("create table: %v", err)
	}
}

// counting counts the requests that reach DynamoDB; once down, it sends them to a closed port instead.
// withOldItem makes a failed PutItem return the old item, as DynamoDB does and dynalite does not (the
// item is read without being counted).
type counting struct {
	dynamodbstore.Client
	n           atomic.Int64
	down        atomic.Bool
	closed      dynamodbstore.Client
	withOldItem bool
}

func (c *counting) target() dynamodbstore.Client {
	if c.down.Load() {
		return c.closed
	}
	return c.Client
}

func (c *counting) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c.n.Add(1)
	out, err := c.target().PutItem(ctx, in, opts...)
	var ccf *types.ConditionalCheckFailedException
	if c.withOldItem && errors.As(err, &ccf) && ccf.Item == nil {
		key := map[string]types.AttributeValue{"id": in.Item["id"]}
		if sk, ok := in.Item["sk"]; ok {
			key["sk"] = sk
		}
		got, gerr := c.Client.GetItem(ctx, &dynamodb.GetItemInput{TableName: in.TableName, Key: key, ConsistentRead: aws.Bool(true)})
		if gerr == nil {
			ccf.Item = got.Item
		}
	}
	return out, err
}

func (c *counting) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.n.Add(1)
	return c.target().GetItem(ctx, in, opts...)
}

func (c *counting) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	c.n.Add(1)
	return c.target().UpdateItem(ctx, in, opts...)
}

func (c *counting) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	c.n.Add(1)
	return c.target().DeleteItem(ctx, in, opts...)
}

func newStore(t *testing.T, c dynamodbstore.Client, table string, opts ...dynamodbstore.Option) *dynamodbstore.Store {
	t.Helper()
	s, err := dynamodbstore.New(c, table, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestDynamoDBStore runs the store conformance suite against dynalite, in both key modes.
func TestDynamoDBStore(t *testing.T) {
	raw := newTable(t)
	createTable(t, raw, "idempotency-sk", true)
	for _, mode := range []struct {
		name, table string
		opts        []dynamodbstore.Option
		races       int
	}{
		{"partition key", "idempotency", nil, 80}, // 80 + 20: 100 races for the store
		{"sort key", "idempotency-sk", []dynamodbstore.Option{dynamodbstore.WithSortKey("sk", "idempotency#orders")}, 20},
	} {
		t.Run(mode.name, func(t *testing.T) {
			c := &counting{Client: raw}
			store := newStore(t, c, mode.table, mode.opts...)
			var down *counting
			idemtest.Run(t, idemtest.Store{
				New:            func(t *testing.T) powertools.IdempotencyStore { return store },
				Requests:       c.n.Load,
				RepeatRequests: 2, // dynalite ignores ReturnValuesOnConditionCheckFailure: PutItem, then GetItem
				DownStore: func(t *testing.T) powertools.IdempotencyStore {
					down = &counting{Client: raw, closed: newClient("http://"+testenv.ClosedAddr(t), 2)}
					return newStore(t, down, mode.table, mode.opts...)
				},
				Down:  func(t *testing.T) { down.down.Store(true) },
				Races: mode.races,
			})
		})
	}
}

// TestDynamoDBOldItemOnFailedPut: where the failed PutItem returns the old item (DynamoDB), a repeat
// costs one request.
func TestDynamoDBOldItemOnFailedPut(t *testing.T) {
	raw := newTable(t)
	c := &counting{Client: raw, withOldItem: true}
	app, err := powertools.New(powertools.WithEnv(map[string]string{}))
	if err != nil {
		t.Fatal(err)
	}
	runs := 0
	fn := powertools.Idempotent(app, newStore(t, c, "idempotency"), func(ctx context.Context, in string) (string, error) {
		runs++
		return "done " + in, nil
	})
	ctx := context.Background()
	for i, want := range []int64{2, 1, 1} {
		before := c.n.Load()
		out, err := fn(ctx, "x")
		if err != nil || out != "done x" {
			t.Fatalf("%q, %v", out, err)
		}
		if got := c.n.Load() - before; got != want {
			t.Fatalf("call %d: %d requests, want %d", i, got, want)
		}
	}
	if runs != 1 {
		t.Fatalf("ran %d times", runs)
	}
}

// TestDynamoDBItem: the item is the Python edition's.
func TestDynamoDBItem(t *testing.T) {
	raw := newTable(t)
	app, err := powertools.New(powertools.WithEnv(map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "orders"}),
		powertools.WithIdempotency(newStore(t, raw, "idempotency"), powertools.WithIdemKeyPath("id"), powertools.WithIdemPayloadValidationPath("amount")))
	if err != nil {
		t.Fatal(err)
	}
	h := app.Wrap(func(ctx context.Context, in map[string]any) (string, error) { return "", nil })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	if out, err := h.Invoke(ctx, []byte(`{"id":"o-1","amount":10}`)); err != nil || string(out) != `""` {
		t.Fatalf("%q, %v", out, err)
	}
	// python3 -c 'import hashlib,json; print(hashlib.md5(json.dumps("o-1").encode()).hexdigest())'
	key := "orders.TestDynamoDBItem.func1#cbcbdb948de16bfe7e49a81f91500ab1"
	got, err := raw.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("idempotency"),
		Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: key}}})
	if err != nil || got.Item == nil {
		t.Fatalf("no item under %s: %v", key, err)
	}
	s := func(name string) string {
		switch v := got.Item[name].(type) {
		case *types.AttributeValueMemberS:
			return v.Value
		case *types.AttributeValueMemberN:
			return v.Value
		}
		return "?"
	}
	if s("status") != "COMPLETED" || s("data") != `""` || s("validation") != "d3d9446802a44259755d38e6d163e820" {
		t.Fatalf("item %v", got.Item)
	}
	exp, ipe := s("expiration"), s("in_progress_expiration")
	if len(exp) != 10 || len(ipe) != 13 || !strings.HasPrefix(exp, "1") {
		t.Fatalf("expiration %s, in_progress_expiration %s", exp, ipe)
	}
	// The lease is the time left before the deadline: about 3 s after the start.
	if ms := atoi(ipe) - start.UnixMilli(); ms < 2000 || ms > 3100 {
		t.Fatalf("lease %d ms after the start, want about 3000", ms)
	}
	if len(got.Item) != 6 {
		t.Fatalf("attributes %v", got.Item)
	}
}

func TestDynamoDBBadItem(t *testing.T) {
	raw := newTable(t)
	store := newStore(t, raw, "idempotency")
	ctx := context.Background()
	now := time.Now()
	for i, item := range []map[string]types.AttributeValue{
		{"status": &types.AttributeValueMemberS{Value: "DONE"}},
		{"status": &types.AttributeValueMemberS{Value: "COMPLETED"}, "expiration": &types.AttributeValueMemberS{Value: "x"}},
		{"status": &types.AttributeValueMemberS{Value: "COMPLETED"}, "expiration": &types.AttributeValueMemberN{Value: "99999999999"}, "data": &types.AttributeValueMemberBOOL{Value: true}},
	} {
		key := "bad-" + string(rune('a'+i))
		item["id"] = &types.AttributeValueMemberS{Value: key}
		if _, err := raw.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("idempotency"), Item: item}); err != nil {
			t.Fatal(err)
		}
		_, err := store.Acquire(ctx, idemtest.Held(key, now), now)
		if !errors.Is(err, powertools.ErrIdempotencyBadRecord) {
			t.Fatalf("%v: %v, want ErrIdempotencyBadRecord", item, err)
		}
	}
}

func TestDynamoDBNewErrors(t *testing.T) {
	_, err := dynamodbstore.New(nil, "", dynamodbstore.WithSortKey("sk", ""), dynamodbstore.WithKeyAttr(""))
	if !errors.Is(err, powertools.ErrConfig) || strings.Count(err.Error(), "\n") != 3 {
		t.Fatalf("%v", err)
	}
}
