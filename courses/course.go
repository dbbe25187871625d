package courses

import (
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// Audience is a group of professionals a course is written for.
type Audience string

const (
	AudiencePolice       Audience = "police"
	AudienceMedia        Audience = "media"
	AudienceLocalGov     Audience = "local_government"
	AudienceCivilSociety Audience = "civil_society"
)

// Audiences lists every audience in the order pages show them.
var Audiences = []Audience{AudiencePolice, AudienceMedia, AudienceLocalGov, AudienceCivilSociety}

// Valid reports whether a is one of Audiences.
func (a Audience) Valid() bool {
	for _, x := range Audiences {
		if a == x {
			return true
		}
	}
	return false
}

// Level is how much a course expects a trainee to know already.
type Level string

const (
	LevelIntroductory Level = "introductory"
	LevelIntermediate Level = "intermediate"
	LevelAdvanced     Level = "advanced"
)

// Levels lists every level, easiest first.
var Levels = []Level{LevelIntroductory, LevelIntermediate, LevelAdvanced}

// Valid reports whether l is one of Levels.
func (l Level) Valid() bool {
	for _, x := range Levels {
		if l == x {
			return true
		}
	}
	return false
}

// Status is where a course is in its life: only published courses are in the catalog.
type Status string

const (
	StatusDraft     Status = "draft"
	StatusPublished Status = "published"
	StatusArchived  Status = "archived"
)

// Statuses lists every status.
var Statuses = []Status{StatusDraft, StatusPublished, StatusArchived}

// Valid reports whether s is one of Statuses.
func (s Status) Valid() bool {
	for _, x := range Statuses {
		if s == x {
			return true
		}
	}
	return false
}

// CourseText is what a course says about itself in one language.
type CourseText struct {
	Title   string
	Summary string
}

// LessonText is a lesson in one language; Body is Markdown.
type LessonText struct {
	Title string
	Body  string
}

// Course is one course, whatever the languages it is read in: one enrolment, one report.
type Course struct {
	ID              int64
	Slug            string
	Audiences       []Audience
	Level           Level
	Hours           int
	DefaultLanguage string
	Status          Status
	MinAttendance   int // percent of in-person sessions a trainee of a blended or in-person cohort must attend
	OwnerID         int64
	InstructorIDs   []int64 // co-instructors; the owner is not repeated here
	Texts           map[string]CourseText
	Modules         []Module
}

// Module is an ordered part of a course. Key names it for files and re-imports.
type Module struct {
	ID      int64
	Key     string
	Titles  map[string]string
	Lessons []Lesson
	Quizzes []Quiz // by Position among the lessons
}

// Lesson is an ordered part of a module. Key names it for files and re-imports.
type Lesson struct {
	ID    int64
	Key   string
	Texts map[string]LessonText
}

// Languages lists, in Aula's order, the languages the course has a title in.
func (c Course) Languages() []string {
	var langs []string
	for _, l := range Languages {
		if t, ok := c.Texts[l]; ok && t.Title != "" {
			langs = append(langs, l)
		}
	}
	return langs
}

// Teaches reports whether userID owns or co-teaches the course.
func (c Course) Teaches(userID int64) bool {
	if c.OwnerID == userID {
		return true
	}
	for _, id := range c.InstructorIDs {
		if id == userID {
			return true
		}
	}
	return false
}

// CanEdit reports whether u may change the course: admins all, instructors the courses they teach.
func (c Course) CanEdit(u *User) bool {
	if u == nil || !u.Active {
		return false
	}
	return u.Role == RoleAdmin || (u.Role == RoleInstructor && c.Teaches(u.ID))
}

// LessonCount is how many lessons the course has in all.
func (c Course) LessonCount() int {
	n := 0
	for _, m := range c.Modules {
		n += len(m.Lessons)
	}
	return n
}

// Pick returns the text for want when it exists, else the one for def, and the language
// chosen. It is how a trainee sees their language where a translation exists.
func Pick[T any](texts map[string]T, want, def string) (T, string) {
	if t, ok := texts[want]; ok {
		return t, want
	}
	if t, ok := texts[def]; ok {
		return t, def
	}
	// Not even in the default language (the default changed after it was written): any language it has.
	for _, l := range Languages {
		if t, ok := texts[l]; ok {
			return t, l
		}
	}
	var zero T
	return zero, def
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidSlug reports whether s can name a course in URLs and files: lower-case words and digits joined by hyphens.
func ValidSlug(s string) bool { return len(s) <= MaxSlugLength && slugPattern.MatchString(s) }

// Slugify makes a slug from a title: "Policía comunitaria" → "policia-comunitaria".
func Slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(foldAccents(title)) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimSuffix(b.String(), "-")
	if len(s) > 80 {
		s = strings.TrimSuffix(s[:80], "-")
	}
	return s
}

// DefaultMinAttendance is the share of in-person sessions a new course asks for.
const DefaultMinAttendance = 75

// Limits on what instructors type, in characters: every text field of the authoring forms
// and of imported bundles is held to one of these.
const (
	MaxTitleLength   = 200 // course, module and lesson titles, in every language
	MaxSummaryLength = 2000
	MaxLessonLength  = 200_000 // a lesson's Markdown body; a longer one should be split
	MaxSlugLength    = 100
	MaxHours         = 1000
)

// ValidateTitle returns the translation key of what is wrong with a title, or "".
func ValidateTitle(title string) string {
	switch n := utf8.RuneCountInString(strings.TrimSpace(title)); {
	case n == 0:
		return "error.title.required"
	case n > MaxTitleLength:
		return "error.title.too_long"
	}
	return ""
}

// ValidateAudiences returns the translation key of what is wrong with a list of audiences, or "".
func ValidateAudiences(list []string) string {
	if len(list) == 0 {
		return "error.audiences.required"
	}
	for _, a := range list {
		if !Audience(a).Valid() {
			return "error.audiences.invalid"
		}
	}
	return ""
}

// SortedAudiences returns list in the order of Audiences, without repeats.
func SortedAudiences(list []string) []Audience {
	seen := map[string]bool{}
	for _, a := range list {
		seen[a] = true
	}
	var out []Audience
	for _, a := range Audiences {
		if seen[string(a)] {
			out = append(out, a)
		}
	}
	return out
}

// SortKeys returns the keys of a map in order; files and pages list things in key order.
func SortKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
