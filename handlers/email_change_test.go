package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aula-school/aula/courses"
)

func confirmToken(t *testing.T, app *testApp, to string) string {
	t.Helper()
	e := app.lastEmail(to)
	m := regexp.MustCompile(`^/email/confirm\?token=([A-Za-z0-9_-]{43})$`).FindStringSubmatch(e.Data["Link"])
	if e.Kind != courses.EmailAddressConfirm || m == nil {
		t.Fatalf("emailed %s to %s with link %q", e.Kind, to, e.Data["Link"])
	}
	return m[1]
}

func TestANewAddressIsUsedOnlyOnceConfirmedFromIt(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ana := app.user("ana@example.org", courses.RoleTrainee)
	c := app.client("en")
	c.mustLogin("ana@example.org")

	for name, form := range map[string]url.Values{
		"wrong password": {"new_email": {"ana.new@example.org"}, "email_password": {"not it"}},
		"same address":   {"new_email": {"ANA@example.org"}, "email_password": {testPassword}},
		"no address":     {"new_email": {"ana"}, "email_password": {testPassword}},
	} {
		if r := c.post("/profile/email", form); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "-error") {
			t.Errorf("%s: %d, want 422 with the field's error", name, r.Status)
		}
	}
	if r := c.post("/profile/email", url.Values{"new_email": {"Ana.New@example.org"}, "email_password": {testPassword}}); r.Status != http.StatusSeeOther {
		t.Fatalf("asking for the change: %d\n%s", r.Status, r.Body)
	}
	if u, _ := app.Store.User(t.Context(), ana.ID); u.Email != "ana@example.org" {
		t.Fatalf("the address changed before it was confirmed: %s", u.Email)
	}
	token := confirmToken(t, app, "ana.new@example.org")

	other := app.client("es") // the link opened elsewhere, signed out
	page := other.get("/email/confirm?token=" + token)
	if page.Status != http.StatusOK || page.Header.Get("Referrer-Policy") != "no-referrer" || !strings.Contains(page.Body, "ana.new@example.org") {
		t.Fatalf("the confirmation page: %d, Referrer-Policy %q", page.Status, page.Header.Get("Referrer-Policy"))
	}
	if u, _ := app.Store.User(t.Context(), ana.ID); u.Email != "ana@example.org" {
		t.Fatal("opening the link changed the address: a mail scanner would confirm it")
	}
	if r := other.post("/email/confirm", url.Values{"token": {token}}); r.Status != http.StatusSeeOther || r.Location != "/login" {
		t.Fatalf("confirming: %d to %s", r.Status, r.Location)
	}
	if u, _ := app.Store.User(t.Context(), ana.ID); u.Email != "ana.new@example.org" {
		t.Fatalf("address %s after confirming", u.Email)
	}
	if e := app.lastEmail("ana@example.org"); e.Kind != courses.EmailAddressChanged || e.Data["NewEmail"] != "ana.new@example.org" {
		t.Errorf("the old address was told %s %v", e.Kind, e.Data)
	}
	if r := other.post("/email/confirm", url.Values{"token": {token}}); r.Status != http.StatusNotFound {
		t.Errorf("the link used twice: %d, want 404", r.Status)
	}
	if r := app.client("es").login("ana.new@example.org", testPassword); r.Status != http.StatusSeeOther {
		t.Errorf("signing in with the new address: %d", r.Status)
	}
}

func TestAnAddressTakenMeanwhileIsNotGivenTwice(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ana := app.user("ana@example.org", courses.RoleTrainee)
	c := app.client("es")
	c.mustLogin("ana@example.org")
	if r := c.post("/profile/email", url.Values{"new_email": {"bruno@example.org"}, "email_password": {testPassword}}); r.Status != http.StatusSeeOther {
		t.Fatalf("asking: %d", r.Status)
	}
	token := confirmToken(t, app, "bruno@example.org")
	app.user("bruno@example.org", courses.RoleTrainee)
	r := c.post("/email/confirm", url.Values{"token": {token}})
	if r.Status != http.StatusConflict || !strings.Contains(r.Body, "ya tiene una cuenta") {
		t.Fatalf("confirming a taken address: %d", r.Status)
	}
	if u, _ := app.Store.User(t.Context(), ana.ID); u.Email != "ana@example.org" {
		t.Errorf("address %s", u.Email)
	}
}

// Someone who learnt the password and asked to move the account to their address loses that
// request when the owner changes the password; and a confirmed move spends the password links
// sent to the old address.
func TestAPasswordChangeCancelsAPendingAddressChangeAndAMoveSpendsOldLinks(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.user("ana@example.org", courses.RoleTrainee)
	intruder := app.client("es")
	intruder.mustLogin("ana@example.org")
	if r := intruder.post("/profile/email", url.Values{"new_email": {"intruso@example.org"}, "email_password": {testPassword}}); r.Status != http.StatusSeeOther {
		t.Fatalf("asking: %d", r.Status)
	}
	stolen := confirmToken(t, app, "intruso@example.org")
	owner := app.client("es")
	owner.mustLogin("ana@example.org")
	if r := owner.post("/profile/password", url.Values{"current_password": {testPassword}, "new_password": {"otra clave distinta y larga"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("changing the password: %d", r.Status)
	}
	if r := app.client("es").post("/email/confirm", url.Values{"token": {stolen}}); r.Status != http.StatusNotFound {
		t.Errorf("the intruder's change after the password changed: %d, want 404", r.Status)
	}

	if r := owner.post("/profile/email", url.Values{"new_email": {"ana.new@example.org"}, "email_password": {"otra clave distinta y larga"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("asking: %d", r.Status)
	}
	move := confirmToken(t, app, "ana.new@example.org")
	oldLink := resetToken(t, app, "ana@example.org")
	if r := owner.post("/email/confirm", url.Values{"token": {move}}); r.Status != http.StatusSeeOther || r.Location != "/profile" {
		t.Fatalf("confirming: %d to %s", r.Status, r.Location)
	}
	if r := app.client("es").get("/password/set?token=" + oldLink); r.Status != http.StatusNotFound {
		t.Errorf("a reset link sent to the old address after the move: %d, want 404", r.Status)
	}
}
