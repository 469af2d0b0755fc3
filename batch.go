package powertools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/gopowertools/powertools/internal/ddbimage"
)

// Errors of batch processing, for errors.Is.
var (
	// ErrBatchAllFailed matches the error returned when every record of a batch failed (a *BatchError),
	// unless WithBatchAllowAllFailed is set. Returning it from the handler makes Lambda retry the whole
	// batch, as the Python edition does.
	ErrBatchAllFailed = errors.New("powertools: batch: every record failed")
	// ErrBatchEmpty is returned for an event without records: Lambda never sends one, so the handler is
	// most likely wired to the wrong event source.
	ErrBatchEmpty = errors.New("powertools: batch: event has no records")
	// ErrBatchFIFOSkipped is the error of a record of an SQS FIFO queue left unprocessed because an
	// earlier record (of its message group, with WithBatchSkipGroupOnError) failed.
	ErrBatchFIFOSkipped = errors.New("powertools: batch: not processed: a previous record of the FIFO queue failed")
	// With WithBatchSkipGroupOnError, the error of a skipped record is a *BatchGroupSkippedError naming
	// its message group; it matches ErrBatchFIFOSkipped too.
	// ErrBatchDeadline is the error of a record left unprocessed because the context was done (its
	// deadline, less WithBatchDeadlineMargin, passed, or it was canceled) before the record started.
	ErrBatchDeadline = errors.New("powertools: batch: not processed: deadline passed")
)

// BatchError is returned when every record of a batch failed. It matches ErrBatchAllFailed, and
// errors.Is and errors.As also look into the records' errors.
type BatchError struct {
	Source string  // the event source: "aws:sqs", "aws:kinesis" or "aws:dynamodb"
	Count  int     // how many records failed: all of them
	Errors []error // one *BatchRecordError per record, in batch order
}

func (e *BatchError) Error() string {
	msg := "powertools: batch: all " + strconv.Itoa(e.Count) + " " + e.Source + " records failed"
	if len(e.Errors) > 0 {
		msg += "; first: " + batchTail(e.Errors[0])
	}
	return msg
}

// batchTail is an error's text nested in another batch message: without the "powertools: batch: "
// prefix, so a chain reads as one sentence with one prefix.
func batchTail(err error) string {
	msg := errTail(safeErrorString(err))
	if rest, ok := strings.CutPrefix(msg, "batch: "); ok {
		return rest
	}
	return msg
}

// Is makes errors.Is(err, ErrBatchAllFailed) true.
func (e *BatchError) Is(target error) bool { return target == ErrBatchAllFailed }

// Unwrap returns the records' errors.
func (e *BatchError) Unwrap() []error { return e.Errors }

// BatchRecordError is the error of one failed record: the record function's error, a *PanicError when it
// panicked, an *EventDecodeError when a typed variant could not decode the payload, or ErrBatchFIFOSkipped
// / ErrBatchDeadline when the record was not processed.
type BatchRecordError struct {
	ID    string // messageId, sequenceNumber or SequenceNumber
	Index int    // position in the batch
	Err   error
}

func (e *BatchRecordError) Error() string {
	return "powertools: batch: record " + strconv.Quote(e.ID) + ": " + batchTail(e.Err)
}

// BatchGroupSkippedError is the error of an SQS FIFO record left unprocessed because an earlier record
// of its message group failed, with WithBatchSkipGroupOnError. It matches ErrBatchFIFOSkipped.
type BatchGroupSkippedError struct {
	Group string // the MessageGroupId
}

func (e *BatchGroupSkippedError) Error() string {
	return "powertools: batch: not processed: a previous record of message group " + strconv.Quote(e.Group) + " failed"
}

// Is makes errors.Is(err, ErrBatchFIFOSkipped) true.
func (e *BatchGroupSkippedError) Is(target error) bool { return target == ErrBatchFIFOSkipped }

func (e *BatchRecordError) Unwrap() error { return e.Err }

