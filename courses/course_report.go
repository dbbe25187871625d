package courses

import (
	"math"
	"time"
)

// CourseReport is a course's figures, or one cohort's, as its instructors read them:
// enrolments, progress, completion, quiz results and attendance. The store gathers it in a
// few aggregate queries; nothing in it names a trainee.
type CourseReport struct {
	Enrolments   []StatusCount // every status, in EnrolmentStatuses' order, zeros included
	LessonsTotal int
	// Trainees are the people with a seat in the course: an active enrolment, or a completed
	// one (a trainee who completed and then withdrew still completed). Progress and
	// completion are of them.
	Trainees  int
	Completed int
	Progress  []ProgressBand // ProgressBands, in order
	Quizzes   []QuizFigures
	Sessions  []SessionFigures // the in-person sessions held by the report's time
}

// StatusCount is how many enrolments stand at one status.
type StatusCount struct {
	Status EnrolmentStatus
	Count  int
}

// EnrolmentTotal is every enrolment counted in the report, whatever its status.
func (r CourseReport) EnrolmentTotal() int {
	n := 0
	for _, s := range r.Enrolments {
		n += s.Count
	}
	return n
}

// CompletionRate is the share of trainees who completed.
func (r CourseReport) CompletionRate() Share { return Share{N: r.Completed, Of: r.Trainees} }

// ProgressBand is a range of lesson progress, in whole percent (both ends included), and how
// many trainees stand in it.
type ProgressBand struct {
	Min, Max int
	Trainees int
}

// ProgressBands are the report's bands, with nobody in them yet: nothing done, under a
// quarter, under a half, under three quarters, short of the end, and every lesson done.
// They cover 0..100 without gaps.
func ProgressBands() []ProgressBand {
	return []ProgressBand{{Min: 0, Max: 0}, {Min: 1, Max: 24}, {Min: 25, Max: 49}, {Min: 50, Max: 74}, {Min: 75, Max: 99}, {Min: 100, Max: 100}}
}

// ProgressBandOf is the index in ProgressBands() of the band a percentage falls in; a value
// below 0 or above 100 is taken as the nearest bound.
func ProgressBandOf(percent int) int {
	percent = min(max(percent, 0), 100)
	bands := ProgressBands()
	for i, b := range bands {
		if percent <= b.Max {
			return i
		}
	}
	return len(bands) - 1
}

// ProgressDistribution counts trainees in each of ProgressBands, from how many trainees have
// done how many lessons (lessons done → trainees) in a course of lessonsTotal lessons. The
// percentage is Progress.Percent's, rounded down, so that the last band means every lesson;
// a course without lessons has everyone at 0 %.
func ProgressDistribution(lessonsTotal int, traineesByLessonsDone map[int]int) []ProgressBand {
	out := ProgressBands()
	for done, n := range traineesByLessonsDone {
		p := Progress{LessonsTotal: lessonsTotal, LessonsDone: done}.Percent()
		out[ProgressBandOf(p)].Trainees += n
	}
	return out
}

// Rate is n of d as a percentage, rounded to two decimals; false when d is not over 0, where
// a rate means nothing (a report shows "—", not 0 %).
func Rate(n, d int) (float64, bool) {
	if d <= 0 {
		return 0, false
	}
	return math.Round(float64(n)*10000/float64(d)) / 100, true
}

// Share is N of Of, for a page to show as a percentage, or as unknown when Of is 0.
type Share struct{ N, Of int }

// Percent is Rate's percentage, 0 when unknown.
func (s Share) Percent() float64 { p, _ := Rate(s.N, s.Of); return p }

// Known reports whether the share means anything: Of is over 0.
func (s Share) Known() bool { _, ok := Rate(s.N, s.Of); return ok }

// QuizFigures are the results of one quiz of the course. A trainee's grade is their
// counted attempt's (the quiz's grade method: highest or last, see CountingAttempt).
type QuizFigures struct {
	QuizID   int64
	Titles   map[string]string
	Attempts int // started, in progress included
	Trainees int // distinct trainees who started one
	Graded   int // trainees whose counted attempt is marked in full
	Passed   int // of Graded, those whose counted attempt passed
	Pending  int // finished attempts with an essay waiting for a mark
	// Mean and Median are of the Graded trainees' counted attempts, in percent of the points;
	// meaningless when Graded is 0.
	Mean, Median float64
}

// PassRate is the share of graded trainees who passed.
func (q QuizFigures) PassRate() Share { return Share{N: q.Passed, Of: q.Graded} }

// SessionFigures are the attendance at one in-person session held. The roster is the
// cohort's enrolled trainees and anyone whose attendance was recorded there (a trainee who
// attended and later withdrew still attended).
type SessionFigures struct {
	SessionID     int64
	CohortID      int64
	CohortName    string
	CohortDefault bool
	StartsAt      time.Time
	Place         string
	Roster        int
	Present       int
	Excused       int // absent with a reason: left out of the rate, as completion leaves them out
}

// Rate is the share of the roster present, excused trainees left out.
func (s SessionFigures) Rate() Share { return Share{N: s.Present, Of: s.Roster - s.Excused} }
