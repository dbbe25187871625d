package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
)

// reportCourse is the fixture course with a quiz whose title a spreadsheet would run, a
// trainee who did every lesson and passed it, and an in-person cohort with a session held,
// where a second trainee was present. It returns the course and the in-person cohort.
func reportCourse(t *testing.T, app *testApp, owner courses.User) (courses.Course, int64) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	co := app.importFixture(owner.ID, true)
	q, err := app.Store.SaveQuestion(ctx, courses.BankQuestion{CourseID: co.ID, Category: "Banco", Question: courses.Question{
		Type: courses.QuestionMultichoice, Single: true, Points: 1, Answers: []courses.Answer{{Weight: 1}, {Weight: 0}},
		Texts: map[string]courses.QuestionText{"es": {Text: "¿Uno?", Answers: []courses.AnswerText{{Text: "Sí"}, {Text: "No"}}}}}}, owner.ID)
	must(err)
	quiz, err := app.Store.SaveQuiz(ctx, co.ID, courses.Quiz{ModuleID: co.Modules[0].ID, Key: "prueba", Position: len(co.Modules[0].Lessons),
		Titles: map[string]string{"es": `=HYPERLINK("http://x")`}, Settings: courses.DefaultQuizSettings(), Items: []courses.QuizItem{{QuestionID: q}}})
	must(err)
	now := app.Clock.Now()
	ana := app.user("ana@example.org", courses.RoleTrainee)
	_, err = app.Store.Enrol(ctx, ana.ID, defaultCohort(t, app, co.ID), "", now)
	must(err)
	attempt, err := app.Store.StartAttempt(ctx, ana.ID, co.ID, quiz, "es", now)
	must(err)
	_, err = app.Store.SaveAnswers(ctx, ana.ID, attempt, []courses.AnswerSave{{Slot: 0, Seq: 1, Response: courses.Response{Choices: []int{0}}}}, now)
	must(err)
	must(app.Store.FinishAttempt(ctx, ana.ID, attempt, now))
	for _, m := range co.Modules {
		for _, l := range m.Lessons {
			_, err := app.Store.CompleteLesson(ctx, ana.ID, l.ID, now)
			must(err)
		}
	}
	sede, err := app.Store.SaveCohort(ctx, courses.Actor{}, courses.Cohort{CourseID: co.ID, Name: "Sede central", Mode: courses.ModeInPerson, Location: "San José",
		Policy: courses.PolicyOpen})
	must(err)
	luis := app.user("luis@example.org", courses.RoleTrainee)
	_, err = app.Store.Enrol(ctx, luis.ID, sede, "", now)
	must(err)
	session, err := app.Store.AddSession(ctx, courses.CohortSession{CohortID: sede, StartsAt: now.Add(-time.Hour), Minutes: 60, Place: "Aula 1"})
	must(err)
	_, err = app.Store.SetAttendance(ctx, sede, session, courses.Actor{UserID: owner.ID}, map[int64]courses.AttendanceStatus{luis.ID: courses.AttendancePresent}, now)
	must(err)
	return co, sede
}

// ownReport is reportCourse with its owner signed in, reading Spanish.
func ownReport(t *testing.T) (*testApp, courses.Course, int64, *client) {
	t.Helper()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co, sede := reportCourse(t, app, owner)
	c := app.client("es")
	c.mustLogin("owner@example.org")
	return app, co, sede, c
}

func TestCourseReportShowsTheFiguresToItsInstructorAndFiltersByCohort(t *testing.T) {
	t.Parallel()
	_, co, sede, c := ownReport(t)
	report := fmt.Sprintf("/teach/courses/%d/report", co.ID)

	r := c.get(report)
	if r.Status != http.StatusOK {
		t.Fatalf("report: %d\n%s", r.Status, r.Body)
	}
	for _, want := range []string{
		`href="` + report + `" aria-current="page"`, // the editor's navigation leads here
		"<caption>Inscripciones por estado</caption>", `<th scope="row">Inscrito</th><td>2</td>`,
		`<tfoot><tr><th scope="row">Total</th><td>2</td>`,
		// Ana did the 4 lessons, Luis none: one at 0 %, one at 100 %.
		`id="band-0">0 %</th><td>1</td>`, `id="band-5">100 %</th><td>1</td>`,
		`<th scope="row">Completaron</th><td>1</td>`, `<th scope="row">Tasa</th><td>50 %</td>`,
		`=HYPERLINK(&#34;http://x&#34;)</a></th><td>1</td><td>1</td><td>1</td><td>100 %</td><td>100 %</td><td>1</td><td>100 %</td><td>0</td>`,
		`<td>Sede central</td><td>Aula 1</td><td>1</td><td>1</td><td>0</td><td>100 %</td>`,
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the report lacks %s", want)
		}
	}
	if t.Failed() {
		t.Log(r.Body)
	}

	// The in-person cohort alone: Luis, present, at 0 %; nobody attempted the quiz.
	r = c.get(fmt.Sprintf("%s?cohort=%d", report, sede))
	if r.Status != http.StatusOK || !strings.Contains(r.Body, fmt.Sprintf(`<option value="%d" selected>`, sede)) ||
		!strings.Contains(r.Body, `<th scope="row">Total</th><td>1</td>`) || !strings.Contains(r.Body, `<th scope="row">Completaron</th><td>0</td>`) ||
		!strings.Contains(r.Body, `<td>0</td><td>0</td><td>0</td><td>—</td><td>—</td><td>0</td><td>—</td><td>0</td>`) ||
		!strings.Contains(r.Body, fmt.Sprintf(`href="%s.csv?cohort=%d"`, report, sede)) {
		t.Fatalf("the cohort's report: %d\n%s", r.Status, r.Body)
	}
}

