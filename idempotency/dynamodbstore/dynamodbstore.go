// Package dynamodbstore is the DynamoDB store of the idempotency utility, over the AWS SDK v2 client.
// It is a package of its own so that a function not using it links no DynamoDB client
// (powertools.WithIdempotency and powertools.Idempotent take any powertools.IdempotencyStore).
//
// The item is the Python edition's: id (the record key, or with WithSortKey a static partition key and
// the record key in the sort key), expiration (epoch seconds; make it the table's TTL attribute),
// in_progress_expiration (epoch milliseconds), status, data (the response, a string), validation.
//
// A record is acquired with one conditional PutItem (the key is free, expired, or INPROGRESS with a
// passed lease) returning the old item on failure (ReturnValuesOnConditionCheckFailure=ALL_OLD); where
// the old item does not come back (DynamoDB Local and dynalite ignore ALL_OLD) a consistent GetItem reads
// it. Completing (UpdateItem) and deleting (DeleteItem) are conditional on the record still being
// INPROGRESS with the lease the caller wrote, so a run whose lease passed can never overwrite or delete
// the record of the run that took over.
package dynamodbstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/internal/idemstore"
)

// Client is the part of *dynamodb.Client the store uses.
type Client interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// Store is the DynamoDB idempotency store. It is safe for concurrent use.
type Store struct {
	client Client
	table  string
	cfg    config
	names  map[string]string // the expression attribute names every request uses
}

type config struct {
	idemstore.Config               // the attribute names every store has, the options' errors
	keyAttr, sortKeyAttr, staticPK string
}

// Option configures New.
type Option func(*config)

func attr(opt, name string, field func(*config) *string) Option {
	return func(c *config) { c.SetName("dynamodbstore."+opt, name, field(c)) }
}

// WithKeyAttr names the table's partition key. Default: "id".
func WithKeyAttr(name string) Option {
	return attr("WithKeyAttr", name, func(c *config) *string { return &c.keyAttr })
}

// WithSortKey stores records in a table with a sort key: the partition key holds partitionValue (the
// same for every record; the Python edition uses "idempotency#<function name>") and sortKeyAttr holds the
// record key. Default: no sort key.
func WithSortKey(sortKeyAttr, partitionValue string) Option {
	return func(c *config) {
		if sortKeyAttr == "" || partitionValue == "" {
			c.Fail("dynamodbstore.WithSortKey", sortKeyAttr+","+partitionValue, "needs a sort key attribute and a partition key value")
			return
		}
		c.sortKeyAttr, c.staticPK = sortKeyAttr, partitionValue
	}
}

// WithExpiryAttr names the expiration attribute (epoch seconds). Default: "expiration".
func WithExpiryAttr(name string) Option {
	return attr("WithExpiryAttr", name, func(c *config) *string { return &c.Expiry })
}

// WithInProgressExpiryAttr names the lease attribute (epoch milliseconds). Default: "in_progress_expiration".
func WithInProgressExpiryAttr(name string) Option {
	return attr("WithInProgressExpiryAttr", name, func(c *config) *string { return &c.InProgress })
}

// WithStatusAttr names the status attribute. Default: "status".
func WithStatusAttr(name string) Option {
	return attr("WithStatusAttr", name, func(c *config) *string { return &c.Status })
}

// WithDataAttr names the response attribute. Default: "data".
func WithDataAttr(name string) Option {
	return attr("WithDataAttr", name, func(c *config) *string { return &c.Data })
}

// WithValidationAttr names the payload-hash attribute. Default: "validation".
func WithValidationAttr(name string) Option {
	return attr("WithValidationAttr", name, func(c *config) *string { return &c.Validation })
}

// New returns a store over client (a *dynamodb.Client) and table. It does no I/O. Errors are
// *powertools.ConfigError values, joined.
func New(client Client, table string, opts ...Option) (*Store, error) {
	cfg := config{Config: idemstore.Defaults(), keyAttr: "id"}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if client == nil {
		cfg.Fail("dynamodbstore.New", "nil", "needs a client")
	}
	if table == "" {
		cfg.Fail("dynamodbstore.New", "", "needs a table name")
	}
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	s := &Store{client: client, table: table, cfg: cfg, names: map[string]string{
		"#id": cfg.keyAttr, "#expiry": cfg.Expiry, "#ipe": cfg.InProgress, "#status": cfg.Status,
	}}
	return s, nil
}

func (s *Store) key(k string) map[string]types.AttributeValue {
	if s.cfg.sortKeyAttr == "" {
		return map[string]types.AttributeValue{s.cfg.keyAttr: &types.AttributeValueMemberS{Value: k}}
	}
	return map[string]types.AttributeValue{
		s.cfg.keyAttr:     &types.AttributeValueMemberS{Value: s.cfg.staticPK},
		s.cfg.sortKeyAttr: &types.AttributeValueMemberS{Value: k},
	}
}

