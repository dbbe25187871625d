package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
)

// cohortFixture imports the test course and makes a cohort with the given capacity and policy.
func cohortFixture(t *testing.T, st *store.Store, capacity int, policy courses.EnrolmentPolicy, key string) (courses.Course, int64) {
	t.Helper()
	ctx := context.Background()
	owner := instructor(t, st, "owner@example.org")
	id, _, err := st.ImportBundle(ctx, owner.ID, fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	co, _ := st.Course(ctx, id)
	cohortID, err := st.SaveCohort(ctx, courses.Actor{}, courses.Cohort{CourseID: id, Name: "Grupo", Capacity: capacity, Mode: courses.ModeOnline,
		Policy: policy, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	return co, cohortID
}

func trainees(t *testing.T, st *store.Store, n int) []courses.User {
	t.Helper()
	var list []courses.User
	for i := 0; i < n; i++ {
		u, err := st.CreateUser(context.Background(), profile(fmt.Sprintf("t%d@example.org", i)), "a long password", courses.RoleTrainee)
		if err != nil {
			t.Fatal(err)
		}
		list = append(list, u)
	}
	return list
}

func TestLastSeatRaceHasExactlyOneWinnerAndTheRestWaitInOrder(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	co, cohortID := cohortFixture(t, st, 1, courses.PolicyOpen, "")
	people := trainees(t, st, 12)
	var wg sync.WaitGroup
	results := make([]courses.EnrolmentStatus, len(people))
	errs := make([]error, len(people))
	start := make(chan struct{})
	for i, u := range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i], errs[i] = st.Enrol(ctx, u.ID, cohortID, "", time.Now())
		}()
	}
	close(start)
	wg.Wait()
	active := 0
	for i, s := range results {
		if errs[i] != nil {
			t.Fatalf("enrol %d: %v", i, errs[i])
		}
		if s == courses.EnrolmentActive {
			active++
		}
	}
	if active != 1 {
		t.Fatalf("%d trainees got the last seat", active)
	}
	list, _ := st.Cohorts(ctx, co.ID)
	for _, c := range list {
		if c.ID == cohortID && (c.Active != 1 || c.Waiting != 11) {
			t.Fatalf("cohort: %d active, %d waiting", c.Active, c.Waiting)
		}
	}
	// The waiting list is first come, first served: positions 1..11 without gaps or repeats.
	seen := map[int]bool{}
	for _, u := range people {
		e, err := st.EnrolmentIn(ctx, u.ID, co.ID)
		if err != nil {
			t.Fatal(err)
		}
		if e.Status == courses.EnrolmentWaiting {
			if e.Position < 1 || e.Position > 11 || seen[e.Position] {
				t.Fatalf("waiting position %d", e.Position)
			}
			seen[e.Position] = true
		}
	}
}

