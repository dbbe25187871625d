package handlers_test

import (
	"strings"
	"testing"

	"github.com/aula-school/aula/courses"
	"github.com/chromedp/chromedp"
)

// waitText waits until an element matching the XPath condition is visible.
func waitText(xpath string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.Search(xpath))
}

func TestBrowserInstructorAuthorsACourseAndATraineeReadsItInPortuguese(t *testing.T) {
	app := newTestApp(t)
	app.user("docente@example.org", courses.RoleInstructor)
	app.user("trainee@example.org", courses.RoleTrainee)
	ctx := browser(t, "es-419")

	run(t, ctx, chromedp.Navigate(app.URL+"/login"), chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)),
		chromedp.SendKeys(chromedp.CSS("#email"), "docente@example.org"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		submit(`form[action="/login"]`), chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)),
		chromedp.Click(chromedp.CSS(`nav a[href="/teach"]`)), chromedp.WaitVisible(chromedp.CSS(`a[href="/teach/courses/new"]`)))
	checkAccessibility(t, ctx)

	// Create the course.
	run(t, ctx, chromedp.Click(chromedp.CSS(`a[href="/teach/courses/new"]`)), chromedp.WaitVisible(chromedp.CSS(`form[action="/teach/courses"]`)))
	checkAccessibility(t, ctx)
	run(t, ctx,
		chromedp.SendKeys(chromedp.CSS("#title"), "Prevención comunitaria de la violencia"),
		chromedp.SendKeys(chromedp.CSS("#summary"), "Herramientas prácticas para prevenir la violencia en el barrio."),
		chromedp.Click(chromedp.CSS(`input[name=audiences][value=police]`)),
		chromedp.Click(chromedp.CSS(`input[name=audiences][value=media]`)),
		chromedp.SetValue(chromedp.CSS("#hours"), "6"),
		submit(`form[action="/teach/courses"]`),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/modules"]`)),
	)
	editor := location(t, ctx)
	if !strings.Contains(editor, "/teach/courses/") {
		t.Fatalf("after creating: %s", editor)
	}
	checkAccessibility(t, ctx)

	addModule := func(title string) {
		run(t, ctx, chromedp.SendKeys(chromedp.CSS("#module_title"), title), submit(`form[action$="/modules"]`),
			chromedp.WaitVisible(chromedp.CSS(`input[value="`+title+`"]`)))
	}
	addModule("Entender la violencia")
	addModule("Actuar en el barrio")

	// A lesson: write, preview, save.
	checkedPreview := false
	addLesson := func(module int, title, body string) {
		run(t, ctx, chromedp.Navigate(editor), chromedp.WaitVisible(chromedp.CSS(`form[action$="/modules"]`)))
		sel := `ol.outline-edit > li:nth-child(` + string(rune('0'+module)) + `) form[action$="/lessons"]`
		run(t, ctx, chromedp.SendKeys(chromedp.CSS(sel+` input[name=title]`), title), submit(sel),
			chromedp.WaitVisible(chromedp.CSS("textarea#body")))
		if body != "" {
			run(t, ctx, chromedp.SendKeys(chromedp.CSS("textarea#body"), body),
				chromedp.Click(chromedp.CSS(`button[value=preview]`)),
				chromedp.WaitVisible(chromedp.CSS("section.preview")))
			if !checkedPreview { // the lesson editor with its preview, once
				checkAccessibility(t, ctx)
				checkedPreview = true
			}
			run(t, ctx, chromedp.Click(chromedp.CSS(`button[value=save]`)),
				waitText(`//div[contains(@class,"notice") and contains(., "Se guardó la lección.")]`))
		}
	}
	addLesson(1, "Factores de riesgo", "## Qué son\n\nLos **factores de riesgo** aumentan la probabilidad de violencia.\n\n- Desempleo juvenil\n- Armas en el hogar")
	addLesson(1, "Factores de protección", "Los factores de protección reducen el riesgo.")
	addLesson(2, "Mapear el barrio", "Un mapa comunitario muestra dónde y cuándo.")

	// The Portuguese translation: the course's texts side by side, then one lesson.
	run(t, ctx, chromedp.Navigate(editor), chromedp.WaitVisible(chromedp.CSS(`nav.subnav a[href$="/translations"]`)),
		chromedp.Click(chromedp.CSS(`nav.subnav a[href$="/translations"]`)), chromedp.WaitVisible(chromedp.CSS(`a[href$="/translations/pt"]`)))
	checkAccessibility(t, ctx) // a page of the editor with its sub-navigation
	run(t, ctx,
		chromedp.Click(chromedp.CSS(`a[href$="/translations/pt"]`)), chromedp.WaitVisible(chromedp.CSS(`form[action$="/translations/pt"]`)))
	checkAccessibility(t, ctx)
	run(t, ctx,
		chromedp.SendKeys(chromedp.CSS("#title"), "Prevenção comunitária da violência"),
		chromedp.SendKeys(chromedp.CSS("#summary"), "Ferramentas práticas para prevenir a violência no bairro."),
		chromedp.SendKeys(chromedp.CSS(`tbody tr:nth-child(3) input`), "Entender a violência"),
		chromedp.SendKeys(chromedp.CSS(`tbody tr:nth-child(4) input`), "Agir no bairro"),
		submit(`form[action$="/translations/pt"]`),
		waitText(`//div[contains(@class,"notice") and contains(., "Se guardó la traducción.")]`),
	)
	run(t, ctx, chromedp.Click(chromedp.CSS(`nav.subnav a[href$="`+editor[strings.Index(editor, "/teach/"):]+`"]`)),
		chromedp.Click(chromedp.CSS(`ol.outline-edit > li:nth-child(1) ol a`)), chromedp.WaitVisible(chromedp.CSS("textarea#body")),
		chromedp.Click(chromedp.CSS(`a[href$="?lang=pt"]`)), waitText(`//h2[contains(., "Escribiendo en Português")]`))
	checkAccessibility(t, ctx) // side by side with the Spanish original
	run(t, ctx,
		chromedp.SendKeys(chromedp.CSS("#title"), "Fatores de risco"),
		chromedp.SendKeys(chromedp.CSS("textarea#body"), "## O que são\n\nOs **fatores de risco** aumentam a probabilidade de violência."),
		chromedp.Click(chromedp.CSS(`button[value=save]`)),
		waitText(`//div[contains(@class,"notice") and contains(., "Se guardó la lección.")]`),
	)

	// Preview as a trainee, then publish.
	run(t, ctx, chromedp.Navigate(editor), chromedp.WaitVisible(chromedp.CSS(`a[href$="/preview"]`)),
		chromedp.Click(chromedp.CSS(`a[href$="/preview"]`)), chromedp.WaitVisible(chromedp.CSS("ol.syllabus")))
	if p := text(t, ctx, "main"); !strings.Contains(p, "Vista previa") || !strings.Contains(p, "Mapear el barrio") {
		t.Fatalf("preview: %q", p)
	}
	checkAccessibility(t, ctx)
	run(t, ctx, chromedp.Navigate(editor), chromedp.WaitReady(chromedp.CSS(`form[action$="/status"] input[value=published]`)),
		submit(`form[action$="/status"]:has(input[value=published])`),
		waitText(`//div[contains(@class,"notice") and contains(., "El curso está publicado")]`))
	// Every other page of the editor, reached by its sub-navigation.
	for _, tab := range []string{"/details", "/images", "/instructors", "/cohorts"} {
		run(t, ctx, chromedp.Click(chromedp.CSS(`nav.subnav a[href$="`+tab+`"]`)),
			chromedp.WaitVisible(chromedp.CSS(`nav.subnav a[aria-current=page][href$="`+tab+`"]`)))
		checkAccessibility(t, ctx)
	}
	run(t, ctx, submit(`form[action="/logout"]`), chromedp.WaitVisible(chromedp.CSS(`a[href="/login"]`)))

	// A trainee who reads Portuguese finds it by audience and language, enrols, and reads a lesson.
	run(t, ctx, chromedp.Navigate(app.URL+"/login"), chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)),
		chromedp.SendKeys(chromedp.CSS("#email"), "trainee@example.org"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		submit(`form[action="/login"]`), chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)))
	run(t, ctx, chromedp.Navigate(app.URL+"/courses"), chromedp.WaitVisible(chromedp.CSS("form.filters")),
		chromedp.SetValue(chromedp.CSS("#audience"), "media"),
		chromedp.SetValue(chromedp.CSS("select#language"), "pt"),
		submit("form.filters"),
		chromedp.WaitVisible(chromedp.Search(`//h2/a[text()="Prevenção comunitária da violência"]`)),
	)
	checkAccessibility(t, ctx)
	run(t, ctx, chromedp.Click(chromedp.Search(`//h2/a[text()="Prevenção comunitária da violência"]`)),
		chromedp.WaitVisible(chromedp.CSS("ol.syllabus")))
	checkAccessibility(t, ctx)
	run(t, ctx, submit(`form[action$="/enrol"]`), chromedp.WaitVisible(chromedp.CSS(`form[action$="/withdraw"]`)))
	run(t, ctx, chromedp.Click(chromedp.Search(`//ol[@class="syllabus"]//a[text()="Fatores de risco"]`)),
		chromedp.WaitVisible(chromedp.CSS("article.lesson h2")))
	if h := text(t, ctx, "article.lesson"); !strings.Contains(h, "Os fatores de risco aumentam a probabilidade de violência.") {
		t.Fatalf("lesson in Portuguese: %q", h)
	}
	checkAccessibility(t, ctx)
	run(t, ctx, chromedp.Click(chromedp.CSS(`a[rel=next]`)), waitText(`//h1[text()="Factores de protección"]`))
}
