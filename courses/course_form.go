package courses

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// CourseForm is what an instructor types on a course's details form.
type CourseForm struct {
	Slug, Level, Hours, DefaultLanguage string
	Title, Summary                      string // in the default language
	MinAttendance                       string // percent; empty = DefaultMinAttendance
	Audiences                           []string
}

// Values gives the form back as its fields, to show it again with what was typed;
// each audience ticked is audience.<name> = "on".
func (f CourseForm) Values() map[string]string {
	v := map[string]string{"slug": f.Slug, "level": f.Level, "hours": f.Hours, "default_language": f.DefaultLanguage,
		"title": f.Title, "summary": f.Summary, "min_attendance": f.MinAttendance}
	for _, a := range f.Audiences {
		v["audience."+a] = "on"
	}
	return v
}

// ParseCourse checks a course's details form. A slug left empty is made from the
// title. The course it returns holds what could be read even when there are errors,
// with the title and summary as its only text, in its default language; ID, Status,
// the owner and the modules are left for the caller. The errors map form fields
// (slug, title, summary, audiences, level, hours, default_language, min_attendance)
// to translation keys; they are empty, not nil, when all is well.
func ParseCourse(f CourseForm) (Course, FieldErrors) {
	errs := FieldErrors{}
	title, summary := strings.TrimSpace(f.Title), strings.TrimSpace(f.Summary)
	c := Course{
		Slug:            strings.TrimSpace(f.Slug),
		Level:           Level(f.Level),
		DefaultLanguage: f.DefaultLanguage,
		MinAttendance:   DefaultMinAttendance,
		Audiences:       SortedAudiences(f.Audiences),
		Texts:           map[string]CourseText{f.DefaultLanguage: {Title: title, Summary: summary}},
	}
	if c.Slug == "" && title != "" {
		c.Slug = Slugify(title)
	}
	if !ValidSlug(c.Slug) {
		errs["slug"] = "error.slug.invalid"
	}
	if msg := ValidateTitle(title); msg != "" {
		errs["title"] = msg
	}
	if utf8.RuneCountInString(summary) > MaxSummaryLength {
		errs["summary"] = "error.summary.too_long"
	}
	if msg := ValidateAudiences(f.Audiences); msg != "" {
		errs["audiences"] = msg
	}
	if !c.Level.Valid() {
		errs["level"] = "error.level.invalid"
	}
	var ok bool
	if c.Hours, ok = parseBoundedInt(strings.TrimSpace(f.Hours), 1, MaxHours); !ok {
		errs["hours"] = "error.hours.invalid"
	}
	if !ValidLanguage(c.DefaultLanguage) {
		errs["default_language"] = "error.language.invalid"
	}
	if m := strings.TrimSpace(f.MinAttendance); m != "" {
		if c.MinAttendance, ok = parseBoundedInt(m, 0, 100); !ok {
			errs["min_attendance"] = "error.min_attendance.invalid"
		}
	}
	refuseBadCharacters(errs, map[string]string{"slug": f.Slug, "title": f.Title, "hours": f.Hours, "min_attendance": f.MinAttendance},
		map[string]string{"summary": f.Summary})
	return c, errs
}

// WithDetails applies details read by ParseCourse to the course c and checks the one rule
// that needs the stored course: a new default language must already have a title (add the
// translation, then switch). The title and summary on the form are those of c's current
// default language, so they stay there when the default changes. The course returned
// carries only the details and that one text, for the store to update.
func (c Course) WithDetails(d Course) (Course, FieldErrors) {
	errs := FieldErrors{}
	if _, ok := c.Texts[d.DefaultLanguage]; !ok && d.DefaultLanguage != c.DefaultLanguage {
		errs["default_language"] = "error.default_language.untranslated"
	}
	d.ID = c.ID
	d.Texts = map[string]CourseText{c.DefaultLanguage: d.Texts[d.DefaultLanguage]}
	return d, errs
}

// ModuleForm is a module's title, as typed to add or rename a module.
type ModuleForm struct{ Title string }

// ParseModule checks a module's title; it returns the title trimmed, and errors under "title".
func ParseModule(f ModuleForm) (string, FieldErrors) {
	errs := FieldErrors{}
	title := strings.TrimSpace(f.Title)
	if msg := ValidateTitle(title); msg != "" {
		errs["title"] = msg
	}
	refuseBadCharacters(errs, map[string]string{"title": f.Title}, nil)
	return title, errs
}

// LessonForm is a lesson in one language as an instructor types it; Body is Markdown.
// Adding a lesson sends only its title.
type LessonForm struct{ Title, Body string }

// ParseLesson checks a lesson's form. Line ends are made Unix ones, as in bundles, so a
// lesson typed on Windows and one imported read the same. Errors are under "title" and "body".
func ParseLesson(f LessonForm) (LessonText, FieldErrors) {
	errs := FieldErrors{}
	t := LessonText{Title: strings.TrimSpace(f.Title), Body: strings.TrimSpace(strings.ReplaceAll(f.Body, "\r\n", "\n"))}
	if msg := ValidateTitle(t.Title); msg != "" {
		errs["title"] = msg
	}
	if utf8.RuneCountInString(t.Body) > MaxLessonLength {
		errs["body"] = "error.body.too_long"
	}
	refuseBadCharacters(errs, map[string]string{"title": f.Title}, map[string]string{"body": f.Body})
	return t, errs
}

// TranslationForm is a course's title, summary and module titles in one language other
// than its default. ModuleTitles is keyed by module id; an empty title is a module not
// translated yet.
type TranslationForm struct {
	Title, Summary string
	ModuleTitles   map[int64]string
}

// Translation is what a translation form saves.
type Translation struct {
	Text         CourseText
	ModuleTitles map[int64]string // only the modules translated
}

// ModuleField names the form field of a module's title on the translation form.
func ModuleField(id int64) string { return "module-" + strconv.FormatInt(id, 10) }

// ParseTranslation checks a translation form. Errors are under "title", "summary" and
// ModuleField(id) for each module.
func ParseTranslation(f TranslationForm) (Translation, FieldErrors) {
	errs := FieldErrors{}
	t := Translation{Text: CourseText{Title: strings.TrimSpace(f.Title), Summary: strings.TrimSpace(f.Summary)}, ModuleTitles: map[int64]string{}}
	if msg := ValidateTitle(t.Text.Title); msg != "" {
		errs["title"] = msg
	}
	if utf8.RuneCountInString(t.Text.Summary) > MaxSummaryLength {
		errs["summary"] = "error.summary.too_long"
	}
	for id, title := range f.ModuleTitles {
		title = strings.TrimSpace(title)
		if title == "" {
			continue // not translated yet: trainees see the default language's title
		}
		if msg := ValidateTitle(title); msg != "" {
			errs[ModuleField(id)] = msg
		}
		t.ModuleTitles[id] = title
	}
	lines := map[string]string{"title": f.Title}
	for id, title := range f.ModuleTitles {
		lines[ModuleField(id)] = title
	}
	refuseBadCharacters(errs, lines, map[string]string{"summary": f.Summary})
	return t, errs
}
