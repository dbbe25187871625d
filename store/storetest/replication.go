package storetest

// Replication for the scale-out test: a streaming replica of a PostgresServer made with
// pg_basebackup, a Redis replica, and Sentinels watching a Redis master.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"
)

// NewPostgresReplica makes a streaming replica of primary with pg_basebackup -R (the
// replica's connection to the primary written into its configuration) and starts it, read-only.
func NewPostgresReplica(ctx context.Context, primary *PostgresServer) (*PostgresServer, error) {
	dir, err := WorkDir("pg-replica")
	if err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	r := &PostgresServer{Bin: primary.Bin, Dir: dir, Data: filepath.Join(dir, "data"), Port: port, Log: filepath.Join(dir, "server.log")}
	if err := runOut(PGCommand(ctx, primary.Bin, "pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(primary.Port), "-U", "aula",
		"-D", r.Data, "-R", "-X", "stream", "-c", "fast")); err != nil {
		r.Close()
		return nil, err
	}
	// Its own socket folder: the primary's belongs to the primary's test.
	if err := appendFile(filepath.Join(r.Data, "postgresql.conf"), "unix_socket_directories = '"+dir+"'\n"); err != nil {
		r.Close()
		return nil, err
	}
	if err := r.Start(ctx); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// NewPostgresReplicaT is NewPostgresReplica for t, removed when t ends.
func NewPostgresReplicaT(t testing.TB, primary *PostgresServer) *PostgresServer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r, err := NewPostgresReplica(ctx, primary)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the PostgreSQL replica's log:\n%s", tailFile(r.Log, 20))
		}
		r.Close()
	})
	return r
}

// WaitReplayed waits until replica has replayed everything primary has written so far.
func WaitReplayed(ctx context.Context, primary, replica *PostgresServer) error {
	p, err := sqlx.Open("postgres", primary.URL())
	if err != nil {
		return err
	}
	defer p.Close()
	r, err := sqlx.Open("postgres", replica.URL())
	if err != nil {
		return err
	}
	defer r.Close()
	var lsn string
	if err := p.GetContext(ctx, &lsn, `SELECT pg_current_wal_lsn()::text`); err != nil {
		return fmt.Errorf("storetest: primary's WAL position: %w", err)
	}
	return waitFor(ctx, func() error {
		var caught bool
		if err := r.GetContext(ctx, &caught, `SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false)`, lsn); err != nil {
			return err
		}
		if !caught {
			return fmt.Errorf("the replica has not replayed up to %s", lsn)
		}
		return nil
	})
}

// NewRedisReplicaT starts a Redis that replicates master, and waits until it has synced.
func NewRedisReplicaT(t testing.TB, master *RedisServer) *RedisServer {
	t.Helper()
	r := NewRedisServerT(t, "--replicaof", "127.0.0.1", strconv.Itoa(master.Port))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := WaitRedisReplicated(ctx, master, r); err != nil {
		t.Fatal(err)
	}
	return r
}

// WaitRedisReplicated waits until replica has received everything master holds now.
func WaitRedisReplicated(ctx context.Context, master, replica *RedisServer) error {
	offset := func(addr, field string) (int64, error) {
		c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
		defer c.Close()
		info, err := c.Info(ctx, "replication").Result()
		if err != nil {
			return 0, err
		}
		for _, line := range strings.Split(info, "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), field+":"); ok {
				return strconv.ParseInt(v, 10, 64)
			}
		}
		return 0, fmt.Errorf("no %s in %s's INFO", field, addr)
	}
	want, err := offset(master.Addr(), "master_repl_offset")
	if err != nil {
		return fmt.Errorf("storetest: Redis master's offset: %w", err)
	}
	return waitFor(ctx, func() error {
		got, err := offset(replica.Addr(), "slave_repl_offset")
		if err != nil {
			return err
		}
		if got < want {
			return fmt.Errorf("the Redis replica is at %d of %d", got, want)
		}
		return nil
	})
}

// Sentinels are Redis Sentinels (Debian's redis-sentinel) watching one master.
type Sentinels struct {
	Master  string // the name they know it by
	Servers []*RedisServer
}

// Addrs is the Sentinels' host:port, comma-separated, for AULA_REDIS_SENTINELS.
func (s *Sentinels) Addrs() string {
	var addrs []string
	for _, r := range s.Servers {
		addrs = append(addrs, r.Addr())
	}
	return strings.Join(addrs, ",")
}

// MasterAddr is the master's host:port as the first Sentinel that answers says.
func (s *Sentinels) MasterAddr(ctx context.Context) (string, error) {
	var last error
	for _, r := range s.Servers {
		c := redis.NewSentinelClient(&redis.Options{Addr: r.Addr(), MaxRetries: -1, DialTimeout: time.Second})
		addr, err := c.GetMasterAddrByName(ctx, s.Master).Result()
		c.Close()
		if err == nil && len(addr) == 2 {
			return addr[0] + ":" + addr[1], nil
		}
		last = err
	}
	return "", fmt.Errorf("storetest: no Sentinel names the master: %v", last)
}

// NewSentinelsT starts n Sentinels watching master under name, quick to fail over (the master
// is down after a second without answering; a quorum of two agrees), and waits until each
// knows the master's replicas and the other Sentinels.
func NewSentinelsT(t testing.TB, master *RedisServer, name string, n int) *Sentinels {
	t.Helper()
	s := &Sentinels{Master: name}
	for range n {
		port, err := FreePort()
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		conf := filepath.Join(dir, "sentinel.conf") // a Sentinel rewrites its file: its own, writable
		if err := os.WriteFile(conf, []byte(fmt.Sprintf("sentinel monitor %s 127.0.0.1 %d 2\n"+
			"sentinel down-after-milliseconds %[1]s 1000\nsentinel failover-timeout %[1]s 5000\nsentinel parallel-syncs %[1]s 1\n",
			name, master.Port)), 0o644); err != nil {
			t.Fatal(err)
		}
		r := &RedisServer{Port: port, Dir: dir, Config: conf, Program: "redis-sentinel", Log: filepath.Join(dir, "sentinel.log")}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = r.Start(ctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("sentinel %d's log:\n%s", r.Port, tailFile(r.Log, 15))
			}
			r.Kill()
		})
		s.Servers = append(s.Servers, r)
	}
	// A Sentinel learns the replicas from the master's INFO and the other Sentinels from their
	// hellos, each every second or two: a failover before that would find no one to promote.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, r := range s.Servers {
		c := redis.NewSentinelClient(&redis.Options{Addr: r.Addr()})
		err := waitFor(ctx, func() error {
			m, err := c.Master(ctx, name).Result()
			if err != nil {
				return err
			}
			if m["num-slaves"] == "0" || m["num-other-sentinels"] != strconv.Itoa(n-1) {
				return fmt.Errorf("sentinel %s knows %s replicas and %s other sentinels", r.Addr(), m["num-slaves"], m["num-other-sentinels"])
			}
			return nil
		})
		c.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return s
}
