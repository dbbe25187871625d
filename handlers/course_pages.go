package handlers

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

// The course page, the lesson page and the images their lessons show. Each page reads what it
// shows in one statement (store.CoursePage); the lesson page's also records the place the
// trainee has reached. TestReaderPagesStayWithinTheirRoundTrips holds them to it.

type coursePage struct {
	Local       courses.LocalCourse
	Instructors []courses.User
	Preview     bool   // an instructor looking at a draft, or at the course as trainees will see it
	BaseURL     string // where the course's pages live: /courses/slug or the preview
	CanEdit     bool
	CanRead     bool // lessons open: enrolled and active, or editing
	Cohorts     []courses.CohortSummary
	Enrolment   enrolment
	Done        map[int64]bool
	Percent     int
	Now         time.Time
	Syllabus    template.HTML // see syllabusHTML
	Facts       courseFacts
}

// courseFacts are the course's facts in the page's language, worked out in Go: in the
// template they were two dozen reflective calls, and a pluralised message, per view.
type courseFacts struct {
	Audiences, Level, Hours string
	Languages               []factLanguage // every language the course is read in, linked but the one shown
}

type factLanguage struct {
	Lang, Name string
	Href       string // "" for the language shown
}

func (a *App) courseFacts(lc courses.LocalCourse, lang, base string) courseFacts {
	f := courseFacts{Level: a.i18n.translate(lang, "level."+string(lc.Course.Level)),
		Hours: a.i18n.translate(lang, "course.hours", "Count", lc.Course.Hours)}
	audiences := make([]string, len(lc.Course.Audiences))
	for i, au := range lc.Course.Audiences {
		audiences[i] = a.i18n.translate(lang, "audience."+string(au))
	}
	f.Audiences = strings.Join(audiences, ", ")
	for _, l := range lc.Languages {
		fl := factLanguage{Lang: l, Name: a.i18n.translate(lang, "language."+l)}
		if l != lc.Language {
			fl.Href = base + "?lang=" + l
		}
		f.Languages = append(f.Languages, fl)
	}
	return f
}

// outlineModule and outlineLesson are a course's outline as a page shows it, worked out in Go:
// html/template runs every action by reflection, and the outline's links were most of a page's.
type outlineModule struct {
	Title   string
	Lessons []outlineLesson
}

type outlineLesson struct {
	Title   string
	Lang    string // a quiz's title may be in another language than the course's
	Href    string // "" where the lesson is not to be opened
	Done    bool   // a quiz: passed
	Current bool   // the lesson on the page
	Quiz    bool
}

// outline lists lc's lessons and quizzes with links under base (none unless open; quizzes only
// when quizzes is the course's own address, not a preview), their done and passed marks and the
// current lesson. A course read in another language than the pages' keeps it in its links.
func outline(lc courses.LocalCourse, base, quizzes, pageLang string, open bool, done, passed map[int64]bool, current int64) []outlineModule {
	q := ""
	if lc.Language != pageLang {
		q = "?lang=" + lc.Language
	}
	out := make([]outlineModule, len(lc.Modules))
	for i, m := range lc.Modules {
		out[i] = outlineModule{Title: m.Title, Lessons: make([]outlineLesson, 0, len(m.Lessons)+len(m.Quizzes))}
		quiz := func(z courses.LocalQuiz) {
			row := outlineLesson{Title: z.Title, Lang: z.Language, Done: passed[z.ID], Quiz: true}
			if open && quizzes != "" {
				row.Href = quizzes + "/quizzes/" + strconv.FormatInt(z.ID, 10) + q
			}
			out[i].Lessons = append(out[i].Lessons, row)
		}
		k := 0
		for j, l := range m.Lessons {
			for ; k < len(m.Quizzes) && m.Quizzes[k].Position <= j; k++ {
				quiz(m.Quizzes[k])
			}
			row := outlineLesson{Title: l.Title, Lang: lc.Language, Done: done[l.ID], Current: l.ID == current}
			if open {
				row.Href = base + "/lessons/" + strconv.FormatInt(l.ID, 10) + q
			}
			out[i].Lessons = append(out[i].Lessons, row)
		}
		for ; k < len(m.Quizzes); k++ {
			quiz(m.Quizzes[k])
		}
	}
	return out
}

// EnrolledCohort is the cohort the trainee is in, for the course page.
func (p coursePage) EnrolledCohort() courses.CohortSummary {
	for _, ch := range p.Cohorts {
		if ch.ID == p.Enrolment.CohortID {
			return ch
		}
	}
	return courses.CohortSummary{}
}

