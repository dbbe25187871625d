package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
)

// Errors of enrolment that pages explain to the trainee.
var (
	ErrWrongKey       = fmt.Errorf("wrong enrolment key: %w", courses.ErrForbidden)
	ErrCohortClosed   = fmt.Errorf("cohort closed: %w", courses.ErrForbidden)
	ErrAlreadyEnroled = fmt.Errorf("already enrolled in this course: %w", courses.ErrConflict)
)

type cohortRow struct {
	ID        int64        `db:"id"`
	CourseID  int64        `db:"course_id"`
	Name      string       `db:"name"`
	StartsOn  sql.NullTime `db:"starts_on"`
	EndsOn    sql.NullTime `db:"ends_on"`
	Capacity  int          `db:"capacity"`
	Mode      string       `db:"mode"`
	Location  string       `db:"location"`
	Policy    string       `db:"policy"`
	Key       string       `db:"enrolment_key"`
	IsDefault bool         `db:"is_default"`
}

const cohortColumns = `id, course_id, name, starts_on, ends_on, capacity, mode, location, policy, enrolment_key, is_default`

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time
	return &v
}

func (r cohortRow) cohort() courses.Cohort {
	return courses.Cohort{ID: r.ID, CourseID: r.CourseID, Name: r.Name, StartsOn: nullTime(r.StartsOn), EndsOn: nullTime(r.EndsOn),
		Capacity: r.Capacity, Mode: courses.CohortMode(r.Mode), Location: r.Location, Policy: courses.EnrolmentPolicy(r.Policy),
		Key: r.Key, IsDefault: r.IsDefault}
}

// Cohorts lists a course's cohorts, the default one first, then by start date.
func (s *Store) Cohorts(ctx context.Context, courseID int64) ([]courses.CohortSummary, error) {
	var rows []struct {
		cohortRow
		Active  int `db:"active"`
		Waiting int `db:"waiting"`
		Pending int `db:"pending"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT c.id, c.course_id, c.name, c.starts_on, c.ends_on, c.capacity, c.mode, c.location, c.policy, c.enrolment_key, c.is_default,
			count(*) FILTER (WHERE e.status = 'active') AS active,
			count(*) FILTER (WHERE e.status = 'waiting') AS waiting,
			count(*) FILTER (WHERE e.status = 'pending') AS pending
		FROM cohorts c LEFT JOIN enrolments e ON e.cohort_id = c.id
		WHERE c.course_id = $1
		GROUP BY c.id
		ORDER BY c.is_default DESC, c.starts_on NULLS LAST, c.id`, courseID)
	if err != nil {
		return nil, fmt.Errorf("store: cohorts: %w", err)
	}
	list := make([]courses.CohortSummary, len(rows))
	for i, r := range rows {
		list[i] = courses.CohortSummary{Cohort: r.cohort(), Active: r.Active, Waiting: r.Waiting, Pending: r.Pending}
	}
	return list, nil
}

// Cohort returns a cohort of the course; a cohort of another course is not found.
func (s *Store) Cohort(ctx context.Context, courseID, cohortID int64) (courses.Cohort, error) {
	var r cohortRow
	err := s.db.GetContext(ctx, &r, `SELECT `+cohortColumns+` FROM cohorts WHERE id = $1 AND course_id = $2`, cohortID, courseID)
	if notFound(err) {
		return courses.Cohort{}, fmt.Errorf("store: cohort %d: %w", cohortID, courses.ErrNotFound)
	}
	if err != nil {
		return courses.Cohort{}, fmt.Errorf("store: cohort %d: %w", cohortID, err)
	}
	return r.cohort(), nil
}

// AnyCohort returns a cohort of any course, for administrators.
func (s *Store) AnyCohort(ctx context.Context, cohortID int64) (courses.Cohort, error) {
	var r cohortRow
	err := s.db.GetContext(ctx, &r, `SELECT `+cohortColumns+` FROM cohorts WHERE id = $1`, cohortID)
	if notFound(err) {
		return courses.Cohort{}, fmt.Errorf("store: cohort %d: %w", cohortID, courses.ErrNotFound)
	}
	if err != nil {
		return courses.Cohort{}, fmt.Errorf("store: cohort %d: %w", cohortID, err)
	}
	return r.cohort(), nil
}

