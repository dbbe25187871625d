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
	neturl "net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/redis/go-redis/v9"
	"github.com/riverqueue/river"
)

// Store is the PostgreSQL side of Aula.
type Store struct {
	db        *sqlx.DB
	hot       *sqlx.DB               // the busiest pages' prepared statements: see (*Store).stmt
	writes    *sqlx.DB               // the busiest writes' prepared statements: see durableGet
	replica   *replica               // the reports' and exports' reads, when there is one: see onReplica
	counter   *atomic.Int64          // statements sent, when opened with CountStatements
	prepared  sync.Map               // query → *sqlx.Stmt on hot
	durable   sync.Map               // query → *sqlx.Stmt on db: busy writes that must reach the disk
	outlines  outlineCache           // the course pages' outlines, by course version: see CoursePage
	learning  learningCache          // My learning's course texts and lesson counts, by course version
	versions  versionCache           // question versions, which never change: see questionsOf
	skeletons shapeCache             // attempts in progress, as last read: see AttemptShape
	justSaved justSavedCache         // attempts a page's submit just saved, for the page that follows: see AttemptAsSaved
	titles    titlesCache            // quizzes' titles, decoded once and shared by the attempts kept
	draws     drawCache              // what the quizzes' starts draw from, by course version: see drawCache
	signer    atomic.Pointer[signer] // the school's signing keys: see UseSigningKeys
	// insertClient queues background jobs inside the transactions that cause them.
	insertClient *river.Client[*sql.Tx]
	inserterOnce sync.Once
	inserterErr  error
}

// Open connects to PostgreSQL and checks that it answers.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	s := &Store{}
	if o.count {
		s.counter = new(atomic.Int64)
	}
	var err error
	if s.db, err = s.pool(url, 20); err != nil {
		return nil, err
	}
	// The busiest writes (an attempt's start, an answer saved) are prepared on connections of
	// their own that plan them once, generically, as the hot pool does, and commit waiting for
	// the disk. PostgreSQL otherwise chose a custom plan on every call of an answer's save
	// (pg_stat_statements in the exam trial: 20,032 plans for 20,031 saves, half a millisecond
	// each), and the settings cannot be the primary pool's: there they would also give generic
	// plans to every other statement with parameters.
	//
	// A plan made once is kept for the connection's life, so it must suit the tables as they
	// will be, not as they are when it is made: both pools plan without sequential scans
	// wherever an index serves. Otherwise a plan made while quiz_attempts held a page or two (a
	// school's first exam) read the whole table, growing by a thousand attempts a second, on
	// every save and on every slot's foreign key of every start: in the bench's full run,
	// 163,528 scans of quiz_attempts reading 296 million rows for one exam start, PostgreSQL
	// four times a trial's CPU per examinee (TestTheBusiestWritesKeepTheirIndexesAsAnExamFillsTheTable).
	// Their statements are lookups by key; the reports, which scan, run on s.db.
	if s.writes, err = s.pool(planOnce(url), 8); err != nil {
		s.db.Close()
		return nil, err
	}
	// The hot statements' own connections plan them once, generically: PostgreSQL otherwise
	// keeps planning them per call (about half a millisecond for the course page's), because
	// a plan for unknown parameters looks dearer than one for known ones. They are reads, and
	// one write whose loss in a crash is harmless: the trainee's reading position. So they
	// commit without waiting for the disk (synchronous_commit off): a crash of the machine may
	// forget the last fraction of a second of "where I was", never a completion, an attempt
	// or anything else, which go through s.db (measured: the lesson page from 0.15 to 0.20 × S).
	if s.hot, err = s.pool(withSetting(planOnce(url), "synchronous_commit", "off"), 20); err != nil {
		s.db.Close()
		s.writes.Close()
		return nil, err
	}
	if o.replica != nil {
		if err := s.openReplica(*o.replica); err != nil {
			s.Close()
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.db.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: connect to PostgreSQL: %w", err)
	}
	return s, nil
}

