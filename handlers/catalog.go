package handlers

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

const coursesPerPage = 12

// maxPage bounds page numbers typed into URLs, so that offsets cannot overflow.
const maxPage = 10000

type catalogPage struct {
	Courses  []courses.LocalCourse
	Total    int
	Audience string
	Language string
	Level    string
	Query    string
	Filtered bool
	PrevURL  string
	NextURL  string
}

// catalog is the public list of published courses, filtered and searched.
func (a *App) catalog(c *gin.Context) {
	lang := a.lang(c)
	f := store.CatalogFilter{Query: c.Query("q"), Viewer: lang, Limit: coursesPerPage}
	if au := courses.Audience(c.Query("audience")); au.Valid() {
		f.Audience = au
	}
	if l := c.Query("language"); courses.ValidLanguage(l) {
		f.Language = l
	}
	if lv := courses.Level(c.Query("level")); lv.Valid() {
		f.Level = lv
	}
	page, err := strconv.Atoi(c.Query("page"))
	if err != nil || page < 1 || page > maxPage {
		page = 1
	}
	f.Offset = (page - 1) * coursesPerPage
	list, total, err := a.Store.Catalog(c.Request.Context(), f)
	if err != nil {
		a.fail(c, err)
		return
	}
	data := catalogPage{Total: total, Audience: string(f.Audience), Language: f.Language, Level: string(f.Level), Query: f.Query}
	data.Filtered = f.Audience != "" || f.Language != "" || f.Level != "" || f.Query != ""
	reading := lang
	if f.Language != "" {
		reading = f.Language
	}
	for _, co := range list {
		data.Courses = append(data.Courses, courses.Localize(co, reading))
	}
	link := func(p int) string {
		v := url.Values{}
		for k, val := range map[string]string{"audience": data.Audience, "language": data.Language, "level": data.Level, "q": data.Query} {
			if val != "" {
				v.Set(k, val)
			}
		}
		v.Set("page", strconv.Itoa(p))
		return "/courses?" + v.Encode()
	}
	if page > 1 {
		data.PrevURL = link(page - 1)
	}
	if page*coursesPerPage < total {
		data.NextURL = link(page + 1)
	}
	a.render(c, http.StatusOK, "catalog", a.newView(c, data))
}

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

// publishedCourse loads the course for a trainee's page: drafts and archived courses are
// not found, except by the people who edit them.
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

func (a *App) coursePage(c *gin.Context) {
	co, ok := a.publishedCourse(c)
	if !ok {
		return
	}
	a.renderCourse(c, co, "/courses/"+co.Slug, false)
}

func (a *App) renderCourse(c *gin.Context, co courses.Course, base string, preview bool) {
	instructors, err := a.Store.Instructors(c.Request.Context(), co)
	if err != nil {
		a.fail(c, err)
		return
	}
	u := currentUser(c)
	data := coursePage{Local: courses.Localize(co, a.readingLanguage(c)), Instructors: instructors,
		Preview: preview, BaseURL: base, CanEdit: co.CanEdit(u), Now: a.now()}
	ctx := c.Request.Context()
	if data.Cohorts, err = a.Store.Cohorts(ctx, co.ID); err != nil {
		a.fail(c, err)
		return
	}
	if data.Enrolment, err = a.enrolmentOf(c, co); err != nil {
		a.fail(c, err)
		return
	}
	data.CanRead = preview || canRead(u, co, data.Enrolment)
	if u != nil {
		if data.Done, data.Percent, err = a.progress(c, u, co); err != nil {
			a.fail(c, err)
			return
		}
	}
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
}

// lessonPage shows a lesson to the trainees enrolled in its course (and to its editors);
// anyone else is refused, whatever the URL they type.
func (a *App) lessonPage(c *gin.Context) {
	co, ok := a.publishedCourse(c)
	if !ok {
		return
	}
	e, err := a.enrolmentOf(c, co)
	if err != nil {
		a.fail(c, err)
		return
	}
	if !canRead(currentUser(c), co, e) {
		a.renderError(c, http.StatusForbidden, "error.not_enrolled.title", "error.not_enrolled.message")
		return
	}
	a.renderLesson(c, co, "/courses/"+co.Slug, false, e)
}

// renderLesson shows a lesson; e is the reader's enrolment (empty for a preview).
func (a *App) renderLesson(c *gin.Context, co courses.Course, base string, preview bool, e enrolment) {
	lc, lesson, prev, next, ok := a.lessonOf(c, co)
	if !ok {
		a.notFound(c)
		return
	}
	data := lessonPage{Course: lc, Lesson: lesson, Prev: prev, Next: next, BaseURL: base, Preview: preview,
		// The renderer allows only safe HTML and images from this course: see courses.RenderMarkdown.
		HTML: template.HTML(courses.RenderMarkdown(lesson.Body, "/courses/"+co.Slug+"/images/"))}
	if u := currentUser(c); u != nil && !preview {
		ctx := c.Request.Context()
		var err error
		if e.Enrolled && e.Status == courses.EnrolmentActive {
			data.CanMark = true
			if err := a.Store.VisitLesson(ctx, u.ID, co.ID, lesson.ID, a.now()); err != nil {
				a.fail(c, err)
				return
			}
		}
		if data.Done, data.Percent, err = a.progress(c, u, co); err != nil {
			a.fail(c, err)
			return
		}
	}
	a.render(c, http.StatusOK, "lesson", a.newView(c, data))
}

// progress is a trainee's finished lessons of a course and the share of the course they make.
func (a *App) progress(c *gin.Context, u *courses.User, co courses.Course) (map[int64]bool, int, error) {
	done, err := a.Store.CompletedLessons(c.Request.Context(), u.ID, co.ID)
	if err != nil {
		return nil, 0, err
	}
	return done, courses.Progress{LessonsTotal: co.LessonCount(), LessonsDone: len(done)}.Percent(), nil
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

// courseImage serves an image of a course from PostgreSQL, with its checked type and nosniff.
func (a *App) courseImage(c *gin.Context) {
	co, ok := a.publishedCourse(c)
	if !ok {
		return
	}
	img, err := a.Store.Image(c.Request.Context(), co.ID, c.Param("name"))
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, max-age=300")
	c.Header("Content-Disposition", "inline")
	c.Data(http.StatusOK, img.ContentType, img.Data)
}
