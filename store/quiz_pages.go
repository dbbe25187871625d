package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aula-school/aula/courses"
)

// QuizPage is what a quiz's page shows a trainee: the quiz, their attempts and what they
// were granted, read in one statement.
type QuizPage struct {
	Quiz          courses.Quiz
	Attempts      []courses.Attempt // without slots, first first
	ExtraAttempts int
}

// QuizPage reads a quiz of courseID with userID's attempts at it.
func (s *Store) QuizPage(ctx context.Context, courseID, quizID, userID int64) (QuizPage, error) {
	var r struct {
		quizRow
		Attempts []byte `db:"attempts"`
		Extra    int    `db:"extra"`
	}
	err := s.db.GetContext(ctx, &r, `
		SELECT z.id, z.module_id, z.key, z.position, z.titles, z.settings,
			(SELECT coalesce(json_agg(json_build_object('question_id', coalesce(i.question_id, 0), 'category_id', coalesce(i.category_id, 0),
				'count', i.count) ORDER BY i.position), '[]') FROM quiz_items i WHERE i.quiz_id = z.id) AS items,
			(SELECT coalesce(json_agg(json_build_object('id', a.id, 'number', a.number, 'started_at', a.started_at, 'deadline', a.deadline,
				'finished_at', a.finished_at, 'score', a.score, 'max_score', a.max_score, 'pending', a.pending, 'passed', a.passed)
				ORDER BY a.number), '[]') FROM quiz_attempts a WHERE a.quiz_id = z.id AND a.user_id = $3) AS attempts,
			(SELECT coalesce(sum(g.attempts), 0) FROM quiz_grants g WHERE g.quiz_id = z.id AND g.user_id = $3) AS extra
		FROM quizzes z JOIN modules m ON m.id = z.module_id WHERE z.id = $1 AND m.course_id = $2`, quizID, courseID, userID)
	if notFound(err) {
		return QuizPage{}, fmt.Errorf("store: quiz %d: %w", quizID, courses.ErrNotFound)
	}
	if err != nil {
		return QuizPage{}, fmt.Errorf("store: quiz %d: %w", quizID, err)
	}
	q, err := r.quiz()
	if err != nil {
		return QuizPage{}, fmt.Errorf("store: %w", err)
	}
	var attempts []struct {
		ID         int64      `json:"id"`
		Number     int        `json:"number"`
		StartedAt  time.Time  `json:"started_at"`
		Deadline   *time.Time `json:"deadline"`
		FinishedAt *time.Time `json:"finished_at"`
		Score      *float64   `json:"score"`
		Max        *float64   `json:"max_score"`
		Pending    bool       `json:"pending"`
		Passed     bool       `json:"passed"`
	}
	if err := json.Unmarshal(r.Attempts, &attempts); err != nil {
		return QuizPage{}, fmt.Errorf("store: attempts at quiz %d: %w", quizID, err)
	}
	p := QuizPage{Quiz: q, ExtraAttempts: r.Extra}
	for _, a := range attempts {
		p.Attempts = append(p.Attempts, courses.Attempt{ID: a.ID, QuizID: quizID, CourseID: courseID, UserID: userID, Number: a.Number,
			StartedAt: a.StartedAt, Deadline: timeOrZero(a.Deadline), FinishedAt: timeOrZero(a.FinishedAt),
			Score: derefFloat(a.Score), Max: derefFloat(a.Max), Pending: a.Pending, Passed: a.Passed, Settings: q.Settings, QuizTitles: q.Titles})
	}
	return p, nil
}

func timeOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
