// Package awsfake is an in-memory stand-in for SSM Parameter Store, Secrets Manager and AppConfigData,
// speaking their wire protocols (AWS JSON 1.1 for SSM and Secrets Manager: X-Amz-Target, typed error
// shapes, NextToken paging; REST-JSON for AppConfigData: sessions, poll tokens and headers) well enough
// that the real aws-sdk-go-v2 clients run against it unchanged. It counts requests per operation, so
// tests can assert how many calls a cache saved. No emulator exists for these services; this one is
// test-only (and the demo's): nothing in the library imports it.
//
// Behaviour kept from the services: GetParameters takes at most 10 names (ValidationException beyond),
// GetParametersByPath returns pages of at most 10 (MaxResults) with a NextToken, SecureString values
// come back encrypted unless WithDecryption, PutParameter refuses to overwrite without Overwrite,
// PutSecretValue of an unknown secret is ResourceNotFoundException, an AppConfigData token works once
// and expires after 24 hours (BadRequestException), and GetLatestConfiguration answers an empty body
// when the session already has the latest version.
package awsfake

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Operation names as counted: "ssm.GetParameter", "secretsmanager.GetSecretValue",
// "appconfigdata.StartConfigurationSession", "appconfigdata.GetLatestConfiguration"...

// Parameter is one SSM parameter.
type Parameter struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	Type    string `json:"type,omitempty"` // String (default), StringList, SecureString
	Version int64  `json:"-"`
}

// Seed is the initial content of a Server, as the runnable entry reads it from a JSON file.
type Seed struct {
	Parameters []Parameter        `json:"parameters"`
	Secrets    map[string]string  `json:"secrets"`
	AppConfig  []AppConfigProfile `json:"appconfig"`
}

// AppConfigProfile is one deployed configuration profile.
type AppConfigProfile struct {
	Application string `json:"application"`
	Environment string `json:"environment"`
	Profile     string `json:"profile"`
	Content     string `json:"content"`
	ContentType string `json:"content_type,omitempty"`
}

type secret struct {
	str     *string
	bin     []byte
	version string
}

type acProfile struct {
	content     []byte
	contentType string
	version     int
}

type acToken struct {
	profile  string // app/env/profile
	issued   time.Time
	sentVers int // the version the session last delivered
}

// Server is the fake. Its zero value is not usable: use New.
type Server struct {
	mu       sync.Mutex
	now      func() time.Time
	params   map[string]*Parameter
	secrets  map[string]*secret
	profiles map[string]*acProfile
	tokens   map[string]*acToken
	counts   map[string]int
	hold     map[string]chan struct{}
	pageSize int
	agents   []string
	log      io.Writer

	srv  *http.Server
	ln   net.Listener
	addr string
}

// New returns a fake with the content of seed (may be nil), not yet listening; see Start, or use it as
// an http.Handler.
func New(seed *Seed) *Server {
	s := &Server{
		now:      time.Now,
		params:   map[string]*Parameter{},
		secrets:  map[string]*secret{},
		profiles: map[string]*acProfile{},
		tokens:   map[string]*acToken{},
		counts:   map[string]int{},
		hold:     map[string]chan struct{}{},
		pageSize: 10,
	}
	if seed != nil {
		for _, p := range seed.Parameters {
			s.PutParameter(p.Name, p.Value, p.Type)
		}
		for name, v := range seed.Secrets {
			s.PutSecret(name, v)
		}
		for _, p := range seed.AppConfig {
			s.DeployConfiguration(p.Application, p.Environment, p.Profile, p.Content, p.ContentType)
		}
	}
	return s
}

// Start serves s on 127.0.0.1:port (0 for a free one) and returns its endpoint, "http://127.0.0.1:PORT".
func (s *Server) Start(port int) (string, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return "", fmt.Errorf("awsfake: listen: %w", err)
	}
	s.ln = ln
	s.addr = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s.addr, nil
}

// URL is the endpoint Start returned.
func (s *Server) URL() string { return s.addr }

// Close stops serving.
func (s *Server) Close() error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Close()
}

