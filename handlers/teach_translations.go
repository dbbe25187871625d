package handlers

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

// translationsPage lists the languages a course can be translated into, and which are done.
type translationsPage struct {
	Head courseHeader
	URL  string
}

func (a *App) translations(c *gin.Context) {
	co := courseOf(c)
	a.render(c, http.StatusOK, "teach_translations", a.newView(c, translationsPage{Head: a.courseHeader(c, co, tabTranslations), URL: courseURL(co) + "/translations"}))
}

type translationPage struct {
	Head   courseHeader
	Course courses.Course
	Lang   string
	URL    string
}

// translationEditor shows the course's title, summary and module titles in the default
// language beside fields for another language.
func (a *App) translationEditor(c *gin.Context) {
	co, lang := courseOf(c), translationOf(c)
	text := co.Texts[lang]
	f := &form{Values: map[string]string{"title": text.Title, "summary": text.Summary}}
	for _, m := range co.Modules {
		f.Values[courses.ModuleField(m.ID)] = m.Titles[lang]
	}
	a.renderTranslation(c, http.StatusOK, co, lang, f)
}

func (a *App) renderTranslation(c *gin.Context, status int, co courses.Course, lang string, f *form) {
	v := a.newView(c, translationPage{Head: a.courseHeader(c, co, tabTranslations), Course: co, Lang: lang, URL: fmt.Sprintf("%s/translations/%s", courseURL(co), lang)})
	v.Form = f
	a.render(c, status, "teach_translation", v)
}

func (a *App) saveTranslation(c *gin.Context) {
	co, lang := courseOf(c), translationOf(c)
	tf := courses.TranslationForm{Title: c.PostForm("title"), Summary: c.PostForm("summary"), ModuleTitles: map[int64]string{}}
	for _, m := range co.Modules {
		tf.ModuleTitles[m.ID] = c.PostForm(courses.ModuleField(m.ID))
	}
	tr, errs := courses.ParseTranslation(tf)
	f := &form{Values: map[string]string{"title": tr.Text.Title, "summary": tr.Text.Summary}, Errors: errs}
	for id, title := range tf.ModuleTitles {
		f.Values[courses.ModuleField(id)] = strings.TrimSpace(title)
	}
	if len(f.Errors) > 0 {
		a.renderTranslation(c, http.StatusUnprocessableEntity, co, lang, f)
		return
	}
	if err := a.Store.SaveTranslation(c.Request.Context(), co.ID, lang, tr.Text, tr.ModuleTitles); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.translation_saved")
	c.Redirect(http.StatusSeeOther, courseURL(co)+"/translations")
}
