package powertools

import (
	"bytes"
	"encoding/json"
	"github.com/gopowertools/powertools/internal/testenv"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

type idemKeyCase struct {
	Name  string `json:"name"`
	Input string `json:"input"`
	Dumps string `json:"dumps"`
	MD5   string `json:"md5"`
}

func idemKeyCases(t *testing.T) []idemKeyCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "idem", "keys.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []idemKeyCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 10 {
		t.Fatalf("only %d cases in keys.json", len(cases))
	}
	return cases
}

// TestIdemKeyGolden checks the key hash against the values Python's json.dumps(data, sort_keys=True)
// and hashlib.md5 gave for the same data (testdata/idem/README.md).
func TestIdemKeyGolden(t *testing.T) {
	for _, c := range idemKeyCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			v, err := idemDecode([]byte(c.Input))
			if err != nil {
				t.Fatal(err)
			}
			got, err := idemAppendPyJSON(nil, v)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.Dumps {
				t.Errorf("form:\n got %s\nwant %s", got, c.Dumps)
			}
			h, err := idemHash(v)
			if err != nil {
				t.Fatal(err)
			}
			if h != c.MD5 {
				t.Errorf("md5 = %s, want %s", h, c.MD5)
			}
		})
	}
}

// TestIdemKeyPython regenerates the golden file with python3, when it is installed, so the fixture
// cannot drift from what Python writes.
func TestIdemKeyPython(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		testenv.Missing(t, "python3 is not installed (apt-get install python3); the checked-in golden values are still tested by TestIdemKeyGolden")
	}
	script := `import json,hashlib,sys; cases=json.load(open("key_inputs.json")); json.dump([dict(c, dumps=json.dumps(json.loads(c["input"]), sort_keys=True), md5=hashlib.md5(json.dumps(json.loads(c["input"]), sort_keys=True).encode()).hexdigest()) for c in cases], sys.stdout, indent=1, ensure_ascii=False); print()`
	cmd := exec.Command(py, "-c", script)
	cmd.Dir = filepath.Join("testdata", "idem")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "idem", "keys.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, want) {
		t.Fatalf("python3 writes another keys.json than the checked-in one:\n%s", out)
	}
}

func TestIdemFloatRepr(t *testing.T) {
	for in, want := range map[float64]string{
		1: "1.0", 0.1: "0.1", 1e-5: "1e-05", 1e16: "1e+16", 1e15: "1000000000000000.0", 1.5e300: "1.5e+300",
		-2.5e-7: "-2.5e-07", 0.0001: "0.0001", 123.456: "123.456", 1e22: "1e+22",
	} {
		if got := string(idemAppendPyFloat(nil, in)); got != want {
			t.Errorf("%v: got %s, want %s", in, got, want)
		}
	}
}

func TestIdemMissingKey(t *testing.T) {
	for _, c := range []struct {
		in      string
		missing bool
	}{
		{`null`, true}, {`""`, true}, {`{}`, true}, {`[]`, true}, {`[null,null]`, true},
		{`0`, false}, {`false`, false}, {`"x"`, false}, {`{"a":null}`, false}, {`[null,1]`, false},
	} {
		v, err := idemDecode([]byte(c.in))
		if err != nil {
			t.Fatal(err)
		}
		if got := idemMissingKey(v); got != c.missing {
			t.Errorf("%s: missing = %v, want %v", c.in, got, c.missing)
		}
	}
}

func TestIdemDecodeRefusesTrailingData(t *testing.T) {
	for _, in := range []string{`{"a":1} {}`, `{`, ``, `[1,]`} {
		if _, err := idemDecode([]byte(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

// FuzzIdemKey: any payload either fails to decode or hashes without panicking, and a payload's hash
// does not depend on its key order or whitespace.
func FuzzIdemKey(f *testing.F) {
	for _, s := range []string{`{"b":1,"a":[1.5,"x",null]}`, `"é😀"`, `1e400`, `-0`, `[{"z":{}}]`, `{"a":"\u0000"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		v, err := idemDecode(doc)
		if err != nil {
			return
		}
		form, err := idemAppendPyJSON(nil, v)
		if err != nil {
			return
		}
		// The Python form is JSON again (Infinity and NaN aside) and reads back to the same form.
		if bytes.Contains(form, []byte("Infinity")) || bytes.Contains(form, []byte("NaN")) {
			return
		}
		v2, err := idemDecode(form)
		if err != nil {
			t.Fatalf("form %s is not JSON: %v", form, err)
		}
		form2, err := idemAppendPyJSON(nil, v2)
		if err != nil || !bytes.Equal(form, form2) {
			t.Fatalf("form not stable: %s then %s (%v)", form, form2, err)
		}
	})
}
