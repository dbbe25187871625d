package handlers_test

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

//go:embed testdata/axe-core/axe.min.js
var axeSource string

// browser starts Debian's chromium, headless, with a fresh profile and no network of its
// own, asking for pages in lang.
func browser(t *testing.T, lang string) context.Context {
	t.Helper()
	path := os.Getenv("AULA_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		t.Fatalf("no browser at %s: `make test` installs Debian's chromium (or set AULA_CHROMIUM)", path)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.DisableGPU,
		chromedp.Flag("no-sandbox", os.Geteuid() == 0), // chromium refuses to start as root with its sandbox on
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", lang),
		chromedp.Flag("accept-lang", lang),
		chromedp.WindowSize(390, 844), // a phone: Aula is read on phones first
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelCtx := chromedp.NewContext(actx)
	// The first run starts the browser and must have no timeout; the journey then gets one.
	if err := chromedp.Do(bctx); err != nil {
		cancelCtx()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(bctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// checkAccessibility runs axe-core on the current page and fails on any violation, whatever
// its impact: a moderate one (a page without a main heading, content outside landmarks) is
// as easy to keep out as a critical one, and is a real barrier to someone.
func checkAccessibility(t *testing.T, ctx context.Context) {
	t.Helper()
	for _, v := range axeViolations(t, ctx) {
		t.Errorf("axe on %s: %s", location(t, ctx), v)
	}
}

func axeViolations(t *testing.T, ctx context.Context) []string {
	t.Helper()
	url := location(t, ctx)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axeSource+";\ntrue")); err != nil {
		t.Fatalf("inject axe on %s: %v", url, err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe on %s: %v", url, err)
	}
	var violations []axeViolation
	if err := json.Unmarshal([]byte(raw), &violations); err != nil {
		t.Fatalf("axe result: %v", err)
	}
	var found []string
	for _, v := range violations {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprint(n.Target...))
		}
		found = append(found, fmt.Sprintf("%s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(where, ", ")))
	}
	return found
}

func TestAccessibilityCheckFindsViolations(t *testing.T) {
	ctx := browser(t, "en")
	bad := `data:text/html,<html><body><img src="x.png"><input type="text"><p style="color:%23eee">faint</p></body></html>`
	run(t, ctx, chromedp.Navigate(bad), chromedp.WaitReady(chromedp.CSS("input")))
	v := axeViolations(t, ctx)
	all := strings.Join(v, "\n")
	// Critical (image-alt, label), serious (color-contrast) and moderate (page-has-heading-one) alike.
	for _, rule := range []string{"image-alt", "label", "color-contrast", "page-has-heading-one"} {
		if !strings.Contains(all, rule+" (") {
			t.Errorf("axe did not report %s on a page that breaks it: %v", rule, v)
		}
	}
}

func run(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func submit(form string) chromedp.Action[chromedp.Void] {
	return chromedp.Click(chromedp.CSS(form + ` button[type=submit]`))
}

func TestBrowserTraineeRegistersLogsOutLogsInAndSwitchesLanguage(t *testing.T) {
	app := newTestApp(t)
	ctx := browser(t, "es-419")

	run(t, ctx, chromedp.Navigate(app.URL+"/"), chromedp.WaitVisible(chromedp.CSS("h1")))
	if h1 := text(t, ctx, "h1"); h1 != "Formación en seguridad ciudadana" {
		t.Fatalf("home in Spanish: %q", h1)
	}
	checkAccessibility(t, ctx)

	run(t, ctx, chromedp.Click(chromedp.CSS(`a[href="/register"]`)), chromedp.WaitVisible(chromedp.CSS(`form[action="/register"]`)))
	checkAccessibility(t, ctx)
	// Submitting with errors shows them next to the fields.
	run(t, ctx, chromedp.SendKeys(chromedp.CSS("#email"), "lucia@example.org"), submit(`form[action="/register"]`),
		chromedp.WaitVisible(chromedp.CSS("#full_name-error")))
	if msg := text(t, ctx, "#full_name-error"); msg != "Escriba su nombre completo." {
		t.Fatalf("name error: %q", msg)
	}
	checkAccessibility(t, ctx)

	run(t, ctx,
		chromedp.SendKeys(chromedp.CSS("#password"), "una contraseña bastante larga"),
		chromedp.SendKeys(chromedp.CSS("#full_name"), "Lucía Hernández"),
		chromedp.SetValue(chromedp.CSS("#country"), "GT"),
		chromedp.SendKeys(chromedp.CSS("#institution"), "Policía Nacional Civil"),
		chromedp.Click(chromedp.CSS(`input[name=sector][value=police]`)),
		chromedp.Click(chromedp.CSS(`input[name=gender][value=woman]`)),
		submit(`form[action="/register"]`),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)),
	)
	if notice := text(t, ctx, ".notice"); !strings.Contains(notice, "su cuenta ya está lista") {
		t.Fatalf("notice after registering: %q", notice)
	}
	checkAccessibility(t, ctx)

	login := func() {
		run(t, ctx,
			chromedp.SendKeys(chromedp.CSS("#email"), "lucia@example.org"),
			chromedp.SendKeys(chromedp.CSS("#password"), "una contraseña bastante larga"),
			submit(`form[action="/login"]`),
			chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)),
		)
	}
	login()
	if p := text(t, ctx, "main"); !strings.Contains(p, "Hola, Lucía Hernández.") {
		t.Fatalf("home after login: %q", p)
	}
	run(t, ctx, submit(`form[action="/logout"]`), chromedp.WaitVisible(chromedp.CSS(`a[href="/login"]`)))
	if notice := text(t, ctx, ".notice"); notice != "Cerró sesión." {
		t.Fatalf("notice after logout: %q", notice)
	}
	run(t, ctx, chromedp.Click(chromedp.CSS(`nav a[href="/login"]`)), chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)))
	login()

	run(t, ctx, chromedp.Click(chromedp.CSS(`a[href="/profile"]`)), chromedp.WaitVisible(chromedp.CSS(`form[action="/profile"]`)))
	checkAccessibility(t, ctx)
	// Switch to English with the switcher, as a keyboard user would: the arrow key moves from
	// Español to English, and with JavaScript on the change submits the form at once.
	run(t, ctx,
		chromedp.Focus(chromedp.CSS("#lang-select")),
		chromedp.KeyEvent(kb.ArrowDown),
		chromedp.WaitVisible(chromedp.Search(`//h1[text()="My profile"]`)),
	)
	lang, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("html"), "lang"))
	if err != nil || lang.Value != "en" {
		t.Fatalf("html lang after switching: %q, %v", lang.Value, err)
	}
	checkAccessibility(t, ctx)
	u, err := app.Store.UserByEmail(context.Background(), "lucia@example.org")
	if err != nil || u.Language != "en" || u.Country != "GT" || u.Sector != courses.SectorPolice || u.Gender != courses.GenderWoman {
		t.Fatalf("saved user: %+v, %v", u, err)
	}
}

