package courses

import (
	"strconv"
	"strings"
	"time"
)

// MaxQuizPerPage bounds the questions on one page of an attempt.
const MaxQuizPerPage = 50

// Translation keys of what is wrong with a quiz's settings.
const (
	KeyQuizPassMark          = "error.quiz.pass_mark"
	KeyQuizAttempts          = "error.quiz.attempts"
	KeyQuizTimeLimit         = "error.quiz.time_limit"
	KeyQuizGrace             = "error.quiz.grace"
	KeyQuizDateTime          = "error.quiz.datetime"
	KeyQuizClosesBeforeOpens = "error.quiz.closes_before_opens"
	KeyQuizNavigation        = "error.quiz.navigation"
	KeyQuizGradeMethod       = "error.quiz.grade_method"
	KeyQuizReview            = "error.quiz.review"
	KeyQuizPerPage           = "error.quiz.per_page"
)

// Valid reports whether n is free or sequential.
func (n Navigation) Valid() bool { return n == NavigationFree || n == NavigationSequential }

// Valid reports whether m is highest or last.
func (m GradeMethod) Valid() bool { return m == GradeHighest || m == GradeLast }

// Valid reports whether w is immediately, after_close or never.
func (w ReviewWhen) Valid() bool {
	return w == ReviewImmediately || w == ReviewAfterClose || w == ReviewNever
}

// Validate says, per form field, what is wrong with a quiz's settings; it is empty, not
// nil, when all is well. The fields are the json names of QuizSettings. Bundles and the
// form both go through it.
func (s QuizSettings) Validate() FieldErrors {
	errs := FieldErrors{}
	if s.PassMark < 0 || s.PassMark > 100 {
		errs["pass_mark"] = KeyQuizPassMark
	}
	if s.Attempts < 0 || s.Attempts > MaxQuizAttempts {
		errs["attempts"] = KeyQuizAttempts
	}
	if s.TimeLimit < 0 || s.TimeLimit > MaxQuizTimeLimit {
		errs["time_limit"] = KeyQuizTimeLimit
	}
	if s.Grace < 0 || s.Grace > MaxQuizGrace {
		errs["grace"] = KeyQuizGrace
	}
	if !s.OpensAt.IsZero() && !s.ClosesAt.IsZero() && !s.ClosesAt.After(s.OpensAt) {
		errs["closes_at"] = KeyQuizClosesBeforeOpens
	}
	if !s.Navigation.Valid() {
		errs["navigation"] = KeyQuizNavigation
	}
	if !s.GradeMethod.Valid() {
		errs["grade_method"] = KeyQuizGradeMethod
	}
	for field, w := range map[string]ReviewWhen{"review_answers": s.ReviewAnswers,
		"review_correctness": s.ReviewCorrect, "review_feedback": s.ReviewFeedback} {
		if !w.Valid() {
			errs[field] = KeyQuizReview
		}
	}
	if s.PerPage < 0 || s.PerPage > MaxQuizPerPage {
		errs["per_page"] = KeyQuizPerPage
	}
	return errs
}

// QuizSettingsForm is a quiz's settings as an instructor types them: whole numbers, the time
// limit and grace in minutes, the dates as the HTML datetime-local input writes them
// (2026-03-15T14:30), the checkboxes as ticked or not.
type QuizSettingsForm struct {
	PassMark, Attempts, TimeLimit, Grace, PerPage string
	OpensAt, ClosesAt                             string
	Navigation, GradeMethod                       string
	ReviewAnswers, ReviewCorrect, ReviewFeedback  string
	ShuffleOptions, Required                      bool
}

// datetimeLayout is how the HTML datetime-local input writes a date and time.
const datetimeLayout = "2006-01-02T15:04"

// Values gives the form back as its fields, to show it again with what was typed; a box
// ticked is "on".
func (f QuizSettingsForm) Values() map[string]string {
	v := map[string]string{"pass_mark": f.PassMark, "attempts": f.Attempts, "time_limit": f.TimeLimit,
		"grace": f.Grace, "per_page": f.PerPage, "opens_at": f.OpensAt, "closes_at": f.ClosesAt,
		"navigation": f.Navigation, "grade_method": f.GradeMethod, "review_answers": f.ReviewAnswers,
		"review_correctness": f.ReviewCorrect, "review_feedback": f.ReviewFeedback}
	for field, on := range map[string]bool{"shuffle_options": f.ShuffleOptions, "required": f.Required} {
		if on {
			v[field] = "on"
		}
	}
	return v
}

