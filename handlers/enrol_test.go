package handlers_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
)

func defaultCohort(t *testing.T, app *testApp, courseID int64) int64 {
	t.Helper()
	list, err := app.Store.Cohorts(context.Background(), courseID)
	if err != nil || len(list) == 0 || !list[0].IsDefault {
		t.Fatalf("default cohort: %v", err)
	}
	return list[0].ID
}

func TestLessonsAndProgressAreOnlyForTheEnrolled(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	lesson := fmt.Sprintf("/courses/three-languages/lessons/%d", co.Modules[0].Lessons[0].ID)
	app.user("outsider@example.org", courses.RoleTrainee)
	outsider := app.client("es")
	outsider.mustLogin("outsider@example.org")
	if r := outsider.get(lesson); r.Status != http.StatusForbidden || !strings.Contains(r.Body, "No está inscrito en este curso") {
		t.Fatalf("lesson for a trainee not enrolled: %d", r.Status)
	}
	if r := outsider.post(lesson+"/done", nil); r.Status != http.StatusForbidden {
		t.Fatalf("marking a lesson of a course one is not in: %d", r.Status)
	}
	if r := app.client("es").get(lesson); r.Status != http.StatusSeeOther {
		t.Fatalf("lesson for a visitor: %d", r.Status)
	}
	// Another trainee's progress: the cohort's report is for its instructors only.
	reader := app.enrolledClient("reader@example.org", co.ID, "es")
	cohort := defaultCohort(t, app, co.ID)
	for _, path := range []string{fmt.Sprintf("/teach/courses/%d/cohorts/%d", co.ID, cohort), fmt.Sprintf("/teach/courses/%d/cohorts/%d/export", co.ID, cohort)} {
		if r := reader.get(path); r.Status != http.StatusForbidden {
			t.Errorf("%s for a trainee: %d", path, r.Status)
		}
	}
	if r := reader.get(lesson); r.Status != http.StatusOK {
		t.Fatalf("lesson for an enrolled trainee: %d", r.Status)
	}
}

func TestMarkingLessonsDoneGrowsProgressAndResumesWhereTheTraineeWas(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	c := app.enrolledClient("ana@example.org", co.ID, "es")
	first, second := co.Modules[0].Lessons[0].ID, co.Modules[0].Lessons[1].ID
	r := c.post(fmt.Sprintf("/courses/three-languages/lessons/%d/done", first), nil)
	if r.Status != http.StatusSeeOther || r.Location != fmt.Sprintf("/courses/three-languages/lessons/%d", second) {
		t.Fatalf("done: %d %s", r.Status, r.Location)
	}
	page := c.get("/courses/three-languages")
	if !regexp.MustCompile(`<progress id="course-progress" max="100" value="25">`).MatchString(page.Body) {
		t.Fatalf("progress after 1 of 4 lessons:\n%s", regexp.MustCompile(`<progress[^>]*>`).FindString(page.Body))
	}
	// With JavaScript, reaching the end of the lesson marks it done without leaving the page.
	req, _ := http.NewRequest(http.MethodPost, app.URL+fmt.Sprintf("/courses/three-languages/lessons/%d/done", second), nil)
	req.Header.Set("X-Aula-Autosave", "1")
	if r := c.do(req); r.Status != http.StatusNoContent {
		t.Fatalf("autosave: %d", r.Status)
	}
	if r := c.get("/courses/three-languages"); !strings.Contains(r.Body, `value="50"`) {
		t.Fatal("progress after 2 of 4")
	}
	// Reading the third lesson, then coming back later: "My learning" resumes there.
	third := co.Modules[1].Lessons[0].ID
	c.get(fmt.Sprintf("/courses/three-languages/lessons/%d", third))
	c.post("/logout", nil)
	c.mustLogin("ana@example.org")
	learning := c.get("/learning")
	if !strings.Contains(learning.Body, fmt.Sprintf(`href="/courses/three-languages/lessons/%d"`, third)) || !strings.Contains(learning.Body, `value="50"`) {
		t.Fatalf("my learning:\n%s", learning.Body)
	}
}

