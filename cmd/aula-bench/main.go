// Command aula-bench measures Aula's pages against two floors on the same machine, in the same
// run: S, a bare net/http handler doing only what every signed-in page must (the sign-in in
// Redis, the user's row, a small template), and W, one small durable write transaction. Shared
// machines make absolute figures noisy; the ratio of a page to its floor moves far less. It
// builds its own school in a fresh database, drives each page at fixed concurrency for a fixed
// time with vegeta, prints one table with the targets PASS or FAIL, and writes it into
// BENCHMARKS.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aula-school/aula/handlers"
	"github.com/aula-school/aula/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "aula-bench:", err)
		os.Exit(1)
	}
}

// databaseName is what -database may be: it goes into CREATE DATABASE as it is, and the
// bench drops it first, so it must be a bench's own (aula_bench…), never the school's.
var databaseName = regexp.MustCompile(`^aula_bench[a-z0-9_]{0,52}$`)

type config struct {
	duration   time.Duration
	warmup     time.Duration
	slices     int
	clients    []int
	only       map[string]bool
	out        string
	database   string
	cpuProfile string
	exam       examConfig
}

func parseFlags(args []string) (config, error) {
	fl := flag.NewFlagSet("aula-bench", flag.ContinueOnError)
	var cfg config
	var clients, only string
	fl.DurationVar(&cfg.duration, "duration", 5*time.Second, "how long each scenario runs at each concurrency")
	fl.DurationVar(&cfg.warmup, "warmup", time.Second, "unmeasured load before each scenario")
	fl.IntVar(&cfg.slices, "slices", 4, "slices each scenario's time is cut into, alternating with its floor's")
	fl.StringVar(&clients, "clients", "16,64", "concurrent clients, comma-separated")
	fl.StringVar(&only, "only", "", "run only these scenarios (comma-separated names; S and W always run)")
	fl.StringVar(&cfg.out, "out", "BENCHMARKS.md", "file whose results section is rewritten; empty: print only")
	fl.StringVar(&cfg.database, "database", "aula_bench", "database created afresh on DATABASE_URL's server")
	fl.StringVar(&cfg.cpuProfile, "cpuprofile", "", "write a CPU profile of the measured load to this file")
	fl.IntVar(&cfg.exam.examinees, "examinees", 10000, "trainees of the exam day scenario (exam)")
	fl.DurationVar(&cfg.exam.duration, "exam-duration", 5*time.Minute, "how long the exam's examinees save answers after the start")
	fl.IntVar(&cfg.exam.conns, "exam-conns", 256, "connections the exam's load generator opens to Aula, at most")
	fl.BoolVar(&cfg.exam.inProcess, "exam-in-process", false, "drive the bench's own Aula in the exam, for -cpuprofile and -memprofile (its RSS is then the bench's)")
	fl.StringVar(&cfg.exam.memLimit, "exam-gomemlimit", "", "GOMEMLIMIT for the exam's separate Aula (default: none, as aula serve runs)")
	fl.StringVar(&cfg.exam.memProfile, "memprofile", "", "write a heap profile of the bench process at the exam's end to this file")
	if err := fl.Parse(args); err != nil {
		return cfg, err
	}
	if cfg.exam.examinees < 1 || cfg.exam.conns < 1 || cfg.exam.duration < examSaveEvery {
		return cfg, fmt.Errorf("-examinees and -exam-conns: at least 1; -exam-duration: at least %v", examSaveEvery)
	}
	if cfg.slices < 1 {
		return cfg, fmt.Errorf("-slices: %d: at least one", cfg.slices)
	}
	if !databaseName.MatchString(cfg.database) {
		return cfg, fmt.Errorf("-database: %q is not a bench database name (aula_bench, or aula_bench followed by letters, digits and _)", cfg.database)
	}
	for _, c := range strings.Split(clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			return cfg, fmt.Errorf("-clients: %q is not a number of clients", c)
		}
		cfg.clients = append(cfg.clients, n)
	}
	if only != "" {
		cfg.only = map[string]bool{}
		for _, name := range strings.Split(only, ",") {
			cfg.only[strings.TrimSpace(name)] = true
		}
	}
	return cfg, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, err := parseFlags(args)
	if err != nil {
		return err
	}
	dbURL, redisURL := getenv("DATABASE_URL"), getenv("REDIS_URL")
	if dbURL == "" || redisURL == "" {
		return errors.New("DATABASE_URL and REDIS_URL must be set: run `make bench`")
	}
	began := time.Now()
	want := func(name string) bool { return cfg.only == nil || cfg.only[name] }
	// The hash first, on a machine the bench does not load yet.
	var hash hashTiming
	if want("sign-in") {
		if hash, err = measureHash(); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "one Argon2id hash: %v (a check: %v), median of %d\n", hash.hash.Round(100*time.Microsecond),
			hash.check.Round(100*time.Microsecond), hashRuns)
	}
	fmt.Fprintf(stdout, "building the bench school in database %s …\n", cfg.database)
	sch, err := buildSchool(ctx, dbURL, cfg.database)
	if err != nil {
		return fmt.Errorf("school: %w", err)
	}
	defer sch.Close()
	rdb, err := store.OpenRedis(ctx, store.RedisConfig{URL: redisURL})
	if err != nil {
		return err
	}
	defer rdb.Close()
	prefix := fmt.Sprintf("bench:%d:", time.Now().UnixNano())
	defer deleteKeys(context.Background(), rdb, prefix)

	signIns := store.NewSignIns(rdb, prefix, time.Hour, 12*time.Hour, time.Now)
	app, err := handlers.New(handlers.Deps{
		Store:   sch.st,
		Redis:   rdb,
		SignIns: signIns,
		// Sign-in is measured, not throttled: the limits are far above what the bench sends.
		Limiter: store.NewLimiter(rdb, prefix, store.LoginLimits{PerAccount: 1 << 30, PerIP: 1 << 30, VerifyPerIP: 1 << 30, Period: time.Minute}),
		Uploads: store.NewUploads(rdb, prefix),
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return err
	}
	aula, err := listen(app.Handler())
	if err != nil {
		return err
	}
	defer aula.Close()
	// The sign-in scenario's instance: the production limits, and the client's address from
	// X-Forwarded-For (each trainee from an address of its own, the guesser from another).
	limited, err := handlers.New(handlers.Deps{
		Config:  handlers.Config{TrustedProxies: []string{"127.0.0.1"}},
		Store:   sch.st,
		Redis:   rdb,
		SignIns: signIns,
		Limiter: store.NewLimiter(rdb, prefix+"limited:", store.LoginLimits{PerAccount: loginPerAccount, PerIP: loginPerIP, Period: 15 * time.Minute}),
		Uploads: store.NewUploads(rdb, prefix),
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return err
	}
	limitedSrv, err := listen(limited.Handler())
	if err != nil {
		return err
	}
	defer limitedSrv.Close()
	var wStatements atomic.Int64
	floorS, err := listen(signedInFloor(signIns, sch.st, "aula_signin"))
	if err != nil {
		return err
	}
	defer floorS.Close()
	floorW, err := listen(durableWrite(sch.db, &wStatements))
	if err != nil {
		return err
	}
	defer floorW.Close()

	traineeToken, err := signIns.Create(ctx, sch.trainee.ID)
	if err != nil {
		return err
	}
	ownerToken, err := signIns.Create(ctx, sch.owner.ID)
	if err != nil {
		return err
	}
	for i := range sch.takers {
		if sch.takers[i].token, err = signIns.Create(ctx, sch.takers[i].userID); err != nil {
			return err
		}
	}
	if sch.classTokens, err = signInAll(ctx, signIns, sch.class); err != nil {
		return err
	}
	scenarios := plan(sch, aula.URL, limitedSrv.URL, floorS.URL, floorW.URL, traineeToken, ownerToken)
	for i := range scenarios {
		sc := &scenarios[i]
		sc.statements = sch.st.Statements
		if sc.name == "W" {
			sc.statements = wStatements.Load
		}
		if err := sc.measureSize(ctx); err != nil {
			return err
		}
	}
	if cfg.cpuProfile != "" {
		f, err := os.Create(cfg.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	// Each scenario runs in slices alternating with its floor's, so that both meet the same
	// neighbours on a shared machine: the ratio compares like with like.
	floors := map[string]*scenario{}
	for i := range scenarios {
		if scenarios[i].floor == "" {
			floors[scenarios[i].name] = &scenarios[i]
		}
	}
	report := newReport(ctx, sch, cfg)
	report.hash = hash
	pooled := map[string]*tally{} // every slice of a floor at a concurrency, for its own row
	var results []result
	for _, sc := range scenarios {
		if sc.floor == "" || (cfg.only != nil && !cfg.only[sc.name]) {
			continue
		}
		floor := floors[sc.floor]
		floor.run(cfg.warmup, cfg.clients[0]) // warm the pools and caches, unmeasured
		sc.run(cfg.warmup, cfg.clients[0])
		var guesser *flood
		if sc.name == "sign-in" {
			guesser = startFlood(ctx, limitedSrv.URL, floodVictim)
		}
		for _, clients := range cfg.clients {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			key := floor.name + "/" + strconv.Itoa(clients)
			if pooled[key] == nil {
				pooled[key] = &tally{}
			}
			var page, base tally
			for range cfg.slices {
				floor.run(cfg.duration/time.Duration(cfg.slices), clients, &base, pooled[key])
				sc.run(cfg.duration/time.Duration(cfg.slices), clients, &page)
			}
			r := page.result(sc, clients)
			r.floorRate = base.result(*floor, clients).rate
			fmt.Fprintf(stdout, "  %-12s %3d clients  %7.0f req/s (%s %7.0f)  p99 %v\n", sc.name, clients, r.rate, floor.name,
				r.floorRate, r.p99.Round(100*time.Microsecond))
			results = append(results, r)
		}
		if guesser != nil {
			guesser.finish()
			report.flood = guesser
		}
	}
	// One request at a time, with nothing else running: the course page's server time, and
	// what a first visit to each page transfers.
	if want("course") {
		h := http.Header{"Cookie": {"aula_signin=" + traineeToken}, "Accept-Encoding": {"gzip"}, "Accept-Language": {"es"}}
		if report.courseServer, err = serverTime(ctx, app.Handler(), "/courses/"+sch.courseSlug, h); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "  course page, server time unloaded: %v (median of %d)\n", report.courseServer.Round(10*time.Microsecond), courseServerRuns)
	}
	for _, sc := range scenarios {
		if !sc.firstVisit || !want(sc.name) {
			continue
		}
		t := sc.target
		req, err := http.NewRequestWithContext(ctx, t.Method, t.URL, nil)
		if err != nil {
			return err
		}
		for k, v := range t.Header {
			req.Header[k] = v
		}
		v := firstVisit(ctx, sc.name, req)
		fmt.Fprintf(stdout, "  %-16s first visit: %d bytes in %d files, %d third-party\n", sc.name, v.bytes, v.files, len(v.thirdParty))
		report.visits = append(report.visits, v)
	}
	// Two pages no scenario loads: the home page and the sign-in form, as a visitor first sees them.
	if cfg.only == nil {
		for _, p := range []struct{ name, path string }{{"home", "/"}, {"sign-in-form", "/login"}} {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, aula.URL+p.path, nil)
			if err != nil {
				return err
			}
			req.Header.Set("Accept-Language", "es")
			report.visits = append(report.visits, firstVisit(ctx, p.name, req))
		}
	}
	var floorRows []result
	for _, name := range []string{"S", "W"} {
		for _, clients := range cfg.clients {
			if t := pooled[name+"/"+strconv.Itoa(clients)]; t != nil {
				floorRows = append(floorRows, t.result(*floors[name], clients))
			}
		}
	}
	report.results = append(floorRows, results...)
	if cfg.only == nil || cfg.only["bulk-issue"] {
		fmt.Fprintf(stdout, "issuing %d certificates in one batch …\n", bulkSize)
		if report.bulk, err = sch.measureBulkIssue(ctx, sch.first); err != nil {
			return err
		}
	}
	if cfg.only == nil || cfg.only["reports"] {
		if report.reports, err = measureReports(ctx, dbURL, cfg.database+"_large", rdb, prefix, stdout); err != nil {
			return err
		}
	}
	if want("exam") {
		if report.exam, err = measureExam(ctx, sch, cfg.exam, sch.url, redisURL, prefix, aula, app.Handler(), signIns, stdout); err != nil {
			return fmt.Errorf("exam: %w", err)
		}
	}
	report.took = time.Since(began)
	fmt.Fprint(stdout, "\n"+report.table()+"\n"+report.verdicts())
	if cfg.out != "" {
		return report.write(cfg.out)
	}
	return nil
}

// server is one of the handlers the bench drives, on a port of its own on loopback.
type server struct {
	URL string
	srv *http.Server
}

func listen(h http.Handler) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return &server{URL: "http://" + ln.Addr().String(), srv: srv}, nil
}

func (s *server) Close() { s.srv.Close() }