// BatchOption configures one call of ProcessSQS, ProcessKinesis, ProcessDynamoDBStream or their typed
// variants.
type BatchOption func(*batchConfig)

type batchConfig struct {
	parallel       int
	skipGroup      bool
	allowAllFailed bool
	deadlineMargin time.Duration
	errs           []error
}

// defaultBatchConfig is the one place the batch defaults live: sequential, FIFO queues stop at the first
// failure, an all-failed batch is an error, no deadline margin.
func defaultBatchConfig() batchConfig {
	return batchConfig{parallel: 1}
}

func (c *batchConfig) addErr(name, value, reason string) {
	c.errs = append(c.errs, &ConfigError{Name: name, Value: value, Reason: reason})
}

// WithBatchParallel processes up to n records at once, each on its own goroutine. The records of an SQS
// FIFO queue stay in order within their message group: groups run in parallel, each group sequentially.
// n must be at least 1. Default: 1 (sequential, in batch order).
func WithBatchParallel(n int) BatchOption {
	return func(c *batchConfig) {
		if n < 1 {
			c.addErr("WithBatchParallel", strconv.Itoa(n), "must be at least 1")
			return
		}
		c.parallel = n
	}
}

// WithBatchSkipGroupOnError limits the FIFO rule to the failed record's message group: after a failure,
// only the later records of that MessageGroupId are reported failed unprocessed, the other groups go on.
// It has no effect on standard queues, Kinesis and DynamoDB Streams. Default: false (a failure stops the
// whole batch), as the Python edition's skip_group_on_error.
func WithBatchSkipGroupOnError(on bool) BatchOption {
	return func(c *batchConfig) { c.skipGroup = on }
}

// WithBatchAllowAllFailed returns a response listing every record, and no error, when every record
// failed. Default: false (the call returns a *BatchError matching ErrBatchAllFailed), as the Python
// edition's raise_on_entire_batch_failure=True.
func WithBatchAllowAllFailed(on bool) BatchOption {
	return func(c *batchConfig) { c.allowAllFailed = on }
}

// WithBatchDeadlineMargin stops starting records when less than d is left before the context's deadline,
// so the function still has time to return its response before Lambda's timeout; the records not started
// are reported failed with ErrBatchDeadline. d must not be negative. Default: 0 (records start until the
// deadline itself).
func WithBatchDeadlineMargin(d time.Duration) BatchOption {
	return func(c *batchConfig) {
		if d < 0 {
			c.addErr("WithBatchDeadlineMargin", d.String(), "must not be negative")
			return
		}
		c.deadlineMargin = d
	}
}

func batchResolve(opts []BatchOption) (batchConfig, error) {
	c := defaultBatchConfig()
	for _, opt := range opts {
		if opt != nil {
			opt(&c)
		}
	}
	return c, errors.Join(c.errs...)
}

// Event sources, as the records name them.
const (
	batchSourceSQS      = "aws:sqs"
	batchSourceKinesis  = "aws:kinesis"
	batchSourceDynamoDB = "aws:dynamodb"
)

// ProcessSQS calls fn for every message of event and returns the messages that failed, to be returned by
// the handler so that Lambda retries only those (the event source mapping needs ReportBatchItemFailures).
//
// A message fails when fn returns an error or panics; the failure is logged at ERROR through Logger(ctx)
// with the message id and the error, and the other messages go on. For a FIFO queue (event source ARN
// ending in ".fifo") the first failure stops the batch: every later message is reported failed without
// being processed (only those of the same MessageGroupId with WithBatchSkipGroupOnError). When every
// message failed, the error wraps ErrBatchAllFailed (see WithBatchAllowAllFailed); the response lists
// them all in every case, so no message is lost whichever of the two the handler returns.
func ProcessSQS(ctx context.Context, event events.SQSEvent, fn func(context.Context, events.SQSMessage) error, opts ...BatchOption) (events.SQSEventResponse, error) {
	return processSQS(ctx, event, fn, fn, opts)
}

