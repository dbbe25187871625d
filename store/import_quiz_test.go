package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"testing/fstest"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
)

const generalCourse = "citizen-security-human-development"

// bankVersions maps each fixed question of each quiz to its current version, quiz by quiz.
func bankVersions(t *testing.T, st *store.Store, courseID int64) (quizzes []courses.Quiz, versions map[int64]int) {
	t.Helper()
	ctx := context.Background()
	quizzes, err := st.Quizzes(ctx, courseID)
	if err != nil {
		t.Fatal(err)
	}
	bank, err := st.Questions(ctx, courseID, 0)
	if err != nil {
		t.Fatal(err)
	}
	versions = map[int64]int{}
	for _, q := range bank {
		versions[q.ID] = q.Version
	}
	return quizzes, versions
}

// importedGeneralCourse is a fresh database with the general course imported by its owner.
func importedGeneralCourse(t *testing.T) (*store.Store, courses.User, courses.Bundle, int64) {
	t.Helper()
	st := storetest.DB(t)
	owner := instructor(t, st, "owner@example.org")
	b := catalogCourse(t, generalCourse)
	id, _, err := st.ImportBundle(context.Background(), owner.ID, b)
	if err != nil {
		t.Fatal(err)
	}
	return st, owner, b, id
}

func TestImportWritesEachModulesQuizWithItsQuestionsInTheBank(t *testing.T) {
	ctx := context.Background()
	st, _, b, id := importedGeneralCourse(t)
	quizzes, versions := bankVersions(t, st, id)
	co, _ := st.Course(ctx, id)
	if len(quizzes) != len(co.Modules) {
		t.Fatalf("%d quizzes for %d modules", len(quizzes), len(co.Modules))
	}
	total := 0
	for i, q := range quizzes {
		m := b.Course.Modules[i]
		if q.Key != courses.BundleQuizKey || q.ModuleID != co.Modules[i].ID || q.Position != len(m.Lessons) ||
			!reflect.DeepEqual(q.Settings, m.Quizzes[0].Settings) || !reflect.DeepEqual(q.Titles, m.Quizzes[0].Titles) {
			t.Errorf("quiz %d: %+v", i, q)
		}
		if len(q.Items) != len(b.Questions[m.Key]) {
			t.Errorf("quiz %d: %d items, want %d", i, len(q.Items), len(b.Questions[m.Key]))
		}
		for j, it := range q.Items {
			bq, err := st.BankQuestion(ctx, id, it.QuestionID)
			if err != nil {
				t.Fatal(err)
			}
			if want := b.Questions[m.Key][j]; bq.Category != want.Category || !reflect.DeepEqual(bq.Question, want.Question) {
				t.Errorf("quiz %d item %d: %+v, want %+v", i, j, bq, want)
			}
		}
		total += len(q.Items)
	}
	if len(versions) != total {
		t.Errorf("%d questions in the bank, want %d", len(versions), total)
	}
	cats, _ := st.Categories(ctx, id)
	if len(cats) != 3 || cats[0].Name != "01-concepts" {
		t.Errorf("categories %+v", cats)
	}
}

