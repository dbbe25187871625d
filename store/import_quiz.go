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
	usedElsewhere := map[int64]bool{}
	if quizID != 0 {
		var shared []int64
		if err := tx.SelectContext(ctx, &shared, `SELECT DISTINCT i.question_id FROM quiz_items i
			WHERE i.quiz_id <> $1 AND i.question_id IN (SELECT question_id FROM quiz_items WHERE quiz_id = $1)`, quizID); err != nil {
			return err
		}
		for _, id := range shared {
			usedElsewhere[id] = true
		}
	}
	items := make([]courses.QuizItem, len(questions))
	for i, bq := range questions {
		bq.ID, bq.CourseID, bq.CategoryID = 0, courseID, 0
		// A question some other quiz also uses is never rewritten from this quiz's files: a
		// changed one becomes a new question, and the other quiz keeps its own.
		if i < len(old) && !usedElsewhere[old[i].ID] {
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
		if err := removeQuestion(ctx, tx, quizID, r.ID); err != nil {
			return err
		}
	}
	// Draws from a category are not in files (ExportBundle): the quiz keeps its own.
	var draws []courses.QuizItem
	if quizID != 0 {
		var rows []struct {
			CategoryID int64 `db:"category_id"`
			Count      int   `db:"count"`
		}
		if err := tx.SelectContext(ctx, &rows, `SELECT category_id, count FROM quiz_items
			WHERE quiz_id = $1 AND category_id IS NOT NULL ORDER BY position`, quizID); err != nil {
			return err
		}
		for _, r := range rows {
			draws = append(draws, courses.QuizItem{CategoryID: r.CategoryID, Count: r.Count})
		}
	}
	q := m.Quizzes[0]
	q.ID, q.ModuleID, q.Items = quizID, moduleID, append(items, draws...)
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

// removeQuestion takes a question out of the quiz the files describe and, unless another
// quiz still uses it, out of the bank; its versions stay for the attempts that showed them.
func removeQuestion(ctx context.Context, tx *sqlx.Tx, quizID, id int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM quiz_items WHERE quiz_id = $1 AND question_id = $2`, quizID, id); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE questions SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM quiz_items WHERE question_id = $1)`, id)
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
		if err := removeQuestion(ctx, tx, quizID, id); err != nil {
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

// ExportBundle reads a course back as files would hold it: the course, its images, and the
// quiz each module's files made (key courses.BundleQuizKey) with its fixed questions at their
// current versions. Quizzes made on the web, and draws from a category, stay in Aula only:
// written as files they would come back as other quizzes, or as fixed questions. A quiz
// without any fixed question is left out, as files cannot hold it.
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
	cert, err := s.CertificateSettings(ctx, courseID)
	if err != nil {
		return courses.Bundle{}, err
	}
	b := courses.Bundle{Course: c, Images: images, Certificate: &cert}
	for i := range b.Course.Modules {
		m := &b.Course.Modules[i]
		for _, quiz := range quizzes {
			// Files hold the quiz they made (its key) and no other: a quiz made on the web
			// would come back as a second quiz. A draw from a category cannot be written.
			if quiz.ModuleID != m.ID || quiz.Key != courses.BundleQuizKey {
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
