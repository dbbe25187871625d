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

func TestInstructorSetsTheCourseCertificateRules(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	c := app.client("es")
	c.mustLogin("owner@example.org")
	page := fmt.Sprintf("/teach/courses/%d/certificate", co.ID)
	if r := c.get(fmt.Sprintf("/teach/courses/%d", co.ID)); !strings.Contains(r.Body, `href="`+page+`"`) {
		t.Fatal("the course editor does not link to the certificate page")
	}
	r := c.get(page)
	if r.Status != http.StatusOK || !strings.Contains(r.Body, `value="auto" checked`) || strings.Count(r.Body, `name="signatory_name"`) != courses.MaxSignatories {
		t.Fatalf("settings page: %d\n%s", r.Status, r.Body)
	}

	// Errors are shown beside their field, with what was typed kept.
	r = c.post(page, url.Values{"issue": {"manual"}, "valid_months": {"500"},
		"signatory_name": {"Coordinación académica", "", ""}, "signatory_title": {"Programa", "Directora", ""}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="valid_months-error"`) ||
		!strings.Contains(r.Body, `id="signatory_name-1-error"`) || !strings.Contains(r.Body, `value="Coordinación académica"`) ||
		!strings.Contains(r.Body, `value="manual" checked`) || !strings.Contains(r.Body, "de 0 (no vence) a 120") {
		t.Fatalf("bad form: %d\n%s", r.Status, r.Body)
	}
	if cs, _ := app.Store.CertificateSettings(context.Background(), co.ID); cs.Issue != courses.IssueAuto {
		t.Fatalf("a refused form changed the settings: %+v", cs)
	}

	r = c.post(page, url.Values{"issue": {"manual"}, "valid_months": {"24"},
		"signatory_name": {"Coordinación académica", "", ""}, "signatory_title": {"Programa", "", ""}})
	if r.Status != http.StatusSeeOther || r.Location != page {
		t.Fatalf("save: %d %s\n%s", r.Status, r.Location, r.Body)
	}
	cs, err := app.Store.CertificateSettings(context.Background(), co.ID)
	if err != nil || cs.Issue != courses.IssueManual || cs.ValidMonths != 24 || len(cs.Signatories) != 1 || cs.Signatories[0].Title != "Programa" {
		t.Fatalf("saved: %+v %v", cs, err)
	}
	if r := c.get(page); !strings.Contains(r.Body, "Se guardaron las reglas") || !strings.Contains(r.Body, `value="24"`) {
		t.Fatalf("after saving:\n%s", r.Body)
	}

	// Another instructor may not change them.
	app.user("other@example.org", courses.RoleInstructor)
	other := app.client("es")
	other.mustLogin("other@example.org")
	if r := other.post(page, url.Values{"issue": {"none"}}); r.Status != http.StatusForbidden {
		t.Fatalf("another instructor: %d", r.Status)
	}
}