// SetClock replaces the clock token expiry is measured with.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	s.now = now
	s.mu.Unlock()
}

// SetLog makes the server write one line per request to w: "awsfake: <operation> <name>" (never a value).
func (s *Server) SetLog(w io.Writer) {
	s.mu.Lock()
	s.log = w
	s.mu.Unlock()
}

// SetPageSize sets how many parameters a GetParametersByPath page holds when the request gives no
// MaxResults (default 10, the service's).
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	s.pageSize = n
	s.mu.Unlock()
}

// Hold makes requests of op wait (after being counted) until the returned release function is called.
func (s *Server) Hold(op string) (release func()) {
	ch := make(chan struct{})
	s.mu.Lock()
	s.hold[op] = ch
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			delete(s.hold, op)
			s.mu.Unlock()
			close(ch)
		})
	}
}

// Count is how many requests of op the server has received.
func (s *Server) Count(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[op]
}

// Counts is a copy of every operation's count.
func (s *Server) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.counts))
	for k, v := range s.counts {
		out[k] = v
	}
	return out
}

// ResetCounts sets every count to zero.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	s.counts = map[string]int{}
	s.agents = nil
	s.mu.Unlock()
}

// UserAgents are the User-Agent headers of the requests received since the last ResetCounts.
func (s *Server) UserAgents() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.agents)
}

// PutParameter stores (or replaces) a parameter directly.
func (s *Server) PutParameter(name, value, typ string) {
	if typ == "" {
		typ = "String"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v := int64(1)
	if old := s.params[name]; old != nil {
		v = old.Version + 1
	}
	s.params[name] = &Parameter{Name: name, Value: value, Type: typ, Version: v}
}

// Parameter returns a stored parameter.
func (s *Server) Parameter(name string) (Parameter, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.params[name]
	if p == nil {
		return Parameter{}, false
	}
	return *p, true
}

// PutSecret stores (or replaces) a string secret directly.
func (s *Server) PutSecret(name, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.secrets[name] = &secret{str: &value, version: newID()}
}

// PutSecretBinary stores (or replaces) a binary secret directly.
func (s *Server) PutSecretBinary(name string, value []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.secrets[name] = &secret{bin: slices.Clone(value), version: newID()}
}

// Secret returns a stored secret: its string, or its bytes, and whether it is binary.
func (s *Server) Secret(name string) (value string, binary, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.secrets[name]
	if sec == nil {
		return "", false, false
	}
	if sec.str != nil {
		return *sec.str, false, true
	}
	return string(sec.bin), true, true
}

// DeployConfiguration deploys a new version of a configuration profile.
func (s *Server) DeployConfiguration(application, environment, profile, content, contentType string) {
	if contentType == "" {
		contentType = "application/json"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := application + "/" + environment + "/" + profile
	p := s.profiles[key]
	if p == nil {
		p = &acProfile{}
		s.profiles[key] = p
	}
	p.content, p.contentType = []byte(content), contentType
	p.version++
}

// RejectTokens makes every outstanding AppConfigData token invalid, as when they expire.
func (s *Server) RejectTokens() {
	s.mu.Lock()
	s.tokens = map[string]*acToken{}
	s.mu.Unlock()
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// InProcess is an HTTP client whose requests ServeHTTP answers directly, without a socket: for tests
// that run inside a testing/synctest bubble, where a goroutine waiting on the network is not "durably
// blocked" but one waiting in the handler is.
func (s *Server) InProcess() *http.Client {
	return &http.Client{Transport: inProcess{s}}
}

type inProcess struct{ s *Server }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.s.ServeHTTP(rec, r)
	res := rec.Result()
	res.Request = r
	return res, nil
}

// ServeHTTP dispatches by X-Amz-Target (JSON 1.1) or by path (AppConfigData).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, "SerializationException", "cannot read the body")
		return
	}
	target := r.Header.Get("X-Amz-Target")
	var op string
	switch {
	case strings.HasPrefix(target, "AmazonSSM."):
		op = "ssm." + strings.TrimPrefix(target, "AmazonSSM.")
	case strings.HasPrefix(target, "secretsmanager."):
		op = target
	case r.Method == http.MethodPost && r.URL.Path == "/configurationsessions":
		op = "appconfigdata.StartConfigurationSession"
	case r.Method == http.MethodGet && r.URL.Path == "/configuration":
		op = "appconfigdata.GetLatestConfiguration"
	default:
		writeJSONError(w, http.StatusBadRequest, "UnknownOperationException", "unknown operation "+target+" "+r.Method+" "+r.URL.Path)
		return
	}
	s.mu.Lock()
	s.counts[op]++
	s.agents = append(s.agents, r.Header.Get("User-Agent"))
	hold := s.hold[op]
	logTo := s.log
	s.mu.Unlock()
	if logTo != nil {
		fmt.Fprintf(logTo, "awsfake: %s\n", op)
	}
	if hold != nil {
		<-hold
	}
	var in map[string]json.RawMessage
	if strings.HasPrefix(op, "ssm.") || strings.HasPrefix(op, "secretsmanager.") || op == "appconfigdata.StartConfigurationSession" {
		if len(body) == 0 {
			body = []byte("{}")
		}
		if err := json.Unmarshal(body, &in); err != nil {
			writeJSONError(w, http.StatusBadRequest, "SerializationException", "body is not a JSON object")
			return
		}
	}
	switch op {
	case "ssm.GetParameter":
		s.getParameter(w, in)
	case "ssm.GetParameters":
		s.getParameters(w, in)
	case "ssm.GetParametersByPath":
		s.getParametersByPath(w, in)
	case "ssm.PutParameter":
		s.putParameter(w, in)
	case "secretsmanager.GetSecretValue":
		s.getSecretValue(w, in)
	case "secretsmanager.PutSecretValue":
		s.putSecretValue(w, in)
	case "secretsmanager.CreateSecret":
		s.createSecret(w, in)
	case "appconfigdata.StartConfigurationSession":
		s.startSession(w, in)
	case "appconfigdata.GetLatestConfiguration":
		s.getLatestConfiguration(w, r)
	default:
		writeJSONError(w, http.StatusBadRequest, "UnknownOperationException", "operation "+op+" is not implemented by the fake")
	}
}

