package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gopowertools/powertools/internal/runtimeapi"
	"github.com/gopowertools/powertools/powertoolstest"
)

// options are the command line's flags.
type options struct {
	n, c       int
	json       bool
	env        []string
	timeout    time.Duration
	name       string
	memory     int
	noTrace    bool
	functionIn string   // the package to build
	events     []string // event files
}

const usage = `usage: powertools-local [flags] ./path/to/fn event.json...

Builds the function for this machine, runs it against an in-process Lambda Runtime API on 127.0.0.1 and
invokes it with each event file, printing the response, log lines, metrics and trace of each invocation.

flags:
`

type envFlag []string

func (e *envFlag) String() string { return strings.Join(*e, ",") }
func (e *envFlag) Set(v string) error {
	if k, _, ok := strings.Cut(v, "="); !ok || k == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", v)
	}
	*e = append(*e, v)
	return nil
}

func parseArgs(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("powertools-local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	fs.IntVar(&o.n, "n", 1, "invoke with each event `N` times")
	fs.IntVar(&o.c, "c", 1, "run up to `C` invocations at once (sets AWS_LAMBDA_MAX_CONCURRENCY when > 1)")
	fs.BoolVar(&o.json, "json", false, "print one JSON object per invocation instead of the readable form")
	fs.Var((*envFlag)(&o.env), "env", "set `KEY=VALUE` in the function's environment (repeatable)")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "the function's timeout: each invocation's deadline")
	fs.StringVar(&o.name, "name", "", "AWS_LAMBDA_FUNCTION_NAME (default: the package directory's name)")
	fs.IntVar(&o.memory, "memory", 128, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE, in MB")
	fs.BoolVar(&o.noTrace, "no-trace", false, "send an unsampled trace header (the function sends no trace)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	rest := fs.Args()
	if len(rest) < 2 {
		fs.Usage()
		return o, errors.New("a function package and at least one event file are needed")
	}
	if o.n < 1 || o.c < 1 {
		return o, errors.New("-n and -c must be at least 1")
	}
	if o.timeout <= 0 {
		return o, errors.New("-timeout must be positive")
	}
	o.functionIn, o.events = rest[0], rest[1:]
	if o.name == "" {
		abs, err := filepath.Abs(o.functionIn)
		if err != nil {
			return o, err
		}
		o.name = filepath.Base(abs)
	}
	return o, nil
}

// run is the whole command; it returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "powertools-local:", err)
		return 2
	}
	events := make([]event, 0, len(o.events))
	for _, path := range o.events {
		b, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(stderr, "powertools-local:", err)
			return 2
		}
		if !json.Valid(b) {
			fmt.Fprintf(stderr, "powertools-local: %s is not valid JSON\n", path)
			return 2
		}
		events = append(events, event{path: path, payload: b})
	}

	dir, err := os.MkdirTemp("", "powertools-local-")
	if err != nil {
		fmt.Fprintln(stderr, "powertools-local:", err)
		return 2
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "bootstrap")
	if err := build(ctx, o.functionIn, bin, stderr); err != nil {
		fmt.Fprintln(stderr, "powertools-local:", err)
		return 2
	}

	s, err := startSession(ctx, o, bin)
	if err != nil {
		fmt.Fprintln(stderr, "powertools-local:", err)
		return 2
	}
	defer s.close()
	p := newPrinter(stdout, o.json)
	if !o.json {
		fmt.Fprintf(stdout, "%s: built for %s/%s, running against the Runtime API on %s\n", o.functionIn, runtime.GOOS, runtime.GOARCH, s.api.Addr())
	}
	results, failed := s.invokeAll(ctx, events, p)
	p.summary(results, s.shared)
	if err := s.stop(); err != nil && !failed {
		fmt.Fprintln(stderr, "powertools-local:", err)
		return 2
	}
	if s.fatal != nil {
		fmt.Fprintln(stderr, "powertools-local:", s.fatal)
		return 2
	}
	if failed {
		return 1
	}
	return 0
}

type event struct {
	path    string
	payload []byte
}

// build compiles the function's package for the host, as a Lambda custom runtime binary (no RPC mode).
func build(ctx context.Context, pkg, out string, stderr io.Writer) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-o", out, pkg)
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s: %w", pkg, err)
	}
	return nil
}

