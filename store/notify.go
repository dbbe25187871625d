package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/riverqueue/river"
)

// The notifications: emails that changes of enrolment, approval, certificates and the
// periodic reminders put in the outbox, in the transaction of the change that causes them.

// notice is one email of a set: to a user, about a course, with the values its text shows.
type notice struct {
	UserID   int64
	CourseID int64 // fills Data["Course"] with the course's title in the user's language, unless Data has one
	Data     map[string]string
}

// enqueueNotices puts an email of kind for each notice in the outbox in tx: enqueueEmail
// for a set, in two statements whatever its size (one INSERT … SELECT for the rows, one
// InsertManyTx for their jobs). Its rules are enqueueEmail's: the user's address and
// language, their name as Data["Name"], and no email at all to a user who turned the kind's
// group off.
func (s *Store) enqueueNotices(ctx context.Context, tx *sqlx.Tx, kind courses.EmailKind, list []notice) error {
	if !kind.Valid() {
		return fmt.Errorf("store: email kind %q: %w", kind, courses.ErrInvalid)
	}
	if len(list) == 0 {
		return nil
	}
	users, coursesOf, data := make(pq.Int64Array, len(list)), make(pq.Int64Array, len(list)), make(pq.StringArray, len(list))
	for i, n := range list {
		b, err := json.Marshal(n.Data)
		if err != nil {
			return fmt.Errorf("store: email data: %w", err)
		}
		if n.Data == nil {
			b = []byte("{}")
		}
		users[i], coursesOf[i], data[i] = n.UserID, n.CourseID, string(b)
	}
	var ids []int64
	err := tx.SelectContext(ctx, &ids, `
		INSERT INTO emails (kind, user_id, to_address, language, data, message_id)
		SELECT $1, u.id, u.email, u.language,
			jsonb_build_object('Name', u.full_name)
			|| CASE WHEN co.id IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('Course', coalesce((SELECT t.title FROM course_texts t
				WHERE t.course_id = co.id ORDER BY t.language = u.language DESC, t.language = co.default_language DESC, t.language
				LIMIT 1), co.slug)) END
			|| d.data::jsonb,
			gen_random_uuid()::text
		FROM unnest($2::bigint[], $3::bigint[], $4::text[]) WITH ORDINALITY AS d(user_id, course_id, data, n)
		JOIN users u ON u.id = d.user_id LEFT JOIN courses co ON co.id = d.course_id
		WHERE $5 = '' OR NOT ($5 = ANY (u.notifications_off))
		ORDER BY d.n
		RETURNING id`, string(kind), users, coursesOf, data, string(kind.Group()))
	if err != nil {
		return fmt.Errorf("store: enqueue %s emails: %w", kind, err)
	}
	if len(ids) == 0 {
		return nil
	}
	client, err := s.inserter()
	if err != nil {
		return fmt.Errorf("store: enqueue %s emails: %w", kind, err)
	}
	jobs := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		jobs[i] = river.InsertManyParams{Args: sendEmailArgs{EmailID: id}, InsertOpts: emailInsertOpts()}
	}
	if _, err := client.InsertManyTx(ctx, tx.Tx, jobs); err != nil {
		return fmt.Errorf("store: enqueue %s emails: %w", kind, err)
	}
	return nil
}

// cohortFacts is what a notification about a cohort says of it.
type cohortFacts struct {
	CohortID int64  `db:"id"`
	CourseID int64  `db:"course_id"`
	Slug     string `db:"slug"`
	Name     string `db:"name"`
	Default  bool   `db:"is_default"`
}

func cohortFactsOf(ctx context.Context, tx *sqlx.Tx, cohortID int64) (cohortFacts, error) {
	var f cohortFacts
	err := tx.GetContext(ctx, &f, `SELECT ch.id, ch.course_id, co.slug, ch.name, ch.is_default
		FROM cohorts ch JOIN courses co ON co.id = ch.course_id WHERE ch.id = $1`, cohortID)
	if notFound(err) {
		return f, fmt.Errorf("cohort %d: %w", cohortID, courses.ErrNotFound)
	}
	return f, err
}

// data is what every email about the cohort shows: its name (none for a course's open,
// self-paced cohort, which is not a run worth naming) and a link to the course's page.
func (f cohortFacts) data(more ...string) map[string]string {
	cohort := f.Name
	if f.Default {
		cohort = ""
	}
	d := map[string]string{"Cohort": cohort, "Link": "/courses/" + f.Slug}
	for i := 0; i+1 < len(more); i += 2 {
		d[more[i]] = more[i+1]
	}
	return d
}

