package courses

// LocalCourse is a course as one trainee reads it: every text in one language.
type LocalCourse struct {
	Course    Course
	Language  string   // the language of the texts below
	Wanted    string   // the language the trainee asked for
	Fallback  bool     // Wanted has no translation: texts are in the course's default language
	Languages []string // every language the course can be read in
	Title     string
	Summary   string
	Modules   []LocalModule
}

// LocalModule is a module in one language.
type LocalModule struct {
	ID      int64
	Title   string
	Lessons []LocalLesson
	Quizzes []LocalQuiz
}

// LocalQuiz is a quiz of a module in one language, placed after Position of its lessons.
type LocalQuiz struct {
	ID       int64
	Title    string
	Language string
	Position int
	Required bool
}

// LocalLesson is a lesson in one language. Body is Markdown.
type LocalLesson struct {
	ID       int64
	Title    string
	Body     string
	Language string // may differ from the course's when this lesson is not translated yet
	Number   int    // 1-based, across the whole course
}

// Localize gives the course in want where a translation exists, else in its default
// language. A module or lesson not yet translated falls back on its own, text by text.
func Localize(c Course, want string) LocalCourse {
	lang := want
	if _, ok := c.Texts[want]; !ok {
		lang = c.DefaultLanguage
	}
	lc := LocalCourse{Course: c, Language: lang, Wanted: want, Fallback: lang != want, Languages: c.Languages()}
	text, _ := Pick(c.Texts, lang, c.DefaultLanguage)
	lc.Title, lc.Summary = text.Title, text.Summary
	n := 0
	if len(c.Modules) > 0 {
		lc.Modules = make([]LocalModule, 0, len(c.Modules))
	}
	for _, m := range c.Modules {
		title, _ := Pick(m.Titles, lang, c.DefaultLanguage)
		lm := LocalModule{ID: m.ID, Title: title}
		if len(m.Lessons) > 0 { // nil where there are none, as before
			lm.Lessons = make([]LocalLesson, 0, len(m.Lessons))
		}
		if len(m.Quizzes) > 0 {
			lm.Quizzes = make([]LocalQuiz, 0, len(m.Quizzes))
		}
		for _, q := range m.Quizzes {
			t, tl := Pick(q.Titles, lang, c.DefaultLanguage)
			lm.Quizzes = append(lm.Quizzes, LocalQuiz{ID: q.ID, Title: t, Language: tl, Position: q.Position, Required: q.Settings.Required})
		}
		for _, l := range m.Lessons {
			n++
			t, tl := Pick(l.Texts, lang, c.DefaultLanguage)
			lm.Lessons = append(lm.Lessons, LocalLesson{ID: l.ID, Title: t.Title, Body: t.Body, Language: tl, Number: n})
		}
		lc.Modules = append(lc.Modules, lm)
	}
	return lc
}

// Lesson finds a lesson by id and returns it with the lessons before and after it in
// the course's order (zero values at either end), across modules, without copying the
// course's lessons (every lesson page asks).
func (lc LocalCourse) Lesson(id int64) (lesson, prev, next LocalLesson, ok bool) {
	var last LocalLesson
	for _, m := range lc.Modules {
		for _, l := range m.Lessons {
			if ok {
				return lesson, prev, l, true
			}
			if l.ID == id {
				lesson, prev, ok = l, last, true
			}
			last = l
		}
	}
	return lesson, prev, LocalLesson{}, ok
}

// OtherLanguages lists the languages the course can be read in, other than the one shown.
func (lc LocalCourse) OtherLanguages() []string {
	var out []string
	for _, l := range lc.Languages {
		if l != lc.Language {
			out = append(out, l)
		}
	}
	return out
}

// QuizAfter is the quiz placed right after a lesson in its module, when there is one: the
// place a trainee goes next, before the next lesson.
func (lc LocalCourse) QuizAfter(lessonID int64) (LocalQuiz, bool) {
	for _, m := range lc.Modules {
		for i, l := range m.Lessons {
			if l.ID != lessonID {
				continue
			}
			for _, q := range m.Quizzes {
				if q.Position == i+1 || (i == len(m.Lessons)-1 && q.Position > i) {
					return q, true
				}
			}
			return LocalQuiz{}, false
		}
	}
	return LocalQuiz{}, false
}