func TestEnrolmentThroughThePageWithKeyApprovalAndWaitingList(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	ctx := context.Background()
	keyed, _ := app.Store.SaveCohort(ctx, courses.Actor{}, courses.Cohort{CourseID: co.ID, Name: "Con clave", Mode: courses.ModeOnline, Policy: courses.PolicyKey, Key: "SECRETO-1"})
	app.user("ana@example.org", courses.RoleTrainee)
	c := app.client("es")
	c.mustLogin("ana@example.org")
	r := c.post("/courses/three-languages/enrol", url.Values{"cohort": {fmt.Sprint(keyed)}, "key": {"otra"}})
	if page := c.get(r.Location); !strings.Contains(page.Body, "La clave de inscripción no es correcta.") {
		t.Fatal("wrong key: no message")
	}
	if _, err := app.Store.EnrolmentIn(ctx, app.mustUser("ana@example.org").ID, co.ID); err == nil {
		t.Fatal("a wrong key enrolled")
	}
	// Keys cannot be guessed by trying many: ten tries a quarter of an hour.
	for i := 0; i < 9; i++ {
		c.post("/courses/three-languages/enrol", url.Values{"cohort": {fmt.Sprint(keyed)}, "key": {fmt.Sprint(1000 + i)}})
	}
	r = c.post("/courses/three-languages/enrol", url.Values{"cohort": {fmt.Sprint(keyed)}, "key": {"SECRETO-1"}})
	if page := c.get(r.Location); !strings.Contains(page.Body, "Demasiados intentos") {
		t.Fatal("the 11th key attempt was not throttled")
	}
	other := app.client("es")
	app.user("bea@example.org", courses.RoleTrainee)
	other.mustLogin("bea@example.org")
	r = other.post("/courses/three-languages/enrol", url.Values{"cohort": {fmt.Sprint(keyed)}, "key": {"SECRETO-1"}})
	if page := other.get(r.Location); !strings.Contains(page.Body, "Está inscrito en Con clave.") {
		t.Fatalf("right key:\n%s", page.Body)
	}
	// A cohort that is not the course's cannot be named in the form.
	if r := c.post("/courses/three-languages/enrol", url.Values{"cohort": {"999999"}}); r.Status != http.StatusNotFound {
		t.Fatalf("unknown cohort: %d", r.Status)
	}
	other.post("/courses/three-languages/withdraw", nil)
	if page := other.get("/courses/three-languages"); !strings.Contains(page.Body, "Inscribirme") {
		t.Fatal("after withdrawing, the enrol buttons are not back")
	}
}

