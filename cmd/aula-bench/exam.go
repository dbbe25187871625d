package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/jmoiron/sqlx"
)

// Issue 12's exam day: examinees start the same timed quiz within startWindow, then each saves
// an answer every saveEvery for the exam's duration, against Aula running as a process of its
// own (`aula serve`, as deployed), so that its memory is its own.
const (
	examStartWindow = 10 * time.Second
	examSaveEvery   = 30 * time.Second
	examP99Target   = 500 * time.Millisecond
	examRSSTarget   = 200 << 20 // bytes
)

type examConfig struct {
	examinees int
	duration  time.Duration
	conns     int // the load generator's connections to Aula, at most
	// inProcess drives the bench's own Aula instead of a separate `aula serve`, so that
	// -cpuprofile and -memprofile see its code; its RSS is then not the app's alone.
	inProcess  bool
	memProfile string // a heap profile of the bench process, written at the exam's end
	memLimit   string // GOMEMLIMIT for the separate Aula ("": none, as `aula serve` runs by default)
}

// examKind is one kind of request of the exam, with its latencies.
type examKind struct {
	name      string
	mu        sync.Mutex
	latencies []time.Duration
	errors    atomic.Int64
}

func (k *examKind) add(d time.Duration) {
	k.mu.Lock()
	k.latencies = append(k.latencies, d)
	k.mu.Unlock()
}

func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

type examResult struct {
	cfg                 examConfig
	kinds               []*examKind
	allStarted          time.Duration // from the first start sent to the last attempt page received
	started             int64
	rssPeak             int64 // VmHWM of the Aula process at the end, bytes
	rssEnd              int64
	rssIdle             int64 // VmHWM as the exam began (Aula started, nothing asked of it yet)
	probes              []probe
	startPhase          cpuShare
	wall                time.Duration
	firstError          string
	setup               time.Duration
	drained             drained       // the background work the school's set-up left, done before the exam
	waited              time.Duration // every examinee opening the quiz's page before the start
	appCPUSeconds       float64       // user+system CPU of the Aula process over the exam
	generatorCPUSeconds float64       // the bench process's (the load generator's, when Aula is apart)
}

func (r examResult) errors() int64 {
	var n int64
	for _, k := range r.kinds {
		n += k.errors.Load()
	}
	return n
}

func (r examResult) all() []time.Duration {
	var all []time.Duration
	for _, k := range r.kinds {
		all = append(all, k.latencies...)
	}
	return all
}

var optionRe = regexp.MustCompile(`name="q0" value="([^"]+)"`)

