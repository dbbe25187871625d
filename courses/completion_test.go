package courses

import (
	"testing"
	"time"
)

// A cohort with four weekly sessions; afterWk3 is just after the third started.
var (
	wk1      = time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)
	wk2      = wk1.AddDate(0, 0, 7)
	wk3      = wk1.AddDate(0, 0, 14)
	wk4      = wk1.AddDate(0, 0, 21)
	afterWk3 = wk3.Add(time.Minute)
)

func attendances(statuses ...AttendanceStatus) []SessionAttendance {
	starts := []time.Time{wk1, wk2, wk3, wk4}
	out := make([]SessionAttendance, len(statuses))
	for i, s := range statuses {
		out[i] = SessionAttendance{StartsAt: starts[i], Status: s}
	}
	return out
}

const (
	atPresent = AttendancePresent
	atAbsent  = AttendanceAbsent
	atExcused = AttendanceExcused
	atNone    = AttendanceStatus("") // not recorded
)

func TestPercentIsLessonsDoneRoundedDown(t *testing.T) {
	tests := []struct {
		name        string
		total, done int
		want        int
	}{
		{"no lessons", 0, 0, 0},
		{"no lessons but done recorded", 0, 3, 0},
		{"none done", 10, 0, 0},
		{"a third", 3, 1, 33},
		{"two thirds rounds down", 3, 2, 66},
		{"one short of 200 is not 100", 200, 199, 99},
		{"all", 7, 7, 100},
		{"more done than exist after a lesson was removed", 4, 5, 100},
		{"negative done", 4, -1, 0},
	}
	for _, tt := range tests {
		if got := (Progress{LessonsTotal: tt.total, LessonsDone: tt.done}).Percent(); got != tt.want {
			t.Errorf("%s: Percent = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestAttendanceCountsStartedSessionsWithoutExcused(t *testing.T) {
	tests := []struct {
		name              string
		sessions          []SessionAttendance
		now               time.Time
		attended, counted int
	}{
		{"no sessions", nil, afterWk3, 0, 0},
		{"all present so far, the fourth ahead", attendances(atPresent, atPresent, atPresent, atNone), afterWk3, 3, 3},
		{"an absence counts", attendances(atPresent, atAbsent, atPresent, atNone), afterWk3, 2, 3},
		{"an excused absence does not count", attendances(atPresent, atExcused, atPresent, atNone), afterWk3, 2, 2},
		{"an unrecorded past session counts as not attended", attendances(atPresent, atNone, atPresent, atNone), afterWk3, 2, 3},
		{"a session counts from its start", attendances(atPresent, atPresent, atPresent, atPresent), wk4, 4, 4},
		{"a session does not count a second before", attendances(atPresent, atPresent, atPresent, atPresent), wk4.Add(-time.Second), 3, 3},
		{"future attendance recorded in advance is ignored", attendances(atAbsent, atAbsent, atAbsent, atPresent), afterWk3, 0, 3},
		{"before the first session", attendances(atNone, atNone), wk1.Add(-time.Hour), 0, 0},
		{"an unknown status counts as not attended", []SessionAttendance{{StartsAt: wk1, Status: "late"}}, afterWk3, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, c := Progress{Sessions: tt.sessions}.Attendance(tt.now)
			if a != tt.attended || c != tt.counted {
				t.Fatalf("Attendance = %d of %d, want %d of %d", a, c, tt.attended, tt.counted)
			}
		})
	}
}

func TestCompletionHoldsOnlyWhenEveryRuleDoes(t *testing.T) {
	done := Progress{LessonsTotal: 12, LessonsDone: 12}
	with := func(p Progress, change func(*Progress)) Progress { change(&p); return p }
	rules75 := CompletionRules{MinAttendance: 75}
	tests := []struct {
		name  string
		mode  CohortMode
		rules CompletionRules
		p     Progress
		now   time.Time
		want  bool
	}{
		// Lessons.
		{"online, every lesson done", ModeOnline, rules75, done, afterWk3, true},
		{"online, one lesson missing", ModeOnline, rules75, with(done, func(p *Progress) { p.LessonsDone = 11 }), afterWk3, false},
		{"a course without lessons is never complete", ModeOnline, CompletionRules{}, Progress{}, afterWk3, false},
		{"more done than exist after a lesson was removed", ModeOnline, CompletionRules{}, with(done, func(p *Progress) { p.LessonsDone = 13 }), afterWk3, true},
		// Quizzes.
		{"required quizzes passed", ModeOnline, CompletionRules{}, with(done, func(p *Progress) { p.QuizzesRequired, p.QuizzesPassed = 2, 2 }), afterWk3, true},
		{"a required quiz not passed", ModeOnline, CompletionRules{}, with(done, func(p *Progress) { p.QuizzesRequired, p.QuizzesPassed = 2, 1 }), afterWk3, false},
		{"quizzes passed do not replace lessons", ModeOnline, CompletionRules{}, with(done, func(p *Progress) { p.LessonsDone, p.QuizzesRequired, p.QuizzesPassed = 0, 1, 1 }), afterWk3, false},
		// Attendance.
		{"online ignores recorded absences", ModeOnline, rules75, with(done, func(p *Progress) { p.Sessions = attendances(atAbsent, atAbsent, atAbsent) }), afterWk3, true},
		{"in person, 3 of 3 attended", ModeInPerson, rules75, with(done, func(p *Progress) { p.Sessions = attendances(atPresent, atPresent, atPresent, atNone) }), afterWk3, true},
		{"in person, 2 of 3 is under 75%", ModeInPerson, rules75, with(done, func(p *Progress) { p.Sessions = attendances(atPresent, atAbsent, atPresent, atNone) }), afterWk3, false},
		{"in person, exactly 75% is enough", ModeInPerson, rules75, with(done, func(p *Progress) { p.Sessions = attendances(atPresent, atAbsent, atPresent, atPresent) }), wk4, true},
		{"blended, an excused absence and one session to come: 2 of 3 is short of 75%", ModeBlended, rules75, with(done, func(p *Progress) { p.Sessions = attendances(atPresent, atExcused, atPresent, atNone) }), afterWk3, false},
		{"blended, an excused absence leaves 3 of 3", ModeBlended, rules75, with(done, func(p *Progress) { p.Sessions = attendances(atPresent, atExcused, atPresent, atPresent) }), afterWk3.Add(8 * 24 * time.Hour), true},
		{"enough attended before the last session: 3 of 4", ModeInPerson, rules75, with(done, func(p *Progress) { p.Sessions = attendances(atPresent, atPresent, atPresent, atNone) }), afterWk3, true},
		{"blended, an unrecorded past session counts against", ModeBlended, rules75, with(done, func(p *Progress) { p.Sessions = attendances(atPresent, atNone, atPresent, atNone) }), afterWk3, false},
		{"in person, no session held yet", ModeInPerson, rules75, with(done, func(p *Progress) { p.Sessions = attendances(atNone, atNone) }), wk1.Add(-time.Hour), false},
		{"in person, no sessions planned", ModeInPerson, rules75, done, afterWk3, false},
		{"in person, every session so far excused", ModeInPerson, rules75, with(done, func(p *Progress) { p.Sessions = attendances(atExcused, atExcused, atExcused, atNone) }), afterWk3, false},
		{"in person, minimum 0 needs no attendance", ModeInPerson, CompletionRules{MinAttendance: 0}, with(done, func(p *Progress) { p.Sessions = attendances(atAbsent, atAbsent, atAbsent) }), afterWk3, true},
		{"in person, minimum 0 with no sessions at all", ModeInPerson, CompletionRules{}, done, afterWk3, true},
		{"in person, minimum 100 and one absence", ModeInPerson, CompletionRules{MinAttendance: 100}, with(done, func(p *Progress) { p.Sessions = attendances(atPresent, atPresent, atAbsent) }), afterWk3, false},
		{"a minimum over 100 is taken as 100", ModeInPerson, CompletionRules{MinAttendance: 150}, with(done, func(p *Progress) { p.Sessions = attendances(atPresent, atPresent, atPresent) }), afterWk3, true},
		{"a negative minimum is taken as 0", ModeInPerson, CompletionRules{MinAttendance: -10}, with(done, func(p *Progress) { p.Sessions = attendances(atAbsent) }), afterWk3, true},
		{"attendance does not replace lessons", ModeInPerson, rules75, with(done, func(p *Progress) { p.LessonsDone, p.Sessions = 11, attendances(atPresent, atPresent, atPresent) }), afterWk3, false},
		{"sessions to come count as not attended yet: 1 of 4 is not 75%", ModeInPerson, rules75, with(done, func(p *Progress) { p.Sessions = attendances(atPresent, atNone, atNone, atNone) }), wk1.Add(time.Hour), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Completion(tt.mode, tt.rules, tt.p, tt.now); got != tt.want {
				t.Fatalf("Completion = %v, want %v", got, tt.want)
			}
		})
	}
}
