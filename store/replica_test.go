package store_test

import (
	"context"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
	"github.com/jmoiron/sqlx"
)

// A "replica" here is a second database made from the same template: distinguishable from
// the primary, which is all these tests need (the scale-out test streams a real one).

func refreshedAt(t *testing.T, dbURL string, at time.Time) {
	t.Helper()
	db := sqlx.MustOpen("postgres", dbURL)
	defer db.Close()
	db.MustExec(`UPDATE report_refreshes SET at = $1`, at)
}

func openWithReplica(t *testing.T, primary string, r store.Replica) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), primary, store.ReadReplica(r))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestReportsAndExportsReadTheReplicaAndTraineesPagesThePrimary(t *testing.T) {
	ctx := context.Background()
	primary, replica := storetest.URL(t), storetest.URL(t)
	onPrimary, onReplica := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC), time.Date(2027, 2, 1, 9, 0, 0, 0, time.UTC)
	refreshedAt(t, primary, onPrimary)
	refreshedAt(t, replica, onReplica)
	// An audit entry only the primary holds, as one just written would be before it is replayed.
	db := sqlx.MustOpen("postgres", primary)
	db.MustExec(`INSERT INTO audit_log (action) VALUES ('user_created')`)
	db.Close()
	st := openWithReplica(t, primary, store.Replica{URL: replica, OnDown: func(err error) { t.Errorf("replica down: %v", err) }})

	if at, err := st.ReportsRefreshedAt(ctx); err != nil || !at.Equal(onReplica) {
		t.Errorf("reports refreshed at %v (%v), want the replica's %v", at, err, onReplica)
	}
	if im, err := st.Impact(ctx); err != nil || !im.CountedAt.Equal(onReplica) {
		t.Errorf("impact counted at %v (%v), want the replica's %v", im.CountedAt, err, onReplica)
	}
	if _, n, err := st.AuditLog(ctx, courses.AuditFilter{}, 0, 10); err != nil || n != 1 {
		t.Errorf("the audit page read %d entries (%v), want the primary's 1", n, err)
	}
	if _, n, err := st.AuditLog(store.FromReplica(ctx), courses.AuditFilter{}, 0, 10); err != nil || n != 0 {
		t.Errorf("the audit export read %d entries (%v), want the replica's 0", n, err)
	}
}

// deadReplica listens where the replica would be and hangs up on every connection,
// counting them: a replica that is down, whose tries can be counted.
func deadReplica(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var tries atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			tries.Add(1)
			c.Close()
		}
	}()
	return "postgres://aula@" + ln.Addr().String() + "/aula?sslmode=disable", &tries
}

func TestReportsReadThePrimaryWhileTheReplicaIsDownAndTryItAgainLater(t *testing.T) {
	ctx := context.Background()
	primary := storetest.URL(t)
	onPrimary := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	refreshedAt(t, primary, onPrimary)
	replica, tries := deadReplica(t)
	var mu sync.Mutex
	now := time.Date(2027, 3, 2, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	var downs atomic.Int64
	st := openWithReplica(t, primary, store.Replica{URL: replica, Now: clock, OnDown: func(error) { downs.Add(1) }})

	read := func() {
		t.Helper()
		if at, err := st.ReportsRefreshedAt(ctx); err != nil || !at.Equal(onPrimary) {
			t.Fatalf("reports refreshed at %v (%v), want the primary's %v", at, err, onPrimary)
		}
	}
	read()
	if tries.Load() == 0 || downs.Load() != 1 {
		t.Fatalf("%d tries of the replica, told %d times it is down: want some, and once", tries.Load(), downs.Load())
	}
	first := tries.Load()
	for range 5 {
		read()
	}
	if tries.Load() != first {
		t.Errorf("the replica was tried %d more times within its pause", tries.Load()-first)
	}
	mu.Lock()
	now = now.Add(store.ReplicaPause + time.Second)
	mu.Unlock()
	read()
	if tries.Load() == first {
		t.Error("the replica was not tried again after its pause")
	}
	if downs.Load() != 1 {
		t.Errorf("told %d times that the replica is down, in one outage", downs.Load())
	}
}

func TestAReplicaThatDoesNotAnswerCostsTheReportAboutASecond(t *testing.T) {
	primary := storetest.URL(t)
	onPrimary := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	refreshedAt(t, primary, onPrimary)
	// A replica that accepts the connection and then says nothing, as a hung machine would.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var mu sync.Mutex
	var held []net.Conn
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	}()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	replica := (&url.URL{Scheme: "postgres", User: url.User("aula"), Host: ln.Addr().String(), Path: "/aula",
		RawQuery: "sslmode=disable&connect_timeout=1"}).String()
	st := openWithReplica(t, primary, store.Replica{URL: replica})
	began := time.Now()
	im, err := st.Impact(context.Background())
	if err != nil || !im.CountedAt.Equal(onPrimary) {
		t.Fatalf("impact counted at %v (%v), want the primary's %v", im.CountedAt, err, onPrimary)
	}
	if took := time.Since(began); took > 3*time.Second {
		t.Errorf("the impact page waited %v for a replica that does not answer", took)
	}
}

// A replica that answered once and then froze (a hung machine, a cut cable: the connection
// stays open and nothing comes) costs a read its Silence, then the read is made on the primary.
// lib/pq's own cancel would wait for ever: it asks the frozen replica to cancel.
func TestAReplicaThatFreezesMidwayIsLeftForThePrimary(t *testing.T) {
	primary, replicaURL := storetest.URL(t), storetest.URL(t)
	onPrimary, onReplica := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC), time.Date(2027, 2, 1, 9, 0, 0, 0, time.UTC)
	refreshedAt(t, primary, onPrimary)
	refreshedAt(t, replicaURL, onReplica)
	target := storetest.Target(t, replicaURL)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var frozen atomic.Bool
	var mu sync.Mutex
	var conns []net.Conn
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}()
	relay := func(dst, src net.Conn) {
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			for frozen.Load() { // what arrives is held, as a frozen machine holds it
				time.Sleep(20 * time.Millisecond)
			}
			if n > 0 {
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, in, out)
			mu.Unlock()
			go relay(in, out)
			go relay(out, in)
		}
	}()
	u, err := url.Parse(replicaURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = ln.Addr().String()
	st := openWithReplica(t, primary, store.Replica{URL: u.String(), Silence: time.Second})
	ctx := context.Background()
	if at, err := st.ReportsRefreshedAt(ctx); err != nil || !at.Equal(onReplica) {
		t.Fatalf("before the freeze: refreshed at %v (%v), want the replica's %v", at, err, onReplica)
	}
	frozen.Store(true)
	defer frozen.Store(false)
	began := time.Now()
	at, err := st.ReportsRefreshedAt(ctx)
	if err != nil || !at.Equal(onPrimary) {
		t.Fatalf("with the replica frozen: refreshed at %v (%v), want the primary's %v", at, err, onPrimary)
	}
	if took := time.Since(began); took > 4*time.Second {
		t.Errorf("the report waited %v for a frozen replica, its silence being 1 s", took)
	}
}