// measureExam builds the exam (a timed quiz of the 65-lesson course, cfg.examinees trainees
// enrolled in it and signed in), starts Aula as a process of its own on the bench's database
// and Redis, and runs the exam day against it.
func measureExam(ctx context.Context, sch *school, cfg examConfig, dbURL, redisURL, prefix string, inProcess *server, h http.Handler,
	signIns *store.SignIns, stdout io.Writer) (examResult, error) {
	res := examResult{cfg: cfg}
	t0 := time.Now()
	fmt.Fprintf(stdout, "exam day: %d examinees, a timed quiz, then an answer saved by each every %v for %v …\n", cfg.examinees, examSaveEvery, cfg.duration)
	items, err := sch.questions(ctx, sch.first, "examen")
	if err != nil {
		return res, err
	}
	settings := courses.DefaultQuizSettings()
	settings.PerPage = 1
	settings.Attempts = 1
	settings.TimeLimit = cfg.duration + examStartWindow + 10*time.Minute
	last := len(sch.first.Modules) - 1
	quizID, err := sch.st.SaveQuiz(ctx, sch.first.ID, courses.Quiz{ModuleID: sch.first.Modules[last].ID, Key: "examen-final",
		Position: len(sch.first.Modules[last].Lessons) + 1, Titles: map[string]string{"es": "Examen final nacional"}, Settings: settings, Items: items})
	if err != nil {
		return res, err
	}
	ids, err := sch.buildClass(ctx, sch.first, "Examen nacional", "examinada", cfg.examinees+probeRuns)
	if err != nil {
		return res, err
	}
	tokens, err := signInAll(ctx, signIns, ids)
	if err != nil {
		return res, err
	}
	// probeRuns examinees first, one at a time through the bench's own instance, unloaded:
	// what one start, attempt page and save cost the server, and in statements.
	quizPath := fmt.Sprintf("/courses/%s/quizzes/%d", sch.first.Slug, quizID)
	startPath := quizPath + "/attempts"
	if res.probes, err = probeExam(ctx, h, sch.st.Statements, quizPath, startPath, tokens[cfg.examinees:]); err != nil {
		return res, err
	}
	ids, tokens = ids[:cfg.examinees], tokens[:cfg.examinees]
	for _, p := range res.probes {
		fmt.Fprintf(stdout, "  one %s, unloaded: %v server time, %.1f statements\n", p.name, p.median.Round(10*time.Microsecond), p.statements)
	}
	var app *aulaProcess
	if cfg.inProcess {
		app = &aulaProcess{url: inProcess.URL, cmd: &exec.Cmd{Process: &os.Process{Pid: os.Getpid()}}}
	} else {
		if app, err = startAula(ctx, sch, dbURL, redisURL, prefix, cfg.memLimit); err != nil {
			return res, err
		}
		defer app.stop()
	}
	// At 08:59 the school is at rest: what the bench's set-up left for River (the emails of
	// the enrolments and certificates it made, each certificate's with its PDF) is done first,
	// by the instance that works it, and said; otherwise it ran during the start and the start
	// measured it too.
	if !cfg.inProcess {
		fmt.Fprintf(stdout, "  waiting for the background work the set-up left …\n")
		if res.drained, err = drainJobs(ctx, sch.db, 10*time.Minute); err != nil {
			return res, err
		}
		fmt.Fprintf(stdout, "  %s\n", res.drained)
	}
	res.setup = time.Since(t0)

	tr := &http.Transport{MaxConnsPerHost: cfg.conns, MaxIdleConnsPerHost: cfg.conns, IdleConnTimeout: 5 * time.Minute, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	start, page, save := &examKind{name: "start (POST)"}, &examKind{name: "attempt page"}, &examKind{name: "answer save"}
	res.kinds = []*examKind{start, page, save}
	var firstErr sync.Once
	fail := func(k *examKind, format string, args ...any) {
		k.errors.Add(1)
		firstErr.Do(func() { res.firstError = fmt.Sprintf(format, args...) })
	}
	do := func(method, path, token string, form url.Values, accept string) (*http.Response, []byte, error) {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequestWithContext(ctx, method, app.url+path, body)
		req.Header.Set("Cookie", "aula_signin="+token)
		req.Header.Set("Accept-Encoding", "gzip")
		req.Header.Set("Accept-Language", "es")
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		r, err := client.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer r.Body.Close()
		b, err := io.ReadAll(r.Body)
		return r, b, err
	}
	res.rssIdle, _ = app.memory()
	// At 08:59 every examinee has the quiz's page open, with its "Start attempt" button, whose
	// form the start below posts: the page is asked once by each, 64 at a time, untimed and not
	// in the p99 (it is before the exam); an error in it stops the bench.
	waiting := &examKind{name: "quiz page (before the start)"}
	t1 := time.Now()
	var visits sync.WaitGroup
	for w := range 64 {
		visits.Add(1)
		go func() {
			defer visits.Done()
			for i := w; i < len(tokens); i += 64 {
				r, _, err := do(http.MethodGet, quizPath, tokens[i], nil, "text/html")
				if err != nil || r.StatusCode != http.StatusOK {
					fail(waiting, "quiz page: %v %v", status(r), err)
				}
			}
		}()
	}
	visits.Wait()
	res.waited = time.Since(t1)
	if n := waiting.errors.Load(); n > 0 {
		return res, fmt.Errorf("%d examinees could not open the quiz's page: %s", n, res.firstError)
	}
	fmt.Fprintf(stdout, "  every examinee opened the quiz's page, in %.1f s; at 09:00 they start …\n", res.waited.Seconds())
	saves := int(cfg.duration / examSaveEvery)
	pgPID := postmaster(ctx, sch)
	cpu0, self0, pg0, machine0, steal0 := app.cpuSeconds(), selfCPU(), clusterCPU(pgPID), machineCPU(), machineSteal()
	begin := time.Now().Add(time.Second)
	var lastStarted atomic.Int64 // nanoseconds after begin
	order := rand.Perm(len(ids))
	var wg, starting sync.WaitGroup
	starting.Add(len(order))
	phaseDone := make(chan struct{})
	go func() { // who used the CPU while the examinees were starting
		defer close(phaseDone)
		starting.Wait()
		res.startPhase = cpuShare{wall: time.Since(begin).Seconds(), app: app.cpuSeconds() - cpu0, generator: selfCPU() - self0,
			postgres: clusterCPU(pgPID) - pg0, machine: machineCPU() - machine0, steal: machineSteal() - steal0}
	}()
	for n, i := range order {
		wg.Add(1)
		go func() {
			defer wg.Done()
			startDone := sync.OnceFunc(starting.Done)
			defer startDone()
			token := tokens[i]
			// Each examinee starts at its moment of the window, the window's moments in an order
			// at random; each request's time counts from when it was due, so that a request
			// waiting for a connection of the generator's waits on the clock.
			due := begin.Add(examStartWindow * time.Duration(n) / time.Duration(len(order)))
			time.Sleep(time.Until(due))
			r, _, err := do(http.MethodPost, startPath, token, url.Values{}, "text/html")
			start.add(time.Since(due))
			if err != nil || r.StatusCode != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "/attempts/") {
				fail(start, "start: %v %v", status(r), err)
				return
			}
			attempt := r.Header.Get("Location")
			t := time.Now()
			r, b, err := do(http.MethodGet, attempt, token, nil, "text/html")
			page.add(time.Since(t))
			if err == nil && r.Header.Get("Content-Encoding") == "gzip" {
				b, err = gunzip(b)
			}
			m := optionRe.FindAllSubmatch(b, -1)
			if err != nil || r.StatusCode != http.StatusOK || len(m) == 0 {
				fail(page, "attempt page: %v %v", status(r), err)
				return
			}
			atomic.AddInt64(&res.started, 1)
			startDone()
			for {
				done := int64(time.Since(begin))
				old := lastStarted.Load()
				if done <= old || lastStarted.CompareAndSwap(old, done) {
					break
				}
			}
			// Then an answer every examSaveEvery, from a moment of its own within the first one
			// (trainees answer at their own pace, not all in step), as the page's script saves it.
			next := time.Now().Add(rand.N(examSaveEvery))
			for k := 1; k <= saves; k++ {
				time.Sleep(time.Until(next))
				due := next
				next = next.Add(examSaveEvery)
				form := url.Values{"q0": {string(m[k%len(m)][1])}, "q0-shown": {"1"}, "seq0": {strconv.Itoa(k)}}
				r, _, err := do(http.MethodPost, attempt+"/answers", token, form, "application/json")
				save.add(time.Since(due))
				if err != nil || r.StatusCode != http.StatusOK {
					fail(save, "save: %v %v", status(r), err)
				}
			}
		}()
	}
	wg.Wait()
	<-phaseDone
	res.wall = time.Since(begin)
	res.allStarted = time.Duration(lastStarted.Load())
	res.appCPUSeconds = app.cpuSeconds() - cpu0
	res.generatorCPUSeconds = selfCPU() - self0
	res.rssPeak, res.rssEnd = app.memory()
	if cfg.memProfile != "" {
		f, err := os.Create(cfg.memProfile)
		if err != nil {
			return res, err
		}
		defer f.Close()
		if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
			return res, err
		}
	}
	return res, nil
}

