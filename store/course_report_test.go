package store_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
)

// reportSchool is a small course whose every figure is known: an online cohort A, an
// in-person cohort B taken by approval, two quizzes and one session held.
type reportSchool struct {
	co       courses.Course
	a, b     int64 // cohorts
	quiz     int64 // three single-choice questions, highest attempt counts
	essay    int64 // one essay, last attempt counts
	held     int64 // B's session two days ago; another is in two days
	now      time.Time
	trainees []courses.User
}

func newReportSchool(t *testing.T, st *store.Store) reportSchool {
	t.Helper()
	ctx := context.Background()
	now := time.Now().Truncate(time.Second)
	co, a := cohortFixture(t, st, 0, courses.PolicyOpen, "")
	b, err := st.SaveCohort(ctx, courses.Actor{}, courses.Cohort{CourseID: co.ID, Name: "Sede", Capacity: 3, Mode: courses.ModeInPerson, Location: "San José",
		Policy: courses.PolicyApproval})
	if err != nil {
		t.Fatal(err)
	}
	s := reportSchool{co: co, a: a, b: b, now: now, trainees: trainees(t, st, 12)}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	settings := courses.DefaultQuizSettings()
	settings.Required = false // completion is the lessons' (and B's attendance)
	var items []courses.QuizItem
	for _, text := range []string{"¿Uno?", "¿Dos?", "¿Tres?"} {
		id, err := st.SaveQuestion(ctx, courses.BankQuestion{CourseID: co.ID, Category: "M1", Question: choice(text)}, co.OwnerID)
		must(err)
		items = append(items, courses.QuizItem{QuestionID: id})
	}
	s.quiz, err = st.SaveQuiz(ctx, co.ID, courses.Quiz{ModuleID: co.Modules[0].ID, Key: "quiz", Position: len(co.Modules[0].Lessons),
		Titles: map[string]string{"es": "Cuestionario"}, Settings: settings, Items: items})
	must(err)
	essay := courses.Question{Type: courses.QuestionEssay, Points: 2, Texts: map[string]courses.QuestionText{"es": {Text: "Explique."}}}
	essayID, err := st.SaveQuestion(ctx, courses.BankQuestion{CourseID: co.ID, Category: "M2", Question: essay}, co.OwnerID)
	must(err)
	settings.GradeMethod = courses.GradeLast
	s.essay, err = st.SaveQuiz(ctx, co.ID, courses.Quiz{ModuleID: co.Modules[1].ID, Key: "essay", Position: len(co.Modules[1].Lessons),
		Titles: map[string]string{"es": "Ensayo"}, Settings: settings, Items: []courses.QuizItem{{QuestionID: essayID}}})
	must(err)

	var lessons []int64
	for _, m := range co.Modules {
		for _, l := range m.Lessons {
			lessons = append(lessons, l.ID)
		}
	}
	if len(lessons) != 4 {
		t.Fatalf("the fixture has %d lessons, the figures below count on 4", len(lessons))
	}
	done := func(u courses.User, n int) {
		t.Helper()
		for _, l := range lessons[:n] {
			_, err := st.CompleteLesson(ctx, u.ID, l, now)
			must(err)
		}
	}
	tr := s.trainees
	// A: t0 every lesson (completes), t1 none, t2 one, t3 every lesson then withdraws, t4 withdraws.
	for _, u := range tr[:5] {
		_, err := st.Enrol(ctx, u.ID, a, "", now)
		must(err)
	}
	done(tr[0], 4)
	done(tr[2], 1)
	done(tr[3], 4)
	must(st.Withdraw(ctx, tr[3].ID, a))
	must(st.Withdraw(ctx, tr[4].ID, a))
	// B: t5 left pending; t6, t9, t10 approved into the three seats; t7 and t11 on the waiting
	// list; t8 rejected.
	for _, i := range []int{5, 6, 9, 10, 7, 11, 8} {
		_, err := st.Enrol(ctx, tr[i].ID, b, "", now)
		must(err)
	}
	for _, i := range []int{6, 9, 10, 7, 11} {
		_, err := st.Decide(ctx, courses.Actor{}, b, tr[i].ID, true)
		must(err)
	}
	_, err = st.Decide(ctx, courses.Actor{}, b, tr[8].ID, false)
	must(err)
	// t3, completed in A and withdrawn from it, is enrolled again in a second online cohort:
	// one trainee of the course, with two enrolments that count.
	c, err := st.SaveCohort(ctx, courses.Actor{}, courses.Cohort{CourseID: co.ID, Name: "Segunda", Mode: courses.ModeOnline, Policy: courses.PolicyOpen})
	must(err)
	_, err = st.Enrol(ctx, tr[3].ID, c, "", now)
	must(err)
	s.held, err = st.AddSession(ctx, courses.CohortSession{CohortID: b, StartsAt: now.Add(-48 * time.Hour), Minutes: 60, Place: "Aula 1"})
	must(err)
	_, err = st.AddSession(ctx, courses.CohortSession{CohortID: b, StartsAt: now.Add(48 * time.Hour), Minutes: 60, Place: "Aula 1"})
	must(err)
	_, err = st.SetAttendance(ctx, b, s.held, courses.Actor{UserID: co.OwnerID}, map[int64]courses.AttendanceStatus{
		tr[6].ID: courses.AttendancePresent, tr[9].ID: courses.AttendanceAbsent, tr[10].ID: courses.AttendanceExcused}, now)
	must(err)
	// t9 withdraws after the session: t7 takes the seat. t6 does every lesson (one session of
	// two attended: not complete), t10 three, t7 two.
	must(st.Withdraw(ctx, tr[9].ID, b))
	done(tr[6], 4)
	done(tr[10], 3)
	done(tr[7], 2)

	attempt := func(u courses.User, quiz int64, saves []courses.AnswerSave, finish bool) int64 {
		t.Helper()
		id, err := st.StartAttempt(ctx, u.ID, co.ID, quiz, "es", now)
		must(err)
		_, err = st.SaveAnswers(ctx, u.ID, id, saves, now)
		must(err)
		if finish {
			must(st.FinishAttempt(ctx, u.ID, id, now.Add(time.Minute)))
		}
		return id
	}
	choices := func(picks ...int) []courses.AnswerSave {
		var out []courses.AnswerSave
		for slot, i := range picks {
			out = append(out, answer(slot, 1, i))
		}
		return out
	}
	text := []courses.AnswerSave{{Slot: 0, Seq: 1, Response: courses.Response{Text: "Porque."}}}
	// The quiz (the highest counts): t0 3 of 3, then 1 of 3; t1 2 of 3; t2 one in progress; t6 0 of 3.
	attempt(tr[0], s.quiz, choices(0, 0, 0), true)
	attempt(tr[0], s.quiz, choices(0, 1, 1), true)
	attempt(tr[1], s.quiz, choices(0, 0, 1), true)
	attempt(tr[2], s.quiz, choices(0), false)
	attempt(tr[6], s.quiz, choices(1, 1, 1), true)
	// The essay: t0 marked in full, then a second attempt waiting for its mark (the last
	// counts: no grade yet); t6 marked half.
	first := attempt(tr[0], s.essay, text, true)
	must(st.MarkEssay(ctx, co.ID, first, 0, 1, courses.Actor{UserID: co.OwnerID}, now))
	attempt(tr[0], s.essay, text, true)
	half := attempt(tr[6], s.essay, text, true)
	must(st.MarkEssay(ctx, co.ID, half, 0, 0.5, courses.Actor{UserID: co.OwnerID}, now))
	return s
}

