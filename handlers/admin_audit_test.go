package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aula-school/aula/courses"
)

func TestOnlyAdminsReachTheAuditTrail(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	for _, role := range []courses.Role{courses.RoleTrainee, courses.RoleInstructor} {
		email := string(role) + "@example.org"
		app.user(email, role)
		c := app.client("es")
		c.mustLogin(email)
		for _, path := range []string{"/admin/audit", "/admin/audit.csv", "/admin/audit?action=user_role"} {
			if r := c.get(path); r.Status != http.StatusForbidden || !strings.Contains(r.Body, "Acceso denegado") {
				t.Errorf("%s %s: %d, want 403", role, path, r.Status)
			}
		}
	}
	if r := app.client("es").get("/admin/audit"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
		t.Errorf("anonymous: %d %s", r.Status, r.Location)
	}
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		req, _ := http.NewRequest(method, app.URL+"/admin/audit", nil)
		if r := app.client("es").do(req); r.Status != http.StatusNotFound && r.Status != http.StatusForbidden {
			t.Errorf("%s /admin/audit: %d", method, r.Status)
		}
	}
}

// An admin's change shows in the trail with who, what, when and from where, and the search
// narrows it by each of its fields.
func TestAuditTrailShowsWhoDidWhatAndIsSearchable(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.user("admin@example.org", courses.RoleAdmin)
	ana := app.user("ana@example.org", courses.RoleTrainee)
	bruno := app.user("bruno@example.org", courses.RoleTrainee)
	admin := app.client("es")
	admin.mustLogin("admin@example.org")
	// The address is the one Aula sees: a forwarded-for header from a proxy it does not trust is not believed.
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/admin/users/%d/active", app.URL, ana.ID), strings.NewReader("active=false"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", "198.51.100.9")
	if r := admin.do(req); r.Status != http.StatusSeeOther {
		t.Fatalf("deactivate: %d", r.Status)
	}
	admin.post(fmt.Sprintf("/admin/users/%d/role", bruno.ID), url.Values{"role": {"instructor"}})
	admin.post(fmt.Sprintf("/admin/users/%d/password-link", bruno.ID), nil)

	r := admin.get("/admin/audit")
	if r.Status != http.StatusOK {
		t.Fatalf("audit: %d", r.Status)
	}
	for _, want := range []string{"Cuenta desactivada", "Cambio de rol", "Enlace para crear contraseña generado",
		"ana@example.org", "bruno@example.org", "Test admin@example.org", "127.0.0.1", "Participante", "Docente", " UTC</time>"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the trail does not show %q", want)
		}
	}
	if strings.Contains(r.Body, "198.51.100.9") {
		t.Error("the trail believed a forged X-Forwarded-For")
	}
	if strings.Index(r.Body, "<td>Enlace para crear contraseña generado</td>") > strings.Index(r.Body, "<td>Cuenta desactivada</td>") {
		t.Error("the trail is not newest first")
	}
	if page := admin.get(fmt.Sprintf("/admin/users/%d", ana.ID)); !strings.Contains(page.Body, fmt.Sprintf(`href="/admin/audit?user=%d"`, ana.ID)) {
		t.Error("the user's page does not link to their entries")
	}
	for _, tc := range []struct {
		query      string
		want, not  string
		wantStatus int
	}{
		{"user=" + fmt.Sprint(ana.ID), "<td>Cuenta desactivada</td>", "bruno@example.org", http.StatusOK},
		{"action=user_role", "<td>Cambio de rol</td>", "ana@example.org", http.StatusOK},
		{"subject=BRUNO", "<td>Cambio de rol</td>", "ana@example.org", http.StatusOK},
		{"actor=nadie", "Ninguna entrada coincide", "bruno@example.org", http.StatusOK},
		{"actor=admin&from=2000-01-01&to=2999-12-31", "<td>Cuenta desactivada</td>", "Ninguna entrada", http.StatusOK},
		{"from=2999-01-01", "Ninguna entrada coincide", "bruno@example.org", http.StatusOK},
		{"action=user_delete", "Elija una acción de la lista.", "bruno@example.org", http.StatusUnprocessableEntity},
		{"from=ayer", "Escriba una fecha como 2026-03-31.", "bruno@example.org", http.StatusUnprocessableEntity},
		{"from=2027-02-01&to=2027-01-01", "La fecha final no puede ser anterior", "bruno@example.org", http.StatusUnprocessableEntity},
		{"course=abc", "Elija un valor de la lista.", "bruno@example.org", http.StatusUnprocessableEntity},
		{"user=-1", "Elija un valor de la lista.", "bruno@example.org", http.StatusUnprocessableEntity},
		// Ids are 64-bit: one beyond 32 bits finds nothing, it is not refused by the database.
		{"user=9999999999&course=9999999999", "Ninguna entrada coincide", "bruno@example.org", http.StatusOK},
		{"actor=" + strings.Repeat("x", 101), "La búsqueda no puede superar", "bruno@example.org", http.StatusUnprocessableEntity},
	} {
		r := admin.get("/admin/audit?" + tc.query)
		if r.Status != tc.wantStatus || !strings.Contains(r.Body, tc.want) || strings.Contains(r.Body, tc.not) {
			t.Errorf("%s: %d, want %d with %q and without %q", tc.query, r.Status, tc.wantStatus, tc.want, tc.not)
		}
	}
	// What was typed comes back in the form, with the error beside its field.
	if r := admin.get("/admin/audit?from=ayer&actor=ana"); !strings.Contains(r.Body, `value="ayer" aria-invalid="true"`) || !strings.Contains(r.Body, `value="ana"`) {
		t.Error("the search's values are not kept")
	}

	csv := admin.get("/admin/audit.csv?action=user_role")
	if csv.Status != http.StatusOK || !strings.HasPrefix(csv.Body, "\ufeff") || !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %q", csv.Status, csv.Header.Get("Content-Type"))
	}
	if !strings.Contains(csv.Body, "bruno@example.org") || strings.Contains(csv.Body, "ana@example.org") || !strings.Contains(csv.Body, "Antes: Participante; Después: Docente") {
		t.Errorf("csv body:\n%s", csv.Body)
	}
	if r := admin.get("/admin/audit.csv?from=ayer"); r.Status != http.StatusBadRequest {
		t.Errorf("csv with a bad filter: %d", r.Status)
	}
}

