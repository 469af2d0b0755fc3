// Package runtimeapi is an in-process AWS Lambda Runtime API: the HTTP protocol a function's runtime loop
// (aws-lambda-go's lambda.Start) speaks to receive invocations and return their results. Tests start a
// Server on 127.0.0.1, run a function binary with AWS_LAMBDA_RUNTIME_API set to Server.Addr, and drive it
// with Server.Invoke.
//
// The server hands out one queued invocation to each GET /next it holds, so a function started with
// AWS_LAMBDA_MAX_CONCURRENCY > 1 (one runtime goroutine, hence one pending GET /next, per slot) receives
// several invocations at once. Stats proves the overlap; Hold, Release and WaitPollers make it
// deterministic: hold the queue, wait until every runtime goroutine is polling, release, and every poller
// gets an invocation before any of them can answer.
package runtimeapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Protocol constants, as aws-lambda-go's runtime API client spells them.
const (
	apiPrefix = "/2018-06-01/runtime/"

	HeaderRequestID          = "Lambda-Runtime-Aws-Request-Id"
	HeaderDeadlineMS         = "Lambda-Runtime-Deadline-Ms"
	HeaderTraceID            = "Lambda-Runtime-Trace-Id"
	HeaderInvokedFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
	HeaderClientContext      = "Lambda-Runtime-Client-Context"
	HeaderCognitoIdentity    = "Lambda-Runtime-Cognito-Identity"
	HeaderTenantID           = "Lambda-Runtime-Aws-Tenant-Id"
	HeaderFunctionErrorType  = "Lambda-Runtime-Function-Error-Type"
	HeaderFunctionErrorBody  = "Lambda-Runtime-Function-Error-Body" // trailer only, base64
	HeaderXRayErrorCause     = "Lambda-Runtime-Function-Xray-Error-Cause"

	// DefaultFunctionARN is the invoked function ARN of an invocation that sets none.
	DefaultFunctionARN = "arn:aws:lambda:us-east-1:012345678912:function:test_function"
	// DefaultTimeout is the function timeout an invocation's deadline is computed from when it sets none:
	// Lambda's own default.
	DefaultTimeout = 3 * time.Second
	// MaxResponseBytes is the largest response or error body accepted, as Lambda's synchronous invoke
	// limit; a larger one is refused with 413.
	MaxResponseBytes = 6 << 20
	// MaxPayloadBytes is the largest payload Invoke accepts: Lambda's synchronous invoke limit.
	MaxPayloadBytes = 6 << 20
)

var (
	// ErrClosed is returned by Invoke and the Wait methods once the server is closed.
	ErrClosed = errors.New("runtimeapi: server closed")
	// ErrPayloadTooLarge is returned by Invoke for a payload over MaxPayloadBytes, as Lambda refuses it.
	ErrPayloadTooLarge = errors.New("runtimeapi: payload too large")
)

// Result is what the function answered to one invocation.
type Result struct {
	RequestID   string
	Body        []byte // the response body, or the error body when ErrorType is set
	ContentType string
	// ErrorType is set when the function reported an error: the Lambda-Runtime-Function-Error-Type header
	// (or trailer) when given, else the errorType field of the JSON error body, else "Unhandled".
	ErrorType string
	// XRayErrorCause is the Lambda-Runtime-Function-Xray-Error-Cause header of an error, when given.
	XRayErrorCause string
}

// Failed reports whether the function answered with an error.
func (r Result) Failed() bool { return r.ErrorType != "" }

// FunctionError is the JSON body of an error answer, as aws-lambda-go writes it.
type FunctionError struct {
	Message    string            `json:"errorMessage"`
	Type       string            `json:"errorType"`
	StackTrace []json.RawMessage `json:"stackTrace,omitempty"`
}

// FunctionError decodes the error body of a failed Result. It returns nil for a successful one.
func (r Result) FunctionError() (*FunctionError, error) {
	if !r.Failed() {
		return nil, nil
	}
	var fe FunctionError
	if err := json.Unmarshal(r.Body, &fe); err != nil {
		return nil, fmt.Errorf("runtimeapi: decode error body of %s: %w", r.RequestID, err)
	}
	return &fe, nil
}

// InitError is one POST /runtime/init/error the function made.
type InitError struct {
	ErrorType string // the Lambda-Runtime-Function-Error-Type header, else the body's errorType
	Body      []byte
}

// Stats counts what the server did. In-flight invocations are handed out and not yet answered.
type Stats struct {
	Queued      int // invocations waiting for a poller now
	Pollers     int // GET /next requests held now
	MaxPollers  int // the most GET /next requests held at once
	InFlight    int // invocations handed out and not answered now
	MaxInFlight int // the most invocations in flight at once
	HandedOut   int // invocations handed out in total
	Answered    int // responses and errors received in total
	InitErrors  int
}

