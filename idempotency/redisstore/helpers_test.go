package redisstore_test

import (
	"context"

	"github.com/redis/go-redis/v9"
	"regexp"
	"strconv"
)

func regexpMatch(re, s string) bool { return regexp.MustCompile(re).MatchString(s) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

// The store-down tests make go-redis log every failed dial.
func init() { redis.SetLogger(quietLogger{}) }
