package parameters_test

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/internal/awsfake"
	"github.com/gopowertools/powertools/parameters"
)

// Limits is a JSON document kept in SSM Parameter Store.
type Limits struct {
	MaxItems int `json:"max_items"`
}

// handle reads a secret, a JSON parameter and a batch of parameters, each cached for 5 minutes by the
// App's providers.
func handle(ctx context.Context, _ struct{}) (string, error) {
	key, err := powertools.Secrets(ctx).Get(ctx, "orders/payments-api-key")
	if err != nil {
		return "", err
	}
	limits, err := powertools.GetJSON[Limits](ctx, powertools.SSM(ctx), "/orders/limits")
	if err != nil {
		return "", err
	}
	db, err := powertools.SSM(ctx).GetByName(ctx, map[string][]powertools.ParamOption{
		"/orders/db/host":     nil,
		"/orders/db/password": {powertools.WithParamDecrypt(true)},
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("key of %d bytes, max %d items, db %s (password of %d bytes)",
		len(key), limits.MaxItems, db["/orders/db/host"], len(db["/orders/db/password"])), nil
}

// The App's default providers over the default AWS configuration: here it points at the in-repo fake
// (AWS_ENDPOINT_URL), as the demo does; in Lambda it is the function's region and role.
func ExampleWith() {
	fake := awsfake.New(&awsfake.Seed{
		Secrets: map[string]string{"orders/payments-api-key": "pk_live_0123456789"},
		Parameters: []awsfake.Parameter{
			{Name: "/orders/limits", Value: `{"max_items": 50}`},
			{Name: "/orders/db/host", Value: "db.internal"},
			{Name: "/orders/db/password", Value: "correct horse", Type: "SecureString"},
		},
	})
	url, _ := fake.Start(0)
	defer fake.Close()
	for k, v := range map[string]string{"AWS_ENDPOINT_URL": url, "AWS_REGION": "eu-west-1",
		"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_EC2_METADATA_DISABLED": "true"} {
		defer os.Setenv(k, os.Getenv(k))
		os.Setenv(k, v)
	}

	app, err := powertools.New(powertools.WithService("orders"), parameters.With())
	if err != nil {
		panic(err)
	}
	h := powertools.WrapFunc(app, handle)

	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "r1"})
	for range 3 {
		out, err := h.Invoke(ctx, []byte(`{}`))
		fmt.Println(string(out), err)
	}
	fmt.Println("GetSecretValue calls:", fake.Count("secretsmanager.GetSecretValue"))
	fmt.Println("GetParameters calls:", fake.Count("ssm.GetParameters"))
	// Output:
	// "key of 18 bytes, max 50 items, db db.internal (password of 13 bytes)" <nil>
	// "key of 18 bytes, max 50 items, db db.internal (password of 13 bytes)" <nil>
	// "key of 18 bytes, max 50 items, db db.internal (password of 13 bytes)" <nil>
	// GetSecretValue calls: 1
	// GetParameters calls: 2
}
