package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store/storetest"
)

// TestQuizResultsListAttemptsByCohortWithTheirSlotsEssaysAndGrants covers what the results
// and grading pages read: every attempt with its trainee's cohort, the slots of finished
// attempts, the essays waiting for a mark (gone once marked) and the grants with who gave them.
func TestQuizResultsListAttemptsByCohortWithTheirSlotsEssaysAndGrants(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	co, quizID, u := quizFixture(t, st, courses.DefaultQuizSettings())
	essay := courses.Question{Type: courses.QuestionEssay, Points: 4, Texts: map[string]courses.QuestionText{"es": {Text: "Explique."}}}
	essayID, err := st.SaveQuestion(ctx, courses.BankQuestion{CourseID: co.ID, Category: "M1", Question: essay}, co.OwnerID)
	if err != nil {
		t.Fatal(err)
	}
	q, err := st.Quiz(ctx, co.ID, quizID)
	if err != nil {
		t.Fatal(err)
	}
	q.Items = append(q.Items, courses.QuizItem{QuestionID: essayID})
	if _, err := st.SaveQuiz(ctx, co.ID, q); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	id, err := st.StartAttempt(ctx, u.ID, co.ID, quizID, "es", now)
	if err != nil {
		t.Fatal(err)
	}
	saves := []courses.AnswerSave{answer(0, 1, 0), answer(1, 1, 0), answer(2, 1, 1), {Slot: 3, Seq: 1, Response: courses.Response{Text: "Porque sí."}}}
	if _, err := st.SaveAnswers(ctx, u.ID, id, saves, now); err != nil {
		t.Fatal(err)
	}
	if err := st.FinishAttempt(ctx, u.ID, id, now.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}

	results, err := st.QuizResults(ctx, co.ID, quizID, 0)
	if err != nil || len(results) != 1 {
		t.Fatalf("results: %+v %v", results, err)
	}
	r := results[0]
	if r.AttemptID != id || r.UserID != u.ID || r.CohortID == 0 || r.CohortName != "Grupo" || r.Score != 2 || r.Max != 7 || !r.Pending || r.Taken() != 5*time.Minute {
		t.Fatalf("result: %+v", r)
	}
	if other, err := st.QuizResults(ctx, co.ID, quizID, r.CohortID+1000); err != nil || len(other) != 0 {
		t.Fatalf("another cohort's results: %+v %v", other, err)
	}
	if none, err := st.QuizResults(ctx, co.ID+1000, quizID, 0); err != nil || len(none) != 0 {
		t.Fatalf("the quiz under another course: %+v %v", none, err)
	}
	slots, err := st.QuizSlotResults(ctx, co.ID, quizID, 0)
	if err != nil || len(slots) != 4 || slots[0].Label != "¿Uno?" || slots[0].Fraction != 1 || slots[2].Fraction != 0 || !slots[3].Pending || slots[3].Points != 4 {
		t.Fatalf("slots: %+v %v", slots, err)
	}

	queue, err := st.EssaysToMark(ctx, co.ID)
	if err != nil || len(queue) != 1 || queue[0].AttemptID != id || queue[0].Slot != 3 || queue[0].QuizTitles["es"] != "Cuestionario" {
		t.Fatalf("queue: %+v %v", queue, err)
	}
	if err := st.MarkEssay(ctx, co.ID, id, 3, 0.5, courses.Actor{UserID: co.OwnerID}, now); err != nil {
		t.Fatal(err)
	}
	if queue, err := st.EssaysToMark(ctx, co.ID); err != nil || len(queue) != 0 {
		t.Fatalf("queue after marking: %+v %v", queue, err)
	}

	if err := st.GrantExtra(ctx, co.ID, quizID, u.ID, 1, 15, courses.Actor{UserID: co.OwnerID}, now); err != nil {
		t.Fatal(err)
	}
	for _, a := range []courses.AuditAction{courses.AuditEssayMarked, courses.AuditExtraGranted} {
		if list := auditOf(t, st, courses.AuditFilter{Action: a, UserID: u.ID}); len(list) != 1 || list[0].Actor.UserID != co.OwnerID || list[0].CourseID != co.ID {
			t.Errorf("%s: audit %+v", a, list)
		}
	}
	grants, err := st.QuizGrants(ctx, co.ID, quizID)
	if err != nil || len(grants) != 1 || grants[0].UserID != u.ID || grants[0].Attempts != 1 || grants[0].Minutes != 15 || grants[0].GrantedBy == "" {
		t.Fatalf("grants: %+v %v", grants, err)
	}
	if none, err := st.QuizGrants(ctx, co.ID+1000, quizID); err != nil || len(none) != 0 {
		t.Fatalf("grants under another course: %+v %v", none, err)
	}
}
