// Command aula-chaos is `make chaos`: simulated examinees take a timed quiz against two Aula
// instances on private PostgreSQL and Redis servers while a fault is injected at random every
// few seconds (an instance killed with SIGKILL and started again, PostgreSQL restarted or
// frozen with SIGSTOP, Redis restarted empty). At the end it compares every answer the
// server acknowledged with what PostgreSQL holds, grades every finished attempt again and
// counts the certificates, prints the counts and writes them into BENCHMARKS.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aula-school/aula/store/storetest"
)

type config struct {
	duration  time.Duration
	examinees int
	every     time.Duration
	timeLimit time.Duration
	think     time.Duration // the mean wait between an examinee's answers
	pause     time.Duration // how long a PostgreSQL pause lasts
	out       string
	seed      uint64
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("aula-chaos", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&cfg.duration, "duration", 10*time.Minute, "how long the examinees answer while faults are injected")
	fs.IntVar(&cfg.examinees, "examinees", 300, "simulated examinees")
	fs.DurationVar(&cfg.every, "every", 5*time.Second, "a fault is injected this often")
	fs.DurationVar(&cfg.timeLimit, "time-limit", 2*time.Minute, "the quiz's time limit (its grace is 10 s)")
	fs.DurationVar(&cfg.think, "think", 3*time.Second, "the mean wait between an examinee's answers")
	fs.DurationVar(&cfg.pause, "pause", 3*time.Second, "how long PostgreSQL is frozen with SIGSTOP")
	fs.StringVar(&cfg.out, "out", "BENCHMARKS.md", `the file whose chaos section is rewritten with the counts ("" for none)`)
	fs.Uint64Var(&cfg.seed, "seed", uint64(time.Now().UnixNano()), "the seed of the faults' and examinees' choices")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if cfg.duration <= 0 || cfg.examinees < 1 || cfg.every <= 0 || cfg.timeLimit < 20*time.Second {
		return cfg, errors.New("-duration and -every must be positive, -examinees at least 1, -time-limit at least 20s")
	}
	return cfg, nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "aula-chaos:", err)
		os.Exit(1)
	}
}

// servers are the private servers of one run.
type servers struct {
	pg    *storetest.PostgresServer
	redis *storetest.RedisServer
	apps  []*storetest.AulaServer
	dir   string
}

