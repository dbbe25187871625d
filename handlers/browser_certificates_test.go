package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
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
		submit(`form[action$="/attempts"]`), chromedp.WaitVisible(chromedp.CSS("#attempt")))
	// Each answer saved as it is given, before leaving the page, as a trainee sees it happen.
	run(t, ctx, chromedp.Click(chromedp.CSS(`#q0-0`)), waitSaved(0), chromedp.Click(chromedp.CSS(`#q1-0`)), waitSaved(1))
	run(t, ctx, chromedp.Click(chromedp.CSS(`button[value=summary]`)), waitText(`//h1[text()="Resumen de su intento"]`))
	run(t, ctx, submit(`form[action$="/finish"]`), waitText(`//h1[text()="Revisión del intento 1"]`))

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
// the register, with a reason.
func revokeInBrowser(t *testing.T, ctx context.Context, app *testApp, cert courses.Certificate) {
	t.Helper()
	app.user("admin@example.org", courses.RoleAdmin)
	login(t, ctx, app, "admin@example.org")
	run(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/admin/certificates/%d", app.URL, cert.ID)), chromedp.WaitVisible(chromedp.CSS("#revoke-reason")),
		chromedp.SendKeys(chromedp.CSS("#revoke-reason"), "Plagio comprobado en la evaluación final"), submit(`form[action$="/revoke"]`),
		waitText(`//*[contains(., "Se revocó el certificado.")]`))
	checkAccessibility(t, ctx)
	logout(t, ctx)
}

func TestBrowserAdminFindsRevokesAndSeesACertificateRevoked(t *testing.T) {
	app := newTestApp(t)
	app.user("admin@example.org", courses.RoleAdmin)
	cc := app.certificateCourse(courses.IssueAuto, "Ana Gómez", "Bruno Díaz")
	ct := cc.issued(t, app, 0)
	ctx := browser(t, "es-419")
	login(t, ctx, app, "admin@example.org")

	run(t, ctx, chromedp.Click(chromedp.CSS(`nav a[href="/admin/certificates"]`)), chromedp.WaitVisible(chromedp.CSS("form[role=search]")))
	checkAccessibility(t, ctx)
	run(t, ctx, chromedp.SendKeys(chromedp.CSS("#q"), "gómez"), submit("form[role=search]"),
		chromedp.WaitNotPresent(chromedp.Search(`//table//a[contains(., "Bruno Díaz")]`)),
		waitText(`//table//a[contains(., "Ana Gómez")]`))
	checkAccessibility(t, ctx)

	run(t, ctx, chromedp.Click(chromedp.Search(`//table//a[contains(., "Ana Gómez")]`)), chromedp.WaitVisible(chromedp.CSS("#revoke-reason")))
	if got := text(t, ctx, "main"); !strings.Contains(got, courses.FormatCode(ct.Facts.Code)) || !strings.Contains(got, "Válido") {
		t.Errorf("detail: %q", got)
	}
	checkAccessibility(t, ctx)

	// Without a reason: the field says so, and nothing changed.
	run(t, ctx, submit(`form[action$="/revoke"]`), chromedp.WaitVisible(chromedp.CSS("#revoke-reason-error")))
	checkAccessibility(t, ctx)
	run(t, ctx, chromedp.SendKeys(chromedp.CSS("#revoke-reason"), "Emitido por error"), submit(`form[action$="/revoke"]`),
		waitText(`//*[contains(., "Se revocó el certificado.")]`))
	if got := text(t, ctx, ".status-line"); !strings.Contains(got, "Revocado") {
		t.Errorf("status after revoking: %q", got)
	}
	if got := text(t, ctx, "main"); !strings.Contains(got, "Emitido por error") {
		t.Errorf("the reason is not shown: %q", got)
	}
	checkAccessibility(t, ctx)
	if after, _ := app.Store.Certificate(context.Background(), ct.ID); after.RevokedReason != "Emitido por error" {
		t.Errorf("stored: %+v", after)
	}

	// The bulk issue's progress page, and the course's certificate settings.
	batch, err := app.Store.StartCertificateBatch(context.Background(), courses.Actor{UserID: cc.Trainees[0].ID}, cc.CohortID)
	if err != nil {
		t.Fatal(err)
	}
	run(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/admin/certificate-batches/%d", app.URL, batch)), chromedp.WaitVisible(chromedp.CSS("progress")))
	checkAccessibility(t, ctx)
	// With JavaScript the page follows the batch in place, and offers the register when done.
	jobs, err := app.Store.StartJobs(context.Background(), store.JobsConfig{PollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer jobs.Stop(context.Background())
	run(t, ctx, waitText(`//strong[contains(., "Terminado")]`), chromedp.WaitVisible(chromedp.CSS(".batch-done-link a")))
	checkAccessibility(t, ctx)
	run(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/teach/courses/%d/certificate", app.URL, cc.ID)), chromedp.WaitVisible(chromedp.CSS("#valid_months")))
	checkAccessibility(t, ctx)
	// The cohort's page, as an administrator sees it: bulk issue and renewal.
	run(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/teach/courses/%d/cohorts/%d", app.URL, cc.ID, cc.CohortID)), chromedp.WaitVisible(chromedp.CSS("#renewal-reason")))
	checkAccessibility(t, ctx)
}
