package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
)

// CompleteLesson records that userID finished a lesson (once; later calls change nothing),
// remembers it as the place to resume, and records the course's completion when its rules
// first hold. It returns whether the course is now complete.
func (s *Store) CompleteLesson(ctx context.Context, userID, lessonID int64, now time.Time) (bool, error) {
	var complete bool
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		courseID, err := courseOfLesson(ctx, tx, lessonID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO lesson_completions (user_id, lesson_id, completed_at) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, userID, lessonID, now); err != nil {
			return err
		}
		if err := touchEnrolment(ctx, tx, userID, courseID, lessonID, now); err != nil {
			return err
		}
		complete, err = checkCompletion(ctx, tx, userID, courseID, now)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: complete lesson %d: %w", lessonID, err)
	}
	return complete, nil
}

// VisitLesson remembers the lesson a trainee is reading, so "My learning" resumes there.
// One statement needs no transaction of its own: each lesson page pays one round trip for it.
func (s *Store) VisitLesson(ctx context.Context, userID, courseID, lessonID int64, now time.Time) error {
	if err := touchEnrolment(ctx, s.db, userID, courseID, lessonID, now); err != nil {
		return fmt.Errorf("store: visit lesson %d: %w", lessonID, err)
	}
	return nil
}

func touchEnrolment(ctx context.Context, db sqlx.ExecerContext, userID, courseID, lessonID int64, now time.Time) error {
	_, err := db.ExecContext(ctx, `UPDATE enrolments SET last_lesson_id = $3, last_activity_at = $4
		WHERE user_id = $1 AND course_id = $2 AND status = 'active'`, userID, courseID, lessonID, now)
	return err
}

func courseOfLesson(ctx context.Context, tx *sqlx.Tx, lessonID int64) (int64, error) {
	var courseID int64
	err := tx.GetContext(ctx, &courseID, `SELECT m.course_id FROM lessons l JOIN modules m ON m.id = l.module_id WHERE l.id = $1`, lessonID)
	if notFound(err) {
		return 0, fmt.Errorf("lesson %d: %w", lessonID, courses.ErrNotFound)
	}
	return courseID, err
}

// progressOf gathers what the completion rules look at, for one trainee in one cohort.
func progressOf(ctx context.Context, q sqlx.QueryerContext, userID, courseID, cohortID int64) (courses.Progress, error) {
	var p courses.Progress
	err := sqlx.GetContext(ctx, q, &p.LessonsTotal, `SELECT count(*) FROM lessons l JOIN modules m ON m.id = l.module_id WHERE m.course_id = $1`, courseID)
	if err != nil {
		return p, err
	}
	err = sqlx.GetContext(ctx, q, &p.LessonsDone, `SELECT count(*) FROM lesson_completions c JOIN lessons l ON l.id = c.lesson_id
		JOIN modules m ON m.id = l.module_id WHERE m.course_id = $1 AND c.user_id = $2`, courseID, userID)
	if err != nil {
		return p, err
	}
	var sessions []struct {
		StartsAt time.Time      `db:"starts_at"`
		Status   sql.NullString `db:"status"`
	}
	err = sqlx.SelectContext(ctx, q, &sessions, `SELECT s.starts_at, a.status FROM cohort_sessions s
		LEFT JOIN attendance a ON a.session_id = s.id AND a.user_id = $2 WHERE s.cohort_id = $1 ORDER BY s.starts_at`, cohortID, userID)
	if err != nil {
		return p, err
	}
	for _, se := range sessions {
		p.Sessions = append(p.Sessions, courses.SessionAttendance{StartsAt: se.StartsAt, Status: courses.AttendanceStatus(se.Status.String)})
	}
	return p, nil
}

