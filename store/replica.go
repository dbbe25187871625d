package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Replica is a streaming replica of the primary (DATABASE_READ_URL), read by the school's
// reports, the impact page and the exports: figures a few seconds old are as good there, and
// their scans then leave the primary to the trainees. Nothing a trainee has just written is
// read from it.
type Replica struct {
	URL string
	// OnDown is told, once per outage, that the replica does not answer and that reads go to
	// the primary meanwhile (the caller logs it).
	OnDown func(error)
	Now    func() time.Time // time.Now when nil
	// Silence is how long the replica may stay silent in a statement before its read is made
	// on the primary; ReplicaSilence when 0.
	Silence time.Duration
}

// ReplicaPause is how long reads keep off a replica that failed to answer before trying it
// again: a dead replica costs one failed connection every ReplicaPause, not one per read.
const ReplicaPause = 30 * time.Second

// ReadReplica makes the store read the reports and exports from r.
func ReadReplica(r Replica) Option { return func(o *options) { o.replica = &r } }

type replica struct {
	Replica
	db        *sqlx.DB
	downUntil atomic.Int64 // Unix nanoseconds: reads go to the primary until then
	failing   atomic.Bool  // the replica's last try failed: OnDown has been told
}

// openReplica prepares the replica's pool; nothing is dialled until the first read, and a
// replica down at start is only a replica down.
func (s *Store) openReplica(r Replica) error {
	url := r.URL
	// A replica that does not answer must fail fast, for its reads to be made on the
	// primary in the same request; and nothing is ever written through this pool.
	if !strings.Contains(url, "connect_timeout") {
		url = withSetting(url, "connect_timeout", "2")
	}
	if r.Silence == 0 {
		r.Silence = ReplicaSilence
	}
	db, err := s.pool(withSetting(url, "default_transaction_read_only", "on"), 10, silenceDialer{r.Silence})
	if err != nil {
		return fmt.Errorf("store: DATABASE_READ_URL: %w", err)
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.OnDown == nil {
		r.OnDown = func(error) {}
	}
	s.replica = &replica{Replica: r, db: db}
	return nil
}

// ReplicaSilence is the longest the replica may stay silent in the middle of a statement
// before its connection is given up for dead and the read made on the primary. lib/pq cancels
// a statement through a new connection, which a hung or cut-off replica never answers, so
// without this a frozen replica would hold its reads (and the impact page's lock) for ever.
// The reports and exports read at most a few seconds; an export's rows keep coming.
const ReplicaSilence = 15 * time.Second

// silenceDialer dials like lib/pq and gives each connection a read and write deadline, pushed
// back at every read and write: a connection silent for longer fails, and with it its read.
type silenceDialer struct{ silence time.Duration }

func (d silenceDialer) Dial(network, address string) (net.Conn, error) {
	return d.DialTimeout(network, address, 0)
}

func (d silenceDialer) DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	c, err := (&net.Dialer{Timeout: timeout, KeepAlive: 5 * time.Minute}).Dial(network, address)
	if err != nil {
		return nil, err
	}
	return silenceConn{Conn: c, silence: d.silence, until: new(atomic.Int64)}, nil
}

type silenceConn struct {
	net.Conn
	silence time.Duration
	// until is a deadline lib/pq set itself (connect_timeout, during the start-up), in Unix
	// nanoseconds, 0 for none: the silence never pushes it back.
	until *atomic.Int64
}

func (c silenceConn) SetDeadline(t time.Time) error {
	c.until.Store(unixNano(t))
	return c.Conn.SetDeadline(t)
}

func (c silenceConn) SetReadDeadline(t time.Time) error {
	c.until.Store(unixNano(t))
	return c.Conn.SetReadDeadline(t)
}

// deadline is the silence from now, or lib/pq's own deadline when that comes first.
func (c silenceConn) deadline() time.Time {
	d := time.Now().Add(c.silence)
	if u := c.until.Load(); u != 0 && u < d.UnixNano() {
		return time.Unix(0, u)
	}
	return d
}

func (c silenceConn) Read(b []byte) (int, error) {
	if err := c.Conn.SetReadDeadline(c.deadline()); err != nil {
		return 0, err
	}
	return c.Conn.Read(b)
}

func (c silenceConn) Write(b []byte) (int, error) {
	if err := c.Conn.SetWriteDeadline(c.deadline()); err != nil {
		return 0, err
	}
	return c.Conn.Write(b)
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// FromReplica marks ctx's reads as content with the replica's copy, which may be a little
// behind the primary: an export's. The reports and the impact page read it without.
func FromReplica(ctx context.Context) context.Context {
	return context.WithValue(ctx, fromReplicaKey{}, true)
}

type fromReplicaKey struct{}

// read runs read on the replica when ctx allows it (FromReplica), else on the primary.
func (s *Store) read(ctx context.Context, read func(db *sqlx.DB) error) error {
	if ok, _ := ctx.Value(fromReplicaKey{}).(bool); ok {
		return s.onReplica(ctx, read)
	}
	return read(s.db)
}

// onReplica runs read on the replica, or on the primary when there is none or it has failed
// within ReplicaPause. When the replica cannot be reached, or cancels the statement because of
// the replay (a recovery conflict), read runs again on the primary: it may run twice, and
// must start from nothing each time.
func (s *Store) onReplica(ctx context.Context, read func(db *sqlx.DB) error) error {
	r := s.replica
	if r == nil || r.Now().UnixNano() < r.downUntil.Load() {
		return read(s.db)
	}
	err := read(r.db)
	if err == nil {
		r.failing.Store(false)
		return nil
	}
	if ctx.Err() != nil {
		return err
	}
	switch replicaFault(err) {
	case notReplicas:
		return err
	case replicaDown:
		r.downUntil.Store(r.Now().Add(ReplicaPause).UnixNano())
		if !r.failing.Swap(true) {
			r.OnDown(err)
		}
	}
	return read(s.db)
}

type fault int

const (
	notReplicas     fault = iota // the statement's own error: the primary would answer the same
	replicaDown                  // the replica does not answer: keep off it for a while
	replicaConflict              // the replica cancelled the statement, being busy replaying
)

// replicaFault tells what an error from the replica says about it.
func replicaFault(err error) fault {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		if pqErr.Code == "57014" { // query_canceled: the request's own cancel, or a statement_timeout
			return notReplicas
		}
		switch pqErr.Code.Class() {
		// connection exception, insufficient resources, operator intervention (shut down,
		// starting up), and a replica Aula cannot use at all: a wrong password (28) or database
		// name (3D) in DATABASE_READ_URL fails over too, with its warning, rather than every
		// report failing while the primary is fine
		case "08", "53", "57", "28", "3D":
			return replicaDown
		}
		if pqErr.Code == "40001" { // on a standby: canceling statement due to conflict with recovery
			return replicaConflict
		}
		return notReplicas
	}
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return replicaDown
	}
	return notReplicas
}
