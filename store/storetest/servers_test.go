package storetest

import (
	"context"
	"database/sql"
	"testing"
	"time"

	_ "github.com/lib/pq"
)

// TestPostgresRestartsAndPauses checks the harness itself: a private cluster answers as
// aula, comes back after an immediate restart with what was committed, and a paused one
// answers nothing until it resumes.
func TestPostgresRestartsAndPauses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pg := NewPostgresServerT(t, PostgresOptions{})
	exec := func(ctx context.Context, query string) error {
		db, err := sql.Open("postgres", pg.URL())
		if err != nil {
			return err
		}
		defer db.Close()
		_, err = db.ExecContext(ctx, query)
		return err
	}
	if err := exec(ctx, `CREATE TABLE kept (n int); INSERT INTO kept VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	if err := pg.Restart(ctx, true); err != nil {
		t.Fatal(err)
	}
	if err := exec(ctx, `SELECT 1/count(*) FROM kept`); err != nil {
		t.Fatalf("after an immediate restart: %v", err)
	}
	if err := pg.Pause(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	// lib/pq does not give up a connection's start-up on ctx, so the answer is awaited apart.
	answered := make(chan error, 1)
	go func() { answered <- exec(ctx, `SELECT 1`) }()
	select {
	case err := <-answered:
		t.Fatalf("a paused PostgreSQL answered (%v)", err)
	case <-time.After(500 * time.Millisecond):
	}
	pg.Resume()
	if err := <-answered; err != nil {
		t.Fatalf("after Resume: %v", err)
	}
}

// TestRedisRestartsEmpty checks that a restarted Redis answers on the same port, empty.
func TestRedisRestartsEmpty(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := NewRedisServerT(t)
	if err := r.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if err := redisPing(r.Addr()); err != nil {
		t.Fatal(err)
	}
	r.Kill()
	if redisPing(r.Addr()) == nil {
		t.Fatal("a killed Redis answered")
	}
}
