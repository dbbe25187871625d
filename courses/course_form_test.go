package courses

import (
	"strings"
	"testing"
)

func TestParseCourseMakesTheSlugFromTheTitleAndReadsEveryField(t *testing.T) {
	c, errs := ParseCourse(CourseForm{Title: "  Policía comunitaria ", Summary: " Resumen ", Level: "advanced", Hours: "12",
		DefaultLanguage: "es", MinAttendance: "", Audiences: []string{"media", "police", "media"}})
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	if c.Slug != "policia-comunitaria" || c.Hours != 12 || c.MinAttendance != DefaultMinAttendance || c.Level != LevelAdvanced ||
		len(c.Audiences) != 2 || c.Audiences[0] != AudiencePolice || c.Texts["es"] != (CourseText{Title: "Policía comunitaria", Summary: "Resumen"}) {
		t.Fatalf("course: %+v", c)
	}
}

// Every text field of the authoring forms has a maximum, counted in characters (not bytes:
// "á" is one), with its own translated message.
func TestAuthoringFormsRefuseOverlongTextsFieldByField(t *testing.T) {
	long := func(n int) string { return strings.Repeat("á", n) }
	valid := CourseForm{Title: "T", Level: "introductory", Hours: "1", DefaultLanguage: "es", Audiences: []string{"police"}}
	tests := []struct {
		name  string
		errs  FieldErrors
		field string
		key   string
	}{
		{"course title", errsOf(ParseCourse(with(valid, func(f *CourseForm) { f.Title = long(MaxTitleLength + 1) }))), "title", "error.title.too_long"},
		{"course summary", errsOf(ParseCourse(with(valid, func(f *CourseForm) { f.Summary = long(MaxSummaryLength + 1) }))), "summary", "error.summary.too_long"},
		{"course slug", errsOf(ParseCourse(with(valid, func(f *CourseForm) { f.Slug = strings.Repeat("a", MaxSlugLength+1) }))), "slug", "error.slug.invalid"},
		{"course hours", errsOf(ParseCourse(with(valid, func(f *CourseForm) { f.Hours = "99999999999999999999" }))), "hours", "error.hours.invalid"},
		{"module title", errsOf(ParseModule(ModuleForm{Title: long(MaxTitleLength + 1)})), "title", "error.title.too_long"},
		{"lesson title", errsOf(ParseLesson(LessonForm{Title: long(MaxTitleLength + 1)})), "title", "error.title.too_long"},
		{"lesson body", errsOf(ParseLesson(LessonForm{Title: "T", Body: long(MaxLessonLength + 1)})), "body", "error.body.too_long"},
		{"translation title", errsOf(ParseTranslation(TranslationForm{Title: long(MaxTitleLength + 1)})), "title", "error.title.too_long"},
		{"translation summary", errsOf(ParseTranslation(TranslationForm{Title: "T", Summary: long(MaxSummaryLength + 1)})), "summary", "error.summary.too_long"},
		{"translated module title", errsOf(ParseTranslation(TranslationForm{Title: "T", ModuleTitles: map[int64]string{7: long(MaxTitleLength + 1)}})), "module-7", "error.title.too_long"},
	}
	for _, tt := range tests {
		if got := tt.errs[tt.field]; got != tt.key {
			t.Errorf("%s: %s = %q, want %q (all: %v)", tt.name, tt.field, got, tt.key, tt.errs)
		}
	}
	// At the limit, in characters, all pass.
	if _, errs := ParseLesson(LessonForm{Title: long(MaxTitleLength), Body: long(MaxLessonLength)}); len(errs) != 0 {
		t.Errorf("lesson at the limits: %v", errs)
	}
	if _, errs := ParseCourse(with(valid, func(f *CourseForm) { f.Title, f.Summary = long(MaxTitleLength), long(MaxSummaryLength) })); len(errs) != 0 {
		t.Errorf("course at the limits: %v", errs)
	}
}

func TestParseTranslationLeavesUntranslatedModulesOut(t *testing.T) {
	tr, errs := ParseTranslation(TranslationForm{Title: " Título ", ModuleTitles: map[int64]string{1: " Uno ", 2: "  "}})
	if len(errs) != 0 || tr.Text.Title != "Título" || len(tr.ModuleTitles) != 1 || tr.ModuleTitles[1] != "Uno" {
		t.Fatalf("translation %+v, errors %v", tr, errs)
	}
}

func TestParseLessonMakesWindowsLineEndsUnixOnes(t *testing.T) {
	l, _ := ParseLesson(LessonForm{Title: "T", Body: "uno\r\ndos\r\n"})
	if l.Body != "uno\ndos" {
		t.Fatalf("body %q", l.Body)
	}
}

func TestParseAttendanceRefusesTheWholeFormOnOneBadField(t *testing.T) {
	marks, errs := ParseAttendance(map[string][]string{"attendance-3": {"present"}, "attendance-4": {""}, "other": {"x"}})
	if len(errs) != 0 || len(marks) != 1 || marks[3] != AttendancePresent {
		t.Fatalf("marks %v, errors %v", marks, errs)
	}
	for _, bad := range []map[string][]string{
		{"attendance-3": {"present"}, "attendance-4": {"asleep"}},
		{"attendance-x": {"present"}},
		{"attendance--1": {"present"}},
	} {
		if marks, errs := ParseAttendance(bad); errs["attendance"] == "" || len(marks) != 0 {
			t.Errorf("%v: marks %v, errors %v", bad, marks, errs)
		}
	}
}

func with(f CourseForm, change func(*CourseForm)) CourseForm {
	change(&f)
	return f
}

func errsOf[T any](_ T, errs FieldErrors) FieldErrors { return errs }

func TestWithDetailsSwitchesTheDefaultLanguageOnlyToATranslatedOne(t *testing.T) {
	c := Course{ID: 9, DefaultLanguage: "es", Texts: map[string]CourseText{"es": {Title: "Hola"}, "pt": {Title: "Olá"}}}
	d, _ := ParseCourse(CourseForm{Title: "Hola otra vez", Level: "introductory", Hours: "1", DefaultLanguage: "en", Audiences: []string{"police"}})
	if _, errs := c.WithDetails(d); errs["default_language"] != "error.default_language.untranslated" {
		t.Fatalf("switch to an untranslated language: %v", errs)
	}
	d, _ = ParseCourse(CourseForm{Title: "Hola otra vez", Level: "introductory", Hours: "1", DefaultLanguage: "pt", Audiences: []string{"police"}})
	next, errs := c.WithDetails(d)
	// The title typed is the old default language's: it stays in Spanish, and Portuguese keeps its own.
	if len(errs) != 0 || next.ID != 9 || next.DefaultLanguage != "pt" || len(next.Texts) != 1 || next.Texts["es"].Title != "Hola otra vez" {
		t.Fatalf("switch to pt: %+v %v", next, errs)
	}
}
