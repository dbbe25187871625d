package handlers_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/handlers"
	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
	"github.com/redis/go-redis/v9"
)

// testApp is the whole application on a random port, over its own database and Redis keys.
type testApp struct {
	t       testing.TB
	URL     string
	Store   *store.Store
	Redis   redis.UniversalClient
	SignIns *store.SignIns
	Clock   *testClock
	App     *handlers.App
	Prefix  string // this test's Redis keys start with it
	DBURL   string // the test's own database
	// With withOutages, the application reaches PostgreSQL and Redis through these.
	PostgreSQL, RedisServer *storetest.Proxy
	jobs                    *sync.Once // workJobs; shared by copies
}

// workJobs starts, once, a River client for the app's background work (emails kept, not
// sent), as serve does: for the tests of what a worker does after the request.
func (a *testApp) workJobs() {
	a.jobs.Do(func() {
		jobs, err := a.Store.StartJobs(context.Background(), store.JobsConfig{PollInterval: 100 * time.Millisecond, Now: a.Clock.Now,
			Mail: store.MailConfig{Render: a.App.RenderEmail}})
		if err != nil {
			a.t.Fatal(err)
		}
		a.t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = jobs.Stop(ctx)
		})
	})
}

// testClock is the application's clock in a test: it stands still until the test moves it.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock forward by d.
func (c *testClock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// appConfig is what a test may change about the application.
type appConfig struct {
	loginPerAccount, loginPerIP int
	loginPeriod                 time.Duration
	baseURL                     *url.URL
	outages                     bool
	verifyPerIP                 int
	reportSuppress              int  // AULA_REPORT_SUPPRESS_BELOW
	impactSuppress              int  // AULA_IMPACT_SUPPRESS_BELOW (0: its default)
	sending                     bool // a mail server is configured
	twoFactorRequired           courses.TwoFactorPolicy
}

// withTwoFactorRequired sets AULA_TWO_FACTOR_REQUIRED (by default nobody's).
func withTwoFactorRequired(p courses.TwoFactorPolicy) appOption {
	return func(c *appConfig) { c.twoFactorRequired = p }
}

// withSending tells the app that a mail server is configured (AULA_SMTP_HOST).
func withSending() appOption { return func(c *appConfig) { c.sending = true } }

// withSuppression sets the thresholds under which the reports' exports and the impact page
// suppress counts.
func withSuppression(reports, impact int) appOption {
	return func(c *appConfig) { c.reportSuppress, c.impactSuppress = reports, impact }
}

// withOutages puts a proxy before PostgreSQL and Redis, which the test can stop and start.
func withOutages() appOption { return func(c *appConfig) { c.outages = true } }

type appOption func(*appConfig)

func withBaseURL(u string) appOption {
	return func(c *appConfig) { c.baseURL, _ = url.Parse(u) }
}

func withVerifyLimit(perMinute int) appOption {
	return func(c *appConfig) { c.verifyPerIP = perMinute }
}

func withLoginLimits(perAccount, perIP int) appOption {
	return func(c *appConfig) { c.loginPerAccount, c.loginPerIP = perAccount, perIP }
}

// withSlowLoginRefill makes the sign-in limits refill over an hour, not a minute, for a
// test that must not see an attempt come back while it runs.
func withSlowLoginRefill() appOption {
	return func(c *appConfig) { c.loginPeriod = time.Hour }
}

func newTestApp(t testing.TB, opts ...appOption) *testApp {
	t.Helper()
	cfg := appConfig{loginPerAccount: 100, loginPerIP: 1000, loginPeriod: time.Minute, verifyPerIP: 1000}
	for _, o := range opts {
		o(&cfg)
	}
	var pgProxy, redisProxy *storetest.Proxy
	var st *store.Store
	var dbURL string
	rdb, prefix := storetest.Redis(t)
	if cfg.outages {
		var redisURL string
		dbURL, redisURL = storetest.URL(t), os.Getenv("REDIS_URL")
		pgProxy = storetest.NewProxy(t, storetest.Target(t, dbURL))
		redisProxy = storetest.NewProxy(t, storetest.Target(t, redisURL))
		var err error
		if st, err = store.Open(context.Background(), pgProxy.Through(dbURL)); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		storetest.UseSigningKeys(t, st)
		if rdb, err = store.OpenRedis(context.Background(), store.RedisConfig{URL: redisProxy.Through(redisURL)}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { rdb.Close() })
	} else {
		st, dbURL = storetest.DBAt(t)
	}
	clock := &testClock{t: time.Now().Truncate(time.Second)} // PostgreSQL keeps microseconds, rounded
	signIns := store.NewSignIns(rdb, prefix, time.Hour, 12*time.Hour, clock.Now)
	app, err := handlers.New(handlers.Deps{
		Config: handlers.Config{BaseURL: cfg.baseURL, ReportSuppressBelow: cfg.reportSuppress, ImpactSuppressBelow: cfg.impactSuppress,
			Sending: cfg.sending, TwoFactorRequired: cfg.twoFactorRequired},
		Store:   st,
		Redis:   rdb,
		SignIns: signIns,
		Limiter: store.NewLimiter(rdb, prefix, store.LoginLimits{
			PerAccount: cfg.loginPerAccount, PerIP: cfg.loginPerIP, Period: cfg.loginPeriod, VerifyPerIP: cfg.verifyPerIP,
		}),
		Uploads: store.NewUploads(rdb, prefix),
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Clock:   clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler())
	t.Cleanup(srv.Close)
	return &testApp{t: t, jobs: new(sync.Once), URL: srv.URL, Store: st, Redis: rdb, SignIns: signIns, Clock: clock, App: app, Prefix: prefix, DBURL: dbURL,
		PostgreSQL: pgProxy, RedisServer: redisProxy}
}

// client is one browser: a cookie jar, redirects not followed, a language.
type client struct {
	app  *testApp
	http *http.Client
	lang string
}

func (a *testApp) client(lang string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{app: a, lang: lang, http: &http.Client{
		Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

type response struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

func (c *client) do(req *http.Request) response {
	c.app.t.Helper()
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.app.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Body: string(b), Location: res.Header.Get("Location"), Header: res.Header}
}

func (c *client) get(path string) response {
	c.app.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.app.URL+path, nil)
	return c.do(req)
}

func (c *client) post(path string, form url.Values) response {
	c.app.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.app.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// cookie returns the value of the named cookie the browser holds for the app.
func (c *client) cookie(name string) string {
	u, _ := url.Parse(c.app.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// setCookie plants a cookie in the browser, as an attacker or an old tab might.
func (c *client) setCookie(name, value string) {
	u, _ := url.Parse(c.app.URL)
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

const testPassword = "a long enough password"

// user creates an account whose profile language is Spanish: once signed in, pages speak
// Spanish whatever the browser asks for.

func (a *testApp) user(email string, role courses.Role) courses.User {
	a.t.Helper()
	u, err := a.Store.CreateUser(context.Background(), courses.Profile{
		FullName: "Test " + email, Email: email, Country: "CR", Institution: "Municipalidad de Escazú",
		Sector: "local_government", Language: "es",
	}, testPassword, role)
	if err != nil {
		a.t.Fatal(err)
	}
	return u
}

func (c *client) login(email, password string) response {
	c.app.t.Helper()
	return c.post("/login", url.Values{"email": {email}, "password": {password}})
}

func (c *client) mustLogin(email string) {
	c.app.t.Helper()
	if r := c.login(email, testPassword); r.Status != http.StatusSeeOther {
		c.app.t.Fatalf("login %s: status %d\n%s", email, r.Status, r.Body)
	}
}

func (a *testApp) userCount() int {
	a.t.Helper()
	_, total, err := a.Store.ListUsers(context.Background(), store.UserFilter{})
	if err != nil {
		a.t.Fatal(err)
	}
	return total
}

// enrolledClient signs in a new trainee enrolled in the course's default cohort, reading in lang.
func (a *testApp) enrolledClient(email string, courseID int64, lang string) *client {
	a.t.Helper()
	u := a.user(email, courses.RoleTrainee)
	ctx := context.Background()
	cohorts, err := a.Store.Cohorts(ctx, courseID)
	if err != nil || len(cohorts) == 0 {
		a.t.Fatalf("cohorts: %v", err)
	}
	if _, err := a.Store.Enrol(ctx, u.ID, cohorts[0].ID, "", time.Now()); err != nil {
		a.t.Fatal(err)
	}
	c := a.client(lang)
	c.mustLogin(email)
	if lang != "" && lang != "es" {
		c.post("/language", url.Values{"lang": {lang}, "next": {"/"}})
	}
	return c
}

func (a *testApp) mustUser(email string) courses.User {
	a.t.Helper()
	u, err := a.Store.UserByEmail(context.Background(), email)
	if err != nil {
		a.t.Fatal(err)
	}
	return u
}

// lastEmail returns the newest email of the outbox to the address, or fails the test.
func (a *testApp) lastEmail(to string) store.OutboxEmail {
	a.t.Helper()
	list, _, _, err := a.Store.Outbox(context.Background(), store.OutboxFilter{To: to})
	if err != nil {
		a.t.Fatal(err)
	}
	for _, e := range list {
		if strings.EqualFold(e.To, to) {
			return e
		}
	}
	a.t.Fatalf("no email to %s in the outbox", to)
	return store.OutboxEmail{}
}

// waitEmails waits until the outbox holds n emails to the address (a worker writes some),
// and returns the newest.
func (a *testApp) waitEmails(to string, n int) store.OutboxEmail {
	a.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		_, total, _, err := a.Store.Outbox(context.Background(), store.OutboxFilter{To: to})
		if err != nil {
			a.t.Fatal(err)
		}
		if total >= n {
			return a.lastEmail(to)
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("%d emails to %s, want %d", total, to, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// storeFilterAll is the whole outbox.
var storeFilterAll = store.OutboxFilter{}

// anEmail puts an email in the outbox and returns its id.
func (a *testApp) anEmail() int64 {
	a.t.Helper()
	to := fmt.Sprintf("someone-%d@example.org", time.Now().UnixNano())
	if err := a.Store.SendEmail(context.Background(), courses.Email{Kind: courses.EmailEnrolled, To: to, Language: "es",
		Data: map[string]string{"Name": "Alguien", "Course": "Curso", "Link": "/courses"}}); err != nil {
		a.t.Fatal(err)
	}
	return a.lastEmail(to).ID
}
