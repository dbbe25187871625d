package handlers_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/aula-school/aula/courses"
	"github.com/chromedp/chromedp"
)

// An instructor opens their course's report from the editor's navigation, narrows it to a
// cohort, and is refused another instructor's report: every page with zero axe-core violations.
func TestBrowserInstructorReadsTheirCourseReportAndIsRefusedAnothers(t *testing.T) {
	app := newTestApp(t)
	owner := app.user("docente@example.org", courses.RoleInstructor)
	other := app.user("otra@example.org", courses.RoleInstructor)
	co, sede := reportCourse(t, app, owner)
	otherCourse, err := app.Store.CreateCourse(context.Background(), other.ID, courses.Course{Slug: "otro-curso",
		Audiences: []courses.Audience{courses.AudiencePolice}, Level: courses.LevelIntroductory, Hours: 2, DefaultLanguage: "es",
		Texts: map[string]courses.CourseText{"es": {Title: "Otro curso"}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := browser(t, "es-419")
	login(t, ctx, app, "docente@example.org")

	run(t, ctx, chromedp.Navigate(app.URL+courseURLOf(co.ID)), chromedp.WaitVisible(chromedp.CSS(`nav.subnav a[href$="/report"]`)),
		chromedp.Click(chromedp.CSS(`nav.subnav a[href$="/report"]`)), chromedp.WaitVisible(chromedp.CSS("#enrolments")))
	if p := text(t, ctx, "main"); !strings.Contains(p, "Inscripciones por estado") || !strings.Contains(p, "Sede central") ||
		!strings.Contains(p, `=HYPERLINK("http://x")`) {
		t.Fatalf("report: %q", p)
	}
	checkAccessibility(t, ctx)

	// The in-person cohort alone, chosen in the filter (a plain GET form).
	run(t, ctx, chromedp.SetValue(chromedp.CSS("#cohort"), strconv.FormatInt(sede, 10)), submit(`form.filters`),
		chromedp.WaitReady(chromedp.CSS(`#cohort option[selected][value="`+strconv.FormatInt(sede, 10)+`"]`)))
	if loc := location(t, ctx); !strings.HasSuffix(loc, "/report?cohort="+strconv.FormatInt(sede, 10)) {
		t.Fatalf("filtered at %s", loc)
	}
	checkAccessibility(t, ctx)

	run(t, ctx, chromedp.Navigate(app.URL+courseURLOf(otherCourse)+"/report"), waitText(`//h1[text()="Acceso denegado"]`))
	if p := text(t, ctx, "main"); strings.Contains(p, "Inscripciones") {
		t.Fatalf("another instructor's report shows: %q", p)
	}
	checkAccessibility(t, ctx)
}
