package handlers

import (
	"errors"
	"net/http"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

// instructorsPage is the course editor's list of who teaches the course.
type instructorsPage struct {
	Head        courseHeader
	Instructors []courses.User
	URL         string
}

func (a *App) instructors(c *gin.Context) {
	co := courseOf(c)
	list, err := a.Store.Instructors(c.Request.Context(), co)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, http.StatusOK, "teach_instructors", a.newView(c, instructorsPage{Head: a.courseHeader(c, co, tabInstructors), Instructors: list, URL: courseURL(co) + "/instructors"}))
}

func (a *App) addInstructor(c *gin.Context) {
	co := courseOf(c)
	err := a.Store.AddInstructor(c.Request.Context(), actor(c), co.ID, c.PostForm("email"))
	if errors.Is(err, courses.ErrNotFound) {
		a.setFlash(c, "flash.error.instructor_unknown")
		c.Redirect(http.StatusSeeOther, courseURL(co)+"/instructors")
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.instructor_added")
	c.Redirect(http.StatusSeeOther, courseURL(co)+"/instructors")
}

func (a *App) removeInstructor(c *gin.Context) {
	co := courseOf(c)
	id, ok := paramID(c, "user")
	if !ok {
		a.notFound(c)
		return
	}
	if err := a.Store.RemoveInstructor(c.Request.Context(), actor(c), co.ID, id); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.instructor_removed")
	c.Redirect(http.StatusSeeOther, courseURL(co)+"/instructors")
}
