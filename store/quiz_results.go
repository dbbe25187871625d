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

// The quiz's results, as its instructors read them. An attempt is shown with the cohort of
// its trainee's newest enrolment in the course: a trainee who moved or withdrew is still
// listed, once.
// liveEnrolmentFirst orders a trainee's enrolments in a course: the live one first, then the
// one they joined last. Coming back to a cohort rewrites its row (queued_at moves, created_at
// stays), so created_at alone would put the attempts of a trainee who moved back in the cohort
// they left.
const liveEnrolmentFirst = `(e.status IN ('pending', 'waiting', 'active')) DESC, e.queued_at DESC, e.id DESC`

const resultEnrolment = `
	LEFT JOIN LATERAL (SELECT e.cohort_id FROM enrolments e WHERE e.user_id = a.user_id AND e.course_id = m.course_id
		ORDER BY ` + liveEnrolmentFirst + ` LIMIT 1) e ON true
	LEFT JOIN cohorts ch ON ch.id = e.cohort_id`

// QuizResults lists every attempt at a quiz of courseID, of one cohort's trainees or of all
// (cohortID 0), by trainee and attempt number.
func (s *Store) QuizResults(ctx context.Context, courseID, quizID, cohortID int64) ([]courses.AttemptResult, error) {
	var rows []struct {
		ID            int64           `db:"id"`
		UserID        int64           `db:"user_id"`
		FullName      string          `db:"full_name"`
		Email         string          `db:"email"`
		CohortID      sql.NullInt64   `db:"cohort_id"`
		CohortName    sql.NullString  `db:"cohort_name"`
		CohortDefault sql.NullBool    `db:"cohort_default"`
		Number        int             `db:"number"`
		StartedAt     time.Time       `db:"started_at"`
		FinishedAt    sql.NullTime    `db:"finished_at"`
		Score         sql.NullFloat64 `db:"score"`
		Max           sql.NullFloat64 `db:"max_score"`
		Pending       bool            `db:"pending"`
		Passed        bool            `db:"passed"`
	}
	err := s.read(ctx, func(db *sqlx.DB) error {
		rows = nil
		return db.SelectContext(ctx, &rows, `
		SELECT a.id, a.user_id, u.full_name, u.email, e.cohort_id, ch.name AS cohort_name, ch.is_default AS cohort_default,
			a.number, a.started_at, a.finished_at, a.score, a.max_score, a.pending, a.passed
		FROM quiz_attempts a JOIN quizzes z ON z.id = a.quiz_id JOIN modules m ON m.id = z.module_id
		JOIN users u ON u.id = a.user_id`+resultEnrolment+`
		WHERE a.quiz_id = $1 AND m.course_id = $2 AND ($3 = 0 OR e.cohort_id = $3)
		ORDER BY u.full_name, u.id, a.number`, quizID, courseID, cohortID)
	})
	if err != nil {
		return nil, fmt.Errorf("store: results of quiz %d: %w", quizID, err)
	}
	out := make([]courses.AttemptResult, len(rows))
	for i, r := range rows {
		out[i] = courses.AttemptResult{AttemptID: r.ID, UserID: r.UserID, FullName: r.FullName, Email: r.Email,
			CohortID: r.CohortID.Int64, CohortName: r.CohortName.String, CohortDefault: r.CohortDefault.Bool, Number: r.Number,
			StartedAt: r.StartedAt, FinishedAt: r.FinishedAt.Time, Score: r.Score.Float64, Max: r.Max.Float64,
			Pending: r.Pending, Passed: r.Passed}
	}
	return out, nil
}