func TestWithdrawingMovesTheFirstOnTheWaitingListIn(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	co, cohortID := cohortFixture(t, st, 1, courses.PolicyOpen, "")
	p := trainees(t, st, 3)
	for _, u := range p {
		if _, err := st.Enrol(ctx, u.ID, cohortID, "", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	status := func(u courses.User) courses.EnrolmentStatus {
		e, err := st.EnrolmentIn(ctx, u.ID, co.ID)
		if errors.Is(err, courses.ErrNotFound) {
			return courses.EnrolmentWithdrawn
		}
		return e.Status
	}
	if status(p[0]) != courses.EnrolmentActive || status(p[1]) != courses.EnrolmentWaiting || status(p[2]) != courses.EnrolmentWaiting {
		t.Fatal("initial statuses")
	}
	if err := st.Withdraw(ctx, p[0].ID, cohortID); err != nil {
		t.Fatal(err)
	}
	if status(p[1]) != courses.EnrolmentActive || status(p[2]) != courses.EnrolmentWaiting {
		t.Fatalf("after withdrawal: %s, %s", status(p[1]), status(p[2]))
	}
	if e, _ := st.EnrolmentIn(ctx, p[2].ID, co.ID); e.Position != 1 {
		t.Fatalf("next in line is at position %d", e.Position)
	}
	// Someone who comes back goes to the end of the queue.
	if s, err := st.Enrol(ctx, p[0].ID, cohortID, "", time.Now()); err != nil || s != courses.EnrolmentWaiting {
		t.Fatalf("re-enrol: %s %v", s, err)
	}
	if e, _ := st.EnrolmentIn(ctx, p[0].ID, co.ID); e.Position != 2 {
		t.Fatalf("returning trainee at position %d, want 2", e.Position)
	}
	// A waiting trainee who withdraws frees nothing; a larger capacity moves the list.
	c, _ := st.Cohort(ctx, co.ID, cohortID)
	c.Capacity = 3
	if _, err := st.SaveCohort(ctx, courses.Actor{}, c); err != nil {
		t.Fatal(err)
	}
	if status(p[2]) != courses.EnrolmentActive || status(p[0]) != courses.EnrolmentActive {
		t.Fatal("a larger capacity did not move the waiting list")
	}
	if _, err := st.Enrol(ctx, p[0].ID, cohortID, "", time.Now()); !errors.Is(err, store.ErrAlreadyEnroled) {
		t.Fatalf("enrolling twice: %v", err)
	}
}

func TestEnrolmentKey(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	co, cohortID := cohortFixture(t, st, 0, courses.PolicyKey, "PNC-2026")
	u := trainees(t, st, 1)[0]
	for _, wrong := range []string{"", "pnc-2026", "PNC-2027"} {
		if _, err := st.Enrol(ctx, u.ID, cohortID, wrong, time.Now()); !errors.Is(err, store.ErrWrongKey) {
			t.Fatalf("key %q: %v", wrong, err)
		}
	}
	if _, err := st.EnrolmentIn(ctx, u.ID, co.ID); !errors.Is(err, courses.ErrNotFound) {
		t.Fatal("a wrong key enrolled")
	}
	if s, err := st.Enrol(ctx, u.ID, cohortID, " PNC-2026 ", time.Now()); err != nil || s != courses.EnrolmentActive {
		t.Fatalf("right key: %s %v", s, err)
	}
}

func TestApprovalFlow(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	co, cohortID := cohortFixture(t, st, 1, courses.PolicyApproval, "")
	p := trainees(t, st, 3)
	for _, u := range p {
		if s, err := st.Enrol(ctx, u.ID, cohortID, "", time.Now()); err != nil || s != courses.EnrolmentPending {
			t.Fatalf("request: %s %v", s, err)
		}
	}
	if s, err := st.Decide(ctx, courses.Actor{}, cohortID, p[0].ID, true); err != nil || s != courses.EnrolmentActive {
		t.Fatalf("approve: %s %v", s, err)
	}
	if s, _ := st.Decide(ctx, courses.Actor{}, cohortID, p[1].ID, true); s != courses.EnrolmentWaiting {
		t.Fatalf("approve into a full cohort: %s", s)
	}
	if s, _ := st.Decide(ctx, courses.Actor{}, cohortID, p[2].ID, false); s != courses.EnrolmentRejected {
		t.Fatalf("reject: %s", s)
	}
	if _, err := st.EnrolmentIn(ctx, p[2].ID, co.ID); !errors.Is(err, courses.ErrNotFound) {
		t.Fatal("a rejected request is still live")
	}
	if _, err := st.Decide(ctx, courses.Actor{}, cohortID, p[2].ID, true); !errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("deciding twice: %v", err)
	}
}

func TestCheckInOnlyWithTheRightCodeInsideTheWindow(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	co, cohortID := cohortFixture(t, st, 0, courses.PolicyOpen, "")
	u := trainees(t, st, 2)
	st.Enrol(ctx, u[0].ID, cohortID, "", time.Now())
	now := time.Now()
	sid, err := st.AddSession(ctx, courses.CohortSession{CohortID: cohortID, StartsAt: now, Minutes: 120, Place: "Sala 1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.OpenCheckIn(ctx, courses.Actor{}, cohortID, sid, "482913", now, now.Add(15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		user int64
		code string
		at   time.Time
		want error
	}{
		{"wrong code", u[0].ID, "111111", now.Add(time.Minute), courses.ErrCheckInCode},
		{"before the window", u[0].ID, "482913", now.Add(-time.Minute), courses.ErrCheckInClosed},
		{"after the window", u[0].ID, "482913", now.Add(16 * time.Minute), courses.ErrCheckInClosed},
		{"not in the cohort", u[1].ID, "482913", now.Add(time.Minute), courses.ErrCheckInCode},
		{"right code, in time", u[0].ID, "482 913", now.Add(time.Minute), nil},
	}
	for _, tt := range tests {
		_, err := st.CheckIn(ctx, tt.user, tt.code, tt.at)
		if (tt.want == nil && err != nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	roster, _ := st.Roster(ctx, cohortID, sid)
	if len(roster) != 1 || roster[0].Status != courses.AttendancePresent || !roster[0].ByCode {
		t.Fatalf("roster: %+v", roster)
	}
	_ = co
}

func TestCompletionIsRecordedOnceWhenTheRulesFirstHold(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	owner := instructor(t, st, "owner@example.org")
	id, _, _ := st.ImportBundle(ctx, owner.ID, fixture(t))
	co, _ := st.Course(ctx, id)
	cohortID, _ := st.SaveCohort(ctx, courses.Actor{}, courses.Cohort{CourseID: id, Name: "Mixto", Mode: courses.ModeBlended, Location: "Sala", Policy: courses.PolicyOpen})
	u := trainees(t, st, 1)[0]
	st.Enrol(ctx, u.ID, cohortID, "", time.Now())
	t0 := time.Now().Add(-time.Hour)
	sid, _ := st.AddSession(ctx, courses.CohortSession{CohortID: cohortID, StartsAt: t0, Minutes: 60, Place: "Sala"})
	var lessons []int64
	for _, m := range co.Modules {
		for _, l := range m.Lessons {
			lessons = append(lessons, l.ID)
		}
	}
	for i, l := range lessons {
		done, err := st.CompleteLesson(ctx, u.ID, l, t0.Add(time.Duration(i)*time.Minute))
		if err != nil || done {
			t.Fatalf("lesson %d: done=%v err=%v (blended: attendance still missing)", i, done, err)
		}
	}
	when := time.Now()
	if _, err := st.SetAttendance(ctx, cohortID, sid, courses.Actor{UserID: owner.ID}, map[int64]courses.AttendanceStatus{u.ID: courses.AttendancePresent}, when); err != nil {
		t.Fatal(err)
	}
	e, _ := st.EnrolmentIn(ctx, u.ID, id)
	if e.CompletedAt == nil || e.CompletedAt.Sub(when).Abs() > time.Microsecond {
		t.Fatalf("completed at %v, want %v", e.CompletedAt, when)
	}
	// Later events change nothing: completion is recorded once.
	st.SetAttendance(ctx, cohortID, sid, courses.Actor{UserID: owner.ID}, map[int64]courses.AttendanceStatus{u.ID: courses.AttendanceAbsent}, when.Add(time.Hour))
	st.CompleteLesson(ctx, u.ID, lessons[0], when.Add(2*time.Hour))
	e2, _ := st.EnrolmentIn(ctx, u.ID, id)
	if e2.CompletedAt == nil || !e2.CompletedAt.Equal(*e.CompletedAt) {
		t.Fatal("completion time moved")
	}
	// A mark for someone outside the cohort is skipped, not written; the others are kept.
	other := instructor(t, st, "other@example.org")
	skipped, err := st.SetAttendance(ctx, cohortID, sid, courses.Actor{UserID: owner.ID}, map[int64]courses.AttendanceStatus{
		other.ID: courses.AttendancePresent, u.ID: courses.AttendanceExcused}, when)
	if err != nil || skipped != 1 {
		t.Fatalf("attendance with a stranger: skipped %d, %v", skipped, err)
	}
	roster, _ := st.Roster(ctx, cohortID, sid)
	if len(roster) != 1 || roster[0].UserID != u.ID || roster[0].Status != courses.AttendanceExcused {
		t.Fatalf("roster: %+v", roster)
	}
}

func csvRows(n int, offset int) []courses.EnrolmentRow {
	rows := make([]courses.EnrolmentRow, n)
	for i := range rows {
		rows[i] = courses.EnrolmentRow{Line: i + 2, Profile: courses.Profile{
			Email: fmt.Sprintf("funcionario%05d@muni.example", i+offset), FullName: fmt.Sprintf("Funcionario %d", i+offset),
			Country: "HN", Institution: "Municipalidad de Tegucigalpa", Sector: "local_government", Language: "es"}}
	}
	return rows
}

func TestBulkEnrolCreatesAccountsEnrolsAndSkipsTheEnrolled(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	co, cohortID := cohortFixture(t, st, 10, courses.PolicyApproval, "")
	existing := trainees(t, st, 2)
	st.EnrolByStaff(ctx, courses.Actor{}, cohortID, existing[0].ID)
	rows := csvRows(5000, 0)
	rows = append(rows, courses.EnrolmentRow{Line: 5002, Profile: courses.Profile{Email: strings.ToUpper(existing[0].Email), FullName: "Ya inscrita",
		Country: "GT", Institution: "PNC", Sector: "police", Language: "es"}})
	rows = append(rows, courses.EnrolmentRow{Line: 5003, Profile: courses.Profile{Email: existing[1].Email, FullName: "Cuenta existente",
		Country: "GT", Institution: "PNC", Sector: "police", Language: "es"}})
	start := time.Now()
	res, err := st.BulkEnrol(ctx, courses.Actor{}, co.ID, cohortID, rows, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("5,002 rows in %v", time.Since(start))
	if len(res.Created) != 5000 || res.Enrolled != 5001 || len(res.Skipped) != 1 || res.Skipped[0] != existing[0].Email {
		t.Fatalf("created %d enrolled %d skipped %v", len(res.Created), res.Enrolled, res.Skipped)
	}
	if _, err := st.Authenticate(ctx, rows[0].Profile.Email, ""); err == nil {
		t.Fatal("a new account signs in without a password")
	}
	// The one-time link sets the password, once.
	link := res.Created[0]
	u, err := st.UsePasswordLink(ctx, link.Token, "una contraseña nueva", time.Now(), noSignIns)
	if err != nil || u.Email != link.Email {
		t.Fatalf("use link: %v %v", u, err)
	}
	if _, err := st.UsePasswordLink(ctx, link.Token, "otra contraseña más", time.Now(), noSignIns); !errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("link used twice: %v", err)
	}
	if _, err := st.Authenticate(ctx, link.Email, "una contraseña nueva"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UsePasswordLink(ctx, res.Created[1].Token, "una contraseña nueva", time.Now().Add(store.PasswordLinkTTL+time.Minute), noSignIns); !errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("expired link: %v", err)
	}
	// Running the same file again creates and enrols no one.
	again, err := st.BulkEnrol(ctx, courses.Actor{}, co.ID, cohortID, rows, time.Now())
	if err != nil || len(again.Created) != 0 || again.Enrolled != 0 || len(again.Skipped) != len(rows) {
		t.Fatalf("second run: created %d enrolled %d skipped %d, %v", len(again.Created), again.Enrolled, len(again.Skipped), err)
	}
}
