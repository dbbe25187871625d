package store_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
)

// sessionFixture makes an in-person cohort of the fixture course with its trainees enrolled,
// and sessions starting at the given offsets from now.
func sessionFixture(t *testing.T, st *store.Store, now time.Time, people int, offsets ...time.Duration) (int64, []courses.User, []int64) {
	t.Helper()
	ctx := context.Background()
	_, cohortID := cohortFixture(t, st, 0, courses.PolicyOpen, "")
	list := trainees(t, st, people)
	for _, u := range list {
		if _, err := st.Enrol(ctx, u.ID, cohortID, "", now); err != nil {
			t.Fatal(err)
		}
	}
	var sessions []int64
	for _, d := range offsets {
		id, err := st.AddSession(ctx, courses.CohortSession{CohortID: cohortID, StartsAt: now.Add(d).Truncate(time.Second), Minutes: 90, Place: "Aula 3"})
		if err != nil {
			t.Fatal(err)
		}
		sessions = append(sessions, id)
	}
	return cohortID, list, sessions
}

func TestASessionTomorrowIsRemindedOnceToEachTraineeWhoWantsIt(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	now := time.Now()
	// In the window: 20 hours ahead. Not yet: 30 hours. Already begun: an hour ago.
	cohortID, people, sessions := sessionFixture(t, st, now, 3, 20*time.Hour, 30*time.Hour, -time.Hour)
	if err := st.SetNotificationsOff(ctx, people[2].ID, []courses.NotificationGroup{courses.NotifySessions}); err != nil {
		t.Fatal(err)
	}
	if err := st.Withdraw(ctx, people[1].ID, cohortID); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := st.SendDueNotices(ctx, now); err != nil {
			t.Fatal(err)
		}
	}
	list := emailsOf(t, st, courses.EmailSessionReminder)
	if len(list) != 1 || list[0].UserID != people[0].ID {
		t.Fatalf("%d reminders, want one: to the enrolled trainee, not the one who withdrew nor the one who turned them off", len(list))
	}
	e := list[0]
	starts, _ := time.Parse(time.RFC3339, e.Data["StartsAt"])
	if e.Data["SessionID"] != strconv.FormatInt(sessions[0], 10) || !starts.Equal(now.Add(20*time.Hour).Truncate(time.Second)) ||
		e.Data["Minutes"] != "90" || e.Data["Place"] != "Aula 3" || e.Data["Course"] != "Un curso en tres idiomas" ||
		e.Data["When"] != courses.ZonedTime(starts, time.Local) {
		t.Errorf("reminder data %v", e.Data)
	}
	var recorded int
	if err := st.DB().Get(&recorded, `SELECT count(*) FROM session_reminders`); err != nil || recorded != 2 {
		t.Errorf("%d reminders recorded (%v), want 2: the one sent and the one turned off", recorded, err)
	}
	// Ten hours later the second session is in the window; the first is not reminded again.
	if err := st.SendDueNotices(ctx, now.Add(10*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if list = emailsOf(t, st, courses.EmailSessionReminder); len(list) != 2 || list[1].Data["SessionID"] != strconv.FormatInt(sessions[1], 10) {
		t.Fatalf("%d reminders after the second session came into the window", len(list))
	}
}

func TestTwoInstancesRemindingAtOnceSendOneReminder(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	now := time.Now()
	_, people, _ := sessionFixture(t, st, now, 4, 2*time.Hour)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); _, errs[i] = st.SendSessionReminders(ctx, now) }()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// And two River clients, whose periodic job runs every second.
	for range 2 {
		jobs, err := st.StartJobs(ctx, store.JobsConfig{PollInterval: 100 * time.Millisecond, NoticesEvery: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = jobs.Stop(context.Background()) })
	}
	waitFor(t, func() bool {
		var runs int
		_ = st.DB().Get(&runs, `SELECT count(*) FROM river_job WHERE kind = 'send_notices' AND state = 'completed'`)
		return runs >= 2
	})
	seen := map[int64]int{}
	for _, e := range emailsOf(t, st, courses.EmailSessionReminder) {
		seen[e.UserID]++
	}
	for _, u := range people {
		if seen[u.ID] != 1 {
			t.Errorf("trainee %d got %d reminders, want 1", u.ID, seen[u.ID])
		}
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestACertificateExpiringWithinThirtyDaysIsNoticedOnce(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	now := time.Now()
	_, _, people := completed(t, st, 4, courses.IssueAuto)
	certs := make([]courses.Certificate, len(people))
	for i, u := range people {
		list, err := st.HolderCertificates(ctx, u.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("certificates of %d: %d %v", u.ID, len(list), err)
		}
		certs[i] = list[0]
	}
	in := func(days int) string { return now.UTC().AddDate(0, 0, days).Format(time.DateOnly) }
	for i, days := range []int{10, 40, 10, 30} {
		if _, err := st.DB().Exec(`UPDATE certificates SET expires_on = $2 WHERE id = $1`, certs[i].ID, in(days)); err != nil {
			t.Fatal(err)
		}
	}
	admin := instructor(t, st, "admin@example.org")
	if err := st.RevokeCertificate(ctx, courses.Actor{UserID: admin.ID}, certs[2].Facts.Code, "error", now); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := st.SendDueNotices(ctx, now); err != nil {
			t.Fatal(err)
		}
	}
	list := emailsOf(t, st, courses.EmailCertificateExpiry)
	if len(list) != 2 || list[0].UserID != people[0].ID || list[1].UserID != people[3].ID {
		t.Fatalf("%d expiry notices, want those of 10 and 30 days (not 40 days, not the revoked one)", len(list))
	}
	if e := list[0]; e.Data["Expires"] != in(10) || e.Data["Code"] != courses.FormatCode(certs[0].Facts.Code) ||
		e.Data["Link"] != "/certificates/"+strconv.FormatInt(certs[0].ID, 10) || e.Data["Course"] != certs[0].Facts.Course {
		t.Errorf("expiry data %v", e.Data)
	}
}

