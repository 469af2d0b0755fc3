package powertools_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tracing end-to-end tests run a traced function (testdata/rie/tracefn) under the real Lambda Runtime
// Interface Emulator, invoked over HTTP with an X-Amzn-Trace-Id header, with a UDP listener standing in
// for the X-Ray daemon. They need the emulator binary: $RIE, or .tools/bin/aws-lambda-rie, which
// scripts/test.sh installs; without it they are skipped.
//
// What they pin down (issue 12, point 11):
//   - in its default mode the emulator does not forward the invoke request's X-Amzn-Trace-Id: the
//     Runtime API answers GET /next without Lambda-Runtime-Trace-Id (its no-op tracer builds that header
//     from values it never sets), so aws-lambda-go has no trace header, nothing can be traced, and debug
//     mode says so;
//   - in its Lambda Managed Instances mode (AWS_LAMBDA_MAX_CONCURRENCY set, the bootstrap in /var/task as
//     in a container image) the header is forwarded, and the function sends its trace to the daemon and
//     logs xray_trace_id.

const (
	rieTraceRoot   = "1-5759e988-bd862e3fe1be46a994272793"
	rieTraceHeader = "Root=" + rieTraceRoot + ";Parent=53995c3f42cd8ad8;Sampled=1"
)

func TestEndToEndEmulatorTracing(t *testing.T) {
	rie := e2eEmulator(t)
	fn := e2eBuild(t, "./testdata/rie/tracefn")

	t.Run("default mode drops the header", func(t *testing.T) {
		daemon := rieDaemon(t)
		run := rieStart(t, rie, fn, false, daemon, "POWERTOOLS_DEBUG=true")
		body := run.invoke(t, rieTraceHeader, `{"name":"Ada"}`)
		assert.Equal(t, `"hello Ada"`, body)
		daemon.expectNothing(t)
		line := run.logLine(t, "greeted")
		assert.NotContains(t, line, "xray_trace_id", "no trace header reached the function")
		assert.Contains(t, run.out.String(), `"reason":"no trace header`, "debug mode says why nothing was traced")
	})

	t.Run("managed instances mode forwards the header", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("this mode runs the bootstrap from /var/task: the test mounts its own /var in a private mount namespace, which needs root")
		}
		if _, err := exec.LookPath("unshare"); err != nil {
			t.Skip("unshare (util-linux) is not installed")
		}
		daemon := rieDaemon(t)
		run := rieStart(t, rie, fn, true, daemon)
		body := run.invoke(t, rieTraceHeader, `{"name":"Grace"}`)
		assert.Equal(t, `"hello Grace"`, body)
		doc := daemon.document(t)
		assert.Equal(t, rieTraceRoot, doc["trace_id"])
		assert.Equal(t, "## handle", doc["name"])
		assert.Equal(t, "subsegment", doc["type"])
		subs, _ := doc["subsegments"].([]any)
		require.Len(t, subs, 1, "%v", doc)
		greet := subs[0].(map[string]any)
		assert.Equal(t, "## greet", greet["name"])
		assert.Equal(t, map[string]any{"name": "Grace"}, greet["annotations"])
		var line map[string]any
		require.NoError(t, json.Unmarshal([]byte(run.logLine(t, "greeted")), &line))
		assert.Equal(t, rieTraceRoot, line["xray_trace_id"])
	})
}

// rieUDP is a stand-in X-Ray daemon on 127.0.0.1.
type rieUDP struct{ conn *net.UDPConn }

func rieDaemon(t *testing.T) *rieUDP {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return &rieUDP{conn: conn}
}

func (d *rieUDP) read(t *testing.T, within time.Duration) []byte {
	t.Helper()
	require.NoError(t, d.conn.SetReadDeadline(time.Now().Add(within)))
	buf := make([]byte, 1<<16)
	n, err := d.conn.Read(buf)
	require.NoError(t, err, "no datagram")
	return buf[:n]
}

// document reads one datagram and decodes its segment document.
func (d *rieUDP) document(t *testing.T) map[string]any {
	t.Helper()
	b := d.read(t, 20*time.Second)
	header, doc, ok := bytes.Cut(b, []byte("\n"))
	require.True(t, ok, "%q", b)
	assert.JSONEq(t, `{"format":"json","version":1}`, string(header))
	var m map[string]any
	require.NoError(t, json.Unmarshal(doc, &m), "%s", doc)
	return m
}

