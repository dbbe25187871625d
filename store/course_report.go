package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
)

// CourseReport gathers a course's figures for its instructors, or one cohort's (cohortID 0:
// every cohort), with the in-person sessions held by now. Five aggregate queries whatever the
// course's size, read in one snapshot so that the figures agree with one another. A cohort of
// another course matches nothing: the figures are zeros, never that course's.
func (s *Store) CourseReport(ctx context.Context, courseID, cohortID int64, now time.Time) (courses.CourseReport, error) {
	var r courses.CourseReport
	err := s.read(ctx, func(db *sqlx.DB) error {
		r = courses.CourseReport{}
		return inSnapshot(ctx, db, func(tx *sqlx.Tx) error {
			for _, part := range []func(context.Context, *sqlx.Tx, int64, int64, time.Time, *courses.CourseReport) error{
				reportEnrolments, reportProgress, reportQuizzes, reportSessions,
			} {
				if err := part(ctx, tx, courseID, cohortID, now, &r); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		return courses.CourseReport{}, fmt.Errorf("store: report of course %d: %w", courseID, err)
	}
	return r, nil
}

// inSnapshot runs fn in a read-only transaction on db that sees one snapshot of the database.
func inSnapshot(ctx context.Context, db *sqlx.DB, fn func(tx *sqlx.Tx) error) error {
	return inTxOn(ctx, db, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}, fn)
}

// The report's enrolments are read through the course's cohorts, so that the unique
// (cohort_id, user_id) index finds them for the course as for one cohort.
const reportCohorts = `cohorts ch JOIN enrolments e ON e.cohort_id = ch.id WHERE ch.course_id = $1 AND ($2 = 0 OR ch.id = $2)`

func reportEnrolments(ctx context.Context, tx *sqlx.Tx, courseID, cohortID int64, _ time.Time, r *courses.CourseReport) error {
	var rows []struct {
		Status courses.EnrolmentStatus `db:"status"`
		N      int                     `db:"n"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT e.status, count(*) AS n FROM `+reportCohorts+` GROUP BY e.status`, courseID, cohortID); err != nil {
		return fmt.Errorf("enrolments: %w", err)
	}
	by := map[courses.EnrolmentStatus]int{}
	for _, row := range rows {
		by[row.Status] = row.N
	}
	for _, st := range courses.EnrolmentStatuses {
		r.Enrolments = append(r.Enrolments, courses.StatusCount{Status: st, Count: by[st]})
	}
	return nil
}

// reportProgress counts the trainees by lessons done (one row per number of lessons, not per
// trainee); courses.ProgressDistribution puts them in bands. A trainee is counted once even
// when two of their enrolments count (one completed and withdrawn, one active).
func reportProgress(ctx context.Context, tx *sqlx.Tx, courseID, cohortID int64, _ time.Time, r *courses.CourseReport) error {
	if err := tx.GetContext(ctx, &r.LessonsTotal, `SELECT count(*) FROM lessons l JOIN modules m ON m.id = l.module_id WHERE m.course_id = $1`, courseID); err != nil {
		return fmt.Errorf("lessons: %w", err)
	}
	var rows []struct {
		Done      int `db:"lessons_done"`
		Trainees  int `db:"trainees"`
		Completed int `db:"completed"`
	}
	// Each trainee's lessons are counted through the primary key (user_id, lesson_id), so
	// that the course's few thousand trainees never read the whole school's completions.
	err := tx.SelectContext(ctx, &rows, `
		WITH lesson AS (
			SELECT coalesce(array_agg(l.id), '{}') AS ids FROM lessons l JOIN modules m ON m.id = l.module_id WHERE m.course_id = $1
		), trainee AS (
			SELECT e.user_id, bool_or(e.completed_at IS NOT NULL) AS completed
			FROM `+reportCohorts+` AND (e.status = 'active' OR e.completed_at IS NOT NULL)
			GROUP BY e.user_id
		)
		SELECT d.lessons_done, count(*) AS trainees, count(*) FILTER (WHERE t.completed) AS completed
		FROM trainee t CROSS JOIN lesson
		CROSS JOIN LATERAL (SELECT count(*) AS lessons_done FROM lesson_completions lc
			WHERE lc.user_id = t.user_id AND lc.lesson_id = ANY (lesson.ids)) d
		GROUP BY d.lessons_done`, courseID, cohortID)
	if err != nil {
		return fmt.Errorf("progress: %w", err)
	}
	byDone := make(map[int]int, len(rows))
	for _, row := range rows {
		byDone[row.Done] = row.Trainees
		r.Trainees += row.Trainees
		r.Completed += row.Completed
	}
	r.Progress = courses.ProgressDistribution(r.LessonsTotal, byDone)
	return nil
}

// reportQuizzes gives each quiz of the course its figures. With a cohort, an attempt counts
// for the cohort of its trainee's newest enrolment in the course, as on the quiz's results
// page (its live enrolment, else the one they joined last; found once for the course's
// trainees, not once per attempt). A trainee's counted attempt follows the quiz's grade method as
// courses.CountingAttempt does: the best percentage marked in full (the earliest on a tie),
// or the last finished, which may still wait for a mark.
func reportQuizzes(ctx context.Context, tx *sqlx.Tx, courseID, cohortID int64, _ time.Time, r *courses.CourseReport) error {
	var rows []struct {
		ID       int64   `db:"id"`
		Titles   []byte  `db:"titles"`
		Attempts int     `db:"attempts"`
		Trainees int     `db:"trainees"`
		Pending  int     `db:"pending"`
		Graded   int     `db:"graded"`
		Passed   int     `db:"passed"`
		Mean     float64 `db:"mean"`
		Median   float64 `db:"median"`
	}
	err := tx.SelectContext(ctx, &rows, `
		WITH quiz AS (
			SELECT z.id, z.titles, coalesce(z.settings->>'grade_method', '') AS method, m.position AS module_position, z.position
			FROM quizzes z JOIN modules m ON m.id = z.module_id WHERE m.course_id = $1
		), attempt AS (
			SELECT a.id, a.quiz_id, a.user_id, a.finished_at, a.pending, a.passed, q.method,
				CASE WHEN a.max_score > 0 THEN round((100 * a.score / a.max_score)::numeric, 7)::double precision ELSE 0 END AS percent
			FROM quiz q JOIN quiz_attempts a ON a.quiz_id = q.id
			WHERE $2 = 0 OR a.user_id IN (SELECT n.user_id FROM (
				SELECT DISTINCT ON (e.user_id) e.user_id, e.cohort_id FROM cohorts ch JOIN enrolments e ON e.cohort_id = ch.id
				WHERE ch.course_id = $1 ORDER BY e.user_id, `+liveEnrolmentFirst+`) n WHERE n.cohort_id = $2)
		), counted AS (
			SELECT DISTINCT ON (quiz_id, user_id) quiz_id, user_id, percent, pending, passed
			FROM attempt WHERE finished_at IS NOT NULL AND (method = 'last' OR NOT pending)
			ORDER BY quiz_id, user_id,
				CASE WHEN method = 'last' THEN 0 ELSE percent END DESC,
				CASE WHEN method = 'last' THEN finished_at END DESC,
				CASE WHEN method = 'last' THEN id END DESC,
				finished_at, id
		)
		SELECT q.id, q.titles, coalesce(s.attempts, 0) AS attempts, coalesce(s.trainees, 0) AS trainees, coalesce(s.pending, 0) AS pending,
			coalesce(c.graded, 0) AS graded, coalesce(c.passed, 0) AS passed, coalesce(c.mean, 0) AS mean, coalesce(c.median, 0) AS median
		FROM quiz q
		LEFT JOIN (SELECT quiz_id, count(*) AS attempts, count(DISTINCT user_id) AS trainees,
				count(*) FILTER (WHERE finished_at IS NOT NULL AND pending) AS pending
			FROM attempt GROUP BY quiz_id) s ON s.quiz_id = q.id
		LEFT JOIN (SELECT quiz_id, count(*) AS graded, count(*) FILTER (WHERE passed) AS passed, avg(percent) AS mean,
				percentile_cont(0.5) WITHIN GROUP (ORDER BY percent) AS median
			FROM counted WHERE NOT pending GROUP BY quiz_id) c ON c.quiz_id = q.id
		ORDER BY q.module_position, q.position, q.id`, courseID, cohortID)
	if err != nil {
		return fmt.Errorf("quizzes: %w", err)
	}
	for _, row := range rows {
		q := courses.QuizFigures{QuizID: row.ID, Attempts: row.Attempts, Trainees: row.Trainees, Graded: row.Graded,
			Passed: row.Passed, Pending: row.Pending, Mean: row.Mean, Median: row.Median}
		if err := json.Unmarshal(row.Titles, &q.Titles); err != nil {
			return fmt.Errorf("quiz %d titles: %w", row.ID, err)
		}
		r.Quizzes = append(r.Quizzes, q)
	}
	return nil
}

// reportSessions gives each in-person session held by now its attendance. Its roster is the
// cohort's enrolled trainees and whoever was recorded at it, so that a trainee who attended
// and withdrew since is still counted present.
func reportSessions(ctx context.Context, tx *sqlx.Tx, courseID, cohortID int64, now time.Time, r *courses.CourseReport) error {
	var rows []struct {
		SessionID     int64     `db:"session_id"`
		CohortID      int64     `db:"cohort_id"`
		CohortName    string    `db:"cohort_name"`
		CohortDefault bool      `db:"cohort_default"`
		StartsAt      time.Time `db:"starts_at"`
		Place         string    `db:"place"`
		Roster        int       `db:"roster"`
		Present       int       `db:"present"`
		Excused       int       `db:"excused"`
	}
	// Each session is counted on its own, through the attendance's primary key (session_id,
	// user_id) and the cohort's enrolments, never by reading the whole school's attendance.
	err := tx.SelectContext(ctx, &rows, `
		SELECT s.id AS session_id, s.cohort_id, ch.name AS cohort_name, ch.is_default AS cohort_default, s.starts_at, s.place,
			r.roster, a.present, a.excused
		FROM cohorts ch JOIN cohort_sessions s ON s.cohort_id = ch.id
		CROSS JOIN LATERAL (SELECT count(*) AS roster FROM (
			SELECT e.user_id FROM enrolments e WHERE e.cohort_id = s.cohort_id AND e.status = 'active'
			UNION SELECT at.user_id FROM attendance at WHERE at.session_id = s.id) u) r
		CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE at.status = 'present') AS present,
			count(*) FILTER (WHERE at.status = 'excused') AS excused
			FROM attendance at WHERE at.session_id = s.id) a
		WHERE ch.course_id = $1 AND ($2 = 0 OR ch.id = $2) AND ch.mode <> 'online' AND s.starts_at <= $3
		ORDER BY s.starts_at, s.id`, courseID, cohortID, now)
	if err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	for _, row := range rows {
		r.Sessions = append(r.Sessions, courses.SessionFigures(row))
	}
	return nil
}
