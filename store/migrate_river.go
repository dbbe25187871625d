package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"
)

// riverSteps are the goose migrations that create River's own schema (its job queue: the
// overdue-attempt sweeper and every later background job), each up to a pinned version of
// River's schema, so that upgrading River never changes what an applied migration did: a
// River release that needs a newer schema gets a new step.
//
// River's schema takes two steps because its version 4 adds a value to an enum type that
// version 6 uses, and PostgreSQL refuses a new enum value in the transaction that made it.
var riverSteps = []struct {
	migration     int64 // goose's number
	from, version int   // River's schema before and after
}{
	{migration: 5, from: 0, version: 5},
	{migration: 6, from: 5, version: 8},
}

func riverGoMigrations() []*goose.Migration {
	var out []*goose.Migration
	for _, step := range riverSteps {
		down := step.from
		if down == 0 {
			down = -1 // River's "every version"
		}
		out = append(out, goose.NewGoMigration(step.migration,
			&goose.GoFunc{RunTx: riverMigrate(rivermigrate.DirectionUp, step.version)},
			&goose.GoFunc{RunTx: riverMigrate(rivermigrate.DirectionDown, down)}))
	}
	return out
}

func riverMigrate(direction rivermigrate.Direction, target int) func(context.Context, *sql.Tx) error {
	return func(ctx context.Context, tx *sql.Tx) error {
		// The migrator runs in goose's transaction: it needs no pool of its own.
		m, err := rivermigrate.New(riverdatabasesql.New(nil), nil)
		if err != nil {
			return err
		}
		if _, err := m.MigrateTx(ctx, tx, direction, &rivermigrate.MigrateOpts{TargetVersion: target}); err != nil {
			return fmt.Errorf("river schema %s to %d: %w", direction, target, err)
		}
		return nil
	}
}
