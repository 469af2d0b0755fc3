package powertools

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/gopowertools/powertools/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/gopowertools/powertools/internal/ddbimage"
)

// batchSeed returns the seed of a property test (BATCH_SEED replays one) and prints it when the test
// fails.
func batchSeed(t *testing.T) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("BATCH_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		require.NoError(t, err)
		seed = v
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("seed %d (replay with BATCH_SEED=%d)", seed, seed)
		}
	})
	return seed
}

// batchLineCounter counts the log lines written to it, by level, and keeps the record ids of ERROR lines.
type batchLineCounter struct {
	mu     sync.Mutex
	errors map[string]int // record_id -> ERROR lines
	other  int
}

func (c *batchLineCounter) Write(p []byte) (int, error) {
	var line struct {
		Level    string `json:"level"`
		RecordID string `json:"record_id"`
	}
	if err := json.Unmarshal(p, &line); err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if line.Level == "ERROR" && line.RecordID != "" {
		c.errors[line.RecordID]++
	} else {
		c.other++
	}
	return len(p), nil
}

// batchInvocation returns a context inside an invocation of a fresh App whose log lines go to out.
func batchInvocation(t testing.TB, out io.Writer) context.Context {
	t.Helper()
	app, err := New(WithLogOutput(out), WithEnv(map[string]string{"POWERTOOLS_SERVICE_NAME": "batch"}))
	require.NoError(t, err)
	return app.newInvocation(context.Background())
}

// batchSource runs one of the three processors over records named by ids, hiding the event types.
type batchSource struct {
	name string
	run  func(ctx context.Context, ids []string, fifo bool, groups []string, fn func(ctx context.Context, id string) error, opts ...BatchOption) ([]string, error)
}

var batchSources = []batchSource{
	{"SQS", func(ctx context.Context, ids []string, fifo bool, groups []string, fn func(context.Context, string) error, opts ...BatchOption) ([]string, error) {
		resp, err := ProcessSQS(ctx, batchSQSEvent(ids, fifo, groups), func(ctx context.Context, m events.SQSMessage) error {
			return fn(ctx, m.MessageId)
		}, opts...)
		out := make([]string, len(resp.BatchItemFailures))
		for i, f := range resp.BatchItemFailures {
			out[i] = f.ItemIdentifier
		}
		return out, err
	}},
	{"Kinesis", func(ctx context.Context, ids []string, _ bool, _ []string, fn func(context.Context, string) error, opts ...BatchOption) ([]string, error) {
		ev := events.KinesisEvent{Records: make([]events.KinesisEventRecord, len(ids))}
		for i, id := range ids {
			ev.Records[i].EventSource = batchSourceKinesis
			ev.Records[i].Kinesis.SequenceNumber = id
		}
		resp, err := ProcessKinesis(ctx, ev, func(ctx context.Context, r events.KinesisEventRecord) error {
			return fn(ctx, r.Kinesis.SequenceNumber)
		}, opts...)
		out := make([]string, len(resp.BatchItemFailures))
		for i, f := range resp.BatchItemFailures {
			out[i] = f.ItemIdentifier
		}
		return out, err
	}},
	{"DynamoDB", func(ctx context.Context, ids []string, _ bool, _ []string, fn func(context.Context, string) error, opts ...BatchOption) ([]string, error) {
		ev := events.DynamoDBEvent{Records: make([]events.DynamoDBEventRecord, len(ids))}
		for i, id := range ids {
			ev.Records[i].EventSource = batchSourceDynamoDB
			ev.Records[i].Change.SequenceNumber = id
		}
		resp, err := ProcessDynamoDBStream(ctx, ev, func(ctx context.Context, r events.DynamoDBEventRecord) error {
			return fn(ctx, r.Change.SequenceNumber)
		}, opts...)
		out := make([]string, len(resp.BatchItemFailures))
		for i, f := range resp.BatchItemFailures {
			out[i] = f.ItemIdentifier
		}
		return out, err
	}},
}

func batchSQSEvent(ids []string, fifo bool, groups []string) events.SQSEvent {
	arn := "arn:aws:sqs:us-east-1:123456789012:q"
	if fifo {
		arn += ".fifo"
	}
	ev := events.SQSEvent{Records: make([]events.SQSMessage, len(ids))}
	for i, id := range ids {
		ev.Records[i] = events.SQSMessage{MessageId: id, EventSourceARN: arn, EventSource: batchSourceSQS}
		if groups != nil {
			ev.Records[i].Attributes = map[string]string{"MessageGroupId": groups[i]}
		}
	}
	return ev
}

// batchIDs makes n distinct identifiers that are not in batch order when sorted.
func batchIDs(rng *rand.Rand, n int) []string {
	ids := make([]string, n)
	prefix := strconv.FormatUint(rng.Uint64(), 36)
	for i := range ids {
		ids[i] = prefix + "-" + strconv.Itoa(rng.IntN(1000)) + "-" + strconv.Itoa(i)
	}
	return ids
}

// batchFailureSet picks which records fail, with a failure rate drawn to cover none, few, many and all.
func batchFailureSet(rng *rand.Rand, n int) []bool {
	rates := []float64{0, 0.001, 0.05, 0.5, 0.95, 1}
	rate := rates[rng.IntN(len(rates))]
	fail := make([]bool, n)
	for i := range fail {
		fail[i] = rng.Float64() < rate
	}
	return fail
}

// batchSize draws a batch size in 1..10000, favouring small batches so a run stays quick under -race.
func batchSize(rng *rand.Rand) int {
	switch rng.IntN(4) {
	case 0:
		return 1 + rng.IntN(10)
	case 1:
		return 1 + rng.IntN(100)
	case 2:
		return 1 + rng.IntN(1000)
	}
	return 1 + rng.IntN(10000)
}

type batchMode struct {
	name string
	opts []BatchOption
}

// workers is how many goroutines the mode processes records on.
func (m batchMode) workers() int {
	cfg := defaultBatchConfig()
	for _, o := range m.opts {
		o(&cfg)
	}
	return cfg.parallel
}

var batchModes = []batchMode{
	{"sequential", nil},
	{"parallel2", []BatchOption{WithBatchParallel(2)}},
	{"parallel16", []BatchOption{WithBatchParallel(16)}},
}

