package handlers_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/aula-school/aula/courses"
)

const giftWithAnError = "::Uno::¿Dos más dos?{=cuatro ~tres}\n\n::Dos::¿Y la Tierra?{=redonda ~plana\n\n::Tres::El cielo es azul.{T}\n"

// bankOf lists a course's bank as category and question, what a GIFT file carries.
func bankOf(t *testing.T, app *testApp, courseID int64) []courses.BankQuestion {
	t.Helper()
	bank, err := app.Store.Questions(context.Background(), courseID, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]courses.BankQuestion, len(bank))
	for i, q := range bank {
		out[i] = courses.BankQuestion{Category: q.Category, Question: q.Question}
	}
	return out
}

func TestGIFTImportReportsEachProblemOnItsLineAndWritesNothing(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, false)
	c := app.client("es")
	c.mustLogin("owner@example.org")
	base := fmt.Sprintf("/teach/courses/%d/questions/import", co.ID)

	if res := c.get(base); res.Status != http.StatusOK || !strings.Contains(res.Body, `action="`+base+`"`) {
		t.Fatalf("form: %d", res.Status)
	}
	res := c.post(base, url.Values{"text": {giftWithAnError}, "lang": {"es"}})
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("check: %d", res.Status)
	}
	body := html.UnescapeString(res.Body)
	if !strings.Contains(body, "Línea 3: La { que abre las respuestas no se cierra con una }.") {
		t.Errorf("the problem and its line are not shown:\n%s", body)
	}
	if strings.Contains(body, base+"/confirm") {
		t.Error("a text with problems can be confirmed")
	}
	// The confirmation checks again: a forged one writes nothing either.
	if res := c.post(base+"/confirm", url.Values{"text": {giftWithAnError}, "lang": {"es"}}); res.Status != http.StatusUnprocessableEntity {
		t.Errorf("confirming a text with problems: %d", res.Status)
	}
	if bank := bankOf(t, app, co.ID); len(bank) != 0 {
		t.Errorf("%d questions written", len(bank))
	}
	for name, form := range map[string]url.Values{
		"no text":            {"text": {"  "}, "lang": {"es"}},
		"a language missing": {"text": {"¿Sí?{T}"}, "lang": {"fr"}},
	} {
		if res := c.post(base, form); res.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d", name, res.Status)
		}
	}
}

func TestGIFTImportPreviewsThenConfirmsIntoTheBank(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, false)
	c := app.client("es")
	c.mustLogin("owner@example.org")
	base := fmt.Sprintf("/teach/courses/%d/questions/import", co.ID)
	gift := "$CATEGORY: Conceptos\n\n::Uno::¿Dos más dos?{=cuatro ~tres ~cinco}\n\n$CATEGORY: \n\n¿La Tierra es redonda?{T}\n"

	res := c.upload(base, "file", "preguntas.gift", []byte(gift), url.Values{"lang": {"es"}, "category": {"Repaso"}})
	if res.Status != http.StatusOK {
		t.Fatalf("check: %d\n%s", res.Status, res.Body)
	}
	for _, want := range []string{"<td>Uno</td>", "<td>Opción múltiple</td>", "<td>3</td>", "<td>Conceptos</td>", "<td>¿La Tierra es redonda?</td>", "<td>Repaso</td>"} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("preview lacks %s", want)
		}
	}
	if bank := bankOf(t, app, co.ID); len(bank) != 0 {
		t.Fatalf("the preview wrote %d questions", len(bank))
	}
	res = c.post(base+"/confirm", url.Values{"text": {gift}, "lang": {"es"}, "category": {"Repaso"}})
	if res.Status != http.StatusSeeOther || res.Location != base {
		t.Fatalf("confirm: %d to %q", res.Status, res.Location)
	}
	bank := bankOf(t, app, co.ID)
	if len(bank) != 2 || bank[0].Category != "Conceptos" || bank[1].Category != "Repaso" ||
		bank[0].Question.Texts["es"].Name != "Uno" || bank[1].Question.Type != courses.QuestionTrueFalse {
		t.Errorf("bank %+v", bank)
	}
	if res := c.get(base); !strings.Contains(res.Body, "Las preguntas se importaron al banco.") {
		t.Error("no word that the questions were imported")
	}
}

