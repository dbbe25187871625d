package handlers_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
)

// TestImpactPageSuppressesSmallGroups: anyone opens the page in their language; three people
// trained are "fewer than 5", and so is the one row their groups are merged into, with no
// share of women shown.
func TestImpactPageSuppressesSmallGroups(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.certificateCourse(courses.IssueAuto, "Ana Gómez", "Luis Pérez", "Rosa Díaz")
	app.refreshReports()
	page := app.client("en").get("/impact")
	if page.Status != http.StatusOK {
		t.Fatalf("impact: %d", page.Status)
	}
	for _, want := range []string{"<h1>Our impact</h1>", `<dd id="impact-trained">fewer than 5</dd>`, `<dd id="impact-women">not shown (small group)</dd>`,
		`<svg class="chart" role="img" aria-labelledby="chart-countries-title chart-countries-desc"`, `<desc id="chart-countries-desc">`,
		`<th scope="row">Other groups, together</th><td>fewer than 5</td>`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("impact page lacks %s", want)
		}
	}
	if strings.Contains(page.Body, ">3<") {
		t.Error("the page writes the small count")
	}
	// A small group is not even named: "Costa Rica, fewer than 5" would say it has someone.
	if strings.Contains(page.Body, `<th scope="row">Costa Rica</th>`) {
		t.Error("the page lists a small group")
	}
	if pt := app.client("pt").get("/impact"); !strings.Contains(pt.Body, "Nosso impacto") || !strings.Contains(pt.Body, "menos de 5") {
		t.Error("the page is not in Portuguese")
	}
	if home := app.client("es").get("/"); !strings.Contains(home.Body, `href="/impact"`) {
		t.Error("no public link to the impact page")
	}
}

// TestImpactPageShowsCountsOverTheThresholdAndIsFreshWithinMinutes: with the threshold at 1
// every count shows; a certificate issued later shows from the next refresh of the reports'
// copies, once the figures this instance keeps are 5 minutes old.
func TestImpactPageShowsCountsOverTheThresholdAndIsFreshWithinMinutes(t *testing.T) {
	t.Parallel()
	app := newTestApp(t, withSuppression(0, 1))
	app.certificateCourse(courses.IssueAuto, "Ana Gómez", "Luis Pérez")
	app.refreshReports()
	c := app.client("es")
	if page := c.get("/impact"); !strings.Contains(page.Body, `<dd id="impact-trained">2</dd>`) ||
		!strings.Contains(page.Body, `<dd id="impact-women">0 %</dd>`) || !strings.Contains(page.Body, `<th scope="row">Costa Rica</th><td>2</td>`) {
		t.Fatalf("impact page:\n%s", page.Body)
	}
	app.certificateCourse(courses.IssueAuto, "Marta Ruiz")
	app.refreshReports()
	if page := c.get("/impact"); !strings.Contains(page.Body, `<dd id="impact-trained">2</dd>`) {
		t.Error("the figures were counted again at once")
	}
	app.Clock.Advance(5 * time.Minute)
	if page := c.get("/impact"); !strings.Contains(page.Body, `<dd id="impact-trained">3</dd>`) {
		t.Error("the figures are older than 5 minutes")
	}
}