// SaveCohort creates a cohort (ID 0) or updates one of the course. Those a larger capacity
// moves in from the waiting list are by's doing, in the audit trail.
func (s *Store) SaveCohort(ctx context.Context, by courses.Actor, c courses.Cohort) (int64, error) {
	id := c.ID
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if id == 0 {
			return tx.GetContext(ctx, &id, `INSERT INTO cohorts (course_id, name, starts_on, ends_on, capacity, mode, location, policy, enrolment_key)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
				c.CourseID, c.Name, c.StartsOn, c.EndsOn, c.Capacity, string(c.Mode), c.Location, string(c.Policy), c.Key)
		}
		res, err := tx.ExecContext(ctx, `UPDATE cohorts SET name = $3, starts_on = $4, ends_on = $5, capacity = $6, mode = $7,
			location = $8, policy = $9, enrolment_key = $10 WHERE id = $1 AND course_id = $2`,
			c.ID, c.CourseID, c.Name, c.StartsOn, c.EndsOn, c.Capacity, string(c.Mode), c.Location, string(c.Policy), c.Key)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("cohort %d: %w", c.ID, courses.ErrNotFound)
		}
		// A larger capacity frees seats: the waiting list moves.
		moved, err := promoteWaiting(ctx, tx, c.ID)
		if err != nil || len(moved) == 0 {
			return err
		}
		if err := s.notifyEnrolled(ctx, tx, c.ID, courses.EmailPromoted, moved); err != nil {
			return err
		}
		return recordAuditEach(ctx, tx, by, courses.AuditEntry{Action: courses.AuditPromoted, CourseID: c.CourseID, CohortID: c.ID,
			Detail: map[string]string{"status": string(courses.EnrolmentActive)}}, moved, nil)
	})
	if err != nil {
		return 0, fmt.Errorf("store: save cohort: %w", err)
	}
	return id, nil
}

// lockCohort takes the cohort's row lock: enrolments into one cohort happen one at a time,
// so two trainees racing for the last seat cannot both get it.
func lockCohort(ctx context.Context, tx *sqlx.Tx, cohortID int64) (courses.Cohort, error) {
	var r cohortRow
	err := tx.GetContext(ctx, &r, `SELECT `+cohortColumns+` FROM cohorts WHERE id = $1 FOR UPDATE`, cohortID)
	if notFound(err) {
		return courses.Cohort{}, fmt.Errorf("cohort %d: %w", cohortID, courses.ErrNotFound)
	}
	return r.cohort(), err
}

func activeCount(ctx context.Context, tx *sqlx.Tx, cohortID int64) (int, error) {
	var n int
	err := tx.GetContext(ctx, &n, `SELECT count(*) FROM enrolments WHERE cohort_id = $1 AND status = 'active'`, cohortID)
	return n, err
}

// promoteWaiting moves people from the waiting list into free seats, first come first served,
// and returns who moved.
func promoteWaiting(ctx context.Context, tx *sqlx.Tx, cohortID int64) ([]int64, error) {
	c, err := lockCohort(ctx, tx, cohortID)
	if err != nil {
		return nil, err
	}
	var moved []int64
	if c.Capacity == 0 {
		err := tx.SelectContext(ctx, &moved, `UPDATE enrolments SET status = 'active' WHERE cohort_id = $1 AND status = 'waiting'
			RETURNING user_id`, cohortID)
		return moved, err
	}
	active, err := activeCount(ctx, tx, cohortID)
	if err != nil {
		return nil, err
	}
	if free := c.Capacity - active; free > 0 {
		err = tx.SelectContext(ctx, &moved, `UPDATE enrolments SET status = 'active' WHERE id IN (
			SELECT id FROM enrolments WHERE cohort_id = $1 AND status = 'waiting' ORDER BY queued_at, id LIMIT $2)
			RETURNING user_id`, cohortID, free)
	}
	return moved, err
}

// Enrol puts userID in a cohort as its policy says: at once, with the right key, or on an
// instructor's approval; on the waiting list when the cohort is full. It returns the status.
func (s *Store) Enrol(ctx context.Context, userID, cohortID int64, key string, now time.Time) (courses.EnrolmentStatus, error) {
	var status courses.EnrolmentStatus
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		c, err := lockCohort(ctx, tx, cohortID)
		if err != nil {
			return err
		}
		if !c.Open(now) {
			return ErrCohortClosed
		}
		if c.Policy == courses.PolicyKey && !c.KeyMatches(key) {
			return ErrWrongKey
		}
		status = courses.EnrolmentActive
		if c.Policy == courses.PolicyApproval {
			status = courses.EnrolmentPending
		} else if active, err := activeCount(ctx, tx, cohortID); err != nil {
			return err
		} else if c.Full(active) {
			status = courses.EnrolmentWaiting
		}
		wrote, err := upsertEnrolment(ctx, tx, c, userID, status)
		if err != nil || !wrote {
			return err
		}
		if status == courses.EnrolmentPending {
			return s.notifyRequest(ctx, tx, cohortID, userID)
		}
		return s.notifyEnrolled(ctx, tx, cohortID, enrolmentEmail(status), []int64{userID})
	})
	if err != nil {
		return "", fmt.Errorf("store: enrol %d in cohort %d: %w", userID, cohortID, err)
	}
	return status, nil
}

// upsertEnrolment writes a live enrolment; someone who withdrew before comes back at the end of
// the queue. It says whether it wrote: a second identical request (a double click) changes
// nothing, and causes no second email.
func upsertEnrolment(ctx context.Context, tx *sqlx.Tx, c courses.Cohort, userID int64, status courses.EnrolmentStatus) (bool, error) {
	var id int64
	err := tx.GetContext(ctx, &id, `
		INSERT INTO enrolments (cohort_id, course_id, user_id, status) VALUES ($1, $2, $3, $4)
		ON CONFLICT (cohort_id, user_id) DO UPDATE SET status = EXCLUDED.status, queued_at = clock_timestamp()
		WHERE enrolments.status IN ('withdrawn', 'rejected')
		RETURNING id`, c.ID, c.CourseID, userID, string(status))
	if isUniqueViolation(err) {
		return false, ErrAlreadyEnroled
	}
	if err == nil {
		return true, nil
	}
	if !notFound(err) {
		return false, err
	}
	// The conflict clause did nothing when the person is already live in this cohort.
	var live string
	if err := tx.GetContext(ctx, &live, `SELECT status FROM enrolments WHERE cohort_id = $1 AND user_id = $2`, c.ID, userID); err != nil {
		return false, err
	}
	if live != string(status) && (live == "active" || live == "waiting" || live == "pending") {
		return false, ErrAlreadyEnroled
	}
	return false, nil
}

// Withdraw takes userID out of a cohort; a seat they free goes to the first on the waiting list.
func (s *Store) Withdraw(ctx context.Context, userID, cohortID int64) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := lockCohort(ctx, tx, cohortID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE enrolments SET status = 'withdrawn'
			WHERE cohort_id = $1 AND user_id = $2 AND status IN ('active', 'waiting', 'pending')`, cohortID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: enrolment of %d in %d: %w", userID, cohortID, courses.ErrNotFound)
		}
		// The seat goes to the next in line by itself: no one's doing to record.
		moved, err := promoteWaiting(ctx, tx, cohortID)
		if err != nil {
			return err
		}
		return s.notifyEnrolled(ctx, tx, cohortID, courses.EmailPromoted, moved)
	})
}

