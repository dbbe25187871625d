package handlers_test

import (
	"strings"
	"testing"

	"github.com/aula-school/aula/courses"
	"github.com/chromedp/chromedp"
)

// TestBrowserAdministratorFiltersTheDashboardAndAnyoneOpensTheImpactPage: an administrator
// opens the dashboard, filters it by sector and gender, sees the figures, the chart and the
// table change, and fetches the CSV its link gives; signed out, anyone opens the impact page
// with its charts. Every page without an axe violation.
func TestBrowserAdministratorFiltersTheDashboardAndAnyoneOpensTheImpactPage(t *testing.T) {
	app := newTestApp(t, withSuppression(0, 1))
	app.user("admin@example.org", courses.RoleAdmin)
	cc := app.certificateCourse(courses.IssueAuto, "Ana Gómez", "Luis Pérez", "Rosa Díaz") // police, Costa Rica
	if _, err := app.sql(t).Exec(`UPDATE users SET sector = 'media', gender = 'woman', country = 'HN' WHERE id = $1`, cc.Trainees[2].ID); err != nil {
		t.Fatal(err)
	}
	app.refreshReports()
	ctx := browser(t, "es-419")
	login(t, ctx, app, "admin@example.org")
	run(t, ctx, chromedp.Click(chromedp.CSS(`nav a[href="/admin/reports"]`)), chromedp.WaitVisible(chromedp.CSS("#breakdown")))
	if n := text(t, ctx, "#fig-holders"); n != "3" {
		t.Fatalf("professionals trained: %q, want 3", n)
	}
	if rows := text(t, ctx, "#breakdown tbody"); !strings.Contains(rows, "Costa Rica") || !strings.Contains(rows, "Honduras") {
		t.Fatalf("breakdown by country: %q", rows)
	}
	checkAccessibility(t, ctx)

	run(t, ctx, chromedp.SetValue(chromedp.CSS("#sector"), "media"), chromedp.SetValue(chromedp.CSS("#gender"), "woman"),
		chromedp.SetValue(chromedp.CSS("#by"), "sector"), submit(`form.filters`),
		waitText(`//h2[text()="Por sector"]`))
	if n := text(t, ctx, "#fig-holders"); n != "1" {
		t.Fatalf("women in the media trained: %q, want 1", n)
	}
	if rows := text(t, ctx, "#breakdown tbody"); !strings.Contains(rows, "Medios de comunicación") || strings.Contains(rows, "Policía") {
		t.Fatalf("breakdown by sector of women in the media: %q", rows)
	}
	title, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#chart-trained-title").textContent`))
	if err != nil {
		t.Fatal(err)
	}
	bars, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#chart-trained-title ~ g.bar rect").length`))
	if err != nil || title != "Profesionales formados por Sector" || bars != 1 {
		t.Fatalf("chart %q with %d bars, %v", title, bars, err)
	}
	checkAccessibility(t, ctx)
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector('a[href^="/admin/reports.csv"]').href)
		.then(r => r.arrayBuffer().then(b => r.status + " " + r.headers.get("Content-Type") + " " + Array.from(new Uint8Array(b.slice(0, 3))).join(",")
			+ " " + new TextDecoder().decode(b).split("\r\n")[1]))`, chromedp.EvalAwaitPromise))
	if err != nil || !strings.HasPrefix(got, "200 text/csv; charset=utf-8 239,187,191 Medios de comunicación,1,1,1,1,") {
		t.Fatalf("CSV download: %q %v", got, err)
	}
	logout(t, ctx)

	run(t, ctx, chromedp.Click(chromedp.CSS(`footer a[href="/impact"]`)), chromedp.WaitVisible(chromedp.CSS("#impact-trained")))
	charts, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.chart[role=img] title + desc").length`))
	if n := text(t, ctx, "#impact-trained"); n != "3" || err != nil || charts != 3 {
		t.Fatalf("impact page: %q trained, %d charts (%v)", n, charts, err)
	}
	checkAccessibility(t, ctx)
}