// TestBatchProperty: random batches with random failure sets (errors and panics) → the response holds
// exactly the failed identifiers in batch order, every record is processed exactly once, every failure
// is logged once at ERROR, and an all-failed batch is an error.
func TestBatchProperty(t *testing.T) {
	rounds := 6
	if testing.Short() {
		rounds = 3
	}
	for _, src := range batchSources {
		for _, mode := range batchModes {
			t.Run(src.name+"/"+mode.name, func(t *testing.T) {
				t.Parallel()
				seed := batchSeed(t)
				rng := rand.New(rand.NewPCG(seed, 0))
				for round := range rounds {
					n := batchSize(rng)
					ids := batchIDs(rng, n)
					fail := batchFailureSet(rng, n)
					panics := rng.IntN(2) == 0
					index := make(map[string]int, n)
					for i, id := range ids {
						index[id] = i
					}
					calls := make([]atomic.Int32, n)
					logs := &batchLineCounter{errors: map[string]int{}}
					ctx := batchInvocation(t, logs)
					got, err := src.run(ctx, ids, false, nil, func(_ context.Context, id string) error {
						i := index[id]
						calls[i].Add(1)
						if !fail[i] {
							return nil
						}
						if panics && i%2 == 0 {
							panic("record " + id)
						}
						return errors.New("failed " + id)
					}, mode.opts...)

					var want []string
					for i, id := range ids {
						require.EqualValues(t, 1, calls[i].Load(), "round %d: record %d called once", round, i)
						if fail[i] {
							want = append(want, id)
							require.Equal(t, 1, logs.errors[id], "round %d: record %s logged once", round, id)
						}
					}
					require.Equal(t, len(want), len(logs.errors), "round %d: ERROR lines", round)
					require.Equal(t, 0, logs.other, "round %d: other lines", round)
					if want == nil {
						want = []string{}
					}
					require.Equal(t, want, got, "round %d (n=%d)", round, n)
					if len(want) == n {
						var be *BatchError
						require.ErrorAs(t, err, &be, "round %d", round)
						require.ErrorIs(t, err, ErrBatchAllFailed)
						require.Equal(t, n, be.Count)
						require.Len(t, be.Errors, n)
					} else {
						require.NoError(t, err, "round %d", round)
					}
				}
			})
		}
	}
}

func TestBatchAllowAllFailed(t *testing.T) {
	for _, src := range batchSources {
		t.Run(src.name, func(t *testing.T) {
			ids := []string{"a", "b", "c"}
			fn := func(context.Context, string) error { return errors.New("boom") }
			got, err := src.run(context.Background(), ids, false, nil, fn, WithBatchAllowAllFailed(true))
			require.NoError(t, err)
			assert.Equal(t, ids, got)

			got, err = src.run(context.Background(), ids, false, nil, fn)
			assert.Equal(t, ids, got, "the response lists every record alongside the error")
			require.ErrorIs(t, err, ErrBatchAllFailed)
			assert.Equal(t, `powertools: batch: all 3 `+map[string]string{"SQS": "aws:sqs", "Kinesis": "aws:kinesis", "DynamoDB": "aws:dynamodb"}[src.name]+` records failed; first: record "a": boom`, err.Error())
			var re *BatchRecordError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, "a", re.ID)
		})
	}
}

// batchFIFOModel is the sequential FIFO rule: which records fn is called for, and which are failed.
func batchFIFOModel(groups []string, fail []bool, skipGroup bool) (called, failed []bool) {
	called = make([]bool, len(groups))
	failed = make([]bool, len(groups))
	halted := false
	failedGroups := map[string]bool{}
	for i := range groups {
		if halted || failedGroups[groups[i]] {
			failed[i] = true
			continue
		}
		called[i] = true
		if fail[i] {
			failed[i] = true
			if skipGroup {
				failedGroups[groups[i]] = true
			} else {
				halted = true
			}
		}
	}
	return called, failed
}

// TestBatchFIFOProperty checks the FIFO rules on random batches: sequentially against the model; in
// parallel, groups keep their order, nothing after a failure in a group runs, unprocessed records are
// reported, and with WithBatchSkipGroupOnError the outcome is exactly the sequential one.
func TestBatchFIFOProperty(t *testing.T) {
	rounds := 10
	if testing.Short() {
		rounds = 5
	}
	for _, skipGroup := range []bool{false, true} {
		for _, mode := range batchModes {
			t.Run(fmt.Sprintf("skipGroup=%v/%s", skipGroup, mode.name), func(t *testing.T) {
				t.Parallel()
				rng := rand.New(rand.NewPCG(batchSeed(t), 1))
				for round := range rounds {
					n := batchSize(rng)
					ids := batchIDs(rng, n)
					ngroups := 1 + rng.IntN(20)
					groups := make([]string, n)
					for i := range groups {
						groups[i] = "g" + strconv.Itoa(rng.IntN(ngroups))
					}
					fail := batchFailureSet(rng, n)
					index := make(map[string]int, n)
					for i, id := range ids {
						index[id] = i
					}
					var mu sync.Mutex
					order := map[string][]int{} // group -> indices called, in call order
					calls := make([]atomic.Int32, n)
					opts := append([]BatchOption{WithBatchSkipGroupOnError(skipGroup), WithBatchAllowAllFailed(true)}, mode.opts...)
					got, err := batchSources[0].run(context.Background(), ids, true, groups, func(_ context.Context, id string) error {
						i := index[id]
						calls[i].Add(1)
						mu.Lock()
						order[groups[i]] = append(order[groups[i]], i)
						mu.Unlock()
						if fail[i] {
							return errors.New("failed")
						}
						return nil
					}, opts...)
					require.NoError(t, err)

					// Common to every mode: each record called at most once; the response is exactly the
					// records that failed or were not called; within a group calls are in batch order and
					// stop at the group's first failure.
					var want []string
					for i, id := range ids {
						c := calls[i].Load()
						require.LessOrEqual(t, c, int32(1), "round %d: record %d", round, i)
						if c == 0 || fail[i] {
							want = append(want, id)
						}
					}
					if want == nil {
						want = []string{}
					}
					require.Equal(t, want, got, "round %d", round)
					for g, seq := range order {
						require.True(t, slices.IsSorted(seq), "round %d: group %s out of order", round, g)
						for k, i := range seq {
							if fail[i] {
								require.Equal(t, len(seq)-1, k, "round %d: group %s went on after a failure", round, g)
							}
						}
					}

					called, failed := batchFIFOModel(groups, fail, skipGroup)
					if mode.opts != nil && !skipGroup {
						// Other groups may have run ahead of the first failure: only its group is exact.
						first := slices.Index(fail, true)
						if first >= 0 && called[first] {
							for i := first + 1; i < n; i++ {
								if groups[i] == groups[first] {
									require.Zero(t, calls[i].Load(), "round %d: record %d after the failure", round, i)
								}
							}
						}
						continue
					}
					for i := range ids {
						require.Equal(t, called[i], calls[i].Load() == 1, "round %d: record %d called", round, i)
						require.Equal(t, failed[i], slices.Contains(got, ids[i]), "round %d: record %d failed", round, i)
					}
				}
			})
		}
	}
}