// readingLanguage is the language a trainee reads a course in: ?lang= when they chose
// another of the course's languages, else the language of the pages.
func (a *App) readingLanguage(c *gin.Context) string {
	if l := c.Query("lang"); courses.ValidLanguage(l) {
		return l
	}
	return a.lang(c)
}

// publishedCourse loads the whole course for the actions on it (enrol, withdraw, mark done):
// drafts and archived courses are not found, except by the people who edit them.
func (a *App) publishedCourse(c *gin.Context) (courses.Course, bool) {
	co, err := a.Store.CourseBySlug(c.Request.Context(), c.Param("slug"))
	if err != nil {
		a.fail(c, err)
		return co, false
	}
	if co.Status != courses.StatusPublished && !co.CanEdit(currentUser(c)) {
		a.notFound(c)
		return co, false
	}
	return co, true
}

// readCourse reads the course named slug as the signed-in reader sees it, with the HTML of
// lessonID (0 for none), under the same rule as publishedCourse. visit records lessonID as
// the reader's place, where their enrolment is active (see store.LessonPage).
func (a *App) readCourse(c *gin.Context, slug string, lessonID int64, visit bool) (store.CoursePage, bool) {
	u := currentUser(c)
	var userID int64
	if u != nil {
		userID = u.ID
	}
	var p store.CoursePage
	var err error
	if visit && u != nil {
		p, err = a.Store.LessonPage(c.Request.Context(), slug, a.readingLanguage(c), userID, lessonID, a.now())
	} else {
		p, err = a.Store.CoursePage(c.Request.Context(), slug, a.readingLanguage(c), userID, lessonID)
	}
	if err != nil {
		a.fail(c, err)
		return p, false
	}
	if p.Course.Status != courses.StatusPublished && !p.Course.CanEdit(u) {
		a.notFound(c)
		return p, false
	}
	return p, true
}

func (a *App) coursePage(c *gin.Context) {
	p, ok := a.readCourse(c, c.Param("slug"), 0, false)
	if !ok {
		return
	}
	a.showCourse(c, p, "/courses/"+p.Course.Slug, false)
}

// renderCourse shows co's page under base: the preview of its editors.
func (a *App) renderCourse(c *gin.Context, co courses.Course, base string, preview bool) {
	p, ok := a.readCourse(c, co.Slug, 0, false)
	if !ok {
		return
	}
	a.showCourse(c, p, base, preview)
}

func (a *App) showCourse(c *gin.Context, p store.CoursePage, base string, preview bool) {
	u := currentUser(c)
	co := p.Course
	data := coursePage{Local: courses.Localize(co, a.readingLanguage(c)), Instructors: p.Instructors,
		Preview: preview, BaseURL: base, CanEdit: co.CanEdit(u), Now: a.now(),
		Enrolment: enrolment{Enrolment: p.Enrolment, Enrolled: p.Enrolled}, Cohorts: p.Cohorts}
	data.CanRead = preview || canRead(u, co, data.Enrolment)
	if u != nil {
		data.Done, data.Percent = p.Done, percentDone(co, p.Done)
	}
	data.Syllabus = syllabusHTML(outline(data.Local, base, quizBase(co, preview), a.lang(c), data.CanRead, data.Done, shownPassed(co, p.Passed, a.now()), 0),
		a.outlineLabels(a.lang(c)))
	data.Facts = a.courseFacts(data.Local, a.lang(c), base)
	a.render(c, http.StatusOK, "course", a.newView(c, data))
}

type lessonPage struct {
	Course  courses.LocalCourse
	Lesson  courses.LocalLesson
	Prev    courses.LocalLesson
	Next    courses.LocalLesson
	HTML    template.HTML
	BaseURL string
	Preview bool
	CanMark bool // an enrolled trainee, who can mark the lesson done
	Done    map[int64]bool
	Percent int
	Outline template.HTML // see lessonOutlineHTML
	IsDone  bool          // this lesson, by the reader
	Query   string        // "?lang=…" when the course is read in another language than the pages'
	// The quiz placed right after this lesson, which "next" leads to (not in a preview).
	NextQuiz     courses.LocalQuiz
	NextQuizHref string
}