// InvokeOption sets a detail of one invocation.
type InvokeOption func(*invocation)

// WithRequestID sets the invocation's request id. Default: a random UUID.
func WithRequestID(id string) InvokeOption { return func(i *invocation) { i.requestID = id } }

// WithTraceID sets the trace header (Root=...;Parent=...;Sampled=...). Default: a fresh random one.
func WithTraceID(header string) InvokeOption { return func(i *invocation) { i.trace = header } }

// WithFunctionARN sets the invoked function ARN. Default: DefaultFunctionARN.
func WithFunctionARN(arn string) InvokeOption { return func(i *invocation) { i.arn = arn } }

// WithDeadline sets the invocation's deadline. Default: when it is handed out plus DefaultTimeout.
func WithDeadline(t time.Time) InvokeOption { return func(i *invocation) { i.deadline = t } }

// WithClientContext sets the client context header (JSON, as a mobile SDK sends it). Default: none.
func WithClientContext(json string) InvokeOption {
	return func(i *invocation) { i.clientContext = json }
}

// WithCognitoIdentity sets the Cognito identity header (JSON). Default: none.
func WithCognitoIdentity(json string) InvokeOption {
	return func(i *invocation) { i.cognitoIdentity = json }
}

// WithTenantID sets the tenant id header. Default: none.
func WithTenantID(id string) InvokeOption { return func(i *invocation) { i.tenantID = id } }

// invocation is one Invoke call on its way through the server.
type invocation struct {
	payload         []byte
	requestID       string
	trace           string
	arn             string
	deadline        time.Time
	clientContext   string
	cognitoIdentity string
	tenantID        string

	done   chan Result // buffered: the answer, delivered once
	queued bool        // guarded by Server.mu: still in the queue
}

// poller is one held GET /next waiting for an invocation.
type poller struct {
	got chan *invocation // buffered: the invocation assigned to it
}

// Server is a Lambda Runtime API listening on 127.0.0.1.
type Server struct {
	ln   net.Listener
	http *http.Server

	mu         sync.Mutex
	closed     bool
	held       bool
	queue      []*invocation
	pollers    []*poller
	inFlight   map[string]*invocation
	stats      Stats
	initErrors []InitError
	changed    chan struct{} // closed and replaced on every change, for the Wait methods

	done      chan struct{} // closed by Close
	serveDone chan struct{}
}

// Start starts a server on 127.0.0.1 on a free port.
func Start() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtimeapi: listen: %w", err)
	}
	s := &Server{
		ln:        ln,
		inFlight:  make(map[string]*invocation),
		changed:   make(chan struct{}),
		done:      make(chan struct{}),
		serveDone: make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+apiPrefix+"invocation/next", s.handleNext)
	mux.HandleFunc("POST "+apiPrefix+"invocation/{id}/response", s.handleResponse)
	mux.HandleFunc("POST "+apiPrefix+"invocation/{id}/error", s.handleError)
	mux.HandleFunc("POST "+apiPrefix+"init/error", s.handleInitError)
	s.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.serveDone)
		_ = s.http.Serve(ln)
	}()
	return s, nil
}

// Addr is the host:port to put in AWS_LAMBDA_RUNTIME_API.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the server: held GET /next requests are cut, and every Invoke still waiting returns
// ErrClosed.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.queue = nil
	s.inFlight = map[string]*invocation{}
	s.notifyLocked()
	close(s.done)
	s.mu.Unlock()
	err := s.http.Close()
	<-s.serveDone
	return err
}

// Invoke queues payload as one invocation and blocks until the function answers it, ctx ends or the
// server closes. A function error is not an error of Invoke: it is a Result with ErrorType set.
func (s *Server) Invoke(ctx context.Context, payload []byte, opts ...InvokeOption) (Result, error) {
	if len(payload) > MaxPayloadBytes {
		return Result{}, fmt.Errorf("%w: %d bytes, the limit is %d", ErrPayloadTooLarge, len(payload), MaxPayloadBytes)
	}
	inv := &invocation{payload: bytes.Clone(payload), arn: DefaultFunctionARN, done: make(chan Result, 1)}
	for _, opt := range opts {
		opt(inv)
	}
	if inv.requestID == "" {
		inv.requestID = newRequestID()
	}
	if inv.trace == "" {
		inv.trace = newTraceHeader(time.Now())
	}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return Result{}, ErrClosed
	}
	if _, dup := s.inFlight[inv.requestID]; dup || s.queuedLocked(inv.requestID) {
		s.mu.Unlock()
		return Result{}, fmt.Errorf("runtimeapi: request id %q is already pending", inv.requestID)
	}
	inv.queued = true
	s.queue = append(s.queue, inv)
	s.stats.Queued = len(s.queue)
	s.dispatchLocked()
	s.mu.Unlock()

	select {
	case r := <-inv.done:
		return r, nil
	case <-ctx.Done():
		s.abandon(inv)
		return Result{}, ctx.Err()
	case <-s.done:
		select {
		case r := <-inv.done: // answered just before Close
			return r, nil
		default:
			return Result{}, ErrClosed
		}
	}
}

