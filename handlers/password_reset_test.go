package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
)

// resetToken asks for a reset of email and returns the token of the link it was sent.
func resetToken(t *testing.T, app *testApp, email string) string {
	t.Helper()
	app.workJobs()
	_, before, _, err := app.Store.Outbox(t.Context(), store.OutboxFilter{To: email})
	if err != nil {
		t.Fatal(err)
	}
	if r := app.client("es").post("/password/forgot", url.Values{"email": {email}}); r.Status != http.StatusSeeOther {
		t.Fatalf("forgot password: %d\n%s", r.Status, r.Body)
	}
	e := app.waitEmails(email, before+1)
	m := regexp.MustCompile(`^/password/set\?token=([A-Za-z0-9_-]{43})$`).FindStringSubmatch(e.Data["Link"])
	if e.Kind != courses.EmailPasswordReset || m == nil {
		t.Fatalf("emailed %s with link %q", e.Kind, e.Data["Link"])
	}
	return m[1]
}

func TestForgotPasswordAnswersTheSameForKnownAndUnknownAddresses(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.user("ana@example.org", courses.RoleTrainee)
	app.workJobs()
	known := app.client("en")
	unknown := app.client("en")
	a := known.post("/password/forgot", url.Values{"email": {"ANA@example.org"}})
	b := unknown.post("/password/forgot", url.Values{"email": {"nadie@example.org"}})
	if a.Status != http.StatusSeeOther || b.Status != a.Status || a.Location != b.Location {
		t.Fatalf("known: %d to %s; unknown: %d to %s", a.Status, a.Location, b.Status, b.Location)
	}
	pa, pb := known.get(a.Location).Body, unknown.get(b.Location).Body
	if !strings.Contains(pa, "If an account uses that address") || pa != pb {
		t.Error("the pages after a known and an unknown address differ, or say nothing")
	}
	if e := app.waitEmails("ana@example.org", 1); e.Language != "es" {
		t.Errorf("Ana's email is in %s, not her language", e.Language)
	}
	time.Sleep(300 * time.Millisecond) // the worker had time for the unknown address too
	if _, total, _, err := app.Store.Outbox(t.Context(), storeFilterAll); err != nil || total != 1 {
		t.Fatalf("%d emails (%v), want one, to Ana", total, err)
	}
	if r := known.post("/password/forgot", url.Values{"email": {"no es una dirección"}}); r.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.Body, `id="email-error"`) {
		t.Errorf("a bad address: %d, want 422 with the field's error", r.Status)
	}
}

func TestARecoveryLinkIsSingleUseExpiresInAnHourAndDiesWithAPasswordChange(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.user("ana@example.org", courses.RoleTrainee)
	other := app.client("es")
	other.mustLogin("ana@example.org")

	token := resetToken(t, app, "ana@example.org")
	c := app.client("es")
	page := c.get("/password/set?token=" + token)
	if page.Status != http.StatusOK || page.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("the link's page: %d, Referrer-Policy %q", page.Status, page.Header.Get("Referrer-Policy"))
	}
	if r := c.post("/password/set", url.Values{"token": {token}, "password": {"una clave nueva y larga"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("using the link: %d", r.Status)
	}
	if r := other.get("/profile"); r.Status != http.StatusSeeOther {
		t.Errorf("another sign-in of the account survived the new password: %d", r.Status)
	}
	if r := app.client("es").get("/password/set?token=" + token); r.Status != http.StatusNotFound {
		t.Errorf("the link used twice: %d, want 404", r.Status)
	}

	late := resetToken(t, app, "ana@example.org")
	app.Clock.Advance(61 * time.Minute)
	if r := app.client("es").get("/password/set?token=" + late); r.Status != http.StatusNotFound {
		t.Errorf("a link after an hour: %d, want 404", r.Status)
	}

	changed := resetToken(t, app, "ana@example.org")
	signedIn := app.client("es")
	if r := signedIn.login("ana@example.org", "una clave nueva y larga"); r.Status != http.StatusSeeOther {
		t.Fatalf("sign in with the new password: %d", r.Status)
	}
	if r := signedIn.post("/profile/password", url.Values{"current_password": {"una clave nueva y larga"},
		"new_password": {"otra clave distinta y larga"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("changing the password on the profile: %d\n%s", r.Status, r.Body)
	}
	if r := app.client("es").get("/password/set?token=" + changed); r.Status != http.StatusNotFound {
		t.Errorf("a link after the password changed: %d, want 404", r.Status)
	}
}

func TestForgotPasswordIsLimitedPerEmailAddress(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.user("ana@example.org", courses.RoleTrainee)
	app.workJobs()
	for i := range 4 {
		// From different clients: the limit is the mailbox's, not the browser's.
		r := app.client("es").post("/password/forgot", url.Values{"email": {"ana@example.org"}})
		want := http.StatusSeeOther
		if i == 3 {
			want = http.StatusTooManyRequests
		}
		if r.Status != want {
			t.Fatalf("request %d: %d, want %d", i+1, r.Status, want)
		}
	}
	app.waitEmails("ana@example.org", 3)
	time.Sleep(300 * time.Millisecond)
	if _, total, _, _ := app.Store.Outbox(t.Context(), storeFilterAll); total != 3 {
		t.Errorf("%d emails, want 3", total)
	}
}