// TestBatchFIFOSkipReason checks the error and log line of a record skipped by the FIFO rule.
func TestBatchFIFOSkipReason(t *testing.T) {
	var buf bytes.Buffer
	ctx := batchInvocation(t, &buf)
	ev := batchSQSEvent([]string{"m1", "m2", "m3"}, true, []string{"a", "a", "b"})
	resp, err := ProcessSQS(ctx, ev, func(_ context.Context, m events.SQSMessage) error {
		if m.MessageId == "m1" {
			return errors.New("first failed")
		}
		return nil
	})
	var be *BatchError
	require.ErrorAs(t, err, &be)
	require.Len(t, resp.BatchItemFailures, 3)
	assert.ErrorIs(t, be.Errors[1], ErrBatchFIFOSkipped)
	assert.ErrorIs(t, be.Errors[2], ErrBatchFIFOSkipped)
	lines := batchLogLines(t, &buf)
	require.Len(t, lines, 3)
	assert.Equal(t, "first failed", lines[0]["exception"])
	assert.Equal(t, ErrBatchFIFOSkipped.Error(), lines[1]["exception"])
	assert.Equal(t, "m3", lines[2]["record_id"])
}

// TestBatchDeadline: records not started when the deadline passes are reported failed, never lost, in
// every mode; records already running finish.
func TestBatchDeadline(t *testing.T) {
	for _, src := range batchSources {
		for _, mode := range batchModes {
			t.Run(src.name+"/"+mode.name, func(t *testing.T) {
				rng := rand.New(rand.NewPCG(batchSeed(t), 2))
				n := 50 + rng.IntN(200)
				ids := batchIDs(rng, n)
				cut := rng.IntN(n - 40) // the call that waits for the deadline; at least 40 records come after it
				ctx, cancel := context.WithTimeout(batchInvocation(t, io.Discard), time.Hour)
				defer cancel()
				var started sync.Map
				var count, late atomic.Int32
				var passed atomic.Bool
				got, err := src.run(ctx, ids, false, nil, func(ctx context.Context, id string) error {
					started.Store(id, true)
					if passed.Load() {
						late.Add(1)
					}
					if int(count.Add(1)) == cut+1 {
						cancel() // the deadline passes while this record runs
						passed.Store(true)
						<-ctx.Done()
					}
					return nil
				}, mode.opts...)
				require.NoError(t, err)
				var want []string
				for _, id := range ids {
					if _, ok := started.Load(id); !ok {
						want = append(want, id)
					}
				}
				require.NotEmpty(t, want, "records left after the deadline")
				require.Equal(t, want, got)
				// A record starts only if the deadline had not passed when its worker checked: after the
				// deadline, each of the other workers can start at most the one record it had already
				// checked; the sequential processor starts none.
				require.LessOrEqual(t, int(late.Load()), mode.workers()-1, "records started after the deadline")
			})
		}
	}
}

func TestBatchDeadlineExpired(t *testing.T) {
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	for _, mode := range batchModes {
		ids := []string{"a", "b", "c"}
		got, err := batchSources[0].run(ctx, ids, false, nil, func(context.Context, string) error {
			t.Error("a record started after the deadline")
			return nil
		}, mode.opts...)
		assert.Equal(t, ids, got)
		require.ErrorIs(t, err, ErrBatchAllFailed)
		require.ErrorIs(t, err, ErrBatchDeadline)
		require.ErrorIs(t, err, context.DeadlineExceeded)
	}
}

func TestBatchDeadlineMargin(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	ids := []string{"a", "b"}
	var called atomic.Int32
	fn := func(context.Context, string) error { called.Add(1); return nil }
	got, err := batchSources[1].run(ctx, ids, false, nil, fn, WithBatchDeadlineMargin(2*time.Hour), WithBatchAllowAllFailed(true))
	require.NoError(t, err)
	assert.Equal(t, ids, got)
	assert.Zero(t, called.Load())

	got, err = batchSources[1].run(ctx, ids, false, nil, fn, WithBatchDeadlineMargin(time.Minute))
	require.NoError(t, err)
	assert.Empty(t, got)
	assert.EqualValues(t, 2, called.Load())
}

// TestBatchBadInput: bad options, a nil function and an empty event are typed errors; nothing panics and
// no record is lost.
func TestBatchBadInput(t *testing.T) {
	ev := batchSQSEvent([]string{"a", "b"}, false, nil)
	ok := func(context.Context, events.SQSMessage) error { return nil }
	tests := []struct {
		name string
		run  func() (events.SQSEventResponse, error)
		is   error
		msg  string
	}{
		{"parallel 0", func() (events.SQSEventResponse, error) {
			return ProcessSQS(context.Background(), ev, ok, WithBatchParallel(0))
		}, ErrConfig, `powertools: WithBatchParallel="0": must be at least 1`},
		{"negative margin", func() (events.SQSEventResponse, error) {
			return ProcessSQS(context.Background(), ev, ok, WithBatchDeadlineMargin(-time.Second))
		}, ErrConfig, `powertools: WithBatchDeadlineMargin="-1s": must not be negative`},
		{"nil fn", func() (events.SQSEventResponse, error) {
			return ProcessSQS(context.Background(), ev, nil)
		}, ErrConfig, `powertools: fn="nil": record function must not be nil`},
		{"nil typed fn", func() (events.SQSEventResponse, error) {
			return ProcessSQSTyped[int](context.Background(), ev, nil)
		}, ErrConfig, `powertools: fn="nil": record function must not be nil`},
		{"nil ctx", func() (events.SQSEventResponse, error) {
			//lint:ignore SA1012 a nil ctx and a nil option are bad input on purpose
			return ProcessSQS(nil, ev, ok, nil)
		}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := tt.run()
			if tt.is == nil {
				require.NoError(t, err)
				assert.Empty(t, resp.BatchItemFailures)
				return
			}
			require.ErrorIs(t, err, tt.is)
			assert.EqualError(t, err, tt.msg)
			assert.Len(t, resp.BatchItemFailures, 2, "every record reported when nothing was processed")
		})
	}
	for _, src := range batchSources {
		_, err := src.run(context.Background(), nil, false, nil, func(context.Context, string) error { return nil })
		require.ErrorIs(t, err, ErrBatchEmpty, src.name)
		assert.Contains(t, err.Error(), "powertools: batch: event has no records")
	}
}

