package handlers

import (
	"net/http"
	"strconv"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

// Learning: marking lessons done and "My learning".

func (a *App) lessonDone(c *gin.Context) {
	co, ok := a.publishedCourse(c)
	if !ok {
		return
	}
	_, lesson, _, next, found := a.lessonOf(c, co)
	if !found {
		a.notFound(c)
		return
	}
	e, err := a.enrolmentOf(c, co)
	if err != nil {
		a.fail(c, err)
		return
	}
	if !e.Enrolled || e.Status != courses.EnrolmentActive {
		a.forbidden(c)
		return
	}
	complete, err := a.Store.CompleteLesson(c.Request.Context(), currentUser(c).ID, lesson.ID, a.now())
	if err != nil {
		a.fail(c, err)
		return
	}
	if c.GetHeader("X-Aula-Autosave") != "" {
		c.Status(http.StatusNoContent)
		return
	}
	switch {
	case complete && e.CompletedAt == nil:
		a.setFlash(c, "flash.course_completed")
		c.Redirect(http.StatusSeeOther, "/learning")
	case next.ID != 0:
		c.Redirect(http.StatusSeeOther, "/courses/"+co.Slug+"/lessons/"+strconv.FormatInt(next.ID, 10))
	default:
		c.Redirect(http.StatusSeeOther, "/courses/"+co.Slug)
	}
}

func (a *App) learning(c *gin.Context) {
	l, err := a.Store.MyLearning(c.Request.Context(), currentUser(c).ID, a.now())
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, http.StatusOK, "learning", a.newView(c, l))
}
