package events

import (
	"encoding/base64"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	awsevents "github.com/aws/aws-lambda-go/events"
)

// KafkaRecords is every record of a Kafka event (Amazon MSK or self-managed) in one slice: by topic
// and partition ("orders-0", "orders-1", "orders-10", the partition compared as a number), each
// partition's records in the order delivered.
func KafkaRecords(e awsevents.KafkaEvent) []awsevents.KafkaRecord {
	keys := make([]string, 0, len(e.Records))
	n := 0
	for k, rs := range e.Records {
		keys = append(keys, k)
		n += len(rs)
	}
	sort.Slice(keys, func(i, j int) bool {
		ti, pi := kafkaSplit(keys[i])
		tj, pj := kafkaSplit(keys[j])
		if ti != tj {
			return ti < tj
		}
		if pi != pj {
			return pi < pj
		}
		return keys[i] < keys[j]
	})
	out := make([]awsevents.KafkaRecord, 0, n)
	for _, k := range keys {
		out = append(out, e.Records[k]...)
	}
	return out
}

// kafkaSplit splits "topic-partition" (topics may contain dashes; the partition is after the last one).
func kafkaSplit(k string) (string, int) {
	i := strings.LastIndexByte(k, '-')
	if i < 0 {
		return k, -1
	}
	p, err := strconv.Atoi(k[i+1:])
	if err != nil {
		return k, -1
	}
	return k[:i], p
}

// KafkaKey is the decoded key of a Kafka record (nil when the record has none). Bad base64 is a
// *DecodeError wrapping ErrBadBase64 that names the topic, partition and offset.
func KafkaKey(r awsevents.KafkaRecord) ([]byte, error) {
	return kafkaDecode(r, "key", r.Key)
}

// KafkaValue is the decoded value of a Kafka record (nil when the record has none, a tombstone).
func KafkaValue(r awsevents.KafkaRecord) ([]byte, error) {
	return kafkaDecode(r, "value", r.Value)
}

// KafkaValueJSON decodes the value of a Kafka record as JSON into T.
func KafkaValueJSON[T any](r awsevents.KafkaRecord) (T, error) {
	var v T
	b, err := KafkaValue(r)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, eventsDecodeErr("kafka", -1, kafkaWhere(r, "value"), eventsKind(ErrBadJSON, err))
	}
	return v, nil
}

// KafkaHeaders is the headers of a Kafka record by name; of a name sent more than once the last value
// wins (as in the Python edition's decoded_headers). KafkaHeaderValues gives every value.
func KafkaHeaders(r awsevents.KafkaRecord) map[string][]byte {
	out := make(map[string][]byte, len(r.Headers))
	for _, h := range r.Headers {
		for k, v := range h {
			out[k] = []byte(v)
		}
	}
	return out
}

// KafkaHeaderValues is every value of the named header of a Kafka record, in order.
func KafkaHeaderValues(r awsevents.KafkaRecord, name string) [][]byte {
	var out [][]byte
	for _, h := range r.Headers {
		if v, ok := h[name]; ok {
			out = append(out, []byte(v))
		}
	}
	return out
}

func kafkaDecode(r awsevents.KafkaRecord, field, s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, eventsDecodeErr("kafka", -1, kafkaWhere(r, field), eventsKind(ErrBadBase64, err))
	}
	return b, nil
}

func kafkaWhere(r awsevents.KafkaRecord, field string) string {
	return field + " of " + r.Topic + "-" + strconv.FormatInt(r.Partition, 10) + "@" + strconv.FormatInt(r.Offset, 10)
}

// ActiveMQData is the decoded data of an Amazon MQ for ActiveMQ message. Bad base64 is a *DecodeError
// wrapping ErrBadBase64 naming the message id.
func ActiveMQData(m awsevents.ActiveMQMessage) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(m.Data)
	if err != nil {
		return nil, eventsDecodeErr("activemq", -1, "data of "+quoteField(m.MessageID), eventsKind(ErrBadBase64, err))
	}
	return b, nil
}

// ActiveMQJSON decodes the data of an ActiveMQ message as JSON into T.
func ActiveMQJSON[T any](m awsevents.ActiveMQMessage) (T, error) {
	var v T
	b, err := ActiveMQData(m)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, eventsDecodeErr("activemq", -1, "data of "+quoteField(m.MessageID), eventsKind(ErrBadJSON, err))
	}
	return v, nil
}

// RabbitMQMessages is every message of an Amazon MQ for RabbitMQ event in one slice, by queue
// ("queue::vhost") name, each queue's messages in the order delivered.
func RabbitMQMessages(e awsevents.RabbitMQEvent) []awsevents.RabbitMQMessage {
	keys := make([]string, 0, len(e.MessagesByQueue))
	for k := range e.MessagesByQueue {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []awsevents.RabbitMQMessage
	for _, k := range keys {
		out = append(out, e.MessagesByQueue[k]...)
	}
	return out
}

// RabbitMQData is the decoded data of a RabbitMQ message.
func RabbitMQData(m awsevents.RabbitMQMessage) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(m.Data)
	if err != nil {
		return nil, eventsDecodeErr("rabbitmq", -1, "data", eventsKind(ErrBadBase64, err))
	}
	return b, nil
}

// RabbitMQJSON decodes the data of a RabbitMQ message as JSON into T.
func RabbitMQJSON[T any](m awsevents.RabbitMQMessage) (T, error) {
	var v T
	b, err := RabbitMQData(m)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, eventsDecodeErr("rabbitmq", -1, "data", eventsKind(ErrBadJSON, err))
	}
	return v, nil
}