func TestAQuizClosingTomorrowIsNoticedToThoseWhoHaveNotFinishedIt(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	now := time.Now()
	owner := instructor(t, st, "owner@example.org")
	id, _, err := st.ImportBundle(ctx, owner.ID, catalogCourse(t, "citizen-security-human-development"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetCourseStatus(ctx, courses.Actor{UserID: owner.ID}, id, courses.StatusPublished); err != nil {
		t.Fatal(err)
	}
	quizzes, err := st.Quizzes(ctx, id)
	if err != nil || len(quizzes) < 2 {
		t.Fatalf("quizzes: %d %v", len(quizzes), err)
	}
	closes := func(q courses.Quiz, at time.Time) {
		if _, err := st.DB().Exec(`UPDATE quizzes SET settings = jsonb_set(settings, '{closes_at}', to_jsonb($2::text)) WHERE id = $1`,
			q.ID, at.UTC().Format(time.RFC3339)); err != nil {
			t.Fatal(err)
		}
	}
	closes(quizzes[0], now.Add(12*time.Hour))
	closes(quizzes[1], now.Add(36*time.Hour))
	cohorts, _ := st.Cohorts(ctx, id)
	people := trainees(t, st, 3)
	withLanguage(t, st, people[1], "en")
	for _, u := range people {
		if _, err := st.Enrol(ctx, u.ID, cohorts[0].ID, "", now); err != nil {
			t.Fatal(err)
		}
	}
	// The first trainee finished an attempt; the second has one in progress; the third none.
	for i, u := range people[:2] {
		attempt, err := st.StartAttempt(ctx, u.ID, id, quizzes[0].ID, "es", now)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if err := st.FinishAttempt(ctx, u.ID, attempt, now); err != nil {
				t.Fatal(err)
			}
		}
	}
	for range 2 {
		if err := st.SendDueNotices(ctx, now); err != nil {
			t.Fatal(err)
		}
	}
	list := emailsOf(t, st, courses.EmailQuizClosing)
	if len(list) != 2 || list[0].UserID != people[1].ID || list[1].UserID != people[2].ID {
		t.Fatalf("%d quiz notices, want two: to the trainee with an attempt in progress and the one without", len(list))
	}
	e := list[0]
	if e.Data["Quiz"] != quizzes[0].Titles["en"] || e.Data["Link"] != "/courses/citizen-security-human-development/quizzes/"+strconv.FormatInt(quizzes[0].ID, 10) ||
		e.Data["Closes"] != courses.ZonedTime(now.Add(12*time.Hour).Truncate(time.Second), time.Local) || e.Data["Course"] == "" {
		t.Errorf("quiz notice %v", e.Data)
	}
}
