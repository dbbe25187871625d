package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aula-school/aula/store/storetest"
)

// The fault tests: 50 trainees answer a timed quiz through real `aula serve` processes on
// private PostgreSQL and Redis servers, while a server is restarted, stopped or killed.
// Whatever fails while a fault is on, no answer the server acknowledged is lost, no attempt
// is graded twice, no certificate issued twice, and service comes back by itself.

const faultTrainees = 50

// rig is one fault test's servers, exam and trainees.
type rig struct {
	t         *testing.T
	pg        *storetest.PostgresServer
	redis     *storetest.RedisServer
	apps      []*storetest.AulaServer
	exam      *storetest.Exam
	trainees  []*storetest.Examinee
	answering sync.WaitGroup
	stop      context.CancelFunc
	acks      []atomic.Int64 // answers acknowledged, by trainee
}

func newRig(ctx context.Context, t *testing.T, bin string, instances int) *rig {
	t.Helper()
	began := time.Now()
	r := &rig{t: t, pg: storetest.NewPostgresServerT(t, storetest.PostgresOptions{}), redis: storetest.NewRedisServerT(t)}
	t.Logf("servers in %s", time.Since(began))
	// One account more than the trainees answering: a probe's, whose requests change nobody's records.
	exam, err := storetest.NewExam(ctx, r.pg.URL(), storetest.ExamConfig{Examinees: faultTrainees + 1, TimeLimit: 30 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(exam.Close)
	r.exam = exam
	t.Logf("exam in %s", time.Since(began))
	env := []string{"DATABASE_URL=" + r.pg.URL(), "REDIS_URL=" + r.redis.URL(), "AULA_SECRET_KEY=" + storetest.SecretKey(),
		"AULA_LOGIN_ATTEMPTS_PER_IP=1000"}
	for i := range instances {
		r.apps = append(r.apps, storetest.StartAulaT(t, bin, fmt.Sprintf("aula-%c", 'a'+i), env...))
	}
	for i := range faultTrainees {
		var bases []string
		for j := range instances {
			bases = append(bases, r.apps[(i+j)%instances].URL()) // half prefer each instance
		}
		x := exam.NewExaminee(i, bases...)
		x.Timeout = 15 * time.Second
		r.trainees = append(r.trainees, x)
	}
	t.Logf("apps in %s", time.Since(began))
	r.acks = make([]atomic.Int64, faultTrainees)
	r.each(ctx, func(ctx context.Context, x *storetest.Examinee) error { return x.Begin(ctx) })
	t.Logf("trainees in %s", time.Since(began))
	return r
}

// each runs f for every trainee at once and fails the test on the first error.
func (r *rig) each(ctx context.Context, f func(context.Context, *storetest.Examinee) error) {
	r.t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(r.trainees))
	for _, x := range r.trainees {
		wg.Go(func() {
			if err := f(ctx, x); err != nil {
				errs <- fmt.Errorf("%s: %w", x.Email, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		r.t.Fatal(err)
	}
}

// answer makes every trainee answer a question at random every 20-80 ms, each save sent again
// until it is acknowledged, until stopAnswering (or the test's end).
func (r *rig) answer(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	r.stop = cancel
	r.t.Cleanup(r.stopAnswering)
	for i, x := range r.trainees {
		r.answering.Go(func() {
			for ctx.Err() == nil {
				opts := x.Options()
				slot := rand.IntN(len(opts))
				err := x.Answer(ctx, slot, opts[slot][rand.IntN(len(opts[slot]))])
				if err == nil {
					r.acks[i].Add(1)
				} else if ctx.Err() == nil {
					r.t.Errorf("%s: %v", x.Email, err)
					return
				}
				time.Sleep(time.Duration(20+rand.IntN(60)) * time.Millisecond)
			}
		})
	}
}

func (r *rig) stopAnswering() {
	r.stop()
	r.answering.Wait()
}

// everyoneSaves waits until every trainee has had n more answers acknowledged, or fails the test.
func (r *rig) everyoneSaves(n int64, d time.Duration, what string) {
	r.t.Helper()
	from := make([]int64, len(r.acks))
	for i := range r.acks {
		from[i] = r.acks[i].Load()
	}
	deadline := time.Now().Add(d)
	for i := range r.acks {
		for r.acks[i].Load()-from[i] < n {
			if time.Now().After(deadline) {
				r.t.Fatalf("%s: %s had %d answers acknowledged in %s, want %d", what, r.trainees[i].Email, r.acks[i].Load()-from[i], d, n)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// probe is a browser of the account no trainee uses, on the given instances.
func (r *rig) probe(apps ...*storetest.AulaServer) *storetest.Examinee {
	var bases []string
	for _, a := range apps {
		bases = append(bases, a.URL())
	}
	return r.exam.NewExaminee(faultTrainees, bases...)
}

// finishAndCheck answers every question right and finishes every attempt, then compares every
// acknowledged answer with PostgreSQL and counts grades and certificates; no answer may have
// been a 500.
func (r *rig) finishAndCheck(ctx context.Context) storetest.Tally {
	r.t.Helper()
	r.each(ctx, func(ctx context.Context, x *storetest.Examinee) error {
		right, err := r.exam.RightAnswers(ctx, x)
		if err != nil {
			return err
		}
		for slot, id := range right {
			if err := x.Answer(ctx, slot, id); err != nil {
				return err
			}
		}
		return x.Finish(ctx)
	})
	tally, err := r.exam.Check(ctx, r.trainees)
	if err != nil {
		r.t.Fatal(err)
	}
	statuses, requests := map[int]int{}, map[int]int{}
	for _, x := range r.trainees {
		for s, n := range x.Statuses() {
			statuses[s] += n
		}
		for s, n := range x.Requests() {
			requests[s] += n
		}
	}
	r.t.Logf("%s; answers' statuses %v, every request's %v", tally, statuses, requests)
	if tally.Lost != 0 || tally.GradedTwice != 0 || tally.IssuedTwice != 0 || tally.NoCertificate != 0 {
		r.t.Errorf("%s\n%s", tally, strings.Join(tally.Problems, "\n"))
	}
	if tally.Finished != len(r.trainees) || tally.Certificates != len(r.trainees) {
		r.t.Errorf("%d attempts finished and %d certificates, want %d of each", tally.Finished, tally.Certificates, len(r.trainees))
	}
	if requests[http.StatusInternalServerError] > 0 {
		r.t.Errorf("%d requests were answered 500", requests[http.StatusInternalServerError])
	}
	return tally
}

// TestServersFallingDuringAQuiz builds aula once and runs each fault against servers of its
// own, each bounded in time.
func TestServersFallingDuringAQuiz(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL, Redis and aula processes")
	}
	bin := storetest.BuildAulaT(t)
	for _, f := range []struct {
		name string
		test func(context.Context, *testing.T, string)
	}{
		{"PostgreSQLRestartsLoseNoAcknowledgedAnswer", postgreSQLRestarts},
		{"ARedisRestartKeepsEveryAttemptWithItsAnswersAndDeadline", redisRestarts},
		{"KillingOneOfTwoInstancesLeavesTheOtherServing", instanceKilled},
		{"RedisDownIsA503AndSignInIsRefusedUntilItIsBack", redisDown},
	} {
		t.Run(f.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			f.test(ctx, t, bin)
		})
	}
}

func postgreSQLRestarts(ctx context.Context, t *testing.T, bin string) {
	r := newRig(ctx, t, bin, 1)
	r.answer(ctx)
	r.everyoneSaves(2, 30*time.Second, "before the restarts")
	// A restart for an update (fast: sessions ended, a checkpoint), then a crash (immediate:
	// recovery from the WAL); each while answers are in flight.
	for _, immediate := range []bool{false, true} {
		if err := r.pg.Restart(ctx, immediate); err != nil {
			t.Fatal(err)
		}
		r.everyoneSaves(2, 30*time.Second, fmt.Sprintf("after a restart (immediate %v)", immediate))
	}
	r.stopAnswering()
	tally := r.finishAndCheck(ctx)
	if tally.Acknowledged < faultTrainees {
		t.Errorf("only %d answers acknowledged", tally.Acknowledged)
	}
	// Requests in flight failed cleanly: the trainees' answers saw only 200 and 503.
	for _, x := range r.trainees {
		for s := range x.Statuses() {
			if s != http.StatusOK && s != http.StatusServiceUnavailable {
				t.Errorf("%s had an answer %d (%v)", x.Email, s, x.LastFailure())
			}
		}
	}
}

func redisRestarts(ctx context.Context, t *testing.T, bin string) {
	r := newRig(ctx, t, bin, 1)
	// Every trainee answers every question, each acknowledged.
	r.each(ctx, func(ctx context.Context, x *storetest.Examinee) error {
		for slot, opts := range x.Options() {
			if err := x.Answer(ctx, slot, opts[rand.IntN(len(opts))]); err != nil {
				return err
			}
		}
		return nil
	})
	type seen struct {
		id       int64
		deadline string
		answers  map[int]string
	}
	before := map[string]seen{}
	for _, x := range r.trainees {
		id, _, deadline := x.Attempt()
		before[x.Email] = seen{id, deadline, x.LastAcknowledged()}
	}
	if err := r.redis.Restart(ctx); err != nil { // empty: every sign-in is gone
		t.Fatal(err)
	}
	r.each(ctx, func(ctx context.Context, x *storetest.Examinee) error {
		if err := x.Start(ctx); !errors.Is(err, storetest.ErrSignedOut) {
			return fmt.Errorf("after Redis restarted, still signed in (%v)", err)
		}
		if err := x.Begin(ctx); err != nil { // sign in again, continue
			return err
		}
		b := before[x.Email]
		id, _, deadline := x.Attempt()
		if id != b.id || deadline != b.deadline || deadline == "" {
			return fmt.Errorf("attempt %d due %q after signing in again, was %d due %q", id, deadline, b.id, b.deadline)
		}
		if got := x.Checked(); fmt.Sprint(got) != fmt.Sprint(b.answers) || len(got) != storetest.ExamQuestions {
			return fmt.Errorf("the attempt's page shows %v, the answers saved were %v", got, b.answers)
		}
		return nil
	})
	r.finishAndCheck(ctx)
}

func instanceKilled(ctx context.Context, t *testing.T, bin string) {
	r := newRig(ctx, t, bin, 2)
	r.answer(ctx)
	r.everyoneSaves(2, 30*time.Second, "before the kill")
	r.apps[0].Kill() // kill -9, answers in flight
	// The other serves on: every trainee, half of whom were on the killed one, saves.
	r.everyoneSaves(2, 30*time.Second, "after the kill")
	if err := r.apps[0].Start(ctx); err != nil {
		t.Fatal(err)
	}
	// The restarted one picks up: a trainee who goes to it alone starts her attempt and saves.
	x := r.probe(r.apps[0])
	if err := x.Begin(ctx); err != nil {
		t.Fatal(err)
	}
	if opts := x.Options(); len(opts) != storetest.ExamQuestions {
		t.Fatalf("the attempt's page on the restarted instance shows %d questions", len(opts))
	} else if err := x.Answer(ctx, 0, opts[0][0]); err != nil {
		t.Fatal(err)
	}
	r.everyoneSaves(1, 30*time.Second, "after the restart")
	r.stopAnswering()
	r.trainees = append(r.trainees, x)
	r.finishAndCheck(ctx)
}

func redisDown(ctx context.Context, t *testing.T, bin string) {
	r := newRig(ctx, t, bin, 1)
	r.answer(ctx)
	r.everyoneSaves(2, 30*time.Second, "before Redis stops")
	probe := r.probe(r.apps[0])
	if err := probe.Begin(ctx); err != nil {
		t.Fatal(err)
	}
	r.redis.Kill()
	const spanish = "No se ha perdido nada de lo que guardó" // the trainees' browsers ask for Spanish
	_, attempt, _ := r.trainees[0].Attempt()
	for _, path := range []string{attempt, "/learning", "/readyz"} {
		res, err := probe.Do(ctx, http.MethodGet, path, nil)
		if err != nil || res.Status != http.StatusServiceUnavailable || path != "/readyz" && (res.Header.Get("Retry-After") == "" || !strings.Contains(res.Body, spanish)) {
			t.Fatalf("%s with Redis down: %d %v, want a 503 saying %q\n%s", path, res.Status, err, spanish, res.Body)
		}
	}
	// Sign-in is refused, not let through unthrottled, whatever the password.
	var f *storetest.Failure
	if err := probe.SignIn(ctx); !errors.As(err, &f) || f.Status != http.StatusServiceUnavailable || !strings.Contains(f.Body, spanish) {
		t.Fatalf("sign-in with Redis down: %v, want a 503 saying %q", err, spanish)
	}
	time.Sleep(time.Second) // answers wait meanwhile
	if err := r.redis.Start(ctx); err != nil {
		t.Fatal(err)
	}
	// Service resumes: every trainee signs in again and her waiting answers are saved.
	r.everyoneSaves(2, 60*time.Second, "after Redis is back")
	r.stopAnswering()
	r.finishAndCheck(ctx)
	unavailable := 0
	for _, x := range r.trainees {
		unavailable += x.Statuses()[http.StatusServiceUnavailable]
	}
	if unavailable == 0 {
		t.Error("no answer was refused while Redis was down")
	}
}
