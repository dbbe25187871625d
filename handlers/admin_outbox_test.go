package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aula-school/aula/courses"
)

func TestTheOutboxShowsEachEmailWithItsLink(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.user("admin@example.org", courses.RoleAdmin)
	ana := app.user("ana@example.org", courses.RoleTrainee)
	admin := app.client("es") // the admin reads Spanish, their profile's language
	admin.mustLogin("admin@example.org")
	if r := admin.post(fmt.Sprintf("/admin/users/%d/password-link", ana.ID), nil); r.Status != http.StatusSeeOther {
		t.Fatalf("password link: %d", r.Status)
	}
	e := app.lastEmail("ana@example.org")

	list := admin.get("/admin/outbox")
	if list.Status != http.StatusOK || !strings.Contains(list.Body, "ana@example.org") || !strings.Contains(list.Body, "No hay un servidor de correo configurado") {
		t.Fatalf("outbox: %d", list.Status)
	}
	if r := admin.get("/admin/outbox?status=lost"); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Elija un estado de la lista.") {
		t.Errorf("a bad status: %d", r.Status)
	}
	if r := admin.get("/admin/outbox?kind=" + string(courses.EmailEnrolled)); strings.Contains(r.Body, "ana@example.org") {
		t.Error("the kind filter kept another kind")
	}

	page := admin.get(fmt.Sprintf("/admin/outbox/%d", e.ID))
	link := "http://localhost:8080" + e.Data["Link"]
	if page.Status != http.StatusOK || !strings.Contains(page.Body, `href="`+strings.ReplaceAll(link, "&", "&amp;")+`"`) {
		t.Fatalf("the email's page: %d, no link %s", page.Status, link)
	}
	// Not sent by a worker yet, it is shown as it will be: in Ana's language, Spanish.
	if !strings.Contains(page.Body, "Elija su contraseña") || !strings.Contains(page.Body, "Aún no se procesó") {
		t.Error("the preview is not the Spanish email")
	}
	html := admin.get(fmt.Sprintf("/admin/outbox/%d/html", e.ID))
	if !strings.HasPrefix(html.Header.Get("Content-Security-Policy"), "sandbox") || !strings.Contains(html.Body, `lang="es"`) {
		t.Errorf("the HTML version: CSP %q", html.Header.Get("Content-Security-Policy"))
	}
	if r := admin.get(fmt.Sprintf("/admin/outbox/%d/attachment", e.ID)); r.Status != http.StatusNotFound {
		t.Errorf("an email without attachment: %d, want 404", r.Status)
	}
	if r := admin.post(fmt.Sprintf("/admin/outbox/%d/retry", e.ID), nil); r.Status != http.StatusSeeOther ||
		!strings.Contains(admin.get(r.Location).Body, "Solo se reintenta un correo fallido.") {
		t.Errorf("retrying a queued email: %d", r.Status)
	}
	if r := admin.get("/admin/outbox/999999"); r.Status != http.StatusNotFound {
		t.Errorf("an unknown email: %d", r.Status)
	}
}

func TestRenderEmailMakesTextAndHTMLInTheRecipientsLanguage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t, withBaseURL("https://aula.example.org/"))
	for _, tc := range []struct {
		lang, footer string
	}{
		{"es", "Puede desactivarlo en su perfil: https://aula.example.org/profile/notifications"},
		{"pt", "Pode desativá-lo no seu perfil: https://aula.example.org/profile/notifications"},
	} {
		m, err := app.App.RenderEmail(courses.Email{Kind: courses.EmailPasswordReset, Language: tc.lang,
			Data: map[string]string{"Name": "Ana <b>", "Link": "/password/set?token=abc"}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(m.Text, "https://aula.example.org/password/set?token=abc") || !strings.Contains(m.Text, "Ana <b>") {
			t.Errorf("%s text:\n%s", tc.lang, m.Text)
		}
		if !strings.Contains(m.HTML, `href="https://aula.example.org/password/set?token=abc"`) || strings.Contains(m.HTML, "Ana <b>") {
			t.Errorf("%s HTML: no link, or the name not escaped:\n%s", tc.lang, m.HTML)
		}
		optional, err := app.App.RenderEmail(courses.Email{Kind: courses.EmailCertificateIssued, Language: tc.lang, Data: map[string]string{"Name": "Ana"}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(optional.Text, tc.footer) {
			t.Errorf("%s: an optional email does not say where to turn it off:\n%s", tc.lang, optional.Text)
		}
	}
	if _, err := app.App.RenderEmail(courses.Email{Kind: courses.EmailPasswordReset, Data: map[string]string{"Link": "https://evil.example/"}}); err == nil {
		t.Error("a link outside Aula was rendered")
	}
}

// With a mail server, a one-time link belongs in its recipient's mailbox: an admin who sends
// someone a new link cannot read it off the outbox (and so cannot take the account over).
func TestTheOutboxHidesOneTimeLinksWhenEmailIsSent(t *testing.T) {
	t.Parallel()
	app := newTestApp(t, withSending())
	app.user("admin@example.org", courses.RoleAdmin)
	ana := app.user("ana@example.org", courses.RoleTrainee)
	admin := app.client("es")
	admin.mustLogin("admin@example.org")
	if r := admin.post(fmt.Sprintf("/admin/users/%d/password-link", ana.ID), nil); r.Status != http.StatusSeeOther {
		t.Fatalf("password link: %d", r.Status)
	}
	e := app.lastEmail("ana@example.org")
	page := admin.get(fmt.Sprintf("/admin/outbox/%d", e.ID))
	if page.Status != http.StatusOK || strings.Contains(page.Body, "token=") || !strings.Contains(page.Body, "solo lo ve su destinatario") {
		t.Fatalf("the email's page shows the link: %d", page.Status)
	}
	if r := admin.get(fmt.Sprintf("/admin/outbox/%d/html", e.ID)); r.Status != http.StatusNotFound {
		t.Errorf("the HTML version: %d, want 404", r.Status)
	}
	other := app.anEmail() // no one-time link: shown
	if r := admin.get(fmt.Sprintf("/admin/outbox/%d", other)); !strings.Contains(r.Body, "http://localhost:8080/courses") {
		t.Error("an email without a one-time link is hidden too")
	}
}

func TestEveryEmailKindHasItsWordsInEveryLanguage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	for _, k := range courses.EmailKinds {
		for _, lang := range []string{"es", "en", "pt"} {
			data := map[string]string{"Name": "Ana", "Link": "/", "SessionID": "1", "StartsAt": "2027-03-02T15:00:00Z", "Minutes": "120"}
			if k == courses.EmailAddressChanged {
				delete(data, "Link") // the one email without a link to follow
			}
			m, err := app.App.RenderEmail(courses.Email{Kind: k, Language: lang, Data: data})
			if err != nil {
				t.Fatalf("%s in %s: %v", k, lang, err)
			}
			// (Values this test does not give show as "<no value>": each kind's own tests give them.)
			if strings.Contains(m.Subject, "email.") || strings.Contains(m.Text, "email."+string(k)) || strings.Contains(m.Text, "notifications.group.") {
				t.Errorf("%s in %s: a key is missing:\n%s\n%s", k, lang, m.Subject, m.Text)
			}
		}
	}
}