func TestCourseReportCSVHasABOMATranslatedHeaderAndNeutralisedTitles(t *testing.T) {
	t.Parallel()
	_, co, sede, c := ownReport(t)
	r := c.get(fmt.Sprintf("/teach/courses/%d/report.csv", co.ID))
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(r.Header.Get("Content-Disposition"), `filename="three-languages-report.csv"`) {
		t.Fatalf("CSV: %d %v", r.Status, r.Header)
	}
	if !strings.HasPrefix(r.Body, "\ufeffSección,Elemento,Medida,Valor\r\n") {
		t.Fatalf("no BOM or header: %q", r.Body[:min(len(r.Body), 80)])
	}
	for _, want := range []string{
		"Inscripciones,Inscrito,Cantidad,2\r\n", "Avance,100 %,Participantes,1\r\n", "Finalización,Completaron,Tasa,50\r\n",
		// The quiz's title starts with "=": a spreadsheet shows it, and does not run it.
		`Cuestionarios,"'=HYPERLINK(""http://x"") (#`, `)",Tasa de aprobación,100` + "\r\n",
		"Sede central · Aula 1,Tasa,100\r\n",
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the CSV lacks %q", want)
		}
	}
	if strings.Contains(r.Body, `,"=HYPERLINK`) {
		t.Error("a formula went out live")
	}
	if t.Failed() {
		t.Log(r.Body)
	}
	r = c.get(fmt.Sprintf("/teach/courses/%d/report.csv?cohort=%d", co.ID, sede))
	if r.Status != http.StatusOK || !strings.Contains(r.Header.Get("Content-Disposition"), fmt.Sprintf("report-cohort-%d.csv", sede)) ||
		!strings.Contains(r.Body, "Inscripciones,Total,Cantidad,1\r\n") {
		t.Fatalf("the cohort's CSV: %d\n%s", r.Status, r.Body)
	}
	// In Portuguese, the header and the page.
	c.post("/language", url.Values{"lang": {"pt"}, "next": {"/"}})
	if r := c.get(fmt.Sprintf("/teach/courses/%d/report.csv", co.ID)); !strings.HasPrefix(r.Body, "\ufeffSeção,Item,Medida,Valor\r\n") ||
		!strings.Contains(r.Body, "Inscrições,Inscrito,Quantidade,2\r\n") {
		t.Fatalf("the CSV in Portuguese: %q", r.Body[:min(len(r.Body), 120)])
	}
	if r := c.get(fmt.Sprintf("/teach/courses/%d/report", co.ID)); !strings.Contains(r.Body, "lições do curso: 4") || !strings.Contains(r.Body, "Relatório do curso") {
		t.Fatalf("the report in Portuguese:\n%s", r.Body)
	}
}

func TestCourseReportIsRefusedToOtherInstructorsAndTraineesAndAnotherCoursesCohortIsNotFound(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ctx := context.Background()
	owner := app.user("owner@example.org", courses.RoleInstructor)
	other := app.user("other@example.org", courses.RoleInstructor)
	co, sede := reportCourse(t, app, owner)
	otherCourse, err := app.Store.CreateCourse(ctx, other.ID, courses.Course{Slug: "otro-curso", Audiences: []courses.Audience{courses.AudiencePolice},
		Level: courses.LevelIntroductory, Hours: 2, DefaultLanguage: "es", Texts: map[string]courses.CourseText{"es": {Title: "Otro curso"}}})
	if err != nil {
		t.Fatal(err)
	}
	otherCohort := defaultCohort(t, app, otherCourse)
	report := fmt.Sprintf("/teach/courses/%d/report", co.ID)
	paths := []string{report, report + ".csv", fmt.Sprintf("%s?cohort=%d", report, sede), fmt.Sprintf("%s.csv?cohort=%d", report, sede)}

	others := app.client("es")
	others.mustLogin("other@example.org")
	trainees := app.client("es")
	trainees.mustLogin("ana@example.org")
	for _, p := range paths {
		for who, c := range map[string]*client{"another instructor": others, "a trainee": trainees} {
			if r := c.get(p); r.Status != http.StatusForbidden || strings.Contains(r.Body, "Sede central") || strings.Contains(r.Body, "HYPERLINK") {
				t.Errorf("%s as %s: %d", p, who, r.Status)
			}
		}
	}
	// The other instructor's own course report opens; its owner's cohort is not found under ours.
	if r := others.get(fmt.Sprintf("/teach/courses/%d/report", otherCourse)); r.Status != http.StatusOK {
		t.Errorf("the other instructor's own report: %d", r.Status)
	}
	owners := app.client("es")
	owners.mustLogin("owner@example.org")
	for _, q := range []string{fmt.Sprint(otherCohort), "999999", "abc", "-1"} {
		for _, p := range []string{report, report + ".csv"} {
			if r := owners.get(p + "?cohort=" + q); r.Status != http.StatusNotFound {
				t.Errorf("%s?cohort=%s: %d, want 404", p, q, r.Status)
			}
		}
	}
	admin := app.user("admin@example.org", courses.RoleAdmin)
	admins := app.client("es")
	admins.mustLogin(admin.Email)
	if r := admins.get(report); r.Status != http.StatusOK {
		t.Errorf("an administrator: %d", r.Status)
	}
}
