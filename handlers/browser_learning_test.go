package handlers_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/chromedp/chromedp"
)

func login(t *testing.T, ctx context.Context, app *testApp, email string) {
	t.Helper()
	run(t, ctx, chromedp.Navigate(app.URL+"/login"), chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		submit(`form[action="/login"]`), chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)))
}

func logout(t *testing.T, ctx context.Context) {
	t.Helper()
	run(t, ctx, submit(`form[action="/logout"]`), chromedp.WaitVisible(chromedp.CSS(`nav a[href="/login"]`)))
}

func TestBrowserTraineeLearnsInstructorTakesAttendanceAndEnrolsTwentyFromCSV(t *testing.T) {
	app := newTestApp(t)
	owner := app.user("docente@example.org", courses.RoleInstructor)
	app.user("ana@example.org", courses.RoleTrainee)
	co := app.importFixture(owner.ID, true)
	ctx0 := context.Background()
	cohortID, err := app.Store.SaveCohort(ctx0, courses.Actor{}, courses.Cohort{CourseID: co.ID, Name: "Tegucigalpa, mixto", Capacity: 30,
		Mode: courses.ModeBlended, Location: "Alcaldía", Policy: courses.PolicyOpen})
	if err != nil {
		t.Fatal(err)
	}
	sessionID, _ := app.Store.AddSession(ctx0, courses.CohortSession{CohortID: cohortID, StartsAt: time.Now().Add(-time.Hour), Minutes: 120, Place: "Sala de sesiones"})
	ctx := browser(t, "es-419")

	// The trainee enrols in the blended cohort and reads.
	login(t, ctx, app, "ana@example.org")
	run(t, ctx, chromedp.Navigate(app.URL+"/courses/three-languages"), chromedp.WaitVisible(chromedp.CSS("#enrol")))
	checkAccessibility(t, ctx)
	run(t, ctx, submit(fmt.Sprintf(`form[action$="/enrol"]:has(input[name=cohort][value="%d"])`, cohortID)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/withdraw"]`)))
	if p := text(t, ctx, "#enrol"); !strings.Contains(p, "Está inscrito en Tegucigalpa, mixto.") {
		t.Fatalf("after enrolling: %q", p)
	}
	progress := func() string {
		v, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("#course-progress"), "value"))
		if err != nil {
			t.Fatal(err)
		}
		return v.Value
	}
	if p := progress(); p != "0" {
		t.Fatalf("progress at start: %s", p)
	}
	title := func(m, l int) string { return co.Modules[m].Lessons[l].Texts["es"].Title }
	onLesson := func(m, l int) chromedp.Action[chromedp.Void] {
		return waitText(fmt.Sprintf(`//article//h1[text()=%q]`, title(m, l)))
	}
	run(t, ctx, chromedp.Click(chromedp.CSS("ol.syllabus a")), onLesson(0, 0))
	checkAccessibility(t, ctx)
	// The autosave's "done" appearing (or not yet) does not move the button: a click aimed at it
	// as the words appear would otherwise land beside it.
	steady, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const b = document.querySelector("form.lesson-done button"), s = document.querySelector("form.lesson-done .done");
		const before = b.getBoundingClientRect().top, text = s.textContent;
		s.textContent = text ? "" : "Lección completada.";
		const after = b.getBoundingClientRect().top;
		s.textContent = text;
		return before === after;
	})()`))
	if err != nil || !steady {
		t.Fatalf("the lesson's button moves when the autosave's status appears (%v)", err)
	}
	run(t, ctx, submit("form.lesson-done"), onLesson(0, 1))
	if p := progress(); p != "25" {
		t.Fatalf("progress after one lesson: %s", p)
	}
	run(t, ctx, submit("form.lesson-done"), onLesson(1, 0))
	third := location(t, ctx)
	if p := progress(); p != "50" {
		t.Fatalf("progress after two lessons: %s", p)
	}
	// Leaves, and comes back: "My learning" resumes at the lesson being read.
	logout(t, ctx)
	login(t, ctx, app, "ana@example.org")
	run(t, ctx, chromedp.Navigate(app.URL+"/learning"), chromedp.WaitVisible(chromedp.CSS("a.button")))
	checkAccessibility(t, ctx)
	run(t, ctx, chromedp.Click(chromedp.CSS("a.button")), onLesson(1, 0))
	if loc := location(t, ctx); loc != third {
		t.Fatalf("resumed at %s, want %s", loc, third)
	}
	logout(t, ctx)

	// The instructor takes attendance on the roster.
	login(t, ctx, app, "docente@example.org")
	cohortURL := fmt.Sprintf("%s/teach/courses/%d/cohorts/%d", app.URL, co.ID, cohortID)
	run(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/sessions/%d", cohortURL, sessionID)), chromedp.WaitVisible(chromedp.CSS(`form[action$="/attendance"]`)))
	checkAccessibility(t, ctx)
	ana := app.mustUser("ana@example.org")
	// On a phone the roster scrolls sideways; a keyboard user focuses the radio and presses space.
	run(t, ctx, chromedp.Focus(chromedp.CSS(fmt.Sprintf("#att-%d-present", ana.ID))), chromedp.KeyEvent(" "), submit(`form[action$="/attendance"]`),
		waitText(`//div[contains(@class,"notice") and contains(., "Se guardó la asistencia.")]`))
	roster, _ := app.Store.Roster(ctx0, cohortID, sessionID)
	if len(roster) != 1 || roster[0].Status != courses.AttendancePresent || roster[0].ByCode {
		t.Fatalf("roster: %+v", roster)
	}

	// A CSV of 20 municipal officials: preview, then confirm.
	var b strings.Builder
	b.WriteString("email,full name,country,institution,sector,gender,language\n")
	for i := 1; i <= 20; i++ {
		fmt.Fprintf(&b, "funcionaria%02d@alcaldia.example,Funcionaria %02d,HN,Alcaldía de Tegucigalpa,local_government,woman,es\n", i, i)
	}
	file := filepath.Join(t.TempDir(), "funcionarios.csv")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, chromedp.Navigate(cohortURL), chromedp.WaitVisible(chromedp.CSS("#csv")))
	checkAccessibility(t, ctx)
	run(t, ctx, chromedp.SetUploadFiles(chromedp.CSS("#csv"), []string{file}), submit(`form[action$="/bulk"]`),
		waitText(`//h3[contains(., "Vista previa: 20 filas válidas")]`))
	checkAccessibility(t, ctx)
	run(t, ctx, submit(`form[action$="/bulk/confirm"]`), waitText(`//h2[contains(., "Se inscribieron 20 personas.")]`))
	checkAccessibility(t, ctx)
	report, err := app.Store.CohortReport(ctx0, co.ID, cohortID, time.Now())
	if err != nil || len(report) != 21 {
		t.Fatalf("cohort after the CSV: %d trainees, %v", len(report), err)
	}
}
