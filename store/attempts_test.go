package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
	"github.com/jmoiron/sqlx"
)

// quizFixture makes the test course with a quiz of three single-choice questions at the
// end of its first module, and an enrolled trainee.
func quizFixture(t *testing.T, st *store.Store, settings courses.QuizSettings) (co courses.Course, quizID int64, trainee courses.User) {
	t.Helper()
	ctx := context.Background()
	co, cohortID := cohortFixture(t, st, 0, courses.PolicyOpen, "")
	var items []courses.QuizItem
	for _, text := range []string{"¿Uno?", "¿Dos?", "¿Tres?"} {
		id, err := st.SaveQuestion(ctx, courses.BankQuestion{CourseID: co.ID, Category: "M1", Question: choice(text)}, co.OwnerID)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, courses.QuizItem{QuestionID: id})
	}
	quizID, err := st.SaveQuiz(ctx, co.ID, courses.Quiz{ModuleID: co.Modules[0].ID, Key: "quiz", Position: len(co.Modules[0].Lessons),
		Titles: map[string]string{"es": "Cuestionario"}, Settings: settings, Items: items})
	if err != nil {
		t.Fatal(err)
	}
	trainee = trainees(t, st, 1)[0]
	if _, err := st.Enrol(ctx, trainee.ID, cohortID, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	return co, quizID, trainee
}

// answer is the response choosing answer index i.
// started starts u's attempt at quizID at now, or fails the test.
func started(t *testing.T, st *store.Store, co courses.Course, quizID int64, u courses.User, now time.Time) int64 {
	t.Helper()
	id, err := st.StartAttempt(context.Background(), u.ID, co.ID, quizID, "es", now)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func answer(slot int, seq int64, i int) courses.AnswerSave {
	return courses.AnswerSave{Slot: slot, Seq: seq, Response: courses.Response{Choices: []int{i}}}
}

func TestTwentyConcurrentStartsMakeAtMostTheAttemptsAllowed(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	settings := courses.DefaultQuizSettings()
	settings.Attempts = 2
	co, quizID, u := quizFixture(t, st, settings)
	now := time.Now()
	for round := 0; round < 3; round++ {
		var wg sync.WaitGroup
		ids := make([]int64, 20)
		errs := make([]error, 20)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ids[i], errs[i] = st.StartAttempt(ctx, u.ID, co.ID, quizID, "es", now)
			}()
		}
		wg.Wait()
		for i := range ids {
			if round < 2 && (errs[i] != nil || ids[i] != ids[0]) {
				t.Fatalf("round %d: start %d gave attempt %d, %v; want every start to give attempt %d", round, i, ids[i], errs[i], ids[0])
			}
			if round == 2 && !errors.Is(errs[i], store.ErrNoAttemptsLeft) {
				t.Fatalf("a third attempt: %d, %v", ids[i], errs[i])
			}
		}
		if round < 2 {
			if err := st.FinishAttempt(ctx, u.ID, ids[0], now); err != nil {
				t.Fatal(err)
			}
		}
	}
	var n int
	if err := st.DB().GetContext(ctx, &n, `SELECT count(*) FROM quiz_attempts WHERE quiz_id = $1`, quizID); err != nil || n != 2 {
		t.Fatalf("%d attempts made, want 2 (%v)", n, err)
	}
}

func TestOutOfOrderSavesKeepTheNewestAnswerAndFinishingTwiceGradesOnce(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	co, quizID, u := quizFixture(t, st, courses.DefaultQuizSettings())
	now := time.Now()
	id := started(t, st, co, quizID, u, now)
	// The right answer of every question is index 0. Seq 2 (right) arrives before seq 1 (wrong).
	for _, save := range []courses.AnswerSave{answer(0, 2, 0), answer(0, 1, 1), answer(1, 1, 0), answer(1, 1, 1)} {
		if _, err := st.SaveAnswers(ctx, u.ID, id, []courses.AnswerSave{save}, now); err != nil {
			t.Fatal(err)
		}
	}
	a, err := st.Attempt(ctx, u.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	if a.Slots[0].Seq != 2 || a.Slots[0].Response.Choices[0] != 0 || a.Slots[1].Response.Choices[0] != 0 {
		t.Fatalf("kept: slot 0 seq %d %+v, slot 1 %+v", a.Slots[0].Seq, a.Slots[0].Response, a.Slots[1].Response)
	}
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := st.FinishAttempt(ctx, u.ID, id, now.Add(time.Duration(i)*time.Second)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	a, _ = st.Attempt(ctx, u.ID, id)
	if !a.Finished() || a.Score != 2 || a.Max != 3 {
		t.Fatalf("finished %v, score %v of %v; want 2 of 3", a.Finished(), a.Score, a.Max)
	}
	first := a.FinishedAt
	if err := st.FinishAttempt(ctx, u.ID, id, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if a, _ = st.Attempt(ctx, u.ID, id); !a.FinishedAt.Equal(first) {
		t.Fatalf("a second finish changed the finish time: %v, then %v", first, a.FinishedAt)
	}
	if _, err := st.SaveAnswers(ctx, u.ID, id, []courses.AnswerSave{answer(2, 1, 0)}, now); !errors.Is(err, store.ErrAttemptClosed) {
		t.Fatalf("save after finish: %v", err)
	}
	// Another user's attempt is not found, for reading, saving and finishing.
	other, err := st.CreateUser(ctx, profile("other@example.org"), "a long password", courses.RoleTrainee)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Attempt(ctx, other.ID, id); !errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("another user's attempt: %v", err)
	}
	if _, err := st.SaveAnswers(ctx, other.ID, id, []courses.AnswerSave{answer(2, 9, 0)}, now); !errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("another user's save: %v", err)
	}
	if err := st.FinishAttempt(ctx, other.ID, id, now); !errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("another user's finish: %v", err)
	}
}