// session is the running function: its process, the Runtime API it polls and the X-Ray listener.
type session struct {
	o       options
	api     *runtimeapi.Server
	xray    *net.UDPConn
	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error

	out   *outputReader
	mu    sync.Mutex
	docs  map[string][][]byte // trace id -> datagram documents
	marks map[int]chan struct{}

	fatal  error   // the function died or hung: the invocations after it were not made
	shared *result // after concurrent invocations: the output no single one can claim (metric blobs, ...)
}

func startSession(ctx context.Context, o options, bin string) (*session, error) {
	api, err := runtimeapi.Start()
	if err != nil {
		return nil, err
	}
	xray, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		_ = api.Close()
		return nil, fmt.Errorf("X-Ray listener: %w", err)
	}
	_ = xray.SetReadBuffer(4 << 20)
	s := &session{o: o, api: api, xray: xray, exited: make(chan struct{}), docs: map[string][][]byte{}, marks: map[int]chan struct{}{}}
	go s.readXRay()

	r, w, err := os.Pipe()
	if err != nil {
		s.closeServers()
		return nil, err
	}
	s.out = newOutputReader(r, w)
	cmd := exec.Command(bin)
	cmd.Env = functionEnv(o, api.Addr(), xray.LocalAddr().String())
	cmd.Stdout, cmd.Stderr = w, w
	cmd.Dir = filepath.Dir(bin)
	if err := cmd.Start(); err != nil {
		s.closeServers()
		return nil, fmt.Errorf("start the function: %w", err)
	}
	s.cmd = cmd
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	go s.out.read()
	return s, nil
}

// functionEnv is the function's environment: what Lambda sets, then -env.
func functionEnv(o options, api, xray string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.TempDir(),
		"TZ=UTC",
		"LANG=C.UTF-8",
		"AWS_LAMBDA_RUNTIME_API=" + api,
		"AWS_LAMBDA_FUNCTION_NAME=" + o.name,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(o.memory),
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + o.name,
		"AWS_LAMBDA_LOG_STREAM_NAME=local",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_XRAY_DAEMON_ADDRESS=" + xray,
		"AWS_XRAY_CONTEXT_MISSING=LOG_ERROR",
	}
	if o.c > 1 {
		env = append(env, "AWS_LAMBDA_MAX_CONCURRENCY="+strconv.Itoa(o.c))
	}
	return append(env, o.env...)
}

func (s *session) readXRay() {
	buf := make([]byte, 1<<16)
	for {
		n, err := s.xray.Read(buf)
		if err != nil {
			return
		}
		b := buf[:n]
		if m, ok := strings.CutPrefix(string(b), markPrefix); ok {
			k, _ := strconv.Atoi(m)
			s.mu.Lock()
			if ch := s.marks[k]; ch != nil {
				close(ch)
				delete(s.marks, k)
			}
			s.mu.Unlock()
			continue
		}
		seg, err := powertoolstest.ParseDatagram(b)
		if err != nil {
			continue
		}
		_, doc, _ := strings.Cut(string(b), "\n")
		s.mu.Lock()
		s.docs[seg.TraceID] = append(s.docs[seg.TraceID], []byte(doc))
		s.mu.Unlock()
	}
}

// markPrefix starts the datagram the runner sends itself after an invocation: once it arrives, the
// function's datagrams of that invocation (sent before it answered) have been read.
const markPrefix = "powertools-local-mark "

// syncXRay waits for the listener to read everything sent to it before now.
func (s *session) syncXRay(k int) {
	ch := make(chan struct{})
	s.mu.Lock()
	s.marks[k] = ch
	s.mu.Unlock()
	conn, err := net.DialUDP("udp", nil, s.xray.LocalAddr().(*net.UDPAddr))
	if err != nil {
		return
	}
	defer conn.Close()
	_, _ = conn.Write([]byte(markPrefix + strconv.Itoa(k)))
	select {
	case <-ch:
	case <-time.After(2 * time.Second):
	}
}

// result is one invocation as the runner saw it.
type result struct {
	Index      int                       `json:"index"`
	Event      string                    `json:"event"`
	RequestID  string                    `json:"request_id"`
	TraceID    string                    `json:"trace_id,omitempty"`
	ColdStart  bool                      `json:"cold_start"`
	Duration   time.Duration             `json:"-"`
	DurationMS float64                   `json:"duration_ms"`
	Response   json.RawMessage           `json:"response,omitempty"`
	Error      *runtimeapi.FunctionError `json:"error,omitempty"`
	Logs       []json.RawMessage         `json:"logs"`
	Metrics    []json.RawMessage         `json:"metrics"`
	Other      []string                  `json:"other,omitempty"`
	Trace      []json.RawMessage         `json:"trace"`

	segments []*powertoolstest.Segment
	blobs    []powertoolstest.Blob
	logs     []powertoolstest.Log
}

