package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

// outlinePage is the course editor's first page: its status, and its modules and lessons
// in the course's default language, the one they are edited in.
type outlinePage struct {
	Head    courseHeader
	Local   courses.LocalCourse
	URL     string
	Quizzes map[int64][]outlineQuiz // by module
}

// outlineQuiz is a quiz as the outline lists it, among its module's lessons.
type outlineQuiz struct {
	ID              int64
	Title, Lang     string
	Position, Items int
}

func (a *App) courseOutline(c *gin.Context) {
	a.renderOutline(c, http.StatusOK, nil)
}

func (a *App) renderOutline(c *gin.Context, status int, f *form) {
	co := courseOf(c)
	quizzes, err := a.Store.Quizzes(c.Request.Context(), co.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	data := outlinePage{Head: a.courseHeader(c, co, tabOutline), Local: courses.Localize(co, co.DefaultLanguage), URL: courseURL(co),
		Quizzes: map[int64][]outlineQuiz{}}
	for _, q := range quizzes {
		title, lang := courses.Pick(q.Titles, co.DefaultLanguage, co.DefaultLanguage)
		data.Quizzes[q.ModuleID] = append(data.Quizzes[q.ModuleID], outlineQuiz{ID: q.ID, Title: title, Lang: lang, Position: q.Position, Items: len(q.Items)})
	}
	v := a.newView(c, data)
	v.Form = f
	a.render(c, status, "teach_course", v)
}

func (a *App) addModule(c *gin.Context) {
	co := courseOf(c)
	title, errs := courses.ParseModule(courses.ModuleForm{Title: c.PostForm("title")})
	if len(errs) > 0 {
		a.renderOutline(c, http.StatusUnprocessableEntity, &form{Values: map[string]string{"module_title": title}, Errors: courses.FieldErrors{"module_title": errs["title"]}})
		return
	}
	if _, err := a.Store.AddModule(c.Request.Context(), co.ID, co.DefaultLanguage, title); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.module_added")
	c.Redirect(http.StatusSeeOther, courseURL(co)+"#outline")
}

func (a *App) renameModule(c *gin.Context) {
	co := courseOf(c)
	id := moduleOf(c).ID
	title, errs := courses.ParseModule(courses.ModuleForm{Title: c.PostForm("title")})
	if len(errs) > 0 {
		a.setFlash(c, "flash.error.title_required")
		c.Redirect(http.StatusSeeOther, courseURL(co)+"#outline")
		return
	}
	lang, err := editLanguage(c, co)
	if err == nil {
		err = a.Store.SetModuleTitle(c.Request.Context(), co.ID, id, lang, title)
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.module_saved")
	c.Redirect(http.StatusSeeOther, courseURL(co)+"#outline")
}

// direction reads the move form's direction: -1 up, 1 down; anything else is ErrInvalid.
func direction(c *gin.Context) (int, error) {
	switch d := c.PostForm("direction"); d {
	case "up":
		return -1, nil
	case "down":
		return 1, nil
	default:
		return 0, fmt.Errorf("handlers: direction %q: %w", d, courses.ErrInvalid)
	}
}

// moveItem moves the module or lesson (idOf, loaded by the route) one place up or down.
func (a *App) moveItem(param string, idOf func(*gin.Context) int64, move func(ctx context.Context, courseID, id int64, delta int) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		co := courseOf(c)
		id := idOf(c)
		delta, err := direction(c)
		if err == nil {
			err = move(c.Request.Context(), co.ID, id, delta)
		}
		if err != nil {
			a.fail(c, err)
			return
		}
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s#%s-%d", courseURL(co), param, id))
	}
}

// deleteItem deletes the module or lesson (idOf, loaded by the route), unless trainees completed it.
func (a *App) deleteItem(param string, idOf func(*gin.Context) int64, del func(ctx context.Context, courseID, id int64) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		co := courseOf(c)
		id := idOf(c)
		err := del(c.Request.Context(), co.ID, id)
		switch {
		case errors.Is(err, errModuleHasQuizzes):
			a.setFlash(c, "flash.error.module_has_quizzes")
		case errors.Is(err, store.ErrLessonCompleted):
			a.setFlash(c, "flash.error."+param+"_completed")
		case errors.Is(err, store.ErrQuizHasAttempts):
			a.setFlash(c, "flash.error."+param+"_quiz_attempted")
		case err != nil:
			a.fail(c, err)
			return
		default:
			a.setFlash(c, "flash."+param+"_deleted")
		}
		c.Redirect(http.StatusSeeOther, courseURL(co)+"#outline")
	}
}

// errModuleHasQuizzes refuses to delete a module that still holds quizzes: their results
// would go with it, and the store would refuse it as if lessons were completed.
var errModuleHasQuizzes = fmt.Errorf("module holds quizzes: %w", courses.ErrConflict)

// deleteModule deletes a module without quizzes.
func (a *App) deleteModule(ctx context.Context, courseID, moduleID int64) error {
	quizzes, err := a.Store.Quizzes(ctx, courseID)
	if err != nil {
		return err
	}
	for _, q := range quizzes {
		if q.ModuleID == moduleID {
			return errModuleHasQuizzes
		}
	}
	return a.Store.DeleteModule(ctx, courseID, moduleID)
}

func (a *App) addLesson(c *gin.Context) {
	co := courseOf(c)
	moduleID := moduleOf(c).ID
	text, errs := courses.ParseLesson(courses.LessonForm{Title: c.PostForm("title")})
	if len(errs) > 0 {
		a.setFlash(c, "flash.error.title_required")
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s#module-%d", courseURL(co), moduleID))
		return
	}
	id, err := a.Store.AddLesson(c.Request.Context(), co.ID, moduleID, co.DefaultLanguage, text.Title)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.lesson_added")
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s/lessons/%d", courseURL(co), id))
}
