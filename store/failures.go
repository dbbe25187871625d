package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/lib/pq"
	"github.com/redis/go-redis/v9"
)

// Unavailable says whether err means that PostgreSQL or Redis could not be reached or
// went away (refused, reset, timed out, shutting down), rather than that the request was
// wrong. Such a failure is temporary: the connection pools reconnect by themselves.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		// 08: connection exception; 57P01-57P03: the server is shutting down or starting up;
		// 53300: too many connections.
		return pqErr.Code.Class() == "08" || strings.HasPrefix(string(pqErr.Code), "57P") || pqErr.Code == "53300"
	}
	// Redis answering while it cannot serve: replaying its log after a restart, or a
	// replica that lost its master during a failover.
	var redisErr redis.Error
	if errors.As(err, &redisErr) {
		for _, prefix := range []string{"LOADING", "MASTERDOWN", "READONLY", "TRYAGAIN", "CLUSTERDOWN"} {
			if strings.HasPrefix(redisErr.Error(), prefix) {
				return true
			}
		}
	}
	var netErr net.Error
	var opErr *net.OpError
	return errors.As(err, &opErr) || (errors.As(err, &netErr) && netErr.Timeout()) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, redis.ErrPoolTimeout) ||
		errors.Is(err, context.DeadlineExceeded)
}

// BadData says whether PostgreSQL refused a value itself (class 22, data exception: an
// invalid byte sequence, a number out of range, a string too long): the request was wrong,
// and nothing was written.
func BadData(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code.Class() == "22"
}