func TestBrowserAdminPagesAreRefusedToAnonymousAndTrainees(t *testing.T) {
	app := newTestApp(t)
	app.user("ana@example.org", courses.RoleTrainee)
	app.user("admin@example.org", courses.RoleAdmin)
	ctx := browser(t, "en-US")

	run(t, ctx, chromedp.Navigate(app.URL+"/admin/users"), chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)))
	if loc := location(t, ctx); !strings.HasSuffix(loc, "/login?next=%2Fadmin%2Fusers") {
		t.Fatalf("anonymous on the admin page ended at %s", location(t, ctx))
	}

	run(t, ctx,
		chromedp.SendKeys(chromedp.CSS("#email"), "ana@example.org"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		submit(`form[action="/login"]`),
		chromedp.WaitVisible(chromedp.Search(`//h1[text()="Acceso denegado"]`)),
	)
	checkAccessibility(t, ctx)

	run(t, ctx, submit(`form[action="/logout"]`), chromedp.WaitVisible(chromedp.CSS(`a[href="/login"]`)),
		chromedp.Navigate(app.URL+"/login?next=%2Fadmin%2Fusers"), chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)),
		chromedp.SendKeys(chromedp.CSS("#email"), "admin@example.org"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		submit(`form[action="/login"]`),
		chromedp.WaitVisible(chromedp.CSS("table")),
	)
	checkAccessibility(t, ctx)
	run(t, ctx, chromedp.Click(chromedp.Search(`//a[text()="Test ana@example.org"]`)), chromedp.WaitVisible(chromedp.CSS(`form[action$="/role"]`)))
	checkAccessibility(t, ctx)
}
