package events

import (
	"encoding/base64"
	"testing"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKafka(t *testing.T) {
	for _, name := range []string{"kafka_msk.json", "kafka_self_managed.json"} {
		ev := load[awsevents.KafkaEvent](t, name)
		recs := KafkaRecords(ev)
		require.NotEmpty(t, recs, name)
		for _, r := range recs {
			_, err := KafkaKey(r)
			require.NoError(t, err)
			_, err = KafkaValue(r)
			require.NoError(t, err)
		}
	}
	ev := load[awsevents.KafkaEvent](t, "kafka_msk.json")
	recs := KafkaRecords(ev)
	var order []int64
	for _, r := range recs {
		order = append(order, r.Partition)
	}
	assert.Equal(t, []int64{0, 2, 10}, order, "partitions in numeric order")
	key, err := KafkaKey(recs[0])
	require.NoError(t, err)
	assert.Equal(t, "c-42", string(key))
	o, err := KafkaValueJSON[testOrder](recs[0])
	require.NoError(t, err)
	assert.Equal(t, "ord-1001", o.ID)
	h := KafkaHeaders(recs[0])
	assert.Equal(t, "00-4bf92f35-00f067aa-01", string(h["traceparent"]))
	assert.Equal(t, "mobile", string(h["source"]), "the last value wins")
	assert.Equal(t, [][]byte{[]byte("web"), []byte("mobile")}, KafkaHeaderValues(recs[0], "source"))
	// A tombstone: no key, no value.
	key, err = KafkaKey(recs[2])
	assert.NoError(t, err)
	assert.Nil(t, key)
	v, err := KafkaValue(recs[2])
	assert.NoError(t, err)
	assert.Nil(t, v)

	bad := awsevents.KafkaRecord{Topic: "orders", Partition: 3, Offset: 44, Key: "%%", Value: "e30=x"}
	_, err = KafkaKey(bad)
	checkErr(t, err, "kafka", -1, "key of orders-3@44", ErrBadBase64)
	_, err = KafkaValueJSON[testOrder](bad)
	checkErr(t, err, "kafka", -1, "value of orders-3@44", ErrBadBase64)
	_, err = KafkaValueJSON[testOrder](awsevents.KafkaRecord{Value: base64.StdEncoding.EncodeToString([]byte("{"))})
	checkErr(t, err, "kafka", -1, "value", ErrBadJSON)
}

func TestActiveMQ(t *testing.T) {
	ev := load[awsevents.ActiveMQEvent](t, "activemq.json")
	o, err := ActiveMQJSON[testOrder](ev.Messages[0])
	require.NoError(t, err)
	assert.Equal(t, 129.5, o.Total)
	_, err = ActiveMQData(awsevents.ActiveMQMessage{MessageID: "ID:1", Data: "@"})
	checkErr(t, err, "activemq", -1, `"ID:1"`, ErrBadBase64)
	_, err = ActiveMQJSON[testOrder](awsevents.ActiveMQMessage{Data: "e30"})
	checkErr(t, err, "activemq", -1, "data", ErrBadBase64)
}

func TestRabbitMQ(t *testing.T) {
	ev := load[awsevents.RabbitMQEvent](t, "rabbitmq.json")
	msgs := RabbitMQMessages(ev)
	require.Len(t, msgs, 1)
	o, err := RabbitMQJSON[testOrder](msgs[0])
	require.NoError(t, err)
	assert.Equal(t, "BOOK-7", o.Items[0].SKU)
	_, err = RabbitMQJSON[testOrder](awsevents.RabbitMQMessage{Data: base64.StdEncoding.EncodeToString([]byte("x"))})
	checkErr(t, err, "rabbitmq", -1, "data", ErrBadJSON)
}

func FuzzKafkaRecord(f *testing.F) {
	f.Add("Yy00Mg==", `{"id":"ord-1001"}`, "orders", int64(0))
	f.Add("%%", "e30=", "t", int64(-1))
	f.Add("", "", "", int64(9))
	f.Fuzz(func(t *testing.T, key, value, topic string, offset int64) {
		r := awsevents.KafkaRecord{Topic: topic, Offset: offset, Key: key, Value: base64.StdEncoding.EncodeToString([]byte(value))}
		if _, err := KafkaKey(r); err != nil {
			checkErr(t, err, "kafka", -1, "key", ErrBadBase64)
		}
		got, err := KafkaValue(r)
		require.NoError(t, err)
		if value != "" {
			require.Equal(t, value, string(got))
		}
		if _, err := KafkaValueJSON[any](r); err != nil {
			checkErr(t, err, "kafka", -1, "value", ErrBadJSON)
		}
	})
}
