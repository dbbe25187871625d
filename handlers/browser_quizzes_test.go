package handlers_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/aula-school/aula/courses"
	"github.com/chromedp/chromedp"
)

// An instructor writes a question in the bank, builds a quiz of it from the outline, and
// reads its results and the grading queue: every page with zero axe-core violations.
func TestBrowserInstructorWritesAQuestionBuildsAQuizAndReadsItsResults(t *testing.T) {
	app := newTestApp(t)
	owner := app.user("docente@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	ctx := browser(t, "es-419")
	editor := app.URL + courseURLOf(co.ID)

	run(t, ctx, chromedp.Navigate(app.URL+"/login"), chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)),
		chromedp.SendKeys(chromedp.CSS("#email"), "docente@example.org"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		submit(`form[action="/login"]`), chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)))

	// The bank, reached from the editor's sub-navigation: a category, then a question.
	run(t, ctx, chromedp.Navigate(editor), chromedp.WaitVisible(chromedp.CSS(`nav.subnav a[href$="/questions"]`)),
		chromedp.Click(chromedp.CSS(`nav.subnav a[href$="/questions"]`)), chromedp.WaitVisible(chromedp.CSS("#category-name")))
	checkAccessibility(t, ctx)
	run(t, ctx, chromedp.SendKeys(chromedp.CSS("#category-name"), "Prevención"), submit(`form[action$="/questions/categories"]`),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/questions/new"]`)))
	run(t, ctx, chromedp.SetValue(chromedp.CSS("#type"), "multichoice"), submit(`form[action$="/questions/new"]`),
		chromedp.WaitVisible(chromedp.CSS("textarea#text")))
	checkAccessibility(t, ctx) // the question form, with its rows of answers
	run(t, ctx,
		chromedp.SendKeys(chromedp.CSS("textarea#text"), "¿Qué reduce la violencia en un barrio?"),
		chromedp.SendKeys(chromedp.CSS("#answer_text-0"), "Espacios públicos cuidados"),
		chromedp.SendKeys(chromedp.CSS("#answer_text-1"), "Más rejas"),
		submit(`form.stack`),
		waitText(`//div[contains(@class,"notice") and contains(., "Se guardó la pregunta.")]`))
	checkAccessibility(t, ctx) // the saved question, with its language tabs
	run(t, ctx, chromedp.Click(chromedp.CSS(`a[href$="?lang=pt"]`)), waitText(`//p[contains(., "Escribiendo en Português")]`))
	checkAccessibility(t, ctx)

	// A quiz added from the outline, with the question in it.
	run(t, ctx, chromedp.Navigate(editor), chromedp.WaitVisible(chromedp.CSS(`ol.outline-edit > li:nth-child(1) form[action$="/quizzes"]`)),
		chromedp.SendKeys(chromedp.CSS(`ol.outline-edit > li:nth-child(1) form[action$="/quizzes"] input[name=title]`), "Prueba del módulo"),
		submit(`ol.outline-edit > li:nth-child(1) form[action$="/quizzes"]`),
		chromedp.WaitVisible(chromedp.CSS("#pass_mark")))
	checkAccessibility(t, ctx) // the quiz editor
	run(t, ctx, submit(`form[action$="/items"]:has(#add-question)`),
		waitText(`//ol/li/a[contains(., "¿Qué reduce la violencia")]`))
	run(t, ctx, chromedp.Navigate(editor), waitText(`//ul[@class="quizzes"]//a[text()="Prueba del módulo"]`))
	checkAccessibility(t, ctx) // the outline with its quiz

	// A trainee's attempt, then the results and the grading queue.
	quizzes, err := app.Store.Quizzes(context.Background(), co.ID)
	if err != nil || len(quizzes) != 1 {
		t.Fatalf("quizzes: %+v %v", quizzes, err)
	}
	trainee := app.user("ana@example.org", courses.RoleTrainee)
	if _, err := app.Store.Enrol(context.Background(), trainee.ID, defaultCohort(t, app, co.ID), "", app.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	attempt, err := app.Store.StartAttempt(context.Background(), trainee.ID, co.ID, quizzes[0].ID, "es", app.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Store.FinishAttempt(context.Background(), trainee.ID, attempt, app.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, chromedp.Navigate(editor), chromedp.Click(chromedp.CSS(`ul.quizzes a[href$="/results"]`)),
		chromedp.WaitVisible(chromedp.CSS("#attempts")))
	if p := text(t, ctx, "main"); !strings.Contains(p, "Test ana@example.org") || !strings.Contains(p, "No aprobado") {
		t.Fatalf("results: %q", p)
	}
	checkAccessibility(t, ctx)
	run(t, ctx, chromedp.Click(chromedp.CSS(`td a[href*="/attempts/"]`)), waitText(`//h2[contains(., "Intento de Test ana@example.org")]`))
	checkAccessibility(t, ctx)
	run(t, ctx, chromedp.Click(chromedp.CSS(`nav.subnav a[href$="/grading"]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.subnav a[aria-current=page][href$="/grading"]`)))
	checkAccessibility(t, ctx)
}

func courseURLOf(id int64) string { return "/teach/courses/" + strconv.FormatInt(id, 10) }
