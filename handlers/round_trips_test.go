package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
)

// maxReaderRoundTrips is what issue 7 allows the pages trainees read most, signed in, besides
// the sign-in (Redis): three statements sent to PostgreSQL.
const maxReaderRoundTrips = 3

// TestReaderPagesStayWithinTheirRoundTrips counts the statements each page trainees read most
// sends to PostgreSQL (store.CountStatements, which storetest turns on). Each page has the
// budget it costs today, so a change that adds a query fails here and says so, and no budget
// may pass the ceiling.
func TestReaderPagesStayWithinTheirRoundTrips(t *testing.T) {
	app := newTestApp(t)
	owner := app.user("owner@example.org", "instructor")
	co := app.importFixture(owner.ID, true)
	trainee := app.enrolledClient("ana@example.org", co.ID, "es")
	lessons := "/courses/" + co.Slug + "/lessons/"
	first := lessons + strconv.FormatInt(co.Modules[0].Lessons[0].ID, 10)
	second := lessons + strconv.FormatInt(co.Modules[0].Lessons[1].ID, 10)
	if r := trainee.get(first); r.Status != http.StatusOK {
		t.Fatalf("lesson: status %d", r.Status)
	}
	settings := courses.DefaultQuizSettings()
	quizID := quizOf(t, app, co, settings, everyType()...)
	attempt := start(t, trainee, co, quizID)
	tests := []struct {
		page   string
		path   string
		budget int
	}{
		{"catalog", "/courses", 1},
		{"catalog searched", "/courses?q=idiomas&language=es", 1},
		{"course page", "/courses/" + co.Slug, 1}, // the course, its outline and cohorts, the reader's place in it
		{"lesson page", second, 2},                // the course and the lesson; the place the trainee reached
		{"lesson page read again", second, 1},     // the place is already there
		{"my learning", "/learning", 1},           // courses and progress; upcoming sessions
		{"course image", "/courses/" + co.Slug + "/images/map.png", 1},
		{"quiz page", "/courses/" + co.Slug + "/quizzes/" + strconv.FormatInt(quizID, 10), 2}, // the course; the quiz and the attempts
		{"attempt page", attempt + "?page=2", 1},                                              // the attempt, whole
		{"attempt summary", attempt + "/summary", 1},
	}
	for _, tt := range tests {
		t.Run(tt.page, func(t *testing.T) {
			if tt.budget > maxReaderRoundTrips {
				t.Fatalf("budget %d is over the ceiling of %d", tt.budget, maxReaderRoundTrips)
			}
			before := app.Store.Statements()
			r := trainee.get(tt.path)
			n := int(app.Store.Statements() - before) // the user's row kept with the sign-in since the first page
			if r.Status != http.StatusOK {
				t.Fatalf("status %d\n%s", r.Status, r.Body)
			}
			t.Logf("%d statements", n)
			if n > tt.budget {
				t.Errorf("%s sent %d statements; its budget is %d", tt.path, n, tt.budget)
			}
		})
	}
}