func processSQS(ctx context.Context, event events.SQSEvent, fn func(context.Context, events.SQSMessage) error, user any, opts []BatchOption) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	ids, err := batchRun(ctx, event.Records, batchSQSSpec(event.Records), fn, user, opts)
	resp.BatchItemFailures = make([]events.SQSBatchItemFailure, len(ids))
	for i, id := range ids {
		resp.BatchItemFailures[i].ItemIdentifier = id
	}
	return resp, err
}

// ProcessKinesis is ProcessSQS for a Kinesis Data Streams batch; a record is identified by its
// sequenceNumber. There is no FIFO rule: Lambda resumes the shard from the lowest failed sequence number.
func ProcessKinesis(ctx context.Context, event events.KinesisEvent, fn func(context.Context, events.KinesisEventRecord) error, opts ...BatchOption) (events.KinesisEventResponse, error) {
	return processKinesis(ctx, event, fn, fn, opts)
}

func processKinesis(ctx context.Context, event events.KinesisEvent, fn func(context.Context, events.KinesisEventRecord) error, user any, opts []BatchOption) (events.KinesisEventResponse, error) {
	var resp events.KinesisEventResponse
	ids, err := batchRun(ctx, event.Records, batchKinesisSpec, fn, user, opts)
	resp.BatchItemFailures = make([]events.KinesisBatchItemFailure, len(ids))
	for i, id := range ids {
		resp.BatchItemFailures[i].ItemIdentifier = id
	}
	return resp, err
}

// ProcessDynamoDBStream is ProcessSQS for a DynamoDB Streams batch; a record is identified by its
// dynamodb.SequenceNumber. There is no FIFO rule.
func ProcessDynamoDBStream(ctx context.Context, event events.DynamoDBEvent, fn func(context.Context, events.DynamoDBEventRecord) error, opts ...BatchOption) (events.DynamoDBEventResponse, error) {
	return processDynamoDBStream(ctx, event, fn, fn, opts)
}

func processDynamoDBStream(ctx context.Context, event events.DynamoDBEvent, fn func(context.Context, events.DynamoDBEventRecord) error, user any, opts []BatchOption) (events.DynamoDBEventResponse, error) {
	var resp events.DynamoDBEventResponse
	ids, err := batchRun(ctx, event.Records, batchDynamoDBSpec, fn, user, opts)
	resp.BatchItemFailures = make([]events.DynamoDBBatchItemFailure, len(ids))
	for i, id := range ids {
		resp.BatchItemFailures[i].ItemIdentifier = id
	}
	return resp, err
}

// ProcessSQSTyped is ProcessSQS with each message's body decoded from JSON into T before fn is called.
// A body that does not decode fails that message alone, with an *EventDecodeError.
func ProcessSQSTyped[T any](ctx context.Context, event events.SQSEvent, fn func(context.Context, events.SQSMessage, T) error, opts ...BatchOption) (events.SQSEventResponse, error) {
	if fn == nil {
		return ProcessSQS(ctx, event, nil, opts...)
	}
	return processSQS(ctx, event, func(ctx context.Context, m events.SQSMessage) error {
		var v T
		if err := batchDecodeJSON([]byte(m.Body), &v); err != nil {
			return err
		}
		return fn(ctx, m, v)
	}, fn, opts)
}

// ProcessKinesisTyped is ProcessKinesis with each record's data decoded from JSON into T before fn is
// called. Data that does not decode fails that record alone, with an *EventDecodeError.
func ProcessKinesisTyped[T any](ctx context.Context, event events.KinesisEvent, fn func(context.Context, events.KinesisEventRecord, T) error, opts ...BatchOption) (events.KinesisEventResponse, error) {
	if fn == nil {
		return ProcessKinesis(ctx, event, nil, opts...)
	}
	return processKinesis(ctx, event, func(ctx context.Context, r events.KinesisEventRecord) error {
		var v T
		if err := batchDecodeJSON(r.Kinesis.Data, &v); err != nil {
			return err
		}
		return fn(ctx, r, v)
	}, fn, opts)
}