// checkCompletion records the course's completion for userID the first time its rules hold.
func checkCompletion(ctx context.Context, tx *sqlx.Tx, userID, courseID int64, now time.Time) (bool, error) {
	var e struct {
		ID            int64        `db:"id"`
		CohortID      int64        `db:"cohort_id"`
		Mode          string       `db:"mode"`
		MinAttendance int          `db:"min_attendance"`
		CompletedAt   sql.NullTime `db:"completed_at"`
	}
	err := tx.GetContext(ctx, &e, `SELECT e.id, e.cohort_id, c.mode, co.min_attendance, e.completed_at
		FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id JOIN courses co ON co.id = e.course_id
		WHERE e.user_id = $1 AND e.course_id = $2 AND e.status = 'active' FOR UPDATE OF e`, userID, courseID)
	if notFound(err) {
		return false, nil // not enrolled (an instructor previewing): nothing to record
	}
	if err != nil {
		return false, err
	}
	if e.CompletedAt.Valid {
		return true, nil
	}
	p, err := progressOf(ctx, tx, userID, courseID, e.CohortID)
	if err != nil {
		return false, err
	}
	if !courses.Completion(courses.CohortMode(e.Mode), courses.CompletionRules{MinAttendance: e.MinAttendance}, p, now) {
		return false, nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE enrolments SET completed_at = $2 WHERE id = $1 AND completed_at IS NULL`, e.ID, now)
	return err == nil, err
}

// CompletedLessons returns the ids of the lessons of a course that userID has finished.
func (s *Store) CompletedLessons(ctx context.Context, userID, courseID int64) (map[int64]bool, error) {
	var ids []int64
	err := s.db.SelectContext(ctx, &ids, `SELECT c.lesson_id FROM lesson_completions c JOIN lessons l ON l.id = c.lesson_id
		JOIN modules m ON m.id = l.module_id WHERE m.course_id = $1 AND c.user_id = $2`, courseID, userID)
	if err != nil {
		return nil, fmt.Errorf("store: completed lessons: %w", err)
	}
	done := make(map[int64]bool, len(ids))
	for _, id := range ids {
		done[id] = true
	}
	return done, nil
}

// LearningItem is one course on a trainee's "My learning" page.
type LearningItem struct {
	Course       courses.Course
	Enrolment    Enrolment
	CohortName   string
	CohortIsDflt bool
	Percent      int
	ResumeID     int64 // the lesson to open: the last one read, else the first not done
}

// UpcomingSession is an in-person session a trainee is expected at.
type UpcomingSession struct {
	CourseID int64     `db:"course_id"`
	StartsAt time.Time `db:"starts_at"`
	Minutes  int       `db:"minutes"`
	Place    string    `db:"place"`
	Cohort   string    `db:"cohort"`
}

// Learning is everything on "My learning".
type Learning struct {
	Current   []LearningItem
	Completed []LearningItem
	Waiting   []LearningItem // on a waiting list or awaiting approval
	Upcoming  []UpcomingSession
	Titles    map[int64]courses.Course // courses of upcoming sessions, with their texts
}

// MyLearning gathers a trainee's courses, progress, places to resume and upcoming sessions.
func (s *Store) MyLearning(ctx context.Context, userID int64, now time.Time) (Learning, error) {
	var l Learning
	var rows []struct {
		Enrolment
		CohortName string        `db:"cohort_name"`
		IsDefault  bool          `db:"is_default"`
		Total      int           `db:"total"`
		Done       int           `db:"done"`
		FirstOpen  sql.NullInt64 `db:"first_open"`
		Texts      []byte        `db:"texts"`
		courseRow  `db:"course"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT e.id, e.cohort_id, e.course_id, e.user_id, e.status, e.last_lesson_id, e.last_activity_at, e.completed_at, 0 AS position,
			ch.name AS cohort_name, ch.is_default,
			(SELECT count(*) FROM lessons l JOIN modules m ON m.id = l.module_id WHERE m.course_id = e.course_id) AS total,
			(SELECT count(*) FROM lesson_completions lc JOIN lessons l ON l.id = lc.lesson_id JOIN modules m ON m.id = l.module_id
				WHERE m.course_id = e.course_id AND lc.user_id = e.user_id) AS done,
			(SELECT l.id FROM lessons l JOIN modules m ON m.id = l.module_id
				WHERE m.course_id = e.course_id AND NOT EXISTS (SELECT 1 FROM lesson_completions lc WHERE lc.lesson_id = l.id AND lc.user_id = e.user_id)
				ORDER BY m.position, l.position LIMIT 1) AS first_open, `+textsColumn+`,
			c.id AS "course.id", c.slug AS "course.slug", c.audiences AS "course.audiences", c.level AS "course.level",
			c.hours AS "course.hours", c.default_language AS "course.default_language", c.status AS "course.status",
			c.min_attendance AS "course.min_attendance", c.owner_id AS "course.owner_id"
		FROM enrolments e JOIN cohorts ch ON ch.id = e.cohort_id JOIN courses c ON c.id = e.course_id
		WHERE e.user_id = $1 AND e.status IN ('active', 'waiting', 'pending')
		ORDER BY e.last_activity_at DESC NULLS LAST, e.id DESC`, userID)
	if err != nil {
		return l, fmt.Errorf("store: my learning: %w", err)
	}
	list := make([]courses.Course, len(rows))
	for i, r := range rows {
		list[i] = r.courseRow.course()
		if err := decodeTexts(r.Texts, &list[i]); err != nil {
			return l, err
		}
	}
	l.Titles = map[int64]courses.Course{}
	for i, r := range rows {
		item := LearningItem{Course: list[i], Enrolment: r.Enrolment, CohortName: r.CohortName, CohortIsDflt: r.IsDefault}
		l.Titles[r.CourseID] = list[i]
		if r.Total > 0 {
			item.Percent = courses.Progress{LessonsTotal: r.Total, LessonsDone: r.Done}.Percent()
		}
		switch {
		case r.LastLessonID.Valid:
			item.ResumeID = r.LastLessonID.Int64
		case r.FirstOpen.Valid:
			item.ResumeID = r.FirstOpen.Int64
		}
		switch {
		case r.Enrolment.Status != courses.EnrolmentActive:
			l.Waiting = append(l.Waiting, item)
		case r.CompletedAt.Valid:
			l.Completed = append(l.Completed, item)
		default:
			l.Current = append(l.Current, item)
		}
	}
	err = s.db.SelectContext(ctx, &l.Upcoming, `
		SELECT e.course_id, s.starts_at, s.minutes, s.place, ch.name AS cohort
		FROM enrolments e JOIN cohort_sessions s ON s.cohort_id = e.cohort_id JOIN cohorts ch ON ch.id = e.cohort_id
		WHERE e.user_id = $1 AND e.status = 'active' AND s.starts_at + make_interval(mins => s.minutes) >= $2
		ORDER BY s.starts_at LIMIT 20`, userID, now)
	if err != nil {
		return l, fmt.Errorf("store: upcoming sessions: %w", err)
	}
	return l, nil
}
