package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aula-school/aula/courses"
)

// idAfter reads the id a redirect names after prefix ("/questions/12?lang=es" → 12).
func idAfter(t *testing.T, location, prefix string) int64 {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(prefix) + `(\d+)`).FindStringSubmatch(location)
	if m == nil {
		t.Fatalf("no id after %s in %q", prefix, location)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// questionForm is a multiple-choice question's form in one language, with its answers.
func questionForm(text string, answers [][2]string, keys ...string) url.Values {
	f := url.Values{"points": {"2"}, "text": {text}, "format": {"moodle"}, "single": {"one"}}
	for i, a := range answers {
		key := ""
		if i < len(keys) {
			key = keys[i]
		}
		f.Add("answer_key", key)
		f.Add("answer_text", a[0])
		f.Add("answer_weight", a[1])
		f.Add("answer_feedback", "")
	}
	return f
}

func TestInstructorWritesAQuestionInTwoLanguagesAndEachEditIsANewVersion(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, false)
	c := app.client("es")
	c.mustLogin("owner@example.org")
	ctx := context.Background()
	bank := fmt.Sprintf("/teach/courses/%d/questions", co.ID)

	if r := c.get(bank); r.Status != http.StatusOK || !strings.Contains(r.Body, "aún no tiene categorías") {
		t.Fatalf("empty bank: %d", r.Status)
	}
	r := c.post(bank+"/categories", url.Values{"name": {"Módulo 1"}})
	cat := idAfter(t, r.Location, "?category=")
	if r := c.get(fmt.Sprintf("%s/new?type=multichoice&category=%d", bank, cat)); r.Status != http.StatusOK || !strings.Contains(r.Body, `name="answer_weight"`) {
		t.Fatalf("new question form: %d", r.Status)
	}

	// Bad input: translated errors beside the fields, nothing written.
	bad := questionForm("", [][2]string{{"Sí", "1"}})
	bad.Set("type", "multichoice")
	bad.Set("category", fmt.Sprint(cat))
	r = c.post(bank, bad)
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Escriba la pregunta.") || !strings.Contains(r.Body, "Escriba al menos dos respuestas") {
		t.Fatalf("bad question: %d\n%s", r.Status, r.Body)
	}
	if list, _ := app.Store.Questions(ctx, co.ID, 0); len(list) != 0 {
		t.Fatal("a refused question was saved")
	}

	f := questionForm("¿Qué es la prevención situacional?", [][2]string{{"Cambiar el entorno", "1"}, {"Castigar más", "0"}, {"", "0"}})
	f.Set("type", "multichoice")
	f.Set("category", fmt.Sprint(cat))
	r = c.post(bank, f)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", r.Status, r.Body)
	}
	id := idAfter(t, r.Location, "/questions/")
	q, err := app.Store.BankQuestion(ctx, co.ID, id)
	if err != nil || q.Version != 1 || len(q.Question.Answers) != 2 || q.Question.Points != 2 {
		t.Fatalf("created: %+v %v", q, err)
	}

	// The English text, then an answer added in Spanish: the English texts follow.
	en := questionForm("What is situational prevention?", [][2]string{{"Changing the setting", "1"}, {"Harsher punishment", "0"}}, "0", "1")
	if r := c.post(fmt.Sprintf("%s/%d?lang=en", bank, id), en); r.Status != http.StatusSeeOther {
		t.Fatalf("English: %d\n%s", r.Status, r.Body)
	}
	// A form opened at version 1, sent after the English save made version 2, is not saved
	// over it: the page says someone else saved meanwhile.
	stale := questionForm("¿Vieja?", [][2]string{{"A", "1"}, {"B", "0"}}, "0", "1")
	stale.Set("version", "1")
	if r := c.post(fmt.Sprintf("%s/%d", bank, id), stale); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Alguien guardó esta pregunta") {
		t.Fatalf("a stale form: %d", r.Status)
	}
	es := questionForm("¿Qué es la prevención situacional?", [][2]string{{"Cambiar el entorno", "1"}, {"", "0"}, {"Iluminar las calles", "0.5"}}, "0", "1")
	es.Set("version", "2")
	if r := c.post(fmt.Sprintf("%s/%d", bank, id), es); r.Status != http.StatusSeeOther {
		t.Fatalf("Spanish edit: %d\n%s", r.Status, r.Body)
	}
	q, _ = app.Store.BankQuestion(ctx, co.ID, id)
	enAnswers := q.Question.Texts["en"].Answers
	if q.Version != 3 || len(q.Question.Answers) != 2 || q.Question.Answers[1].Weight != 0.5 || enAnswers[0].Text != "Changing the setting" || enAnswers[1].Text != "Iluminar las calles" {
		t.Fatalf("after the edits: version %d %+v", q.Version, q.Question)
	}
	// Saving without a change makes no version.
	same := c.get(fmt.Sprintf("%s/%d?lang=en", bank, id))
	if same.Status != http.StatusOK || !strings.Contains(same.Body, `value="Changing the setting"`) || !strings.Contains(same.Body, "versión 3") {
		t.Fatalf("English form: %d", same.Status)
	}
	if r := c.post(fmt.Sprintf("%s/%d?lang=en", bank, id), questionForm("What is situational prevention?", [][2]string{{"Changing the setting", "1"}, {"Iluminar las calles", "0.5"}}, "0", "1")); r.Status != http.StatusSeeOther {
		t.Fatalf("unchanged: %d", r.Status)
	}
	if q, _ = app.Store.BankQuestion(ctx, co.ID, id); q.Version != 3 {
		t.Fatalf("an unchanged form made version %d", q.Version)
	}

	// Duplicate, move, delete; a category with questions is not deleted.
	r = c.post(fmt.Sprintf("%s/%d/duplicate", bank, id), nil)
	copyID := idAfter(t, r.Location, "/questions/")
	other := idAfter(t, c.post(bank+"/categories", url.Values{"name": {"Módulo 2"}}).Location, "?category=")
	if r := c.post(fmt.Sprintf("%s/%d/move", bank, copyID), url.Values{"category": {fmt.Sprint(other)}}); r.Status != http.StatusSeeOther {
		t.Fatalf("move: %d", r.Status)
	}
	if moved, _ := app.Store.BankQuestion(ctx, co.ID, copyID); moved.CategoryID != other || moved.Version != 1 {
		t.Fatalf("moved: %+v", moved)
	}
	c.post(fmt.Sprintf("%s/categories/%d/delete", bank, other), nil)
	if page := c.get(bank); !strings.Contains(page.Body, "no se puede eliminar") || !strings.Contains(page.Body, "Módulo 2") {
		t.Fatal("a category in use was deleted, or the refusal not said")
	}
	c.post(fmt.Sprintf("%s/%d/delete", bank, copyID), nil)
	if list, _ := app.Store.Questions(ctx, co.ID, 0); len(list) != 1 {
		t.Fatalf("%d questions after deleting the copy", len(list))
	}
	page := c.get(bank)
	if page.Status != http.StatusOK || !strings.Contains(page.Body, "¿Qué es la prevención situacional?") || !strings.Contains(page.Body, "Opción múltiple") {
		t.Fatalf("bank: %d", page.Status)
	}
	// Every type's form opens.
	for _, typ := range courses.QuestionTypes {
		if r := c.get(fmt.Sprintf("%s/new?type=%s&category=%d", bank, typ, cat)); r.Status != http.StatusOK {
			t.Errorf("new %s: %d", typ, r.Status)
		}
	}
	if r := c.get(bank + "/new?type=cloze&category=1"); r.Status != http.StatusNotFound {
		t.Errorf("an unknown type: %d", r.Status)
	}
}

