package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
)

func TestMigrationsGoUpDownAndUpAgain(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, storetest.EmptyURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.CheckSchema(ctx); !errors.Is(err, store.ErrSchemaOutdated) {
		t.Fatalf("empty database: CheckSchema = %v, want ErrSchemaOutdated", err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("up: %v", err)
	}
	if err := st.CheckSchema(ctx); err != nil {
		t.Fatalf("after up: %v", err)
	}
	if err := st.MigrateDownAll(ctx); err != nil {
		t.Fatalf("down: %v", err)
	}
	if err := st.CheckSchema(ctx); !errors.Is(err, store.ErrSchemaOutdated) {
		t.Fatalf("after down: CheckSchema = %v, want ErrSchemaOutdated", err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if err := st.CheckSchema(ctx); err != nil {
		t.Fatalf("after up again: %v", err)
	}
}
