package store

import "github.com/jmoiron/sqlx"

// DB lets the store's own tests look at what a method wrote.
func (s *Store) DB() *sqlx.DB { return s.db }
