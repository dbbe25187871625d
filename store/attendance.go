package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

type sessionRow struct {
	ID       int64        `db:"id"`
	CohortID int64        `db:"cohort_id"`
	StartsAt time.Time    `db:"starts_at"`
	Minutes  int          `db:"minutes"`
	Place    string       `db:"place"`
	Capacity int          `db:"capacity"`
	Code     string       `db:"checkin_code"`
	Opens    sql.NullTime `db:"checkin_opens"`
	Closes   sql.NullTime `db:"checkin_closes"`
}

const sessionColumns = `id, cohort_id, starts_at, minutes, place, capacity, checkin_code, checkin_opens, checkin_closes`

func (r sessionRow) session() courses.CohortSession {
	return courses.CohortSession{ID: r.ID, CohortID: r.CohortID, StartsAt: r.StartsAt, Minutes: r.Minutes, Place: r.Place,
		Capacity: r.Capacity, CheckInCode: r.Code, CheckInOpens: nullTime(r.Opens), CheckInCloses: nullTime(r.Closes)}
}

// AddSession schedules an in-person session for a cohort.
func (s *Store) AddSession(ctx context.Context, se courses.CohortSession) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &id, `INSERT INTO cohort_sessions (cohort_id, starts_at, minutes, place, capacity)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, se.CohortID, se.StartsAt, se.Minutes, se.Place, se.Capacity)
	})
	if err != nil {
		return 0, fmt.Errorf("store: add session: %w", err)
	}
	return id, nil
}

// Sessions lists a cohort's sessions in time order.
func (s *Store) Sessions(ctx context.Context, cohortID int64) ([]courses.CohortSession, error) {
	var rows []sessionRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+sessionColumns+` FROM cohort_sessions WHERE cohort_id = $1 ORDER BY starts_at, id`, cohortID); err != nil {
		return nil, fmt.Errorf("store: sessions: %w", err)
	}
	list := make([]courses.CohortSession, len(rows))
	for i, r := range rows {
		list[i] = r.session()
	}
	return list, nil
}

// Session returns a session of the cohort; a session of another cohort is not found.
func (s *Store) Session(ctx context.Context, cohortID, sessionID int64) (courses.CohortSession, error) {
	var r sessionRow
	err := s.db.GetContext(ctx, &r, `SELECT `+sessionColumns+` FROM cohort_sessions WHERE id = $1 AND cohort_id = $2`, sessionID, cohortID)
	if notFound(err) {
		return courses.CohortSession{}, fmt.Errorf("store: session %d: %w", sessionID, courses.ErrNotFound)
	}
	if err != nil {
		return courses.CohortSession{}, fmt.Errorf("store: session %d: %w", sessionID, err)
	}
	return r.session(), nil
}

type rosterRow struct {
	UserID   int64                    `db:"user_id"`
	FullName string                   `db:"full_name"`
	Email    string                   `db:"email"`
	Status   courses.AttendanceStatus `db:"status"`
	ByCode   bool                     `db:"by_code"`
}

// Roster lists the cohort's active trainees with their attendance at a session.
func (s *Store) Roster(ctx context.Context, cohortID, sessionID int64) ([]courses.RosterEntry, error) {
	var rows []rosterRow
	err := s.db.SelectContext(ctx, &rows, `
		SELECT u.id AS user_id, u.full_name, u.email, coalesce(a.status, '') AS status,
			(a.status IS NOT NULL AND a.recorded_by IS NULL) AS by_code
		FROM enrolments e JOIN users u ON u.id = e.user_id
		LEFT JOIN attendance a ON a.session_id = $2 AND a.user_id = u.id
		WHERE e.cohort_id = $1 AND e.status = 'active'
		ORDER BY lower(u.full_name), u.id`, cohortID, sessionID)
	if err != nil {
		return nil, fmt.Errorf("store: roster: %w", err)
	}
	list := make([]courses.RosterEntry, len(rows))
	for i, r := range rows {
		list[i] = courses.RosterEntry{UserID: r.UserID, FullName: r.FullName, Email: r.Email, Status: r.Status, ByCode: r.ByCode}
	}
	return list, nil
}

// SetAttendance records the instructor's roster for a session, and records the completion of
// anyone whose course is now complete. Marks for people who are not (or no longer) active in
// the cohort are skipped, not saved, and counted: one trainee withdrawing while the roster is
// open must not lose everyone else's marks. The whole roster is saved in one statement and
// completion checked in two more, whatever its size, in one transaction. Each mark that
// changes (a first mark, or another status) is by's, in the audit trail.
func (s *Store) SetAttendance(ctx context.Context, cohortID, sessionID int64, by courses.Actor, marks map[int64]courses.AttendanceStatus, now time.Time) (skipped int, err error) {
	userIDs := make(pq.Int64Array, 0, len(marks))
	statuses := make(pq.StringArray, 0, len(marks))
	for userID, status := range marks {
		if !status.Valid() {
			return 0, fmt.Errorf("store: attendance %q: %w", status, courses.ErrInvalid)
		}
		userIDs = append(userIDs, userID)
		statuses = append(statuses, string(status))
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		var res struct {
			CourseID sql.NullInt64 `db:"course_id"`
			Saved    pq.Int64Array `db:"saved"`
			Changed  pq.Int64Array `db:"changed"`
		}
		// before is read from the snapshot the statement started with: the marks as they were.
		err := tx.GetContext(ctx, &res, `
			WITH session AS (
				SELECT c.course_id FROM cohort_sessions s JOIN cohorts c ON c.id = s.cohort_id WHERE s.id = $1 AND s.cohort_id = $2
			), before AS (
				SELECT user_id, status FROM attendance WHERE session_id = $1 AND user_id = ANY ($4)
			), saved AS (
				INSERT INTO attendance (session_id, user_id, status, recorded_by)
				SELECT $1, m.user_id, m.status, $3 FROM unnest($4::bigint[], $5::text[]) AS m (user_id, status)
				WHERE EXISTS (SELECT 1 FROM session)
				  AND EXISTS (SELECT 1 FROM enrolments e WHERE e.cohort_id = $2 AND e.user_id = m.user_id AND e.status = 'active')
				ON CONFLICT (session_id, user_id) DO UPDATE SET status = EXCLUDED.status, recorded_by = EXCLUDED.recorded_by, recorded_at = now()
				RETURNING user_id, status
			)
			SELECT (SELECT course_id FROM session) AS course_id, (SELECT coalesce(array_agg(user_id), '{}') FROM saved) AS saved,
				(SELECT coalesce(array_agg(s.user_id), '{}') FROM saved s LEFT JOIN before b ON b.user_id = s.user_id
					WHERE b.status IS DISTINCT FROM s.status) AS changed`,
			sessionID, cohortID, nullID(by.UserID), userIDs, statuses)
		if err != nil {
			return err
		}
		if !res.CourseID.Valid {
			return fmt.Errorf("store: session %d: %w", sessionID, courses.ErrNotFound)
		}
		skipped = len(marks) - len(res.Saved)
		if len(res.Saved) == 0 {
			return nil
		}
		details := make([]map[string]string, len(res.Changed))
		for i, id := range res.Changed {
			details[i] = map[string]string{"session": strconv.FormatInt(sessionID, 10), "status": string(marks[id])}
		}
		if len(res.Changed) > 0 {
			if err := recordAuditEach(ctx, tx, by, courses.AuditEntry{Action: courses.AuditAttendance, CourseID: res.CourseID.Int64,
				CohortID: cohortID}, res.Changed, details); err != nil {
				return err
			}
		}
		_, err = s.completeWhereDue(ctx, tx, res.CourseID.Int64, res.Saved, now)
		return err
	})
	return skipped, err
}

// OpenCheckIn gives a session a new code, valid from opens to closes: by's doing, in the
// audit trail, since trainees then mark themselves present with it.
func (s *Store) OpenCheckIn(ctx context.Context, by courses.Actor, cohortID, sessionID int64, code string, opens, closes time.Time) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var courseID int64
		err := tx.GetContext(ctx, &courseID, `UPDATE cohort_sessions s SET checkin_code = $3, checkin_opens = $4, checkin_closes = $5
			FROM cohorts c WHERE s.id = $1 AND s.cohort_id = $2 AND c.id = s.cohort_id RETURNING c.course_id`, sessionID, cohortID, code, opens, closes)
		if notFound(err) {
			return fmt.Errorf("store: session %d: %w", sessionID, courses.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: open check-in: %w", err)
		}
		return recordAudit(ctx, tx, by, courses.AuditEntry{Action: courses.AuditCheckInOpened, CourseID: courseID, CohortID: cohortID,
			Detail: map[string]string{"session": strconv.FormatInt(sessionID, 10)}})
	})
}

// CloseCheckIn ends a session's check-in window now; by's doing, in the audit trail, when
// it was open.
func (s *Store) CloseCheckIn(ctx context.Context, by courses.Actor, cohortID, sessionID int64, now time.Time) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var courseID int64
		err := tx.GetContext(ctx, &courseID, `UPDATE cohort_sessions s SET checkin_closes = $3
			FROM cohorts c WHERE s.id = $1 AND s.cohort_id = $2 AND s.checkin_closes > $3 AND c.id = s.cohort_id
			RETURNING c.course_id`, sessionID, cohortID, now)
		if notFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		return recordAudit(ctx, tx, by, courses.AuditEntry{Action: courses.AuditCheckInClosed, CourseID: courseID, CohortID: cohortID,
			Detail: map[string]string{"session": strconv.FormatInt(sessionID, 10)}})
	})
}

// CheckIn marks userID present at the session of one of their cohorts whose code this is,
// if its window is open. It returns the session.
func (s *Store) CheckIn(ctx context.Context, userID int64, code string, now time.Time) (courses.CohortSession, error) {
	var found courses.CohortSession
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var rows []struct {
			sessionRow
			CourseID int64 `db:"course_id"`
		}
		err := tx.SelectContext(ctx, &rows, `
			SELECT s.id, s.cohort_id, s.starts_at, s.minutes, s.place, s.capacity, s.checkin_code, s.checkin_opens, s.checkin_closes, e.course_id
			FROM cohort_sessions s JOIN enrolments e ON e.cohort_id = s.cohort_id AND e.user_id = $1 AND e.status = 'active'
			WHERE s.checkin_code <> '' ORDER BY abs(extract(epoch FROM s.starts_at - $2::timestamptz))`, userID, now)
		if err != nil {
			return err
		}
		var last error = courses.ErrCheckInCode
		for _, r := range rows {
			se := r.session()
			err := se.CheckIn(code, now)
			if errors.Is(err, courses.ErrCheckInCode) {
				continue
			}
			if err != nil {
				last = err // the right code, outside its window
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO attendance (session_id, user_id, status) VALUES ($1, $2, 'present')
				ON CONFLICT (session_id, user_id) DO UPDATE SET status = 'present', recorded_by = NULL, recorded_at = now()`, se.ID, userID); err != nil {
				return err
			}
			if _, err := s.checkCompletion(ctx, tx, userID, r.CourseID, now); err != nil {
				return err
			}
			found = se
			return nil
		}
		return last
	})
	if err != nil {
		return found, fmt.Errorf("store: check in: %w", err)
	}
	return found, nil
}
