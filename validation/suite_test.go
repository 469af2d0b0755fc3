package validation

// The JSON-Schema-Test-Suite, as github.com/google/jsonschema-go ships it in its module
// (jsonschema/testdata/draft7 and draft2020-12), read from the module cache at test time, run through
// both candidate libraries configured as this package configures them (draft 7 unless "$schema" says
// otherwise, format asserted by santhosh-tekuri) and through this package itself (Validate over
// SchemaJSON). TestSuiteTable prints the pass/fail table per keyword and draft; set SUITE_TABLE=path to
// write it as Markdown. Cases that need a remote schema (http://localhost:1234/...) load it from the
// suite's remotes directory in the library harnesses; this package loads no remote schema, so those
// groups are counted for the libraries only.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/gopowertools/powertools/internal/testenv"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	google "github.com/google/jsonschema-go/jsonschema"
	santhosh "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// suiteModuleDir finds github.com/google/jsonschema-go in the module cache (the module is a dependency,
// so it is there whenever this package builds).
var suiteModuleDir = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/google/jsonschema-go").Output()
	if err != nil {
		return "", fmt.Errorf("go list -m github.com/google/jsonschema-go: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
})

type suiteGroup struct {
	Description string          `json:"description"`
	Schema      json.RawMessage `json:"schema"`
	Tests       []struct {
		Description string          `json:"description"`
		Data        json.RawMessage `json:"data"`
		Valid       bool            `json:"valid"`
	} `json:"tests"`
}

// suiteFile is one keyword's file of one draft.
type suiteFile struct {
	Draft, Keyword string
	Optional       bool
	Groups         []suiteGroup
}

var suiteDrafts = []struct{ dir, uri string }{
	{"draft7", "http://json-schema.org/draft-07/schema#"},
	{"draft2020-12", "https://json-schema.org/draft/2020-12/schema"},
}

func suiteFiles(t testing.TB) (files []suiteFile, remotes string) {
	t.Helper()
	dir, err := suiteModuleDir()
	if err != nil {
		testenv.Missing(t, "the JSON-Schema-Test-Suite is read from google/jsonschema-go in the module cache (go mod download): "+err.Error())
	}
	root := filepath.Join(dir, "jsonschema", "testdata")
	for _, d := range suiteDrafts {
		var names []string
		err := filepath.WalkDir(filepath.Join(root, d.dir), func(p string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() && strings.HasSuffix(p, ".json") {
				names = append(names, p)
			}
			return err
		})
		require.NoError(t, err)
		require.NotEmpty(t, names, d.dir)
		slices.Sort(names)
		for _, name := range names {
			b, err := os.ReadFile(name)
			require.NoError(t, err)
			f := suiteFile{Draft: d.dir, Keyword: strings.TrimSuffix(filepath.Base(name), ".json"),
				Optional: strings.Contains(filepath.ToSlash(name), "/optional/")}
			require.NoError(t, json.Unmarshal(b, &f.Groups), name)
			for i, g := range f.Groups {
				f.Groups[i].Schema = suiteWithDraft(g.Schema, d.uri)
			}
			files = append(files, f)
		}
	}
	return files, filepath.Join(root, "remotes")
}

// suiteWithDraft adds "$schema" to an object schema that lacks it, so that each library reads the case
// under the draft of its directory.
func suiteWithDraft(schema json.RawMessage, uri string) json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(schema, &m) != nil {
		return schema // a boolean schema
	}
	if _, ok := m["$schema"]; ok {
		return schema
	}
	m["$schema"], _ = json.Marshal(uri)
	out, _ := json.Marshal(m)
	return out
}

func suiteUsesRemote(schema json.RawMessage) bool {
	return bytes.Contains(schema, []byte("localhost:1234")) || bytes.Contains(schema, []byte("json-schema.org/draft/2020-12/meta")) ||
		bytes.Contains(schema, []byte(`"$ref":"http`)) || bytes.Contains(schema, []byte(`"$ref": "http`))
}

// suiteRemote maps http://localhost:1234/x to the suite's remotes directory and, for google/jsonschema-go,
// which has no meta-schemas built in, the meta-schema URIs to the copies in its module (as its own test
// of the suite does); santhosh-tekuri has them built in.
func suiteRemote(remotes, uri string) (string, bool) {
	u, err := url.Parse(uri)
	if err != nil {
		return "", false
	}
	if u.Host == "localhost:1234" {
		return filepath.Join(remotes, filepath.FromSlash(u.Path)), true
	}
	meta := filepath.Join(filepath.Dir(remotes), "..", "meta-schemas")
	for prefix, dir := range map[string]string{
		"https://json-schema.org/draft/2020-12/": "draft2020-12", "https://json-schema.org/draft-07/": "draft7",
		"http://json-schema.org/draft-07/": "draft7",
	} {
		if after, ok := strings.CutPrefix(u.Scheme+"://"+u.Host+u.Path, prefix); ok {
			return filepath.Join(meta, dir, filepath.FromSlash(after)+".json"), true
		}
	}
	return "", false
}

