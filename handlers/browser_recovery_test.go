package handlers_test

import (
	"context"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
	"github.com/chromedp/chromedp"
)

// sendMail starts a River client that sends the app's outbox through a real SMTP server on
// loopback, rendered as Aula renders it, and returns the server.
func sendMail(t *testing.T, app *testApp) *storetest.Mail {
	t.Helper()
	srv := storetest.NewMail(t, true, false)
	sender, err := store.NewSMTP(store.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: "starttls", TLSConfig: srv.Client,
		From: "Aula <aula@escuela.example>", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := app.Store.StartJobs(context.Background(), store.JobsConfig{PollInterval: 100 * time.Millisecond,
		Mail: store.MailConfig{Render: app.App.RenderEmail, Send: sender, RetryAfter: 100 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = jobs.Stop(ctx)
	})
	return srv
}

// A trainee who forgot her password asks for a link, follows it from the email that arrives,
// chooses a new password and signs in with it.
func TestBrowserTraineeRecoversHerAccountFromTheEmailedLink(t *testing.T) {
	app := newTestApp(t)
	app.user("ana@example.org", courses.RoleTrainee)
	mail := sendMail(t, app)
	ctx := browser(t, "es-419")

	run(t, ctx, chromedp.Navigate(app.URL+"/login"), chromedp.Click(chromedp.CSS(`a[href="/password/forgot"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/password/forgot"]`)))
	checkAccessibility(t, ctx)
	run(t, ctx, chromedp.SendKeys(chromedp.CSS("#email"), "Ana@Example.org"), submit(`form[action="/password/forgot"]`),
		waitText(`//*[contains(., "Si hay una cuenta con esa dirección")]`))
	checkAccessibility(t, ctx)

	got := mail.Wait(1, 20*time.Second)
	if got[0].To != "ana@example.org" || !got[0].TLS {
		t.Fatalf("delivered to %s (TLS %v)", got[0].To, got[0].TLS)
	}
	parts := got[0].Parts(t)
	link := regexp.MustCompile(`https?://\S+/password/set\?token=[A-Za-z0-9_-]+`).Find(parts["text/plain"])
	if link == nil || !regexp.MustCompile(`href="[^"]+/password/set\?token=`).Match(parts["text/html"]) {
		t.Fatalf("no link in the email:\n%s", got[0].Raw)
	}
	u, err := url.Parse(string(link))
	if err != nil {
		t.Fatal(err)
	}
	// The link names the configured base URL; the test's server listens elsewhere.
	run(t, ctx, chromedp.Navigate(app.URL+u.RequestURI()), chromedp.WaitVisible(chromedp.CSS(`form[action="/password/set"]`)))
	checkAccessibility(t, ctx)
	run(t, ctx, chromedp.SendKeys(chromedp.CSS("#password"), "mi clave nueva y bien larga"), submit(`form[action="/password/set"]`),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)))
	logout(t, ctx)
	run(t, ctx, chromedp.Navigate(app.URL+"/login"), chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)),
		chromedp.SendKeys(chromedp.CSS("#email"), "ana@example.org"), chromedp.SendKeys(chromedp.CSS("#password"), "mi clave nueva y bien larga"),
		submit(`form[action="/login"]`), chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)))
	checkAccessibility(t, ctx)
}
