package redisstore

import "github.com/redis/go-redis/v9"

// nilClient satisfies redis.UniversalClient for tests that make no request.
type nilClient struct{ redis.UniversalClient }