func TestGIFTImportMaySkipTheBadQuestionsAndImportTheRest(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, false)
	c := app.client("es")
	c.mustLogin("owner@example.org")
	base := fmt.Sprintf("/teach/courses/%d/questions/import", co.ID)
	form := url.Values{"text": {giftWithAnError}, "lang": {"es"}, "skip": {"on"}}
	res := c.post(base, form)
	if res.Status != http.StatusOK || !strings.Contains(html.UnescapeString(res.Body), "Línea 3") || !strings.Contains(res.Body, base+"/confirm") {
		t.Fatalf("check with skip: %d\n%s", res.Status, res.Body)
	}
	if res := c.post(base+"/confirm", form); res.Status != http.StatusSeeOther {
		t.Fatalf("confirm: %d", res.Status)
	}
	bank := bankOf(t, app, co.ID)
	if len(bank) != 2 || bank[0].Question.Texts["es"].Name != "Uno" || bank[1].Question.Texts["es"].Name != "Tres" || bank[0].Category != courses.DefaultCategory {
		t.Errorf("bank %+v", bank)
	}
}

func TestGIFTExportThenImportGivesTheSameBank(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	from := app.importFixture(owner.ID, false)
	ctx := context.Background()
	for _, q := range []courses.BankQuestion{
		{Category: "Conceptos", Question: courses.Question{Type: courses.QuestionMultichoice, Single: true, Points: 2,
			Answers: []courses.Answer{{Weight: 1}, {Weight: 0}},
			Texts: map[string]courses.QuestionText{"es": {Name: "Uno", Text: "¿Dos más dos?", Answers: []courses.AnswerText{{Text: "cuatro"}, {Text: "tres", Feedback: "No: {cuenta} otra vez"}}},
				"en": {Name: "One", Text: "Two plus two?", Answers: []courses.AnswerText{{Text: "four"}, {Text: "three"}}}}}},
		{Category: "Repaso", Question: courses.Question{Type: courses.QuestionEssay, Points: 5,
			Texts: map[string]courses.QuestionText{"es": {Text: "Describa su barrio."}, "en": {Text: "Describe your neighbourhood."}}}},
	} {
		q.CourseID = from.ID
		if _, err := app.Store.SaveQuestion(ctx, q, owner.ID); err != nil {
			t.Fatal(err)
		}
	}
	c := app.client("es")
	c.mustLogin("owner@example.org")
	res := c.get(fmt.Sprintf("/teach/courses/%d/questions/export.gift?lang=es", from.ID))
	if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") || !strings.Contains(res.Body, "$CATEGORY: Conceptos") {
		t.Fatalf("export: %d %q\n%s", res.Status, res.Header.Get("Content-Disposition"), res.Body)
	}

	to, err := app.Store.CreateCourse(ctx, owner.ID, courses.Course{Slug: "otro-curso", Audiences: []courses.Audience{courses.AudiencePolice},
		Level: courses.LevelIntroductory, Hours: 2, DefaultLanguage: "es", Texts: map[string]courses.CourseText{"es": {Title: "Otro curso"}}})
	if err != nil {
		t.Fatal(err)
	}
	if res := c.post(fmt.Sprintf("/teach/courses/%d/questions/import/confirm", to), url.Values{"text": {res.Body}, "lang": {"es"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("import of the export: %d\n%s", res.Status, res.Body)
	}
	want := bankOf(t, app, from.ID)
	for i := range want {
		want[i].Question.Texts = map[string]courses.QuestionText{"es": want[i].Question.Texts["es"]}
	}
	if got := bankOf(t, app, to); !reflect.DeepEqual(got, want) {
		t.Errorf("bank after the round trip:\n got %+v\nwant %+v", got, want)
	}
}
