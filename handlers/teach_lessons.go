package handlers

import (
	"fmt"
	"html/template"
	"net/http"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

type lessonEditorPage struct {
	Head     courseHeader
	Course   courses.Course
	Lesson   courses.Lesson
	Lang     string             // the language being written
	Original courses.LessonText // the lesson in the default language, shown beside a translation
	Preview  template.HTML
	URL      string
}

func (a *App) lessonEditor(c *gin.Context) {
	co, lesson := courseOf(c), lessonOf(c)
	lang, err := editLanguage(c, co)
	if err != nil {
		a.fail(c, err)
		return
	}
	text := lesson.Texts[lang]
	a.renderLessonEditor(c, http.StatusOK, co, lesson, lang, &form{Values: map[string]string{"title": text.Title, "body": text.Body}}, "")
}

func (a *App) renderLessonEditor(c *gin.Context, status int, co courses.Course, lesson courses.Lesson, lang string, f *form, preview template.HTML) {
	data := lessonEditorPage{Head: a.courseHeader(c, co, tabOutline), Course: co, Lesson: lesson, Lang: lang, Original: lesson.Texts[co.DefaultLanguage],
		Preview: preview, URL: fmt.Sprintf("%s/lessons/%d", courseURL(co), lesson.ID)}
	v := a.newView(c, data)
	v.Form = f
	a.render(c, status, "teach_lesson", v)
}

// saveLesson saves a lesson in one language, or, with the Preview button, shows it rendered
// without saving anything.
func (a *App) saveLesson(c *gin.Context) {
	co, lesson := courseOf(c), lessonOf(c)
	lang, err := editLanguage(c, co)
	if err != nil {
		a.fail(c, err)
		return
	}
	text, errs := courses.ParseLesson(courses.LessonForm{Title: c.PostForm("title"), Body: c.PostForm("body")})
	f := &form{Values: map[string]string{"title": text.Title, "body": text.Body}, Errors: errs}
	preview := template.HTML(courses.RenderMarkdown(text.Body, "/courses/"+co.Slug+"/images/"))
	if c.PostForm("action") == "preview" || len(f.Errors) > 0 {
		status := http.StatusOK
		if len(f.Errors) > 0 {
			status = http.StatusUnprocessableEntity
		}
		a.renderLessonEditor(c, status, co, lesson, lang, f, preview)
		return
	}
	if err := a.Store.SaveLessonText(c.Request.Context(), co.ID, lesson.ID, lang, text); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.lesson_saved")
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s/lessons/%d?lang=%s", courseURL(co), lesson.ID, lang))
}

func (a *App) previewCourse(c *gin.Context) {
	co := courseOf(c)
	a.renderCourse(c, co, courseURL(co)+"/preview", true)
}

func (a *App) previewLesson(c *gin.Context) {
	co := courseOf(c)
	a.renderLesson(c, co, courseURL(co)+"/preview", true, enrolment{})
}