// TestBatchPanicLogged: a panic fails its record alone and is logged at ERROR with the record id, the
// panic as the exception and the stack.
func TestBatchPanicLogged(t *testing.T) {
	var buf bytes.Buffer
	ctx := batchInvocation(t, &buf)
	resp, err := ProcessKinesis(ctx, events.KinesisEvent{Records: []events.KinesisEventRecord{
		{Kinesis: events.KinesisRecord{SequenceNumber: "1"}},
		{Kinesis: events.KinesisRecord{SequenceNumber: "2"}},
	}}, func(_ context.Context, r events.KinesisEventRecord) error {
		if r.Kinesis.SequenceNumber == "2" {
			var m map[string]int
			//lint:ignore SA5000 the nil map write is the runtime error panic under test
			m["x"] = 1
		}
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, []events.KinesisBatchItemFailure{{ItemIdentifier: "2"}}, resp.BatchItemFailures)
	lines := batchLogLines(t, &buf)
	require.Len(t, lines, 1)
	assert.Equal(t, "ERROR", lines[0]["level"])
	assert.Equal(t, "2", lines[0]["record_id"])
	assert.EqualValues(t, 1, lines[0]["record_index"])
	assert.Equal(t, "aws:kinesis", lines[0]["event_source"])
	assert.Equal(t, "powertools: panic: assignment to entry in nil map", lines[0]["exception"])
	assert.Equal(t, "*powertools.PanicError", lines[0]["exception_name"])
	assert.Contains(t, lines[0]["stack"], "batch_test.go")
}

func batchLogLines(t *testing.T, r io.Reader) []map[string]any {
	t.Helper()
	var lines []map[string]any
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), sc.Text())
		lines = append(lines, m)
	}
	return lines
}

func batchFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "batch", name))
	require.NoError(t, err)
	return b
}

// batchItem is the payload of the fixtures' records.
type batchItem struct {
	ID    string `json:"id"`
	Qty   int    `json:"qty"`
	Fail  bool   `json:"fail"`
	Panic bool   `json:"panic"`
}

func (it batchItem) process() error {
	if it.Panic {
		panic("cannot process " + it.ID)
	}
	if it.Fail {
		return errors.New("cannot process " + it.ID)
	}
	return nil
}

// TestBatchWrap runs whole handlers through app.Wrap with fixtures, checking the JSON response and the
// ERROR lines (with the invocation's keys).
func TestBatchWrap(t *testing.T) {
	type logWant struct{ id, exception, name string }
	tests := []struct {
		name    string
		fixture string
		want    string
		handler func(got *[]string) any
		logs    []logWant
	}{
		{"sqs typed", "sqs_standard.json", "sqs_standard.want.json", func(got *[]string) any {
			return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
				return ProcessSQSTyped(ctx, ev, func(_ context.Context, _ events.SQSMessage, it batchItem) error {
					*got = append(*got, it.ID)
					return it.process()
				})
			}
		}, []logWant{
			{"2e1424d4-f796-459a-8184-9c92662be6da", "cannot process b", "error"},
			{"3f9a1e2c-7c3b-4c5e-9d1a-0b2c3d4e5f60", "powertools: decode event into powertools.batchItem: invalid character 'o' in literal null (expecting 'u')", "*powertools.EventDecodeError"},
			{"4b8c2d3e-1a2b-4c3d-8e9f-a0b1c2d3e4f5", "powertools: panic: cannot process d", "*powertools.PanicError"},
		}},
		{"sqs fifo", "sqs_fifo.json", "sqs_fifo.want.json", func(got *[]string) any {
			return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
				return ProcessSQSTyped(ctx, ev, func(_ context.Context, _ events.SQSMessage, it batchItem) error {
					*got = append(*got, it.ID)
					return it.process()
				})
			}
		}, []logWant{
			{"f0000000-0000-4000-8000-000000000002", "cannot process 2", "error"},
			{"f0000000-0000-4000-8000-000000000003", ErrBatchFIFOSkipped.Error(), "error"},
			{"f0000000-0000-4000-8000-000000000004", ErrBatchFIFOSkipped.Error(), "error"},
			{"f0000000-0000-4000-8000-000000000005", ErrBatchFIFOSkipped.Error(), "error"},
		}},
		{"sqs fifo skip group parallel", "sqs_fifo.json", "sqs_fifo_group.want.json", func(got *[]string) any {
			var mu sync.Mutex
			return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
				return ProcessSQSTyped(ctx, ev, func(_ context.Context, _ events.SQSMessage, it batchItem) error {
					mu.Lock()
					*got = append(*got, it.ID)
					mu.Unlock()
					return it.process()
				}, WithBatchSkipGroupOnError(true), WithBatchParallel(3))
			}
		}, []logWant{
			{"f0000000-0000-4000-8000-000000000002", "cannot process 2", "error"},
			{"f0000000-0000-4000-8000-000000000004", `powertools: batch: not processed: a previous record of message group "g2" failed`, "*powertools.BatchGroupSkippedError"},
		}},
		{"kinesis typed", "kinesis.json", "kinesis.want.json", func(got *[]string) any {
			return func(ctx context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
				return ProcessKinesisTyped(ctx, ev, func(_ context.Context, _ events.KinesisEventRecord, it batchItem) error {
					*got = append(*got, it.ID)
					return it.process()
				})
			}
		}, []logWant{
			{"49590338271490256608559692540925702759324208523137515618", "cannot process k2", "error"},
			{"49590338271490256608559692540925702759324208523137515619", "powertools: decode event into powertools.batchItem: invalid character 'b' looking for beginning of object key string", "*powertools.EventDecodeError"},
		}},
		{"dynamodb typed", "dynamodb.json", "dynamodb.want.json", func(got *[]string) any {
			return func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
				return ProcessDynamoDBStreamTyped(ctx, ev, func(_ context.Context, r events.DynamoDBEventRecord, it batchItem) error {
					if r.EventName == "REMOVE" {
						it.ID = "removed:" + r.Change.Keys["id"].String()
					}
					*got = append(*got, it.ID)
					return it.process()
				})
			}
		}, []logWant{
			{"222222222222222222222", "cannot process d2", "error"},
			{"333333333333333333333", "powertools: decode event into powertools.batchItem: json: cannot unmarshal string into Go struct field batchItem.qty of type int", "*powertools.EventDecodeError"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			app, err := New(WithLogOutput(&buf), WithEnv(map[string]string{
				"POWERTOOLS_SERVICE_NAME":  "orders",
				"AWS_LAMBDA_FUNCTION_NAME": "batch-fn",
			}))
			require.NoError(t, err)
			var processed []string
			h := app.Wrap(tt.handler(&processed))
			ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
			out, err := h.Invoke(ctx, batchFixture(t, tt.fixture))
			require.NoError(t, err)
			assert.JSONEq(t, string(batchFixture(t, tt.want)), string(out))
			assert.True(t, strings.HasPrefix(string(out), `{"batchItemFailures":[{"itemIdentifier":"`), string(out))

			lines := batchLogLines(t, &buf)
			// Parallel runs log in completion order; compare as a set keyed by record id.
			require.Len(t, lines, len(tt.logs), buf.String())
			byID := map[string]map[string]any{}
			for _, l := range lines {
				byID[l["record_id"].(string)] = l
			}
			for _, w := range tt.logs {
				l := byID[w.id]
				require.NotNil(t, l, "no ERROR line for %s", w.id)
				assert.Equal(t, "ERROR", l["level"])
				assert.Equal(t, "powertools: batch record failed", l["message"])
				assert.Equal(t, w.exception, l["exception"], w.id)
				assert.Equal(t, w.name, l["exception_name"], w.id)
				assert.Equal(t, "orders", l["service"])
				assert.Equal(t, "batch-fn", l["function_name"])
				assert.Equal(t, "req-1", l["function_request_id"])
				// Located at the user's record function (at the call that panicked, for a panic), not in
				// the library.
				assert.Regexp(t, `^(TestBatchWrap\.func[0-9.]+|batchItem\.process):[0-9]+$`, l["location"], w.id)
			}
			assert.NotEmpty(t, processed)
		})
	}
}

