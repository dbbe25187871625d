package handlers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/chromedp/chromedp"
)

// An admin who must have a second factor signs in, is taken to the set-up, adds the key to
// an "app" (the test, reading the key off the page), confirms it, keeps the recovery codes,
// signs out, and signs in again with the password and a fresh code.
func TestBrowserAdminSetsUpTwoFactorSignInAndSignsInWithACode(t *testing.T) {
	app := newTestApp(t, withTwoFactorRequired(courses.TwoFactorAdmins))
	app.user("admin@example.org", courses.RoleAdmin)
	ctx := browser(t, "es-419")

	login(t, ctx, app, "admin@example.org")
	run(t, ctx, chromedp.WaitVisible(chromedp.CSS("#two-factor-secret")))
	if loc := location(t, ctx); !strings.HasSuffix(loc, "/account/two-factor") {
		t.Fatalf("after the password: %s", loc)
	}
	// The QR code is an image of its own: waited for until it has loaded (or failed to).
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`new Promise(done => {
		const img = document.querySelector("img.qr");
		if (img.complete) { done(img.naturalWidth > 0); return; }
		img.addEventListener("load", () => done(img.naturalWidth > 0));
		img.addEventListener("error", () => done(false));
	})`, chromedp.EvalAwaitPromise))
	if err != nil || !loaded {
		t.Fatalf("the QR code did not load: %v", err)
	}
	checkAccessibility(t, ctx)
	secret := strings.ReplaceAll(text(t, ctx, "#two-factor-secret"), " ", "")

	run(t, ctx, chromedp.SendKeys(chromedp.CSS("#code"), app.appCode(secret)), submit(`form[action="/account/two-factor"]`),
		chromedp.WaitVisible(chromedp.CSS("ol.recovery-codes")))
	checkAccessibility(t, ctx)
	if codes := text(t, ctx, "ol.recovery-codes"); strings.Count(codes, "-") != 2*courses.RecoveryCodeCount {
		t.Fatalf("recovery codes: %q", codes)
	}
	run(t, ctx, chromedp.Click(chromedp.CSS(`main a[href="/account/two-factor"]`)), chromedp.WaitVisible(chromedp.CSS(".two-factor-on")))
	checkAccessibility(t, ctx)
	logout(t, ctx)

	// The code of the step the set-up used is spent: the app's next one is needed.
	app.Clock.Advance(30 * time.Second)
	run(t, ctx, chromedp.Navigate(app.URL+"/login?next=%2Faccount%2Ftwo-factor"), chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)),
		chromedp.SendKeys(chromedp.CSS("#email"), "admin@example.org"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		submit(`form[action="/login"]`), chromedp.WaitVisible(chromedp.CSS(`form[action="/login/code"]`)))
	checkAccessibility(t, ctx)
	run(t, ctx, chromedp.SendKeys(chromedp.CSS("#code"), "000000"), submit(`form[action="/login/code"]`),
		chromedp.WaitVisible(chromedp.CSS("#code-error")))
	checkAccessibility(t, ctx)
	run(t, ctx, chromedp.SendKeys(chromedp.CSS("#code"), app.appCode(secret)), submit(`form[action="/login/code"]`),
		chromedp.WaitVisible(chromedp.CSS(".two-factor-on")))
	if loc := location(t, ctx); !strings.HasSuffix(loc, "/account/two-factor") {
		t.Fatalf("after the code: %s", loc)
	}
	checkAccessibility(t, ctx)
	// From there on the school's pages open, and the profile links back to the page.
	run(t, ctx, chromedp.Click(chromedp.CSS(`nav a[href="/profile"]`)), chromedp.WaitVisible(chromedp.CSS(`main a[href="/account/two-factor"]`)))
	checkAccessibility(t, ctx)
}
