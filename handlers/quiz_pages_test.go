package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/handlers"
	"github.com/aula-school/aula/store"
)

// secret marks every text the attempt page must not show: feedback of any kind.
const secret = "SECRETO"

func texts(text string, answers ...courses.AnswerText) map[string]courses.QuestionText {
	return map[string]courses.QuestionText{"es": {Text: text, GeneralFeedback: secret + " general", Answers: answers}}
}

// everyType is one question of each type, each with feedback the page must not show.
func everyType() []courses.Question {
	fb := func(text string) courses.AnswerText {
		return courses.AnswerText{Text: text, Feedback: secret + " " + text}
	}
	return []courses.Question{
		{Type: courses.QuestionMultichoice, Single: true, Points: 1, Answers: []courses.Answer{{Weight: 1}, {Weight: 0}, {Weight: -1}},
			Texts: texts("¿Qué hace primero la agente?", fb("Asegura la escena"), fb("Llama a la prensa"), fb("Se retira"))},
		{Type: courses.QuestionMultichoice, Points: 2, Answers: []courses.Answer{{Weight: 0.5}, {Weight: 0.5}, {Weight: -1}},
			Texts: texts("¿Qué indicadores miden la violencia?", fb("Tasa de homicidios"), fb("Encuestas de victimización"), fb("Número de patrullas"))},
		{Type: courses.QuestionTrueFalse, Points: 1, Answers: []courses.Answer{{Weight: 1}, {Weight: 0}},
			Texts: texts("La prevención terciaria atiende a quien ya cometió violencia.", courses.AnswerText{Feedback: secret + " v"}, courses.AnswerText{Feedback: secret + " f"})},
		{Type: courses.QuestionShortAnswer, Points: 1, IgnoreAccents: true, Answers: []courses.Answer{{Weight: 1}},
			Texts: texts("¿Qué valor da legitimidad a la policía?", fb("confianza"))},
		{Type: courses.QuestionNumerical, Points: 1, Answers: []courses.Answer{{Weight: 1, Value: 3.5, Tolerance: 0.1}},
			Texts: texts("¿Cuántas fuentes? (3,5)", courses.AnswerText{Feedback: secret + " n"})},
		{Type: courses.QuestionMatch, Points: 1, Answers: []courses.Answer{{}, {}, {Distractor: true}},
			Texts: texts("Relacione.", courses.AnswerText{Left: "Primaria", Text: "Toda la población"},
				courses.AnswerText{Left: "Terciaria", Text: "Quien ya ejerció violencia"}, courses.AnswerText{Text: "Nadie"})},
		{Type: courses.QuestionEssay, Points: 5, Texts: texts("Describa su plan.")},
	}
}

// quizOf puts questions in the bank of the course and a quiz of them at the end of its first module.
func quizOf(t testing.TB, app *testApp, co courses.Course, settings courses.QuizSettings, qs ...courses.Question) int64 {
	t.Helper()
	ctx := context.Background()
	var items []courses.QuizItem
	for _, q := range qs {
		id, err := app.Store.SaveQuestion(ctx, courses.BankQuestion{CourseID: co.ID, Category: "Módulo 1", Question: q}, co.OwnerID)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, courses.QuizItem{QuestionID: id})
	}
	id, err := app.Store.SaveQuiz(ctx, co.ID, courses.Quiz{ModuleID: co.Modules[0].ID, Key: "quiz", Position: len(co.Modules[0].Lessons),
		Titles: map[string]string{"es": "Cuestionario del módulo"}, Settings: settings, Items: items})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

var attemptPath = regexp.MustCompile(`^/courses/[a-z0-9-]+/attempts/([0-9]+)$`)

// start starts an attempt through the quiz page's form and returns the attempt's URL.
func start(t *testing.T, c *client, co courses.Course, quizID int64) string {
	t.Helper()
	res := c.post(fmt.Sprintf("/courses/%s/quizzes/%d/attempts", co.Slug, quizID), nil)
	if res.Status != http.StatusSeeOther || !attemptPath.MatchString(res.Location) {
		t.Fatalf("start: %d to %q\n%s", res.Status, res.Location, res.Body)
	}
	return res.Location
}