func statuses(r courses.CourseReport) map[courses.EnrolmentStatus]int {
	m := map[courses.EnrolmentStatus]int{}
	for _, s := range r.Enrolments {
		m[s.Status] = s.Count
	}
	return m
}

func bands(r courses.CourseReport) [6]int {
	var out [6]int
	for i, b := range r.Progress {
		out[i] = b.Trainees
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) < 0.001 }

func TestCourseReportCountsEveryFigureOfAHandMadeCourse(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	s := newReportSchool(t, st)

	type quiz struct {
		attempts, trainees, graded, passed, pending int
		mean, median                                float64
	}
	for _, tc := range []struct {
		name                string
		cohort              int64
		statuses            map[courses.EnrolmentStatus]int
		trainees, completed int
		bands               [6]int
		quiz, essay         quiz
		sessions            int
	}{
		{name: "the whole course", cohort: 0,
			statuses: map[courses.EnrolmentStatus]int{courses.EnrolmentPending: 1, courses.EnrolmentWaiting: 1, courses.EnrolmentActive: 7,
				courses.EnrolmentWithdrawn: 3, courses.EnrolmentRejected: 1},
			// t0, t1, t2, t3 (completed, then withdrew, now in a second cohort: once), t6, t7, t10.
			trainees: 7, completed: 2, bands: [6]int{1, 0, 1, 1, 1, 3},
			quiz:  quiz{attempts: 5, trainees: 4, graded: 3, passed: 1, mean: (100 + 200.0/3) / 3, median: 200.0 / 3},
			essay: quiz{attempts: 3, trainees: 2, graded: 1, passed: 0, pending: 1, mean: 50, median: 50}, sessions: 1},
		{name: "the online cohort", cohort: s.a,
			statuses: map[courses.EnrolmentStatus]int{courses.EnrolmentActive: 3, courses.EnrolmentWithdrawn: 2},
			trainees: 4, completed: 2, bands: [6]int{1, 0, 1, 0, 0, 2},
			quiz:  quiz{attempts: 4, trainees: 3, graded: 2, passed: 1, mean: (100 + 200.0/3) / 2, median: (100 + 200.0/3) / 2},
			essay: quiz{attempts: 2, trainees: 1, graded: 0, pending: 1}, sessions: 0},
		{name: "the in-person cohort", cohort: s.b,
			statuses: map[courses.EnrolmentStatus]int{courses.EnrolmentPending: 1, courses.EnrolmentWaiting: 1, courses.EnrolmentActive: 3,
				courses.EnrolmentWithdrawn: 1, courses.EnrolmentRejected: 1},
			trainees: 3, completed: 0, bands: [6]int{0, 0, 0, 1, 1, 1},
			quiz:  quiz{attempts: 1, trainees: 1, graded: 1},
			essay: quiz{attempts: 1, trainees: 1, graded: 1, mean: 50, median: 50}, sessions: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := st.CourseReport(ctx, s.co.ID, tc.cohort, s.now)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Enrolments) != len(courses.EnrolmentStatuses) {
				t.Fatalf("statuses: %+v", r.Enrolments)
			}
			for _, st := range courses.EnrolmentStatuses {
				if got := statuses(r)[st]; got != tc.statuses[st] {
					t.Errorf("%s: %d, want %d", st, got, tc.statuses[st])
				}
			}
			if r.LessonsTotal != 4 || r.Trainees != tc.trainees || r.Completed != tc.completed || bands(r) != tc.bands {
				t.Errorf("lessons %d, trainees %d, completed %d, bands %v; want 4, %d, %d, %v",
					r.LessonsTotal, r.Trainees, r.Completed, bands(r), tc.trainees, tc.completed, tc.bands)
			}
			if len(r.Quizzes) != 2 || r.Quizzes[0].QuizID != s.quiz || r.Quizzes[1].QuizID != s.essay || r.Quizzes[0].Titles["es"] != "Cuestionario" {
				t.Fatalf("quizzes: %+v", r.Quizzes)
			}
			for i, want := range []quiz{tc.quiz, tc.essay} {
				q := r.Quizzes[i]
				got := quiz{q.Attempts, q.Trainees, q.Graded, q.Passed, q.Pending, q.Mean, q.Median}
				if got.attempts != want.attempts || got.trainees != want.trainees || got.graded != want.graded || got.passed != want.passed ||
					got.pending != want.pending || !near(got.mean, want.mean) || !near(got.median, want.median) {
					t.Errorf("quiz %d: %+v, want %+v", i, got, want)
				}
			}
			if len(r.Sessions) != tc.sessions {
				t.Fatalf("sessions: %+v", r.Sessions)
			}
			if tc.sessions == 1 {
				// The roster: t6, t7 and t10 enrolled now, and t9, recorded absent before withdrawing.
				se := r.Sessions[0]
				if se.SessionID != s.held || se.CohortID != s.b || se.CohortName != "Sede" || se.Place != "Aula 1" ||
					se.Roster != 4 || se.Present != 1 || se.Excused != 1 || se.Rate().Percent() != 33.33 {
					t.Errorf("session: %+v", se)
				}
			}
		})
	}
}