// suiteLibrary compiles a schema and returns its validator of decoded JSON values.
type suiteLibrary struct {
	name    string
	compile func(schema json.RawMessage, remotes string) (func(v any) bool, error)
}

var suiteLibraries = []suiteLibrary{
	{"santhosh-tekuri/jsonschema v6.0.3", func(schema json.RawMessage, remotes string) (func(any) bool, error) {
		doc, err := santhosh.UnmarshalJSON(bytes.NewReader(schema))
		if err != nil {
			return nil, err
		}
		c := santhosh.NewCompiler()
		c.DefaultDraft(santhosh.Draft7)
		c.AssertFormat()
		c.UseLoader(suiteSanthoshLoader(remotes))
		if err := c.AddResource(suiteURL, doc); err != nil {
			return nil, err
		}
		sch, err := c.Compile(suiteURL)
		if err != nil {
			return nil, err
		}
		return func(v any) bool { return sch.Validate(v) == nil }, nil
	}},
	{"google/jsonschema-go v0.4.3", func(schema json.RawMessage, remotes string) (func(any) bool, error) {
		var s google.Schema
		if err := json.Unmarshal(schema, &s); err != nil {
			return nil, err
		}
		rs, err := s.Resolve(&google.ResolveOptions{Loader: func(u *url.URL) (*google.Schema, error) {
			p, ok := suiteRemote(remotes, u.String())
			if !ok {
				return nil, fmt.Errorf("not loaded: %s", u)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return nil, err
			}
			var r google.Schema
			return &r, json.Unmarshal(b, &r)
		}})
		if err != nil {
			return nil, err
		}
		return func(v any) bool { return rs.Validate(v) == nil }, nil
	}},
}

const suiteURL = "urn:powertools:suite"

type suiteSanthoshLoader string

func (l suiteSanthoshLoader) Load(uri string) (any, error) {
	p, ok := suiteRemote(string(l), uri)
	if !ok {
		return nil, fmt.Errorf("not loaded: %s", uri)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return santhosh.UnmarshalJSON(f)
}

// suiteCount is the tally of one keyword of one draft for one runner.
type suiteCount struct{ pass, fail int }

// suiteRun runs every case of files through check, which says whether a case passed; the result is by
// draft, then keyword.
func suiteRun(files []suiteFile, check func(f suiteFile, g suiteGroup, i int) (passed, counted bool)) map[string]map[string]*suiteCount {
	out := map[string]map[string]*suiteCount{}
	for _, f := range files {
		if out[f.Draft] == nil {
			out[f.Draft] = map[string]*suiteCount{}
		}
		key := f.Keyword
		if f.Optional {
			key = "optional/" + key
		}
		c := out[f.Draft][key]
		if c == nil {
			c = &suiteCount{}
			out[f.Draft][key] = c
		}
		for _, g := range f.Groups {
			for i := range g.Tests {
				passed, counted := check(f, g, i)
				switch {
				case !counted:
				case passed:
					c.pass++
				default:
					c.fail++
				}
			}
		}
	}
	return out
}

// suiteLibraryRun runs the suite through one library.
func suiteLibraryRun(files []suiteFile, remotes string, lib suiteLibrary) map[string]map[string]*suiteCount {
	type compiled struct {
		fn  func(any) bool
		err error
	}
	cache := map[string]compiled{}
	return suiteRun(files, func(f suiteFile, g suiteGroup, i int) (bool, bool) {
		c, ok := cache[string(g.Schema)]
		if !ok {
			c.fn, c.err = suiteSafeCompile(lib, g.Schema, remotes)
			cache[string(g.Schema)] = c
		}
		if c.err != nil {
			return false, true
		}
		var v any
		if json.Unmarshal(g.Tests[i].Data, &v) != nil {
			return false, true
		}
		return suiteSafeValidate(c.fn, v) == g.Tests[i].Valid, true
	})
}

func suiteSafeCompile(lib suiteLibrary, schema json.RawMessage, remotes string) (fn func(any) bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("compile panicked: %v", r)
		}
	}()
	return lib.compile(schema, remotes)
}

func suiteSafeValidate(fn func(any) bool, v any) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			ok = false
		}
	}()
	return fn(v)
}

