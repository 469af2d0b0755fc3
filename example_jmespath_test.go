package powertools_test

import (
	"fmt"

	"github.com/gopowertools/powertools"
)

func ExampleSearch() {
	event := []byte(`{"Records":[{"body":"{\"id\":\"a\"}"},{"body":"{\"id\":\"b\"}"}]}`)
	ids, err := powertools.Search("Records[*].powertools_json(body).id", event)
	fmt.Println(ids, err)
	// Output: [a b] <nil>
}
