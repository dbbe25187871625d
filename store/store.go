// Package store keeps Aula's state: PostgreSQL through sqlx for everything that must
// last, Redis for sessions and rate limits shared between app instances.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/redis/go-redis/v9"
)

// Store is the PostgreSQL side of Aula.
type Store struct {
	db      *sqlx.DB
	counter *atomic.Int64 // statements sent, when opened with CountStatements
}

// Open connects to PostgreSQL and checks that it answers.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	pqConnector, err := pq.NewConnector(url)
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	var counter *atomic.Int64
	var connector driver.Connector = pqConnector
	if o.count {
		counter = new(atomic.Int64)
		connector = countingConnector{Connector: pqConnector, n: counter}
	}
	db := sqlx.NewDb(sql.OpenDB(connector), "postgres")
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect to PostgreSQL: %w", err)
	}
	return &Store{db: db, counter: counter}, nil
}

// Close releases the connections.
func (s *Store) Close() error { return s.db.Close() }

// Ping says whether PostgreSQL answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// OpenRedis connects to Redis and checks that it answers.
func OpenRedis(ctx context.Context, url string) (*redis.Client, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("store: REDIS_URL: %w", err)
	}
	rdb := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("store: connect to Redis: %w", err)
	}
	return rdb, nil
}

// inTx runs fn in a transaction, committed only when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func notFound(err error) bool { return errors.Is(err, sql.ErrNoRows) }

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return sub
}
