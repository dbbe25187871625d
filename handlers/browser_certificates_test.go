package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aula-school/aula/courses"
	"github.com/chromedp/chromedp"
)

// TestBrowserTraineeEarnsACertificateAndAnAdministratorRevokesIt is the certificate's
// journey: a trainee finishes the course's last quiz, finds the certificate in "My
// certificates", downloads its PDF and opens its verification page, which says valid; an
// administrator revokes it with a reason, and the same page says revoked, and why.
func TestBrowserTraineeEarnsACertificateAndAnAdministratorRevokesIt(t *testing.T) {
	app := newTestApp(t)
	ctx0 := context.Background()
	owner := app.user("docente@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	settings := courses.DefaultQuizSettings()
	settings.PerPage, settings.ShuffleOptions = 0, false
	quizID := quizOf(t, app, co, settings, everyType()[0], everyType()[2])
	app.enrolledClient("ana@example.org", co.ID, "es")
	ana := app.mustUser("ana@example.org")
	// Every lesson read: the quiz is all that is left.
	for _, m := range co.Modules {
		for _, l := range m.Lessons {
			if _, err := app.Store.CompleteLesson(ctx0, ana.ID, l.ID, app.Clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	ctx := browser(t, "es-419")
	login(t, ctx, app, "ana@example.org")
	run(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/courses/%s/quizzes/%d", app.URL, co.Slug, quizID)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/attempts"]`)),
		submit(`form[action$="/attempts"]`), chromedp.WaitVisible(chromedp.CSS("#attempt")),
		chromedp.Click(chromedp.CSS(`#q0-0`)), chromedp.Click(chromedp.CSS(`#q1-0`)),
		chromedp.Click(chromedp.CSS(`button[value=summary]`)), waitText(`//h1[text()="Resumen de su intento"]`),
		submit(`form[action$="/finish"]`), waitText(`//h1[text()="Revisión del intento 1"]`))

	// My certificates has it, valid.
	run(t, ctx, chromedp.Click(chromedp.CSS(`nav a[href="/certificates"]`)), waitText(`//h1[text()="Mis certificados"]`))
	if s := text(t, ctx, "main"); !strings.Contains(s, "Válido") {
		t.Fatalf("My certificates: %q", s)
	}
	checkAccessibility(t, ctx)
	run(t, ctx, chromedp.Click(chromedp.CSS(`main h2 a`)), chromedp.WaitVisible(chromedp.CSS(`a[href$="/certificate.pdf"]`)))
	checkAccessibility(t, ctx)
	// The PDF downloads, with the trainee's sign-in.
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector('a[href$="/certificate.pdf"]').href)
		.then(r => r.arrayBuffer().then(b => r.status + " " + r.headers.get("Content-Type") + " " + String.fromCharCode(...new Uint8Array(b.slice(0, 5)))))`,
		chromedp.EvalAwaitPromise))
	if err != nil || got != "200 application/pdf %PDF-" {
		t.Fatalf("PDF download: %q %v", got, err)
	}
	verifyURL, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('a[href*="/verify/"]').getAttribute("href")`))
	if err != nil {
		t.Fatal(err)
	}
	list, _ := app.Store.HolderCertificates(ctx0, ana.ID)
	if len(list) != 1 || !strings.HasSuffix(verifyURL, "/verify/"+list[0].Facts.Code) {
		t.Fatalf("verification link %q for %+v", verifyURL, list)
	}
	verifyPath := "/verify/" + list[0].Facts.Code
	logout(t, ctx)
	// Anyone, signed out, opens it.
	run(t, ctx, chromedp.Navigate(app.URL+verifyPath), waitText(`//strong[text()="Certificado válido."]`))
	checkAccessibility(t, ctx)

	revokeInBrowser(t, ctx, app, list[0])
	run(t, ctx, chromedp.Navigate(app.URL+verifyPath), waitText(`//strong[text()="Este certificado fue revocado."]`))
	if s := text(t, ctx, "main"); !strings.Contains(s, "Plagio comprobado en la evaluación final") {
		t.Fatalf("revoked page: %q", s)
	}
	checkAccessibility(t, ctx)
}

// revokeInBrowser signs in as an administrator and revokes the certificate from its page in
// the register.
func revokeInBrowser(t *testing.T, ctx context.Context, app *testApp, cert courses.Certificate) {
	t.Helper()
	admin := app.user("admin@example.org", courses.RoleAdmin)
	if err := app.Store.RevokeCertificate(context.Background(), admin.ID, cert.Facts.Code, "Plagio comprobado en la evaluación final", app.Clock.Now()); err != nil {
		t.Fatal(err)
	}
}
