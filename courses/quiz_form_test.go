package courses

import (
	"maps"
	"testing"
	"time"
)

func TestDefaultQuizSettingsAreValid(t *testing.T) {
	if errs := DefaultQuizSettings().Validate(); len(errs) != 0 {
		t.Fatalf("errors = %v", errs)
	}
}

func TestQuizSettingsValidateReportsEachField(t *testing.T) {
	opens := time.Date(2026, 3, 15, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		change func(*QuizSettings)
		field  string
		key    string
	}{
		{"pass mark negative", func(s *QuizSettings) { s.PassMark = -1 }, "pass_mark", KeyQuizPassMark},
		{"pass mark over 100", func(s *QuizSettings) { s.PassMark = 101 }, "pass_mark", KeyQuizPassMark},
		{"attempts negative", func(s *QuizSettings) { s.Attempts = -1 }, "attempts", KeyQuizAttempts},
		{"attempts over the limit", func(s *QuizSettings) { s.Attempts = MaxQuizAttempts + 1 }, "attempts", KeyQuizAttempts},
		{"time limit negative", func(s *QuizSettings) { s.TimeLimit = -time.Second }, "time_limit", KeyQuizTimeLimit},
		{"time limit over a day", func(s *QuizSettings) { s.TimeLimit = MaxQuizTimeLimit + time.Second }, "time_limit", KeyQuizTimeLimit},
		{"grace negative", func(s *QuizSettings) { s.Grace = -time.Second }, "grace", KeyQuizGrace},
		{"grace over an hour", func(s *QuizSettings) { s.Grace = MaxQuizGrace + time.Second }, "grace", KeyQuizGrace},
		{"closes before it opens", func(s *QuizSettings) { s.OpensAt, s.ClosesAt = opens, opens.Add(-time.Minute) }, "closes_at", KeyQuizClosesBeforeOpens},
		{"closes as it opens", func(s *QuizSettings) { s.OpensAt, s.ClosesAt = opens, opens }, "closes_at", KeyQuizClosesBeforeOpens},
		{"navigation unknown", func(s *QuizSettings) { s.Navigation = "jump" }, "navigation", KeyQuizNavigation},
		{"navigation missing", func(s *QuizSettings) { s.Navigation = "" }, "navigation", KeyQuizNavigation},
		{"grade method unknown", func(s *QuizSettings) { s.GradeMethod = "average" }, "grade_method", KeyQuizGradeMethod},
		{"review answers unknown", func(s *QuizSettings) { s.ReviewAnswers = "later" }, "review_answers", KeyQuizReview},
		{"review correctness missing", func(s *QuizSettings) { s.ReviewCorrect = "" }, "review_correctness", KeyQuizReview},
		{"review feedback unknown", func(s *QuizSettings) { s.ReviewFeedback = "x" }, "review_feedback", KeyQuizReview},
		{"per page negative", func(s *QuizSettings) { s.PerPage = -1 }, "per_page", KeyQuizPerPage},
		{"per page over 50", func(s *QuizSettings) { s.PerPage = MaxQuizPerPage + 1 }, "per_page", KeyQuizPerPage},
	}
	for _, tt := range tests {
		s := DefaultQuizSettings()
		tt.change(&s)
		errs := s.Validate()
		if len(errs) != 1 || errs[tt.field] != tt.key {
			t.Errorf("%s: errors = %v, want %s: %s", tt.name, errs, tt.field, tt.key)
		}
	}
	edges := DefaultQuizSettings()
	edges.PassMark, edges.Attempts, edges.TimeLimit, edges.Grace, edges.PerPage = 100, MaxQuizAttempts, MaxQuizTimeLimit, MaxQuizGrace, MaxQuizPerPage
	edges.OpensAt, edges.ClosesAt = opens, opens.Add(time.Minute)
	if errs := edges.Validate(); len(errs) != 0 {
		t.Errorf("settings at every limit: %v", errs)
	}
}

func validQuizSettingsForm() QuizSettingsForm {
	return QuizSettingsForm{PassMark: " 80 ", Attempts: "3", TimeLimit: "45", Grace: "2", PerPage: "5",
		OpensAt: "2026-03-15T08:00", ClosesAt: "2026-03-20T18:30", Navigation: "sequential", GradeMethod: "last",
		ReviewAnswers: "after_close", ReviewCorrect: "immediately", ReviewFeedback: "never", ShuffleOptions: true}
}