// notifyEnrolled emails users that they are in the cohort now (enrolled, moved in from the
// waiting list) or on its waiting list: kind says which.
func (s *Store) notifyEnrolled(ctx context.Context, tx *sqlx.Tx, cohortID int64, kind courses.EmailKind, userIDs []int64) error {
	if len(userIDs) == 0 {
		return nil
	}
	f, err := cohortFactsOf(ctx, tx, cohortID)
	if err != nil {
		return err
	}
	list := make([]notice, len(userIDs))
	for i, id := range userIDs {
		list[i] = notice{UserID: id, CourseID: f.CourseID, Data: f.data()}
	}
	return s.enqueueNotices(ctx, tx, kind, list)
}

// enrolmentEmail is the email of an enrolment's status: none for a request awaiting approval
// (its instructors get one instead).
func enrolmentEmail(status courses.EnrolmentStatus) courses.EmailKind {
	switch status {
	case courses.EnrolmentActive:
		return courses.EmailEnrolled
	case courses.EnrolmentWaiting:
		return courses.EmailWaiting
	}
	return ""
}

// notifyRequest emails the course's instructors (its owner and those added to it; not the
// administrators, who see every cohort but do not run them) that userID asks to join the
// cohort, with a link to the cohort's page, where they decide.
func (s *Store) notifyRequest(ctx context.Context, tx *sqlx.Tx, cohortID, userID int64) error {
	f, err := cohortFactsOf(ctx, tx, cohortID)
	if err != nil {
		return err
	}
	var who struct {
		Name  string `db:"full_name"`
		Email string `db:"email"`
	}
	if err := tx.GetContext(ctx, &who, `SELECT full_name, email FROM users WHERE id = $1`, userID); err != nil {
		return err
	}
	var instructors []int64
	if err := tx.SelectContext(ctx, &instructors, `SELECT u.id FROM users u WHERE u.active AND u.id <> $2 AND (
			u.id = (SELECT owner_id FROM courses WHERE id = $1)
			OR EXISTS (SELECT 1 FROM course_instructors i WHERE i.course_id = $1 AND i.user_id = u.id))
		ORDER BY u.id`, f.CourseID, userID); err != nil {
		return err
	}
	list := make([]notice, len(instructors))
	for i, id := range instructors {
		d := f.data("Trainee", who.Name, "TraineeEmail", who.Email,
			"Link", "/teach/courses/"+strconv.FormatInt(f.CourseID, 10)+"/cohorts/"+strconv.FormatInt(cohortID, 10)+"#trainees")
		list[i] = notice{UserID: id, CourseID: f.CourseID, Data: d}
	}
	return s.enqueueNotices(ctx, tx, courses.EmailApprovalRequested, list)
}

// The decisions an approval_decided email tells (its Data["Decision"]).
const (
	DecisionApproved = "approved" // in the cohort
	DecisionWaiting  = "waiting"  // approved, on the waiting list of a full cohort
	DecisionDeclined = "declined"
)

// notifyDecision emails a trainee the decision on their request.
func (s *Store) notifyDecision(ctx context.Context, tx *sqlx.Tx, cohortID, userID int64, status courses.EnrolmentStatus) error {
	f, err := cohortFactsOf(ctx, tx, cohortID)
	if err != nil {
		return err
	}
	decision := DecisionDeclined
	switch status {
	case courses.EnrolmentActive:
		decision = DecisionApproved
	case courses.EnrolmentWaiting:
		decision = DecisionWaiting
	}
	return s.enqueueNotices(ctx, tx, courses.EmailApprovalDecided,
		[]notice{{UserID: userID, CourseID: f.CourseID, Data: f.data("Decision", decision)}})
}

// notifyCertificates emails each holder their new certificate: the public verification page
// as the email's link, and their own page of it (with the PDF) beside it.
func (s *Store) notifyCertificates(ctx context.Context, tx *sqlx.Tx, list []courses.Certificate) error {
	notices := make([]notice, len(list))
	for i, c := range list {
		notices[i] = notice{UserID: c.UserID, Data: map[string]string{"Course": c.Facts.Course, "Cohort": c.Facts.Cohort,
			"Code": courses.FormatCode(c.Facts.Code), "Expires": c.Facts.ExpiresOn,
			"Link": "/verify/" + c.Facts.Code, "Page": "/certificates/" + strconv.FormatInt(c.ID, 10)}}
	}
	return s.enqueueNotices(ctx, tx, courses.EmailCertificateIssued, notices)
}