const probeRuns = 21

// probe is one kind of the exam's requests sent probeRuns times in turn to the bench's own
// instance, unloaded: its median server time (around ServeHTTP) and statements per request.
type probe struct {
	name       string
	median     time.Duration
	statements float64
}

func probeExam(ctx context.Context, h http.Handler, statements func() int64, quizPath, startPath string, tokens []string) ([]probe, error) {
	serve := func(method, path, token string, form url.Values, accept string) (*httptest.ResponseRecorder, time.Duration, int64) {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req := httptest.NewRequestWithContext(ctx, method, path, body)
		req.RemoteAddr = "127.0.0.1:40000"
		req.Header.Set("Cookie", "aula_signin="+token)
		req.Header.Set("Accept-Encoding", "gzip")
		req.Header.Set("Accept-Language", "es")
		req.Header.Set("Accept", accept)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		rec := httptest.NewRecorder()
		before := statements()
		t0 := time.Now()
		h.ServeHTTP(rec, req)
		return rec, time.Since(t0), statements() - before
	}
	kinds := []string{"start (POST)", "attempt page", "answer save"}
	times := make([][]time.Duration, 3)
	sent := make([]int64, 3)
	for _, token := range tokens {
		// as in the exam, the examinee has the quiz's page open before the start
		if rec, _, _ := serve(http.MethodGet, quizPath, token, nil, "text/html"); rec.Code != http.StatusOK {
			return nil, fmt.Errorf("probe quiz page: status %d", rec.Code)
		}
		rec, d, n := serve(http.MethodPost, startPath, token, url.Values{}, "text/html")
		if rec.Code != http.StatusSeeOther {
			return nil, fmt.Errorf("probe start: status %d", rec.Code)
		}
		times[0], sent[0] = append(times[0], d), sent[0]+n
		attempt := rec.Header().Get("Location")
		rec, d, n = serve(http.MethodGet, attempt, token, nil, "text/html")
		b, err := rec.Body.Bytes(), error(nil)
		if rec.Header().Get("Content-Encoding") == "gzip" {
			b, err = gunzip(b)
		}
		m := optionRe.FindSubmatch(b)
		if rec.Code != http.StatusOK || err != nil || m == nil {
			return nil, fmt.Errorf("probe attempt page: status %d %v", rec.Code, err)
		}
		times[1], sent[1] = append(times[1], d), sent[1]+n
		rec, d, n = serve(http.MethodPost, attempt+"/answers", token, url.Values{"q0": {string(m[1])}, "q0-shown": {"1"}, "seq0": {"1"}}, "application/json")
		if rec.Code != http.StatusOK {
			return nil, fmt.Errorf("probe save: status %d", rec.Code)
		}
		times[2], sent[2] = append(times[2], d), sent[2]+n
	}
	var out []probe
	for i, k := range kinds {
		out = append(out, probe{name: k, median: median(times[i]), statements: float64(sent[i]) / float64(len(tokens))})
	}
	return out, nil
}

