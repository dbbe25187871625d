package store_test

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
)

// emailsOf returns the outbox's emails of kind, oldest first.
func emailsOf(t *testing.T, st *store.Store, kind courses.EmailKind) []store.OutboxEmail {
	t.Helper()
	list, _, _, err := st.Outbox(context.Background(), store.OutboxFilter{Kind: kind, Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	return list
}

// sameTransaction says whether the email was written by the transaction that wrote the row
// of table where cond: PostgreSQL's xmin is the writing transaction's id.
func sameTransaction(t *testing.T, st *store.Store, emailID int64, table, cond string, args ...any) bool {
	t.Helper()
	var a, b string
	if err := st.DB().Get(&a, `SELECT xmin::text FROM emails WHERE id = $1`, emailID); err != nil {
		t.Fatal(err)
	}
	if err := st.DB().Get(&b, `SELECT xmin::text FROM `+table+` WHERE `+cond, args...); err != nil {
		t.Fatal(err)
	}
	return a == b
}

func withLanguage(t *testing.T, st *store.Store, u courses.User, lang string) {
	t.Helper()
	if _, err := st.DB().Exec(`UPDATE users SET language = $2 WHERE id = $1`, u.ID, lang); err != nil {
		t.Fatal(err)
	}
}

func TestEnrolmentEmailsSayEnrolledWaitingAndPromoted(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	co, cohortID := cohortFixture(t, st, 1, courses.PolicyOpen, "")
	people := trainees(t, st, 3)
	withLanguage(t, st, people[0], "pt")
	for _, u := range people {
		if _, err := st.Enrol(ctx, u.ID, cohortID, "", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	// A second click on "enrol" changes nothing, and sends nothing.
	if _, err := st.Enrol(ctx, people[1].ID, cohortID, "", time.Now()); err != nil && !errors.Is(err, store.ErrAlreadyEnroled) {
		t.Fatal(err)
	}
	enrolled, waiting := emailsOf(t, st, courses.EmailEnrolled), emailsOf(t, st, courses.EmailWaiting)
	if len(enrolled) != 1 || len(waiting) != 2 {
		t.Fatalf("%d enrolled and %d waiting emails, want 1 and 2", len(enrolled), len(waiting))
	}
	e := enrolled[0]
	if e.UserID != people[0].ID || e.To != people[0].Email || e.Language != "pt" || e.Data["Course"] != "Um curso em três idiomas" ||
		e.Data["Cohort"] != "Grupo" || e.Data["Link"] != "/courses/"+co.Slug || e.Data["Name"] != people[0].FullName {
		t.Errorf("enrolled email %+v %v: want the Portuguese title, the cohort and the course's page", e.Email, e.Data)
	}
	if !sameTransaction(t, st, e.ID, "enrolments", "user_id = $1 AND cohort_id = $2", people[0].ID, cohortID) {
		t.Error("the email was not written in the enrolment's transaction")
	}
	if waiting[0].UserID != people[1].ID || waiting[0].Data["Course"] != "Un curso en tres idiomas" {
		t.Errorf("waiting email %+v %v", waiting[0].Email, waiting[0].Data)
	}
	// A seat freed: the first in line moves in; a larger cohort: the next.
	if err := st.Withdraw(ctx, people[0].ID, cohortID); err != nil {
		t.Fatal(err)
	}
	c, _ := st.Cohort(ctx, co.ID, cohortID)
	c.Capacity = 5
	if _, err := st.SaveCohort(ctx, courses.Actor{}, c); err != nil {
		t.Fatal(err)
	}
	promoted := emailsOf(t, st, courses.EmailPromoted)
	if len(promoted) != 2 || promoted[0].UserID != people[1].ID || promoted[1].UserID != people[2].ID {
		t.Fatalf("promoted emails: %d, want the two on the list in order", len(promoted))
	}
}

func TestNoEnrolmentEmailWhenRefusedOrTurnedOff(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	_, cohortID := cohortFixture(t, st, 0, courses.PolicyKey, "clave")
	people := trainees(t, st, 2)
	if _, err := st.Enrol(ctx, people[0].ID, cohortID, "otra", time.Now()); !errors.Is(err, store.ErrWrongKey) {
		t.Fatalf("wrong key: %v", err)
	}
	if err := st.SetNotificationsOff(ctx, people[1].ID, []courses.NotificationGroup{courses.NotifyEnrolment}); err != nil {
		t.Fatal(err)
	}
	if status, err := st.Enrol(ctx, people[1].ID, cohortID, "clave", time.Now()); err != nil || status != courses.EnrolmentActive {
		t.Fatalf("enrol: %s %v", status, err)
	}
	if _, total, _, _ := st.Outbox(ctx, store.OutboxFilter{}); total != 0 {
		t.Errorf("%d emails, want none: one change refused, one trainee who turned enrolment emails off", total)
	}
}

func TestApprovalRequestsGoToTheInstructorsAndTheDecisionToTheTrainee(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	co, cohortID := cohortFixture(t, st, 1, courses.PolicyApproval, "")
	helper := instructor(t, st, "helper@example.org")
	if err := st.AddInstructor(ctx, courses.Actor{UserID: co.OwnerID}, co.ID, helper.Email); err != nil {
		t.Fatal(err)
	}
	admin, err := st.CreateUser(ctx, profile("admin@example.org"), "a long password", courses.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	people := trainees(t, st, 3)
	for _, u := range people {
		if status, err := st.Enrol(ctx, u.ID, cohortID, "", time.Now()); err != nil || status != courses.EnrolmentPending {
			t.Fatalf("enrol: %s %v", status, err)
		}
	}
	requests := emailsOf(t, st, courses.EmailApprovalRequested)
	to := map[int64]int{}
	for _, e := range requests {
		to[e.UserID]++
		if e.Data["Trainee"] == "" || !strings.HasPrefix(e.Data["Link"], "/teach/courses/") || !strings.Contains(e.Data["Link"], "/cohorts/") {
			t.Errorf("request email %v", e.Data)
		}
	}
	if len(requests) != 6 || to[co.OwnerID] != 3 || to[helper.ID] != 3 || to[admin.ID] != 0 {
		t.Fatalf("request emails %v, want three each to the owner and the added instructor, none to the admin", to)
	}
	decide := func(u courses.User, approve bool) {
		t.Helper()
		if _, err := st.Decide(ctx, courses.Actor{UserID: co.OwnerID}, cohortID, u.ID, approve); err != nil {
			t.Fatal(err)
		}
	}
	decide(people[0], true)
	decide(people[1], true) // the cohort of one is full now
	decide(people[2], false)
	if _, err := st.Decide(ctx, courses.Actor{UserID: co.OwnerID}, cohortID, people[2].ID, true); !errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("deciding twice: %v", err)
	}
	decided := emailsOf(t, st, courses.EmailApprovalDecided)
	var got []string
	for _, e := range decided {
		got = append(got, e.Data["Decision"])
	}
	if strings.Join(got, ",") != "approved,waiting,declined" || decided[2].UserID != people[2].ID {
		t.Errorf("decisions emailed: %v", got)
	}
	if !sameTransaction(t, st, decided[2].ID, "enrolments", "user_id = $1 AND cohort_id = $2", people[2].ID, cohortID) {
		t.Error("the decision's email was not written in its transaction")
	}
}

func TestStaffAndBulkEnrolmentEmailConfirmationsAndSetPasswordLinks(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	co, cohortID := cohortFixture(t, st, 0, courses.PolicyApproval, "")
	existing := trainees(t, st, 2)
	if err := st.EnrolByStaff(ctx, courses.Actor{UserID: co.OwnerID}, cohortID, existing[0].ID); err != nil {
		t.Fatal(err)
	}
	rows := []courses.EnrolmentRow{
		{Profile: profile(existing[0].Email)},
		{Profile: profile(existing[1].Email)},
		{Profile: courses.Profile{Email: "nueva@example.org", FullName: "Nueva Persona", Country: "GT", Sector: "police", Language: "en"}},
	}
	res, err := st.BulkEnrol(ctx, courses.Actor{UserID: co.OwnerID}, co.ID, cohortID, rows, time.Now())
	if err != nil || len(res.Created) != 1 {
		t.Fatalf("bulk: %+v %v", res, err)
	}
	enrolled := emailsOf(t, st, courses.EmailEnrolled)
	if len(enrolled) != 2 || enrolled[0].UserID != existing[0].ID || enrolled[1].UserID != existing[1].ID {
		t.Fatalf("%d enrolment confirmations, want one for the staff enrolment and one for the existing account", len(enrolled))
	}
	made := emailsOf(t, st, courses.EmailAccountCreated)
	if len(made) != 1 || made[0].To != "nueva@example.org" || made[0].Language != "en" || made[0].Data["Course"] != "A course in three languages" {
		t.Fatalf("account emails: %+v", made)
	}
	link, err := url.Parse(made[0].Data["Link"])
	if err != nil || link.Path != "/password/set" || link.Query().Get("token") != res.Created[0].Token {
		t.Fatalf("link %q, want the account's 14-day link", made[0].Data["Link"])
	}
	if _, err := st.UsePasswordLink(ctx, link.Query().Get("token"), "una contraseña nueva", time.Now(), noSignIns); err != nil {
		t.Errorf("the emailed link: %v", err)
	}
}

func TestCertificatesIssuedOneByOneOrByBatchAreEmailedWithTheirVerificationLink(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	co, cohortID, people := completed(t, st, 3, courses.IssueManual)
	admin := instructor(t, st, "admin@example.org")
	if err := st.SetNotificationsOff(ctx, people[2].ID, []courses.NotificationGroup{courses.NotifyCertificates}); err != nil {
		t.Fatal(err)
	}
	c, _, err := st.IssueCertificate(ctx, courses.Actor{UserID: admin.ID}, people[0].ID, co.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// Issued again: the same certificate, no second email.
	if _, issued, err := st.IssueCertificate(ctx, courses.Actor{UserID: admin.ID}, people[0].ID, co.ID, time.Now()); err != nil || issued {
		t.Fatalf("second issue: %v %v", issued, err)
	}
	list := emailsOf(t, st, courses.EmailCertificateIssued)
	if len(list) != 1 {
		t.Fatalf("%d emails after one issue", len(list))
	}
	e := list[0]
	if e.UserID != people[0].ID || e.Data["Link"] != "/verify/"+c.Facts.Code || e.Data["Page"] != "/certificates/"+strconv.FormatInt(c.ID, 10) ||
		e.Data["Course"] != c.Facts.Course || e.Data["Code"] != courses.FormatCode(c.Facts.Code) || e.Data["Expires"] != c.Facts.ExpiresOn {
		t.Errorf("certificate email %v for %+v", e.Data, c.Facts)
	}
	if !sameTransaction(t, st, e.ID, "certificates", "id = $1", c.ID) {
		t.Error("the email was not written in the issue's transaction")
	}
	renewed, err := st.ReissueCertificate(ctx, courses.Actor{UserID: admin.ID}, c.Facts.Code, "nombre corregido", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	batch, err := st.StartCertificateBatch(ctx, courses.Actor{UserID: admin.ID}, cohortID)
	if err != nil {
		t.Fatal(err)
	}
	for done := false; !done; {
		if done, err = st.IssueBatchStep(ctx, batch, 500, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	list = emailsOf(t, st, courses.EmailCertificateIssued)
	if len(list) != 3 || list[1].Data["Link"] != "/verify/"+renewed.Facts.Code || list[2].UserID != people[1].ID {
		t.Fatalf("%d emails: want the first, its reissue and the batch's one (not to the trainee who turned them off)", len(list))
	}
}