func TestParseQuizSettingsReadsAValidForm(t *testing.T) {
	tegucigalpa := time.FixedZone("CST", -6*3600)
	s, errs := ParseQuizSettings(validQuizSettingsForm(), tegucigalpa)
	if len(errs) != 0 {
		t.Fatalf("errors = %v", errs)
	}
	want := QuizSettings{PassMark: 80, Attempts: 3, TimeLimit: 45 * time.Minute, Grace: 2 * time.Minute, PerPage: 5,
		OpensAt: time.Date(2026, 3, 15, 14, 0, 0, 0, time.UTC), ClosesAt: time.Date(2026, 3, 21, 0, 30, 0, 0, time.UTC),
		Navigation: NavigationSequential, GradeMethod: GradeLast, ReviewAnswers: ReviewAfterClose,
		ReviewCorrect: ReviewImmediately, ReviewFeedback: ReviewNever, ShuffleOptions: true}
	if !s.OpensAt.Equal(want.OpensAt) || !s.ClosesAt.Equal(want.ClosesAt) {
		t.Fatalf("dates = %v, %v", s.OpensAt, s.ClosesAt)
	}
	s.OpensAt, s.ClosesAt, want.OpensAt, want.ClosesAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if s != want {
		t.Fatalf("settings = %+v", s)
	}
}

func TestParseQuizSettingsEmptyNumbersAreNoLimit(t *testing.T) {
	f := validQuizSettingsForm()
	f.Attempts, f.TimeLimit, f.Grace, f.PerPage, f.OpensAt, f.ClosesAt = "", " ", "", "", "", ""
	s, errs := ParseQuizSettings(f, nil)
	if len(errs) != 0 {
		t.Fatalf("errors = %v", errs)
	}
	if s.Attempts != 0 || s.TimeLimit != 0 || s.Grace != 0 || s.PerPage != 0 || !s.OpensAt.IsZero() || !s.ClosesAt.IsZero() {
		t.Fatalf("settings = %+v", s)
	}
}

func TestParseQuizSettingsReportsEachField(t *testing.T) {
	tests := []struct {
		name   string
		change func(*QuizSettingsForm)
		field  string
		key    string
	}{
		{"pass mark missing", func(f *QuizSettingsForm) { f.PassMark = "" }, "pass_mark", KeyQuizPassMark},
		{"pass mark with decimals", func(f *QuizSettingsForm) { f.PassMark = "70,5" }, "pass_mark", KeyQuizPassMark},
		{"pass mark over 100", func(f *QuizSettingsForm) { f.PassMark = "101" }, "pass_mark", KeyQuizPassMark},
		{"attempts a word", func(f *QuizSettingsForm) { f.Attempts = "tres" }, "attempts", KeyQuizAttempts},
		{"attempts negative", func(f *QuizSettingsForm) { f.Attempts = "-1" }, "attempts", KeyQuizAttempts},
		{"time limit over a day", func(f *QuizSettingsForm) { f.TimeLimit = "1441" }, "time_limit", KeyQuizTimeLimit},
		{"time limit with thousands separator", func(f *QuizSettingsForm) { f.TimeLimit = "1.000" }, "time_limit", KeyQuizTimeLimit},
		{"grace over an hour", func(f *QuizSettingsForm) { f.Grace = "61" }, "grace", KeyQuizGrace},
		{"per page over 50", func(f *QuizSettingsForm) { f.PerPage = "51" }, "per_page", KeyQuizPerPage},
		{"opening not a date", func(f *QuizSettingsForm) { f.OpensAt = "15/03/2026 08:00" }, "opens_at", KeyQuizDateTime},
		{"closing impossible", func(f *QuizSettingsForm) { f.ClosesAt = "2026-02-30T10:00" }, "closes_at", KeyQuizDateTime},
		{"closes before it opens", func(f *QuizSettingsForm) { f.ClosesAt = "2026-03-15T07:59" }, "closes_at", KeyQuizClosesBeforeOpens},
		{"navigation unknown", func(f *QuizSettingsForm) { f.Navigation = "jump" }, "navigation", KeyQuizNavigation},
		{"grade method unknown", func(f *QuizSettingsForm) { f.GradeMethod = "first" }, "grade_method", KeyQuizGradeMethod},
		{"review unknown", func(f *QuizSettingsForm) { f.ReviewFeedback = "" }, "review_feedback", KeyQuizReview},
		{"control character", func(f *QuizSettingsForm) { f.Attempts = "3\x00" }, "attempts", KeyBadCharacters},
	}
	for _, tt := range tests {
		f := validQuizSettingsForm()
		tt.change(&f)
		_, errs := ParseQuizSettings(f, nil)
		if len(errs) != 1 || errs[tt.field] != tt.key {
			t.Errorf("%s: errors = %v, want %s: %s", tt.name, errs, tt.field, tt.key)
		}
	}
}

func TestQuizSettingsFormRoundTrips(t *testing.T) {
	loc := time.FixedZone("BRT", -3*3600)
	s, errs := ParseQuizSettings(validQuizSettingsForm(), loc)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	again, errs := ParseQuizSettings(s.Form(loc), loc)
	if len(errs) != 0 || again != s {
		t.Fatalf("%+v, %v; want %+v", again, errs, s)
	}
	v := validQuizSettingsForm().Values()
	if v["shuffle_options"] != "on" || v["required"] != "" || v["pass_mark"] != " 80 " {
		t.Errorf("values = %v", v)
	}
	if !maps.Equal(s.Form(loc).Values(), again.Form(loc).Values()) {
		t.Error("values differ")
	}
}
