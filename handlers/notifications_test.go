package handlers_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
	goical "github.com/emersion/go-ical"
)

func TestNotificationsPageSavesWhatTheUserTurnsOff(t *testing.T) {
	app := newTestApp(t)
	u := app.user("rosa@example.org", courses.RoleTrainee)
	c := app.client("en")
	if r := c.get("/profile/notifications"); r.Status != http.StatusSeeOther {
		t.Fatalf("anonymous: %d, want a redirect to sign in", r.Status)
	}
	c.mustLogin(u.Email)
	c.post("/language", url.Values{"lang": {"en"}, "next": {"/"}})
	if r := c.get("/profile"); !strings.Contains(r.Body, `href="/profile/notifications"`) {
		t.Error("the profile does not link to the notifications page")
	}
	page := c.get("/profile/notifications")
	if page.Status != http.StatusOK || strings.Count(page.Body, `type="checkbox" name="receive"`) != len(courses.NotificationGroups) ||
		strings.Count(page.Body, " checked") != len(courses.NotificationGroups) || !strings.Contains(page.Body, "cannot be turned off") ||
		!strings.Contains(page.Body, "a link to reset your password") {
		t.Fatalf("page %d:\n%s", page.Status, page.Body)
	}
	r := c.post("/profile/notifications", url.Values{"receive": {"enrolment", "sessions"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/profile/notifications" {
		t.Fatalf("save: %d %s", r.Status, r.Header.Get("Location"))
	}
	off, err := app.Store.NotificationsOff(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []courses.NotificationGroup{courses.NotifyApprovals, courses.NotifyCertificates, courses.NotifyQuizzes}
	if !slices.Equal(off, want) {
		t.Errorf("off %v, want %v", off, want)
	}
	page = c.get("/profile/notifications")
	if !strings.Contains(page.Body, "choices were saved") || strings.Count(page.Body, " checked") != 2 ||
		!strings.Contains(page.Body, `value="sessions" checked`) || strings.Contains(page.Body, `value="quizzes" checked`) {
		t.Errorf("after saving:\n%s", page.Body)
	}
}

func TestNotificationsPageRefusesAGroupItDoesNotOffer(t *testing.T) {
	app := newTestApp(t)
	u := app.user("rosa@example.org", courses.RoleTrainee)
	c := app.client("es")
	c.mustLogin(u.Email)
	r := c.post("/profile/notifications", url.Values{"receive": {"enrolment", "password_reset"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("status %d", r.Status)
	}
	if off, _ := app.Store.NotificationsOff(context.Background(), u.ID); len(off) != 0 {
		t.Errorf("a refused form changed the choices: %v", off)
	}
	if page := c.get("/profile/notifications"); !strings.Contains(page.Body, "no se cambió nada") || strings.Count(page.Body, " checked") != len(courses.NotificationGroups) {
		t.Errorf("the page does not say why:\n%s", page.Body)
	}
}

// The reminder as the trainee's mail server receives it: rendered in her language, the time
// in the server's zone, and a .ics whose event starts at the session's instant, read by
// another iCalendar library than the one that wrote it.
func TestSessionReminderArrivesWithACalendarFileOfTheSessionsInstant(t *testing.T) {
	ctx := context.Background()
	app := newTestApp(t, withBaseURL("https://aula.example"))
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	cohortID, err := app.Store.SaveCohort(ctx, courses.Actor{}, courses.Cohort{CourseID: co.ID, Name: "Ciudad de Guatemala",
		Mode: courses.ModeInPerson, Policy: courses.PolicyOpen})
	if err != nil {
		t.Fatal(err)
	}
	u := app.user("lucia@example.org", courses.RoleTrainee)
	if _, err := app.Store.Enrol(ctx, u.ID, cohortID, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	starts := time.Now().Add(20 * time.Hour).Truncate(time.Minute)
	if _, err := app.Store.AddSession(ctx, courses.CohortSession{CohortID: cohortID, StartsAt: starts, Minutes: 120,
		Place: "Aula 3, Academia de la PNC"}); err != nil {
		t.Fatal(err)
	}
	srv := storetest.NewMail(t, false, false)
	sender, err := store.NewSMTP(store.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: "none", From: "Aula <aula@aula.example>", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// The reminder step is the periodic job's; run here at the clock's "now".
	if _, err := app.Store.SendSessionReminders(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	jobs, err := app.Store.StartJobs(ctx, store.JobsConfig{PollInterval: 100 * time.Millisecond,
		Mail: store.MailConfig{Render: app.App.RenderEmail, Send: sender}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = jobs.Stop(context.Background()) })
	// The enrolment's confirmation and the reminder.
	var parts map[string][]byte
	for _, r := range srv.Wait(2, 20*time.Second) {
		if p := r.Parts(t); p["text/calendar"] != nil {
			parts = p
			if !strings.Contains(string(r.Raw), "session.ics") || !strings.Contains(string(r.Raw), "method=PUBLISH") {
				t.Error("the attachment is not named session.ics with method=PUBLISH")
			}
		}
	}
	if parts == nil {
		t.Fatal("no email arrived with a calendar file")
	}
	text := string(parts["text/plain"])
	if !strings.Contains(text, courses.ZonedTime(starts, time.Local)) || !strings.Contains(text, "Aula 3, Academia de la PNC") {
		t.Errorf("the text does not show the session's local time and place:\n%s", text)
	}
	ics := parts["text/calendar"]
	cal, err := goical.NewDecoder(bytes.NewReader(ics)).Decode()
	if err != nil {
		t.Fatalf("the attachment does not parse: %v\n%s", err, ics)
	}
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("%d events", len(events))
	}
	start, err := events[0].DateTimeStart(time.UTC)
	if err != nil || !start.Equal(starts) {
		t.Errorf("DTSTART %v (%v), want %v", start, err, starts.UTC())
	}
	if loc, _ := events[0].Props.Text(goical.PropLocation); loc != "Aula 3, Academia de la PNC" {
		t.Errorf("LOCATION %q", loc)
	}
	if sum, _ := events[0].Props.Text(goical.PropSummary); !strings.Contains(sum, "Ciudad de Guatemala") {
		t.Errorf("SUMMARY %q", sum)
	}
	if uid, _ := events[0].Props.Text(goical.PropUID); !strings.HasSuffix(uid, "@aula.example") {
		t.Errorf("UID %q", uid)
	}
}

func TestEveryNotificationRendersInEveryLanguageWithItsValues(t *testing.T) {
	app := newTestApp(t, withBaseURL("https://aula.example"))
	data := map[string]string{"Name": "Lucía", "Course": "Policía comunitaria", "Cohort": "Guatemala", "Link": "/courses/x",
		"Trainee": "Ana", "TraineeEmail": "ana@example.org", "Decision": "approved", "Place": "Aula 3", "When": "2026-03-10 09:00 CST",
		"SessionID": "7", "StartsAt": "2026-03-10T15:00:00Z", "Minutes": "90", "Code": "ABCD-EFGH", "Expires": "2027-01-01",
		"Page": "/certificates/3", "Quiz": "Evaluación final", "Closes": "2026-03-11 18:00 CST", "NewEmail": "b@example.org"}
	bodies := map[string]bool{}
	for _, k := range courses.EmailKinds {
		if k.Required() && k != courses.EmailAccountCreated {
			continue // the account's own emails, each with its own data
		}
		for _, lang := range courses.Languages {
			for _, decision := range []string{"approved", "waiting", "declined"} {
				d := map[string]string{}
				for key, v := range data {
					d[key] = v
				}
				d["Decision"] = decision
				m, err := app.App.RenderEmail(courses.Email{Kind: k, To: "x@example.org", Language: lang, Data: d})
				if err != nil {
					t.Fatalf("%s in %s: %v", k, lang, err)
				}
				if strings.Contains(m.Subject+m.Text, "<no value>") || strings.HasPrefix(m.Subject, "email.") ||
					strings.Contains(m.Text, "email."+string(k)) {
					t.Errorf("%s in %s: %q\n%s", k, lang, m.Subject, m.Text)
				}
				if k == courses.EmailApprovalDecided {
					bodies[lang+m.Text] = true
				}
				if (k == courses.EmailSessionReminder) != (m.AttachmentName == "session.ics") {
					t.Errorf("%s: attachment %q", k, m.AttachmentName)
				}
			}
		}
	}
	if len(bodies) != 3*len(courses.Languages) {
		t.Errorf("approval_decided has %d different texts, want one per decision and language", len(bodies))
	}
}