func (s *servers) Close() {
	for _, a := range s.apps {
		a.Kill()
	}
	if s.redis != nil {
		s.redis.Close()
	}
	if s.pg != nil {
		s.pg.Close()
	}
	os.RemoveAll(s.dir)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(cfg.seed, cfg.seed>>1|1))
	say := func(format string, a ...any) {
		fmt.Fprintf(stdout, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, a...)...)
	}
	s := &servers{}
	defer s.Close()
	if s.dir, err = os.MkdirTemp("", "aula-chaos-"); err != nil {
		return err
	}
	say("building aula")
	bin, err := storetest.BuildAula(ctx, s.dir)
	if err != nil {
		return err
	}
	if s.pg, err = storetest.NewPostgresServer(ctx, storetest.PostgresOptions{}); err != nil {
		return err
	}
	if s.redis, err = storetest.NewRedisServer(ctx); err != nil {
		return err
	}
	say("PostgreSQL on %s, Redis on %s; making the exam for %d examinees", s.pg.Addr(), s.redis.Addr(), cfg.examinees)
	exam, err := storetest.NewExam(ctx, s.pg.URL(), storetest.ExamConfig{Examinees: cfg.examinees, TimeLimit: cfg.timeLimit, Grace: 10 * time.Second})
	if err != nil {
		return err
	}
	defer exam.Close()
	env := []string{"DATABASE_URL=" + s.pg.URL(), "REDIS_URL=" + s.redis.URL(), "AULA_SECRET_KEY=" + storetest.SecretKey(),
		"AULA_LOGIN_ATTEMPTS_PER_IP=100000", "AULA_LOG_LEVEL=error"}
	for _, name := range []string{"aula-a", "aula-b"} {
		a, err := storetest.NewAulaServer(bin, s.dir, name, env...)
		if err != nil {
			return err
		}
		s.apps = append(s.apps, a)
		start, cancel := context.WithTimeout(ctx, time.Minute)
		err = a.Start(start)
		cancel()
		if err != nil {
			return err
		}
	}
	say("two instances at %s and %s; %d examinees answer for %s, a fault every %s (seed %d)",
		s.apps[0].URL(), s.apps[1].URL(), cfg.examinees, cfg.duration, cfg.every, cfg.seed)

	examinees := make([]*storetest.Examinee, cfg.examinees)
	var stoppedEarly atomic.Int64
	answering, stopAnswering := context.WithCancel(ctx)
	defer stopAnswering()
	var wg sync.WaitGroup
	for i := range examinees {
		bases := []string{s.apps[i%2].URL(), s.apps[(i+1)%2].URL()} // the load balancer's choice, and where it fails over
		x := exam.NewExaminee(i, bases...)
		x.Timeout = 15 * time.Second
		x.Retry = 500 * time.Millisecond
		examinees[i] = x
		seed := rng.Uint64()
		wg.Go(func() {
			takeExam(answering, x, exam, cfg, rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)))
			if answering.Err() == nil { // she gave up while the exam went on: her answers stopped counting
				stoppedEarly.Add(1)
			}
		})
	}
	began := time.Now()
	faults := injectFaults(ctx, s, cfg, rng, say)
	say("faults over: %d injected (%s); examinees finish their attempts", faults.total(), faults)
	stopAnswering()
	wg.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	// Every examinee finishes the attempt she was in, the servers all up.
	finish, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	var unfinished atomic.Int64
	for _, x := range examinees {
		wg.Go(func() {
			if id, _, _ := x.Attempt(); id != 0 {
				if err := x.Finish(finish); err != nil {
					unfinished.Add(1)
				}
			}
		})
	}
	wg.Wait()
	say("checking every acknowledged answer, grade and certificate against PostgreSQL")
	check, cancelCheck := context.WithTimeout(ctx, 5*time.Minute)
	defer cancelCheck()
	tally, err := exam.Check(check, examinees)
	if err != nil {
		return err
	}
	res := result{cfg: cfg, tally: tally, faults: faults, elapsed: time.Since(began), unfinished: int(unfinished.Load()), stoppedEarly: int(stoppedEarly.Load()),
		statuses: map[int]int{}, requests: map[int]int{}}
	for _, x := range examinees {
		for status, n := range x.Statuses() {
			res.statuses[status] += n
		}
		for status, n := range x.Requests() {
			res.requests[status] += n
		}
	}
	res.machine = machine(ctx, exam)
	fmt.Fprintln(stdout)
	fmt.Fprint(stdout, res.text())
	for _, p := range tally.Problems {
		fmt.Fprintln(stdout, "  ", p)
	}
	if cfg.out != "" {
		if err := res.write(cfg.out); err != nil {
			return err
		}
		say("the counts are in %s", cfg.out)
	}
	if !res.pass() {
		return errors.New("FAIL: " + strings.Join(res.failures(), "; "))
	}
	return nil
}

// takeExam is one examinee until ctx ends: she signs in, starts an attempt, answers a question
// every think on average (changing her mind now and then), answers right at the end most of
// the time, and finishes; one attempt in twenty she leaves open past its deadline, for the
// page or the sweeper to finish. Then she starts again.
func takeExam(ctx context.Context, x *storetest.Examinee, exam *storetest.Exam, cfg config, rng *rand.Rand) {
	sleep := func(d time.Duration) bool {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(d):
			return true
		}
	}
	// Not all at once at the start: over the first think.
	if !sleep(time.Duration(rng.Int64N(int64(cfg.think) + 1))) {
		return
	}
	for ctx.Err() == nil {
		if err := x.Begin(ctx); err != nil {
			return // ctx ended, or the server refused her an attempt: counted by the caller
		}
		opts := x.Options()
		answers := 5 + rng.IntN(15)
		closed := false
		for range answers {
			if !sleep(time.Duration(rng.Int64N(2*int64(cfg.think)) + 1)) {
				return
			}
			slot := rng.IntN(len(opts))
			err := x.Answer(ctx, slot, opts[slot][rng.IntN(len(opts[slot]))])
			if errors.Is(err, storetest.ErrAttemptClosed) {
				closed = true
				break
			} else if err != nil {
				return
			}
		}
		if closed {
			continue
		}
		if rng.IntN(20) == 0 { // left open: the deadline and grace pass
			if !sleep(cfg.timeLimit + 15*time.Second) {
				return
			}
			continue
		}
		if rng.IntN(4) != 0 { // most pass
			right, err := exam.RightAnswers(ctx, x)
			if err != nil {
				continue // PostgreSQL away: she leaves this attempt open and starts again
			}
			for slot, id := range right {
				if err := x.Answer(ctx, slot, id); err != nil {
					break
				}
			}
		}
		if err := x.Finish(ctx); err != nil && ctx.Err() != nil {
			return
		}
	}
}
