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

func TestCourseEditorIsOnePagePerPartWithASubNavigation(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, false)
	c := app.client("en")
	c.mustLogin("owner@example.org")
	base := fmt.Sprintf("/teach/courses/%d", co.ID)
	for path, want := range map[string]string{
		base:                      `action="` + base + `/modules"`,
		base + "/details":         `name="slug"`,
		base + "/translations":    `href="` + base + `/translations/pt"`,
		base + "/images":          `name="image"`,
		base + "/instructors":     `name="email"`,
		base + "/cohorts":         `name="mode"`,
		base + "/translations/pt": `action="` + base + `/translations/pt"`,
	} {
		r := c.get(path)
		if r.Status != http.StatusOK || !strings.Contains(r.Body, want) {
			t.Errorf("%s: %d, missing %s", path, r.Status, want)
			continue
		}
		if strings.Count(r.Body, `aria-current="page"`) < 1 || !strings.Contains(r.Body, `class="subnav"`) {
			t.Errorf("%s: no sub-navigation with the current page marked", path)
		}
		// Only its own part: the outline's forms are not on the details page, and so on.
		if path != base && strings.Contains(r.Body, `action="`+base+`/modules"`) {
			t.Errorf("%s: carries the outline", path)
		}
	}
}

func TestStaffPagesShowTheCourseTitleInTheViewersLanguage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, false) // default language es, translated into en and pt
	cohort := defaultCohort(t, app, co.ID)
	c := app.client("pt")
	c.mustLogin("owner@example.org")
	c.post("/language", url.Values{"lang": {"pt"}}) // the instructor reads Portuguese
	base := fmt.Sprintf("/teach/courses/%d", co.ID)
	for _, path := range []string{base, base + "/details", base + "/cohorts", fmt.Sprintf("%s/cohorts/%d", base, cohort)} {
		r := c.get(path)
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `lang="pt">Um curso em três idiomas`) && !strings.Contains(r.Body, `<span lang="pt">· Um curso em três idiomas`) {
			t.Errorf("%s: %d, not headed in Portuguese", path, r.Status)
		}
	}
	// The outline is still edited in the course's default language.
	if r := c.get(base); !strings.Contains(r.Body, `value="Primeros pasos" lang="es"`) {
		t.Error("outline not in the default language")
	}
}