// TestAFreeQuizPageTurnIsOneStatement holds the page turn without JavaScript (the submit that
// saves a page, and the page it redirects to), both requests together, to one statement: the
// save, which reads back what the next page shows (the user's row is kept with the sign-in).
// The page shown is the attempt as saved, and a reload reads it afresh.
func TestAFreeQuizPageTurnIsOneStatement(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", "instructor")
	co := app.importFixture(owner.ID, true)
	qs := everyType()
	quizID := quizOf(t, app, co, courses.DefaultQuizSettings(), qs[0], qs[2], qs[4])
	trainee := app.enrolledClient("ana@example.org", co.ID, "es")
	attempt := start(t, trainee, co, quizID)
	ids := optionIDs(trainee.get(attempt).Body, 0)
	if len(ids) < 2 {
		t.Fatalf("first question's options: %v", ids)
	}
	before := app.Store.Statements()
	res := trainee.post(attempt, url.Values{"page": {"0"}, "q0": {ids[1]}, "q0-shown": {"1"}, "action": {"next"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("next: %d to %q", res.Status, res.Location)
	}
	page := trainee.get(res.Location)
	if n := int(app.Store.Statements() - before); page.Status != http.StatusOK || n > 1 {
		t.Fatalf("the page turn: status %d, %d statements; the budget is 1", page.Status, n)
	}
	// Back to the first page: it shows the answer saved two submits ago, turned or reloaded.
	tf := optionIDs(page.Body, 1)
	res = trainee.post(attempt, url.Values{"page": {"1"}, "q1": {tf[0]}, "q1-shown": {"1"}, "action": {"prev"}})
	checked := regexp.MustCompile(`value="` + regexp.QuoteMeta(ids[1]) + `" checked`)
	for _, view := range []string{"turned", "reloaded"} {
		if p := trainee.get(res.Location); p.Status != http.StatusOK || !checked.MatchString(p.Body) {
			t.Fatalf("the first page, %s: status %d, answer not shown\n%s", view, p.Status, p.Body)
		}
	}
}

// TestAnAnswerSaveIsOneStatement holds JavaScript's save of one answer, made again and again
// during an exam: the save, which also says what a newer answer kept and whether the attempt
// was finished (on another instance, say) or its time is up (the user's row is kept with the
// sign-in).
func TestAnAnswerSaveIsOneStatement(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", "instructor")
	co := app.importFixture(owner.ID, true)
	settings := courses.DefaultQuizSettings()
	settings.TimeLimit = 30 * time.Minute
	qs := everyType()
	quizID := quizOf(t, app, co, settings, qs[0], qs[2], qs[4])
	trainee := app.enrolledClient("ana@example.org", co.ID, "es")
	attempt := start(t, trainee, co, quizID)
	ids := optionIDs(trainee.get(attempt).Body, 0)
	save := func(values url.Values) (int, map[string]any, int) {
		t.Helper()
		before := app.Store.Statements()
		res := trainee.post(attempt+"/answers", values)
		n := int(app.Store.Statements() - before)
		var body map[string]any
		if err := json.Unmarshal([]byte(res.Body), &body); err != nil {
			t.Fatalf("%d %s", res.Status, res.Body)
		}
		return res.Status, body, n
	}
	if st, body, n := save(url.Values{"q0": {ids[1]}, "seq0": {"2"}}); st != http.StatusOK || body["saved"] != true || body["remaining"] != float64(1800) || n > 1 {
		t.Fatalf("a save: %d %v, %d statements; the budget is 1", st, body, n)
	}
	// Seq 1 after 2 (a late request): not written, and the page is told the number kept.
	if st, body, _ := save(url.Values{"q0": {ids[0]}, "seq0": {"1"}}); st != http.StatusOK || body["saved"] != false || fmt.Sprint(body["stale"]) != "map[0:2]" {
		t.Fatalf("a stale save: %d %v", st, body)
	}
	a, err := app.Store.Attempt(context.Background(), app.mustUser("ana@example.org").ID, attemptID(t, attempt))
	if err != nil || a.Slots[0].Seq != 2 || a.Slots[0].Response == nil || len(a.Slots[0].Response.Choices) != 1 {
		t.Fatalf("kept: %+v (%v)", a.Slots[0], err)
	}
	// Finished elsewhere (another instance, whose finish this one does not see): the save says so.
	if _, err := app.sql(t).Exec(`UPDATE quiz_attempts SET finished_at = now() WHERE id = $1`, a.ID); err != nil {
		t.Fatal(err)
	}
	if st, body, _ := save(url.Values{"q0": {ids[0]}, "seq0": {"3"}}); st != http.StatusConflict || !strings.Contains(fmt.Sprint(body["message"]), "Este intento ya terminó") {
		t.Fatalf("a save of an attempt finished elsewhere: %d %v", st, body)
	}
}

// TestAnExamStartIsTwoStatements holds the start of an attempt (issue 12: a whole exam's
// trainees start within seconds) and the first page it leads to, both requests together (the
// user's row kept with the sign-in): the start's read (which checks the course and the enrolment: the course
// page's statement before) and its write, once this instance keeps the
// quiz's question versions (the first start reads them). The first page is the attempt as the
// start wrote it; the page after reads it afresh.
func TestAnExamStartIsTwoStatements(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", "instructor")
	co := app.importFixture(owner.ID, true)
	settings := courses.DefaultQuizSettings()
	settings.TimeLimit, settings.PerPage = 30*time.Minute, 1
	qs := everyType()
	quizID := quizOf(t, app, co, settings, qs[0], qs[2], qs[4])
	start(t, app.enrolledClient("bea@example.org", co.ID, "es"), co, quizID)
	trainee := app.enrolledClient("ana@example.org", co.ID, "es")
	// The examinee is on the quiz's page, with its start button, before 09:00.
	if r := trainee.get(fmt.Sprintf("/courses/%s/quizzes/%d", co.Slug, quizID)); r.Status != http.StatusOK {
		t.Fatalf("the quiz's page: %d", r.Status)
	}
	before := app.Store.Statements()
	attempt := start(t, trainee, co, quizID)
	page := trainee.get(attempt)
	if n := int(app.Store.Statements() - before); page.Status != http.StatusOK || n > 2 {
		t.Fatalf("the start and its first page: status %d, %d statements; the budget is 2", page.Status, n)
	}
	if !strings.Contains(page.Body, "Página 1 de 3") || len(optionIDs(page.Body, 0)) == 0 {
		t.Fatalf("the first page does not show the first question:\n%s", page.Body)
	}
	if again := trainee.get(attempt + "?page=2"); again.Status != http.StatusOK || len(optionIDs(again.Body, 1)) == 0 {
		t.Fatalf("the second page: %d\n%s", again.Status, again.Body)
	}
}
