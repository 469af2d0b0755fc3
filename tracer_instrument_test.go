package powertools

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/gopowertools/powertools/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// headerRecorder is an http.RoundTripper that remembers the trace header of every request it passes on.
type headerRecorder struct {
	next    http.RoundTripper
	mu      sync.Mutex
	headers []string
}

func (r *headerRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.headers = append(r.headers, req.Header.Get("X-Amzn-Trace-Id"))
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

// tracerDynamoClient is a real DynamoDB client on endpoint with static credentials, instrumented.
func tracerDynamoClient(endpoint string, maxAttempts int) (*dynamodb.Client, *headerRecorder) {
	rec := &headerRecorder{next: http.DefaultTransport}
	cfg := aws.Config{
		Region:      "eu-west-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		HTTPClient:  &http.Client{Transport: rec},
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = maxAttempts
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			})
		},
	}
	InstrumentAWS(&cfg)
	InstrumentAWS(nil) // ignored
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(endpoint) }), rec
}

// TestTracerAWSDynalite makes real DynamoDB calls against dynalite inside a traced invocation.
func TestTracerAWSDynalite(t *testing.T) {
	endpoint := testenv.StartDynalite(t)
	client, rec := tracerDynamoClient(endpoint, 1)
	ctx := context.Background()
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("orders"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	require.NoError(t, err, "untraced call through the instrumented client")
	assert.Equal(t, []string{""}, rec.headers, "no trace header outside a traced invocation")

	l := startXRayListener(t)
	a := tracerTestApp(t, l, nil)
	h := WrapFunc(a, func(ctx context.Context, _ struct{}) (string, error) {
		_, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"),
			Item: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "o-1"}}})
		if err != nil {
			return "", err
		}
		err = Tracer(ctx).Capture("read back", func(ctx context.Context) error {
			_, err := client.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
				"orders": {Keys: []map[string]types.AttributeValue{{"id": &types.AttributeValueMemberS{Value: "o-1"}}}},
			}})
			return err
		})
		if err != nil {
			return "", err
		}
		_, err = client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("missing"),
			Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "o-1"}}})
		var nf *types.ResourceNotFoundException
		if !errors.As(err, &nf) {
			return "", errors.New("want ResourceNotFoundException")
		}
		return "ok", nil
	})
	_, err = h.Invoke(tracedCtx(tracerTestHeader), []byte(`{}`))
	require.NoError(t, err)

	d := l.docs(t, 1)[0]
	checkXRayDoc(t, d, tracerTestRoot)
	require.Len(t, d.Subsegments, 3)
	put, read, get := d.Subsegments[0], d.Subsegments[1], d.Subsegments[2]

	assert.Equal(t, "DynamoDB", put.Name)
	assert.Equal(t, "aws", put.Namespace)
	assert.Equal(t, "PutItem", put.AWS["operation"])
	assert.Equal(t, "eu-west-1", put.AWS["region"])
	assert.Equal(t, "orders", put.AWS["table_name"])
	assert.NotEmpty(t, put.AWS["request_id"], "dynalite answers with x-amzn-RequestId")
	assert.EqualValues(t, 0, put.AWS["retries"])
	require.NotNil(t, put.HTTP)
	assert.Equal(t, 200, put.HTTP.Response.Status)
	assert.False(t, put.Error || put.Fault || put.Throttle)

	require.Len(t, read.Subsegments, 1, "the call nests under the Capture it was made in")
	batch := read.Subsegments[0]
	assert.Equal(t, "BatchGetItem", batch.AWS["operation"])
	assert.Equal(t, []any{"orders"}, batch.AWS["table_names"])

	assert.Equal(t, "GetItem", get.AWS["operation"])
	assert.Equal(t, "missing", get.AWS["table_name"])
	assert.Equal(t, 400, get.HTTP.Response.Status)
	assert.True(t, get.Error, "4xx is a client error")
	assert.False(t, get.Fault || get.Throttle)
	require.NotNil(t, get.Cause)
	assert.Equal(t, "ResourceNotFoundException", get.Cause.Exceptions[0].Type)
	assert.True(t, get.Cause.Exceptions[0].Remote)

	// the trace went to the service, naming each call's own subsegment as parent
	require.Len(t, rec.headers, 4)
	for i, sub := range []xrayDoc{put, batch, get} {
		assert.Equal(t, "Root="+tracerTestRoot+";Parent="+sub.ID+";Sampled=1", rec.headers[i+1])
	}
}

