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
	batch, err := app.Store.StartCertificateBatch(context.Background(), cc.Trainees[0].ID, cc.CohortID)
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
}
