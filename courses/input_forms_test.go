package courses

import "testing"

// Every authoring form's parser answers a damaged or invisible character with the field's
// own message, even where trimming or another rule would have hidden it.
func TestFormParsersRefuseBadCharactersInTheirField(t *testing.T) {
	okCourse := CourseForm{Slug: "curso", Level: "introductory", Hours: "2", DefaultLanguage: "es", Title: "Curso", Audiences: []string{"police"}}
	okCohort := CohortForm{Name: "Grupo", Capacity: "", Mode: "online", Policy: "open"}
	okSession := SessionForm{Date: "2026-03-02", Time: "09:00", Place: "Sala"}
	for name, tt := range map[string]struct {
		errs  func() FieldErrors
		field string
	}{
		"course title with NUL":       {func() FieldErrors { f := okCourse; f.Title = "Cur\x00so"; _, e := ParseCourse(f); return e }, "title"},
		"course title ending in NEL":  {func() FieldErrors { f := okCourse; f.Title = "Curso\u0085"; _, e := ParseCourse(f); return e }, "title"},
		"course summary not UTF-8":    {func() FieldErrors { f := okCourse; f.Summary = "a\xffb"; _, e := ParseCourse(f); return e }, "summary"},
		"module title with a newline": {func() FieldErrors { _, e := ParseModule(ModuleForm{Title: "Mó\ndulo"}); return e }, "title"},
		"lesson body with ESC":        {func() FieldErrors { _, e := ParseLesson(LessonForm{Title: "L", Body: "a\x1b[31m"}); return e }, "body"},
		"translated module title": {func() FieldErrors {
			_, e := ParseTranslation(TranslationForm{Title: "T", ModuleTitles: map[int64]string{7: "M\x00"}})
			return e
		}, ModuleField(7)},
		"cohort location": {func() FieldErrors { f := okCohort; f.Location = "Sala\x07"; _, e := ParseCohort(f); return e }, "location"},
		"session place":   {func() FieldErrors { f := okSession; f.Place = "\xc3"; _, e := ParseSession(f, nil); return e }, "place"},
	} {
		if got := tt.errs()[tt.field]; got != KeyBadCharacters {
			t.Errorf("%s: %s error %q, want %q", name, tt.field, got, KeyBadCharacters)
		}
	}
	// Tabs and line ends are text in a lesson's body.
	if _, e := ParseLesson(LessonForm{Title: "L", Body: "a\tb\r\nc"}); len(e) != 0 {
		t.Errorf("a body with a tab and a Windows line end: %v", e)
	}
}
