package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
	"github.com/jmoiron/sqlx"
)

func envWith(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func TestConfigErrorsNameTheBadVariable(t *testing.T) {
	tests := map[string]string{
		"AULA_ADDR":                       "8080",
		"AULA_BASE_URL":                   "ftp://aula",
		"DATABASE_URL":                    "mysql://x",
		"REDIS_URL":                       "localhost:6379",
		"AULA_SIGNIN_IDLE_TIMEOUT":        "forever",
		"AULA_SIGNIN_MAX_AGE":             "10s",
		"AULA_TRUSTED_PROXIES":            "10.0.0.1,not-a-proxy",
		"AULA_LOGIN_ATTEMPTS_PER_ACCOUNT": "0",
		"AULA_LOGIN_ATTEMPTS_PER_IP":      "many",
		"AULA_LOG_LEVEL":                  "loud",
		"AULA_METRICS_ADDR":               "9090",
		"AULA_TWO_FACTOR_REQUIRED":        "everyone",
	}
	for name, value := range tests {
		_, err := loadConfig(envWith(map[string]string{name: value}))
		if err == nil || !strings.Contains(err.Error(), name+"=") {
			t.Errorf("%s=%q: error %v does not name the variable", name, value, err)
		}
	}
	if _, err := loadConfig(envWith(map[string]string{"AULA_SIGNIN_IDLE_TIMEOUT": "24h", "AULA_SIGNIN_MAX_AGE": "1h"})); err == nil {
		t.Error("idle timeout longer than the absolute one accepted")
	}
	cfg, err := loadConfig(envWith(nil))
	if err != nil || cfg.Addr != "localhost:8080" || cfg.SignInIdle != 2*time.Hour || cfg.TwoFactorRequired != courses.TwoFactorAdmins {
		t.Fatalf("defaults: %+v, %v", cfg, err)
	}
	cfg, _ = loadConfig(envWith(map[string]string{"AULA_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.2"}))
	if len(cfg.TrustedProxies) != 2 {
		t.Fatalf("trusted proxies: %v", cfg.TrustedProxies)
	}
}

func testEnv(t *testing.T, dbURL string) func(string) string {
	_, prefix := storetest.Redis(t)
	return envWith(map[string]string{
		"DATABASE_URL": dbURL, "REDIS_URL": os.Getenv("REDIS_URL"), "AULA_REDIS_PREFIX": prefix, "AULA_ADDR": "127.0.0.1:0",
		"AULA_METRICS_ADDR": "127.0.0.1:0", "AULA_LOG_LEVEL": "error",
		"AULA_SECRET_KEY": base64.StdEncoding.EncodeToString(storetest.Secret),
	})
}

func TestServeRefusesOutOfDateSchemaAndSaysWhatToRun(t *testing.T) {
	env := testEnv(t, storetest.EmptyURL(t))
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"serve"}, env, strings.NewReader(""), &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "aula migrate") {
		t.Fatalf("serve on an empty database: %v", err)
	}
	if err := run(context.Background(), []string{"migrate"}, env, nil, &out, &errOut); err != nil {
		t.Fatal(err)
	}
}

// syncBuffer lets the test read what serve prints while serve is still running.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestServeAnswersThenShutsDownGracefully(t *testing.T) {
	env := testEnv(t, storetest.URL(t))
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, env, nil, &out, &errOut) }()
	var addr string
	for i := 0; i < 100 && addr == ""; i++ {
		time.Sleep(50 * time.Millisecond)
		if m := regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`).FindStringSubmatch(out.String()); m != nil {
			addr = m[1]
		}
	}
	if addr == "" {
		cancel()
		t.Fatalf("serve printed no address: %q %q", out.String(), errOut.String())
	}
	res, err := http.Get("http://" + addr + "/readyz")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("readyz: %v %v", res, err)
	}
	res.Body.Close()
	// Metrics are served on their own address only.
	m := regexp.MustCompile(`Metrics for Prometheus at (http://127\.0\.0\.1:\d+/metrics)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("serve printed no metrics address: %q", out.String())
	}
	if res, err := http.Get(m[1]); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("metrics address: %v %v", res, err)
	} else {
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(body), "aula_http_requests_total") {
			t.Fatalf("metrics: %s", body)
		}
	}
	if res, err := http.Get("http://" + addr + "/metrics"); err != nil || res.StatusCode != http.StatusNotFound {
		t.Fatalf("public /metrics: %v %v", res, err)
	} else {
		res.Body.Close()
	}
	cancel() // what SIGINT or SIGTERM does
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve ended with %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(out.String(), "Aula stopped.") {
		t.Fatalf("output: %q", out.String())
	}
}