// expectNothing checks nothing was sent: the function sends its trace before it answers, so a datagram
// would be queued ahead of a sentinel sent now.
func (d *rieUDP) expectNothing(t *testing.T) {
	t.Helper()
	c, err := net.Dial("udp", d.conn.LocalAddr().String())
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Write([]byte("sentinel"))
	require.NoError(t, err)
	assert.Equal(t, "sentinel", string(d.read(t, 10*time.Second)), "a trace was sent")
}

type rieRun struct {
	addr string
	out  syncBuffer // the emulator's output, the function's stdout and stderr included
}

// rieStart runs the emulator with the function, in its default mode or in its Lambda Managed Instances
// mode, on loopback ports, with an environment of its own plus env.
func rieStart(t *testing.T, rie, fn string, managed bool, daemon *rieUDP, env ...string) *rieRun {
	t.Helper()
	run := &rieRun{addr: "127.0.0.1:" + strconv.Itoa(rieFreePort(t))}
	api := "127.0.0.1:" + strconv.Itoa(rieFreePort(t))
	base := []string{
		"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "AWS_REGION=eu-west-1",
		"AWS_LAMBDA_FUNCTION_NAME=tracefn", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128", "AWS_LAMBDA_FUNCTION_TIMEOUT=30",
		"POWERTOOLS_SERVICE_NAME=greeter", "AWS_XRAY_DAEMON_ADDRESS=" + daemon.conn.LocalAddr().String(),
	}
	var cmd *exec.Cmd
	if managed {
		// The emulator's managed mode only runs /var/runtime/bootstrap, /var/task/bootstrap or /opt/bootstrap
		// with /var/task as working directory: a private mount namespace gets a /var of its own for it.
		script := `mount -t tmpfs tmpfs /var && mkdir -p /var/task && cp "$TEST_FN" /var/task/bootstrap && ` +
			`exec "$TEST_RIE" --runtime-interface-emulator-address "$TEST_ADDR" --runtime-api-address "$TEST_API" --log-level warn`
		cmd = exec.Command("unshare", "-m", "--propagation", "private", "sh", "-c", script)
		base = append(base, "AWS_LAMBDA_MAX_CONCURRENCY=1", "TEST_FN="+fn, "TEST_RIE="+rie, "TEST_ADDR="+run.addr, "TEST_API="+api)
	} else {
		cmd = exec.Command(rie, "--runtime-interface-emulator-address", run.addr, "--runtime-api-address", api,
			"--log-level", "warn", fn)
	}
	cmd.Env = append(base, env...)
	cmd.Dir = t.TempDir()
	cmd.Stdout, cmd.Stderr = &run.out, &run.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		if t.Failed() {
			t.Logf("emulator output:\n%s", run.out.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if c, err := net.DialTimeout("tcp", run.addr, time.Second); err == nil {
			c.Close()
			return run
		}
		select {
		case <-done:
			t.Fatalf("the emulator exited:\n%s", run.out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the emulator did not listen on %s:\n%s", run.addr, run.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// invoke posts an invoke request with the trace header and returns the answer's body.
func (r *rieRun) invoke(t *testing.T, traceHeader, payload string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(e2eContext(t), http.MethodPost,
		"http://"+r.addr+"/2015-03-31/functions/function/invocations", strings.NewReader(payload))
	require.NoError(t, err)
	req.Header.Set("X-Amzn-Trace-Id", traceHeader)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
	return string(body)
}

// logLine waits for the function's JSON log line with this message and returns it.
func (r *rieRun) logLine(t *testing.T, message string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		sc := bufio.NewScanner(strings.NewReader(r.out.String()))
		for sc.Scan() {
			line := sc.Text()
			if i := strings.IndexByte(line, '{'); i >= 0 {
				var m map[string]any
				if json.Unmarshal([]byte(line[i:]), &m) == nil && m["message"] == message {
					return line[i:]
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line %q in:\n%s", message, r.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func rieFreePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
