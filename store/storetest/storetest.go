// Package storetest gives each test its own PostgreSQL database and Redis key space,
// on the real servers that `make test` starts (DATABASE_URL and REDIS_URL).
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/aula-school/aula/store"
	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"
)

func env(t testing.TB, name string) string {
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: run the tests with `make test`, which starts PostgreSQL and Redis", name)
	}
	return v
}

func randomName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// withDB returns base with its database name replaced.
func withDB(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	u.Path = "/" + name
	return u.String()
}

// template builds, once per migration set and across test processes, a migrated
// database that each test clones: cloning takes milliseconds, migrating takes longer.
func template(ctx context.Context, admin *sqlx.DB, base string) (string, error) {
	name := "aula_template_" + store.MigrationsChecksum()
	conn, err := admin.Connx(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	// Serialise template building between test binaries running in parallel.
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(727274)`); err != nil {
		return "", err
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(727274)`)
	var exists bool
	if err := conn.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_building"
	if _, err := conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+building+` WITH (FORCE)`); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+building); err != nil {
		return "", err
	}
	st, err := store.Open(ctx, withDB(base, building))
	if err != nil {
		return "", err
	}
	err = st.Migrate(ctx)
	st.Close()
	if err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, `ALTER DATABASE `+building+` RENAME TO `+name); err != nil {
		return "", err
	}
	return name, nil
}

// URL creates a fresh, migrated database for t, dropped when t ends, and returns its URL.
func URL(t testing.TB) string {
	t.Helper()
	base := env(t, "DATABASE_URL")
	ctx := context.Background()
	admin, err := sqlx.Open("postgres", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	templateOnce.Do(func() { templateName, templateErr = template(ctx, admin, base) })
	if templateErr != nil {
		t.Fatalf("storetest: template database: %v", templateErr)
	}
	name := "aula_test_" + randomName()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name+` TEMPLATE `+templateName); err != nil {
		t.Fatalf("storetest: create database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sqlx.Open("postgres", base)
		if err != nil {
			t.Error(err)
			return
		}
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("storetest: drop database: %v", err)
		}
	})
	return withDB(base, name)
}

// EmptyURL creates an empty database (no migrations) for t and returns its URL.
func EmptyURL(t testing.TB) string {
	t.Helper()
	base := env(t, "DATABASE_URL")
	admin, err := sqlx.Open("postgres", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := "aula_test_" + randomName()
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("storetest: create database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sqlx.Open("postgres", base)
		if err == nil {
			_, _ = admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
			admin.Close()
		}
	})
	return withDB(base, name)
}

// DB returns a store on a fresh, migrated database of its own. It counts the statements it
// sends (st.Statements()), so that a test can hold a page to its round trips.
func DB(t testing.TB) *store.Store {
	t.Helper()
	st, _ := DBAt(t)
	return st
}

// DBAt is DB, with the database's URL, for a test that must reach under the store (to
// tamper with a row, as an intruder with the database's password would).
func DBAt(t testing.TB) (*store.Store, string) {
	t.Helper()
	url := URL(t)
	st, err := store.Open(context.Background(), url, store.CountStatements())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	UseSigningKeys(t, st)
	return st, url
}

// Secret is the tests' school secret, which seals the signing keys.
var Secret = []byte("aula-tests-secret-32-bytes-long!")

// School is the name the tests' certificates are issued in.
const School = "Aula"

// UseSigningKeys gives st the school's signing keys (made on first use in each database).
func UseSigningKeys(t testing.TB, st *store.Store) {
	t.Helper()
	if err := st.UseSigningKeys(context.Background(), School, Secret, nil); err != nil {
		t.Fatal(err)
	}
}

// Redis returns a client and a key prefix of t's own; its keys are deleted when t ends.
func Redis(t testing.TB) (redis.UniversalClient, string) {
	t.Helper()
	rdb, err := store.OpenRedis(context.Background(), store.RedisConfig{URL: env(t, "REDIS_URL")})
	if err != nil {
		t.Fatal(err)
	}
	prefix := fmt.Sprintf("test:%s:", randomName())
	t.Cleanup(func() {
		ctx := context.Background()
		// redis_rate puts its own "rate:" before the keys it is given.
		for _, pattern := range []string{prefix + "*", "rate:" + prefix + "*"} {
			iter := rdb.Scan(ctx, 0, pattern, 500).Iterator()
			for iter.Next(ctx) {
				rdb.Del(ctx, iter.Val())
			}
		}
		rdb.Close()
	})
	return rdb, prefix
}