// optionIDs are the option values of a question on the page, in the order shown.
func optionIDs(body string, slot int) []string {
	re := regexp.MustCompile(fmt.Sprintf(`name="q%d" value="([^"]+)"`, slot))
	var out []string
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestTheAttemptPageHoldsNoAnswerKey(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	settings := courses.DefaultQuizSettings()
	settings.PerPage = 0 // every question on one page
	quizID := quizOf(t, app, co, settings, everyType()...)
	c := app.enrolledClient("trainee@example.org", co.ID, "es")
	page := c.get(start(t, c, co, quizID))
	if page.Status != http.StatusOK {
		t.Fatalf("attempt page: %d to %q", page.Status, page.Location)
	}
	for _, leak := range []string{secret, "weight", "fraction", "correct", "data-right", "class=\"right", "toleran", "3.5", "Distractor"} {
		if strings.Contains(page.Body, leak) {
			t.Errorf("the attempt page holds %q", leak)
		}
	}
	// Options are named by opaque ids, never by their index in the question.
	ids := optionIDs(page.Body, 0)
	if len(ids) != 3 {
		t.Fatalf("first question's options: %v", ids)
	}
	for _, id := range ids {
		if len(id) < 10 || strings.ContainsAny(id, "0123456789") && len(id) < 3 {
			t.Errorf("option value %q looks like an index", id)
		}
	}
	for _, text := range []string{"Asegura la escena", "Tasa de homicidios", "Verdadero", "Primaria", "Quien ya ejerció violencia", "Describa su plan."} {
		if !strings.Contains(page.Body, text) {
			t.Errorf("the page lacks %q", text)
		}
	}
}

func TestATraineeTakesAQuizWithoutJavaScript(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	qs := everyType()
	quizID := quizOf(t, app, co, courses.DefaultQuizSettings(), qs[0], qs[2], qs[4])
	c := app.enrolledClient("trainee@example.org", co.ID, "es")
	url0 := start(t, c, co, quizID)
	// Starting again continues the same attempt.
	if again := start(t, c, co, quizID); again != url0 {
		t.Fatalf("a second start gave %s, want %s", again, url0)
	}
	page := c.get(url0)
	right := ""
	for _, id := range optionIDs(page.Body, 0) {
		if strings.Contains(page.Body, `value="`+id+`"`) && regexp.MustCompile(`value="`+id+`"[^>]*><label[^>]*>Asegura`).MatchString(page.Body) {
			right = id
		}
	}
	if right == "" {
		t.Fatalf("no option for the right answer on the page:\n%s", page.Body)
	}
	// Anything besides the answers is ignored: a score, a deadline, a question not in the attempt.
	res := c.post(url0, url.Values{"page": {"0"}, "q0": {right}, "q0-shown": {"1"}, "action": {"next"},
		"score": {"100"}, "correct": {"1"}, "deadline": {"2099-01-01T00:00:00Z"}, "q7": {right}, "seq7": {"5"}})
	if res.Status != http.StatusSeeOther || !strings.HasSuffix(res.Location, "?page=2") {
		t.Fatalf("next: %d to %q", res.Status, res.Location)
	}
	page = c.get(res.Location)
	tf := optionIDs(page.Body, 1) // true first
	c.post(url0, url.Values{"page": {"1"}, "q1": {tf[0]}, "q1-shown": {"1"}, "action": {"next"}})
	res = c.post(url0, url.Values{"page": {"2"}, "q2": {"3,5"}, "action": {"summary"}})
	if !strings.HasSuffix(res.Location, "/summary") {
		t.Fatalf("summary: %d to %q", res.Status, res.Location)
	}
	summary := c.get(res.Location)
	if !strings.Contains(summary.Body, "3 de 3 preguntas respondidas") {
		t.Fatalf("summary:\n%s", summary.Body)
	}
	res = c.post(url0+"/finish", nil)
	if !strings.HasSuffix(res.Location, "/review") {
		t.Fatalf("finish: %d to %q", res.Status, res.Location)
	}
	c.post(url0+"/finish", nil) // a double click grades once
	review := c.get(res.Location)
	if !strings.Contains(review.Body, "3 / 3 (100%)") || !strings.Contains(review.Body, secret+" general") || strings.Contains(review.Body, "2099") {
		t.Fatalf("review:\n%s", review.Body)
	}
	// The course counts the quiz: passed.
	qp, err := app.Store.QuizPage(context.Background(), co.ID, quizID, app.mustUser("trainee@example.org").ID)
	if err != nil || len(qp.Attempts) != 1 || !qp.Attempts[0].Passed {
		t.Fatalf("attempts: %+v (%v), want one passed", qp.Attempts, err)
	}
	// The course's outline lists the quiz after its module's lessons, passed.
	coursePage := c.get("/courses/" + co.Slug)
	if !regexp.MustCompile(`Cuestionario: <a href="/courses/` + co.Slug + `/quizzes/[0-9]+"[^>]*>Cuestionario del módulo</a> <span class="done">\(aprobado\)`).MatchString(coursePage.Body) {
		t.Fatalf("the course page does not list the passed quiz:\n%s", coursePage.Body)
	}
	// Another user's attempt is not found.
	other := app.enrolledClient("otra@example.org", co.ID, "es")
	for _, p := range []string{url0, url0 + "/review", url0 + "/summary"} {
		if res := other.get(p); res.Status != http.StatusNotFound {
			t.Errorf("another user's %s: %d", p, res.Status)
		}
	}
	if res := other.post(url0+"/answers", url.Values{"q2": {"1"}}); res.Status != http.StatusNotFound {
		t.Errorf("another user's save: %d", res.Status)
	}
}

func TestSavesAfterTheDeadlineAreRefusedAndTheAttemptSurvivesANewInstanceAndAFlushedRedis(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	settings := courses.DefaultQuizSettings()
	settings.TimeLimit, settings.Grace, settings.PerPage = 20*time.Minute, time.Minute, 0
	qs := everyType()
	quizID := quizOf(t, app, co, settings, qs[3], qs[4])
	c := app.enrolledClient("trainee@example.org", co.ID, "es")
	attempt := start(t, c, co, quizID)
	save := func(c *client, values url.Values) (int, map[string]any) {
		res := c.post(attempt+"/answers", values)
		var body map[string]any
		_ = json.Unmarshal([]byte(res.Body), &body)
		return res.Status, body
	}
	// Out of order: seq 2 arrives before seq 1; the newer answer stays.
	// A character that cannot be saved (Word's soft line break) is dropped, not the answer.
	// The answer tells the page the seconds left, by the server's clock, for its countdown.
	if st, body := save(c, url.Values{"q0": {"confi\vanza"}, "seq0": {"2"}}); st != http.StatusOK || body["saved"] != true || body["remaining"] != float64(1200) {
		t.Fatalf("save: %d %v", st, body)
	}
	save(c, url.Values{"q0": {"miedo"}, "seq0": {"1"}})
	app.Clock.Advance(10 * time.Minute)
	save(c, url.Values{"q1": {"3,5"}, "seq1": {"1"}})

	// A second instance over the same PostgreSQL and Redis finds every answer and the deadline.
	second := app.secondInstance()
	c2 := *c
	c2.app = second
	page := c2.get(attempt)
	if !strings.Contains(page.Body, `value="confianza"`) || !strings.Contains(page.Body, `value="3,5"`) {
		t.Fatalf("the second instance lost answers:\n%s", page.Body)
	}
	deadline := app.Clock.Now().Add(10 * time.Minute).UTC().Format("15:04")
	if !strings.Contains(page.Body, deadline) {
		t.Fatalf("the second instance shows another deadline than %s", deadline)
	}
	// Redis loses every sign-in (this test's keys: other tests share the server): the trainee
	// signs in again and finds the same attempt.
	keys, err := app.Redis.Keys(context.Background(), app.Prefix+"*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("this test's Redis keys: %v (%v)", keys, err)
	}
	if err := app.Redis.Del(context.Background(), keys...).Err(); err != nil {
		t.Fatal(err)
	}
	if res := c.get(attempt); res.Status != http.StatusSeeOther {
		t.Fatalf("after the flush, signed out: %d", res.Status)
	}
	c.mustLogin("trainee@example.org")
	if res := c.post(fmt.Sprintf("/courses/%s/quizzes/%d/attempts", co.Slug, quizID), nil); res.Location != attempt {
		t.Fatalf("after signing in again: %s, want %s", res.Location, attempt)
	}
	// Within the grace period a save is kept; after it, refused, and the attempt is finished.
	app.Clock.Advance(10*time.Minute + 30*time.Second)
	if st, _ := save(c, url.Values{"q1": {"3.5"}, "seq1": {"2"}}); st != http.StatusOK {
		t.Fatalf("save in the grace period: %d", st)
	}
	app.Clock.Advance(time.Minute)
	if st, body := save(c, url.Values{"q1": {"4"}, "seq1": {"3"}}); st != http.StatusConflict || !strings.Contains(fmt.Sprint(body["message"]), "Se acabó el tiempo") {
		t.Fatalf("save after the grace period: %d %v", st, body)
	}
	// The page's own submit is refused too (through the attempt's shape this instance keeps),
	// and the attempt is finished with what was saved.
	if res := c.post(attempt, url.Values{"page": {"0"}, "q0": {"miedo"}, "action": {"next"}}); !strings.HasSuffix(res.Location, "/review") {
		t.Fatalf("a page submit after the grace period: %d to %q", res.Status, res.Location)
	}
	res := c.get(attempt)
	if !strings.HasSuffix(res.Location, "/review") {
		t.Fatalf("the overdue attempt: %d to %q", res.Status, res.Location)
	}
	review := c.get(res.Location)
	if !strings.Contains(review.Body, "2 / 2 (100%)") {
		t.Fatalf("the attempt was not finished with the saved answers:\n%s", review.Body)
	}
}

func TestASequentialQuizCannotGoBack(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	settings := courses.DefaultQuizSettings()
	settings.Navigation = courses.NavigationSequential
	qs := everyType()
	quizID := quizOf(t, app, co, settings, qs[3], qs[4], qs[0])
	c := app.enrolledClient("trainee@example.org", co.ID, "es")
	attempt := start(t, c, co, quizID)
	c.post(attempt, url.Values{"page": {"0"}, "q0": {"confianza"}, "action": {"next"}})
	for _, try := range []struct{ path, want string }{{attempt + "?page=1", "Página 2 de 3"}} {
		if page := c.get(try.path); !strings.Contains(page.Body, try.want) || strings.Contains(page.Body, "Página anterior") {
			t.Fatalf("%s shows another page than the second, or a way back", try.path)
		}
	}
	// A forged "previous", and a save of the page left, change nothing.
	if res := c.post(attempt, url.Values{"page": {"0"}, "q0": {"miedo"}, "seq0": {"9"}, "action": {"prev"}}); !strings.HasSuffix(res.Location, "?page=2") {
		t.Fatalf("prev went back: %s", res.Location)
	}
	// JavaScript's save of the page left: an answer newer than the one kept is refused for
	// itself (not "closed": the page the trainee is on goes on saving); one the page's submit
	// already numbered past (still queued when the trainee turned the page) is stale.
	if res := c.post(attempt+"/answers", url.Values{"q0": {"miedo"}, "seq0": {"10"}}); res.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "ya se salió de esta página") || strings.Contains(res.Body, `"closed"`) {
		t.Fatalf("JavaScript's save of the page left: %d %s", res.Status, res.Body)
	}
	if res := c.post(attempt+"/answers", url.Values{"q0": {"miedo"}, "seq0": {"1"}}); res.Status != http.StatusOK || !strings.Contains(res.Body, `"stale":{"0":`) {
		t.Fatalf("a queued save of the page left, numbered before its submit: %d %s", res.Status, res.Body)
	}
	a, err := app.Store.Attempt(context.Background(), app.mustUser("trainee@example.org").ID, attemptID(t, attempt))
	if err != nil || a.Slots[0].Response == nil || a.Slots[0].Response.Text != "confianza" {
		t.Fatalf("the page left was changed: %+v (%v)", a.Slots[0].Response, err)
	}
}

func attemptID(t *testing.T, path string) int64 {
	var id int64
	if _, err := fmt.Sscan(attemptPath.FindStringSubmatch(path)[1], &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// secondInstance is another app over the same PostgreSQL, Redis and clock, on its own port.
func (a *testApp) secondInstance() *testApp {
	a.t.Helper()
	app, err := handlers.New(handlers.Deps{Store: a.Store, Redis: a.Redis, SignIns: a.SignIns,
		Limiter: store.NewLimiter(a.Redis, a.Prefix, store.LoginLimits{PerAccount: 100, PerIP: 1000, Period: time.Minute}),
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)), Clock: a.Clock.Now})
	if err != nil {
		a.t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler())
	a.t.Cleanup(srv.Close)
	second := *a
	second.URL, second.App = srv.URL, app
	return &second
}