func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// Acquire implements powertools.IdempotencyStore.
func (s *Store) Acquire(ctx context.Context, rec *powertools.IdempotencyRecord, now time.Time) (*powertools.IdempotencyRecord, error) {
	item := s.key(rec.Key)
	item[s.cfg.Status] = str(rec.Status)
	item[s.cfg.Expiry] = num(rec.Expiration)
	item[s.cfg.InProgress] = num(rec.InProgressExpiration)
	if rec.Validation != "" {
		item[s.cfg.Validation] = str(rec.Validation)
	}
	in := &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item:      item,
		ConditionExpression: aws.String("attribute_not_exists(#id) OR #expiry < :now OR " +
			"(#status = :inprogress AND attribute_exists(#ipe) AND #ipe < :now_ms)"),
		ExpressionAttributeNames: s.names,
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now": num(now.Unix()), ":now_ms": num(now.UnixMilli()), ":inprogress": str(powertools.IdempotencyInProgress),
		},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
	for range 3 {
		_, err := s.client.PutItem(ctx, in)
		if err == nil {
			return nil, nil
		}
		var ccf *types.ConditionalCheckFailedException
		if !errors.As(err, &ccf) {
			return nil, err
		}
		old := ccf.Item
		if len(old) == 0 { // the old item did not come back: read it
			out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: s.key(rec.Key), ConsistentRead: aws.Bool(true)})
			if err != nil {
				return nil, err
			}
			if old = out.Item; len(old) == 0 {
				continue // deleted in between: put again
			}
		}
		return s.decode(rec.Key, old)
	}
	return nil, fmt.Errorf("%w: %s: the record kept changing", powertools.ErrIdempotencyAlreadyInProgress, rec.Key)
}

// fence is the condition of Complete and Release: the record is still the one held.
func (s *Store) fence(held *powertools.IdempotencyRecord) (*string, map[string]types.AttributeValue) {
	return aws.String("#status = :inprogress AND #ipe = :fence"), map[string]types.AttributeValue{
		":inprogress": str(powertools.IdempotencyInProgress), ":fence": num(held.InProgressExpiration),
	}
}

func fenced(err error) error {
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return powertools.ErrIdempotencyFenced
	}
	return err
}

// Complete implements powertools.IdempotencyStore with a conditional UpdateItem.
func (s *Store) Complete(ctx context.Context, held, done *powertools.IdempotencyRecord, _ time.Time) error {
	cond, values := s.fence(held)
	values[":completed"] = str(done.Status)
	values[":expiry"] = num(done.Expiration)
	update := "SET #status = :completed, #expiry = :expiry"
	names := map[string]string{"#status": s.cfg.Status, "#expiry": s.cfg.Expiry, "#ipe": s.cfg.InProgress}
	if len(done.Data) > 0 {
		names["#data"] = s.cfg.Data
		update += ", #data = :data"
		if utf8.Valid(done.Data) {
			values[":data"] = str(string(done.Data))
		} else {
			values[":data"] = &types.AttributeValueMemberB{Value: done.Data}
		}
	}
	_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.table), Key: s.key(held.Key), UpdateExpression: aws.String(update),
		ConditionExpression: cond, ExpressionAttributeNames: names, ExpressionAttributeValues: values,
	})
	return fenced(err)
}

// Release implements powertools.IdempotencyStore with a conditional DeleteItem.
func (s *Store) Release(ctx context.Context, held *powertools.IdempotencyRecord) error {
	cond, values := s.fence(held)
	_, err := s.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(s.table), Key: s.key(held.Key), ConditionExpression: cond,
		ExpressionAttributeNames:  map[string]string{"#status": s.cfg.Status, "#ipe": s.cfg.InProgress},
		ExpressionAttributeValues: values,
	})
	return fenced(err)
}

// decode reads a stored item; one that is not a record is ErrIdempotencyBadRecord.
func (s *Store) decode(key string, item map[string]types.AttributeValue) (*powertools.IdempotencyRecord, error) {
	r := &powertools.IdempotencyRecord{Key: key}
	bad := func(attr string) error {
		return fmt.Errorf("%w: %s: attribute %s", powertools.ErrIdempotencyBadRecord, key, attr)
	}
	if v, ok := item[s.cfg.Status].(*types.AttributeValueMemberS); ok {
		r.Status = v.Value
	}
	if !idemstore.ValidStatus(r.Status) {
		return nil, bad(s.cfg.Status)
	}
	for attr, dst := range map[string]*int64{s.cfg.Expiry: &r.Expiration, s.cfg.InProgress: &r.InProgressExpiration} {
		av, ok := item[attr]
		if !ok {
			continue
		}
		v, ok := av.(*types.AttributeValueMemberN)
		if !ok {
			return nil, bad(attr)
		}
		n, ok := idemstore.ParseEpoch(v.Value)
		if !ok {
			return nil, bad(attr)
		}
		*dst = n
	}
	switch v := item[s.cfg.Data].(type) {
	case nil:
	case *types.AttributeValueMemberS:
		r.Data = []byte(v.Value)
	case *types.AttributeValueMemberB:
		r.Data = v.Value
	default:
		return nil, bad(s.cfg.Data)
	}
	switch v := item[s.cfg.Validation].(type) {
	case nil:
	case *types.AttributeValueMemberS:
		r.Validation = v.Value
	default:
		return nil, bad(s.cfg.Validation)
	}
	return r, nil
}
