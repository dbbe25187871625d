package store_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
)

// auditOf returns the audit entries with action, newest first.
func auditOf(t *testing.T, st *store.Store, f courses.AuditFilter) []courses.AuditEntry {
	t.Helper()
	list, total, err := st.AuditLog(context.Background(), f, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if total != len(list) {
		t.Fatalf("total %d, listed %d", total, len(list))
	}
	return list
}

// Each change staff make to people's records, through its store method, leaves one entry (one
// per person for a spreadsheet or a roster) naming the actor, their address and the subject.
func TestEachStaffChangeWritesItsAuditEntry(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	storetest.UseSigningKeys(t, st)
	co, cohortID, people := completed(t, st, 3, courses.IssueManual)
	admin, err := st.CreateUser(ctx, profile("admin@example.org"), "a long password", courses.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	colleague := instructor(t, st, "colega@example.org")
	by := courses.Actor{UserID: admin.ID, IP: "203.0.113.7"}
	other, err := st.SaveCohort(ctx, courses.Actor{}, courses.Cohort{CourseID: co.ID, Name: "Segundo", Mode: courses.ModeOnline, Policy: courses.PolicyApproval})
	if err != nil {
		t.Fatal(err)
	}
	newcomers := make([]courses.User, 2)
	for i, email := range []string{"nuevo@example.org", "pide@example.org"} {
		if newcomers[i], err = st.CreateUser(ctx, profile(email), "a long password", courses.RoleTrainee); err != nil {
			t.Fatal(err)
		}
	}
	session, err := st.AddSession(ctx, courses.CohortSession{CohortID: cohortID, StartsAt: time.Now(), Minutes: 60, Place: "Sala 2"})
	if err != nil {
		t.Fatal(err)
	}
	var cert courses.Certificate
	now := time.Now()
	// A cohort of one seat, with one person waiting: a second seat moves them in.
	small := courses.Cohort{CourseID: co.ID, Name: "Pequeño", Capacity: 1, Mode: courses.ModeOnline, Policy: courses.PolicyOpen}
	if small.ID, err = st.SaveCohort(ctx, by, small); err != nil {
		t.Fatal(err)
	}
	waiting := make([]courses.User, 2)
	for i, email := range []string{"primera@example.org", "espera@example.org"} {
		if waiting[i], err = st.CreateUser(ctx, profile(email), "a long password", courses.RoleTrainee); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Enrol(ctx, waiting[i].ID, small.ID, "", now); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range []struct {
		action courses.AuditAction
		change func() error
		user   int64
		course int64
		count  int // entries the change writes; 1 unless said
		detail map[string]string
	}{
		{action: courses.AuditRoleChanged, user: people[0].ID, detail: map[string]string{"from": "trainee", "to": "instructor"},
			change: func() error { return st.SetRole(ctx, by, people[0].ID, courses.RoleInstructor) }},
		{action: courses.AuditDeactivated, user: people[1].ID, change: func() error { return st.SetActive(ctx, by, people[1].ID, false) }},
		{action: courses.AuditReactivated, user: people[1].ID, change: func() error { return st.SetActive(ctx, by, people[1].ID, true) }},
		{action: courses.AuditPasswordLink, user: people[2].ID,
			change: func() error { _, err := st.PasswordLink(ctx, by, people[2].ID, now); return err }},
		{action: courses.AuditEnrolledByHand, user: newcomers[0].ID, course: co.ID,
			change: func() error { return st.EnrolByStaff(ctx, by, other, newcomers[0].ID) }},
		{action: courses.AuditEnrolledByCSV, course: co.ID, count: 2, detail: map[string]string{"new_account": "true"},
			change: func() error { _, err := st.BulkEnrol(ctx, by, co.ID, other, csvRows(2, 500), now); return err }},
		{action: courses.AuditRequestApproved, user: newcomers[1].ID, course: co.ID, detail: map[string]string{"status": "active"},
			change: func() error {
				if _, err := st.Enrol(ctx, newcomers[1].ID, other, "", now); err != nil {
					return err
				}
				_, err := st.Decide(ctx, by, other, newcomers[1].ID, true)
				return err
			}},
		{action: courses.AuditPromoted, user: waiting[1].ID, course: co.ID, detail: map[string]string{"status": "active"},
			change: func() error {
				small.Capacity = 2
				_, err := st.SaveCohort(ctx, by, small)
				return err
			}},
		{action: courses.AuditAttendance, user: people[2].ID, course: co.ID, detail: map[string]string{"status": "present", "session": strconv.FormatInt(session, 10)},
			change: func() error {
				_, err := st.SetAttendance(ctx, cohortID, session, by, map[int64]courses.AttendanceStatus{people[2].ID: courses.AttendancePresent}, now)
				return err
			}},
		{action: courses.AuditCheckInOpened, course: co.ID,
			change: func() error { return st.OpenCheckIn(ctx, by, cohortID, session, "482913", now, now.Add(time.Hour)) }},
		{action: courses.AuditCheckInClosed, course: co.ID, change: func() error { return st.CloseCheckIn(ctx, by, cohortID, session, now) }},
		{action: courses.AuditCertificateIssued, user: people[2].ID, course: co.ID,
			change: func() error { cert, _, err = st.IssueCertificate(ctx, by, people[2].ID, co.ID, now); return err }},
		{action: courses.AuditCertificateRevoked, user: people[2].ID, course: co.ID, detail: map[string]string{"reason": "Fraude"},
			change: func() error { return st.RevokeCertificate(ctx, by, cert.Facts.Code, "Fraude", now) }},
		{action: courses.AuditCertificateUnrevoked, user: people[2].ID, course: co.ID, detail: map[string]string{"reason": "Error"},
			change: func() error { return st.UnrevokeCertificate(ctx, by, cert.Facts.Code, "Error", now) }},
		{action: courses.AuditCertificateReissued, user: people[2].ID, course: co.ID, detail: map[string]string{"reason": "Nombre corregido"},
			change: func() error {
				_, err := st.ReissueCertificate(ctx, by, cert.Facts.Code, "Nombre corregido", now)
				return err
			}},
		{action: courses.AuditCertificateBatch, course: co.ID, detail: map[string]string{"total": "2"},
			change: func() error { _, err := st.StartCertificateBatch(ctx, by, cohortID); return err }},
		{action: courses.AuditRenewalBatch, course: co.ID, detail: map[string]string{"total": "0", "reason": "Renovación"},
			change: func() error { _, err := st.StartRenewalBatch(ctx, by, other, "Renovación", now); return err }},
		{action: courses.AuditCourseStatus, course: co.ID, detail: map[string]string{"from": "draft", "to": "published"},
			change: func() error { return st.SetCourseStatus(ctx, by, co.ID, courses.StatusPublished) }},
		{action: courses.AuditInstructorAdded, user: colleague.ID, course: co.ID,
			change: func() error { return st.AddInstructor(ctx, by, co.ID, colleague.Email) }},
		{action: courses.AuditInstructorRemoved, user: colleague.ID, course: co.ID,
			change: func() error { return st.RemoveInstructor(ctx, by, co.ID, colleague.ID) }},
	} {
		if err := step.change(); err != nil {
			t.Fatalf("%s: %v", step.action, err)
		}
		want := max(step.count, 1)
		list := auditOf(t, st, courses.AuditFilter{Action: step.action})
		if len(list) != want {
			t.Fatalf("%s: %d entries, want %d", step.action, len(list), want)
		}
		e := list[0]
		if e.Actor != by || e.ActorEmail != admin.Email || e.At.IsZero() {
			t.Errorf("%s: actor %+v %s", step.action, e.Actor, e.ActorEmail)
		}
		if (step.user != 0 && e.UserID != step.user) || e.CourseID != step.course {
			t.Errorf("%s: subject user %d course %d, want %d %d", step.action, e.UserID, e.CourseID, step.user, step.course)
		}
		for k, v := range step.detail {
			if e.Detail[k] != v {
				t.Errorf("%s: detail %v, want %s=%s", step.action, e.Detail, k, v)
			}
		}
	}
	// A change that changes nothing records nothing: the same role again, a mark as it was.
	if err := st.SetRole(ctx, by, people[0].ID, courses.RoleInstructor); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetAttendance(ctx, cohortID, session, by, map[int64]courses.AttendanceStatus{people[2].ID: courses.AttendancePresent}, now); err != nil {
		t.Fatal(err)
	}
	for _, a := range []courses.AuditAction{courses.AuditRoleChanged, courses.AuditAttendance} {
		if n := len(auditOf(t, st, courses.AuditFilter{Action: a})); n != 1 {
			t.Errorf("%s repeated: %d entries", a, n)
		}
	}
	// The searches: by actor, by subject, by course, by day.
	if n := len(auditOf(t, st, courses.AuditFilter{Actor: "ADMIN@"})); n != 21 {
		t.Errorf("by actor: %d entries", n)
	}
	if list := auditOf(t, st, courses.AuditFilter{Subject: people[1].Email}); len(list) != 2 || list[0].Action != courses.AuditReactivated {
		t.Errorf("by subject, newest first: %+v", list)
	}
	if n := len(auditOf(t, st, courses.AuditFilter{UserID: people[2].ID})); n != 6 {
		t.Errorf("by subject id: %d entries", n)
	}
	if n := len(auditOf(t, st, courses.AuditFilter{CourseID: co.ID + 1000})); n != 0 {
		t.Errorf("another course: %d entries", n)
	}
	tomorrow := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	if n := len(auditOf(t, st, courses.AuditFilter{From: tomorrow})); n != 0 {
		t.Errorf("from tomorrow: %d entries", n)
	}
	if n := len(auditOf(t, st, courses.AuditFilter{To: tomorrow, From: tomorrow.AddDate(0, 0, -2)})); n != 21 {
		t.Errorf("up to today: %d entries", n)
	}
	page, total, err := st.AuditLog(ctx, courses.AuditFilter{}, 18, 5)
	if err != nil || len(page) != 3 || total != 21 {
		t.Errorf("last page: %d of %d, %v", len(page), total, err)
	}
	if _, total, _ := st.AuditLog(ctx, courses.AuditFilter{}, 100, 5); total != 21 {
		t.Errorf("past the last page: total %d", total)
	}
}

// A change whose transaction fails after its entry was written leaves neither; an entry that
// cannot be written stops the change.
func TestARolledBackChangeLeavesNoAuditEntry(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	storetest.UseSigningKeys(t, st)
	co, _, people := completed(t, st, 1, courses.IssueAuto)
	list, err := st.HolderCertificates(ctx, people[0].ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("certificates: %v", err)
	}
	// The certificate log is written after the audit entry: make it fail.
	db := st.DB()
	if _, err := db.ExecContext(ctx, `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$;
		CREATE TRIGGER refuse BEFORE INSERT ON certificate_log FOR EACH ROW EXECUTE FUNCTION refuse()`); err != nil {
		t.Fatal(err)
	}
	by := courses.Actor{UserID: co.OwnerID, IP: "192.0.2.1"}
	if err := st.RevokeCertificate(ctx, by, list[0].Facts.Code, "Fraude", time.Now()); err == nil {
		t.Fatal("the revocation succeeded with its log refused")
	}
	if n := len(auditOf(t, st, courses.AuditFilter{})); n != 0 {
		t.Fatalf("a rolled-back revocation left %d entries", n)
	}
	// An address the database cannot read as one: the entry fails, and the change with it.
	if err := st.SetActive(ctx, courses.Actor{UserID: co.OwnerID, IP: "not an address"}, people[0].ID, false); err == nil {
		t.Fatal("a deactivation without its entry succeeded")
	}
	if u, _ := st.User(ctx, people[0].ID); !u.Active {
		t.Fatal("the account was deactivated without an entry")
	}
}

// The database itself refuses to change or remove an entry, whoever asks.
func TestTheAuditLogRefusesUpdateAndDelete(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	u := trainees(t, st, 2)
	if err := st.SetActive(ctx, courses.Actor{UserID: u[1].ID, IP: "2001:db8::1"}, u[0].ID, false); err != nil {
		t.Fatal(err)
	}
	db := st.DB()
	for _, stmt := range []string{
		`UPDATE audit_log SET action = 'user_reactivate'`,
		`UPDATE audit_log SET actor_ip = NULL`,
		`DELETE FROM audit_log`,
		`TRUNCATE audit_log`,
	} {
		_, err := db.ExecContext(ctx, stmt)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", stmt, err)
		}
	}
	list := auditOf(t, st, courses.AuditFilter{})
	if len(list) != 1 || list[0].Action != courses.AuditDeactivated || list[0].Actor.IP != "2001:db8::1" {
		t.Fatalf("entries after the refusals: %+v", list)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO audit_log (action) VALUES ('not an action')`); err == nil {
		t.Error("an entry with a malformed action was written")
	}
}
