package handlers_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aula-school/aula/courses"
	"github.com/chromedp/chromedp"
)

// A trainee comes back to Aula on a phone: the home page resumes the lesson last read, a
// profile field that is far too long is answered next to the field, and while Redis is
// away the page explains the outage in their language; when it is back, they read on.
func TestBrowserTraineeResumesIsToldOfBadInputAndOfAnOutage(t *testing.T) {
	app := newTestApp(t, withOutages())
	owner := app.user("docente@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	app.enrolledClient("ana@example.org", co.ID, "es").get(fmt.Sprintf("/courses/%s/lessons/%d", co.Slug, co.Modules[1].Lessons[0].ID))
	lesson := co.Modules[1].Lessons[0].Texts["es"].Title
	ctx := browser(t, "es-419")

	login(t, ctx, app, "ana@example.org")
	run(t, ctx, chromedp.Navigate(app.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#resume-heading")))
	if got := text(t, ctx, ".resume .button"); got != lesson {
		t.Fatalf("home page resumes %q, want the lesson last read, %q", got, lesson)
	}
	checkAccessibility(t, ctx)
	run(t, ctx, chromedp.Click(chromedp.CSS(".resume .button")), chromedp.WaitVisible(chromedp.CSS("article h1, main h1")))
	if h := text(t, ctx, "main h1"); !strings.Contains(h, lesson) {
		t.Fatalf("the resume link opened %q", h)
	}

	run(t, ctx, chromedp.Navigate(app.URL+"/profile"), chromedp.WaitVisible(chromedp.CSS("#full_name")),
		chromedp.SetValue(chromedp.CSS("#full_name"), strings.Repeat("Ana ", 300)),
		submit(`form[action="/profile"]`), chromedp.WaitVisible(chromedp.CSS("#full_name-error")))
	checkAccessibility(t, ctx)

	app.RedisServer.Stop()
	run(t, ctx, chromedp.Navigate(app.URL+"/learning"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if body := text(t, ctx, "main"); !strings.Contains(body, "No se ha perdido nada de lo que guardó") {
		t.Fatalf("outage page: %q", body)
	}
	checkAccessibility(t, ctx)
	app.RedisServer.Start()
	run(t, ctx, chromedp.Navigate(app.URL+"/learning"), chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)))
}