func TestUserCreateMakesTheFirstAdmin(t *testing.T) {
	dbURL := storetest.URL(t)
	env := testEnv(t, dbURL)
	var out bytes.Buffer
	err := run(context.Background(), []string{"user", "create", "--role", "admin", "--email", "Directora@Example.org", "--name", "Directora", "--password-stdin"},
		env, strings.NewReader("a long admin password\n"), &out, &out)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u, err := st.Authenticate(context.Background(), "directora@example.org", "a long admin password")
	if err != nil || u.Role != "admin" {
		t.Fatalf("admin: %+v, %v", u, err)
	}
	out.Reset()
	err = run(context.Background(), []string{"user", "create", "--role", "trainee", "--email", "t@example.org", "--name", "T"}, env, nil, &out, &out)
	if err != nil || !regexp.MustCompile(`Password: \S{20}`).MatchString(out.String()) {
		t.Fatalf("generated password: %v %q", err, out.String())
	}
	for _, args := range [][]string{
		{"user", "create", "--role", "king", "--email", "k@example.org", "--name", "K"},
		{"user", "create", "--role", "admin", "--email", "not-an-email", "--name", "K"},
		{"user", "create", "--role", "admin", "--email", "DIRECTORA@example.org", "--name", "Again"},
	} {
		if err := run(context.Background(), args, env, nil, &out, &out); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
	if err := run(context.Background(), []string{"user", "create", "--email", "s@example.org", "--name", "S", "--password-stdin"},
		env, strings.NewReader("short\n"), &out, &out); err == nil {
		t.Error("short password accepted")
	}
}

func TestDemoLoadsTwiceAndPrintsTheAccounts(t *testing.T) {
	dbURL := storetest.URL(t)
	env := testEnv(t, dbURL)
	for i := 0; i < 2; i++ {
		var out bytes.Buffer
		if err := run(context.Background(), []string{"demo"}, env, nil, &out, &out); err != nil {
			t.Fatalf("run %d: %v", i+1, err)
		}
		for _, want := range []string{"admin@aula.example", "instructor@aula.example", "trainee@aula.example", "aula-demo-admin"} {
			if !strings.Contains(out.String(), want) {
				t.Fatalf("output lacks %q:\n%s", want, out.String())
			}
		}
	}
	st, _ := store.Open(context.Background(), dbURL)
	defer st.Close()
	if _, total, _ := st.ListUsers(context.Background(), store.UserFilter{}); total != len(demoUsers)+store.DemoHistory.Users {
		t.Fatalf("%d users after loading twice, want %d and the history's %d", total, len(demoUsers), store.DemoHistory.Users)
	}
	if _, err := st.Authenticate(context.Background(), "admin@aula.example", "aula-demo-admin"); err != nil {
		t.Fatal(err)
	}
	list, total, err := st.Catalog(context.Background(), store.CatalogFilter{Limit: 100})
	if err != nil || total < 8 || len(list) != total {
		t.Fatalf("catalog after loading twice: %d courses, %v", total, err)
	}
	pt, _, _ := st.Catalog(context.Background(), store.CatalogFilter{Language: "pt"})
	if len(pt) < 1 {
		t.Fatal("no course in Portuguese in the demo catalog")
	}

	// The demo trainee passed the first module's quiz and is two answers into the second's,
	// once each however often the demo is loaded.
	ctx := context.Background()
	// One valid certificate for the demo trainee, one revoked for another, however often loaded.
	storetest.UseSigningKeys(t, st)
	for email, want := range map[string]courses.CertificateStatus{"trainee@aula.example": courses.CertificateValid, "patricia@aula.example": courses.CertificateRevoked} {
		u, _ := st.UserByEmail(ctx, email)
		list, err := st.HolderCertificates(ctx, u.ID)
		if err != nil || len(list) != 1 || list[0].Status(st.PublicKey(list[0].KeyID), time.Now()) != want {
			t.Fatalf("%s's certificates after loading twice: %+v %v", email, list, err)
		}
		if want == courses.CertificateRevoked && list[0].RevokedReason != demoRevocation {
			t.Fatalf("revoked with %q", list[0].RevokedReason)
		}
	}
	general, _ := st.CourseBySlug(ctx, "citizen-security-human-development")
	trainee, _ := st.UserByEmail(ctx, "trainee@aula.example")
	quizzes, err := st.Quizzes(ctx, general.ID)
	if err != nil || len(quizzes) != 3 {
		t.Fatalf("quizzes of the general course: %d, %v", len(quizzes), err)
	}
	passed, _ := st.QuizPage(ctx, general.ID, quizzes[0].ID, trainee.ID)
	if len(passed.Attempts) != 1 || !passed.Attempts[0].Finished() || !passed.Attempts[0].Passed {
		t.Errorf("first quiz's attempts: %+v", passed.Attempts)
	}
	begun, _ := st.QuizPage(ctx, general.ID, quizzes[1].ID, trainee.ID)
	if len(begun.Attempts) != 1 || begun.Attempts[0].Finished() {
		t.Fatalf("second quiz's attempts: %+v", begun.Attempts)
	}
	a, err := st.Attempt(ctx, trainee.ID, begun.Attempts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	saved := 0
	for _, s := range a.Slots {
		if s.Response != nil {
			saved++
		}
	}
	if saved != 2 {
		t.Errorf("%d answers saved in the attempt in progress, want 2", saved)
	}
}

func TestCourseImportFromAFolderAndExportToAZip(t *testing.T) {
	env := testEnv(t, storetest.URL(t))
	var out bytes.Buffer
	ctx := context.Background()
	if err := run(ctx, []string{"user", "create", "--role", "instructor", "--email", "i@example.org", "--name", "I"}, env, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"course", "import", "../../courses/catalog/small-arms-control", "--owner", "i@example.org", "--publish"}, env, nil, &out, &out); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	zipPath := t.TempDir() + "/small-arms-control.zip"
	if err := run(ctx, []string{"course", "export", "small-arms-control", zipPath}, env, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"course", "import", zipPath, "--owner", "i@example.org"}, env, nil, &out, &out); err != nil || !strings.Contains(out.String(), "Updated small-arms-control (6 lessons)") {
		t.Fatalf("re-import of the export: %v %q", err, out.String())
	}
	broken := t.TempDir()
	os.WriteFile(broken+"/course.yaml", []byte("slug: x\nlevel: nope\n"), 0o644)
	out.Reset()
	if err := run(ctx, []string{"course", "import", broken, "--owner", "i@example.org"}, env, nil, &out, &out); err == nil || !strings.Contains(out.String(), "course.yaml:2") {
		t.Fatalf("broken folder: %v %q", err, out.String())
	}
}