// invokeAll makes the invocations, each event n times, up to c at once, printing each as it ends. It
// reports whether any invocation failed.
func (s *session) invokeAll(ctx context.Context, events []event, p *printer) ([]*result, bool) {
	type job struct {
		idx int
		ev  event
	}
	var jobs []job
	for _, ev := range events {
		for range s.o.n {
			jobs = append(jobs, job{len(jobs), ev})
		}
	}
	results := make([]*result, len(jobs))
	var failed bool
	var mu sync.Mutex
	next := make(chan job)
	var wg sync.WaitGroup
	for range s.o.c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				r, err := s.invoke(ctx, j.idx, j.ev)
				mu.Lock()
				if err != nil {
					if s.fatal == nil {
						s.fatal = err
					}
				} else {
					results[j.idx] = r
					failed = failed || r.Error != nil
					if s.o.c == 1 {
						p.invocation(r)
					}
				}
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		mu.Lock()
		stop := s.fatal != nil
		mu.Unlock()
		if stop || ctx.Err() != nil {
			break
		}
		next <- j
	}
	close(next)
	wg.Wait()
	var done []*result
	for _, r := range results {
		if r != nil {
			done = append(done, r)
		}
	}
	if s.o.c > 1 {
		// Output of concurrent invocations: log lines by request id; other lines and metric blobs cannot be
		// told apart, so each invocation shows its own logs and trace, and the rest comes at the end.
		s.attributeConcurrent(done)
		for _, r := range done {
			p.invocation(r)
		}
	}
	return done, failed
}

// invoke makes one invocation and collects what it wrote.
func (s *session) invoke(ctx context.Context, idx int, ev event) (*result, error) {
	root := fmt.Sprintf("1-%08x-%024x", time.Now().Unix(), idx+1)
	header := "Root=" + root + fmt.Sprintf(";Parent=%016x;Sampled=1", 0x53995c3f00000000+idx+1)
	if s.o.noTrace {
		header = "Root=" + root + ";Sampled=0"
	}
	ictx, cancel := context.WithTimeout(ctx, s.o.timeout+5*time.Second)
	defer cancel()
	go func() {
		select {
		case <-s.exited:
			cancel()
		case <-ictx.Done():
		}
	}()
	start := time.Now()
	res, err := s.api.Invoke(ictx, ev.payload,
		runtimeapi.WithDeadline(start.Add(s.o.timeout)),
		runtimeapi.WithTraceID(header),
		runtimeapi.WithFunctionARN("arn:aws:lambda:us-east-1:123456789012:function:"+s.o.name))
	elapsed := time.Since(start)
	if err != nil {
		select {
		case <-s.exited:
			s.out.drain()
			return nil, fmt.Errorf("the function exited (%v) during %s; its output:\n%s", s.waitErr, ev.path, strings.Join(s.out.take(), "\n"))
		default:
		}
		return nil, fmt.Errorf("invoke with %s: %w", ev.path, err)
	}
	r := &result{Index: idx, Event: ev.path, RequestID: res.RequestID, Duration: elapsed,
		DurationMS: float64(elapsed.Microseconds()) / 1000, ColdStart: idx == 0}
	if !s.o.noTrace {
		r.TraceID = root
	}
	if res.Failed() {
		fe, derr := res.FunctionError()
		if derr != nil || fe == nil {
			fe = &runtimeapi.FunctionError{Type: res.ErrorType, Message: string(res.Body)}
		}
		r.Error = fe
	} else if json.Valid(res.Body) {
		r.Response = res.Body
	} else {
		r.Response, _ = json.Marshal(string(res.Body))
	}
	if s.o.c == 1 {
		s.out.mark()
		s.classify(r, s.out.take())
	}
	if r.TraceID != "" {
		s.syncXRay(idx)
		s.collectTrace(r)
	}
	return r, nil
}