// ---- helpers

func str(in map[string]json.RawMessage, key string) (string, bool) {
	raw, ok := in[key]
	if !ok {
		return "", false
	}
	var v string
	if json.Unmarshal(raw, &v) != nil {
		return "", false
	}
	return v, true
}

func boolean(in map[string]json.RawMessage, key string) bool {
	var v bool
	_ = json.Unmarshal(in[key], &v)
	return v
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-RequestId", newID())
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeJSONError writes an error in the AWS JSON shape: __type in the body and X-Amzn-ErrorType.
func writeJSONError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("X-Amzn-ErrorType", code)
	writeJSON(w, status, map[string]string{"__type": code, "message": message, "Message": message})
}

func (p *Parameter) wire(decrypt bool) map[string]any {
	value := p.Value
	if p.Type == "SecureString" && !decrypt {
		value = "AQICAH" + base64.StdEncoding.EncodeToString([]byte("kms:"+p.Name))
	}
	return map[string]any{
		"Name": p.Name, "Type": p.Type, "Value": value, "Version": p.Version, "DataType": "text",
		"ARN": "arn:aws:ssm:us-east-1:123456789012:parameter/" + strings.TrimPrefix(p.Name, "/"), "LastModifiedDate": 1.7e9,
	}
}

// ---- SSM

func (s *Server) getParameter(w http.ResponseWriter, in map[string]json.RawMessage) {
	name, _ := str(in, "Name")
	s.mu.Lock()
	p := s.params[name]
	var out map[string]any
	if p != nil {
		out = p.wire(boolean(in, "WithDecryption"))
	}
	s.mu.Unlock()
	if p == nil {
		writeJSONError(w, http.StatusBadRequest, "ParameterNotFound", "")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"Parameter": out})
}

