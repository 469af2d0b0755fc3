package validation

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopowertools/powertools"
)

type tagTypo struct {
	Name string `json:"name" jsonschema:"minLenght=3"`
}

type tagBadValue struct {
	Qty int `json:"qty" jsonschema:"minimum=abc"`
}

type tagMany struct {
	A string   `json:"a" jsonschema:"minLength=x,maxLength=-1"`
	B int      `json:"b" jsonschema:"minLength=2"`
	C float64  `json:"c" jsonschema:"enum=one"`
	D []string `json:"d" jsonschema:"minItems=1,minLength=2,pattern=[a"`
	E string   `json:"e" jsonschema:"the e field"`
	F bool     `json:"f" jsonschema:"default=maybe"`
	G string   `json:"g" jsonschema:"required,nullable,title=G\\, the letter,format=email"`
}

type tagNested struct {
	Items []tagTypo `json:"items"`
}

type tagGood struct {
	ID    string   `json:"id" jsonschema:"minLength=1,maxLength=20,pattern=^o-"`
	Qty   int      `json:"qty" jsonschema:"minimum=1,maximum=100,enum=1,enum=2"`
	Price float64  `json:"price" jsonschema:"exclusiveMinimum=0,multipleOf=0.01"`
	Tags  []string `json:"tags,omitempty" jsonschema:"minItems=1,uniqueItems=true,minLength=2"`
	Skip  string   `json:"-" jsonschema:"whatever"`
}

// TestSchemaForRefusesBadTags: a typo in a keyword or a value that does not parse used to give a schema
// without the constraint and no error; each is now a *ConfigError from New naming type, field and tag.
func TestSchemaForRefusesBadTags(t *testing.T) {
	tests := []struct {
		name   string
		schema Schema
		want   []string
	}{
		{"unknown keyword", SchemaFor[tagTypo](), []string{"validation.tagTypo.Name", `"minLenght=3"`, `unknown keyword "minLenght"`}},
		{"value that does not parse", SchemaFor[tagBadValue](), []string{"validation.tagBadValue.Qty", `"minimum=abc"`, "not a number"}},
		{"nested type", SchemaFor[tagNested](), []string{"validation.tagTypo.Name", "minLenght"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := powertools.New(powertools.WithEnv(map[string]string{}), With(tt.schema, Schema{}, ""))
			var ce *powertools.ConfigError
			require.ErrorAs(t, err, &ce)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Equal(t, 1, strings.Count(err.Error(), "powertools:"), err.Error())
			var te *TagError
			require.ErrorAs(t, tt.schema.Compile(), &te)
		})
	}
}

// TestSchemaForListsEveryTagProblem: every bad entry is named, not only the first.
func TestSchemaForListsEveryTagProblem(t *testing.T) {
	err := SchemaFor[tagMany]().Compile()
	require.ErrorIs(t, err, ErrSchema)
	var tags []string
	for _, e := range flattenJoined(err) {
		if te, ok := e.(*TagError); ok {
			tags = append(tags, te.Field+" "+te.Tag)
		}
	}
	assert.ElementsMatch(t, []string{"A minLength=x", "A maxLength=-1", "B minLength=2", "C enum=one",
		"D pattern=[a", "E the e field", "F default=maybe"}, tags)
	assert.NoError(t, SchemaFor[tagGood]().Compile())
}

func flattenJoined(err error) []error {
	var out []error
	var walk func(error)
	walk = func(e error) {
		switch x := e.(type) {
		case interface{ Unwrap() []error }:
			for _, c := range x.Unwrap() {
				walk(c)
			}
		case interface{ Unwrap() error }:
			out = append(out, e)
			if c := x.Unwrap(); c != nil {
				walk(c)
			}
		default:
			out = append(out, e)
		}
	}
	walk(err)
	return out
}