// suitePackageRun runs the suite through this package (Validate over SchemaJSON), leaving out the groups
// that need a remote schema.
func suitePackageRun(files []suiteFile) map[string]map[string]*suiteCount {
	return suiteRun(files, func(f suiteFile, g suiteGroup, i int) (bool, bool) {
		if suiteUsesRemote(g.Schema) {
			return false, false
		}
		s := SchemaJSON(string(g.Schema))
		if s.Compile() != nil {
			return false, true
		}
		err := Validate([]byte(g.Tests[i].Data), s, "")
		return (err == nil) == g.Tests[i].Valid, true
	})
}

// suiteTotals sums the required (not optional/) cases of one draft.
func suiteTotals(byKeyword map[string]*suiteCount) (c suiteCount) {
	for k, n := range byKeyword {
		if !strings.HasPrefix(k, "optional/") {
			c.pass += n.pass
			c.fail += n.fail
		}
	}
	return c
}

// suiteTable renders the results as Markdown: one row per draft and keyword, a column pair per runner.
func suiteTable(names []string, results []map[string]map[string]*suiteCount) string {
	var b strings.Builder
	b.WriteString("| draft | keyword |")
	for _, n := range names {
		b.WriteString(" " + n + " pass | fail |")
	}
	b.WriteString("\n| --- | --- |")
	for range names {
		b.WriteString(" ---: | ---: |")
	}
	b.WriteString("\n")
	for _, d := range suiteDrafts {
		var keys []string
		for k := range results[0][d.dir] {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "| %s | %s |", d.dir, k)
			for _, r := range results {
				n := r[d.dir][k]
				fmt.Fprintf(&b, " %d | %d |", n.pass, n.fail)
			}
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "| %s | **required total** |", d.dir)
		for _, r := range results {
			c := suiteTotals(r[d.dir])
			fmt.Fprintf(&b, " **%d** | **%d** |", c.pass, c.fail)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestSuiteTable runs the suite through both libraries and this package, prints the table, and holds the
// package to the library it is built on: every required case that library passes without a remote
// schema, the package passes too.
func TestSuiteTable(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole suite: not in -short")
	}
	files, remotes := suiteFiles(t)
	var names []string
	var results []map[string]map[string]*suiteCount
	for _, lib := range suiteLibraries {
		names = append(names, lib.name)
		results = append(results, suiteLibraryRun(files, remotes, lib))
	}
	names = append(names, "validation (this package, no remote refs)")
	pkg := suitePackageRun(files)
	results = append(results, pkg)
	table := suiteTable(names, results)
	t.Log("\n" + table)
	if p := os.Getenv("SUITE_TABLE"); p != "" {
		require.NoError(t, os.WriteFile(p, []byte(table), 0o644))
	}
	for _, d := range suiteDrafts {
		got := suiteTotals(pkg[d.dir])
		require.Zero(t, got.fail, "%s: required cases this package fails", d.dir)
	}
}

// TestSuiteWalkAndFastPath holds the walk (eval.go) and the fast path to the suite case by case, for the
// schemas the walk judges alone: the walk's verdict is the expected one, and the fast path never
// accepts an invalid case (it may leave a valid one to the slow path).
func TestSuiteWalkAndFastPath(t *testing.T) {
	files, _ := suiteFiles(t)
	walked, fastYes := 0, 0
	for _, f := range files {
		for _, g := range f.Groups {
			if suiteUsesRemote(g.Schema) {
				continue
			}
			c, err := schemaCompile(g.Schema)
			require.NoError(t, err, "%s %s: %s", f.Draft, f.Keyword, g.Description)
			for _, tc := range g.Tests {
				var v any
				require.NoError(t, json.Unmarshal(tc.Data, &v))
				if !c.ev.partial {
					walked++
					assert.Equal(t, tc.Valid, c.ev.valid(v), "walk: %s %s: %s: %s: %s", f.Draft, f.Keyword, g.Description, tc.Description, tc.Data)
					if !tc.Valid {
						assert.NotEmpty(t, c.ev.explain(v), "walk lists no issue: %s %s: %s: %s", f.Draft, f.Keyword, g.Description, tc.Description)
					}
				}
				if c.fast != nil && c.fast.validDocument(tc.Data) {
					fastYes++
					assert.True(t, tc.Valid, "fast path accepts: %s %s: %s: %s: %s", f.Draft, f.Keyword, g.Description, tc.Description, tc.Data)
				}
			}
		}
	}
	assert.Greater(t, walked, 1500)
	assert.Greater(t, fastYes, 300)
	t.Logf("walked %d cases, fast path accepted %d", walked, fastYes)
}