func (s *Server) queuedLocked(id string) bool {
	for _, q := range s.queue {
		if q.requestID == id {
			return true
		}
	}
	return false
}

// abandon forgets an invocation whose caller gave up: removed from the queue if still there, otherwise
// its answer, when it comes, is accepted and dropped.
func (s *Server) abandon(inv *invocation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if inv.queued {
		s.removeQueuedLocked(inv)
	}
}

func (s *Server) removeQueuedLocked(inv *invocation) {
	for i, q := range s.queue {
		if q == inv {
			s.queue = append(s.queue[:i], s.queue[i+1:]...)
			break
		}
	}
	inv.queued = false
	s.stats.Queued = len(s.queue)
	s.notifyLocked()
}

// Hold stops handing out invocations: Invoke queues them until Release.
func (s *Server) Hold() {
	s.mu.Lock()
	s.held = true
	s.mu.Unlock()
}

// Release resumes handing out invocations. Every poller waiting now gets a queued invocation at once,
// under one lock, so with n pollers waiting and at least n invocations queued, n are in flight together
// before the function can answer any of them.
func (s *Server) Release() {
	s.mu.Lock()
	s.held = false
	s.dispatchLocked()
	s.mu.Unlock()
}

// dispatchLocked pairs queued invocations with waiting pollers, oldest first, unless held, then updates
// the stats and wakes the waiters.
func (s *Server) dispatchLocked() {
	for !s.held && !s.closed && len(s.queue) > 0 && len(s.pollers) > 0 {
		inv, p := s.queue[0], s.pollers[0]
		s.queue, s.pollers = s.queue[1:], s.pollers[1:]
		inv.queued = false
		if inv.deadline.IsZero() {
			inv.deadline = time.Now().Add(DefaultTimeout)
		}
		s.inFlight[inv.requestID] = inv
		s.stats.HandedOut++
		p.got <- inv
	}
	s.stats.Queued = len(s.queue)
	s.stats.Pollers = len(s.pollers)
	s.stats.InFlight = len(s.inFlight)
	s.stats.MaxInFlight = max(s.stats.MaxInFlight, s.stats.InFlight)
	s.notifyLocked()
}

func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Stats returns the counters as they are now.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.InitErrors = len(s.initErrors)
	return st
}

// InitErrors returns the init errors the function reported, oldest first.
func (s *Server) InitErrors() []InitError {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]InitError(nil), s.initErrors...)
}

// WaitPollers blocks until at least n GET /next requests are held at once.
func (s *Server) WaitPollers(ctx context.Context, n int) error {
	return s.Wait(ctx, func(st Stats) bool { return st.Pollers >= n })
}

// WaitQueued blocks until at least n invocations are queued.
func (s *Server) WaitQueued(ctx context.Context, n int) error {
	return s.Wait(ctx, func(st Stats) bool { return st.Queued >= n })
}

// WaitInitErrors blocks until the function reported at least n init errors.
func (s *Server) WaitInitErrors(ctx context.Context, n int) error {
	return s.Wait(ctx, func(st Stats) bool { return st.InitErrors >= n })
}

// Wait blocks until cond holds for the server's Stats, ctx ends (an error saying what the stats were) or
// the server closes (ErrClosed).
func (s *Server) Wait(ctx context.Context, cond func(Stats) bool) error {
	for {
		s.mu.Lock()
		st := s.stats
		st.InitErrors = len(s.initErrors)
		closed, changed := s.closed, s.changed
		s.mu.Unlock()
		if cond(st) {
			return nil
		}
		if closed {
			return ErrClosed
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("runtimeapi: waiting (now %+v): %w", st, ctx.Err())
		}
	}
}

// handleNext holds the request until an invocation is assigned to it, then writes the invocation.
func (s *Server) handleNext(w http.ResponseWriter, r *http.Request) {
	p := &poller{got: make(chan *invocation, 1)}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		writeAPIError(w, http.StatusGone, "ServerClosed", "the runtime API is closed")
		return
	}
	s.pollers = append(s.pollers, p)
	s.stats.Pollers = len(s.pollers)
	s.stats.MaxPollers = max(s.stats.MaxPollers, s.stats.Pollers)
	s.dispatchLocked()
	s.mu.Unlock()

	select {
	case inv := <-p.got:
		writeInvocation(w, inv)
	case <-r.Context().Done():
		s.dropPoller(p)
	}
}

