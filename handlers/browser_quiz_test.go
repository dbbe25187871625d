package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// offline cuts the page off the network, or brings it back: requests fail and
// navigator.onLine says so, as on a phone that lost its signal.
func offline(t *testing.T, ctx context.Context, off bool) {
	t.Helper()
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{
		Offline: off, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		t.Fatal(err)
	}
}

func browserQuiz(t *testing.T) (*testApp, courses.Course, int64) {
	app := newTestApp(t)
	owner := app.user("docente@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	settings := courses.DefaultQuizSettings()
	settings.TimeLimit, settings.PerPage, settings.ShuffleOptions = 20*time.Minute, 0, false
	qs := everyType()
	quizID := quizOf(t, app, co, settings, qs[0], qs[2], qs[3], qs[4])
	app.enrolledClient("ana@example.org", co.ID, "es")
	return app, co, quizID
}

func waitSaved(slot int) chromedp.Action[chromedp.Void] {
	return waitText(fmt.Sprintf(`//p[@id="save-%d"][text()="Guardada"]`, slot))
}

func TestBrowserTraineeTakesATimedQuizThroughALostConnection(t *testing.T) {
	app, co, quizID := browserQuiz(t)
	ctx := browser(t, "es-419")
	login(t, ctx, app, "ana@example.org")
	run(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/courses/%s/quizzes/%d", app.URL, co.Slug, quizID)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/attempts"]`)))
	checkAccessibility(t, ctx)
	run(t, ctx, submit(`form[action$="/attempts"]`), chromedp.WaitVisible(chromedp.CSS("#attempt")))
	attempt := location(t, ctx)
	if d := text(t, ctx, "#deadline"); !strings.Contains(d, app.Clock.Now().Add(20*time.Minute).UTC().Format("15:04")) {
		t.Fatalf("deadline shown: %q", d)
	}
	checkAccessibility(t, ctx)

	// An answer is saved as it is given, and the page says so.
	run(t, ctx, chromedp.Click(chromedp.CSS(`#q0-0`)), waitSaved(0))
	// The connection drops: two more answers wait in the browser, and the page says so.
	offline(t, ctx, true)
	run(t, ctx, chromedp.Click(chromedp.CSS(`#q1-1`)), waitText(`//p[@id="save-1"][contains(text(), "Sin conexión")]`))
	run(t, ctx, chromedp.SendKeys(chromedp.CSS(`#q2`), "confianza"), chromedp.Click(chromedp.CSS(`#q0-1`)))
	// The connection comes back: they are sent in order and saved.
	offline(t, ctx, false)
	run(t, ctx, waitSaved(1), waitSaved(2), waitSaved(0))

	// A reload finds every answer.
	run(t, ctx, chromedp.Navigate(attempt), chromedp.WaitVisible(chromedp.CSS("#attempt")))
	checked, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`[...document.querySelectorAll("#attempt input:checked")].map(e => e.id).join(",") + "|" + document.getElementById("q2").value`))
	if err != nil || checked != "q0-1,q1-1|confianza" {
		t.Fatalf("after a reload: %q (%v)", checked, err)
	}
	run(t, ctx, chromedp.Click(chromedp.CSS(`button[value=summary]`)), waitText(`//h1[text()="Resumen de su intento"]`))
	if s := text(t, ctx, "main"); !strings.Contains(s, "3 de 4 preguntas respondidas.") {
		t.Fatalf("summary: %q", s)
	}
	checkAccessibility(t, ctx)
	run(t, ctx, submit(`form[action$="/finish"]`), waitText(`//h1[text()="Revisión del intento 1"]`))
	// The review, as the default policy shows it at once: score, marks, right answers, feedback.
	review := text(t, ctx, "main")
	for _, want := range []string{"Puntuación", "Respuesta correcta: Asegura la escena", secret + " general", "1 / 4 (25%) · no aprobado"} {
		if !strings.Contains(review, want) {
			t.Errorf("the review lacks %q:\n%s", want, review)
		}
	}
	checkAccessibility(t, ctx)
}

func TestBrowserTraineeTakesAQuizWithJavaScriptOff(t *testing.T) {
	app, co, quizID := browserQuiz(t)
	ctx := browser(t, "es-419")
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	login(t, ctx, app, "ana@example.org")
	run(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/courses/%s/quizzes/%d", app.URL, co.Slug, quizID)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/attempts"]`)),
		submit(`form[action$="/attempts"]`), chromedp.WaitVisible(chromedp.CSS("#attempt")),
		chromedp.Click(chromedp.CSS(`#q0-0`)), chromedp.Click(chromedp.CSS(`#q1-0`)), chromedp.SendKeys(chromedp.CSS(`#q2`), "confianza"),
		chromedp.Click(chromedp.CSS(`button[value=summary]`)), waitText(`//h1[text()="Resumen de su intento"]`))
	if s := text(t, ctx, "main"); !strings.Contains(s, "3 de 4 preguntas respondidas.") {
		t.Fatalf("summary without JavaScript: %q", s)
	}
	run(t, ctx, submit(`form[action$="/finish"]`), waitText(`//h1[text()="Revisión del intento 1"]`))
	if s := text(t, ctx, "main"); !strings.Contains(s, "3 / 4 (75%) · aprobado") {
		t.Fatalf("review without JavaScript: %q", s)
	}
	// axe is JavaScript itself: the page is checked with scripts back on, as it stands.
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false}); err != nil {
		t.Fatal(err)
	}
	checkAccessibility(t, ctx)
}