// TestBatchWrapAllFailed: when every record fails the wrapped handler returns the error, so Lambda
// retries the whole batch.
func TestBatchWrapAllFailed(t *testing.T) {
	app, err := New(WithLogOutput(io.Discard), WithEnv(map[string]string{}))
	require.NoError(t, err)
	h := WrapFunc(app, func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		return ProcessSQS(ctx, ev, func(context.Context, events.SQSMessage) error { return errors.New("down") })
	})
	_, err = h.Invoke(context.Background(), batchFixture(t, "sqs_standard.json"))
	require.ErrorIs(t, err, ErrBatchAllFailed)
	var be *BatchError
	require.ErrorAs(t, err, &be)
	assert.Equal(t, 5, be.Count)
}

// TestBatchTypedDecodeProperty: random bodies, some not JSON, through the typed SQS and Kinesis
// variants: exactly the undecodable and the failing records are reported, every decoded value is right.
func TestBatchTypedDecodeProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(batchSeed(t), 3))
	for round := range 10 {
		n := batchSize(rng)
		ids := batchIDs(rng, n)
		fail := batchFailureSet(rng, n)
		bad := batchFailureSet(rng, n)
		sqs := batchSQSEvent(ids, false, nil)
		kin := events.KinesisEvent{Records: make([]events.KinesisEventRecord, n)}
		var want []string
		for i, id := range ids {
			body, _ := json.Marshal(batchItem{ID: id, Qty: i, Fail: fail[i]})
			if bad[i] {
				body = body[:rng.IntN(len(body))]
			}
			sqs.Records[i].Body = string(body)
			kin.Records[i].Kinesis.SequenceNumber = id
			kin.Records[i].Kinesis.Data = body
			if bad[i] || fail[i] {
				want = append(want, id)
			}
		}
		if want == nil {
			want = []string{}
		}
		check := func(id string, it batchItem) error {
			if it.ID != id {
				return fmt.Errorf("decoded id %q for record %q", it.ID, id)
			}
			return it.process()
		}
		opts := []BatchOption{WithBatchAllowAllFailed(true), WithBatchParallel(1 + rng.IntN(8))}
		sr, err := ProcessSQSTyped(context.Background(), sqs, func(_ context.Context, m events.SQSMessage, it batchItem) error {
			return check(m.MessageId, it)
		}, opts...)
		require.NoError(t, err)
		got := make([]string, len(sr.BatchItemFailures))
		for i, f := range sr.BatchItemFailures {
			got[i] = f.ItemIdentifier
		}
		require.Equal(t, want, got, "round %d: SQS", round)

		kr, err := ProcessKinesisTyped(context.Background(), kin, func(_ context.Context, r events.KinesisEventRecord, it batchItem) error {
			return check(r.Kinesis.SequenceNumber, it)
		}, opts...)
		require.NoError(t, err)
		got = got[:0]
		for _, f := range kr.BatchItemFailures {
			got = append(got, f.ItemIdentifier)
		}
		require.Equal(t, want, got, "round %d: Kinesis", round)
	}
}

func TestBatchImageJSON(t *testing.T) {
	var image map[string]events.DynamoDBAttributeValue
	require.NoError(t, json.Unmarshal(batchFixture(t, "dynamodb_image.json"), &image))
	out, err := ddbimage.JSON(image)
	require.NoError(t, err)
	assert.JSONEq(t, string(batchFixture(t, "dynamodb_image.want.json")), string(out))

	var typed struct {
		S    string            `json:"s"`
		N    float64           `json:"n"`
		I    int               `json:"i"`
		Big  json.Number       `json:"big"`
		B    []byte            `json:"b"`
		T    bool              `json:"t"`
		Null *string           `json:"null"`
		L    []any             `json:"l"`
		M    map[string][]bool `json:"m"`
		SS   []string          `json:"ss"`
		NS   []float64         `json:"ns"`
		BS   [][]byte          `json:"bs"`
	}
	require.NoError(t, batchDecodeImage(image, &typed))
	assert.Equal(t, "text", typed.S)
	assert.Equal(t, -12500.0, typed.N)
	assert.Equal(t, 42, typed.I)
	assert.Equal(t, json.Number("12345678901234567890123456789012345678"), typed.Big)
	assert.Equal(t, []byte("hello"), typed.B)
	assert.True(t, typed.T)
	assert.Nil(t, typed.Null)
	assert.Equal(t, []bool{false}, typed.M["inner"])
	assert.Equal(t, []float64{1, 2.5}, typed.NS)
	assert.Equal(t, [][]byte{{1, 2}, {3}}, typed.BS)
}

