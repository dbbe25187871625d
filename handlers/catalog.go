package handlers

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

const coursesPerPage = 12

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
	if err != nil || page < 1 {
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
	data := coursePage{Local: courses.Localize(co, a.readingLanguage(c)), Instructors: instructors,
		Preview: preview, BaseURL: base, CanEdit: co.CanEdit(currentUser(c))}
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
}

func (a *App) lessonPage(c *gin.Context) {
	co, ok := a.publishedCourse(c)
	if !ok {
		return
	}
	a.renderLesson(c, co, "/courses/"+co.Slug, false)
}

func (a *App) renderLesson(c *gin.Context, co courses.Course, base string, preview bool) {
	id, ok := paramID(c, "lesson")
	if !ok {
		a.notFound(c)
		return
	}
	lc := courses.Localize(co, a.readingLanguage(c))
	lesson, prev, next, ok := lc.Lesson(id)
	if !ok {
		a.notFound(c)
		return
	}
	data := lessonPage{Course: lc, Lesson: lesson, Prev: prev, Next: next, BaseURL: base, Preview: preview,
		// The renderer allows only safe HTML and images from this course: see courses.RenderMarkdown.
		HTML: template.HTML(courses.RenderMarkdown(lesson.Body, "/courses/"+co.Slug+"/images/"))}
	a.render(c, http.StatusOK, "lesson", a.newView(c, data))
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
