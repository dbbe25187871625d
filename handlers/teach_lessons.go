package handlers

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

type lessonEditorPage struct {
	Course   courses.Course
	Lesson   courses.Lesson
	Lang     string             // the language being written
	Original courses.LessonText // the lesson in the default language, shown beside a translation
	Preview  template.HTML
	URL      string
}

// lessonInCourse finds :lesson in the course loaded by editableCourse; any other id is a 404.
func lessonInCourse(c *gin.Context, co courses.Course) (courses.Lesson, bool) {
	id, ok := paramID(c, "lesson")
	if !ok {
		return courses.Lesson{}, false
	}
	for _, m := range co.Modules {
		for _, l := range m.Lessons {
			if l.ID == id {
				return l, true
			}
		}
	}
	return courses.Lesson{}, false
}

func (a *App) lessonEditor(c *gin.Context) {
	co := courseOf(c)
	lesson, ok := lessonInCourse(c, co)
	if !ok {
		a.notFound(c)
		return
	}
	lang := editLanguage(c, co)
	text := lesson.Texts[lang]
	a.renderLessonEditor(c, http.StatusOK, co, lesson, lang, &form{Values: map[string]string{"title": text.Title, "body": text.Body}}, "")
}

func (a *App) renderLessonEditor(c *gin.Context, status int, co courses.Course, lesson courses.Lesson, lang string, f *form, preview template.HTML) {
	data := lessonEditorPage{Course: co, Lesson: lesson, Lang: lang, Original: lesson.Texts[co.DefaultLanguage],
		Preview: preview, URL: fmt.Sprintf("%s/lessons/%d", courseURL(co), lesson.ID)}
	v := a.newView(c, data)
	v.Form = f
	a.render(c, status, "teach_lesson", v)
}

// saveLesson saves a lesson in one language, or, with the Preview button, shows it rendered
// without saving anything.
func (a *App) saveLesson(c *gin.Context) {
	co := courseOf(c)
	lesson, ok := lessonInCourse(c, co)
	if !ok {
		a.notFound(c)
		return
	}
	lang := editLanguage(c, co)
	text := courses.LessonText{Title: strings.TrimSpace(c.PostForm("title")), Body: strings.TrimSpace(strings.ReplaceAll(c.PostForm("body"), "\r\n", "\n"))}
	f := &form{Values: map[string]string{"title": text.Title, "body": text.Body}, Errors: courses.FieldErrors{}}
	if msg := courses.ValidateTitle(text.Title); msg != "" {
		f.Errors["title"] = msg
	}
	if len(text.Body) > courses.MaxLessonLength {
		f.Errors["body"] = "error.body.too_long"
	}
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

type translationPage struct {
	Course courses.Course
	Lang   string
	URL    string
}

// translationEditor shows the course's title, summary and module titles in the default
// language beside fields for another language.
func (a *App) translationEditor(c *gin.Context) {
	co := courseOf(c)
	lang := c.Param("lang")
	if !courses.ValidLanguage(lang) || lang == co.DefaultLanguage {
		a.notFound(c)
		return
	}
	text := co.Texts[lang]
	f := &form{Values: map[string]string{"title": text.Title, "summary": text.Summary}}
	for _, m := range co.Modules {
		f.Values[fmt.Sprintf("module-%d", m.ID)] = m.Titles[lang]
	}
	a.renderTranslation(c, http.StatusOK, co, lang, f)
}

func (a *App) renderTranslation(c *gin.Context, status int, co courses.Course, lang string, f *form) {
	v := a.newView(c, translationPage{Course: co, Lang: lang, URL: fmt.Sprintf("%s/translations/%s", courseURL(co), lang)})
	v.Form = f
	a.render(c, status, "teach_translation", v)
}

func (a *App) saveTranslation(c *gin.Context) {
	co := courseOf(c)
	lang := c.Param("lang")
	if !courses.ValidLanguage(lang) || lang == co.DefaultLanguage {
		a.notFound(c)
		return
	}
	text := courses.CourseText{Title: strings.TrimSpace(c.PostForm("title")), Summary: strings.TrimSpace(c.PostForm("summary"))}
	f := &form{Values: map[string]string{"title": text.Title, "summary": text.Summary}, Errors: courses.FieldErrors{}}
	if msg := courses.ValidateTitle(text.Title); msg != "" {
		f.Errors["title"] = msg
	}
	if len([]rune(text.Summary)) > courses.MaxSummaryLength {
		f.Errors["summary"] = "error.summary.too_long"
	}
	titles := map[int64]string{}
	for _, m := range co.Modules {
		name := fmt.Sprintf("module-%d", m.ID)
		title := strings.TrimSpace(c.PostForm(name))
		f.Values[name] = title
		if title == "" {
			continue // not translated yet: trainees see the default language's title
		}
		if msg := courses.ValidateTitle(title); msg != "" {
			f.Errors[name] = msg
		}
		titles[m.ID] = title
	}
	if len(f.Errors) > 0 {
		a.renderTranslation(c, http.StatusUnprocessableEntity, co, lang, f)
		return
	}
	if err := a.Store.SaveTranslation(c.Request.Context(), co.ID, lang, text, titles); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.translation_saved")
	c.Redirect(http.StatusSeeOther, courseURL(co)+"#translations")
}

func (a *App) previewCourse(c *gin.Context) {
	co := courseOf(c)
	a.renderCourse(c, co, courseURL(co)+"/preview", true)
}

func (a *App) previewLesson(c *gin.Context) {
	co := courseOf(c)
	a.renderLesson(c, co, courseURL(co)+"/preview", true, enrolment{})
}
