package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// scenario is one request the bench sends again and again, and what it is compared with.
type scenario struct {
	name       string
	target     vegeta.Target
	targets    []vegeta.Target      // in turn, instead of target
	next       func() vegeta.Target // made for each request, instead of target(s)
	follow     bool                 // follow a redirect: the request and the page it leads to count as one
	status     int                  // what a request that worked answers
	floor      string               // S or W: the scenario's ratio is to this one
	minRatio   float64              // at least this share of the floor's req/s (0: no target)
	p99Target  bool                 // p99 at most maxP99 at the most clients
	views      int                  // page views a request makes, for the round trips per view (0: not a page view)
	firstVisit bool                 // a page whose first visit is measured (its target, once)
	htmlBytes  int
	gzipBytes  int
	statements func() int64
}

const maxP99 = 100 * time.Millisecond

// floodVictim is the account the sign-in scenario's guesser tries (one of the roster).
const floodVictim = "persona1@bench.example"

func plan(sch *school, aula, limited, floorS, floorW, traineeToken, ownerToken string) []scenario {
	signedIn := func(token string) http.Header {
		return http.Header{"Cookie": {"aula_signin=" + token}, "Accept-Encoding": {"gzip"}, "Accept-Language": {"es"}}
	}
	get := func(base, path string, h http.Header) vegeta.Target {
		return vegeta.Target{Method: http.MethodGet, URL: base + path, Header: h}
	}
	anonymous := http.Header{"Accept-Encoding": {"gzip"}, "Accept-Language": {"es"}}
	course := "/courses/" + sch.courseSlug
	// The class of the course signs in in turn, each trainee from an address of its own (the
	// instance believes X-Forwarded-For from loopback), on the instance with the production limits.
	var signIns atomic.Int64
	signIn := func() vegeta.Target {
		i := int(signIns.Add(1)) % len(sch.class)
		body := url.Values{"email": {fmt.Sprintf("agente%d@bench.example", i+1)}, "password": {benchPassword}}.Encode()
		return vegeta.Target{Method: http.MethodPost, URL: limited + "/login", Body: []byte(body),
			Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept-Language": {"es"},
				"X-Forwarded-For": {fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255+1)}}}
	}
	// The class of the course (classSize trainees, each signed in) in turn, each reading its
	// lessons in order: every view is another trainee's, of another lesson than that trainee's
	// last, so each records a new place, as a class reading a course does. (One trainee for
	// every client would make each view wait for the one before on that trainee's row, which no
	// school sees.)
	var reads atomic.Int64
	lesson := func() vegeta.Target {
		i := reads.Add(1)
		token := sch.classTokens[int(i)%len(sch.classTokens)]
		id := sch.lessonIDs[int(i/int64(len(sch.classTokens)))%len(sch.lessonIDs)]
		return get(aula, course+"/lessons/"+strconv.FormatInt(id, 10), signedIn(token))
	}
	// The quiz's takers in turn: each request is another trainee's, on another page, with a
	// save newer than the last one of that question (the sequence number only grows).
	var n atomic.Int64
	turn := func() (taker, int, int64) {
		i := n.Add(1)
		t := sch.takers[int(i)%len(sch.takers)]
		return t, int(i/int64(len(sch.takers))) % quizQuestions, i
	}
	form := func(t taker, accept string) http.Header {
		h := signedIn(t.token)
		h.Set("Content-Type", "application/x-www-form-urlencoded")
		h.Set("Accept", accept)
		return h
	}
	answer := func(t taker, slot int, seq int64) url.Values {
		k := strconv.Itoa(slot)
		return url.Values{"q" + k: {t.options[slot][int(seq)%len(t.options[slot])]}, "q" + k + "-shown": {"1"}, "seq" + k: {strconv.FormatInt(seq, 10)}}
	}
	attemptPage := func() vegeta.Target {
		t, slot, _ := turn()
		return get(aula, t.attempt+"?page="+strconv.Itoa(slot+1), signedIn(t.token))
	}
	answerSave := func() vegeta.Target {
		t, slot, seq := turn()
		return vegeta.Target{Method: http.MethodPost, URL: aula + t.attempt + "/answers", Header: form(t, "application/json"),
			Body: []byte(answer(t, slot, seq).Encode())}
	}
	pageTurn := func() vegeta.Target {
		t, slot, seq := turn()
		v := answer(t, slot, seq)
		v.Set("page", strconv.Itoa(slot))
		v.Set("action", "next")
		if slot == quizQuestions-1 {
			v.Set("action", "1") // back to the first page: the attempt never ends
		}
		return vegeta.Target{Method: http.MethodPost, URL: aula + t.attempt, Header: form(t, "text/html"), Body: []byte(v.Encode())}
	}
	return []scenario{
		{name: "S", target: get(floorS, "/", signedIn(traineeToken)), status: 200},
		{name: "W", target: vegeta.Target{Method: http.MethodPost, URL: floorW + "/"}, status: 200},
		{name: "catalog", target: get(aula, "/courses", anonymous), status: 200, floor: "S", minRatio: 0.5, p99Target: true, views: 1, firstVisit: true},
		{name: "course", target: get(aula, course, signedIn(traineeToken)), status: 200, floor: "S", minRatio: 0.25, p99Target: true, views: 1, firstVisit: true},
		{name: "lesson", next: lesson, status: 200, floor: "S", minRatio: 0.25, p99Target: true, views: 1, firstVisit: true},
		{name: "my-learning", target: get(aula, "/learning", signedIn(traineeToken)), status: 200, floor: "S", minRatio: 0.25, p99Target: true, views: 1, firstVisit: true},
		{name: "quiz-attempt", next: attemptPage, status: 200, floor: "S", minRatio: 0.25, p99Target: true, views: 1, firstVisit: true},
		{name: "answer-save", next: answerSave, status: 200, floor: "W", minRatio: 0.25, p99Target: true},
		// The submit and the page it redirects to: two requests, each a view for its round trips.
		{name: "quiz-page-turn", next: pageTurn, follow: true, status: 200, floor: "S", minRatio: 0.15, p99Target: true, views: 2},
		{name: "my-certificates", target: get(aula, "/certificates", signedIn(traineeToken)), status: 200, floor: "S", minRatio: 0.25, p99Target: true, views: 1, firstVisit: true},
		{name: "verify-page", target: get(aula, "/verify/"+sch.certificateCode, anonymous), status: 200, floor: "S", minRatio: 0.5, p99Target: true, views: 1, firstVisit: true},
		{name: "verify-json", target: get(aula, "/verify/"+sch.certificateCode, http.Header{"Accept": {"application/json"}, "Accept-Encoding": {"gzip"}}),
			status: 200, floor: "S", minRatio: 0.5, p99Target: true, views: 1},
		{name: "certificate-pdf", target: get(aula, "/certificates/"+strconv.FormatInt(sch.certificateID, 10)+"/certificate.pdf", signedIn(traineeToken)),
			status: 200, floor: "S"},
		{name: "roster-500", target: get(aula, sch.rosterPath, signedIn(ownerToken)), status: 200, floor: "S", firstVisit: true},
		{name: "sign-in", next: signIn, status: http.StatusSeeOther, floor: "W"},
	}
}

