package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
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
		if _, err := tx.ExecContext(ctx, `INSERT INTO lesson_completions (user_id, lesson_id, course_id, completed_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT DO NOTHING`, userID, lessonID, courseID, now); err != nil {
			return err
		}
		if err := touchEnrolment(ctx, tx, userID, courseID, lessonID, now); err != nil {
			return err
		}
		complete, err = s.checkCompletion(ctx, tx, userID, courseID, now)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: complete lesson %d: %w", lessonID, err)
	}
	return complete, nil
}

// VisitLesson remembers the lesson a trainee is reading, so "My learning" resumes there (the
// lesson page records it as it reads: see LessonPage).
func (s *Store) VisitLesson(ctx context.Context, userID, courseID, lessonID int64, now time.Time) error {
	if _, err := s.db.ExecContext(ctx, touchEnrolmentQuery, userID, courseID, lessonID, now); err != nil {
		return fmt.Errorf("store: visit lesson %d: %w", lessonID, err)
	}
	return nil
}

const touchEnrolmentQuery = `UPDATE enrolments SET last_lesson_id = $3, last_activity_at = $4
	WHERE user_id = $1 AND course_id = $2 AND status = 'active'`

func touchEnrolment(ctx context.Context, tx *sqlx.Tx, userID, courseID, lessonID int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, touchEnrolmentQuery, userID, courseID, lessonID, now)
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

// checkCompletion records the course's completion for userID the first time its rules hold,
// and says whether the course is complete for them.
func (s *Store) checkCompletion(ctx context.Context, tx *sqlx.Tx, userID, courseID int64, now time.Time) (bool, error) {
	complete, err := s.completeWhereDue(ctx, tx, courseID, []int64{userID}, now)
	return complete[userID], err
}