// TestCourseReportOfAnotherCoursesCohortIsEmpty also counts the statements a report sends:
// the same for the school's twelve trainees as for a course of none.
func TestCourseReportOfAnotherCoursesCohortIsEmpty(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	s := newReportSchool(t, st)
	otherID, err := st.CreateCourse(ctx, s.co.OwnerID, courses.Course{Slug: "otro", Audiences: []courses.Audience{courses.AudiencePolice},
		Level: courses.LevelIntroductory, Hours: 2, DefaultLanguage: "es", Texts: map[string]courses.CourseText{"es": {Title: "Otro"}}})
	if err != nil {
		t.Fatal(err)
	}
	cost := func(courseID int64) int64 {
		t.Helper()
		before := st.Statements()
		if _, err := st.CourseReport(ctx, courseID, 0, s.now); err != nil {
			t.Fatal(err)
		}
		return st.Statements() - before
	}
	if full, empty := cost(s.co.ID), cost(otherID); full == 0 || full != empty || full > 8 {
		t.Errorf("the report sent %d statements for twelve trainees, %d for none", full, empty)
	}
	// The school's cohort B under the other course, and the other course's own (empty) report.
	for _, q := range []struct{ course, cohort int64 }{{otherID, s.b}, {otherID, 0}, {s.co.ID, s.b + 1000}} {
		r, err := st.CourseReport(ctx, q.course, q.cohort, s.now)
		if err != nil {
			t.Fatal(err)
		}
		if r.EnrolmentTotal() != 0 || r.Trainees != 0 || len(r.Sessions) != 0 || r.CompletionRate().Known() {
			t.Errorf("course %d cohort %d: %+v", q.course, q.cohort, r)
		}
		for _, z := range r.Quizzes {
			if z.Attempts != 0 {
				t.Errorf("course %d cohort %d: quiz %+v", q.course, q.cohort, z)
			}
		}
	}
}