func (s *Server) getParameters(w http.ResponseWriter, in map[string]json.RawMessage) {
	var names []string
	_ = json.Unmarshal(in["Names"], &names)
	if len(names) == 0 || len(names) > 10 {
		writeJSONError(w, http.StatusBadRequest, "ValidationException",
			"1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length less than or equal to 10")
		return
	}
	decrypt := boolean(in, "WithDecryption")
	found := []map[string]any{}
	invalid := []string{}
	s.mu.Lock()
	for _, n := range names {
		if p := s.params[n]; p != nil {
			found = append(found, p.wire(decrypt))
		} else {
			invalid = append(invalid, n)
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"Parameters": found, "InvalidParameters": invalid})
}

func (s *Server) getParametersByPath(w http.ResponseWriter, in map[string]json.RawMessage) {
	path, _ := str(in, "Path")
	if path == "" || !strings.HasPrefix(path, "/") {
		writeJSONError(w, http.StatusBadRequest, "ValidationException", "path must start with /")
		return
	}
	recursive, decrypt := boolean(in, "Recursive"), boolean(in, "WithDecryption")
	var max int
	_ = json.Unmarshal(in["MaxResults"], &max)
	prefix := strings.TrimSuffix(path, "/") + "/"
	s.mu.Lock()
	if max == 0 {
		max = s.pageSize
	}
	var names []string
	for n := range s.params {
		rest, ok := strings.CutPrefix(n, prefix)
		if ok && rest != "" && (recursive || !strings.Contains(rest, "/")) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	start := 0
	if tok, ok := str(in, "NextToken"); ok {
		i, err := strconv.Atoi(strings.TrimPrefix(tok, "page-"))
		if err != nil || i < 0 || i > len(names) {
			s.mu.Unlock()
			writeJSONError(w, http.StatusBadRequest, "InvalidNextToken", "the token is not valid")
			return
		}
		start = i
	}
	end := min(start+max, len(names))
	page := []map[string]any{}
	for _, n := range names[start:end] {
		page = append(page, s.params[n].wire(decrypt))
	}
	s.mu.Unlock()
	out := map[string]any{"Parameters": page}
	if end < len(names) {
		out["NextToken"] = "page-" + strconv.Itoa(end)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) putParameter(w http.ResponseWriter, in map[string]json.RawMessage) {
	name, _ := str(in, "Name")
	value, ok := str(in, "Value")
	if name == "" || !ok {
		writeJSONError(w, http.StatusBadRequest, "ValidationException", "Name and Value are required")
		return
	}
	typ, _ := str(in, "Type")
	if typ == "" {
		typ = "String"
	}
	if tier, _ := str(in, "Tier"); tier != "" && tier != "Standard" && tier != "Advanced" && tier != "Intelligent-Tiering" {
		writeJSONError(w, http.StatusBadRequest, "ValidationException", "unknown tier")
		return
	}
	s.mu.Lock()
	old := s.params[name]
	if old != nil && !boolean(in, "Overwrite") {
		s.mu.Unlock()
		writeJSONError(w, http.StatusBadRequest, "ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.")
		return
	}
	v := int64(1)
	if old != nil {
		v = old.Version + 1
	}
	s.params[name] = &Parameter{Name: name, Value: value, Type: typ, Version: v}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"Version": v, "Tier": "Standard"})
}

// ---- Secrets Manager

