package store

import (
	"context"
	"errors"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
)

// DB lets the store's own tests look at what a method wrote.
func (s *Store) DB() *sqlx.DB { return s.db }

// EnqueueThenRollBack puts e in the outbox in a transaction that then fails, as a change
// that causes an email and is refused would.
func (s *Store) EnqueueThenRollBack(ctx context.Context, e courses.Email) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.enqueueEmail(ctx, tx, e); err != nil {
			return err
		}
		return errors.New("the change is refused")
	})
}

// SetKeptClock sets the machine's clock the attempts kept for their next page count their
// moment on (justSavedCache).
func (s *Store) SetKeptClock(now func() time.Time) {
	s.justSaved.mu.Lock()
	defer s.justSaved.mu.Unlock()
	s.justSaved.clock = now
}