// Decide approves (into a seat, or the waiting list when full) or rejects a pending request:
// by's decision, in the audit trail.
func (s *Store) Decide(ctx context.Context, by courses.Actor, cohortID, userID int64, approve bool) (courses.EnrolmentStatus, error) {
	status := courses.EnrolmentRejected
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		c, err := lockCohort(ctx, tx, cohortID)
		if err != nil {
			return err
		}
		if approve {
			status = courses.EnrolmentActive
			active, err := activeCount(ctx, tx, cohortID)
			if err != nil {
				return err
			}
			if c.Full(active) {
				status = courses.EnrolmentWaiting
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE enrolments SET status = $3, queued_at = clock_timestamp()
			WHERE cohort_id = $1 AND user_id = $2 AND status = 'pending'`, cohortID, userID, string(status))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("request of %d: %w", userID, courses.ErrNotFound)
		}
		action := courses.AuditRequestRejected
		if approve {
			action = courses.AuditRequestApproved
		}
		if err := s.notifyDecision(ctx, tx, cohortID, userID, status); err != nil {
			return err
		}
		return recordAudit(ctx, tx, by, courses.AuditEntry{Action: action, UserID: userID, CourseID: c.CourseID, CohortID: cohortID,
			Detail: map[string]string{"status": string(status)}})
	})
	if err != nil {
		return "", fmt.Errorf("store: decide: %w", err)
	}
	return status, nil
}

// EnrolByStaff puts a user into a cohort at once, whatever its policy and capacity: an
// instructor or admin enrolling someone by hand has decided, and the audit trail says who.
func (s *Store) EnrolByStaff(ctx context.Context, by courses.Actor, cohortID, userID int64) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		c, err := lockCohort(ctx, tx, cohortID)
		if err != nil {
			return err
		}
		wrote, err := upsertEnrolment(ctx, tx, c, userID, courses.EnrolmentActive)
		if err != nil {
			return err
		}
		if wrote {
			if err := s.notifyEnrolled(ctx, tx, cohortID, courses.EmailEnrolled, []int64{userID}); err != nil {
				return err
			}
		}
		return recordAudit(ctx, tx, by, courses.AuditEntry{Action: courses.AuditEnrolledByHand, UserID: userID, CourseID: c.CourseID, CohortID: cohortID})
	})
}

type enrolmentRow struct {
	ID             int64                   `db:"id"`
	CohortID       int64                   `db:"cohort_id"`
	CourseID       int64                   `db:"course_id"`
	UserID         int64                   `db:"user_id"`
	Status         courses.EnrolmentStatus `db:"status"`
	LastLessonID   sql.NullInt64           `db:"last_lesson_id"`
	LastActivityAt sql.NullTime            `db:"last_activity_at"`
	CompletedAt    sql.NullTime            `db:"completed_at"`
	Position       int                     `db:"position"` // place on the waiting list, 1 first
}

func (r enrolmentRow) enrolment() courses.Enrolment {
	return courses.Enrolment{ID: r.ID, CohortID: r.CohortID, CourseID: r.CourseID, UserID: r.UserID, Status: r.Status,
		LastLessonID: r.LastLessonID.Int64, LastActivityAt: nullTime(r.LastActivityAt), CompletedAt: nullTime(r.CompletedAt),
		Position: r.Position}
}

// EnrolmentIn returns userID's live enrolment in a course (any cohort), or ErrNotFound.
func (s *Store) EnrolmentIn(ctx context.Context, userID, courseID int64) (courses.Enrolment, error) {
	var e enrolmentRow
	err := s.db.GetContext(ctx, &e, `
		SELECT e.id, e.cohort_id, e.course_id, e.user_id, e.status, e.last_lesson_id, e.last_activity_at, e.completed_at,
			CASE WHEN e.status = 'waiting' THEN (SELECT count(*) FROM enrolments w WHERE w.cohort_id = e.cohort_id
				AND w.status = 'waiting' AND (w.queued_at, w.id) <= (e.queued_at, e.id)) ELSE 0 END AS position
		FROM enrolments e WHERE e.user_id = $1 AND e.course_id = $2 AND e.status IN ('active', 'waiting', 'pending')`, userID, courseID)
	if notFound(err) {
		return courses.Enrolment{}, fmt.Errorf("store: enrolment of %d in course %d: %w", userID, courseID, courses.ErrNotFound)
	}
	if err != nil {
		return courses.Enrolment{}, fmt.Errorf("store: enrolment: %w", err)
	}
	return e.enrolment(), nil
}