// pool opens a pool of at most size connections to url, counted when the store counts.
func (s *Store) pool(url string, size int, dialer ...pq.Dialer) (*sqlx.DB, error) {
	pqConnector, err := pq.NewConnector(url)
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	for _, d := range dialer {
		pqConnector.Dialer(d)
	}
	var connector driver.Connector = pqConnector
	if s.counter != nil {
		connector = countingConnector{Connector: pqConnector, n: s.counter}
	}
	db := sqlx.NewDb(sql.OpenDB(connector), "postgres")
	db.SetMaxOpenConns(size)
	// As many idle as open: with fewer, a busy minute closes and opens connections on every
	// request (a PostgreSQL process each time, and the hot statements prepared again).
	db.SetMaxIdleConns(size)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// planOnce is url with the settings of the pools that plan each statement once: generic
// plans, and no sequential scan where an index serves (see Open). A statement added to them
// must find each table's rows by an index: a table it can only scan is planned at the
// setting's penalty, and the planner then tells its other choices apart badly.
func planOnce(url string) string {
	return withSetting(withSetting(url, "plan_cache_mode", "force_generic_plan"), "enable_seqscan", "off")
}

// withSetting adds a run-time setting to a connection string, as a URL or as key=value pairs
// (lib/pq sends parameters it does not know to the server as settings).
func withSetting(dsn, name, value string) string {
	if u, err := neturl.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set(name, value)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " " + name + "=" + value
}

// Close releases the connections.
func (s *Store) Close() error {
	var errs []error
	for _, cache := range []*sync.Map{&s.prepared, &s.durable} {
		cache.Range(func(_, st any) bool {
			errs = append(errs, st.(*sqlx.Stmt).Close())
			return true
		})
	}
	if s.hot != nil {
		errs = append(errs, s.hot.Close())
	}
	if s.writes != nil {
		errs = append(errs, s.writes.Close())
	}
	if s.replica != nil {
		errs = append(errs, s.replica.db.Close())
	}
	return errors.Join(append(errs, s.db.Close())...)
}

// stmt returns query prepared, for the statements the busiest pages send on every view:
// PostgreSQL then parses and plans them once per connection instead of on every request,
// and lib/pq sends each in one round trip (bind and execute) instead of two (parse and
// describe, then bind and execute). Prepared on first use, not at Open: the schema may not
// exist yet then. database/sql prepares it again on each connection it runs on; that is not
// counted as a statement, being once per connection and not per request.
func (s *Store) stmt(ctx context.Context, query string) (*sqlx.Stmt, error) {
	return prepare(ctx, s.hot, &s.prepared, query)
}

func prepare(ctx context.Context, pool *sqlx.DB, cache *sync.Map, query string) (*sqlx.Stmt, error) {
	if st, ok := cache.Load(query); ok {
		return st.(*sqlx.Stmt), nil
	}
	st, err := pool.PreparexContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if old, loaded := cache.LoadOrStore(query, st); loaded {
		st.Close()
		return old.(*sqlx.Stmt), nil
	}
	return st, nil
}

// withStmt runs fn with query prepared. When PostgreSQL no longer accepts the prepared
// form (a migration changed a table under it: "cached plan must not change result type",
// or the statement is gone), it is prepared again and fn runs once more.
func (s *Store) withStmt(ctx context.Context, query string, fn func(*sqlx.Stmt) error) error {
	return withPrepared(ctx, s.hot, &s.prepared, query, fn)
}

func withPrepared(ctx context.Context, pool *sqlx.DB, cache *sync.Map, query string, fn func(*sqlx.Stmt) error) error {
	st, err := prepare(ctx, pool, cache, query)
	if err != nil {
		return err
	}
	err = fn(st)
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || (pqErr.Code != "0A000" && pqErr.Code != "26000") {
		return err
	}
	if cache.CompareAndDelete(query, st) {
		st.Close() // its connections' copies are stale; an error closing them changes nothing
	}
	if st, err = prepare(ctx, pool, cache, query); err != nil {
		return err
	}
	return fn(st)
}

// durableGet runs one of the busiest writes prepared, on a pool that waits for the disk (an
// answer saved is saved) and plans it once per connection.
func (s *Store) durableGet(ctx context.Context, dest any, query string, args ...any) error {
	return withPrepared(ctx, s.writes, &s.durable, query, func(st *sqlx.Stmt) error { return st.GetContext(ctx, dest, args...) })
}

// hotGet and hotSelect run one of the busiest pages' statements, prepared.
func (s *Store) hotGet(ctx context.Context, dest any, query string, args ...any) error {
	return s.withStmt(ctx, query, func(st *sqlx.Stmt) error { return st.GetContext(ctx, dest, args...) })
}

func (s *Store) hotSelect(ctx context.Context, dest any, query string, args ...any) error {
	return s.withStmt(ctx, query, func(st *sqlx.Stmt) error { return st.SelectContext(ctx, dest, args...) })
}

// Ping says whether PostgreSQL answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// RedisConfig says which Redis to use: a single server (URL alone), the master a set of
// Sentinels watch (Sentinels and Master), or a Cluster (Cluster). URL's user, password,
// database and TLS (rediss://) apply in every case, to the master and its replicas or to the
// Cluster's nodes; its host is then not used.
type RedisConfig struct {
	URL              string
	Sentinels        []string // host:port of each Sentinel
	Master           string   // the name the Sentinels know the master by
	SentinelPassword string   // the Sentinels' own requirepass, when they have one
	Cluster          []string // host:port of some of the Cluster's nodes (the rest are discovered)
}

// Redis timeouts. A server that dies (or hangs) fails a command within redisReadTimeout, and
// a dial within redisDialTimeout, dialled once (go-redis would otherwise redial five times
// before its first retry). A single server is retried as go-redis does by default (three times,
// within half a second or so): when it is down, a page says "temporarily unavailable" within a
// second or two. With Sentinels or a Cluster, a command that finds the master gone is retried
// for longer, asking the Sentinels for the master again each time it dials, for about
// retryBackoff × redisRetries: a failover that is over by then (a promotion takes
// down-after-milliseconds plus about a second) costs the request a delay, not an error; a
// longer one fails the requests in that window, each once, with "temporarily unavailable".
const (
	redisDialTimeout = 2 * time.Second
	redisReadTimeout = time.Second
	redisRetries     = 6
	retryBackoff     = 500 * time.Millisecond
)

// OpenRedis connects to the Redis c describes and checks that it answers.
func OpenRedis(ctx context.Context, c RedisConfig) (redis.UniversalClient, error) {
	opt, err := redis.ParseURL(c.URL)
	if err != nil {
		return nil, fmt.Errorf("store: REDIS_URL: %w", err)
	}
	u := &redis.UniversalOptions{
		Addrs: []string{opt.Addr}, Username: opt.Username, Password: opt.Password, DB: opt.DB, TLSConfig: opt.TLSConfig,
		DialTimeout: orDefault(opt.DialTimeout, redisDialTimeout), ReadTimeout: orDefault(opt.ReadTimeout, redisReadTimeout),
		WriteTimeout: orDefault(opt.WriteTimeout, redisReadTimeout), DialerRetries: 1,
		PoolSize: opt.PoolSize, MinIdleConns: opt.MinIdleConns,
	}
	if len(c.Sentinels) > 0 || len(c.Cluster) > 0 {
		u.MaxRetries, u.MinRetryBackoff, u.MaxRetryBackoff = redisRetries, 50*time.Millisecond, retryBackoff
	}
	if opt.MaxRetries != 0 { // given in the URL (max_retries=…; -1: none)
		u.MaxRetries = opt.MaxRetries
	}
	switch {
	case len(c.Sentinels) > 0:
		u.Addrs, u.MasterName, u.SentinelPassword = c.Sentinels, c.Master, c.SentinelPassword
	case len(c.Cluster) > 0:
		u.Addrs, u.IsClusterMode = c.Cluster, true
	}
	rdb := redis.NewUniversalClient(u)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("store: connect to Redis: %w", err)
	}
	return rdb, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// inTx runs fn in a transaction, committed only when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	return s.inTxWith(ctx, nil, fn)
}

// inTxWith is inTx with the transaction's isolation and access mode.
func (s *Store) inTxWith(ctx context.Context, opts *sql.TxOptions, fn func(tx *sqlx.Tx) error) error {
	return inTxOn(ctx, s.db, opts, fn)
}

// inTxOn is inTxWith on the pool db (the primary's or the replica's).
func inTxOn(ctx context.Context, db *sqlx.DB, opts *sql.TxOptions, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.BeginTxx(ctx, opts)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		// A cancelled request has had its transaction rolled back already (ErrTxDone).
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("store: rollback: %w", rbErr))
		}
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
