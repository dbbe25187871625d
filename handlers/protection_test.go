package handlers_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aula-school/aula/courses"
)

func TestCrossOriginPostIsRefused(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.user("ana@example.org", courses.RoleTrainee)
	c := app.client("en")
	c.mustLogin("ana@example.org")
	form := url.Values{"full_name": {"Changed By Evil"}, "country": {"CR"}, "institution": {"X"}, "sector": {"media"}, "language": {"en"}}
	for name, headers := range map[string]map[string]string{
		"Sec-Fetch-Site": {"Sec-Fetch-Site": "cross-site"},
		"Origin":         {"Origin": "https://evil.example"},
	} {
		req, _ := http.NewRequest(http.MethodPost, app.URL+"/profile", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		if r := c.do(req); r.Status != http.StatusForbidden || !strings.Contains(r.Body, "Acceso denegado") {
			t.Errorf("%s: status %d, want 403", name, r.Status)
		}
	}
	// The same post from Aula's own pages goes through.
	req, _ := http.NewRequest(http.MethodPost, app.URL+"/profile", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", app.URL)
	if r := c.do(req); r.Status != http.StatusSeeOther {
		t.Fatalf("same-origin post: %d", r.Status)
	}
	if page := c.get("/profile"); !strings.Contains(page.Body, "Changed By Evil") {
		t.Fatal("same-origin post did not save")
	}
}

func TestSecurityHeadersOnEveryPage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	for _, path := range []string{"/", "/login", "/no-such-page"} {
		r := app.client("es").get(path)
		csp := r.Header.Get("Content-Security-Policy")
		for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP allows inline code", path)
		}
		if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Referrer-Policy") == "" || r.Header.Get("X-Request-ID") == "" {
			t.Errorf("%s: headers %v", path, r.Header)
		}
		if strings.Contains(r.Body, "<script>") || regexp.MustCompile(`\son[a-z]+=`).MatchString(r.Body) {
			t.Errorf("%s: inline script in the page", path)
		}
	}
}

func TestNotFoundPageIsTranslated(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	for lang, title := range map[string]string{"es": "Página no encontrada", "en": "Page not found", "pt": "Página não encontrada"} {
		r := app.client(lang).get("/nowhere")
		if r.Status != http.StatusNotFound || !strings.Contains(r.Body, title) {
			t.Errorf("%s: %d, body lacks %q", lang, r.Status, title)
		}
	}
}

func TestStaticFilesHaveHashedURLsCachedForAYear(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.client("es")
	home := c.get("/")
	m := regexp.MustCompile(`href="(/static/css/aula\.[0-9a-f]{12}\.css)"`).FindStringSubmatch(home.Body)
	if m == nil {
		t.Fatal("no hashed stylesheet URL on the home page")
	}
	r := c.get(m[1])
	if r.Status != http.StatusOK || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("stylesheet: %d %v", r.Status, r.Header)
	}
	if r := c.get("/static/css/aula.000000000000.css"); r.Status != http.StatusNotFound {
		t.Fatalf("a stale hash is served: %d", r.Status)
	}
}

func TestPagesAreGzipped(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	req, _ := http.NewRequest(http.MethodGet, app.URL+"/register", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(zr)
	if !strings.Contains(string(b), "</html>") {
		t.Fatal("gzipped body is not the page")
	}
}

func TestHealthReadinessAndMetrics(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.client("")
	if r := c.get("/healthz"); r.Status != http.StatusOK {
		t.Fatalf("healthz %d", r.Status)
	}
	if r := c.get("/readyz"); r.Status != http.StatusOK {
		t.Fatalf("readyz %d: %s", r.Status, r.Body)
	}
	c.get("/login")
	if r := c.get("/metrics"); r.Status != http.StatusNotFound || strings.Contains(r.Body, "aula_http_requests_total") {
		t.Fatalf("metrics on the public router: %d", r.Status)
	}
	rec := httptest.NewRecorder()
	app.App.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	r := response{Status: rec.Code, Body: rec.Body.String()}
	if r.Status != http.StatusOK || !regexp.MustCompile(`aula_http_requests_total\{method="GET",route="/login",status="200"\} 1`).MatchString(r.Body) ||
		!strings.Contains(r.Body, `aula_http_request_duration_seconds_bucket{method="GET",route="/login"`) {
		t.Fatalf("metrics:\n%s", r.Body)
	}
	// How busy each PostgreSQL pool is: a pool that waits for connections is a school short of them.
	for _, pool := range []string{"primary", "hot", "writes"} {
		if !strings.Contains(r.Body, `go_sql_wait_count_total{db_name="`+pool+`"}`) {
			t.Errorf("metrics without the %s pool's connections", pool)
		}
	}
}

func TestLanguageSwitcherIsRememberedForVisitorsAndInTheProfile(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.user("ana@example.org", courses.RoleTrainee) // profile language: es
	c := app.client("en")
	if r := c.get("/"); !strings.Contains(r.Body, `<html lang="en">`) {
		t.Fatal("Accept-Language not used")
	}
	r := c.post("/language", url.Values{"lang": {"pt"}, "next": {"/login"}})
	if r.Status != http.StatusSeeOther || r.Location != "/login" {
		t.Fatalf("switch: %d %s", r.Status, r.Location)
	}
	if r := c.get("/"); !strings.Contains(r.Body, `<html lang="pt">`) {
		t.Fatal("switcher not remembered over Accept-Language")
	}
	c.mustLogin("ana@example.org")
	if r := c.get("/"); !strings.Contains(r.Body, `<html lang="es">`) {
		t.Fatal("profile language does not come first")
	}
	c.post("/language", url.Values{"lang": {"en"}, "next": {"/"}})
	other := app.client("pt")
	other.mustLogin("ana@example.org")
	if r := other.get("/"); !strings.Contains(r.Body, `<html lang="en">`) {
		t.Fatal("the switch was not saved in the profile")
	}
	if r := c.post("/language", url.Values{"lang": {"fr"}, "next": {"https://evil.example/"}}); r.Location != "/" {
		t.Fatalf("bad switch redirected to %q", r.Location)
	}
	if r := app.client("").get("/"); !strings.Contains(r.Body, `<html lang="es">`) {
		t.Fatal("Spanish is not the default")
	}
}

func TestProfileUpdateAndPasswordChange(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.user("ana@example.org", courses.RoleTrainee)
	c := app.client("en")
	c.mustLogin("ana@example.org")
	other := app.client("en")
	other.mustLogin("ana@example.org")

	r := c.post("/profile", url.Values{"full_name": {""}, "country": {"CR"}, "institution": {"X"}, "sector": {"media"}, "language": {"es"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Escriba su nombre completo.") {
		t.Fatalf("bad profile: %d", r.Status)
	}
	r = c.post("/profile/password", url.Values{"current_password": {"not it at all"}, "new_password": {"a brand new password"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "La contraseña actual no es correcta.") {
		t.Fatalf("wrong current password: %d", r.Status)
	}
	old := c.cookie("aula_signin")
	r = c.post("/profile/password", url.Values{"current_password": {testPassword}, "new_password": {"a brand new password"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("password change: %d", r.Status)
	}
	if c.cookie("aula_signin") == old {
		t.Fatal("session id kept across a password change")
	}
	if r := c.get("/profile"); r.Status != http.StatusOK {
		t.Fatalf("this browser was signed out: %d", r.Status)
	}
	if r := other.get("/profile"); r.Status != http.StatusSeeOther {
		t.Fatalf("the other device is still signed in: %d", r.Status)
	}
}