func TestCertificatesAuditNamesATamperedLogEntry(t *testing.T) {
	dbURL := storetest.URL(t)
	env := testEnv(t, dbURL)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"demo"}, env, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"certificates", "audit"}, env, nil, &out, &out); err != nil || !strings.Contains(out.String(), "Every link of the chain holds") {
		t.Fatalf("audit of the demo: %v\n%s", err, out.String())
	}
	db, err := sqlx.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, _ := db.Begin()
	tx.Exec(`SET LOCAL session_replication_role = replica`) // the table refuses updates otherwise
	if _, err := tx.Exec(`UPDATE certificate_log SET reason = 'nada' WHERE action = 'revoke'`); err != nil {
		t.Fatal(err)
	}
	tx.Commit()
	var seq int
	db.Get(&seq, `SELECT min(seq) FROM certificate_log WHERE action = 'revoke'`) // the demo's, and the history's
	out.Reset()
	err = run(context.Background(), []string{"certificates", "audit"}, env, nil, &out, &out)
	if err == nil || !strings.Contains(out.String(), fmt.Sprintf("First broken: log entry %d: its contents do not match its hash", seq)) {
		t.Fatalf("audit of a tampered log: %v\n%s", err, out.String())
	}
}

func TestDemoHasTwoYearsOfHistoryAndLargeAddsASchoolBesideIt(t *testing.T) {
	dbURL := storetest.URL(t)
	env := testEnv(t, dbURL)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"demo", "--large", "--users", "300", "--enrolments", "600", "--certificates", "100"}, env, nil, &out, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "The large school is generated in") || !strings.Contains(out.String(), "Its history: 360 trainees") {
		t.Fatalf("output:\n%s", out.String())
	}
	db, err := sqlx.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var h struct {
		Users     int `db:"users"`
		Countries int `db:"countries"`
		Sectors   int `db:"sectors"`
		Women     int `db:"women"`
		Months    int `db:"months"`
		Revoked   int `db:"revoked"`
		Recent    int `db:"recent"`
		Large     int `db:"large"`
		Passed    int `db:"passed"`
		Failed    int `db:"failed"`
	}
	// The history's figures are its own trainees' (the large school beside it has the same kinds).
	if err := db.Get(&h, `WITH history AS (SELECT id FROM users WHERE email LIKE '%@history.aula.example')
		SELECT
		(SELECT count(*) FROM users WHERE email LIKE '%@history.aula.example') AS users,
		(SELECT count(DISTINCT country) FROM users WHERE email LIKE '%@history.aula.example') AS countries,
		(SELECT count(DISTINCT sector) FROM users WHERE email LIKE '%@history.aula.example') AS sectors,
		(SELECT count(*) FROM users WHERE email LIKE '%@history.aula.example' AND gender = 'woman') AS women,
		(SELECT count(DISTINCT date_trunc('month', c.issued_at)) FROM certificates c JOIN history h ON h.id = c.user_id) AS months,
		(SELECT count(*) FROM certificates c JOIN history h ON h.id = c.user_id WHERE c.revoked_at IS NOT NULL) AS revoked,
		(SELECT count(DISTINCT e.user_id) FROM enrolments e JOIN history h ON h.id = e.user_id
			WHERE e.last_activity_at > now() - interval '30 days') AS recent,
		(SELECT count(*) FROM users WHERE email LIKE '%@large.aula.example') AS large,
		(SELECT count(*) FROM quiz_attempts a JOIN history h ON h.id = a.user_id WHERE a.passed AND a.started_at < now() - interval '1 day') AS passed,
		(SELECT count(*) FROM quiz_attempts a JOIN history h ON h.id = a.user_id WHERE NOT a.passed AND a.finished_at IS NOT NULL) AS failed`); err != nil {
		t.Fatal(err)
	}
	if h.Users != store.DemoHistory.Users || h.Countries < 10 || h.Sectors != 5 || h.Women < 100 || h.Months < 15 || h.Revoked < 2 ||
		h.Recent < 20 || h.Large != 300 || h.Passed < 30 || h.Failed < 10 {
		t.Fatalf("the demo's history: %+v", h)
	}
	out.Reset()
	if err := run(context.Background(), []string{"certificates", "audit"}, env, nil, &out, &out); err != nil {
		t.Fatalf("audit of the demo with its history: %v\n%s", err, out.String())
	}
	if err := run(context.Background(), []string{"demo", "--lage"}, env, nil, &out, &out); !errors.Is(err, errUsage) {
		t.Fatalf("a mistyped flag: %v", err)
	}
}