// ProcessDynamoDBStreamTyped is ProcessDynamoDBStream with each record's new image decoded into T before
// fn is called. The image is turned into plain JSON first (S as strings, N as numbers, B as base64
// strings, BOOL, NULL, L and M as they are, SS/NS/BS as arrays), so T's json tags name the attributes.
// A record without a new image (a REMOVE, or a KEYS_ONLY or OLD_IMAGE stream) gives T's zero value; the
// old image stays in the record. An image that does not decode fails that record alone, with an
// *EventDecodeError.
func ProcessDynamoDBStreamTyped[T any](ctx context.Context, event events.DynamoDBEvent, fn func(context.Context, events.DynamoDBEventRecord, T) error, opts ...BatchOption) (events.DynamoDBEventResponse, error) {
	if fn == nil {
		return ProcessDynamoDBStream(ctx, event, nil, opts...)
	}
	return processDynamoDBStream(ctx, event, func(ctx context.Context, r events.DynamoDBEventRecord) error {
		var v T
		if err := batchDecodeImage(r.Change.NewImage, &v); err != nil {
			return err
		}
		return fn(ctx, r, v)
	}, fn, opts)
}

func batchDecodeJSON(data []byte, dst any) error {
	if err := json.Unmarshal(data, dst); err != nil {
		return &EventDecodeError{Type: reflect.TypeOf(dst).Elem().String(), Err: err}
	}
	return nil
}

// batchDecodeImage decodes a DynamoDB image into dst through its plain JSON form.
func batchDecodeImage(image map[string]events.DynamoDBAttributeValue, dst any) error {
	if image == nil {
		return nil
	}
	data, err := ddbimage.JSON(image)
	if err != nil {
		return &EventDecodeError{Type: reflect.TypeOf(dst).Elem().String(), Err: err}
	}
	return batchDecodeJSON(data, dst)
}

// batchSpec tells the processor what it needs to know about a record type.
type batchSpec[R any] struct {
	source string
	id     func(*R) string
	group  func(*R) string // the FIFO message group; nil when the batch has no ordering rule
}

func batchSQSSpec(records []events.SQSMessage) batchSpec[events.SQSMessage] {
	s := batchSpec[events.SQSMessage]{source: batchSourceSQS, id: func(m *events.SQSMessage) string { return m.MessageId }}
	// A batch comes from one queue, so its first record tells whether the queue is FIFO.
	if len(records) > 0 && strings.HasSuffix(records[0].EventSourceARN, ".fifo") {
		s.group = func(m *events.SQSMessage) string { return m.Attributes["MessageGroupId"] }
	}
	return s
}

var batchKinesisSpec = batchSpec[events.KinesisEventRecord]{
	source: batchSourceKinesis,
	id:     func(r *events.KinesisEventRecord) string { return r.Kinesis.SequenceNumber },
}

var batchDynamoDBSpec = batchSpec[events.DynamoDBEventRecord]{
	source: batchSourceDynamoDB,
	id:     func(r *events.DynamoDBEventRecord) string { return r.Change.SequenceNumber },
}

// batchSlot is what the processor keeps per record: its error, and its scope of appended log keys
// (allocated with the slots, so a batch's allocations do not grow with its records).
type batchSlot struct {
	err   error
	scope logScope
}

// batchProcessor is the state of one batch. slots[i] is written only by the goroutine that owns record
// i and read after every goroutine is done.
type batchProcessor[R any] struct {
	loc     zapcore.EntryCaller // the user's record function, for the failure lines
	cfg     batchConfig
	spec    batchSpec[R]
	records []R
	fn      func(context.Context, R) error
	ctx     context.Context
	done    <-chan struct{} // closed when records must stop starting
	stop    context.Context // ctx, or ctx less the deadline margin

	slots    []batchSlot
	halted   atomic.Bool // a FIFO record failed: the rest of the batch is skipped
	stopOnce sync.Once
	stopErr  error
}

