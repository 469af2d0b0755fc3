package runtimeapi

import "testing"

// FuzzErrorType: whatever error body and header a function sends, the answer gets a non-empty error type
// (the header, else the body's errorType, else "Unhandled") and decoding it never panics.
func FuzzErrorType(f *testing.F) {
	f.Add("", []byte(`{"errorMessage":"boom","errorType":"MyError"}`))
	f.Add("Runtime.Custom", []byte(`{"errorMessage":"boom"}`))
	f.Add("", []byte(`{"errorType":""}`))
	f.Add("", []byte(`[1,2]`))
	f.Add("", []byte(`{"errorType":7}`))
	f.Add("", []byte{0xff, 0xfe})
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		typ := errorType(header, body)
		if typ == "" {
			t.Fatal("empty error type")
		}
		if header != "" && typ != header {
			t.Fatalf("header %q lost to %q", header, typ)
		}
		fe, err := Result{ErrorType: typ, Body: body}.FunctionError()
		if err == nil && fe == nil {
			t.Fatal("a failed result decoded to nothing")
		}
		if err == nil && fe.Type != "" && fe.Type != typ && header == "" {
			t.Fatalf("body type %q but answer type %q", fe.Type, typ)
		}
	})
}