// ParseQuizSettings checks a quiz's settings form. The dates are read in loc, the school's
// zone for the course (nil means UTC). The pass mark is required; an empty number of
// attempts, time limit, grace or questions per page is 0 (unlimited, untimed, no grace, one
// page) and an empty date no limit. Only plain digits are taken, so "1.000" is refused
// rather than read as 1. The settings returned hold what could be read even with errors,
// which map the fields of QuizSettingsForm.Values to translation keys.
func ParseQuizSettings(f QuizSettingsForm, loc *time.Location) (QuizSettings, FieldErrors) {
	if loc == nil {
		loc = time.UTC
	}
	errs := FieldErrors{}
	s := QuizSettings{
		Navigation: Navigation(strings.TrimSpace(f.Navigation)), GradeMethod: GradeMethod(strings.TrimSpace(f.GradeMethod)),
		ReviewAnswers: ReviewWhen(strings.TrimSpace(f.ReviewAnswers)), ReviewCorrect: ReviewWhen(strings.TrimSpace(f.ReviewCorrect)),
		ReviewFeedback: ReviewWhen(strings.TrimSpace(f.ReviewFeedback)), ShuffleOptions: f.ShuffleOptions, Required: f.Required,
	}
	number := func(field, typed string, lo, hi int, required bool, key string) int {
		typed = strings.TrimSpace(typed)
		if typed == "" && !required {
			return 0
		}
		n, ok := parseBoundedInt(typed, lo, hi)
		if !ok {
			errs[field] = key
		}
		return n
	}
	s.PassMark = number("pass_mark", f.PassMark, 0, 100, true, KeyQuizPassMark)
	s.Attempts = number("attempts", f.Attempts, 0, MaxQuizAttempts, false, KeyQuizAttempts)
	s.TimeLimit = time.Duration(number("time_limit", f.TimeLimit, 0, int(MaxQuizTimeLimit/time.Minute), false, KeyQuizTimeLimit)) * time.Minute
	s.Grace = time.Duration(number("grace", f.Grace, 0, int(MaxQuizGrace/time.Minute), false, KeyQuizGrace)) * time.Minute
	s.PerPage = number("per_page", f.PerPage, 0, MaxQuizPerPage, false, KeyQuizPerPage)
	date := func(field, typed string) time.Time {
		typed = strings.TrimSpace(typed)
		if typed == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation(datetimeLayout, typed, loc)
		if err != nil {
			errs[field] = KeyQuizDateTime
		}
		return t
	}
	s.OpensAt, s.ClosesAt = date("opens_at", f.OpensAt), date("closes_at", f.ClosesAt)
	for field, key := range s.Validate() {
		if _, seen := errs[field]; !seen {
			errs[field] = key
		}
	}
	refuseBadCharacters(errs, map[string]string{"pass_mark": f.PassMark, "attempts": f.Attempts, "time_limit": f.TimeLimit,
		"grace": f.Grace, "per_page": f.PerPage, "opens_at": f.OpensAt, "closes_at": f.ClosesAt,
		"navigation": f.Navigation, "grade_method": f.GradeMethod, "review_answers": f.ReviewAnswers,
		"review_correctness": f.ReviewCorrect, "review_feedback": f.ReviewFeedback}, nil)
	return s, errs
}

// Form gives stored settings back as the form that would make them, for the edit page.
func (s QuizSettings) Form(loc *time.Location) QuizSettingsForm {
	if loc == nil {
		loc = time.UTC
	}
	date := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format(datetimeLayout)
	}
	minutes := func(d time.Duration) string { return strconv.Itoa(int(d / time.Minute)) }
	return QuizSettingsForm{
		PassMark: strconv.Itoa(s.PassMark), Attempts: strconv.Itoa(s.Attempts), TimeLimit: minutes(s.TimeLimit),
		Grace: minutes(s.Grace), PerPage: strconv.Itoa(s.PerPage), OpensAt: date(s.OpensAt), ClosesAt: date(s.ClosesAt),
		Navigation: string(s.Navigation), GradeMethod: string(s.GradeMethod), ReviewAnswers: string(s.ReviewAnswers),
		ReviewCorrect: string(s.ReviewCorrect), ReviewFeedback: string(s.ReviewFeedback),
		ShuffleOptions: s.ShuffleOptions, Required: s.Required,
	}
}
