package handlers_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aula-school/aula/courses"
	"github.com/chromedp/chromedp"
)

// A trainee goes from the profile to the notifications page, unticks the quiz notices and
// saves: the page comes back saying so, with the box unticked.
func TestBrowserTraineeTurnsOffQuizNotices(t *testing.T) {
	app := newTestApp(t)
	u := app.user("ana@example.org", courses.RoleTrainee)
	ctx := browser(t, "pt-BR")
	login(t, ctx, app, u.Email)
	run(t, ctx, chromedp.Navigate(app.URL+"/profile"), chromedp.Click(chromedp.CSS(`a[href="/profile/notifications"]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[value="quizzes"]`)))
	checkAccessibility(t, ctx)
	run(t, ctx, chromedp.Click(chromedp.CSS(`input[value="quizzes"]`)), submit(`form[action="/profile/notifications"]`),
		chromedp.WaitVisible(chromedp.CSS(`.notice.ok[role=status]`)))
	checkAccessibility(t, ctx)
	checked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('input[value="quizzes"]').checked`))
	if err != nil {
		t.Fatal(err)
	}
	var off []courses.NotificationGroup
	off, err = app.Store.NotificationsOff(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if checked || !slices.Equal(off, []courses.NotificationGroup{courses.NotifyQuizzes}) {
		t.Errorf("after saving: box checked %v, off %v", checked, off)
	}
}
