// Package eventbody reads the body of the HTTP-shaped Lambda events: API Gateway REST (v1) and HTTP (v2)
// proxy events, ALB target events, Function URL events and VPC Lattice events (v2 writes
// "isBase64Encoded", v1 "is_base64_encoded"). Each carries its body as the top-level string "body",
// base64-encoded when the flag says so. The validation and parser subpackages both read bodies through
// it, so both honour the flag the same way.
package eventbody

import (
	"encoding/json"

	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/internal/jsonscan"
)

// flagKeys are the spellings of the base64 flag.
func isFlagKey(key []byte) bool {
	return string(key) == "isBase64Encoded" || string(key) == "is_base64_encoded"
}

// Base64 reports whether event is a JSON object whose top-level base64 flag is true. It scans the text
// without decoding it and allocates nothing.
func Base64(event []byte) bool {
	sc := jsonscan.Scanner{B: event}
	flag := false
	jsonscan.Object(&sc, func(key []byte) bool {
		if !isFlagKey(key) {
			return sc.Skip(1)
		}
		sc.WS()
		start := sc.I
		if !sc.Skip(1) {
			return false
		}
		flag = string(sc.B[start:sc.I]) == "true" // the last one wins, as in encoding/json
		return true
	})
	return flag
}

// Body returns the body of an HTTP-shaped event, base64-decoded (as powertools_base64 decodes) when the
// flag is true; found is false when the event has no string body. Errors are *powertools.DecodeError:
// an event that is not a JSON object, or a body that is not base64.
func Body(event []byte) (body []byte, found bool, err error) {
	var ev struct {
		Body        *string `json:"body"`
		Base64      bool    `json:"isBase64Encoded"`
		Base64Snake bool    `json:"is_base64_encoded"`
	}
	if err := json.Unmarshal(event, &ev); err != nil {
		return nil, false, &powertools.DecodeError{Step: "json", Err: err}
	}
	if ev.Body == nil {
		return nil, false, nil
	}
	if !ev.Base64 && !ev.Base64Snake {
		return []byte(*ev.Body), true, nil
	}
	b, err := powertools.DecodeBase64(*ev.Body)
	if err != nil {
		return nil, true, err
	}
	return b, true, nil
}

// Decoded returns event with its body base64-decoded in place and the flag set to false, so that an
// envelope reading "body" sees the text the client sent; changed is false (and event returned as is)
// when the flag is not true or there is no string body.
func Decoded(event []byte) (_ []byte, changed bool, err error) {
	if !Base64(event) {
		return event, false, nil
	}
	body, found, err := Body(event)
	if err != nil || !found {
		return event, false, err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(event, &top); err != nil {
		return nil, false, &powertools.DecodeError{Step: "json", Err: err}
	}
	text, err := json.Marshal(string(body))
	if err != nil {
		return nil, false, &powertools.DecodeError{Step: "json", Err: err}
	}
	top["body"] = text
	for _, k := range []string{"isBase64Encoded", "is_base64_encoded"} {
		if _, ok := top[k]; ok {
			top[k] = json.RawMessage("false")
		}
	}
	out, err := json.Marshal(top)
	if err != nil {
		return nil, false, &powertools.DecodeError{Step: "json", Err: err}
	}
	return out, true, nil
}