// TestTracerAWSFlags drives the real client against a fake endpoint to get statuses dynalite never sends.
func TestTracerAWSFlags(t *testing.T) {
	cases := []struct {
		name                   string
		status                 int
		body                   string
		attempts               int
		errFlag, thr, flt      bool
		wantRetries, wantCalls int
		errType                string
	}{
		{name: "throttled 400", status: 400, attempts: 2, errFlag: true, thr: true, wantRetries: 1, wantCalls: 2,
			body:    `{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}`,
			errType: "ProvisionedThroughputExceededException"},
		{name: "429", status: 429, attempts: 1, errFlag: true, thr: true, wantCalls: 1,
			body: `{"__type":"TooManyRequestsException","message":"slow down"}`, errType: "TooManyRequestsException"},
		{name: "server fault", status: 500, attempts: 3, flt: true, wantRetries: 2, wantCalls: 3,
			body: `{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"oops"}`, errType: "InternalServerError"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var calls int
			var mu sync.Mutex
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				calls++
				mu.Unlock()
				w.Header().Set("Content-Type", "application/x-amz-json-1.0")
				w.Header().Set("x-amzn-RequestId", "REQ-1")
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			client, _ := tracerDynamoClient(srv.URL, tc.attempts)
			l := startXRayListener(t)
			h := WrapFunc(tracerTestApp(t, l, nil), func(ctx context.Context, _ struct{}) (string, error) {
				_, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("t"),
					Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "1"}}})
				return "", err
			})
			_, err := h.Invoke(tracedCtx(tracerTestHeader), []byte(`{}`))
			require.Error(t, err)
			d := l.docs(t, 1)[0]
			checkXRayDoc(t, d, tracerTestRoot)
			assert.True(t, d.Fault, "the handler failed")
			require.Len(t, d.Subsegments, 1)
			s := d.Subsegments[0]
			assert.Equal(t, tc.errFlag, s.Error, "error")
			assert.Equal(t, tc.thr, s.Throttle, "throttle")
			assert.Equal(t, tc.flt, s.Fault, "fault")
			assert.Equal(t, tc.status, s.HTTP.Response.Status)
			assert.EqualValues(t, tc.wantRetries, s.AWS["retries"])
			assert.Equal(t, "REQ-1", s.AWS["request_id"])
			assert.Equal(t, tc.wantCalls, calls)
			assert.Equal(t, tc.errType, s.Cause.Exceptions[0].Type)
		})
	}
}

func TestTracerAWSNoResponse(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	client, _ := tracerDynamoClient(url, 1)
	l := startXRayListener(t)
	h := WrapFunc(tracerTestApp(t, l, nil), func(ctx context.Context, _ struct{}) (string, error) {
		_, err := client.ListTables(ctx, &dynamodb.ListTablesInput{})
		return "", err
	})
	_, err := h.Invoke(tracedCtx(tracerTestHeader), []byte(`{}`))
	require.Error(t, err)
	s := l.docs(t, 1)[0].Subsegments[0]
	assert.Equal(t, "ListTables", s.AWS["operation"])
	assert.True(t, s.Fault, "no response is a fault")
	assert.False(t, s.Error)
	assert.Nil(t, s.HTTP)
	require.NotNil(t, s.Cause)
	assert.False(t, s.Cause.Exceptions[0].Remote)
}