func TestTheDefaultCohortHasOneTranslatedNameThatTheFormCannotChange(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, false)
	id := defaultCohort(t, app, co.ID)
	c := app.client("en")
	c.mustLogin("owner@example.org")
	path := fmt.Sprintf("/teach/courses/%d/cohorts/%d", co.ID, id)
	r := c.get(path)
	if r.Status != http.StatusOK || strings.Contains(r.Body, `id="name"`) || strings.Count(r.Body, "A su ritmo (abierto)") < 2 {
		t.Fatalf("default cohort page: %d, a name field or no translated name", r.Status)
	}
	before, _ := app.Store.Cohort(context.Background(), co.ID, id)
	r = c.post(path, url.Values{"name": {"Renamed"}, "mode": {"online"}, "policy": {"open"}, "capacity": {"30"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("saving the default cohort: %d", r.Status)
	}
	after, _ := app.Store.Cohort(context.Background(), co.ID, id)
	if after.Name != before.Name || after.Capacity != 30 {
		t.Fatalf("default cohort after saving: %+v", after)
	}
}

// What no page of Aula sends is refused as a whole with 400, instead of being read as
// something else (a decision that is neither approve nor reject used to reject).
func TestAuthoringRequestsNoPageSendsAreInvalid(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	cohort := defaultCohort(t, app, co.ID)
	ctx := context.Background()
	ch, _ := app.Store.Cohort(ctx, co.ID, cohort)
	ch.Policy = courses.PolicyApproval
	if _, err := app.Store.SaveCohort(ctx, courses.Actor{}, ch); err != nil {
		t.Fatal(err)
	}
	trainee := app.user("trainee@example.org", courses.RoleTrainee)
	if _, err := app.Store.Enrol(ctx, trainee.ID, cohort, "", app.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	c := app.client("es")
	c.mustLogin("owner@example.org")
	base := fmt.Sprintf("/teach/courses/%d", co.ID)
	m, l := co.Modules[0], co.Modules[0].Lessons[0]
	for _, tt := range []struct {
		path string
		form url.Values
	}{
		{fmt.Sprintf("%s/cohorts/%d/decide", base, cohort), url.Values{"user": {fmt.Sprint(trainee.ID)}, "decision": {"maybe"}}},
		{fmt.Sprintf("%s/cohorts/%d/decide", base, cohort), url.Values{"user": {"someone"}, "decision": {"approve"}}},
		{fmt.Sprintf("%s/modules/%d/move", base, m.ID), url.Values{"direction": {"sideways"}}},
		{fmt.Sprintf("%s/lessons/%d/move", base, l.ID), nil},
		{fmt.Sprintf("%s/lessons/%d", base, l.ID), url.Values{"title": {"Otro"}, "body": {"x"}, "lang": {"fr"}}},
		{fmt.Sprintf("%s/modules/%d", base, m.ID), url.Values{"title": {"Otro"}, "lang": {"xx"}}},
		{base + "/status", url.Values{"status": {"deleted"}}},
	} {
		r := c.post(tt.path, tt.form)
		if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "Solicitud no válida") {
			t.Errorf("%s %v: %d", tt.path, tt.form, r.Status)
		}
	}
	after, _ := app.Store.Course(ctx, co.ID)
	if after.Modules[0].ID != m.ID || after.Modules[0].Lessons[0].ID != l.ID || after.Modules[0].Lessons[0].Texts["es"].Title != l.Texts["es"].Title ||
		after.Modules[0].Titles["es"] != m.Titles["es"] || after.Status != courses.StatusPublished {
		t.Fatal("an invalid request changed the course")
	}
	if e, err := app.Store.EnrolmentIn(ctx, trainee.ID, co.ID); err != nil || e.Status != courses.EnrolmentPending {
		t.Fatalf("the request was decided: %+v %v", e, err)
	}
}

// Every text field of the authoring forms has its maximum, answered next to the field in
// the instructor's language, with nothing saved.
func TestAuthoringFormsAnswerOverlongTextsWithTheFieldsMessage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, false)
	cohort := defaultCohort(t, app, co.ID)
	c := app.client("es")
	c.mustLogin("owner@example.org")
	base := fmt.Sprintf("/teach/courses/%d", co.ID)
	long := func(n int) string { return strings.Repeat("á", n) }
	lesson := co.Modules[0].Lessons[0]
	for _, tt := range []struct {
		path string
		form url.Values
		want string
	}{
		{"/teach/courses", url.Values{"title": {long(courses.MaxTitleLength + 1)}, "slug": {"largo"}, "audiences": {"police"}, "level": {"introductory"}, "hours": {"2"}, "default_language": {"es"}}, "El título no puede superar los 200 caracteres."},
		{base, url.Values{"title": {"Bien"}, "summary": {long(courses.MaxSummaryLength + 1)}, "slug": {co.Slug}, "audiences": {"police"}, "level": {"introductory"}, "hours": {"2"}, "default_language": {"es"}}, "El resumen no puede superar los 2000 caracteres."},
		{base + "/modules", url.Values{"title": {long(courses.MaxTitleLength + 1)}}, "El título no puede superar los 200 caracteres."},
		{fmt.Sprintf("%s/lessons/%d", base, lesson.ID), url.Values{"title": {"Bien"}, "body": {long(courses.MaxLessonLength + 1)}, "action": {"save"}}, "La lección es demasiado larga"},
		{base + "/translations/pt", url.Values{"title": {long(courses.MaxTitleLength + 1)}}, "El título no puede superar los 200 caracteres."},
		{base + "/cohorts", url.Values{"name": {long(courses.MaxCohortNameLength + 1)}, "mode": {"online"}, "policy": {"open"}}, "El nombre no puede superar los 200 caracteres."},
		{fmt.Sprintf("%s/cohorts/%d/sessions", base, cohort), url.Values{"date": {"2026-03-02"}, "time": {"09:00"}, "place": {long(courses.MaxLocationLength + 1)}}, "El lugar no puede superar los 300 caracteres."},
	} {
		r := c.post(tt.path, tt.form)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, tt.want) {
			t.Errorf("%s: %d, missing %q", tt.path, r.Status, tt.want)
		}
	}
	after, _ := app.Store.Course(context.Background(), co.ID)
	if len(after.Modules) != len(co.Modules) || after.Texts["es"] != co.Texts["es"] || after.Texts["pt"] != co.Texts["pt"] ||
		after.Modules[0].Lessons[0].Texts["es"] != lesson.Texts["es"] {
		t.Fatal("an over-long text was saved")
	}
	if list, _ := app.Store.Cohorts(context.Background(), co.ID); len(list) != 1 {
		t.Fatalf("%d cohorts: an over-long name was saved", len(list))
	}
	if list, _ := app.Store.TaughtCourses(context.Background(), owner.ID, false); len(list) != 1 {
		t.Fatalf("%d courses: an over-long title was saved", len(list))
	}
}
