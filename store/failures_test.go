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
	"github.com/aula-school/aula/store/storetest"
	"github.com/jmoiron/sqlx"
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
		{"client gone", context.Canceled, false, false},
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

// A migration that changes a column under a prepared statement ("cached plan must not
// change result type") costs one preparation, not an error on every request until restart.
func TestPreparedStatementsSurviveAColumnChangedUnderThem(t *testing.T) {
	ctx := context.Background()
	url := storetest.URL(t)
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, _, err := st.Catalog(ctx, store.CatalogFilter{Viewer: "es", Limit: 10}); err != nil {
		t.Fatal(err)
	}
	admin, err := sqlx.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `ALTER TABLE courses ALTER COLUMN level TYPE varchar(20)`); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Catalog(ctx, store.CatalogFilter{Viewer: "es", Limit: 10}); err != nil {
		t.Fatalf("the catalog after a column changed: %v", err)
	}
}
