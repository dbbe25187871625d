package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
)

// choice is a single-choice question with texts in Spanish and English.
func choice(text string) courses.Question {
	return courses.Question{Type: courses.QuestionMultichoice, Single: true, Points: 1,
		Answers: []courses.Answer{{Weight: 1}, {Weight: 0}},
		Texts: map[string]courses.QuestionText{
			"es": {Text: text, Answers: []courses.AnswerText{{Text: "Sí"}, {Text: "No"}}},
			"en": {Text: text + " (en)", Answers: []courses.AnswerText{{Text: "Yes"}, {Text: "No"}}},
		}}
}

func TestAQuestionEditMakesANewVersionAndKeepsTheOld(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	co, _ := cohortFixture(t, st, 0, courses.PolicyOpen, "")
	id, err := st.SaveQuestion(ctx, courses.BankQuestion{CourseID: co.ID, Category: "Módulo 1", Question: choice("¿Primera?")}, co.OwnerID)
	if err != nil {
		t.Fatal(err)
	}
	q, err := st.BankQuestion(ctx, co.ID, id)
	if err != nil || q.Version != 1 || q.Category != "Módulo 1" {
		t.Fatalf("saved: %+v, %v", q, err)
	}
	q.Question = choice("¿Cambiada?")
	if _, err := st.SaveQuestion(ctx, q, co.OwnerID); err != nil {
		t.Fatal(err)
	}
	q, _ = st.BankQuestion(ctx, co.ID, id)
	if q.Version != 2 || q.Question.Texts["es"].Text != "¿Cambiada?" {
		t.Fatalf("after the edit: version %d, %q", q.Version, q.Question.Texts["es"].Text)
	}
	if n := versions(t, st, id); n != 2 {
		t.Fatalf("%d versions kept, want 2", n)
	}
	// Another course's id is not found, and an invalid question writes nothing.
	if _, err := st.BankQuestion(ctx, co.ID+1000, id); !errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("other course: %v", err)
	}
	bad := q
	bad.Question.Answers = nil
	if _, err := st.SaveQuestion(ctx, bad, co.OwnerID); !errors.Is(err, courses.ErrInvalid) {
		t.Fatalf("invalid question: %v", err)
	}
	if n := versions(t, st, id); n != 2 {
		t.Fatalf("an invalid edit wrote a version: %d", n)
	}
}

func TestImportingQuestionsIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	co, _ := cohortFixture(t, st, 0, courses.PolicyOpen, "")
	good := courses.BankQuestion{Category: "A", Question: choice("¿Una?")}
	bad := courses.BankQuestion{Category: "B", Question: courses.Question{Type: courses.QuestionMatch, Points: 1,
		Texts: map[string]courses.QuestionText{"es": {Text: "x"}}}}
	if _, err := st.ImportQuestions(ctx, co.ID, []courses.BankQuestion{good, bad}, co.OwnerID); !errors.Is(err, courses.ErrInvalid) {
		t.Fatalf("import with a bad question: %v", err)
	}
	if qs, _ := st.Questions(ctx, co.ID, 0); len(qs) != 0 {
		t.Fatalf("a failed import left %d questions", len(qs))
	}
	if cats, _ := st.Categories(ctx, co.ID); len(cats) != 0 {
		t.Fatalf("a failed import left categories: %+v", cats)
	}
	ids, err := st.ImportQuestions(ctx, co.ID, []courses.BankQuestion{good, good}, co.OwnerID)
	if err != nil || len(ids) != 2 {
		t.Fatalf("import: %v, %v", ids, err)
	}
	cats, _ := st.Categories(ctx, co.ID)
	if len(cats) != 1 || cats[0].Name != "A" || cats[0].Questions != 2 {
		t.Fatalf("categories: %+v", cats)
	}
	if err := st.DeleteCategory(ctx, co.ID, cats[0].ID); !errors.Is(err, store.ErrCategoryInUse) {
		t.Fatalf("deleting a full category: %v", err)
	}
	if err := st.DeleteQuestion(ctx, co.ID, ids[0]); err != nil {
		t.Fatal(err)
	}
	if qs, _ := st.Questions(ctx, co.ID, 0); len(qs) != 1 || qs[0].ID != ids[1] {
		t.Fatalf("after delete: %+v", qs)
	}
}

func versions(t *testing.T, st *store.Store, questionID int64) int {
	t.Helper()
	var n int
	if err := st.DB().GetContext(context.Background(), &n, `SELECT count(*) FROM question_versions WHERE question_id = $1`, questionID); err != nil {
		t.Fatal(err)
	}
	return n
}