func TestReimportVersionsChangedQuestionsAndAttemptsKeepWhatTheyShowed(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	owner := instructor(t, st, "owner@example.org")
	id, _, err := st.ImportBundle(ctx, owner.ID, catalogCourse(t, generalCourse))
	if err != nil {
		t.Fatal(err)
	}
	before, versions := bankVersions(t, st, id)
	trainee := trainees(t, st, 1)[0]
	cohorts, err := st.Cohorts(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Enrol(ctx, trainee.ID, cohorts[0].ID, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	attemptID, err := st.StartAttempt(ctx, trainee.ID, id, before[0].ID, "es", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	shown, err := st.Attempt(ctx, trainee.ID, attemptID)
	if err != nil {
		t.Fatal(err)
	}

	// The instructor rewrites the first question of module 1, drops the last of module 2
	// and adds one to module 3.
	b := catalogCourse(t, generalCourse)
	m1, m2, m3 := b.Course.Modules[0].Key, b.Course.Modules[1].Key, b.Course.Modules[2].Key
	first := b.Questions[m1][0]
	oldText := first.Question.Texts["es"].Text
	text := first.Question.Texts["es"]
	text.Text = "Versión 2: " + text.Text
	first.Question.Texts["es"] = text
	b.Questions[m2] = b.Questions[m2][:len(b.Questions[m2])-1]
	b.Questions[m3] = append(b.Questions[m3], b.Questions[m3][0])
	if _, _, err := st.ImportBundle(ctx, owner.ID, b); err != nil {
		t.Fatal(err)
	}
	after, newVersions := bankVersions(t, st, id)
	for i := range before {
		if after[i].ID != before[i].ID {
			t.Fatalf("quiz %d got a new id: attempts would lose it", i)
		}
	}
	q1 := after[0].Items[0].QuestionID
	if q1 != before[0].Items[0].QuestionID || newVersions[q1] != versions[q1]+1 {
		t.Errorf("changed question: id %d version %d, want id %d version %d", q1, newVersions[q1], before[0].Items[0].QuestionID, versions[q1]+1)
	}
	for _, it := range after[0].Items[1:] {
		if newVersions[it.QuestionID] != versions[it.QuestionID] {
			t.Errorf("unchanged question %d got a new version", it.QuestionID)
		}
	}
	dropped := before[1].Items[len(before[1].Items)-1].QuestionID
	if len(after[1].Items) != len(before[1].Items)-1 {
		t.Errorf("module 2's quiz has %d items, want %d", len(after[1].Items), len(before[1].Items)-1)
	}
	if _, err := st.BankQuestion(ctx, id, dropped); !errors.Is(err, courses.ErrNotFound) {
		t.Errorf("a dropped question is still in the bank: %v", err)
	}
	if len(after[2].Items) != len(before[2].Items)+1 {
		t.Errorf("module 3's quiz has %d items, want %d", len(after[2].Items), len(before[2].Items)+1)
	}
	again, err := st.Attempt(ctx, trainee.ID, attemptID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.Slots, shown.Slots) {
		t.Error("the attempt in progress changed with the re-import")
	}
	found := false
	for _, s := range again.Slots {
		found = found || s.Question.Texts["es"].Text == oldText
	}
	if !found {
		t.Error("the attempt no longer shows the question as its trainee saw it")
	}

	// The same files again change nothing.
	if _, _, err := st.ImportBundle(ctx, owner.ID, b); err != nil {
		t.Fatal(err)
	}
	if _, same := bankVersions(t, st, id); !reflect.DeepEqual(same, newVersions) {
		t.Error("re-importing the same files made new versions")
	}

	// A quiz nobody attempted may go with its block; an attempted one may not.
	b.Course.Modules[1].Quizzes = nil
	delete(b.Questions, m2)
	if _, _, err := st.ImportBundle(ctx, owner.ID, b); err != nil {
		t.Fatal(err)
	}
	left, _ := bankVersions(t, st, id)
	if len(left) != 2 {
		t.Fatalf("%d quizzes after removing one of three", len(left))
	}
	if _, err := st.BankQuestion(ctx, id, after[1].Items[0].QuestionID); !errors.Is(err, courses.ErrNotFound) {
		t.Errorf("a removed quiz's question is still in the bank: %v", err)
	}
	b.Course.Modules[0].Quizzes = nil
	delete(b.Questions, m1)
	if _, _, err := st.ImportBundle(ctx, owner.ID, b); !errors.Is(err, store.ErrQuizHasAttempts) {
		t.Fatalf("removing an attempted quiz: %v", err)
	}
	if still, _ := bankVersions(t, st, id); !reflect.DeepEqual(still, left) {
		t.Error("a refused import changed the quizzes")
	}
	b.Course.Modules = b.Course.Modules[1:]
	if _, _, err := st.ImportBundle(ctx, owner.ID, b); !errors.Is(err, store.ErrQuizHasAttempts) {
		t.Fatalf("removing the module of an attempted quiz: %v", err)
	}
}

// Files hold a quiz's fixed questions only: a draw from a category stays in Aula, and a
// re-import of the export keeps it.
func TestExportLeavesADrawInAulaAndReimportKeepsIt(t *testing.T) {
	ctx := context.Background()
	st, owner, b, id := importedGeneralCourse(t)
	quizzes, _ := bankVersions(t, st, id)
	cats, _ := st.Categories(ctx, id)
	q := quizzes[2]
	q.Items = []courses.QuizItem{q.Items[0], {CategoryID: cats[0].ID, Count: 2}}
	if _, err := st.SaveQuiz(ctx, id, q); err != nil {
		t.Fatal(err)
	}
	out := exported(t, st, id)
	m3 := b.Course.Modules[2].Key
	want := []courses.BankQuestion{b.Questions[m3][0]}
	if got := out.Questions[m3]; !reflect.DeepEqual(got, want) {
		t.Errorf("exported questions of the drawing quiz: %d, want %d (its fixed one)", len(got), len(want))
	}
	if _, _, err := st.ImportBundle(ctx, owner.ID, out); err != nil {
		t.Fatal(err)
	}
	after, err := st.Quiz(ctx, id, q.ID)
	if err != nil || len(after.Items) != 2 || after.Items[1].CategoryID != cats[0].ID || after.Items[1].Count != 2 {
		t.Errorf("after re-import the quiz's items are %+v (%v), want its fixed question and the draw", after.Items, err)
	}
	files, err := courses.WriteBundle(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, errs := courses.ReadBundle(mapFS(files)); len(errs) > 0 {
		t.Errorf("the export does not read back: %v", errs)
	}
}

func mapFS(files map[string][]byte) fstest.MapFS {
	fsys := fstest.MapFS{}
	for p, data := range files {
		fsys[p] = &fstest.MapFile{Data: data}
	}
	return fsys
}

func TestDeletingAModuleTakesItsQuizUnlessAttempted(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	owner := instructor(t, st, "owner@example.org")
	id, _, err := st.ImportBundle(ctx, owner.ID, catalogCourse(t, generalCourse))
	if err != nil {
		t.Fatal(err)
	}
	co, _ := st.Course(ctx, id)
	quizzes, _ := bankVersions(t, st, id)
	trainee := trainees(t, st, 1)[0]
	cohorts, _ := st.Cohorts(ctx, id)
	if _, err := st.Enrol(ctx, trainee.ID, cohorts[0].ID, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := st.StartAttempt(ctx, trainee.ID, id, quizzes[0].ID, "es", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteModule(ctx, id, co.Modules[0].ID); !errors.Is(err, store.ErrQuizHasAttempts) {
		t.Errorf("deleting the module of an attempted quiz: %v", err)
	}
	if err := st.DeleteModule(ctx, id, co.Modules[1].ID); err != nil {
		t.Fatalf("deleting a module whose quiz nobody attempted: %v", err)
	}
	if left, _ := bankVersions(t, st, id); len(left) != 2 {
		t.Errorf("%d quizzes left, want 2", len(left))
	}
}

func TestReimportLeavesQuestionsOtherQuizzesUse(t *testing.T) {
	ctx := context.Background()
	st, owner, b, id := importedGeneralCourse(t)
	quizzes, _ := bankVersions(t, st, id)
	shared := quizzes[0].Items[0].QuestionID
	// A quiz made on the web uses the first module's first question.
	web, err := st.SaveQuiz(ctx, id, courses.Quiz{ModuleID: quizzes[1].ModuleID, Key: "repaso", Titles: map[string]string{"es": "Repaso"},
		Settings: courses.DefaultQuizSettings(), Items: []courses.QuizItem{{QuestionID: shared}}})
	if err != nil {
		t.Fatal(err)
	}
	// The files drop the first module's quiz.
	key := b.Course.Modules[0].Key
	b.Course.Modules[0].Quizzes = nil
	delete(b.Questions, key)
	if _, _, err := st.ImportBundle(ctx, owner.ID, b); err != nil {
		t.Fatal(err)
	}
	q, err := st.Quiz(ctx, id, web)
	if err != nil || len(q.Items) != 1 || q.Items[0].QuestionID != shared {
		t.Fatalf("the web quiz lost its question: %+v (%v)", q.Items, err)
	}
	if _, err := st.BankQuestion(ctx, id, shared); err != nil {
		t.Fatalf("the shared question left the bank: %v", err)
	}
}
