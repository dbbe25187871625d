package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

func (a *App) addModule(c *gin.Context) {
	co := courseOf(c)
	title := strings.TrimSpace(c.PostForm("title"))
	if msg := courses.ValidateTitle(title); msg != "" {
		a.renderEditor(c, http.StatusUnprocessableEntity, &form{Values: map[string]string{"module_title": title}, Errors: courses.FieldErrors{"module_title": msg}})
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
	id, ok := paramID(c, "module")
	if !ok {
		a.notFound(c)
		return
	}
	title := strings.TrimSpace(c.PostForm("title"))
	if msg := courses.ValidateTitle(title); msg != "" {
		a.setFlash(c, "flash.error.title_required")
		c.Redirect(http.StatusSeeOther, courseURL(co)+"#outline")
		return
	}
	if err := a.Store.SetModuleTitle(c.Request.Context(), co.ID, id, editLanguage(c, co), title); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.module_saved")
	c.Redirect(http.StatusSeeOther, courseURL(co)+"#outline")
}

func direction(c *gin.Context) int {
	if c.PostForm("direction") == "up" {
		return -1
	}
	return 1
}

// moveItem moves the module or lesson named by :param one place up or down.
func (a *App) moveItem(param string, move func(ctx context.Context, courseID, id int64, delta int) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		co := courseOf(c)
		id, ok := paramID(c, param)
		if !ok {
			a.notFound(c)
			return
		}
		if err := move(c.Request.Context(), co.ID, id, direction(c)); err != nil {
			a.fail(c, err)
			return
		}
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s#%s-%d", courseURL(co), param, id))
	}
}

// deleteItem deletes the module or lesson named by :param, unless trainees completed it.
func (a *App) deleteItem(param string, del func(ctx context.Context, courseID, id int64) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		co := courseOf(c)
		id, ok := paramID(c, param)
		if !ok {
			a.notFound(c)
			return
		}
		err := del(c.Request.Context(), co.ID, id)
		switch {
		case errors.Is(err, store.ErrLessonCompleted):
			a.setFlash(c, "flash.error."+param+"_completed")
		case err != nil:
			a.fail(c, err)
			return
		default:
			a.setFlash(c, "flash."+param+"_deleted")
		}
		c.Redirect(http.StatusSeeOther, courseURL(co)+"#outline")
	}
}

func (a *App) addLesson(c *gin.Context) {
	co := courseOf(c)
	moduleID, ok := paramID(c, "module")
	if !ok {
		a.notFound(c)
		return
	}
	title := strings.TrimSpace(c.PostForm("title"))
	if msg := courses.ValidateTitle(title); msg != "" {
		a.setFlash(c, "flash.error.title_required")
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s#module-%d", courseURL(co), moduleID))
		return
	}
	id, err := a.Store.AddLesson(c.Request.Context(), co.ID, moduleID, co.DefaultLanguage, title)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.lesson_added")
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s/lessons/%d", courseURL(co), id))
}