func TestCheckInPage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	c := app.enrolledClient("ana@example.org", co.ID, "en")
	ctx := context.Background()
	cohort := defaultCohort(t, app, co.ID)
	now := time.Now()
	sid, _ := app.Store.AddSession(ctx, courses.CohortSession{CohortID: cohort, StartsAt: now, Minutes: 60, Place: "Sala"})
	if r := c.post("/checkin", url.Values{"code": {"123456"}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "The code is not correct") {
		t.Fatalf("no open check-in: %d", r.Status)
	}
	// The instructor opens check-in from the session page.
	ins := app.client("en")
	ins.mustLogin("owner@example.org")
	base := fmt.Sprintf("/teach/courses/%d/cohorts/%d/sessions/%d", co.ID, cohort, sid)
	ins.post(base+"/checkin", nil)
	page := ins.get(base)
	code := regexp.MustCompile(`<strong class="code">(\d{6})</strong>`).FindStringSubmatch(page.Body)
	if code == nil {
		t.Fatalf("no code on the session page:\n%s", page.Body)
	}
	if qr := ins.get(base + "/qr"); qr.Status != http.StatusOK || qr.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("qr: %d", qr.Status)
	}
	if r := c.post("/checkin", url.Values{"code": {code[1]}}); r.Status != http.StatusSeeOther {
		t.Fatalf("right code: %d", r.Status)
	}
	if page := ins.get(base); !strings.Contains(page.Body, `value="present" checked`) {
		t.Fatal("roster does not show the check-in")
	}
	// The roster overrides a check-in; a trainee of another course cannot be marked.
	ana := app.mustUser("ana@example.org")
	if r := ins.post(base+"/attendance", url.Values{fmt.Sprintf("attendance-%d", ana.ID): {"excused"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("roster: %d", r.Status)
	}
	if page := ins.get(base); !strings.Contains(page.Body, `value="excused" checked`) {
		t.Fatal("roster not saved")
	}
	stranger := app.user("stranger@example.org", courses.RoleTrainee)
	if r := ins.post(base+"/attendance", url.Values{fmt.Sprintf("attendance-%d", stranger.ID): {"present"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("marking a stranger: %d", r.Status)
	} else if page := ins.get(r.Location); !strings.Contains(page.Body, "ya no están activas en este grupo") {
		t.Fatal("skipped marks are not reported")
	}
	if r := ins.post(base+"/attendance", url.Values{fmt.Sprintf("attendance-%d", ana.ID): {"asleep"}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("unknown status: %d", r.Status)
	}
	ins.post(base+"/checkin", url.Values{"action": {"close"}})
	if r := c.post("/checkin", url.Values{"code": {code[1]}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("after closing: %d", r.Status)
	}
}

func TestBulkEnrolmentThroughThePagesAndSafeExport(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	cohort := defaultCohort(t, app, co.ID)
	ins := app.client("es")
	ins.mustLogin("owner@example.org")
	base := fmt.Sprintf("/teach/courses/%d/cohorts/%d", co.ID, cohort)
	file := "correo;nombre completo;país;institución;sector;género;idioma\n" +
		"lucia@muni.example;Lucía Pérez;Honduras;Alcaldía de Tegucigalpa;gobierno local;mujer;es\n" +
		"no-es-correo;Mario Díaz;HN;Alcaldía;gobierno local;;es\n" +
		"rosa@muni.example;\"=HYPERLINK(\"\"http://evil\"\";\"\"clic\"\")\";HN;Alcaldía;police;;pt\n"
	r := ins.upload(base+"/bulk", "csv", "lista.csv", []byte(file), nil)
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "Fila 3 (correo)") || strings.Contains(r.Body, "Fila 4") || !strings.Contains(r.Body, "Vista previa: 2 filas válidas") {
		t.Fatalf("preview:\n%s", r.Body)
	}
	if n := app.userCount(); n != 1 {
		t.Fatal("the preview wrote accounts")
	}
	id := regexp.MustCompile(`name="upload" value="([0-9a-f]+)"`).FindStringSubmatch(r.Body)
	if id == nil {
		t.Fatal("no confirmation form")
	}
	res := ins.post(base+"/bulk/confirm", url.Values{"upload": {id[1]}})
	if res.Status != http.StatusOK || !strings.Contains(res.Body, "Se inscribieron 2 personas.") || !strings.Contains(res.Body, "/password/set?token=") {
		t.Fatalf("confirm:\n%s", res.Body)
	}
	if again := ins.post(base+"/bulk/confirm", url.Values{"upload": {id[1]}}); again.Status != http.StatusSeeOther {
		t.Fatalf("the same upload confirmed twice: %d", again.Status)
	}
	// The new account sets its password with the link, once, and is signed in.
	link := regexp.MustCompile(`/password/set\?token=([A-Za-z0-9_-]+)`).FindStringSubmatch(res.Body)
	newcomer := app.client("es")
	if p := newcomer.get("/password/set?token=" + link[1]); p.Status != http.StatusOK {
		t.Fatalf("link page: %d", p.Status)
	}
	if p := newcomer.post("/password/set", url.Values{"token": {link[1]}, "password": {"corta"}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("short password: %d", p.Status)
	}
	if p := newcomer.post("/password/set", url.Values{"token": {link[1]}, "password": {"una contraseña larga"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("set password: %d", p.Status)
	}
	if p := newcomer.get("/learning"); p.Status != http.StatusOK || !strings.Contains(p.Body, "Un curso en tres idiomas") {
		t.Fatalf("new trainee's learning page: %d", p.Status)
	}
	if p := app.client("es").get("/password/set?token=" + link[1]); p.Status != http.StatusNotFound {
		t.Fatalf("a used link still works: %d", p.Status)
	}
	// The export neutralises the formula typed as a name.
	export := ins.get(base + "/export")
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(export.Body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, rec := range records {
		for _, cell := range rec {
			if strings.HasPrefix(cell, "=") || strings.HasPrefix(cell, "+") || strings.HasPrefix(cell, "@") {
				t.Errorf("formula in export: %q", cell)
			}
			if strings.HasPrefix(cell, "'=HYPERLINK") {
				found = true
			}
		}
	}
	if !found {
		t.Fatalf("the neutralised name is not in the export:\n%s", export.Body)
	}
}

// The check-in window is kept by the application's clock: moving it past the window
// closes check-in without anyone pressing a button.
func TestCheckInCodeExpiresWhenTheClockPassesItsWindow(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	c := app.enrolledClient("ana@example.org", co.ID, "en")
	cohort := defaultCohort(t, app, co.ID)
	sid, _ := app.Store.AddSession(context.Background(), courses.CohortSession{CohortID: cohort, StartsAt: app.Clock.Now(), Minutes: 60, Place: "Sala"})
	ins := app.client("en")
	ins.mustLogin("owner@example.org")
	base := fmt.Sprintf("/teach/courses/%d/cohorts/%d/sessions/%d", co.ID, cohort, sid)
	ins.post(base+"/checkin", nil)
	code := regexp.MustCompile(`<strong class="code">(\d{6})</strong>`).FindStringSubmatch(ins.get(base).Body)
	if code == nil {
		t.Fatal("no code on the session page")
	}
	app.Clock.Advance(16 * time.Minute)
	if r := c.post("/checkin", url.Values{"code": {code[1]}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a code past its window: %d", r.Status)
	}
}

// The signed-in home page offers the lesson where the trainee left off, titled in the
// language they read, and nothing to resume to someone who takes no course.
func TestHomePageResumesTheLessonLastRead(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	c := app.enrolledClient("ana@example.org", co.ID, "es")
	first, third := co.Modules[0].Lessons[0], co.Modules[1].Lessons[0]
	link := func(l courses.Lesson) string {
		return fmt.Sprintf(`href="/courses/three-languages/lessons/%d">%s</a>`, l.ID, l.Texts["es"].Title)
	}
	if home := c.get("/"); !strings.Contains(home.Body, link(first)) {
		t.Fatalf("before reading, the home page does not offer the first lesson:\n%s", home.Body)
	}
	c.get(fmt.Sprintf("/courses/three-languages/lessons/%d", third.ID))
	if home := c.get("/"); !strings.Contains(home.Body, link(third)) {
		t.Fatalf("the home page does not resume the lesson last read:\n%s", home.Body)
	}
	app.user("bea@example.org", courses.RoleTrainee)
	bea := app.client("es")
	bea.mustLogin("bea@example.org")
	if home := bea.get("/"); home.Status != http.StatusOK || strings.Contains(home.Body, "resume-heading") {
		t.Fatalf("someone with no course is offered to resume: %d", home.Status)
	}
}
