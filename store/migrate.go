package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrations embed.FS

// provider takes a PostgreSQL advisory lock while it migrates, so that app instances
// started together never run the same migration twice.
func provider(db *sql.DB) (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, db, mustSub(migrations, "migrations"), goose.WithSessionLocker(locker),
		goose.WithGoMigrations(riverGoMigrations()...))
}

// Migrate brings the schema up to date. Each migration runs in its own transaction.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := provider(s.db.DB)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate up: %w", err)
	}
	return nil
}

// MigrateDownAll undoes every migration; tests use it to prove each one can be undone.
func (s *Store) MigrateDownAll(ctx context.Context) error {
	p, err := provider(s.db.DB)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	if _, err := p.DownTo(ctx, 0); err != nil {
		return fmt.Errorf("store: migrate down: %w", err)
	}
	return nil
}

// ErrSchemaOutdated says the database needs `aula migrate` before the app can serve.
var ErrSchemaOutdated = errors.New("database schema is out of date")

// CheckSchema returns ErrSchemaOutdated unless every embedded migration has been applied.
func (s *Store) CheckSchema(ctx context.Context) error {
	p, err := provider(s.db.DB)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	current, want, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("store: schema version: %w", err)
	}
	if current < want {
		return fmt.Errorf("%w: the database is at version %d and this binary needs %d; run `aula migrate`", ErrSchemaOutdated, current, want)
	}
	return nil
}

// MigrationsChecksum identifies the embedded migrations; the test harness names its
// template database after it, so that a changed migration builds a new template.
func MigrationsChecksum() string {
	h := sha256.New()
	err := fs.WalkDir(migrations, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := migrations.ReadFile(path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	if err != nil {
		// Files embedded in the binary cannot be unreadable unless the binary is broken.
		panic(fmt.Sprintf("store: embedded migrations: %v", err))
	}
	fmt.Fprintf(h, "river steps %v", riverSteps)
	return hex.EncodeToString(h.Sum(nil))[:12]
}
