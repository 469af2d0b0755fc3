package powertoolstest

import (
	"strings"
	"testing"
	"time"
)

func TestParseBlob(t *testing.T) {
	good := `{"_aws":{"Timestamp":1620042432494,"CloudWatchMetrics":[{"Namespace":"Shop","Dimensions":[["service","currency"]],"Metrics":[{"Name":"Value","Unit":"None"},{"Name":"Latency","Unit":"Milliseconds","StorageResolution":1}]}]},"service":"orders","currency":"EUR","order":{"id":"o-1"},"Value":[12.5,3],"Latency":4}`
	b, err := ParseBlob(good)
	if err != nil {
		t.Fatal(err)
	}
	if !b.Timestamp.Equal(time.UnixMilli(1620042432494)) || b.Namespace != "Shop" || len(b.DimensionSets) != 1 ||
		b.Dimensions["service"] != "orders" || b.Dimensions["currency"] != "EUR" || len(b.Values["Value"]) != 2 ||
		b.Values["Latency"][0] != 4 || b.Definitions[1].StorageResolution != 1 || len(b.Metadata) != 1 {
		t.Errorf("decoded %+v", b)
	}
	m := metricsOf([]Blob{b, b})
	if got := m.Values("Value"); len(got) != 4 || got[0] != 12.5 || m.Sum("Value") != 31 {
		t.Errorf("values %v", got)
	}
	if len(m["Latency"]) != 2 || m["Latency"][0].Unit != "Milliseconds" || m["Latency"][0].Dimensions["currency"] != "EUR" {
		t.Errorf("metric %+v", m["Latency"])
	}

	bad := []struct{ name, raw, err string }{
		{"not JSON", `{"_aws":`, "not a JSON object"},
		{"no _aws", `{"m":[1]}`, "without a valid _aws object"},
		{"no timestamp", `{"_aws":{"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[],"Metrics":[]}]}}`, "without a valid _aws"},
		{"two directives", strings.Replace(good, `"CloudWatchMetrics":[{`, `"CloudWatchMetrics":[{"Namespace":"x"},{`, 1), "one CloudWatchMetrics"},
		{"missing value", strings.Replace(good, `"Latency":4`, `"Other":4`, 1), `metric "Latency" has no value`},
		{"value not a number", strings.Replace(good, `"Latency":4`, `"Latency":"4"`, 1), `metric "Latency": value is not a number`},
		{"missing dimension", strings.Replace(good, `"currency":"EUR",`, ``, 1), `dimension "currency"`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseBlob(tt.raw)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("err %v, want %q", err, tt.err)
			}
		})
	}
}

func FuzzParseBlob(f *testing.F) {
	f.Add(`{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[["d"]],"Metrics":[{"Name":"m","Unit":"Count"}]}]},"d":"v","m":[1]}`)
	f.Add(`{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[["m"]],"Metrics":[{"Name":"m"}]}]},"m":[1]}`)
	f.Add(`{"_aws":null}`)
	f.Fuzz(func(t *testing.T, raw string) {
		b, err := ParseBlob(raw)
		if err != nil {
			return
		}
		for _, d := range b.Definitions {
			if _, ok := b.Values[d.Name]; !ok {
				t.Fatalf("metric %q accepted without values", d.Name)
			}
		}
	})
}