func TestBatchImageBad(t *testing.T) {
	tests := []struct {
		name  string
		image map[string]events.DynamoDBAttributeValue
		want  string
	}{
		{"zero attribute value", map[string]events.DynamoDBAttributeValue{"x": {}}, ddbimage.ErrBadAttribute.Error()},
		{"nested zero value", map[string]events.DynamoDBAttributeValue{"l": events.NewListAttribute([]events.DynamoDBAttributeValue{{}})}, ddbimage.ErrBadAttribute.Error()},
		{"number not JSON", map[string]events.DynamoDBAttributeValue{"n": events.NewNumberAttribute("1_000")}, "invalid number literal"},
		{"empty number", map[string]events.DynamoDBAttributeValue{"n": events.NewNumberAttribute("")}, ddbimage.ErrBadAttribute.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v map[string]any
			err := batchDecodeImage(tt.image, &v)
			var de *EventDecodeError
			require.ErrorAs(t, err, &de)
			assert.Contains(t, err.Error(), strings.TrimPrefix(tt.want, "powertools: "))
			assert.True(t, strings.HasPrefix(err.Error(), "powertools: "))
			assert.Equal(t, 1, strings.Count(err.Error(), "powertools: "), "one prefix: %s", err)
		})
	}
	// A REMOVE record has no new image: T's zero value, no error.
	var v batchItem
	require.NoError(t, batchDecodeImage(nil, &v))
	assert.Equal(t, batchItem{}, v)
}

// TestBatchAllocs: the allocations of a batch without failures do not grow with the batch.
func TestBatchAllocs(t *testing.T) {
	testenv.SkipAllocsUnderRace(t)
	ctx := batchInvocation(t, io.Discard)
	fn := func(context.Context, events.SQSMessage) error { return nil }
	for _, n := range []int{10, 1000} {
		ev := batchSQSEvent(batchIDs(rand.New(rand.NewPCG(1, 2)), n), false, nil)
		allocs := testing.AllocsPerRun(20, func() {
			if _, err := ProcessSQS(ctx, ev, fn); err != nil {
				t.Fatal(err)
			}
		})
		assert.LessOrEqual(t, allocs, 3.0, "batch of %d", n)
	}
}