func status(r *http.Response) string {
	if r == nil {
		return "no answer"
	}
	return r.Status
}

// gzipReaders keeps the load generator's decompressors: a gzip.Reader is some 40 KB of
// state, and 10,000 attempt pages each making one anew made the generator's garbage
// collection take CPU from Aula during the start.
var gzipReaders sync.Pool

func gunzip(b []byte) ([]byte, error) {
	zr, _ := gzipReaders.Get().(*gzip.Reader)
	var err error
	if zr == nil {
		zr, err = gzip.NewReader(bytes.NewReader(b))
	} else {
		err = zr.Reset(bytes.NewReader(b))
	}
	if err != nil {
		return nil, err
	}
	defer gzipReaders.Put(zr)
	return io.ReadAll(zr)
}

// signInAll makes a sign-in in Redis for each user, as a successful sign-in does
// (store.SignIns.Create), without hashing a password: the exam measures the exam, not 10,000
// sign-ins before it.
func signInAll(ctx context.Context, signIns *store.SignIns, ids []int64) ([]string, error) {
	tokens := make([]string, len(ids))
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(ids); i += 16 {
				if tokens[i], errs[w] = signIns.Create(ctx, ids[i]); errs[w] != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	return tokens, errors.Join(errs...)
}

// aulaProcess is `aula serve`, built from this tree, as a child of the bench.
type aulaProcess struct {
	cmd  *exec.Cmd
	url  string
	dir  string
	logs *bytes.Buffer
	mu   *sync.Mutex
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.b.Len() > 1<<20 {
		return len(p), nil
	}
	return w.b.Write(p)
}

// drained is the background work done before the exam: jobs, and how long they took.
type drained struct {
	jobs    int
	took    time.Duration
	left    int // still there when the wait ended
	waitFor time.Duration
}

func (d drained) String() string {
	s := fmt.Sprintf("%d background jobs the set-up had queued were done first, in %.1f s", d.jobs, d.took.Seconds())
	if d.left > 0 {
		s += fmt.Sprintf(" (%d still queued after %v: the exam began with them)", d.left, d.waitFor)
	}
	return s
}

// drainJobs waits, up to limit, until River has no job that is due or running.
func drainJobs(ctx context.Context, db *sqlx.DB, limit time.Duration) (drained, error) {
	const due = `SELECT count(*) FROM river_job WHERE state = 'running' OR (state IN ('available', 'retryable', 'scheduled') AND scheduled_at <= now())`
	d := drained{waitFor: limit}
	t0 := time.Now()
	if err := db.GetContext(ctx, &d.jobs, due); err != nil {
		return d, fmt.Errorf("jobs queued: %w", err)
	}
	for n := d.jobs; n > 0; {
		if time.Since(t0) > limit {
			d.left = n
			break
		}
		select {
		case <-ctx.Done():
			return d, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
		if err := db.GetContext(ctx, &n, due); err != nil {
			return d, fmt.Errorf("jobs queued: %w", err)
		}
	}
	d.took = time.Since(t0)
	return d, nil
}

func startAula(ctx context.Context, sch *school, dbURL, redisURL, prefix, memLimit string) (*aulaProcess, error) {
	dir, err := os.MkdirTemp("", "aula-bench-app")
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(dir, "aula")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/aula")
	if out, err := build.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("go build ./cmd/aula: %w\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	p := &aulaProcess{url: "http://" + addr, dir: dir, logs: &bytes.Buffer{}, mu: &sync.Mutex{}}
	p.cmd = exec.Command(bin, "serve")
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AULA_") && !strings.HasPrefix(kv, "DATABASE_") && !strings.HasPrefix(kv, "REDIS_") && !strings.HasPrefix(kv, "GOMEMLIMIT=") {
			env = append(env, kv)
		}
	}
	p.cmd.Env = append(env, "DATABASE_URL="+dbURL, "REDIS_URL="+redisURL, "AULA_ADDR="+addr, "AULA_BASE_URL="+p.url,
		"AULA_METRICS_ADDR=off", "AULA_TWO_FACTOR_REQUIRED=none", "AULA_REDIS_PREFIX="+prefix, "AULA_LOG_LEVEL=warn",
		"AULA_SECRET_KEY="+base64.StdEncoding.EncodeToString(sch.secret))
	if memLimit != "" {
		p.cmd.Env = append(p.cmd.Env, "GOMEMLIMIT="+memLimit)
	}
	p.cmd.Stdout = lockedWriter{p.mu, p.logs}
	p.cmd.Stderr = lockedWriter{p.mu, p.logs}
	if err := p.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		r, err := http.Get(p.url + "/healthz")
		if err == nil {
			r.Body.Close()
			if r.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		if time.Now().After(deadline) || p.cmd.ProcessState != nil {
			p.stop()
			return nil, fmt.Errorf("aula serve did not answer /healthz within a minute: %s", p.log())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (p *aulaProcess) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

func (p *aulaProcess) stop() {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = p.cmd.Process.Kill()
			<-done
		}
	}
	os.RemoveAll(p.dir)
}

// memory is the process's peak resident set (VmHWM) and its resident set now (VmRSS).
func (p *aulaProcess) memory() (peak, now int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmHWM:":
			peak = kb << 10
		case "VmRSS:":
			now = kb << 10
		}
	}
	return peak, now
}

