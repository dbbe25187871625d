package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
)

// refreshReports makes the reports' copies anew, as the River job does every few minutes.
func (a *testApp) refreshReports() {
	a.t.Helper()
	if err := a.Store.RefreshReports(context.Background(), a.Clock.Now()); err != nil {
		a.t.Fatal(err)
	}
}

func TestReportsAreForAdministratorsOnly(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.user("trainee@example.org", courses.RoleTrainee)
	app.user("teacher@example.org", courses.RoleInstructor)
	admin, _ := adminClient(t, app)
	for _, path := range []string{"/admin/reports", "/admin/reports.csv", "/admin/reports/months.csv"} {
		if r := app.client("es").get(path); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
			t.Errorf("anonymous %s: %d to %q, want the sign-in page", path, r.Status, r.Location)
		}
		for _, email := range []string{"trainee@example.org", "teacher@example.org"} {
			c := app.client("es")
			c.mustLogin(email)
			if r := c.get(path); r.Status != http.StatusForbidden {
				t.Errorf("%s %s: %d, want 403", email, path, r.Status)
			}
		}
		if r := admin.get(path); r.Status != http.StatusOK {
			t.Errorf("admin %s: %d\n%s", path, r.Status, r.Body)
		}
	}
}

// TestDashboardFiltersAndDrawsItsCharts: the figures follow the filter, and each chart is an
// SVG with its title and description and the numbers in a table.
func TestDashboardFiltersAndDrawsItsCharts(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin, _ := adminClient(t, app)
	app.certificateCourse(courses.IssueAuto, "Ana Gómez", "Luis Pérez") // police, Costa Rica
	app.refreshReports()
	page := admin.get("/admin/reports?sector=police&by=sector")
	if page.Status != http.StatusOK {
		t.Fatalf("dashboard: %d\n%s", page.Status, page.Body)
	}
	for _, want := range []string{
		`<dd id="fig-holders">2</dd>`, `<dd id="fig-enrolments">2</dd>`,
		`<svg class="chart" role="img" aria-labelledby="chart-trained-title chart-trained-desc"`,
		`<title id="chart-trained-title">Profesionales formados por Sector</title>`, `<desc id="chart-trained-desc">`,
		`<svg class="chart" role="img" aria-labelledby="chart-months-title chart-months-desc"`,
		`<table id="breakdown">`, `<th scope="row">Policía y seguridad</th><td>2</td>`,
		`href="/admin/reports.csv?sector=police&amp;by=sector"`,
	} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("dashboard lacks %s", want)
		}
	}
	if page := admin.get("/admin/reports?sector=media&gender=woman"); !strings.Contains(page.Body, `<dd id="fig-holders">0</dd>`) ||
		!strings.Contains(page.Body, "Nada que contar con este filtro.") {
		t.Errorf("women in the media: not an empty report\n%s", page.Body)
	}
}

func TestBadReportFilterIsATranslatedErrorNotAServerError(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin, _ := adminClient(t, app)
	page := admin.get("/admin/reports?country=XX&from=2027-13-01&by=planet")
	if page.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad filter: %d", page.Status)
	}
	for _, want := range []string{"Elija uno de los valores de la lista.", "Escriba una fecha como 2027-01-31.", `aria-invalid="true" aria-describedby="country-error"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("bad filter's page lacks %q", want)
		}
	}
	if strings.Contains(page.Body, `id="fig-holders"`) {
		t.Error("figures counted for a filter with errors")
	}
	for _, path := range []string{"/admin/reports.csv?gender=robot", "/admin/reports/months.csv?to=soon"} {
		if r := admin.get(path); r.Status != http.StatusBadRequest || strings.Contains(r.Header.Get("Content-Type"), "csv") {
			t.Errorf("%s: %d %s, want a 400 page", path, r.Status, r.Header.Get("Content-Type"))
		}
	}
}

// TestReportCSVIsSafeForSpreadsheets: a BOM, the header in the admin's language, a formula
// typed as an institution neutralised.
func TestReportCSVIsSafeForSpreadsheets(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin, _ := adminClient(t, app)
	cc := app.certificateCourse(courses.IssueAuto, "Ana Gómez")
	ctx := context.Background()
	u, err := app.Store.CreateUser(ctx, courses.Profile{FullName: "Eve", Email: "eve@example.org", Country: "HN",
		Institution: `=HYPERLINK("http://evil.example/","Clic")`, Sector: "media", Language: "es"}, testPassword, courses.RoleTrainee)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Store.Enrol(ctx, u.ID, cc.CohortID, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	app.refreshReports()
	r := admin.get("/admin/reports.csv?by=institution")
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("csv: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	if !strings.HasPrefix(r.Body, "\uFEFFInstitución,Profesionales formados,Certificados vigentes emitidos,Inscripciones,") {
		t.Errorf("csv does not start with a BOM and the Spanish header: %q", r.Body[:min(len(r.Body), 120)])
	}
	if !strings.Contains(r.Body, `"'=HYPERLINK(""http://evil.example/"",""Clic"")",0,0,1,`) {
		t.Errorf("the formula is not neutralised:\n%s", r.Body)
	}
	if !strings.Contains(r.Body, "\r\nTodos,1,1,2,1,") {
		t.Errorf("no total row:\n%s", r.Body)
	}
	months := admin.get("/admin/reports/months.csv?from=2026-01-01&to=2026-12-31")
	if !strings.HasPrefix(months.Body, "\uFEFFMes,Inscripciones,Cursos completados,Certificados vigentes emitidos\r\n2026-01,") || strings.Count(months.Body, "\r\n") != 13 {
		t.Errorf("months csv:\n%s", months.Body)
	}
}

// TestReportCSVSuppressesSmallCellsWhenConfigured: with AULA_REPORT_SUPPRESS_BELOW=5, the
// exports hide counts under 5 and what would give them away; the page shows them all.
func TestReportCSVSuppressesSmallCellsWhenConfigured(t *testing.T) {
	t.Parallel()
	app := newTestApp(t, withSuppression(5, 0))
	admin, _ := adminClient(t, app)
	app.certificateCourse(courses.IssueAuto, "Ana Gómez", "Luis Pérez")
	app.refreshReports()
	r := admin.get("/admin/reports.csv?by=country")
	if !strings.Contains(r.Body, "\r\nCosta Rica,menos de 5,menos de 5,menos de 5,menos de 5,menos de 5,") ||
		!strings.Contains(r.Body, ",no se muestra\r\n") ||
		!strings.Contains(r.Body, "\r\nTodos,menos de 5,") {
		t.Errorf("small cells shown:\n%s", r.Body)
	}
	if page := admin.get("/admin/reports?by=country"); !strings.Contains(page.Body, `<dd id="fig-holders">2</dd>`) {
		t.Error("the dashboard hides small counts from admins")
	}
}
