package handlers_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
)

// eventually retries get until it answers want: the pools reconnect on the next request,
// but a connection cut mid-flight may fail one request first.
func (c *client) eventually(path string, want int) response {
	c.app.t.Helper()
	var r response
	for i := 0; i < 20; i++ {
		if r = c.get(path); r.Status == want {
			return r
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.app.t.Fatalf("%s: %d after the server came back, want %d\n%s", path, r.Status, want, r.Body)
	return r
}

func wantUnavailable(t *testing.T, what string, r response, text string) {
	t.Helper()
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" || !strings.Contains(r.Body, text) {
		t.Fatalf("%s: %d Retry-After=%q, want a 503 page saying %q\n%s", what, r.Status, r.Header.Get("Retry-After"), text, r.Body)
	}
}

func TestRedisDownIsA503InTheUsersLanguageAndSignInIsRefused(t *testing.T) {
	t.Parallel()
	app := newTestApp(t, withOutages())
	app.user("ana@example.org", courses.RoleTrainee)
	ana := app.client("en")
	ana.mustLogin("ana@example.org")
	before := ana.get("/learning")
	if before.Status != http.StatusOK {
		t.Fatalf("before: %d", before.Status)
	}
	css := regexp.MustCompile(`href="(/static/[^"]+\.css)"`).FindStringSubmatch(before.Body)
	if css == nil {
		t.Fatal("no stylesheet on the page")
	}

	app.RedisServer.Stop()
	// The outage page keeps its stylesheet, and the process still says it is alive.
	for _, path := range []string{css[1], "/healthz"} {
		if r := ana.get(path); r.Status != http.StatusOK {
			t.Errorf("%s for a signed-in browser with Redis down: %d", path, r.Status)
		}
	}
	// Ana's profile says Spanish; the page is in her language even though her sign-in
	// cannot be read: the 503 page falls back to the browser's language.
	wantUnavailable(t, "signed-in page", ana.get("/learning"), "Nothing you saved is lost")
	visitor := app.client("pt")
	wantUnavailable(t, "sign-in", visitor.login("ana@example.org", testPassword), "Nada do que você salvou foi perdido")
	if r := visitor.get("/readyz"); r.Status != http.StatusServiceUnavailable {
		t.Fatalf("readyz with Redis down: %d", r.Status)
	}

	app.RedisServer.Start()
	ana.eventually("/learning", http.StatusOK)
	if r := visitor.login("ana@example.org", testPassword); r.Status != http.StatusSeeOther {
		t.Fatalf("sign-in after Redis came back: %d", r.Status)
	}
}

func TestPostgreSQLRestartIsA503ThenServiceComesBackByItself(t *testing.T) {
	t.Parallel()
	app := newTestApp(t, withOutages())
	app.user("ana@example.org", courses.RoleTrainee)
	ana := app.client("es")
	ana.mustLogin("ana@example.org")
	if r := ana.get("/courses"); r.Status != http.StatusOK {
		t.Fatalf("before: %d", r.Status)
	}

	app.PostgreSQL.Stop() // every open connection is cut, as a restart does
	wantUnavailable(t, "signed-in page", ana.get("/learning"), "No se ha perdido nada de lo que guardó")
	wantUnavailable(t, "catalog", app.client("en").get("/courses"), "Nothing you saved is lost")

	app.PostgreSQL.Start()
	ana.eventually("/learning", http.StatusOK)
	ana.eventually("/courses", http.StatusOK)
}
