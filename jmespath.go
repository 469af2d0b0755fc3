package powertools

import (
	"encoding/json"
	"fmt"

	"github.com/jmespath-community/go-jmespath"
)

// jmesQuery is a JMESPath expression compiled once.
type jmesQuery struct {
	expr string
	q    jmespath.JMESPath
}

// JMESPathError reports an expression that does not compile or cannot be evaluated.
type JMESPathError struct {
	Expr string
	Err  error
}

func (e *JMESPathError) Error() string {
	return fmt.Sprintf("powertools: jmespath %q: %v", e.Expr, e.Err)
}

func (e *JMESPathError) Unwrap() error { return e.Err }

func compileJMES(expr string) (*jmesQuery, error) {
	q, err := jmespath.Compile(expr)
	if err != nil {
		return nil, &JMESPathError{Expr: expr, Err: err}
	}
	return &jmesQuery{expr: expr, q: q}, nil
}

// searchString evaluates the query over a JSON document and returns the result when it is a string.
func (q *jmesQuery) searchString(doc []byte) (string, bool) {
	var data any
	if err := json.Unmarshal(doc, &data); err != nil {
		return "", false
	}
	v, err := q.q.Search(data)
	if err != nil {
		return "", false
	}
	s, ok := v.(string)
	return s, ok
}