// dropPoller forgets a poller whose connection went away. An invocation already assigned to it goes back
// to the head of the queue, so no invocation is lost.
func (s *Server) dropPoller(p *poller) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, q := range s.pollers {
		if q == p {
			s.pollers = append(s.pollers[:i], s.pollers[i+1:]...)
			break
		}
	}
	select {
	case inv := <-p.got:
		if !s.closed {
			delete(s.inFlight, inv.requestID)
			s.stats.HandedOut--
			inv.queued = true
			s.queue = append([]*invocation{inv}, s.queue...)
		}
	default:
	}
	s.stats.Pollers = len(s.pollers)
	s.stats.InFlight = len(s.inFlight)
	s.dispatchLocked()
}

func writeInvocation(w http.ResponseWriter, inv *invocation) {
	h := w.Header()
	h.Set(HeaderRequestID, inv.requestID)
	h.Set(HeaderDeadlineMS, strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set(HeaderInvokedFunctionARN, inv.arn)
	h.Set(HeaderTraceID, inv.trace)
	if inv.clientContext != "" {
		h.Set(HeaderClientContext, inv.clientContext)
	}
	if inv.cognitoIdentity != "" {
		h.Set(HeaderCognitoIdentity, inv.cognitoIdentity)
	}
	if inv.tenantID != "" {
		h.Set(HeaderTenantID, inv.tenantID)
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(inv.payload)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inv.payload)
}

// handleResponse takes a success answer. aws-lambda-go streams the body and, when reading its response
// fails midway, reports the failure in the Function-Error-Type/Body trailers: that answer is an error.
func (s *Server) handleResponse(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	res := Result{RequestID: r.PathValue("id"), Body: body, ContentType: r.Header.Get("Content-Type")}
	if typ := r.Trailer.Get(HeaderFunctionErrorType); typ != "" {
		res.ErrorType = typ
		res.Body = nil
		if b64 := r.Trailer.Get(HeaderFunctionErrorBody); b64 != "" {
			if dec, err := base64.StdEncoding.DecodeString(b64); err == nil {
				res.Body = dec
			}
		}
		res.ContentType = "application/json"
	}
	s.answer(w, res)
}

// handleError takes an error answer: a JSON body {"errorMessage","errorType","stackTrace"}, the type also
// in the optional Lambda-Runtime-Function-Error-Type header.
func (s *Server) handleError(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	res := Result{
		RequestID:      r.PathValue("id"),
		Body:           body,
		ContentType:    r.Header.Get("Content-Type"),
		ErrorType:      errorType(r.Header.Get(HeaderFunctionErrorType), body),
		XRayErrorCause: r.Header.Get(HeaderXRayErrorCause),
	}
	s.answer(w, res)
}

func (s *Server) handleInitError(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	s.initErrors = append(s.initErrors, InitError{ErrorType: errorType(r.Header.Get(HeaderFunctionErrorType), body), Body: body})
	s.notifyLocked()
	s.mu.Unlock()
	writeAccepted(w)
}

// errorType is the header's type, else the body's errorType, else "Unhandled" as Lambda reports it.
func errorType(header string, body []byte) string {
	if header != "" {
		return header
	}
	var fe FunctionError
	if json.Unmarshal(body, &fe) == nil && fe.Type != "" {
		return fe.Type
	}
	return "Unhandled"
}

// answer completes the in-flight invocation res belongs to.
func (s *Server) answer(w http.ResponseWriter, res Result) {
	s.mu.Lock()
	inv, ok := s.inFlight[res.RequestID]
	if ok {
		delete(s.inFlight, res.RequestID)
		s.stats.Answered++
		s.stats.InFlight = len(s.inFlight)
		s.notifyLocked()
	}
	s.mu.Unlock()
	if !ok {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequestID", "no invocation "+strconv.Quote(res.RequestID)+" is in flight")
		return
	}
	inv.done <- res
	writeAccepted(w)
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxResponseBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeAPIError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "body larger than "+strconv.Itoa(MaxResponseBytes)+" bytes")
			return nil, false
		}
		writeAPIError(w, http.StatusBadRequest, "InvalidBody", err.Error())
		return nil, false
	}
	return body, true
}

func writeAccepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func writeAPIError(w http.ResponseWriter, status int, typ, msg string) {
	b, _ := json.Marshal(FunctionError{Type: typ, Message: msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// newRequestID returns a random UUID (version 4), the shape of Lambda request ids.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// newTraceHeader returns an X-Ray trace header with a fresh root and parent, not sampled.
func newTraceHeader(now time.Time) string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	var sb strings.Builder
	sb.WriteString("Root=1-")
	sb.WriteString(strconv.FormatInt(now.Unix(), 16))
	sb.WriteString("-")
	sb.WriteString(h[:24])
	sb.WriteString(";Parent=")
	sb.WriteString(h[24:40])
	sb.WriteString(";Sampled=0")
	return sb.String()
}
