package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A signed-in page knows who asks from the user's row kept with the sign-in, and sends no
// statement for it; a change of the profile, the language or the address, made on one device,
// shows on the next page of every other device of the account.
func TestAChangeOfTheUsersRowShowsOnEveryDeviceThoughTheRowIsKept(t *testing.T) {
	app := newTestApp(t)
	u := app.user("rosa@example.org", "trainee")
	phone, laptop := app.client("es"), app.client("es")
	phone.mustLogin(u.Email)
	laptop.mustLogin(u.Email)
	statements := func(c *client, path string) (int64, response) {
		t.Helper()
		before := app.Store.Statements()
		r := c.get(path)
		if r.Status != http.StatusOK {
			t.Fatalf("%s: status %d\n%s", path, r.Status, r.Body)
		}
		return app.Store.Statements() - before, r
	}
	first, _ := statements(laptop, "/")
	again, r := statements(laptop, "/")
	if again != first-1 {
		t.Errorf("The home page sent %d statements, then %d: want one less, the user's row kept with the sign-in", first, again)
	}
	if !strings.Contains(r.Body, "Test rosa@example.org") {
		t.Fatalf("the page does not name its reader:\n%s", r.Body)
	}

	// On the phone: a new name, then English.
	if r := phone.post("/profile", url.Values{"full_name": {"Rosa Amaya"}, "country": {"SV"}, "institution": {"PNC"},
		"sector": {"police"}, "language": {"es"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("profile: status %d\n%s", r.Status, r.Body)
	}
	n, r := statements(laptop, "/")
	if !strings.Contains(r.Body, "Rosa Amaya") || n != first {
		t.Errorf("the laptop after the phone's new name: %d statements (want %d, the row read anew), named Rosa Amaya: %v",
			n, first, strings.Contains(r.Body, "Rosa Amaya"))
	}
	if r := phone.post("/language", url.Values{"lang": {"en"}, "next": {"/"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("language: status %d", r.Status)
	}
	if _, r := statements(laptop, "/"); !strings.Contains(r.Body, `<html lang="en">`) {
		t.Errorf("the laptop is not in the English the phone chose:\n%.300s", r.Body)
	}
	if n, _ := statements(laptop, "/"); n != again {
		t.Errorf("the row read anew was not kept again: %d statements, want %d", n, again)
	}

	// A new address, confirmed from its link opened elsewhere, signed out, shows on both.
	if r := phone.post("/profile/email", url.Values{"new_email": {"rosa.amaya@example.org"}, "email_password": {testPassword}}); r.Status != http.StatusSeeOther {
		t.Fatalf("asking for the change: %d\n%s", r.Status, r.Body)
	}
	token := confirmToken(t, app, "rosa.amaya@example.org")
	if r := app.client("es").post("/email/confirm", url.Values{"token": {token}}); r.Status != http.StatusSeeOther {
		t.Fatalf("confirm: status %d\n%s", r.Status, r.Body)
	}
	for _, c := range []*client{phone, laptop} {
		if _, r := statements(c, "/profile"); !strings.Contains(r.Body, "rosa.amaya@example.org") {
			t.Errorf("a device still shows the old address after its change")
		}
	}
}
