package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store/storetest"
)

// TestRosterIsSavedInStatementsThatDoNotGrowWithIt takes the attendance of a cohort of forty,
// one of whom withdrew after the roster was opened: her mark is skipped and counted, the
// others' saved, and the statements sent are the same as for a roster of one.
func TestRosterIsSavedInStatementsThatDoNotGrowWithIt(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	co, cohortID := cohortFixture(t, st, 0, courses.PolicyOpen, "")
	owner := co.OwnerID
	people := trainees(t, st, 40)
	for _, u := range people {
		if _, err := st.Enrol(ctx, u.ID, cohortID, "", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	sid, err := st.AddSession(ctx, courses.CohortSession{CohortID: cohortID, StartsAt: time.Now().Add(-time.Hour), Minutes: 60, Place: "Sala"})
	if err != nil {
		t.Fatal(err)
	}
	cost := func(marks map[int64]courses.AttendanceStatus) (skipped int, statements int64) {
		t.Helper()
		before := st.Statements()
		skipped, err := st.SetAttendance(ctx, cohortID, sid, courses.Actor{UserID: owner}, marks, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return skipped, st.Statements() - before
	}
	_, one := cost(map[int64]courses.AttendanceStatus{people[0].ID: courses.AttendancePresent})

	if err := st.Withdraw(ctx, people[1].ID, cohortID); err != nil {
		t.Fatal(err)
	}
	marks := map[int64]courses.AttendanceStatus{}
	for i, u := range people {
		marks[u.ID] = courses.AttendancePresent
		if i%3 == 0 {
			marks[u.ID] = courses.AttendanceAbsent
		}
	}
	skipped, forty := cost(marks)
	if skipped != 1 {
		t.Errorf("skipped %d, want 1 (the one who withdrew)", skipped)
	}
	if forty != one {
		t.Errorf("a roster of forty sent %d statements, a roster of one %d", forty, one)
	}
	roster, err := st.Roster(ctx, cohortID, sid)
	if err != nil {
		t.Fatal(err)
	}
	if len(roster) != 39 {
		t.Fatalf("%d on the roster, want 39", len(roster))
	}
	for _, r := range roster {
		if r.Status != marks[r.UserID] || r.ByCode {
			t.Errorf("%s: %q (by code %v), want %q", r.Email, r.Status, r.ByCode, marks[r.UserID])
		}
	}
}
