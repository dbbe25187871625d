package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
)

type reportRow struct {
	UserID       int64                   `db:"user_id"`
	FullName     string                  `db:"full_name"`
	Email        string                  `db:"email"`
	Country      string                  `db:"country"`
	Institution  string                  `db:"institution"`
	Sector       string                  `db:"sector"`
	Status       courses.EnrolmentStatus `db:"status"`
	LessonsDone  int                     `db:"lessons_done"`
	LastActivity sql.NullTime            `db:"last_activity_at"`
	CompletedAt  sql.NullTime            `db:"completed_at"`
	Attended     int                     `db:"attended"`
	Counted      int                     `db:"counted"`
}

// CohortReport lists every trainee of a cohort (active, waiting and pending) with their
// progress, last activity, attendance at the sessions held by now, and completion, in one query.
func (s *Store) CohortReport(ctx context.Context, courseID, cohortID int64, now time.Time) ([]courses.ReportRow, error) {
	var total int
	var rows []reportRow
	err := s.read(ctx, func(db *sqlx.DB) error {
		rows = nil
		if err := db.GetContext(ctx, &total, `SELECT count(*) FROM lessons l JOIN modules m ON m.id = l.module_id WHERE m.course_id = $1`, courseID); err != nil {
			return err
		}
		return db.SelectContext(ctx, &rows, `
		SELECT u.id AS user_id, u.full_name, u.email, u.country, u.institution, u.sector, e.status, e.last_activity_at, e.completed_at,
			(SELECT count(*) FROM lesson_completions lc JOIN lessons l ON l.id = lc.lesson_id JOIN modules m ON m.id = l.module_id
				WHERE m.course_id = e.course_id AND lc.user_id = u.id) AS lessons_done,
			(SELECT count(*) FROM cohort_sessions s JOIN attendance a ON a.session_id = s.id AND a.user_id = u.id
				WHERE s.cohort_id = e.cohort_id AND s.starts_at <= $3 AND a.status = 'present') AS attended,
			(SELECT count(*) FROM cohort_sessions s LEFT JOIN attendance a ON a.session_id = s.id AND a.user_id = u.id
				WHERE s.cohort_id = e.cohort_id AND s.starts_at <= $3 AND a.status IS DISTINCT FROM 'excused') AS counted
		FROM enrolments e JOIN users u ON u.id = e.user_id
		WHERE e.cohort_id = $1 AND e.course_id = $2 AND e.status IN ('active', 'waiting', 'pending')
		ORDER BY lower(u.full_name), u.id`, cohortID, courseID, now)
	})
	if err != nil {
		return nil, fmt.Errorf("store: report: %w", err)
	}
	list := make([]courses.ReportRow, len(rows))
	for i, r := range rows {
		list[i] = courses.ReportRow{UserID: r.UserID, FullName: r.FullName, Email: r.Email, Country: r.Country,
			Institution: r.Institution, Sector: r.Sector, Status: r.Status, LessonsDone: r.LessonsDone,
			LastActivity: nullTime(r.LastActivity), CompletedAt: nullTime(r.CompletedAt), Attended: r.Attended, Counted: r.Counted,
			Percent: courses.Progress{LessonsTotal: total, LessonsDone: r.LessonsDone}.Percent()}
	}
	return list, nil
}