// A name that reads as a formula in a spreadsheet is written as text in the CSV.
func TestAuditCSVNeutralisesFormulas(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.user("admin@example.org", courses.RoleAdmin)
	u, err := app.Store.CreateUser(context.Background(), courses.Profile{FullName: "=HYPERLINK(\"http://evil\")", Email: "evil@example.org",
		Country: "CR", Institution: "X", Sector: "other", Language: "es"}, testPassword, courses.RoleTrainee)
	if err != nil {
		t.Fatal(err)
	}
	admin := app.client("en")
	admin.mustLogin("admin@example.org")
	admin.post(fmt.Sprintf("/admin/users/%d/active", u.ID), url.Values{"active": {"false"}})
	csv := admin.get("/admin/audit.csv")
	if !strings.Contains(csv.Body, `'=HYPERLINK`) {
		t.Fatalf("formula not neutralised:\n%s", csv.Body)
	}
}

func TestAdminFiltersUsersByCountrySectorAndStatusAndPagesKeepTheFilters(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.user("admin@example.org", courses.RoleAdmin)
	db := app.sql(t)
	// Sixty journalists in Honduras, made in one statement: a page and a bit.
	if _, err := db.Exec(`INSERT INTO users (email, full_name, password_hash, country, institution, sector, language)
		SELECT 'periodista' || i || '@hn.example', 'Periodista ' || lpad(i::text, 2, '0'), '', 'HN', 'Diario', 'media', 'es'
		FROM generate_series(1, 60) AS i`); err != nil {
		t.Fatal(err)
	}
	gone := app.user("ida@example.org", courses.RoleTrainee) // in Costa Rica, local government
	admin := app.client("es")
	admin.mustLogin("admin@example.org")
	admin.post(fmt.Sprintf("/admin/users/%d/active", gone.ID), url.Values{"active": {"false"}})

	r := admin.get("/admin/users?country=HN&sector=media&status=active")
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "1–50 de 60 usuarios") || strings.Contains(r.Body, "ida@example.org") {
		t.Fatalf("filtered: %d", r.Status)
	}
	next := `href="/admin/users?country=HN&amp;page=2&amp;sector=media&amp;status=active"`
	if !strings.Contains(r.Body, next) {
		t.Fatalf("the next page forgets the filters")
	}
	if r := admin.get("/admin/users?country=HN&page=2&sector=media&status=active"); !strings.Contains(r.Body, "51–60 de 60 usuarios") ||
		!strings.Contains(r.Body, `<option value="HN" selected>`) {
		t.Fatal("page 2")
	}
	r = admin.get("/admin/users?status=deactivated")
	if !strings.Contains(r.Body, "ida@example.org") || strings.Contains(r.Body, "periodista1@hn.example") {
		t.Fatal("status filter")
	}
	r = admin.get("/admin/users?sector=local_government&country=CR")
	if !strings.Contains(r.Body, "ida@example.org") || strings.Contains(r.Body, "periodista1@hn.example") {
		t.Fatal("sector and country")
	}
	// Values no form sends are ignored, not an error.
	if r := admin.get("/admin/users?country=XX&sector=pirates&status=maybe"); r.Status != http.StatusOK || !strings.Contains(r.Body, "de 62 usuarios") {
		t.Fatalf("unknown values: %d", r.Status)
	}
}

// An instructor's changes through the course editor are theirs in the trail: a publication and
// a trainee enrolled by hand.
func TestInstructorsChangesAreRecordedAsTheirs(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.user("admin@example.org", courses.RoleAdmin)
	owner := app.user("docente@example.org", courses.RoleInstructor)
	app.user("ana@example.org", courses.RoleTrainee)
	co := app.importFixture(owner.ID, false)
	teacher := app.client("es")
	teacher.mustLogin("docente@example.org")
	if r := teacher.post(fmt.Sprintf("/teach/courses/%d/status", co.ID), url.Values{"status": {"published"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("publish: %d", r.Status)
	}
	cohort := defaultCohort(t, app, co.ID)
	if r := teacher.post(fmt.Sprintf("/teach/courses/%d/cohorts/%d/enrol", co.ID, cohort), url.Values{"email": {"ana@example.org"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("enrol: %d", r.Status)
	}
	admin := app.client("es")
	admin.mustLogin("admin@example.org")
	r := admin.get(fmt.Sprintf("/admin/audit?actor=docente&course=%d", co.ID))
	for _, want := range []string{"<td>Estado del curso cambiado</td>", "Borrador", "Publicado", "<td>Inscripción a mano</td>", "ana@example.org"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the trail does not show %q", want)
		}
	}
}
