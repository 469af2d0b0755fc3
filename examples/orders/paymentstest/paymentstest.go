// Package paymentstest is a fake payment provider API for the tests of examples/orders: an HTTP server on
// 127.0.0.1 speaking the protocol the function's httpGateway calls. It records every charge request with
// the X-Ray trace header it carried.
package paymentstest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
)

// DeclinedToken is the payment token the server declines (402), as the function's sandbox does.
const DeclinedToken = "tok_chargeDeclined"

// UnavailableToken is a payment token the server answers with 503, as a provider having an outage.
const UnavailableToken = "tok_unavailable"

// Charge is one request the server received.
type Charge struct {
	IdempotencyKey string
	TraceHeader    string // X-Amzn-Trace-Id
	Authorization  string // the Authorization header ("Bearer <API key>")
	OrderID        string `json:"order_id"`
	Source         string `json:"source"`
	Amount         int64  `json:"amount"`
	Currency       string `json:"currency"`
	Status         int    // the status answered
}

// Server is the fake provider. Close it when done.
type Server struct {
	*httptest.Server
	mu      sync.Mutex
	charges []Charge
	ids     map[string]string // idempotency key -> charge id
}

// NewServer starts a Server on 127.0.0.1. POST /v1/charges answers 201 {"id": "ch_<n>"} (the same id
// again for a key already seen), 402 for DeclinedToken, 503 for UnavailableToken and 400 for a request
// without an Idempotency-Key or with a body that is not a charge.
func NewServer() *Server {
	s := &Server{ids: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/charges", s.charge)
	s.Server = httptest.NewServer(mux)
	return s
}

// Charges returns the requests received so far, in order.
func (s *Server) Charges() []Charge {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Charge(nil), s.charges...)
}

func (s *Server) charge(w http.ResponseWriter, r *http.Request) {
	c := Charge{IdempotencyKey: r.Header.Get("Idempotency-Key"), TraceHeader: r.Header.Get("X-Amzn-Trace-Id"),
		Authorization: r.Header.Get("Authorization")}
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&c)
	s.mu.Lock()
	defer s.mu.Unlock()
	var answer any
	switch {
	case err != nil || c.IdempotencyKey == "" || c.Amount <= 0:
		c.Status, answer = http.StatusBadRequest, map[string]string{"error": "bad request"}
	case c.Source == DeclinedToken:
		c.Status, answer = http.StatusPaymentRequired, map[string]string{"error": "card_declined"}
	case c.Source == UnavailableToken:
		c.Status, answer = http.StatusServiceUnavailable, map[string]string{"error": "unavailable"}
	default:
		id, ok := s.ids[c.IdempotencyKey]
		if !ok {
			id = "ch_" + c.IdempotencyKey
			s.ids[c.IdempotencyKey] = id
		}
		c.Status, answer = http.StatusCreated, map[string]string{"id": id}
	}
	s.charges = append(s.charges, c)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(c.Status)
	_ = json.NewEncoder(w).Encode(answer)
}