// QuizSlotResults lists the questions of the finished attempts at a quiz of courseID (of
// one cohort's trainees, or all with cohortID 0) with what each earned, for the question
// statistics. A question is named in the course's default language, as the version shown.
func (s *Store) QuizSlotResults(ctx context.Context, courseID, quizID, cohortID int64) ([]courses.SlotResult, error) {
	var rows []struct {
		AttemptID  int64           `db:"attempt_id"`
		Slot       int             `db:"slot"`
		QuestionID int64           `db:"question_id"`
		Label      string          `db:"label"`
		Points     float64         `db:"points"`
		Fraction   sql.NullFloat64 `db:"fraction"`
		Pending    bool            `db:"pending"`
	}
	err := s.read(ctx, func(db *sqlx.DB) error {
		rows = nil
		return db.SelectContext(ctx, &rows, `
		SELECT s.attempt_id, s.slot, v.question_id,
			coalesce(nullif(v.body->'texts'->c.default_language->>'name', ''), v.body->'texts'->c.default_language->>'text', '') AS label,
			coalesce((v.body->>'points')::double precision, 0) AS points, s.fraction, s.pending
		FROM attempt_slots s JOIN question_versions v ON v.id = s.question_version_id
		JOIN quiz_attempts a ON a.id = s.attempt_id JOIN quizzes z ON z.id = a.quiz_id JOIN modules m ON m.id = z.module_id
		JOIN courses c ON c.id = m.course_id`+resultEnrolment+`
		WHERE a.quiz_id = $1 AND m.course_id = $2 AND a.finished_at IS NOT NULL AND ($3 = 0 OR e.cohort_id = $3)
		ORDER BY s.attempt_id, s.slot`, quizID, courseID, cohortID)
	})
	if err != nil {
		return nil, fmt.Errorf("store: question results of quiz %d: %w", quizID, err)
	}
	out := make([]courses.SlotResult, len(rows))
	for i, r := range rows {
		out[i] = courses.SlotResult{AttemptID: r.AttemptID, Slot: r.Slot, QuestionID: r.QuestionID, Label: r.Label,
			Points: r.Points, Fraction: r.Fraction.Float64, Pending: r.Pending}
	}
	return out, nil
}

// EssaysToMark lists the essays of finished attempts at the quizzes of courseID that wait
// for a mark, the longest waiting first.
func (s *Store) EssaysToMark(ctx context.Context, courseID int64) ([]courses.EssayToMark, error) {
	var rows []struct {
		AttemptID  int64     `db:"attempt_id"`
		Slot       int       `db:"slot"`
		QuizID     int64     `db:"quiz_id"`
		Titles     []byte    `db:"titles"`
		UserID     int64     `db:"user_id"`
		FullName   string    `db:"full_name"`
		FinishedAt time.Time `db:"finished_at"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT s.attempt_id, s.slot, a.quiz_id, z.titles, a.user_id, u.full_name, a.finished_at
		FROM attempt_slots s JOIN quiz_attempts a ON a.id = s.attempt_id JOIN quizzes z ON z.id = a.quiz_id
		JOIN modules m ON m.id = z.module_id JOIN users u ON u.id = a.user_id
		WHERE m.course_id = $1 AND a.finished_at IS NOT NULL AND s.pending
		ORDER BY a.finished_at, s.attempt_id, s.slot`, courseID)
	if err != nil {
		return nil, fmt.Errorf("store: essays to mark in course %d: %w", courseID, err)
	}
	out := make([]courses.EssayToMark, len(rows))
	for i, r := range rows {
		out[i] = courses.EssayToMark{AttemptID: r.AttemptID, Slot: r.Slot, QuizID: r.QuizID, UserID: r.UserID,
			FullName: r.FullName, SubmittedAt: r.FinishedAt}
		if err := json.Unmarshal(r.Titles, &out[i].QuizTitles); err != nil {
			return nil, fmt.Errorf("store: quiz %d titles: %w", r.QuizID, err)
		}
	}
	return out, nil
}

// QuizGrants lists the extra attempts and time given at a quiz of courseID, the newest first.
func (s *Store) QuizGrants(ctx context.Context, courseID, quizID int64) ([]courses.QuizGrant, error) {
	var rows []struct {
		UserID    int64     `db:"user_id"`
		FullName  string    `db:"full_name"`
		Email     string    `db:"email"`
		Attempts  int       `db:"attempts"`
		Minutes   int       `db:"minutes"`
		GrantedBy string    `db:"granted_by"`
		GrantedAt time.Time `db:"granted_at"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT g.user_id, u.full_name, u.email, g.attempts, g.minutes, b.full_name AS granted_by, g.granted_at
		FROM quiz_grants g JOIN quizzes z ON z.id = g.quiz_id JOIN modules m ON m.id = z.module_id
		JOIN users u ON u.id = g.user_id JOIN users b ON b.id = g.granted_by
		WHERE g.quiz_id = $1 AND m.course_id = $2
		ORDER BY g.granted_at DESC, g.id DESC`, quizID, courseID)
	if err != nil {
		return nil, fmt.Errorf("store: grants at quiz %d: %w", quizID, err)
	}
	out := make([]courses.QuizGrant, len(rows))
	for i, r := range rows {
		out[i] = courses.QuizGrant(r)
	}
	return out, nil
}
