package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
)

// importQuiz writes a module's quiz read from files (key courses.BundleQuizKey), or deletes
// the one a former import wrote when the files no longer have it. A known quiz keeps its
// id, and its questions are matched by their place in it: one unchanged is left alone, one
// changed gets a new version (attempts keep the version they showed), extra ones are added
// and missing ones leave the quiz and the bank.
func importQuiz(ctx context.Context, tx *sqlx.Tx, courseID, moduleID int64, m courses.Module, questions []courses.BankQuestion, by int64) error {
	var quizID int64
	err := tx.GetContext(ctx, &quizID, `SELECT id FROM quizzes WHERE module_id = $1 AND key = $2 FOR UPDATE`, moduleID, courses.BundleQuizKey)
	if notFound(err) {
		quizID, err = 0, nil
	}
	if err != nil {
		return err
	}
	if len(m.Quizzes) == 0 {
		if quizID == 0 {
			return nil
		}
		return deleteImportedQuiz(ctx, tx, quizID, m.Key)
	}
	var old []bankRow
	if quizID != 0 {
		if err := tx.SelectContext(ctx, &old, bankSelect+` JOIN quiz_items i ON i.question_id = q.id
			WHERE i.quiz_id = $1 AND q.deleted_at IS NULL ORDER BY i.position`, quizID); err != nil {
			return err
		}
	}
	items := make([]courses.QuizItem, len(questions))
	for i, bq := range questions {
		bq.ID, bq.CourseID, bq.CategoryID = 0, courseID, 0
		if i < len(old) {
			same, err := sameQuestion(old[i], bq)
			if err != nil {
				return err
			}
			if same {
				items[i] = courses.QuizItem{QuestionID: old[i].ID}
				continue
			}
			bq.ID = old[i].ID
		}
		id, err := saveQuestion(ctx, tx, bq, by)
		if err != nil {
			return fmt.Errorf("module %s question %d: %w", m.Key, i+1, err)
		}
		items[i] = courses.QuizItem{QuestionID: id}
	}
	for _, r := range old[min(len(old), len(questions)):] {
		if err := removeQuestion(ctx, tx, r.ID); err != nil {
			return err
		}
	}
	q := m.Quizzes[0]
	q.ID, q.ModuleID, q.Items = quizID, moduleID, items
	if _, err := saveQuiz(ctx, tx, courseID, q); err != nil {
		return fmt.Errorf("module %s quiz: %w", m.Key, err)
	}
	return nil
}

// sameQuestion reports whether a stored question already says what the files say.
func sameQuestion(r bankRow, q courses.BankQuestion) (bool, error) {
	stored, err := r.question()
	if err != nil {
		return false, err
	}
	a, err := json.Marshal(stored.Question)
	if err != nil {
		return false, err
	}
	b, err := json.Marshal(q.Question)
	if err != nil {
		return false, err
	}
	return stored.Category == q.Category && bytes.Equal(a, b), nil
}

// removeQuestion takes a question out of the bank and out of every quiz, as DeleteQuestion
// does; its versions stay for the attempts that showed them.
func removeQuestion(ctx context.Context, tx *sqlx.Tx, id int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE questions SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL`, id); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM quiz_items WHERE question_id = $1`, id)
	return err
}

// deleteImportedQuiz deletes a quiz and its fixed questions, unless trainees attempted it:
// their results would go.
func deleteImportedQuiz(ctx context.Context, tx *sqlx.Tx, quizID int64, module string) error {
	var attempted bool
	if err := tx.GetContext(ctx, &attempted, `SELECT EXISTS (SELECT 1 FROM quiz_attempts WHERE quiz_id = $1)`, quizID); err != nil {
		return err
	}
	if attempted {
		return fmt.Errorf("quiz of module %s: %w", module, ErrQuizHasAttempts)
	}
	var fixed []int64
	if err := tx.SelectContext(ctx, &fixed, `SELECT question_id FROM quiz_items WHERE quiz_id = $1 AND question_id IS NOT NULL`, quizID); err != nil {
		return err
	}
	for _, id := range fixed {
		if err := removeQuestion(ctx, tx, id); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM quizzes WHERE id = $1`, quizID)
	return err
}

// deleteModuleQuizzes deletes every quiz of a module the files no longer have.
func deleteModuleQuizzes(ctx context.Context, tx *sqlx.Tx, moduleID int64, module string) error {
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, `SELECT id FROM quizzes WHERE module_id = $1 ORDER BY id FOR UPDATE`, moduleID); err != nil {
		return err
	}
	for _, id := range ids {
		if err := deleteImportedQuiz(ctx, tx, id, module); err != nil {
			return err
		}
	}
	return nil
}

// ExportBundle reads a course back as files would hold it: the course, its images, and
// each module's first quiz with its questions at their current versions. Files hold
// fixed questions only, so a quiz's draw from a category is written as every question of
// that category; a quiz without any question is left out, as files cannot hold it.
func (s *Store) ExportBundle(ctx context.Context, courseID int64) (courses.Bundle, error) {
	c, err := s.Course(ctx, courseID)
	if err != nil {
		return courses.Bundle{}, err
	}
	images, err := s.ImagesWithData(ctx, courseID)
	if err != nil {
		return courses.Bundle{}, err
	}
	quizzes, err := s.Quizzes(ctx, courseID)
	if err != nil {
		return courses.Bundle{}, err
	}
	bank, err := s.Questions(ctx, courseID, 0)
	if err != nil {
		return courses.Bundle{}, err
	}
	byID := map[int64]courses.BankQuestion{}
	for _, q := range bank {
		byID[q.ID] = q
	}
	b := courses.Bundle{Course: c, Images: images}
	for i := range b.Course.Modules {
		m := &b.Course.Modules[i]
		for _, quiz := range quizzes {
			if quiz.ModuleID != m.ID {
				continue
			}
			var qs []courses.BankQuestion
			seen := map[int64]bool{}
			take := func(q courses.BankQuestion) {
				if !seen[q.ID] {
					seen[q.ID] = true
					qs = append(qs, courses.BankQuestion{Category: q.Category, Question: q.Question})
				}
			}
			for _, it := range quiz.Items {
				if q, ok := byID[it.QuestionID]; ok {
					take(q)
				}
				if it.CategoryID != 0 {
					for _, q := range bank {
						if q.CategoryID == it.CategoryID {
							take(q)
						}
					}
				}
			}
			if len(qs) == 0 {
				continue
			}
			m.Quizzes = []courses.Quiz{quiz}
			if b.Questions == nil {
				b.Questions = map[string][]courses.BankQuestion{}
			}
			b.Questions[m.Key] = qs
			break
		}
	}
	return b, nil
}