// completeWhereDue records the course's completion for each of userIDs whose rules first hold
// now, in two statements whatever their number: the enrolments (locked) with the progress the
// rules look at, then one update. It returns who has completed the course, now or before;
// people not actively enrolled (an instructor previewing) are left out.
func (s *Store) completeWhereDue(ctx context.Context, tx *sqlx.Tx, courseID int64, userIDs []int64, now time.Time) (map[int64]bool, error) {
	var rows []struct {
		ID            int64        `db:"id"`
		UserID        int64        `db:"user_id"`
		Mode          string       `db:"mode"`
		MinAttendance int          `db:"min_attendance"`
		CompletedAt   sql.NullTime `db:"completed_at"`
		Total         int          `db:"total"`
		Done          int          `db:"done"`
		Sessions      []byte       `db:"sessions"`
		QuizRequired  int          `db:"quizzes_required"`
		QuizPassed    int          `db:"quizzes_passed"`
	}
	err := tx.SelectContext(ctx, &rows, `
		SELECT e.id, e.user_id, ch.mode, co.min_attendance, e.completed_at,
			(SELECT count(*) FROM lessons l JOIN modules m ON m.id = l.module_id WHERE m.course_id = e.course_id) AS total,
			(SELECT count(*) FROM lesson_completions lc WHERE lc.user_id = e.user_id AND lc.course_id = e.course_id) AS done,
			(SELECT coalesce(json_agg(json_build_object('starts_at', s.starts_at, 'status', coalesce(a.status, '')) ORDER BY s.starts_at), '[]')
				FROM cohort_sessions s LEFT JOIN attendance a ON a.session_id = s.id AND a.user_id = e.user_id
				WHERE s.cohort_id = e.cohort_id) AS sessions,
			(SELECT count(*) FROM quizzes z JOIN modules m ON m.id = z.module_id
				WHERE m.course_id = e.course_id AND (z.settings->>'required')::boolean) AS quizzes_required,
			(SELECT count(*) FROM quizzes z JOIN modules m ON m.id = z.module_id
				WHERE m.course_id = e.course_id AND (z.settings->>'required')::boolean AND coalesce(CASE z.settings->>'grade_method'
					WHEN 'last' THEN (SELECT a.passed FROM quiz_attempts a WHERE a.quiz_id = z.id AND a.user_id = e.user_id
						AND a.finished_at IS NOT NULL ORDER BY a.finished_at DESC, a.id DESC LIMIT 1)
					ELSE EXISTS (SELECT 1 FROM quiz_attempts a WHERE a.quiz_id = z.id AND a.user_id = e.user_id AND a.passed) END, false)) AS quizzes_passed
		FROM enrolments e JOIN cohorts ch ON ch.id = e.cohort_id JOIN courses co ON co.id = e.course_id
		WHERE e.user_id = ANY ($1) AND e.course_id = $2 AND e.status = 'active'
		ORDER BY e.id FOR UPDATE OF e`, pq.Int64Array(userIDs), courseID)
	if err != nil {
		return nil, err
	}
	complete := make(map[int64]bool, len(rows))
	var due pq.Int64Array
	for _, r := range rows {
		if r.CompletedAt.Valid {
			complete[r.UserID] = true
			continue
		}
		p := courses.Progress{LessonsTotal: r.Total, LessonsDone: r.Done, QuizzesRequired: r.QuizRequired, QuizzesPassed: r.QuizPassed}
		var sessions []struct {
			StartsAt time.Time `json:"starts_at"`
			Status   string    `json:"status"`
		}
		if err := json.Unmarshal(r.Sessions, &sessions); err != nil {
			return nil, fmt.Errorf("sessions of %d: %w", r.UserID, err)
		}
		for _, se := range sessions {
			p.Sessions = append(p.Sessions, courses.SessionAttendance{StartsAt: se.StartsAt, Status: courses.AttendanceStatus(se.Status)})
		}
		if courses.Completion(courses.CohortMode(r.Mode), courses.CompletionRules{MinAttendance: r.MinAttendance}, p, now) {
			complete[r.UserID] = true
			due = append(due, r.ID)
		}
	}
	if len(due) > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE enrolments SET completed_at = $2 WHERE id = ANY ($1) AND completed_at IS NULL`, due, now); err != nil {
			return nil, err
		}
		// Where the course says so, the certificate comes with the completion, in the same
		// transaction: never a completion without its certificate, nor the reverse.
		if _, err := s.issueTx(ctx, tx, due, 0, false, now); err != nil {
			return nil, fmt.Errorf("certificates: %w", err)
		}
	}
	return complete, nil
}

// MyLearning gathers a trainee's courses, progress, places to resume and upcoming sessions,
// in one statement. A course's texts and its lessons in order come back only when the
// instance keeps no copy of the course's version (see learningCache).
func (s *Store) MyLearning(ctx context.Context, userID int64, now time.Time) (courses.Learning, error) {
	var l courses.Learning
	var rows []struct {
		enrolmentRow
		CohortName string         `db:"cohort_name"`
		IsDefault  bool           `db:"is_default"`
		Version    int64          `db:"version"`
		Fresh      bool           `db:"fresh"`      // the version is not one the instance keeps
		Lessons    pq.Int64Array  `db:"lesson_ids"` // in the course's order, when Fresh
		Done       pq.Int64Array  `db:"done"`       // the trainee's finished lessons of the course
		Texts      pq.StringArray `db:"texts"`
		Upcoming   []byte         `db:"upcoming"`
		courseRow  `db:"course"`
	}
	kept := s.learning.load()
	err := s.hotSelect(ctx, &rows, `
		SELECT e.id, e.cohort_id, e.course_id, e.user_id, e.status, e.last_lesson_id, e.last_activity_at, e.completed_at, 0 AS position,
			ch.name AS cohort_name, ch.is_default, coalesce(v.version, 0) AS version, coalesce(d.done, '{}') AS done,
			NOT coalesce(v.version = ANY ($3), false) AS fresh,
			-- The lessons in order, kept with the version: the place to start a course never
			-- opened is worked out from them and the finished ones.
			CASE WHEN v.version = ANY ($3) THEN NULL ELSE (SELECT coalesce(array_agg(l.id ORDER BY m.position, l.position), '{}')
				FROM lessons l JOIN modules m ON m.id = l.module_id WHERE m.course_id = e.course_id) END AS lesson_ids,
			CASE WHEN v.version = ANY ($3) THEN NULL ELSE `+textsOf+` END AS texts,
			c.id AS "course.id", c.slug AS "course.slug", c.audiences AS "course.audiences", c.level AS "course.level",
			c.hours AS "course.hours", c.default_language AS "course.default_language", c.status AS "course.status",
			c.min_attendance AS "course.min_attendance", c.owner_id AS "course.owner_id",
			-- The same on every row (PostgreSQL computes it once): sessions come only with an
			-- active enrolment, so a trainee with no rows has none to miss.
			(SELECT coalesce(json_agg(json_build_object('course_id', u.course_id, 'starts_at', u.starts_at, 'minutes', u.minutes,
				'place', u.place, 'cohort', u.cohort) ORDER BY u.starts_at), '[]') FROM (
				SELECT ue.course_id, s.starts_at, s.minutes, s.place, uc.name AS cohort
				FROM enrolments ue JOIN cohort_sessions s ON s.cohort_id = ue.cohort_id JOIN cohorts uc ON uc.id = ue.cohort_id
				WHERE ue.user_id = $1 AND ue.status = 'active' AND s.starts_at + make_interval(mins => s.minutes) >= $2
				ORDER BY s.starts_at LIMIT 20) u) AS upcoming
		FROM enrolments e JOIN cohorts ch ON ch.id = e.cohort_id JOIN courses c ON c.id = e.course_id
		LEFT JOIN course_versions v ON v.course_id = c.id
		-- The trainee's finished lessons, counted by course in one pass over them.
		LEFT JOIN (SELECT lc.course_id, array_agg(lc.lesson_id) AS done FROM lesson_completions lc
			WHERE lc.user_id = $1 GROUP BY lc.course_id) d ON d.course_id = e.course_id
		WHERE e.user_id = $1 AND e.status IN ('active', 'waiting', 'pending')
		ORDER BY e.last_activity_at DESC NULLS LAST, e.id DESC`, userID, now, kept.versions)
	if err != nil {
		return l, fmt.Errorf("store: my learning: %w", err)
	}
	list := make([]courses.Course, len(rows))
	lessons := make([][]int64, len(rows))
	for i, r := range rows {
		if !r.Fresh {
			k, ok := kept.courses[r.Version]
			if !ok {
				return l, fmt.Errorf("store: my learning: no course kept for version %d", r.Version)
			}
			list[i], lessons[i] = r.courseRow.course(), k.lessons
			list[i].Texts = k.texts
			continue
		}
		list[i], lessons[i] = r.courseRow.course(), r.Lessons
		if err := decodeTexts(r.Texts, &list[i]); err != nil {
			return l, err
		}
		s.learning.put(r.Version, keptCourse{texts: list[i].Texts, lessons: r.Lessons})
	}
	l.Titles = map[int64]courses.Course{}
	for i, r := range rows {
		item := courses.LearningItem{Course: list[i], Enrolment: r.enrolment(), CohortName: r.CohortName, CohortIsDflt: r.IsDefault}
		l.Titles[r.CourseID] = list[i]
		if len(lessons[i]) > 0 {
			item.Percent = courses.Progress{LessonsTotal: len(lessons[i]), LessonsDone: len(r.Done)}.Percent()
		}
		if r.LastLessonID.Valid {
			item.ResumeID = r.LastLessonID.Int64
		} else {
			item.ResumeID = firstOpen(lessons[i], r.Done)
		}
		switch {
		case r.enrolmentRow.Status != courses.EnrolmentActive:
			l.Waiting = append(l.Waiting, item)
		case r.CompletedAt.Valid:
			l.Completed = append(l.Completed, item)
		default:
			l.Current = append(l.Current, item)
		}
	}
	if len(rows) > 0 {
		var upcoming []struct {
			CourseID int64     `json:"course_id"`
			StartsAt time.Time `json:"starts_at"`
			Minutes  int       `json:"minutes"`
			Place    string    `json:"place"`
			Cohort   string    `json:"cohort"`
		}
		if err := json.Unmarshal(rows[0].Upcoming, &upcoming); err != nil {
			return l, fmt.Errorf("store: upcoming sessions: %w", err)
		}
		for _, u := range upcoming {
			l.Upcoming = append(l.Upcoming, courses.UpcomingSession{CourseID: u.CourseID, StartsAt: u.StartsAt, Minutes: u.Minutes, Place: u.Place, Cohort: u.Cohort})
		}
	}
	return l, nil
}

// learningCache keeps what My learning shows of a course that only a write to the course
// changes, under the course's version (see migration 00008): its texts and its lessons in
// order. The statement sends every version kept and gets those parts again only for a
// course whose version is another, so an edit shows at the next read on every instance, as
// without it. Versions come from one sequence, so no two courses share one. Kept as a map
// that is replaced, never changed, so that a read can use the one it sent without a lock.
type learningCache struct {
	mu   sync.Mutex
	kept atomic.Pointer[keptCourses]
}

type keptCourses struct {
	versions pq.Int64Array
	courses  map[int64]keptCourse // by version
}

type keptCourse struct {
	texts   map[string]courses.CourseText // shared by every page that reads it: never changed
	lessons []int64                       // in the course's order; never changed either
}

// firstOpen is the first of lessons (in order) not among done, 0 when every one is.
func firstOpen(lessons, done []int64) int64 {
	for _, id := range lessons {
		if !slices.Contains(done, id) {
			return id
		}
	}
	return 0
}

// maxLearningCourses bounds the versions each My learning sends: a school's courses, with
// room for the versions edits leave behind until the cache starts again.
const maxLearningCourses = 256

func (c *learningCache) load() *keptCourses {
	if k := c.kept.Load(); k != nil {
		return k
	}
	return &keptCourses{versions: pq.Int64Array{}}
}

func (c *learningCache) put(version int64, k keptCourse) {
	if version == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.load()
	if _, ok := old.courses[version]; ok {
		return
	}
	next := &keptCourses{courses: make(map[int64]keptCourse, len(old.courses)+1)}
	if len(old.courses) < maxLearningCourses {
		for v, kc := range old.courses {
			next.courses[v] = kc
			next.versions = append(next.versions, v)
		}
	}
	next.courses[version] = k
	next.versions = append(next.versions, version)
	c.kept.Store(next)
}