func TestASaveAfterDeadlineAndGraceIsRefusedAndTheSweeperFinishesWithTheSavedAnswers(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	settings := courses.DefaultQuizSettings()
	settings.TimeLimit, settings.Grace = 10*time.Minute, time.Minute
	co, quizID, u := quizFixture(t, st, settings)
	start := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	id := started(t, st, co, quizID, u, start)
	a, _ := st.Attempt(ctx, u.ID, id)
	if !a.Deadline.Equal(start.Add(10 * time.Minute)) {
		t.Fatalf("deadline %v", a.Deadline)
	}
	// Within the grace period a save is kept; after it, refused.
	if _, err := st.SaveAnswers(ctx, u.ID, id, []courses.AnswerSave{answer(0, 1, 0)}, start.Add(10*time.Minute+30*time.Second)); err != nil {
		t.Fatalf("save in the grace period: %v", err)
	}
	if _, err := st.SaveAnswers(ctx, u.ID, id, []courses.AnswerSave{answer(1, 1, 0)}, start.Add(11*time.Minute+time.Millisecond)); !errors.Is(err, store.ErrAttemptClosed) {
		t.Fatalf("save after the grace period: %v", err)
	}
	if n, err := st.FinishOverdue(ctx, start.Add(11*time.Minute)); err != nil || n != 0 {
		t.Fatalf("sweeper at the end of the grace period finished %d (%v)", n, err)
	}
	if n, err := st.FinishOverdue(ctx, start.Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("sweeper finished %d (%v), want 1", n, err)
	}
	a, _ = st.Attempt(ctx, u.ID, id)
	if !a.Finished() || a.Score != 1 || !a.FinishedAt.Equal(start.Add(11*time.Minute)) {
		t.Fatalf("after the sweep: finished at %v with %v points", a.FinishedAt, a.Score)
	}
}

func TestASequentialQuizRefusesAnswersOnAPageLeft(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	settings := courses.DefaultQuizSettings()
	settings.Navigation, settings.PerPage = courses.NavigationSequential, 1
	co, quizID, u := quizFixture(t, st, settings)
	now := time.Now()
	id, _ := st.StartAttempt(ctx, u.ID, co.ID, quizID, "es", now)
	if err := st.TurnPage(ctx, u.ID, id, 1, now); err != nil {
		t.Fatal(err)
	}
	if err := st.TurnPage(ctx, u.ID, id, 0, now); err != nil {
		t.Fatal(err)
	}
	// JavaScript's save of the page left says so; the answer on the page reached is kept.
	if _, err := st.SaveAnswers(ctx, u.ID, id, []courses.AnswerSave{answer(0, 1, 0), answer(1, 1, 0)}, now); !errors.Is(err, store.ErrPageLeft) {
		t.Fatalf("a save on the page left: %v", err)
	}
	// One no newer than the answer kept there is stale, as on any page.
	if saved, err := st.SaveAnswers(ctx, u.ID, id, []courses.AnswerSave{answer(1, 1, 1)}, now); err != nil || saved.Stale[1] != 1 {
		t.Fatalf("a stale save: %+v (%v)", saved, err)
	}
	// A page's own submit of the page left is not refused (the handler submits the page the
	// store holds), and writes nothing there either.
	if err := st.SavePage(ctx, u.ID, id, []courses.AnswerSave{answer(0, 2, 0)}, now); err != nil {
		t.Fatal(err)
	}
	a, _ := st.Attempt(ctx, u.ID, id)
	if a.Page != 1 || a.Slots[0].Response != nil || a.Slots[1].Response == nil {
		t.Fatalf("page %d, slot 0 %+v, slot 1 %+v: the page left must stay unanswered", a.Page, a.Slots[0].Response, a.Slots[1].Response)
	}
}