// measureSize fetches the page (the first of targets) once as it is and once gzipped, and
// checks that it works.
func (sc *scenario) measureSize(ctx context.Context) error {
	if len(sc.targets) > 0 {
		sc.target = sc.targets[0]
	}
	if sc.next != nil {
		sc.target = sc.next()
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if sc.follow {
		client.CheckRedirect = nil
	}
	size := func(encoding string) (int, error) {
		var body io.Reader
		if sc.target.Body != nil {
			body = strings.NewReader(string(sc.target.Body))
		}
		req, err := http.NewRequestWithContext(ctx, sc.target.Method, sc.target.URL, body)
		if err != nil {
			return 0, err
		}
		for k, v := range sc.target.Header {
			req.Header[k] = v
		}
		req.Header.Set("Accept-Encoding", encoding)
		res, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if res.StatusCode != sc.status {
			return 0, fmt.Errorf("%s: status %d, want %d\n%.500s", sc.name, res.StatusCode, sc.status, b)
		}
		return len(b), err
	}
	var err error
	if sc.htmlBytes, err = size("identity"); err != nil {
		return err
	}
	sc.gzipBytes, err = size("gzip")
	return err
}

// tally adds up the slices a scenario ran for at one concurrency.
type tally struct {
	m          vegeta.Metrics
	good       uint64
	elapsed    time.Duration
	statements int64
}

// run sends the scenario's request(s) from clients workers, each waiting for its answer
// before sending the next, for d, and adds what happened to every tally given (none: a
// warm-up).
func (sc *scenario) run(d time.Duration, clients int, into ...*tally) {
	redirects := vegeta.NoFollow
	if sc.follow {
		redirects = 1
	}
	atk := vegeta.NewAttacker(vegeta.Workers(uint64(clients)), vegeta.MaxWorkers(uint64(clients)),
		vegeta.Connections(clients), vegeta.KeepAlive(true), vegeta.Redirects(redirects), vegeta.Timeout(30*time.Second))
	targets := sc.targets
	if len(targets) == 0 {
		targets = []vegeta.Target{sc.target}
	}
	targeter := vegeta.NewStaticTargeter(targets...)
	if sc.next != nil {
		targeter = func(t *vegeta.Target) error { *t = sc.next(); return nil }
	}
	before := sc.statements()
	start := time.Now()
	for res := range atk.Attack(targeter, vegeta.Rate{}, d, sc.name) {
		for _, t := range into {
			t.m.Add(res)
			if int(res.Code) == sc.status {
				t.good++
			}
		}
	}
	elapsed, sent := time.Since(start), sc.statements()-before
	for _, t := range into {
		t.elapsed += elapsed
		t.statements += sent
	}
}

// result is one scenario at one concurrency.
type result struct {
	sc         scenario
	clients    int
	rate       float64 // answers with the expected status, per second
	floorRate  float64 // the floor's, measured in the slices between this scenario's
	p50, p99   time.Duration
	errors     uint64
	requests   uint64
	statements float64 // sent to PostgreSQL per request
}

func (t *tally) result(sc scenario, clients int) result {
	t.m.Close()
	r := result{sc: sc, clients: clients, p50: t.m.Latencies.P50, p99: t.m.Latencies.P99, requests: t.m.Requests,
		errors: t.m.Requests - t.good}
	if t.elapsed > 0 {
		r.rate = float64(t.good) / t.elapsed.Seconds()
	}
	if t.m.Requests > 0 {
		r.statements = float64(t.statements) / float64(t.m.Requests)
	}
	return r
}