func selfCPU() float64 { return procCPU(os.Getpid()) }

// cpuShare is the CPU seconds each part used over a stretch of wall time.
type cpuShare struct{ wall, app, generator, postgres, machine, steal float64 }

// postmaster is the PID of the PostgreSQL server the bench uses, when it runs on this machine
// (0 otherwise): the parent of the bench's own backend.
func postmaster(ctx context.Context, sch *school) int {
	var backend int
	if err := sch.db.GetContext(ctx, &backend, `SELECT pg_backend_pid()`); err != nil {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", backend))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "PPid:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}

// clusterCPU is the CPU PostgreSQL has used: the postmaster, its children alive, and those it
// has reaped (the postmaster's cutime and cstime).
func clusterCPU(pid int) float64 {
	if pid == 0 {
		return 0
	}
	total := 0.0
	if f := statFields(pid); len(f) >= 15 {
		for _, x := range f[11:15] {
			v, _ := strconv.ParseFloat(x, 64)
			total += v / 100
		}
	}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if f := statFields(child); len(f) >= 13 && f[1] == strconv.Itoa(pid) {
			total += procCPU(child)
		}
	}
	return total
}

// machineCPU is the CPU every process of the machine has used (busy time in /proc/stat).
// machineSteal is the CPU time this virtual machine wanted and its host gave to others
// (/proc/stat's steal), in seconds since boot: a run slower than the last with the same code
// shows here when the neighbours took the difference.
func machineSteal() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	f := strings.Fields(strings.SplitN(string(b), "\n", 2)[0])
	if len(f) < 9 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[8], 64)
	return v / 100
}

func machineCPU() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	f := strings.Fields(strings.SplitN(string(b), "\n", 2)[0])
	total := 0.0
	for i, x := range f[1:] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		v, _ := strconv.ParseFloat(x, 64)
		total += v / 100
	}
	return total
}