// lessonPage shows a lesson to the trainees enrolled in its course (and to its editors);
// anyone else is refused, whatever the URL they type.
func (a *App) lessonPage(c *gin.Context) {
	id, ok := paramID(c, "lesson")
	if !ok {
		a.notFound(c)
		return
	}
	p, ok := a.readCourse(c, c.Param("slug"), id, true)
	if !ok {
		return
	}
	e := enrolment{Enrolment: p.Enrolment, Enrolled: p.Enrolled}
	if !canRead(currentUser(c), p.Course, e) {
		a.renderError(c, http.StatusForbidden, "error.not_enrolled.title", "error.not_enrolled.message")
		return
	}
	a.showLesson(c, p, id, "/courses/"+p.Course.Slug, false, e)
}

// renderLesson shows a lesson of co under base; e is the reader's enrolment (empty for a preview).
func (a *App) renderLesson(c *gin.Context, co courses.Course, base string, preview bool, e enrolment) {
	id, ok := paramID(c, "lesson")
	if !ok {
		a.notFound(c)
		return
	}
	p, ok := a.readCourse(c, co.Slug, id, false)
	if !ok {
		return
	}
	a.showLesson(c, p, id, base, preview, e)
}

func (a *App) showLesson(c *gin.Context, p store.CoursePage, id int64, base string, preview bool, e enrolment) {
	lc := courses.Localize(p.Course, a.readingLanguage(c))
	lesson, prev, next, ok := lc.Lesson(id)
	if !ok {
		a.notFound(c)
		return
	}
	data := lessonPage{Course: lc, Lesson: lesson, Prev: prev, Next: next, BaseURL: base, Preview: preview,
		// Rendered and sanitised when the lesson was saved: see courses.RenderMarkdown.
		HTML: template.HTML(p.LessonHTML[lesson.Language])}
	if u := currentUser(c); u != nil && !preview {
		// The reading position was recorded as the page was read (readCourse).
		data.CanMark = e.Enrolled && e.Status == courses.EnrolmentActive
		data.Done, data.Percent = p.Done, percentDone(p.Course, p.Done)
	}
	data.Outline = lessonOutlineHTML(outline(lc, base, quizBase(p.Course, preview), a.lang(c), true, nil, nil, lesson.ID), a.outlineLabels(a.lang(c)))
	data.IsDone = data.Done[lesson.ID]
	if lc.Language != a.lang(c) {
		data.Query = "?lang=" + lc.Language
	}
	if z, ok := lc.QuizAfter(lesson.ID); ok && !preview {
		data.NextQuiz = z
		data.NextQuizHref = quizBase(p.Course, preview) + "/quizzes/" + strconv.FormatInt(z.ID, 10) + data.Query
	}
	a.render(c, http.StatusOK, "lesson", a.newView(c, data))
}

// percentDone is the share of the course's lessons that done holds.
func percentDone(co courses.Course, done map[int64]bool) int {
	return courses.Progress{LessonsTotal: co.LessonCount(), LessonsDone: len(done)}.Percent()
}

// lessonOf finds :lesson in the course as the reader reads it, with its neighbours.
func (a *App) lessonOf(c *gin.Context, co courses.Course) (lc courses.LocalCourse, lesson, prev, next courses.LocalLesson, ok bool) {
	id, ok := paramID(c, "lesson")
	if !ok {
		return lc, lesson, prev, next, false
	}
	lc = courses.Localize(co, a.readingLanguage(c))
	lesson, prev, next, ok = lc.Lesson(id)
	return lc, lesson, prev, next, ok
}

// courseImage serves an image of a course from PostgreSQL, with its checked type and nosniff,
// in one statement that also keeps drafts' images to their editors.
func (a *App) courseImage(c *gin.Context) {
	var viewerID int64
	if u := currentUser(c); u != nil {
		viewerID = u.ID
	}
	img, err := a.Store.CourseImage(c.Request.Context(), c.Param("slug"), c.Param("name"), viewerID)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, max-age=300")
	c.Header("Content-Disposition", "inline")
	c.Data(http.StatusOK, img.ContentType, img.Data)
}

// quizBase is where a course's quizzes are taken: on its own pages, never in a preview.
func quizBase(co courses.Course, preview bool) string {
	if preview {
		return ""
	}
	return "/courses/" + co.Slug
}

// shownPassed is the quizzes whose "passed" mark a trainee may see now: a quiz whose review
// hides marks keeps its result to itself on the course page too.
func shownPassed(co courses.Course, passed map[int64]bool, now time.Time) map[int64]bool {
	shown := make(map[int64]bool, len(passed))
	for _, m := range co.Modules {
		for _, q := range m.Quizzes {
			if passed[q.ID] && courses.ReviewShows(q.Settings, true, now).Correctness {
				shown[q.ID] = true
			}
		}
	}
	return shown
}
