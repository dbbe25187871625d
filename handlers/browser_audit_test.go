package handlers_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aula-school/aula/courses"
	"github.com/chromedp/chromedp"
)

// An admin finds a user with the list's filters, deactivates them, and finds the entry in the
// audit trail, from the user's page and from the menu's search.
func TestBrowserAdminDeactivatesAUserAndFindsItInTheAuditTrail(t *testing.T) {
	app := newTestApp(t)
	app.user("admin@example.org", courses.RoleAdmin)
	ana := app.user("ana@example.org", courses.RoleTrainee)
	app.user("bruno@example.org", courses.RoleInstructor)
	ctx := browser(t, "es-419")
	login(t, ctx, app, "admin@example.org")

	run(t, ctx, chromedp.Click(chromedp.CSS(`nav a[href="/admin/users"]`)), chromedp.WaitVisible(chromedp.CSS("form[role=search]")),
		chromedp.SetValue(chromedp.CSS("#role"), "trainee"), chromedp.SetValue(chromedp.CSS("#country"), "CR"),
		chromedp.SetValue(chromedp.CSS("#status"), "active"), submit("form[role=search]"),
		chromedp.WaitNotPresent(chromedp.Search(`//table//td[contains(., "bruno@example.org")]`)))
	checkAccessibility(t, ctx)
	run(t, ctx, chromedp.Click(chromedp.Search(`//table//a[contains(., "Test ana@example.org")]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/active"]`)))
	checkAccessibility(t, ctx)
	run(t, ctx, submit(`form[action$="/active"]`), waitText(`//*[contains(., "La cuenta se desactivó")]`))

	run(t, ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="/admin/audit?user=%d"]`, ana.ID))),
		waitText(`//table//td[contains(., "Cuenta desactivada")]`))
	checkAccessibility(t, ctx)
	if row := text(t, ctx, "table tbody tr"); !strings.Contains(row, "ana@example.org") || !strings.Contains(row, "admin@example.org") ||
		!strings.Contains(row, "127.0.0.1") || !strings.Contains(row, "UTC") {
		t.Fatalf("the entry: %q", row)
	}

	run(t, ctx, chromedp.Click(chromedp.CSS(`nav a[href="/admin/audit"]`)), chromedp.WaitVisible(chromedp.CSS("#subject")),
		chromedp.SendKeys(chromedp.CSS("#subject"), "ana@"), chromedp.SetValue(chromedp.CSS("#action"), "user_deactivate"),
		// The option selected by the server, not by the test: the answer's page, not the form's.
		submit("form[role=search]"), chromedp.WaitReady(chromedp.CSS(`#action option[selected][value="user_deactivate"]`)),
		waitText(`//table//td[contains(., "Cuenta desactivada")]`))
	checkAccessibility(t, ctx)
	// A day the date field would not let one type, sent by hand: the error sits beside its field.
	run(t, ctx, chromedp.Navigate(app.URL+"/admin/audit?from=ayer"), chromedp.WaitVisible(chromedp.CSS("#from-error")))
	checkAccessibility(t, ctx)
}