func TestTracerHTTP(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.Path] = r.Header.Get("X-Amzn-Trace-Id")
		mu.Unlock()
		switch r.URL.Path {
		case "/missing":
			w.WriteHeader(404)
		case "/busy":
			w.WriteHeader(429)
		case "/broken":
			w.WriteHeader(503)
		default:
			_, _ = w.Write([]byte("hello"))
		}
	}))
	defer srv.Close()
	client := &http.Client{Transport: InstrumentHTTP(nil)}
	l := startXRayListener(t)
	paths := []string{"/ok?token=secret", "/missing", "/busy", "/broken"}
	h := WrapFunc(tracerTestApp(t, l, nil), func(ctx context.Context, _ struct{}) (string, error) {
		for _, p := range paths {
			req, err := http.NewRequestWithContext(ctx, "GET", strings.Replace(srv.URL, "http://", "http://user:pw@", 1)+p, nil)
			if err != nil {
				return "", err
			}
			resp, err := client.Do(req)
			if err != nil {
				return "", err
			}
			resp.Body.Close()
			if req.Header.Get("X-Amzn-Trace-Id") != "" {
				return "", errors.New("the caller's request was modified")
			}
		}
		_, err := client.Get("http://127.0.0.1:1/refused") // no context: not traced, still works as a client
		if err == nil {
			return "", errors.New("want a refused connection")
		}
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://127.0.0.1:1/refused", nil)
		_, err = client.Do(req)
		if err == nil {
			return "", errors.New("want a refused connection")
		}
		return "ok", nil
	})
	_, err := h.Invoke(tracedCtx(tracerTestHeader), []byte(`{}`))
	require.NoError(t, err)
	d := l.docs(t, 1)[0]
	checkXRayDoc(t, d, tracerTestRoot)
	require.Len(t, d.Subsegments, 5)
	host := strings.TrimPrefix(srv.URL, "http://")
	want := []struct {
		path                string
		status              int
		errFlag, thr, fault bool
	}{
		{"/ok", 200, false, false, false},
		{"/missing", 404, true, false, false},
		{"/busy", 429, true, true, false},
		{"/broken", 503, false, false, true},
	}
	for i, w := range want {
		s := d.Subsegments[i]
		assert.Equal(t, "127.0.0.1", s.Name)
		assert.Equal(t, "remote", s.Namespace)
		assert.Equal(t, "GET", s.HTTP.Request.Method)
		assert.Equal(t, "http://"+host+w.path, s.HTTP.Request.URL, "no query, no credentials")
		assert.Equal(t, w.status, s.HTTP.Response.Status)
		assert.Equal(t, [3]bool{w.errFlag, w.thr, w.fault}, [3]bool{s.Error, s.Throttle, s.Fault}, w.path)
		assert.Equal(t, "Root="+tracerTestRoot+";Parent="+s.ID+";Sampled=1", seen[w.path])
	}
	refused := d.Subsegments[4]
	assert.True(t, refused.Fault)
	assert.Nil(t, refused.HTTP.Response)
	require.NotNil(t, refused.Cause)
	assert.Contains(t, refused.Cause.Exceptions[0].Message, "refused")
	require.NotNil(t, d.Subsegments[0].HTTP.Response.ContentLength)
	assert.EqualValues(t, 5, *d.Subsegments[0].HTTP.Response.ContentLength)
}

// TestTracerUnsampledPropagation: with Sampled=0 nothing is recorded, but the decision goes downstream so
// the services called do not sample on their own.
func TestTracerUnsampledPropagation(t *testing.T) {
	var got []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get("X-Amzn-Trace-Id"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = w.Write([]byte(`{"TableNames":[]}`))
	}))
	defer srv.Close()
	client, _ := tracerDynamoClient(srv.URL, 1)
	httpClient := &http.Client{Transport: InstrumentHTTP(nil)}
	call := func(ctx context.Context, _ struct{}) (string, error) {
		if _, err := client.ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil {
			return "", err
		}
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
		resp, err := httpClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return "", err
	}
	l := startXRayListener(t)
	unsampled := "Root=" + tracerTestRoot + ";Parent=" + tracerTestParent + ";Sampled=0"
	_, err := WrapFunc(tracerTestApp(t, l, nil), call).Invoke(tracedCtx(unsampled), []byte(`{}`))
	require.NoError(t, err)
	// an App that does not trace leaves the header alone
	_, err = WrapFunc(tracerTestApp(t, l, map[string]string{"POWERTOOLS_TRACE_DISABLED": "true"}), call).Invoke(tracedCtx(unsampled), []byte(`{}`))
	require.NoError(t, err)
	assert.Equal(t, []string{unsampled, unsampled, "", ""}, got)
	l.expectQuiet(t)
}
