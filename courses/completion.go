package courses

import "time"

// CompletionRules are a course's rules: all lessons done; all required quizzes passed (once quizzes exist);
// a minimum attendance share for blended and in-person cohorts.
type CompletionRules struct {
	// MinAttendance is the share of counted sessions a trainee must attend, in
	// percent 0..100, applied only to in_person and blended cohorts. 0 means
	// attendance is not required, even in person; values outside 0..100 are
	// taken as the nearest bound, so a bad stored value neither makes the course
	// impossible nor waives attendance by accident.
	MinAttendance int
}

// SessionAttendance is one of a cohort's sessions with what was recorded for one trainee.
type SessionAttendance struct {
	StartsAt time.Time
	Status   AttendanceStatus // "" = not recorded
}

// Progress is where one trainee stands in one course, gathered by the store.
type Progress struct {
	LessonsTotal, LessonsDone      int
	QuizzesRequired, QuizzesPassed int
	Sessions                       []SessionAttendance // the cohort's sessions with this trainee's attendance
}

// Percent is lessons done as a whole percent, 0 when no lessons; never over 100.
// It rounds down, so that 100 means every lesson and a trainee one lesson short
// never sees 100.
func (p Progress) Percent() int {
	if p.LessonsTotal <= 0 || p.LessonsDone <= 0 {
		return 0
	}
	done := min(p.LessonsDone, p.LessonsTotal) // a lesson removed after it was done
	return done * 100 / p.LessonsTotal
}

// Attendance counts, among sessions that have started by now, those attended (present) and those that count (excused ones do not count).
// A session starts counting at its start time, so that a trainee is not marked
// short before a session could be attended. An unrecorded session that has
// started counts as not attended: the instructor records presence, and
// forgetting to must not pass someone who was not there (recording it later
// fixes it). An unknown status counts the same way.
func (p Progress) Attendance(now time.Time) (attended, counted int) {
	for _, s := range p.Sessions {
		if s.StartsAt.After(now) {
			continue
		}
		switch s.Status {
		case AttendanceExcused:
			continue
		case AttendancePresent:
			attended++
		}
		counted++
	}
	return attended, counted
}

// Completion reports whether every rule holds at now. Completion is recorded once, when this first returns true.
//
//   - Lessons: every lesson done. A course with no lessons is not complete: there
//     would be nothing the certificate could say was learnt.
//   - Quizzes: at least QuizzesRequired passed (0 required holds at once).
//   - Attendance, only for in_person and blended cohorts and when MinAttendance
//     is over 0: attended/counted at least MinAttendance percent, in exact
//     integer arithmetic (3 of 4 meets 75). Until a session counts (none has
//     started, or every one so far was excused) the rule does not hold, since
//     nobody can be said to have attended anything. Sessions yet to start count
//     in the share as not attended yet: completion is recorded once and never
//     undone, so attending the first of four sessions must not complete a
//     course that expects three of them.
//
// Online cohorts never look at attendance, even when sessions were recorded.
func Completion(mode CohortMode, rules CompletionRules, p Progress, now time.Time) bool {
	if p.LessonsTotal <= 0 || p.LessonsDone < p.LessonsTotal {
		return false
	}
	if p.QuizzesPassed < p.QuizzesRequired {
		return false
	}
	minimum := min(max(rules.MinAttendance, 0), 100)
	if !mode.MeetsInPerson() || minimum == 0 {
		return true
	}
	attended, counted := p.Attendance(now)
	if counted == 0 {
		return false
	}
	for _, s := range p.Sessions {
		if s.StartsAt.After(now) {
			counted++ // scheduled, not held yet
		}
	}
	return attended*100 >= minimum*counted
}