// statFields are /proc/PID/stat's fields after the command's name: state, ppid, …
func statFields(pid int) []string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 > len(s) {
		return nil
	}
	return strings.Fields(s[i+2:])
}

// cpuSeconds is the user and system CPU the process has used.
func (p *aulaProcess) cpuSeconds() float64 { return procCPU(p.cmd.Process.Pid) }

func procCPU(pid int) float64 {
	f := statFields(pid)
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100 // USER_HZ
}

func (r examResult) table() string {
	if r.cfg.examinees == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Exam day (Aula as its own process, `aula serve`; %d examinees start one timed quiz in %v, in an order at random, then each saves an answer "+
		"every %v for %v, from a moment of its own; one load generator, %d connections at most, each request timed from when it was due; "+
		"Aula used %.0f s of CPU in %.0f s, the load generator %.0f s%s; before it, %s, and then each examinee opened the quiz's page, "+
		"whose button starts the attempt, 64 at a time, in %.1f s, untimed and not in the p99 below):\n\n",
		r.cfg.examinees, examStartWindow, examSaveEvery, r.cfg.duration, r.cfg.conns, r.appCPUSeconds, r.wall.Seconds(), r.generatorCPUSeconds, limitNote(r.cfg.memLimit), r.drained,
		r.waited.Seconds())
	b.WriteString("| request | count | errors | p50 | p99 | slowest | one alone: server time | statements |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for i, k := range r.kinds {
		alone, sent := "", ""
		if i < len(r.probes) {
			alone, sent = fmt.Sprintf("%.2f ms", float64(r.probes[i].median.Microseconds())/1000), fmt.Sprintf("%.1f", r.probes[i].statements)
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %s | %s | %s | %s | %s |\n", k.name, len(k.latencies), k.errors.Load(), ms(quantile(k.latencies, 0.5)),
			ms(quantile(k.latencies, 0.99)), ms(quantile(k.latencies, 1)), alone, sent)
	}
	if p := r.startPhase; p.wall > 0 {
		fmt.Fprintf(&b, "\nWhile the examinees were starting (%.1f s): Aula used %.1f s of CPU, PostgreSQL %.1f s, the load generator %.1f s, "+
			"the whole machine %.1f s (%.0f s of %d CPUs were there: the rest went to other work on the machine and Redis), %.1f s of it taken by the host for other machines (steal).\n",
			p.wall, p.app, p.postgres, p.generator, p.machine, p.wall*float64(runtime.NumCPU()), runtime.NumCPU(), p.steal)
	}
	fmt.Fprintf(&b, "\nAula's resident memory: %.0f MB as the exam began, %.0f MB at its end, %.0f MB at the most (VmHWM).\n",
		float64(r.rssIdle)/(1<<20), float64(r.rssEnd)/(1<<20), float64(r.rssPeak)/(1<<20))
	return b.String()
}

func (r examResult) verdicts() string {
	if r.cfg.examinees == 0 {
		return ""
	}
	var b strings.Builder
	all := r.all()
	fmt.Fprintf(&b, "- %s exam start: %d of %d examinees in their attempt %.1f s after the first start (target: all, within %v and the p99)\n",
		pass(r.started == int64(r.cfg.examinees) && r.allStarted <= examStartWindow+examP99Target), r.started, r.cfg.examinees, r.allStarted.Seconds(), examStartWindow)
	errText := ""
	if r.firstError != "" {
		errText = " (first: " + r.firstError + ")"
	}
	fmt.Fprintf(&b, "- %s exam errors: %d of %d requests%s, target 0\n", pass(r.errors() == 0 && len(all) > 0), r.errors(), len(all), errText)
	fmt.Fprintf(&b, "- %s exam p99 (every request): %s, target ≤ %s\n", pass(quantile(all, 0.99) <= examP99Target && len(all) > 0), ms(quantile(all, 0.99)), ms(examP99Target))
	fmt.Fprintf(&b, "- %s exam app RSS (peak, VmHWM): %.0f MB, target ≤ %d MB\n", pass(r.rssPeak > 0 && r.rssPeak <= examRSSTarget),
		float64(r.rssPeak)/(1<<20), examRSSTarget>>20)
	return b.String()
}

func limitNote(limit string) string {
	if limit == "" {
		return ""
	}
	return "; Aula run with GOMEMLIMIT=" + limit
}
