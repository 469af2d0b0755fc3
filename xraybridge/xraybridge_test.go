package xraybridge_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"testing"
	"time"

	"github.com/aws/aws-xray-sdk-go/xray"
	"github.com/aws/aws-xray-sdk-go/xraylog"
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/xraybridge"
)

const (
	root   = "1-5759e988-bd862e3fe1be46a994272793"
	parent = "53995c3f42cd8ad8"
)

type doc struct {
	Name        string `json:"name"`
	ID          string `json:"id"`
	TraceID     string `json:"trace_id"`
	ParentID    string `json:"parent_id"`
	Type        string `json:"type"`
	Subsegments []doc  `json:"subsegments"`
}

func TestXRaySubsegmentsNestUnderPowertools(t *testing.T) {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	addr := conn.LocalAddr().String()
	xray.SetLogger(xraylog.NullLogger)
	if err := xray.Configure(xray.Config{DaemonAddr: addr}); err != nil {
		t.Fatal(err)
	}
	app, err := powertools.New(powertools.WithEnv(map[string]string{"AWS_XRAY_DAEMON_ADDRESS": addr}),
		powertools.WithTracer(), powertools.WithMiddleware(xraybridge.Middleware))
	if err != nil {
		t.Fatal(err)
	}
	h := powertools.WrapFunc(app, func(ctx context.Context, _ struct{}) (string, error) {
		if err := xray.Capture(ctx, "legacy-handler-level", func(context.Context) error { return nil }); err != nil {
			return "", err
		}
		return "ok", powertools.Tracer(ctx).Capture("ours", func(ctx context.Context) error {
			return xray.Capture(xraybridge.Context(ctx), "legacy-in-ours", func(context.Context) error { return nil })
		})
	})
	//lint:ignore SA1029 aws-lambda-go's runtime loop passes the trace header under this string key
	ctx := context.WithValue(context.Background(), "x-amzn-trace-id",
		"Root="+root+";Parent="+parent+";Sampled=1")
	if _, err := h.Invoke(ctx, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}

	docs := map[string]doc{}
	buf := make([]byte, 1<<16)
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for len(docs) < 3 {
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("got %d documents: %v", len(docs), err)
		}
		_, body, _ := bytes.Cut(buf[:n], []byte("\n"))
		var d doc
		if err := json.Unmarshal(body, &d); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		docs[d.Name] = d
	}
	top, ok := docs["## TestXRaySubsegmentsNestUnderPowertools.func1"]
	if !ok || top.ParentID != parent {
		t.Fatalf("handler subsegment missing or misparented: %+v", docs)
	}
	if len(top.Subsegments) != 1 || top.Subsegments[0].Name != "ours" {
		t.Fatalf("want our Capture inline: %+v", top.Subsegments)
	}
	for name, wantParent := range map[string]string{
		"legacy-handler-level": top.ID,
		"legacy-in-ours":       top.Subsegments[0].ID,
	} {
		d, ok := docs[name]
		if !ok {
			t.Fatalf("no document for %s", name)
		}
		if d.TraceID != root || d.ParentID != wantParent || d.Type != "subsegment" {
			t.Errorf("%s: trace %s parent %s type %s, want trace %s parent %s", name, d.TraceID, d.ParentID, d.Type, root, wantParent)
		}
	}
}

func TestContextOutsideTrace(t *testing.T) {
	ctx := context.Background()
	if xraybridge.Context(ctx) != ctx {
		t.Fatal("an untraced context must be returned unchanged")
	}
}
