package store

import "database/sql"

// Pools names the store's PostgreSQL connection pools (primary, hot, writes and, with a
// replica, replica), so that the metrics can show how busy each one is.
func (s *Store) Pools() map[string]*sql.DB {
	pools := map[string]*sql.DB{"primary": s.db.DB, "hot": s.hot.DB, "writes": s.writes.DB}
	if s.replica != nil {
		pools["replica"] = s.replica.db.DB
	}
	return pools
}
