package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
	"github.com/jmoiron/sqlx"
)

// The scale-out test: two `aula serve` processes behind no proxy (the examinee is the load
// balancer), on a PostgreSQL primary with a streaming replica and on a Redis master with a
// replica and three Sentinels, all on loopback. Aula keeps no state of its own: what one
// instance knows, the other does, and a server falling is the engines' business.
func TestTwoInstancesShareSignInsThrottleAndJobsAndRideOutARedisFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL, Redis, Sentinel and aula processes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	began := time.Now()
	bin := storetest.BuildAulaT(t)
	pg := storetest.NewPostgresServerT(t, storetest.PostgresOptions{})
	exam, err := storetest.NewExam(ctx, pg.URL(), storetest.ExamConfig{Examinees: 4, TimeLimit: 30 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(exam.Close)
	db := sqlx.MustOpen("postgres", pg.URL())
	defer db.Close()
	userID := func(email string) int64 {
		var id int64
		if err := db.GetContext(ctx, &id, `SELECT id FROM users WHERE email = $1`, email); err != nil {
			t.Fatal(err)
		}
		return id
	}
	// Work for the periodic jobs, there before the instances start: an attempt started two
	// hours ago, long overdue (the sweeper finishes it), and a session in two hours (a reminder
	// to each trainee of the cohort).
	st, err := store.Open(ctx, pg.URL())
	if err != nil {
		t.Fatal(err)
	}
	overdue, err := st.StartAttempt(ctx, userID(exam.Emails[3]), exam.CourseID, exam.QuizID, "es", time.Now().Add(-2*time.Hour))
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	db.MustExecContext(ctx, `INSERT INTO cohort_sessions (cohort_id, starts_at, minutes, place)
		SELECT id, now() + interval '2 hours', 90, 'Aula 3' FROM cohorts WHERE course_id = $1`, exam.CourseID)
	replica := storetest.NewPostgresReplicaT(t, pg)

	master := storetest.NewRedisServerT(t)
	redisReplica := storetest.NewRedisReplicaT(t, master)
	sentinels := storetest.NewSentinelsT(t, master, "aula", 3)
	t.Logf("servers in %s", time.Since(began))

	env := []string{"DATABASE_URL=" + pg.URL(), "DATABASE_READ_URL=" + replica.URL(), "REDIS_URL=redis:///0",
		"AULA_REDIS_SENTINELS=" + sentinels.Addrs(), "AULA_REDIS_MASTER=aula", "AULA_SECRET_KEY=" + storetest.SecretKey()}
	a := storetest.StartAulaT(t, bin, "aula-a", env...)
	b := storetest.StartAulaT(t, bin, "aula-b", env...)
	t.Logf("instances in %s", time.Since(began))

	t.Run("a trainee signed in on one instance carries on on the other", func(t *testing.T) {
		x := exam.NewExaminee(0, a.URL())
		if err := x.SignIn(ctx); err != nil {
			t.Fatal(err)
		}
		x.Bases = []string{b.URL()}
		r, err := x.Do(ctx, http.MethodGet, "/learning", nil)
		if err != nil || r.Status != http.StatusOK {
			t.Fatalf("My learning on the other instance: %d %v", r.Status, err)
		}
	})

	t.Run("the sign-in throttle counts the failures on both instances", func(t *testing.T) {
		x := exam.NewExaminee(1, a.URL())
		x.Password = "not the password"
		for i := range 5 { // AULA_LOGIN_ATTEMPTS_PER_ACCOUNT's default
			x.Bases = []string{[]string{a.URL(), b.URL()}[i%2]}
			if err := x.SignIn(ctx); err == nil || !strings.Contains(err.Error(), "401") {
				t.Fatalf("failure %d answered %v, want 401", i+1, err)
			}
		}
		x.Password = storetest.ExamPassword
		for _, base := range []string{a.URL(), b.URL()} {
			x.Bases = []string{base}
			if err := x.SignIn(ctx); err == nil || !strings.Contains(err.Error(), "429") {
				t.Errorf("the right password after five failures on %s answered %v, want 429", base, err)
			}
		}
	})

	t.Run("the periodic jobs run once, not once per instance", func(t *testing.T) {
		wait, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		for {
			var finished, notices int
			db.GetContext(wait, &finished, `SELECT count(*) FROM quiz_attempts WHERE id = $1 AND finished_at IS NOT NULL`, overdue)
			db.GetContext(wait, &notices, `SELECT count(*) FROM river_job WHERE kind = 'send_notices' AND state = 'completed'`)
			if finished == 1 && notices > 0 {
				break
			}
			if wait.Err() != nil {
				t.Fatalf("after 20 s: overdue attempt finished %d, notice runs completed %d", finished, notices)
			}
			time.Sleep(100 * time.Millisecond)
		}
		var notices, closeSweeps, twice, reminders, trainees int
		db.GetContext(ctx, &notices, `SELECT count(*) FROM river_job WHERE kind = 'send_notices'`)
		// Sweeps are every 30 s: two scheduled closer together would be one per instance.
		db.GetContext(ctx, &closeSweeps, `SELECT count(*) FROM (SELECT created_at - lag(created_at) OVER (ORDER BY created_at) AS gap
			FROM river_job WHERE kind = 'finish_overdue') j WHERE j.gap < interval '25 seconds'`)
		db.GetContext(ctx, &twice, `SELECT count(*) FROM (SELECT 1 FROM emails GROUP BY user_id, kind HAVING count(*) > 1) d`)
		db.GetContext(ctx, &reminders, `SELECT count(*) FROM session_reminders`)
		db.GetContext(ctx, &trainees, `SELECT count(*) FROM enrolments WHERE course_id = $1 AND status = 'active'`, exam.CourseID)
		if notices != 1 || closeSweeps != 0 || twice != 0 || reminders != trainees {
			t.Errorf("notice runs %d (want 1), sweeps within 25 s of another %d, emails of one kind sent twice to one trainee %d, "+
				"session reminders %d for %d trainees", notices, closeSweeps, twice, reminders, trainees)
		}
	})

	t.Run("killing the Redis master costs the trainee at most one retried request", func(t *testing.T) {
		x := exam.NewExaminee(2, a.URL(), b.URL())
		x.Timeout = 15 * time.Second
		if err := x.Begin(ctx); err != nil {
			t.Fatal(err)
		}
		if err := storetest.WaitRedisReplicated(ctx, master, redisReplica); err != nil {
			t.Fatal(err)
		}
		master.Kill()
		killed := time.Now()
		failures, answered := 0, 0
		for i := 0; ; i++ {
			// A page that needs the sign-in, as often as a trainee clicks.
			r, err := x.Do(ctx, http.MethodGet, "/learning", nil)
			switch {
			case err == nil && r.Status == http.StatusOK:
				answered++
			case err == nil && (r.Status == http.StatusSeeOther || r.Status == http.StatusFound) && strings.HasPrefix(r.Location, "/login"):
				t.Fatalf("request %d, %s after the kill: signed out", i, time.Since(killed))
			default:
				failures++
				t.Logf("request %d, %s after the kill: %d %v", i, time.Since(killed), r.Status, err)
				time.Sleep(time.Second) // a trainee's retry
			}
			addr, _ := sentinels.MasterAddr(ctx)
			if addr == redisReplica.Addr() && answered >= 3 {
				break
			}
			if time.Since(killed) > 30*time.Second {
				t.Fatalf("30 s after the kill the Sentinels name %s as master (the replica is %s)", addr, redisReplica.Addr())
			}
			time.Sleep(100 * time.Millisecond)
		}
		if failures > 1 {
			t.Errorf("%d requests failed during the failover, want at most one", failures)
		}
		opts := x.Options()
		if err := x.Answer(ctx, 0, opts[0][0]); err != nil {
			t.Errorf("an answer after the failover: %v", err)
		}
		// A sign-in goes through the throttle's buckets and makes a sign-in: both on the new master.
		if err := exam.NewExaminee(3, b.URL()).SignIn(ctx); err != nil {
			t.Errorf("a sign-in after the failover: %v", err)
		}
		t.Logf("failed over in %s with %d failed requests", time.Since(killed), failures)
	})

	t.Run("the impact page reads the replica", func(t *testing.T) {
		rdb := sqlx.MustOpen("postgres", replica.URL())
		defer rdb.Close()
		if err := storetest.WaitReplayed(ctx, pg, replica); err != nil {
			t.Fatal(err)
		}
		// Replay paused, the primary's newer figures are not on the replica: a page that shows
		// the older one read the replica.
		rdb.MustExecContext(ctx, `SELECT pg_wal_replay_pause()`)
		db.MustExecContext(ctx, `UPDATE report_refreshes SET at = '2031-06-15 12:00:00+00'`)
		impact := func(base string) string {
			res, err := http.Get(base + "/impact")
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var b strings.Builder
			if _, err := io.Copy(&b, res.Body); err != nil || res.StatusCode != http.StatusOK {
				t.Fatalf("impact page: %d %v", res.StatusCode, err)
			}
			return b.String()
		}
		if strings.Contains(impact(a.URL()), "2031") {
			t.Error("the impact page shows the primary's figures while the replica's are older")
		}
		var readers int
		rdb.GetContext(ctx, &readers, `SELECT count(*) FROM pg_stat_activity WHERE datname = 'aula' AND backend_type = 'client backend'
			AND pid <> pg_backend_pid()`)
		if readers == 0 {
			t.Error("no instance is connected to the replica")
		}
		rdb.MustExecContext(ctx, `SELECT pg_wal_replay_resume()`)
		if err := storetest.WaitReplayed(ctx, pg, replica); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(impact(b.URL()), "2031") {
			t.Error("the impact page does not show the figures once replayed")
		}
	})
	t.Logf("all in %s", time.Since(began))
}