func (s *Server) getSecretValue(w http.ResponseWriter, in map[string]json.RawMessage) {
	id, _ := str(in, "SecretId")
	s.mu.Lock()
	sec := s.secrets[id]
	var out map[string]any
	if sec != nil {
		out = map[string]any{
			"ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + id, "Name": id,
			"VersionId": sec.version, "VersionStages": []string{"AWSCURRENT"}, "CreatedDate": 1.7e9,
		}
		if sec.str != nil {
			out["SecretString"] = *sec.str
		} else {
			out["SecretBinary"] = base64.StdEncoding.EncodeToString(sec.bin)
		}
	}
	s.mu.Unlock()
	if sec == nil {
		writeJSONError(w, http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// secretValue reads SecretString or SecretBinary (base64) of a request.
func secretValue(in map[string]json.RawMessage) (*secret, error) {
	if v, ok := str(in, "SecretString"); ok {
		return &secret{str: &v, version: newID()}, nil
	}
	if b64, ok := str(in, "SecretBinary"); ok {
		b, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return nil, errors.New("SecretBinary is not base64")
		}
		return &secret{bin: b, version: newID()}, nil
	}
	return nil, errors.New("you must provide either SecretString or SecretBinary")
}

func (s *Server) putSecretValue(w http.ResponseWriter, in map[string]json.RawMessage) {
	id, _ := str(in, "SecretId")
	sec, err := secretValue(in)
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, "InvalidRequestException", err.Error())
		return
	}
	s.mu.Lock()
	if s.secrets[id] == nil {
		s.mu.Unlock()
		writeJSONError(w, http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
		return
	}
	s.secrets[id] = sec
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + id, "Name": id,
		"VersionId": sec.version, "VersionStages": []string{"AWSCURRENT"},
	})
}

func (s *Server) createSecret(w http.ResponseWriter, in map[string]json.RawMessage) {
	name, _ := str(in, "Name")
	if name == "" {
		writeJSONError(w, http.StatusBadRequest, "InvalidParameterException", "Name is required")
		return
	}
	sec, err := secretValue(in)
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, "InvalidRequestException", err.Error())
		return
	}
	s.mu.Lock()
	if s.secrets[name] != nil {
		s.mu.Unlock()
		writeJSONError(w, http.StatusBadRequest, "ResourceExistsException", "the secret already exists")
		return
	}
	s.secrets[name] = sec
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + name, "Name": name, "VersionId": sec.version,
	})
}

// ---- AppConfigData (REST-JSON)

func writeRESTError(w http.ResponseWriter, status int, code, message string, extra map[string]any) {
	body := map[string]any{"Message": message}
	for k, v := range extra {
		body[k] = v
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.Header().Set("X-Amzn-RequestId", newID())
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (s *Server) startSession(w http.ResponseWriter, in map[string]json.RawMessage) {
	app, _ := str(in, "ApplicationIdentifier")
	env, _ := str(in, "EnvironmentIdentifier")
	prof, _ := str(in, "ConfigurationProfileIdentifier")
	key := app + "/" + env + "/" + prof
	s.mu.Lock()
	if s.profiles[key] == nil {
		s.mu.Unlock()
		writeRESTError(w, http.StatusNotFound, "ResourceNotFoundException", "no deployed configuration "+key, map[string]any{"ResourceType": "ConfigurationProfile"})
		return
	}
	tok := newID()
	s.tokens[tok] = &acToken{profile: key, issued: s.now()}
	s.mu.Unlock()
	b, _ := json.Marshal(map[string]string{"InitialConfigurationToken": tok})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write(b)
}

func (s *Server) getLatestConfiguration(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("configuration_token")
	s.mu.Lock()
	t := s.tokens[tok]
	if t == nil || s.now().Sub(t.issued) >= 24*time.Hour {
		delete(s.tokens, tok)
		s.mu.Unlock()
		writeRESTError(w, http.StatusBadRequest, "BadRequestException", "Request includes an invalid or expired configuration token",
			map[string]any{"Reason": "InvalidParameters", "Details": map[string]any{"InvalidParameters": map[string]any{
				"ConfigurationToken": map[string]string{"Problem": "Expired"}}}})
		return
	}
	delete(s.tokens, tok) // a token works once
	p := s.profiles[t.profile]
	next := newID()
	s.tokens[next] = &acToken{profile: t.profile, issued: s.now(), sentVers: p.version}
	var content []byte
	if p.version != t.sentVers {
		content = slices.Clone(p.content)
	}
	version, contentType := p.version, p.contentType
	s.mu.Unlock()
	w.Header().Set("Next-Poll-Configuration-Token", next)
	w.Header().Set("Next-Poll-Interval-In-Seconds", "60")
	w.Header().Set("Version-Label", "v"+strconv.Itoa(version))
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(content)
}
