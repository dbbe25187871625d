package handlers_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aula-school/aula/courses"
	"github.com/chromedp/chromedp"
)

func TestBrowserInstructorPastesGIFTPreviewsAndConfirms(t *testing.T) {
	app := newTestApp(t)
	owner := app.user("docente@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, false)
	ctx := browser(t, "es-419")
	page := fmt.Sprintf("%s/teach/courses/%d/questions/import", app.URL, co.ID)

	run(t, ctx, chromedp.Navigate(app.URL+"/login"), chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)),
		chromedp.SendKeys(chromedp.CSS("#email"), "docente@example.org"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		submit(`form[action="/login"]`), chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)),
		chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("textarea#text")))
	checkAccessibility(t, ctx)

	// A problem first: its line is shown, and nothing can be confirmed.
	run(t, ctx, chromedp.SetValue(chromedp.CSS("#text"), giftWithAnError), submit(`form[enctype="multipart/form-data"]`),
		waitText(`//li[contains(., "Línea 3")]`))
	checkAccessibility(t, ctx)

	gift := "$CATEGORY: Conceptos\n\n::Uno::¿Dos más dos?{=cuatro ~tres ~cinco}\n\n::Dos::La Tierra es redonda.{T}\n"
	run(t, ctx, chromedp.SetValue(chromedp.CSS("#text"), gift), submit(`form[enctype="multipart/form-data"]`),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/questions/import/confirm"]`)))
	if got := text(t, ctx, "table tbody"); !strings.Contains(got, "Uno") || !strings.Contains(got, "Verdadero o falso") {
		t.Errorf("preview: %q", got)
	}
	checkAccessibility(t, ctx)

	run(t, ctx, submit(`form[action$="/questions/import/confirm"]`), waitText(`//*[contains(., "Las preguntas se importaron al banco.")]`))
	checkAccessibility(t, ctx)
	if bank := bankOf(t, app, co.ID); len(bank) != 2 || bank[0].Category != "Conceptos" {
		t.Errorf("bank after confirming: %+v", bank)
	}
}