// quizCourse is the fixture course with a bank (two choices and an essay in one category)
// and a quiz at the end of its first module holding them all.
func quizCourse(t *testing.T, app *testApp, owner courses.User) (courses.Course, int64, []int64) {
	t.Helper()
	ctx := context.Background()
	co := app.importFixture(owner.ID, true)
	var ids []int64
	for _, q := range []courses.Question{
		{Type: courses.QuestionMultichoice, Single: true, Points: 1, Answers: []courses.Answer{{Weight: 1}, {Weight: 0}},
			Texts: map[string]courses.QuestionText{"es": {Text: "¿Uno?", Answers: []courses.AnswerText{{Text: "Sí"}, {Text: "No"}}}}},
		{Type: courses.QuestionTrueFalse, Points: 1, Answers: []courses.Answer{{Weight: 1}, {Weight: 0}},
			Texts: map[string]courses.QuestionText{"es": {Text: "¿Dos?", Answers: []courses.AnswerText{{}, {}}}}},
		{Type: courses.QuestionEssay, Points: 4, Texts: map[string]courses.QuestionText{"es": {Text: "Explique el enfoque."}}},
	} {
		id, err := app.Store.SaveQuestion(ctx, courses.BankQuestion{CourseID: co.ID, Category: "Banco", Question: q}, owner.ID)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	quiz, err := app.Store.SaveQuiz(ctx, co.ID, courses.Quiz{ModuleID: co.Modules[0].ID, Key: "prueba", Position: len(co.Modules[0].Lessons),
		Titles: map[string]string{"es": "Prueba"}, Settings: courses.DefaultQuizSettings(),
		Items: []courses.QuizItem{{QuestionID: ids[0]}, {QuestionID: ids[1]}, {QuestionID: ids[2]}}})
	if err != nil {
		t.Fatal(err)
	}
	return co, quiz, ids
}

func TestInstructorBuildsAQuizFromTheOutlineWithFixedAndDrawnQuestions(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co, _, ids := quizCourse(t, app, owner)
	ctx := context.Background()
	c := app.client("es")
	c.mustLogin("owner@example.org")
	base := fmt.Sprintf("/teach/courses/%d", co.ID)
	m := co.Modules[1]
	r := c.post(fmt.Sprintf("%s/modules/%d/quizzes", base, m.ID), url.Values{"title": {"Evaluación final"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("add quiz: %d", r.Status)
	}
	id := idAfter(t, r.Location, "/quizzes/")
	outline := c.get(base)
	if !strings.Contains(outline.Body, fmt.Sprintf(`href="%s/quizzes/%d"`, base, id)) || !strings.Contains(outline.Body, "Evaluación final") ||
		!strings.Contains(outline.Body, `href="`+base+`/questions"`) || !strings.Contains(outline.Body, `href="`+base+`/grading"`) {
		t.Fatal("the outline does not list the quiz, or the editor's navigation lacks the bank and grading")
	}
	q, err := app.Store.Quiz(ctx, co.ID, id)
	if err != nil || q.ModuleID != m.ID || q.Position != len(m.Lessons) || q.Settings != courses.DefaultQuizSettings() {
		t.Fatalf("new quiz: %+v %v", q, err)
	}

	// Settings with errors are refused field by field; then saved.
	quiz := fmt.Sprintf("%s/quizzes/%d", base, id)
	settings := url.Values{"title_es": {"Evaluación final"}, "title_en": {"Final test"}, "title_pt": {""}, "position": {"0"},
		"pass_mark": {"150"}, "attempts": {"2"}, "time_limit": {"30"}, "grace": {"2"}, "per_page": {"5"}, "navigation": {"sequential"},
		"grade_method": {"last"}, "review_answers": {"after_close"}, "review_correctness": {"immediately"}, "review_feedback": {"never"},
		"required": {"on"}, "opens_at": {""}, "closes_at": {""}}
	if r := c.post(quiz, settings); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "porcentaje entero de 0 a 100") {
		t.Fatalf("a pass mark of 150: %d", r.Status)
	}
	settings.Set("pass_mark", "60")
	if r := c.post(quiz, settings); r.Status != http.StatusSeeOther {
		t.Fatalf("settings: %d\n%s", r.Status, r.Body)
	}
	q, _ = app.Store.Quiz(ctx, co.ID, id)
	if q.Settings.PassMark != 60 || q.Settings.Attempts != 2 || q.Settings.Navigation != courses.NavigationSequential || q.Settings.ShuffleOptions ||
		q.Position != 0 || q.Titles["en"] != "Final test" || len(q.Titles) != 2 {
		t.Fatalf("saved: %+v", q)
	}

	// Items: a fixed question, two drawn from the category, reordered, one removed.
	cats, _ := app.Store.Categories(ctx, co.ID)
	c.post(quiz+"/items", url.Values{"question": {fmt.Sprint(ids[0])}})
	if r := c.post(quiz+"/items", url.Values{"question": {fmt.Sprint(ids[0])}}); r.Status != http.StatusSeeOther {
		t.Fatalf("the same question twice: %d", r.Status)
	}
	c.post(quiz+"/items", url.Values{"category": {fmt.Sprint(cats[0].ID)}, "count": {"2"}})
	c.post(quiz+"/items/move", url.Values{"item": {"1"}, "direction": {"up"}})
	q, _ = app.Store.Quiz(ctx, co.ID, id)
	if len(q.Items) != 2 || q.Items[0].CategoryID != cats[0].ID || q.Items[0].Count != 2 || q.Items[1].QuestionID != ids[0] {
		t.Fatalf("items: %+v", q.Items)
	}
	page := c.get(quiz)
	if page.Status != http.StatusOK || !strings.Contains(page.Body, "2 preguntas sorteadas de «Banco»") || !strings.Contains(page.Body, "Un intento muestra 3 preguntas") {
		t.Fatalf("quiz editor: %d", page.Status)
	}
	c.post(quiz+"/items/remove", url.Values{"item": {"0"}})
	if q, _ = app.Store.Quiz(ctx, co.ID, id); len(q.Items) != 1 {
		t.Fatalf("after removing: %+v", q.Items)
	}
	for _, bad := range []url.Values{{"item": {"7"}}, {"item": {"x"}}} {
		if r := c.post(quiz+"/items/remove", bad); r.Status != http.StatusBadRequest {
			t.Errorf("removing item %v: %d", bad, r.Status)
		}
	}
	// Unattempted, the quiz can be deleted.
	if r := c.post(quiz+"/delete", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d", r.Status)
	}
	if _, err := app.Store.Quiz(ctx, co.ID, id); err == nil {
		t.Fatal("the quiz is still there")
	}
}

func TestResultsGradingAnEssayAndGrantingExtraAttempts(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co, quizID, _ := quizCourse(t, app, owner)
	ctx := context.Background()
	cohort := defaultCohort(t, app, co.ID)
	trainee, err := app.Store.CreateUser(ctx, courses.Profile{FullName: "=HYPERLINK(\"http://x\")", Email: "ana@example.org", Country: "CR",
		Institution: "Policía", Sector: "police", Language: "es"}, testPassword, courses.RoleTrainee)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Store.Enrol(ctx, trainee.ID, cohort, "", app.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	now := app.Clock.Now()
	attempt, err := app.Store.StartAttempt(ctx, trainee.ID, co.ID, quizID, "es", now)
	if err != nil {
		t.Fatal(err)
	}
	saves := []courses.AnswerSave{{Slot: 0, Seq: 1, Response: courses.Response{Choices: []int{0}}}, {Slot: 1, Seq: 1, Response: courses.Response{Choices: []int{1}}},
		{Slot: 2, Seq: 1, Response: courses.Response{Text: "Prevenir antes\nque castigar."}}}
	if _, err := app.Store.SaveAnswers(ctx, trainee.ID, attempt, saves, now); err != nil {
		t.Fatal(err)
	}
	if err := app.Store.FinishAttempt(ctx, trainee.ID, attempt, now.Add(90_000_000_000)); err != nil {
		t.Fatal(err)
	}

	c := app.client("es")
	c.mustLogin("owner@example.org")
	base := fmt.Sprintf("/teach/courses/%d", co.ID)
	results := fmt.Sprintf("%s/quizzes/%d/results", base, quizID)
	r := c.get(results)
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "=HYPERLINK") || !strings.Contains(r.Body, "1 / 6") || !strings.Contains(r.Body, "Ensayo por calificar") ||
		!strings.Contains(r.Body, "1:30") {
		t.Fatalf("results: %d\n%s", r.Status, r.Body)
	}
	if r := c.get(fmt.Sprintf("%s?cohort=%d", results, cohort)); !strings.Contains(r.Body, "=HYPERLINK") {
		t.Fatal("the cohort's filter lost its trainee")
	}
	if r := c.get(results + "?cohort=999999"); r.Status != http.StatusNotFound {
		t.Fatalf("a cohort of no course: %d", r.Status)
	}
	csv := c.get(results + ".csv")
	if csv.Status != http.StatusOK || !strings.Contains(csv.Header.Get("Content-Type"), "text/csv") || !strings.Contains(csv.Body, `"'=HYPERLINK(""http://x"")"`) {
		t.Fatalf("CSV: %d\n%s", csv.Status, csv.Body)
	}

	// The queue holds the essay; marking it 4 of 4 points makes the score 5 of 6, passed.
	queue := c.get(base + "/grading")
	link := fmt.Sprintf("%s/attempts/%d#slot-2", base, attempt)
	if queue.Status != http.StatusOK || !strings.Contains(queue.Body, link) {
		t.Fatalf("grading queue: %d", queue.Status)
	}
	view := c.get(fmt.Sprintf("%s/attempts/%d", base, attempt))
	if view.Status != http.StatusOK || !strings.Contains(view.Body, "<p>Prevenir antes</p><p>que castigar.</p>") || !strings.Contains(view.Body, "Elegida:") {
		t.Fatalf("attempt: %d\n%s", view.Status, view.Body)
	}
	mark := fmt.Sprintf("%s/attempts/%d/slots/2", base, attempt)
	if r := c.post(mark, url.Values{"points": {"4,5"}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "de 0 a lo que vale la pregunta") {
		t.Fatalf("4.5 of 4 points: %d", r.Status)
	}
	if r := c.post(fmt.Sprintf("%s/attempts/%d/slots/0", base, attempt), url.Values{"points": {"1"}}); r.Status != http.StatusNotFound {
		t.Fatalf("marking a multiple-choice slot: %d", r.Status)
	}
	if r := c.post(mark, url.Values{"points": {"4"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("mark: %d", r.Status)
	}
	a, _ := app.Store.AttemptOfCourse(ctx, co.ID, attempt)
	if a.Score != 5 || a.Pending || !a.Passed {
		t.Fatalf("after marking: %+v", a)
	}
	if queue := c.get(base + "/grading"); strings.Contains(queue.Body, link) {
		t.Fatal("the marked essay is still in the queue")
	}

	// One extra attempt and ten minutes, listed with who and when; an unknown trainee is refused.
	r = c.post(fmt.Sprintf("%s/quizzes/%d/grants", base, quizID), url.Values{"email": {"ana@example.org"}, "extra_attempts": {"1"}, "extra_minutes": {"10"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("grant: %d", r.Status)
	}
	c.post(fmt.Sprintf("%s/quizzes/%d/grants", base, quizID), url.Values{"email": {"nobody@example.org"}, "extra_attempts": {"1"}})
	grants, _ := app.Store.QuizGrants(ctx, co.ID, quizID)
	if len(grants) != 1 || grants[0].Minutes != 10 || grants[0].GrantedBy != owner.FullName {
		t.Fatalf("grants: %+v", grants)
	}
	if r := c.get(results); !strings.Contains(r.Body, owner.FullName) || !strings.Contains(r.Body, "5 / 6") || !strings.Contains(r.Body, "Aprobado") {
		t.Fatal("the results page does not show the grant or the new score")
	}
	// An attempted quiz is not deleted, and says why.
	c.post(fmt.Sprintf("%s/quizzes/%d/delete", base, quizID), nil)
	if r := c.get(fmt.Sprintf("%s/quizzes/%d", base, quizID)); r.Status != http.StatusOK || !strings.Contains(r.Body, "no se puede eliminar sin perder sus resultados") {
		t.Fatalf("deleting an attempted quiz: %d", r.Status)
	}
}

// bankFixture gives a course a category holding an essay question, a quiz of it in moduleID,
// and a finished attempt (slot 0, waiting for its mark) by traineeID, enrolled here in cohortID.
func bankFixture(t *testing.T, app *testApp, courseID, moduleID, cohortID, ownerID, traineeID int64) (cat, question, quiz, attempt int64) {
	t.Helper()
	ctx := context.Background()
	var err error
	if cat, err = app.Store.CreateCategory(ctx, courseID, "Ensayos"); err != nil {
		t.Fatal(err)
	}
	essay := courses.Question{Type: courses.QuestionEssay, Points: 2, Texts: map[string]courses.QuestionText{"es": {Text: "Explique."}}}
	if question, err = app.Store.SaveQuestion(ctx, courses.BankQuestion{CourseID: courseID, CategoryID: cat, Question: essay}, ownerID); err != nil {
		t.Fatal(err)
	}
	if quiz, err = app.Store.SaveQuiz(ctx, courseID, courses.Quiz{ModuleID: moduleID, Key: "ensayo", Titles: map[string]string{"es": "Ensayo"},
		Settings: courses.DefaultQuizSettings(), Items: []courses.QuizItem{{QuestionID: question}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Store.Enrol(ctx, traineeID, cohortID, "", app.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if attempt, err = app.Store.StartAttempt(ctx, traineeID, courseID, quiz, "es", app.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Store.SaveAnswers(ctx, traineeID, attempt, []courses.AnswerSave{{Slot: 0, Seq: 1, Response: courses.Response{Text: "Porque."}}}, app.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := app.Store.FinishAttempt(ctx, traineeID, attempt, app.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	return cat, question, quiz, attempt
}