// batchRun processes records and returns the identifiers of the failed ones, in batch order.
// user is the record function the caller was given, for the location of the failure lines.
func batchRun[R any](ctx context.Context, records []R, spec batchSpec[R], fn func(context.Context, R) error, user any, opts []BatchOption) ([]string, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	cfg, err := batchResolve(opts)
	if err == nil && fn == nil {
		err = &ConfigError{Name: "fn", Value: "nil", Reason: "record function must not be nil"}
	}
	if err != nil {
		// Nothing was processed: report every record so none is lost if the caller drops the error.
		return batchAllIDs(records, spec), err
	}
	if len(records) == 0 {
		return nil, fmt.Errorf("%w (is the handler wired to an %s event source?)", ErrBatchEmpty, spec.source)
	}
	p := &batchProcessor[R]{loc: logFuncLocation(user), cfg: cfg, spec: spec, records: records, fn: fn, ctx: ctx, stop: ctx,
		slots: make([]batchSlot, len(records))}
	if dl, ok := ctx.Deadline(); ok && cfg.deadlineMargin > 0 {
		var cancel context.CancelFunc
		p.stop, cancel = context.WithDeadline(ctx, dl.Add(-cfg.deadlineMargin))
		defer cancel()
	}
	p.done = p.stop.Done()
	switch {
	case cfg.parallel <= 1 || len(records) == 1:
		p.runSequential()
	case spec.group != nil:
		p.runGroups()
	default:
		p.runParallel()
	}
	return p.result()
}

func batchAllIDs[R any](records []R, spec batchSpec[R]) []string {
	ids := make([]string, len(records))
	for i := range records {
		ids[i] = spec.id(&records[i])
	}
	return ids
}

// result lists the failed identifiers and builds the all-failed error.
func (p *batchProcessor[R]) result() ([]string, error) {
	n := 0
	for i := range p.slots {
		if p.slots[i].err != nil {
			n++
		}
	}
	ids := make([]string, 0, n)
	for i := range p.slots {
		if p.slots[i].err != nil {
			ids = append(ids, p.spec.id(&p.records[i]))
		}
	}
	if n < len(p.records) || p.cfg.allowAllFailed {
		return ids, nil
	}
	all := &BatchError{Source: p.spec.source, Count: n, Errors: make([]error, n)}
	for i := range p.slots {
		all.Errors[i] = &BatchRecordError{ID: ids[i], Index: i, Err: p.slots[i].err}
	}
	return ids, all
}

// runSequential processes the records in batch order.
func (p *batchProcessor[R]) runSequential() {
	var failedGroups map[string]struct{} // WithBatchSkipGroupOnError on a FIFO queue
	for i := range p.records {
		var group string
		if p.spec.group != nil {
			group = p.spec.group(&p.records[i])
			if _, failed := failedGroups[group]; failed {
				p.fail(p.ctx, i, &BatchGroupSkippedError{Group: group})
				continue
			}
		}
		if p.step(i) != batchFailed || p.spec.group == nil || !p.cfg.skipGroup {
			continue
		}
		if failedGroups == nil {
			failedGroups = make(map[string]struct{})
		}
		failedGroups[group] = struct{}{}
	}
}

// runParallel processes the records of an unordered batch on up to cfg.parallel goroutines.
func (p *batchProcessor[R]) runParallel() {
	var next atomic.Int64
	p.workers(len(p.records), func() {
		for {
			i := int(next.Add(1) - 1)
			if i >= len(p.records) {
				return
			}
			p.step(i)
		}
	})
}

