package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// scenario is one request the bench sends again and again, and what it is compared with.
type scenario struct {
	name       string
	target     vegeta.Target
	status     int     // what a request that worked answers
	floor      string  // S or W: the scenario's ratio is to this one
	minRatio   float64 // at least this share of the floor's req/s (0: no target)
	p99Target  bool    // p99 at most maxP99 at the most clients
	htmlBytes  int
	gzipBytes  int
	statements func() int64
}

const maxP99 = 100 * time.Millisecond

func plan(sch *school, aula, floorS, floorW, traineeToken, ownerToken string) []scenario {
	signedIn := func(token string) http.Header {
		return http.Header{"Cookie": {"aula_signin=" + token}, "Accept-Encoding": {"gzip"}, "Accept-Language": {"es"}}
	}
	get := func(base, path string, h http.Header) vegeta.Target {
		return vegeta.Target{Method: http.MethodGet, URL: base + path, Header: h}
	}
	anonymous := http.Header{"Accept-Encoding": {"gzip"}, "Accept-Language": {"es"}}
	course := "/courses/" + sch.courseSlug
	signIn := url.Values{"email": {sch.trainee.Email}, "password": {benchPassword}}.Encode()
	return []scenario{
		{name: "S", target: get(floorS, "/", signedIn(traineeToken)), status: 200},
		{name: "W", target: vegeta.Target{Method: http.MethodPost, URL: floorW + "/"}, status: 200},
		{name: "catalog", target: get(aula, "/courses", anonymous), status: 200, floor: "S", minRatio: 0.5, p99Target: true},
		{name: "course", target: get(aula, course, signedIn(traineeToken)), status: 200, floor: "S", minRatio: 0.25, p99Target: true},
		{name: "lesson", target: get(aula, course+"/lessons/"+strconv.FormatInt(sch.lessonID, 10), signedIn(traineeToken)),
			status: 200, floor: "S", minRatio: 0.25, p99Target: true},
		{name: "my-learning", target: get(aula, "/learning", signedIn(traineeToken)), status: 200, floor: "S", minRatio: 0.25, p99Target: true},
		{name: "roster-500", target: get(aula, sch.rosterPath, signedIn(ownerToken)), status: 200, floor: "S"},
		{name: "sign-in", target: vegeta.Target{Method: http.MethodPost, URL: aula + "/login", Body: []byte(signIn),
			Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept-Language": {"es"}}},
			status: http.StatusSeeOther, floor: "W"},
	}
}

// measureSize fetches the page once as it is and once gzipped, and checks that it works.
func (sc *scenario) measureSize(ctx context.Context) error {
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
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

// attack sends the scenario's request from clients workers, each waiting for its answer
// before sending the next, for d.
func (sc *scenario) attack(d time.Duration, clients int) *vegeta.Metrics {
	atk := vegeta.NewAttacker(vegeta.Workers(uint64(clients)), vegeta.MaxWorkers(uint64(clients)),
		vegeta.Connections(clients), vegeta.KeepAlive(true), vegeta.Redirects(vegeta.NoFollow), vegeta.Timeout(30*time.Second))
	var m vegeta.Metrics
	for res := range atk.Attack(vegeta.NewStaticTargeter(sc.target), vegeta.Rate{}, d, sc.name) {
		m.Add(res)
	}
	m.Close()
	return &m
}

// result is one scenario at one concurrency.
type result struct {
	sc         scenario
	clients    int
	rate       float64 // answers with the expected status, per second
	p50, p99   time.Duration
	errors     uint64
	requests   uint64
	statements float64 // sent to PostgreSQL per request
}

func (sc *scenario) measure(d time.Duration, clients int) result {
	before := sc.statements()
	m := sc.attack(d, clients)
	sent := sc.statements() - before
	good := uint64(m.StatusCodes[strconv.Itoa(sc.status)])
	r := result{sc: *sc, clients: clients, p50: m.Latencies.P50, p99: m.Latencies.P99, requests: m.Requests,
		errors: m.Requests - good}
	if elapsed := (m.Duration + m.Wait).Seconds(); elapsed > 0 {
		r.rate = float64(good) / elapsed
	}
	if m.Requests > 0 {
		r.statements = float64(sent) / float64(m.Requests)
	}
	return r
}