// TestASaveTellsWhatItDidNotWrite: the statement that saves also says which answers a newer
// one kept (and its number), the deadline as it stands, and a finished attempt from one
// whose time is up, so that JavaScript's save needs no read of the attempt before it.
func TestASaveTellsWhatItDidNotWrite(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	settings := courses.DefaultQuizSettings()
	settings.TimeLimit = 10 * time.Minute
	co, quizID, u := quizFixture(t, st, settings)
	start := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	id := started(t, st, co, quizID, u, start)
	saved, err := st.SaveAnswers(ctx, u.ID, id, []courses.AnswerSave{answer(0, 3, 0), answer(1, 1, 1)}, start)
	if err != nil || len(saved.Stale) != 0 || !saved.Deadline.Equal(start.Add(10*time.Minute)) {
		t.Fatalf("a first save: %+v (%v)", saved, err)
	}
	// Slot 0's seq 2 is older than the 3 kept; slot 1's seq 1 is the one kept (a replay);
	// slot 2's is new. Only slot 2 is written, and the other two are told with the number kept.
	saved, err = st.SaveAnswers(ctx, u.ID, id, []courses.AnswerSave{answer(0, 2, 1), answer(1, 1, 0), answer(2, 1, 0)}, start)
	if err != nil || len(saved.Stale) != 2 || saved.Stale[0] != 3 || saved.Stale[1] != 1 {
		t.Fatalf("stale saves: %+v (%v)", saved, err)
	}
	// An instructor's extra time shows in the deadline the next save reads.
	if err := st.GrantExtra(ctx, co.ID, quizID, u.ID, 0, 5, courses.Actor{UserID: co.OwnerID}, start); err != nil {
		t.Fatal(err)
	}
	saved, err = st.SaveAnswers(ctx, u.ID, id, []courses.AnswerSave{answer(2, 2, 1)}, start)
	if err != nil || !saved.Deadline.Equal(start.Add(15*time.Minute)) {
		t.Fatalf("after extra time: %+v (%v)", saved, err)
	}
	a, _ := st.Attempt(ctx, u.ID, id)
	if a.Slots[0].Response.Choices[0] != 0 || a.Slots[1].Response.Choices[0] != 1 || a.Slots[2].Seq != 2 || a.Slots[2].Response.Choices[0] != 1 {
		t.Fatalf("kept: %+v", a.Slots)
	}
	if _, err := st.SaveAnswers(ctx, u.ID, id, []courses.AnswerSave{answer(0, 9, 0)}, start.Add(time.Hour)); !errors.Is(err, store.ErrAttemptClosed) || errors.Is(err, store.ErrAttemptFinished) {
		t.Fatalf("a save after the deadline: %v", err)
	}
	if err := st.FinishAttempt(ctx, u.ID, id, start.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveAnswers(ctx, u.ID, id, []courses.AnswerSave{answer(0, 9, 0)}, start.Add(time.Hour)); !errors.Is(err, store.ErrAttemptFinished) {
		t.Fatalf("a save after the finish: %v", err)
	}
}

func TestTheSweeperJobFinishesOverdueAttemptsOnceAcrossInstances(t *testing.T) {
	ctx := context.Background()
	url := storetest.URL(t)
	var instances []*store.Store
	for i := 0; i < 2; i++ {
		s, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		instances = append(instances, s)
	}
	st := instances[0]
	settings := courses.DefaultQuizSettings()
	settings.TimeLimit, settings.Grace = time.Minute, 0
	co, quizID, u := quizFixture(t, st, settings)
	start := time.Now().Add(-time.Hour) // long overdue by the jobs' clock
	id := started(t, st, co, quizID, u, start)
	// Two instances over the same database, each with its River client.
	for _, s := range instances {
		jobs, err := s.StartJobs(ctx, store.JobsConfig{SweepEvery: time.Second, PollInterval: 100 * time.Millisecond,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = jobs.Stop(context.Background()) })
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		a, err := st.Attempt(ctx, u.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if a.Finished() {
			if !a.FinishedAt.Equal(a.Deadline) {
				t.Fatalf("finished at %v, want its deadline %v", a.FinishedAt, a.Deadline)
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("no sweeper finished the overdue attempt")
}

func TestExtraMinutesLengthenATimeLimitButNeverTimeAnUntimedQuiz(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	co, quizID, u := quizFixture(t, st, courses.DefaultQuizSettings()) // untimed
	now := time.Now()
	if err := st.GrantExtra(ctx, co.ID, quizID, u.ID, 0, 30, courses.Actor{UserID: co.OwnerID}, now); err != nil {
		t.Fatal(err)
	}
	id := started(t, st, co, quizID, u, now)
	if a, _ := st.Attempt(ctx, u.ID, id); !a.Deadline.IsZero() {
		t.Fatalf("an untimed quiz got a deadline from extra time: %v", a.Deadline)
	}
}

// TestAStartsFirstPageWaitsLongerThanASubmitsPage: the attempt a start wrote is kept for
// its first page 15 s on the machine's clock (that page may wait behind an exam's other
// starts); the one a page's submit saved, 5 s.
func TestAStartsFirstPageWaitsLongerThanASubmitsPage(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	co, quizID, u := quizFixture(t, st, courses.DefaultQuizSettings())
	var mu sync.Mutex
	clock := time.Now()
	st.SetKeptClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return clock })
	wait := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); clock = clock.Add(d) }
	now := time.Now()
	id := started(t, st, co, quizID, u, now)
	wait(14 * time.Second)
	if _, ok := st.AttemptAsSaved(u.ID, id); !ok {
		t.Fatal("a start's first page, 14 s after it: not kept")
	}
	shape, ok := st.AttemptShape(u.ID, id)
	if !ok {
		t.Fatal("no shape kept")
	}
	if err := st.SavePageOf(ctx, shape, []courses.AnswerSave{answer(0, 1, 0)}, now); err != nil {
		t.Fatal(err)
	}
	wait(6 * time.Second)
	if _, ok := st.AttemptAsSaved(u.ID, id); ok {
		t.Fatal("a submit's page, 6 s after it: still kept")
	}
	if err := st.FinishAttempt(ctx, u.ID, id, now); err != nil {
		t.Fatal(err)
	}
	second := started(t, st, co, quizID, u, now)
	wait(16 * time.Second)
	if _, ok := st.AttemptAsSaved(u.ID, second); ok {
		t.Fatal("a start's first page, 16 s after it: still kept")
	}
}

// TestExtraTimeShowsOnTheFirstPageOfAnAttemptJustStarted: the start keeps its attempt for
// the page it redirects to; extra minutes given meanwhile change the deadline, so that page
// reads the attempt afresh.
func TestExtraTimeShowsOnTheFirstPageOfAnAttemptJustStarted(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	settings := courses.DefaultQuizSettings()
	settings.TimeLimit = 10 * time.Minute
	co, quizID, u := quizFixture(t, st, settings)
	now := time.Now().Round(time.Microsecond)
	id := started(t, st, co, quizID, u, now)
	if err := st.GrantExtra(ctx, co.ID, quizID, u.ID, 0, 5, courses.Actor{UserID: co.OwnerID}, now); err != nil {
		t.Fatal(err)
	}
	if a, ok := st.AttemptAsSaved(u.ID, id); ok {
		t.Fatalf("the first page after extra minutes shows the deadline %v, kept from the start", a.Deadline)
	}
	if a, err := st.Attempt(ctx, u.ID, id); err != nil || !a.Deadline.Equal(now.Add(15*time.Minute)) {
		t.Fatalf("the deadline read: %v (%v), want %v", a.Deadline, err, now.Add(15*time.Minute))
	}
}

func TestAPageSavedThroughItsShapeIsReadBackOnceAsSaved(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	co, quizID, u := quizFixture(t, st, courses.DefaultQuizSettings())
	now := time.Now()
	id := started(t, st, co, quizID, u, now)
	if _, err := st.SaveAnswers(ctx, u.ID, id, []courses.AnswerSave{answer(0, 4, 1)}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Attempt(ctx, u.ID, id); err != nil { // the instance keeps its shape
		t.Fatal(err)
	}
	shape, ok := st.AttemptShape(u.ID, id)
	if !ok {
		t.Fatal("no shape kept")
	}
	// The submit's number is after the one kept, whatever the form said, and the answer read
	// back beside the earlier one of another slot.
	if err := st.SavePageOf(ctx, shape, []courses.AnswerSave{answer(1, 1, 2)}, now); err != nil {
		t.Fatal(err)
	}
	other, err := st.CreateUser(ctx, profile("other@example.org"), "a long password", courses.RoleTrainee)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.AttemptAsSaved(other.ID, id); ok {
		t.Fatal("another user was given the attempt as saved")
	}
	if err := st.SavePageOf(ctx, shape, []courses.AnswerSave{answer(1, 1, 2)}, now); err != nil {
		t.Fatal(err)
	}
	a, ok := st.AttemptAsSaved(u.ID, id)
	want, err := st.Attempt(ctx, u.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	if !ok || a.Slots[0].Seq != 4 || a.Slots[0].Response.Choices[0] != 1 || a.Slots[1].Seq != want.Slots[1].Seq ||
		a.Slots[1].Seq != 2 || a.Slots[1].Response.Choices[0] != 2 || a.Slots[2].Response != nil || a.Slots[1].VersionID != want.Slots[1].VersionID {
		t.Fatalf("as saved (%v): %+v\nread: %+v", ok, a.Slots, want.Slots)
	}
	if _, ok := st.AttemptAsSaved(u.ID, id); ok {
		t.Fatal("the attempt as saved was given twice")
	}
	// A closed attempt saves nothing and keeps nothing (that it is kept only for a moment is
	// justSavedCache's own test).
	if err := st.FinishAttempt(ctx, u.ID, id, now); err != nil {
		t.Fatal(err)
	}
	if err := st.SavePageOf(ctx, shape, []courses.AnswerSave{answer(2, 9, 1)}, now); !errors.Is(err, store.ErrAttemptClosed) {
		t.Fatalf("a save after the finish: %v", err)
	}
	if _, ok := st.AttemptAsSaved(u.ID, id); ok {
		t.Fatal("a refused save was kept")
	}
}

// TestAStartedAttemptIsKeptForItsFirstPageAsWritten: the start keeps the attempt it wrote
// for the page it redirects to (AttemptAsSaved), once; what it keeps is what PostgreSQL holds.
func TestAStartedAttemptIsKeptForItsFirstPageAsWritten(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	settings := courses.DefaultQuizSettings()
	settings.TimeLimit, settings.ShuffleOptions, settings.PerPage = 20*time.Minute, true, 1
	co, quizID, u := quizFixture(t, st, settings)
	now := time.Now()
	id := started(t, st, co, quizID, u, now)
	kept, ok := st.AttemptAsSaved(u.ID, id)
	if !ok {
		t.Fatal("the started attempt was not kept for its page")
	}
	if _, again := st.AttemptAsSaved(u.ID, id); again {
		t.Fatal("the started attempt was kept for more than one page")
	}
	read, err := st.Attempt(ctx, u.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	if !kept.StartedAt.Equal(read.StartedAt) || !kept.Deadline.Equal(read.Deadline) || kept.Grace != read.Grace ||
		kept.Number != read.Number || kept.Slug != read.Slug || kept.Default != read.Default || kept.PerPage != read.PerPage ||
		kept.Navigation != read.Navigation || kept.QuizTitles["es"] != read.QuizTitles["es"] || kept.Settings != read.Settings {
		t.Fatalf("kept %+v\nread %+v", kept, read)
	}
	if len(kept.Slots) != 3 || len(read.Slots) != 3 {
		t.Fatalf("slots: kept %d, read %d", len(kept.Slots), len(read.Slots))
	}
	for i, s := range kept.Slots {
		r := read.Slots[i]
		if s.Slot != r.Slot || s.VersionID != r.VersionID || fmt.Sprint(s.Order, s.OptionIDs) != fmt.Sprint(r.Order, r.OptionIDs) ||
			s.Question.Texts["es"].Text != r.Question.Texts["es"].Text || s.Response != nil || s.Seq != 0 {
			t.Fatalf("slot %d: kept %+v, read %+v", i, s, r)
		}
	}
	// A save forgets it: the page after shows the attempt as PostgreSQL then holds it.
	if err := st.FinishAttempt(ctx, u.ID, id, now); err != nil {
		t.Fatal(err)
	}
	second, err := st.StartAttempt(ctx, u.ID, co.ID, quizID, "es", now)
	if err != nil || second == id {
		t.Fatalf("a second attempt: %d, %v", second, err)
	}
	if _, err := st.SaveAnswers(ctx, u.ID, second, []courses.AnswerSave{answer(0, 1, 0)}, now); err != nil {
		t.Fatal(err)
	}
	if _, ok := st.AttemptAsSaved(u.ID, second); ok {
		t.Fatal("an attempt saved since its start is still kept as started")
	}
}

// TestAStartByTheCourseSlugChecksTheCourseAndTheEnrolment: the quiz page's start names the
// course by its slug and checks, in the start's own read, what the course page's statement
// checked before it: a published course, an active enrolment, and the language the course is
// read in (the one asked for, or the course's default where it has no texts in it).
func TestAStartByTheCourseSlugChecksTheCourseAndTheEnrolment(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	co, quizID, u := quizFixture(t, st, courses.DefaultQuizSettings())
	now := time.Now()
	// Published, and read in Portuguese, which the course then lacks.
	missing := "pt"
	for _, q := range []string{`DELETE FROM course_texts WHERE course_id = $1 AND language = 'pt'`,
		`UPDATE courses SET status = 'published' WHERE id = $1`} {
		if _, err := st.DB().ExecContext(ctx, q, co.ID); err != nil {
			t.Fatal(err)
		}
	}
	stranger, err := st.CreateUser(ctx, profile("stranger@example.org"), "a long password", courses.RoleTrainee)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.StartAttemptAt(ctx, stranger.ID, co.Slug, quizID, co.DefaultLanguage, now); !errors.Is(err, store.ErrNotEnroled) {
		t.Fatalf("a start by someone not enrolled: %v", err)
	}
	if _, err := st.StartAttemptAt(ctx, u.ID, "no-such-course", quizID, "es", now); !errors.Is(err, courses.ErrNotFound) || errors.Is(err, store.ErrNotPublished) {
		t.Fatalf("a start in a course that does not exist: %v", err)
	}
	if _, err := st.StartAttemptAt(ctx, u.ID, co.Slug, quizID+1000, "es", now); !errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("a start of a quiz that does not exist: %v", err)
	}
	id, err := st.StartAttemptAt(ctx, u.ID, co.Slug, quizID, missing, now)
	if err != nil {
		t.Fatal(err)
	}
	if a, err := st.Attempt(ctx, u.ID, id); err != nil || a.Language != co.DefaultLanguage || a.CourseID != co.ID {
		t.Fatalf("an attempt asked for in %s, which the course lacks: %+v, %v; want it in %s", missing, a, err, co.DefaultLanguage)
	}
	if again, err := st.StartAttemptAt(ctx, u.ID, co.Slug, quizID, co.DefaultLanguage, now); err != nil || again != id {
		t.Fatalf("a second start while the attempt is in progress: %d, %v; want %d", again, err, id)
	}
	if _, err := st.DB().ExecContext(ctx, `UPDATE courses SET status = 'draft' WHERE id = $1`, co.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.StartAttemptAt(ctx, u.ID, co.Slug, quizID, co.DefaultLanguage, now); !errors.Is(err, store.ErrNotPublished) {
		t.Fatalf("a start in a draft: %v", err)
	}
}

// TestAnAttemptsShapeIsItsSlotsAsRead: the shape an instance keeps of an attempt in progress
// (packed, see keptShape) unpacks to the attempt as read, its slots' questions, options'
// orders and ids, versions and sequence numbers, without the answers; and only for its
// trainee.
func TestAnAttemptsShapeIsItsSlotsAsRead(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	settings := courses.DefaultQuizSettings()
	settings.ShuffleOptions = true
	co, quizID, u := quizFixture(t, st, settings)
	now := time.Now()
	id := started(t, st, co, quizID, u, now)
	if _, err := st.SaveAnswers(ctx, u.ID, id, []courses.AnswerSave{answer(1, 7, 2)}, now); err != nil {
		t.Fatal(err)
	}
	read, err := st.Attempt(ctx, u.ID, id) // keeps the shape afresh
	if err != nil {
		t.Fatal(err)
	}
	shape, ok := st.AttemptShape(u.ID, id)
	if !ok {
		t.Fatal("no shape kept of the attempt read")
	}
	if _, ok := st.AttemptShape(u.ID+1, id); ok {
		t.Fatal("another trainee's attempt has a shape for them")
	}
	if shape.ID != read.ID || shape.Slug != read.Slug || !shape.Deadline.Equal(read.Deadline) || shape.Navigation != read.Navigation ||
		shape.PerPage != read.PerPage || shape.QuizTitles["es"] != read.QuizTitles["es"] || len(shape.Slots) != len(read.Slots) || len(read.Slots) != 3 {
		t.Fatalf("shape %+v\nread %+v", shape, read)
	}
	for i, s := range shape.Slots {
		r := read.Slots[i]
		if s.Slot != r.Slot || s.VersionID != r.VersionID || s.Seq != r.Seq || fmt.Sprint(s.Order) != fmt.Sprint(r.Order) ||
			fmt.Sprint(s.OptionIDs) != fmt.Sprint(r.OptionIDs) || len(s.OptionIDs) != len(s.Order) || len(s.Order) == 0 ||
			s.Question.Texts["es"].Text != r.Question.Texts["es"].Text || s.Response != nil {
			t.Fatalf("slot %d: shape %+v\nread %+v", i, s, r)
		}
	}
	if read.Slots[1].Seq != 7 || shape.Slots[1].Seq != 7 {
		t.Fatalf("the answered slot's sequence number: read %d, shape %d", read.Slots[1].Seq, shape.Slots[1].Seq)
	}
}

// TestACompletionWrittenWithoutItsCourseIsCounted: an instance of the previous release, still
// serving during an upgrade, writes completions without their course (migration 00016); the
// trigger gives it, so the course page counts the lesson as done.
func TestACompletionWrittenWithoutItsCourseIsCounted(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	co, _, u := quizFixture(t, st, courses.DefaultQuizSettings())
	lesson := co.Modules[0].Lessons[0].ID
	if _, err := st.DB().ExecContext(ctx, `INSERT INTO lesson_completions (user_id, lesson_id) VALUES ($1, $2)`, u.ID, lesson); err != nil {
		t.Fatal(err)
	}
	var course int64
	if err := st.DB().GetContext(ctx, &course, `SELECT course_id FROM lesson_completions WHERE user_id = $1 AND lesson_id = $2`, u.ID, lesson); err != nil || course != co.ID {
		t.Fatalf("the completion's course: %d, %v; want %d", course, err, co.ID)
	}
	p, err := st.CoursePage(ctx, co.Slug, "es", u.ID, 0)
	if err != nil || !p.Done[lesson] || len(p.Done) != 1 {
		t.Fatalf("done on the course page: %v, %v", p.Done, err)
	}
}

// TestTheBusiestWritesArePlannedOnceAndWaitForTheDisk: an attempt's start and an answer's
// save run on the writes pool, whose connections give them a generic plan (PostgreSQL chose
// a custom one, half a millisecond of planning, on every save of an exam) and commit waiting
// for the disk as the server's settings say; the primary pool keeps the default plans, for
// every other statement. Both plan without sequential scans (see
// TestTheBusiestWritesKeepTheirIndexesAsAnExamFillsTheTable); the primary pool, where the
// reports scan, keeps them.
func TestTheBusiestWritesArePlannedOnceAndWaitForTheDisk(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	// Whether a pool's connections set a setting themselves ("client"), or leave it to the server.
	for _, c := range []struct{ pool, setting, want, source string }{
		{"writes", "plan_cache_mode", "force_generic_plan", "client"},
		{"hot", "plan_cache_mode", "force_generic_plan", "client"},
		{"primary", "plan_cache_mode", "auto", ""},
		{"writes", "enable_seqscan", "off", "client"},
		{"hot", "enable_seqscan", "off", "client"},
		{"primary", "enable_seqscan", "on", ""},
		{"hot", "synchronous_commit", "off", "client"},
	} {
		var got, source string
		err := st.Pools()[c.pool].QueryRow(`SELECT setting, source FROM pg_settings WHERE name = $1`, c.setting).Scan(&got, &source)
		if err != nil || got != c.want || (c.source != "") != (source == "client") {
			t.Errorf("%s pool: %s = %q from %s (%v), want %q", c.pool, c.setting, got, source, err, c.want)
		}
	}
	var source string
	if err := st.Pools()["writes"].QueryRow(`SELECT source FROM pg_settings WHERE name = 'synchronous_commit'`).Scan(&source); err != nil || source == "client" {
		t.Errorf("the writes pool sets its own synchronous_commit (%v): its commits must wait as the server says", err)
	}
	// And the saves go through it.
	co, quizID, u := quizFixture(t, st, courses.DefaultQuizSettings())
	id := started(t, st, co, quizID, u, time.Now())
	before := st.Pools()["writes"].Stats().OpenConnections
	if err := st.Pools()["writes"].Close(); err != nil { // a save that took another pool would still work
		t.Fatal(err)
	}
	if _, err := st.SaveAnswers(ctx, u.ID, id, []courses.AnswerSave{answer(0, 1, 0)}, time.Now()); err == nil || before == 0 {
		t.Fatalf("a start and a save without the writes pool: %v (it had %d connections)", err, before)
	}
}

// TestAFinishThatWaitedBehindASaveGradesTheSavedAnswer: a finish that comes while a save
// holds the attempt waits for it, and grades the answer that save wrote (the trainee was told
// it was saved), not the slots as they were when the finish began to wait.
func TestAFinishThatWaitedBehindASaveGradesTheSavedAnswer(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	co, quizID, u := quizFixture(t, st, courses.DefaultQuizSettings())
	now := time.Now()
	id := started(t, st, co, quizID, u, now)
	// The save, held open: the attempt FOR SHARE, then the right answer (index 0) of slot 0.
	save, err := st.DB().BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer save.Rollback()
	if _, err := save.Exec(`SELECT id FROM quiz_attempts WHERE id = $1 FOR SHARE`, id); err != nil {
		t.Fatal(err)
	}
	if _, err := save.Exec(`UPDATE attempt_slots SET response = '{"choices":[0]}', seq = 1 WHERE attempt_id = $1 AND slot = 0`, id); err != nil {
		t.Fatal(err)
	}
	finished := make(chan error, 1)
	go func() { finished <- st.FinishAttempt(ctx, u.ID, id, now) }()
	// Once the finish waits for the save's lock, the save commits.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting bool
		if err := st.DB().Get(&waiting, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database()
			AND wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE%')`); err != nil {
			t.Fatal(err)
		}
		if waiting {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the finish never waited for the save")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := save.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-finished; err != nil {
		t.Fatal(err)
	}
	a, err := st.Attempt(ctx, u.ID, id)
	if err != nil || !a.Finished() || a.Score != 1 {
		t.Fatalf("finished %v with %v points (%v), want the saved answer's 1", a.Finished(), a.Score, err)
	}
}

// TestTheBusiestWritesKeepTheirIndexesAsAnExamFillsTheTable: the writes and hot pools plan
// once per connection, so a plan made while quiz_attempts holds a handful of rows (a school's
// first exam) is kept while 10,000 examinees fill it. PostgreSQL plans a sequential scan for
// a table of a page or two, and then read the whole table on every answer saved and on every
// foreign key of every slot of every start (the bench's full run: 163,528 such scans of
// quiz_attempts, 296 million rows read, for one exam start). Counted in pg_stat_user_tables,
// for attempt_slots too; and the start's bank is read by its course's index, not by a scan of
// every course's questions, and once per instance.
func TestTheBusiestWritesKeepTheirIndexesAsAnExamFillsTheTable(t *testing.T) {
	ctx := context.Background()
	st, url := storetest.DBAt(t)
	co, quizID, first := quizFixture(t, st, courses.DefaultQuizSettings())
	var cohortID int64
	if err := st.DB().GetContext(ctx, &cohortID, `SELECT cohort_id FROM enrolments WHERE user_id = $1`, first.ID); err != nil {
		t.Fatal(err)
	}
	examinees := []courses.User{first}
	for i := range 24 {
		u, err := st.CreateUser(ctx, profile(fmt.Sprintf("examinee%d@example.org", i)), "a long password", courses.RoleTrainee)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Enrol(ctx, u.ID, cohortID, "", time.Now()); err != nil {
			t.Fatal(err)
		}
		examinees = append(examinees, u)
	}
	started(t, st, co, quizID, examinees[0], time.Now())
	st.Close()
	admin, err := sqlx.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	admin.SetMaxOpenConns(1)
	// The table as a school has it before its first exam: small, and known to be small.
	if _, err := admin.ExecContext(ctx, `VACUUM ANALYZE quiz_attempts, attempt_slots`); err != nil {
		t.Fatal(err)
	}
	// What every connection but this one has counted, once they have all gone: the sequential
	// scans of the tables an exam fills, and the scans of the index the start's bank is read by.
	type counts struct{ attempts, slots, bank int64 }
	scans := func() counts {
		t.Helper()
		read := func() (n counts) {
			t.Helper()
			if err := admin.QueryRowxContext(ctx, `SELECT
				(SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'quiz_attempts'),
				(SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'attempt_slots'),
				coalesce((SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'questions_course'), 0)`).
				Scan(&n.attempts, &n.slots, &n.bank); err != nil {
				t.Fatal(err)
			}
			return n
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			var others int
			if err := admin.GetContext(ctx, &others, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`); err != nil {
				t.Fatal(err)
			}
			if others == 0 {
				return read()
			}
			if time.Now().After(deadline) {
				t.Logf("%d other connections still there after 10 s (autovacuum?): counting without them", others)
				time.Sleep(time.Second) // a backend's last counts, sent as it exits
				return read()
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	before := scans()
	// A fresh instance, whose connections plan now: each examinee starts and saves an answer.
	exam, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range examinees[1:] {
		id, err := exam.StartAttempt(ctx, u.ID, co.ID, quizID, "es", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := exam.SaveAnswers(ctx, u.ID, id, []courses.AnswerSave{answer(0, 1, 0)}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	exam.Close()
	after, n := scans(), int64(len(examinees)-1)
	if after.attempts != before.attempts || after.slots != before.slots {
		t.Errorf("%d starts and saves: %d sequential scans of quiz_attempts and %d of attempt_slots, want none",
			n, after.attempts-before.attempts, after.slots-before.slots)
	}
	// The bank by its course, not every course's questions by their category; once, by the
	// instance's first start, which keeps it for the others (drawCache).
	if after.bank-before.bank != 1 {
		t.Errorf("%d starts: the bank read by questions_course %d times, want once", n, after.bank-before.bank)
	}
}

// TestEveryEditOfAQuizOrItsBankShowsInTheNextStartOnEveryInstance: each instance keeps what a
// quiz's starts draw from under the course's version; every kind of edit of the quiz, its
// items or the bank, through either of two instances, shows in the next start on both. The
// quiz has a fixed question and one drawn from a category that holds one question or none,
// so that every start's draw is known: the bank's current versions, or too few questions.
func TestEveryEditOfAQuizOrItsBankShowsInTheNextStartOnEveryInstance(t *testing.T) {
	url := storetest.URL(t)
	ctx := context.Background()
	var instances []*store.Store
	for range 2 {
		st, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		instances = append(instances, st)
	}
	st := instances[0]
	settings := courses.DefaultQuizSettings()
	co, quizID, u := quizFixture(t, st, settings)
	if _, err := st.DB().ExecContext(ctx, `UPDATE courses SET status = 'published' WHERE id = $1`, co.ID); err != nil {
		t.Fatal(err)
	}
	quiz, err := st.Quiz(ctx, co.ID, quizID)
	if err != nil {
		t.Fatal(err)
	}
	question := func(category, text string) int64 {
		t.Helper()
		id, err := st.SaveQuestion(ctx, courses.BankQuestion{CourseID: co.ID, Category: category, Question: choice(text)}, co.OwnerID)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	qa, qb := question("Sorteo", "¿A?"), question("Aparte", "¿B?")
	cats, err := st.Categories(ctx, co.ID)
	if err != nil {
		t.Fatal(err)
	}
	category := map[string]int64{}
	for _, c := range cats {
		category[c.Name] = c.ID
	}
	quiz.Items = []courses.QuizItem{quiz.Items[0], {CategoryID: category["Sorteo"], Count: 1}}
	if _, err := st.SaveQuiz(ctx, co.ID, quiz); err != nil {
		t.Fatal(err)
	}
	// What a start must draw: every current version the quiz's items name, as a fresh read finds them.
	want := func() []int64 {
		t.Helper()
		var ids []int64
		if err := st.DB().SelectContext(ctx, &ids, `SELECT v.id FROM questions q
			JOIN question_versions v ON v.question_id = q.id AND v.version = q.version
			WHERE q.deleted_at IS NULL AND EXISTS (SELECT 1 FROM quiz_items i WHERE i.quiz_id = $1
				AND (i.question_id = q.id OR i.category_id = q.category_id)) ORDER BY v.id`, quizID); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	check := func(step string, tooFew bool) {
		t.Helper()
		for i, inst := range instances {
			var id int64
			var err error
			if i == 0 {
				id, err = inst.StartAttemptAt(ctx, u.ID, co.Slug, quizID, "es", time.Now())
			} else {
				id, err = inst.StartAttempt(ctx, u.ID, co.ID, quizID, "es", time.Now())
			}
			if tooFew {
				if !errors.Is(err, store.ErrTooFewQuestions) {
					t.Fatalf("after %s, instance %d: %v, want too few questions", step, i, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("after %s, instance %d: %v", step, i, err)
			}
			a, err := inst.Attempt(ctx, u.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, s := range a.Slots {
				got = append(got, s.VersionID)
			}
			slices.Sort(got)
			if w := want(); !slices.Equal(got, w) {
				t.Fatalf("after %s, instance %d drew versions %v, want %v", step, i, got, w)
			}
			if a.Settings.TimeLimit != settings.TimeLimit {
				t.Fatalf("after %s, instance %d started with a time limit of %v, want %v", step, i, a.Settings.TimeLimit, settings.TimeLimit)
			}
			if err := inst.FinishAttempt(ctx, u.ID, id, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	check("the quiz made", false)
	var qc int64
	edits := []struct {
		name   string
		do     func(st *store.Store) error
		tooFew bool
	}{
		{"the fixed question edited", func(st *store.Store) error {
			_, err := st.SaveQuestion(ctx, courses.BankQuestion{ID: quiz.Items[0].QuestionID, CourseID: co.ID, Category: "M1",
				Question: choice("¿Uno, otra vez?")}, co.OwnerID)
			return err
		}, false},
		{"the drawn question moved out of its category", func(st *store.Store) error {
			return st.MoveQuestion(ctx, co.ID, qa, category["Aparte"])
		}, true},
		{"another question moved into it", func(st *store.Store) error {
			return st.MoveQuestion(ctx, co.ID, qb, category["Sorteo"])
		}, false},
		{"the drawn question deleted", func(st *store.Store) error { return st.DeleteQuestion(ctx, co.ID, qb) }, true},
		{"a question added to the category", func(st *store.Store) error {
			var err error
			qc, err = st.SaveQuestion(ctx, courses.BankQuestion{CourseID: co.ID, CategoryID: category["Sorteo"], Question: choice("¿C?")}, co.OwnerID)
			return err
		}, false},
		{"the drawn question edited", func(st *store.Store) error {
			_, err := st.SaveQuestion(ctx, courses.BankQuestion{ID: qc, CourseID: co.ID, CategoryID: category["Sorteo"], Question: choice("¿C, otra vez?")}, co.OwnerID)
			return err
		}, false},
		{"the quiz's items changed", func(st *store.Store) error {
			quiz.Items = quiz.Items[1:]
			_, err := st.SaveQuiz(ctx, co.ID, quiz)
			return err
		}, false},
		{"the time limit changed", func(st *store.Store) error {
			settings.TimeLimit = 45 * time.Minute
			quiz.Settings = settings
			_, err := st.SaveQuiz(ctx, co.ID, quiz)
			return err
		}, false},
	}
	for i, e := range edits {
		if err := e.do(instances[i%2]); err != nil {
			t.Fatalf("%s: %v", e.name, err)
		}
		check(e.name, e.tooFew)
	}
}