// runGroups processes a FIFO batch: message groups in parallel, each group's records in order.
func (p *batchProcessor[R]) runGroups() {
	groups := p.groups()
	var next atomic.Int64
	p.workers(len(groups), func() {
		for {
			g := int(next.Add(1) - 1)
			if g >= len(groups) {
				return
			}
			p.runGroup(groups[g])
		}
	})
}

func (p *batchProcessor[R]) runGroup(indices []int) {
	for k, i := range indices {
		if p.step(i) == batchFailed && p.cfg.skipGroup {
			skipped := &BatchGroupSkippedError{Group: p.spec.group(&p.records[i])}
			for _, j := range indices[k+1:] {
				p.fail(p.ctx, j, skipped)
			}
			return
		}
	}
}

// groups splits the batch into message groups, each in batch order, the groups in order of first record.
func (p *batchProcessor[R]) groups() [][]int {
	pos := make(map[string]int)
	var groups [][]int
	for i := range p.records {
		g := p.spec.group(&p.records[i])
		k, ok := pos[g]
		if !ok {
			k = len(groups)
			pos[g] = k
			groups = append(groups, nil)
		}
		groups[k] = append(groups[k], i)
	}
	return groups
}

// workers runs work on min(cfg.parallel, units) goroutines and waits for them.
func (p *batchProcessor[R]) workers(units int, work func()) {
	var wg sync.WaitGroup
	for range min(p.cfg.parallel, units) {
		wg.Go(work)
	}
	wg.Wait()
}

// batchOutcome is what became of one record.
type batchOutcome uint8

const (
	batchDone    batchOutcome = iota // processed successfully
	batchFailed                      // processed, and fn failed
	batchSkipped                     // reported failed without being processed
)

// step handles record i: it reports it failed unprocessed when the deadline passed or a FIFO failure
// halted the batch, else it calls fn.
func (p *batchProcessor[R]) step(i int) batchOutcome {
	select {
	case <-p.done:
		p.fail(p.ctx, i, p.deadlineErr())
		return batchSkipped
	default:
	}
	if p.halted.Load() {
		p.fail(p.ctx, i, ErrBatchFIFOSkipped)
		return batchSkipped
	}
	// Each record runs in its own scope of appended keys and correlation id, over the invocation's.
	ctx := logInitScope(&p.slots[i].scope, p.ctx)
	err := p.call(ctx, i)
	if err == nil {
		return batchDone
	}
	if p.spec.group != nil && !p.cfg.skipGroup {
		p.halted.Store(true)
	}
	p.fail(ctx, i, err)
	return batchFailed
}

// deadlineErr is the error of the records not started in time, built once per batch.
func (p *batchProcessor[R]) deadlineErr() error {
	p.stopOnce.Do(func() {
		p.stopErr = fmt.Errorf("%w: %w", ErrBatchDeadline, context.Cause(p.stop))
	})
	return p.stopErr
}

// call runs fn on record i, turning a panic into a *PanicError.
func (p *batchProcessor[R]) call(ctx context.Context, i int) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = newPanicError(v)
		}
	}()
	return p.fn(ctx, p.records[i])
}

// fail records and logs the failure of record i, through the record's logger (ctx) so that the line
// carries the record's keys, located at the user's record function (at the call that panicked, for a
// panic).
func (p *batchProcessor[R]) fail(ctx context.Context, i int, err error) {
	p.slots[i].err = err
	fields := [5]zap.Field{
		zap.String("record_id", p.spec.id(&p.records[i])),
		zap.Int("record_index", i),
		zap.String("event_source", p.spec.source),
		zap.Error(err),
	}
	n := 4
	loc := p.loc
	var pe *PanicError
	if errors.As(err, &pe) {
		fields[n] = zap.ByteString("stack", pe.Stack)
		n++
		if site := logPanicSite(pe.pcs); site.Defined {
			loc = site
		}
	}
	// Logger(ctx) is fetched here, not per batch: a batch without failures never builds the logger.
	logAt(Logger(ctx), zapcore.ErrorLevel, loc, "powertools: batch record failed", fields[:n]...)
}
