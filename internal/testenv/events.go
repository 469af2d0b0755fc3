package testenv

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"
)

// EventFixture reads one of the event fixtures the JMESPath, validation and parser tests share (API
// Gateway, SQS, SNS, Kinesis...): validation/testdata/<name>, where the validation tests keep them up to
// date.
func EventFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(RepoRoot(), "validation", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Gzip64 is what CloudWatch Logs puts in awslogs.data: doc gzipped, then base64-encoded.
func Gzip64(t testing.TB, doc []byte) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(doc); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// Order is the payload most event fixtures carry; its schema comes from the struct tags. The validation
// and parser tests share it.
type Order struct {
	ID       string   `json:"id" jsonschema:"minLength=1,pattern=^ord-[0-9]+$"`
	Quantity int      `json:"quantity" jsonschema:"minimum=1,maximum=100"`
	Price    float64  `json:"price" jsonschema:"exclusiveMinimum=0"`
	Customer Customer `json:"customer"`
	Items    []Item   `json:"items,omitempty"`
}

// Customer is an Order's customer.
type Customer struct {
	Email string `json:"email" jsonschema:"format=email"`
}

// Item is one line of an Order.
type Item struct {
	SKU   string `json:"sku"`
	Count int    `json:"count" jsonschema:"minimum=1"`
}