// FuzzBatchImage feeds arbitrary DynamoDB images to the typed DynamoDB decoder: it never panics, what it
// produces is valid JSON, and a failure is an *EventDecodeError.
func FuzzBatchImage(f *testing.F) {
	f.Add(batchFixture(f, "dynamodb_image.json"))
	f.Add([]byte(`{"a":{"N":"1e400"},"b":{"NS":["x"]},"c":{"L":[{"NULL":false}]}}`))
	f.Add([]byte(`{"a":{"B":""},"b":{"BS":[]},"c":{"M":{}}}`))
	f.Add([]byte(`{"a":{"S":"\u0000\ud800"},"n":{"N":" 1"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		image, ok := batchUnmarshalImage(data)
		if !ok {
			return
		}
		out, err := ddbimage.JSON(image)
		if err == nil && !json.Valid(out) {
			t.Fatalf("invalid JSON %q from %q", out, data)
		}
		var v map[string]any
		err = batchDecodeImage(image, &v)
		if err != nil {
			var de *EventDecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %T: %v", err, err)
			}
			return
		}
		if image != nil && len(v) != len(image) {
			t.Fatalf("%d attributes decoded from %d", len(v), len(image))
		}
	})
}

// batchUnmarshalImage decodes an image with aws-lambda-go. Its DynamoDBAttributeValue.UnmarshalJSON
// panics on some malformed input (`{"BS":[0]}`, aws-lambda-go v1.55.1): that happens while the event is
// decoded, before batch processing, and Wrap turns it into a *PanicError; here it is only skipped.
func batchUnmarshalImage(data []byte) (image map[string]events.DynamoDBAttributeValue, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return image, json.Unmarshal(data, &image) == nil
}

// FuzzBatchTyped feeds arbitrary payloads to the typed SQS and Kinesis variants: the record fails if and
// only if the payload does not decode, with an *EventDecodeError, and never panics the process.
func FuzzBatchTyped(f *testing.F) {
	for _, name := range []string{"sqs_standard.json", "sqs_fifo.json"} {
		var ev events.SQSEvent
		require.NoError(f, json.Unmarshal(batchFixture(f, name), &ev))
		for _, r := range ev.Records {
			f.Add([]byte(r.Body))
		}
	}
	f.Add([]byte(`{"id":"x","qty":1e3}`))
	f.Add([]byte(`{"id":1}`))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, body []byte) {
		var want batchItem
		decodes := json.Unmarshal(body, &want) == nil
		want.Fail, want.Panic = false, false
		check := func(got batchItem) error {
			got.Fail, got.Panic = false, false
			if got != want {
				t.Fatalf("decoded %+v, want %+v", got, want)
			}
			return nil
		}
		opts := []BatchOption{WithBatchAllowAllFailed(true)}
		sqs := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m", Body: string(body)}}}
		sr, err := ProcessSQSTyped(context.Background(), sqs, func(_ context.Context, _ events.SQSMessage, it batchItem) error {
			return check(it)
		}, opts...)
		require.NoError(t, err)
		kin := events.KinesisEvent{Records: []events.KinesisEventRecord{{Kinesis: events.KinesisRecord{SequenceNumber: "1", Data: body}}}}
		kr, err := ProcessKinesisTyped(context.Background(), kin, func(_ context.Context, _ events.KinesisEventRecord, it batchItem) error {
			return check(it)
		}, opts...)
		require.NoError(t, err)
		if decodes != (len(sr.BatchItemFailures) == 0) || decodes != (len(kr.BatchItemFailures) == 0) {
			t.Fatalf("body %q decodes=%v but SQS failures %v, Kinesis failures %v", body, decodes, sr.BatchItemFailures, kr.BatchItemFailures)
		}
		if !decodes {
			_, err := ProcessSQSTyped(context.Background(), sqs, func(context.Context, events.SQSMessage, batchItem) error { return nil })
			var de *EventDecodeError
			require.ErrorAs(t, err, &de)
		}
	})
}

// TestBatchWrapMalformedEvent: an event aws-lambda-go cannot decode (its attribute value decoder panics
// on `{"BS":[0]}`) fails the invocation with a decode error, not a handler panic, so Lambda retries the
// batch; the process lives.
func TestBatchWrapMalformedEvent(t *testing.T) {
	var buf bytes.Buffer
	app, err := New(WithLogOutput(&buf), WithEnv(map[string]string{}))
	require.NoError(t, err)
	called := false
	h := app.Wrap(func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		called = true
		return ProcessDynamoDBStream(ctx, ev, func(context.Context, events.DynamoDBEventRecord) error { return nil })
	})
	_, err = h.Invoke(context.Background(), []byte(`{"Records":[{"dynamodb":{"SequenceNumber":"1","NewImage":{"x":{"BS":[0]}}}}]}`))
	var de *EventDecodeError
	var pe *PanicError
	require.ErrorAs(t, err, &de)
	assert.False(t, errors.As(err, &pe), "a decoder's panic is not the handler's")
	assert.False(t, called)
	_, err = h.Invoke(context.Background(), []byte(`{"Records":[{"dynamodb":{"SequenceNumber":"1","NewImage":{"x":{"X":0}}}}]}`))
	require.ErrorAs(t, err, &de)
}

// batchBenchWork is the CPU-bound record handler of the benchmarks: FNV-1a over the body, 16 times
// (about a microsecond and a half).
func batchBenchWork(body string) uint64 {
	h := uint64(14695981039346656037)
	for range 16 {
		for i := 0; i < len(body); i++ {
			h ^= uint64(body[i])
			h *= 1099511628211
		}
	}
	return h
}

var batchBenchSink atomic.Uint64

// BenchmarkBatch measures records per second of ProcessSQS, sequential and parallel, against a plain
// loop calling the same function in the same run ("loop"), for a no-op, a CPU-bound and an I/O-bound
// (1 ms wait) record handler.
func BenchmarkBatch(b *testing.B) {
	body := strings.Repeat(`{"id":"o-1","qty":3}`, 10)
	handlers := []struct {
		name string
		n    int // records per batch
		fn   func(context.Context, events.SQSMessage) error
	}{
		{"noop", 1000, func(context.Context, events.SQSMessage) error { return nil }},
		{"cpu", 1000, func(_ context.Context, m events.SQSMessage) error {
			batchBenchSink.Add(batchBenchWork(m.Body))
			return nil
		}},
		{"io1ms", 100, func(context.Context, events.SQSMessage) error {
			time.Sleep(time.Millisecond)
			return nil
		}},
	}
	runners := []struct {
		name string
		run  func(ctx context.Context, ev events.SQSEvent, fn func(context.Context, events.SQSMessage) error) int
	}{
		{"loop", func(ctx context.Context, ev events.SQSEvent, fn func(context.Context, events.SQSMessage) error) int {
			var failed []string
			for _, m := range ev.Records {
				if err := fn(ctx, m); err != nil {
					failed = append(failed, m.MessageId)
				}
			}
			return len(failed)
		}},
		{"sequential", batchBenchProcess()},
		{"parallel4", batchBenchProcess(WithBatchParallel(4))},
		{"parallel16", batchBenchProcess(WithBatchParallel(16))},
		{"parallel64", batchBenchProcess(WithBatchParallel(64))},
	}
	ctx := batchInvocation(b, io.Discard)
	for _, h := range handlers {
		ev := batchSQSEvent(batchIDs(rand.New(rand.NewPCG(1, 1)), h.n), false, nil)
		for i := range ev.Records {
			ev.Records[i].Body = body
		}
		for _, r := range runners {
			b.Run(h.name+"/"+r.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if r.run(ctx, ev, h.fn) != 0 {
						b.Fatal("unexpected failures")
					}
				}
				records := float64(b.N) * float64(h.n)
				b.ReportMetric(records/b.Elapsed().Seconds(), "records/s")
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/records, "ns/record")
			})
		}
	}
}

func batchBenchProcess(opts ...BatchOption) func(context.Context, events.SQSEvent, func(context.Context, events.SQSMessage) error) int {
	return func(ctx context.Context, ev events.SQSEvent, fn func(context.Context, events.SQSMessage) error) int {
		resp, err := ProcessSQS(ctx, ev, fn, opts...)
		if err != nil {
			panic(err)
		}
		return len(resp.BatchItemFailures)
	}
}

// TestBatchNoFailuresJSON: a batch without failures answers an empty list, as the Python edition does,
// not null.
func TestBatchNoFailuresJSON(t *testing.T) {
	app, err := New(WithLogOutput(io.Discard), WithEnv(map[string]string{}))
	require.NoError(t, err)
	h := WrapFunc(app, func(ctx context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
		return ProcessKinesis(ctx, ev, func(context.Context, events.KinesisEventRecord) error { return nil }, WithBatchParallel(2))
	})
	out, err := h.Invoke(context.Background(), batchFixture(t, "kinesis.json"))
	require.NoError(t, err)
	assert.Equal(t, `{"batchItemFailures":[]}`, string(out))
}

// batchTypedSources are the Typed forms, each record carrying {"id": <id>}.
var batchTypedSources = []batchSource{
	{"SQSTyped", func(ctx context.Context, ids []string, _ bool, _ []string, fn func(context.Context, string) error, opts ...BatchOption) ([]string, error) {
		ev := batchSQSEvent(ids, false, nil)
		for i := range ev.Records {
			ev.Records[i].Body = `{"id":"` + ids[i] + `"}`
		}
		resp, err := ProcessSQSTyped(ctx, ev, func(ctx context.Context, _ events.SQSMessage, it batchItem) error {
			return fn(ctx, it.ID)
		}, opts...)
		return batchFailedIDs(len(resp.BatchItemFailures), func(i int) string { return resp.BatchItemFailures[i].ItemIdentifier }), err
	}},
	{"KinesisTyped", func(ctx context.Context, ids []string, _ bool, _ []string, fn func(context.Context, string) error, opts ...BatchOption) ([]string, error) {
		ev := events.KinesisEvent{Records: make([]events.KinesisEventRecord, len(ids))}
		for i, id := range ids {
			ev.Records[i].EventSource = batchSourceKinesis
			ev.Records[i].Kinesis.SequenceNumber = id
			ev.Records[i].Kinesis.Data = []byte(`{"id":"` + id + `"}`)
		}
		resp, err := ProcessKinesisTyped(ctx, ev, func(ctx context.Context, _ events.KinesisEventRecord, it batchItem) error {
			return fn(ctx, it.ID)
		}, opts...)
		return batchFailedIDs(len(resp.BatchItemFailures), func(i int) string { return resp.BatchItemFailures[i].ItemIdentifier }), err
	}},
	{"DynamoDBTyped", func(ctx context.Context, ids []string, _ bool, _ []string, fn func(context.Context, string) error, opts ...BatchOption) ([]string, error) {
		ev := events.DynamoDBEvent{Records: make([]events.DynamoDBEventRecord, len(ids))}
		for i, id := range ids {
			ev.Records[i].EventSource = batchSourceDynamoDB
			ev.Records[i].Change.SequenceNumber = id
			ev.Records[i].Change.NewImage = map[string]events.DynamoDBAttributeValue{"id": events.NewStringAttribute(id)}
		}
		resp, err := ProcessDynamoDBStreamTyped(ctx, ev, func(ctx context.Context, _ events.DynamoDBEventRecord, it batchItem) error {
			return fn(ctx, it.ID)
		}, opts...)
		return batchFailedIDs(len(resp.BatchItemFailures), func(i int) string { return resp.BatchItemFailures[i].ItemIdentifier }), err
	}},
}

func batchFailedIDs(n int, id func(int) string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = id(i)
	}
	return out
}

// TestBatchKeysArePerRecord: keys appended (and the correlation id set) in a record function are on that
// record's lines only, its failure line included; the batch-level lines keep the invocation's keys.
// Through app.Wrap, sequential and WithBatchParallel(8), every source and Typed form.
func TestBatchKeysArePerRecord(t *testing.T) {
	sources := append(append([]batchSource(nil), batchSources...), batchTypedSources...)
	for _, src := range sources {
		for _, parallel := range []int{1, 8} {
			t.Run(fmt.Sprintf("%s/parallel=%d", src.name, parallel), func(t *testing.T) {
				var out bytes.Buffer
				app, err := New(WithLogOutput(&out), WithEnv(map[string]string{"POWERTOOLS_SERVICE_NAME": "batch"}))
				require.NoError(t, err)
				ids := batchIDs(rand.New(rand.NewPCG(3, 4)), 20)
				h := app.Wrap(func(ctx context.Context) error {
					AppendKeys(ctx, zap.String("invocation_key", "kept"))
					Logger(ctx).Info("before the batch")
					_, err := src.run(ctx, ids, false, nil, func(rctx context.Context, id string) error {
						AppendKeys(rctx, zap.String("job_id", id))
						SetCorrelationID(rctx, "corr-"+id)
						if CorrelationID(rctx) != "corr-"+id {
							t.Errorf("CorrelationID in the record: %q", CorrelationID(rctx))
						}
						Logger(rctx).Info("record", zap.String("id", id))
						Slog(rctx).Info("record via slog", "id", id)
						if strings.HasSuffix(id, "3") || strings.HasSuffix(id, "7") {
							return errors.New("cannot process " + id)
						}
						return nil
					}, WithBatchParallel(parallel))
					if err != nil {
						return err
					}
					if CorrelationID(ctx) != "" {
						t.Errorf("the record's correlation id leaked to the invocation: %q", CorrelationID(ctx))
					}
					Logger(ctx).Info("after the batch")
					return nil
				})
				_, err = h.Invoke(lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"}), []byte(`{}`))
				require.NoError(t, err)
				var records, failures, batchLevel int
				for _, l := range batchLogLines(t, &out) {
					assert.Equal(t, "kept", l["invocation_key"], "every line keeps the invocation's keys: %v", l)
					switch l["message"] {
					case "record", "record via slog":
						records++
						assert.Equal(t, l["id"], l["job_id"], "a record's line carries its own key")
						assert.Equal(t, "corr-"+l["id"].(string), l["correlation_id"])
					case "powertools: batch record failed":
						failures++
						assert.Equal(t, l["record_id"], l["job_id"], "the failure line carries the record's key")
						assert.Equal(t, "corr-"+l["record_id"].(string), l["correlation_id"])
					default:
						batchLevel++
						assert.NotContains(t, l, "job_id", "batch-level line %q", l["message"])
						assert.NotContains(t, l, "correlation_id", "batch-level line %q", l["message"])
					}
				}
				assert.Equal(t, 40, records)
				assert.Positive(t, failures)
				assert.Equal(t, 2, batchLevel)
			})
		}
	}
}

// TestBatchErrorChainsReadAsOneSentence: one "powertools:" prefix per message, from the batch error down
// to the decode error.
func TestBatchErrorChainsReadAsOneSentence(t *testing.T) {
	ev := batchSQSEvent([]string{"m1", "m2"}, false, nil)
	ev.Records[0].Body, ev.Records[1].Body = `{"qty":"x"}`, `not json`
	_, err := ProcessSQSTyped(batchInvocation(t, io.Discard), ev, func(context.Context, events.SQSMessage, batchItem) error { return nil })
	require.ErrorIs(t, err, ErrBatchAllFailed)
	assert.Equal(t, `powertools: batch: all 2 aws:sqs records failed; first: record "m1": decode event into powertools.batchItem: json: cannot unmarshal string into Go struct field batchItem.qty of type int`, err.Error())
	var all *BatchError
	require.ErrorAs(t, err, &all)
	for _, e := range all.Errors {
		assert.Equal(t, 1, strings.Count(e.Error(), "powertools:"), e.Error())
	}
	pe := &PanicError{Value: fmt.Errorf("wrapped: %w", ErrBatchEmpty)}
	assert.Equal(t, "powertools: panic: wrapped: powertools: batch: event has no records", pe.Error(), "a value's own text is kept past its start")
	pe = &PanicError{Value: ErrBatchEmpty}
	assert.Equal(t, "powertools: panic: batch: event has no records", pe.Error())
}
