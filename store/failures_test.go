package store_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/lib/pq"
)

// redisReply is an error as Redis answers it (go-redis's are internal).
type redisReply string

func (e redisReply) Error() string { return string(e) }
func (redisReply) RedisError()     {}

func TestFailuresAreToldApartByKind(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("store: something: %w", err) }
	for _, tt := range []struct {
		name                 string
		err                  error
		unavailable, badData bool
	}{
		{"PostgreSQL shutting down", &pq.Error{Code: "57P01"}, true, false},
		{"PostgreSQL starting up", &pq.Error{Code: "57P03"}, true, false},
		{"PostgreSQL connection failure", &pq.Error{Code: "08006"}, true, false},
		{"too many connections", &pq.Error{Code: "53300"}, true, false},
		{"invalid byte sequence", &pq.Error{Code: "22021"}, false, true},
		{"value too long", &pq.Error{Code: "22001"}, false, true},
		{"unique violation", &pq.Error{Code: "23505"}, false, false},
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, true, false},
		{"reset", syscall.ECONNRESET, true, false},
		{"cut mid-answer", io.ErrUnexpectedEOF, true, false},
		{"bad connection", driver.ErrBadConn, true, false},
		{"timed out", context.DeadlineExceeded, true, false},
		{"client gone", context.Canceled, true, false},
		{"Redis replaying its log", redisReply("LOADING Redis is loading the dataset in memory"), true, false},
		{"Redis replica without master", redisReply("MASTERDOWN Link with MASTER is down"), true, false},
		{"Redis wrong type", redisReply("WRONGTYPE Operation against a key holding the wrong kind of value"), false, false},
		{"not found", courses.ErrNotFound, false, false},
		{"anything else", errors.New("boom"), false, false},
	} {
		if got := store.Unavailable(wrap(tt.err)); got != tt.unavailable {
			t.Errorf("%s: Unavailable = %v, want %v", tt.name, got, tt.unavailable)
		}
		if got := store.BadData(wrap(tt.err)); got != tt.badData {
			t.Errorf("%s: BadData = %v, want %v", tt.name, got, tt.badData)
		}
	}
	if store.Unavailable(nil) || store.BadData(nil) {
		t.Error("nil is a failure")
	}
}