// classify sorts an invocation's output lines into log lines, metric blobs and other output.
func (s *session) classify(r *result, lines []string) {
	for _, line := range lines {
		if b, err := powertoolstest.ParseBlob(line); err == nil {
			r.blobs = append(r.blobs, b)
			r.Metrics = append(r.Metrics, json.RawMessage(line))
			continue
		}
		if l, err := powertoolstest.ParseLog(line); err == nil && l.Level != "" {
			r.logs = append(r.logs, l)
			r.Logs = append(r.Logs, json.RawMessage(line))
			if v, ok := l.Keys["cold_start"].(bool); ok {
				r.ColdStart = v
			}
			continue
		}
		r.Other = append(r.Other, line)
	}
}

// attributeConcurrent gives each result the log lines carrying its request id; every other line goes to
// the first result, labelled as the output of no invocation in particular.
func (s *session) attributeConcurrent(done []*result) {
	s.out.mark() // every invocation has answered: all their lines come before the marker
	lines := s.out.take()
	byID := map[string]*result{}
	for _, r := range done {
		byID[r.RequestID] = r
	}
	var rest []string
	for _, line := range lines {
		if l, err := powertoolstest.ParseLog(line); err == nil && l.RequestID != "" && byID[l.RequestID] != nil {
			s.classify(byID[l.RequestID], []string{line})
			continue
		}
		rest = append(rest, line)
	}
	if len(rest) > 0 && len(done) > 0 {
		shared := &result{Index: -1, Event: "(concurrent invocations)"}
		s.classify(shared, rest)
		s.shared = shared
	}
}

func (s *session) collectTrace(r *result) {
	s.mu.Lock()
	docs := s.docs[r.TraceID]
	s.mu.Unlock()
	var segs []*powertoolstest.Segment
	for _, d := range docs {
		seg, err := powertoolstest.ParseDatagram(append([]byte(`{"format": "json", "version": 1}`+"\n"), d...))
		if err == nil {
			segs = append(segs, seg)
			r.Trace = append(r.Trace, json.RawMessage(d))
		}
	}
	r.segments = powertoolstest.Assemble(segs)
}

// stop ends the function as Lambda does: SIGTERM, then SIGKILL after 2 s.
func (s *session) stop() error {
	if s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	select {
	case <-s.exited:
		if s.fatal == nil && s.waitErr != nil {
			return fmt.Errorf("the function exited: %v", s.waitErr)
		}
		return nil
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(2 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	return nil
}

func (s *session) closeServers() {
	_ = s.api.Close()
	_ = s.xray.Close()
}

func (s *session) close() {
	_ = s.stop()
	s.closeServers()
	if s.out != nil {
		s.out.close()
	}
}

// outputReader reads the function's standard output and error (one pipe) as lines. The runner keeps the
// pipe's write end too: after a sequential invocation it writes a marker line, which comes after every
// line the function wrote before answering, so the lines up to the marker are that invocation's.
type outputReader struct {
	r, w  *os.File
	mu    sync.Mutex
	cond  *sync.Cond
	lines []string
	marks int // markers read
	sent  int // markers written
	eof   bool
}

const outputMark = "\x00powertools-local-mark\x00"

func newOutputReader(r, w *os.File) *outputReader {
	o := &outputReader{r: r, w: w}
	o.cond = sync.NewCond(&o.mu)
	return o
}

func (o *outputReader) read() {
	sc := bufio.NewScanner(o.r)
	sc.Buffer(make([]byte, 0, 64<<10), 8<<20)
	for sc.Scan() {
		line := sc.Text()
		o.mu.Lock()
		if line == outputMark {
			o.marks++
		} else if strings.TrimSpace(line) != "" {
			o.lines = append(o.lines, line)
		}
		o.cond.Broadcast()
		o.mu.Unlock()
	}
	o.mu.Lock()
	o.eof = true
	o.cond.Broadcast()
	o.mu.Unlock()
}

// mark writes a marker and waits until it is read: every line written before is in o.lines.
func (o *outputReader) mark() {
	o.mu.Lock()
	o.sent++
	want := o.sent
	o.mu.Unlock()
	if _, err := o.w.WriteString(outputMark + "\n"); err != nil {
		return
	}
	o.mu.Lock()
	for o.marks < want && !o.eof {
		o.cond.Wait()
	}
	o.mu.Unlock()
}

// drain waits for the function's output to end (it exited).
func (o *outputReader) drain() {
	_ = o.w.Close()
	o.mu.Lock()
	for !o.eof {
		o.cond.Wait()
	}
	o.mu.Unlock()
}

func (o *outputReader) take() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := o.lines
	o.lines = nil
	return out
}

func (o *outputReader) close() {
	_ = o.w.Close()
	_ = o.r.Close()
}
