package handlers

import (
	"errors"
	"net/http"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

// Check-in: a trainee in the room enters the code the instructor shows.

func (a *App) checkInForm(c *gin.Context) {
	v := a.newView(c, nil)
	v.Form = &form{Values: map[string]string{"code": c.Query("code")}}
	a.render(c, http.StatusOK, "checkin", v)
}

func (a *App) checkIn(c *gin.Context) {
	u := currentUser(c)
	v := a.newView(c, nil)
	v.Form = &form{Values: map[string]string{"code": c.PostForm("code")}, Errors: courses.FieldErrors{}}
	wait, err := a.Limiter.AllowCheckIn(c.Request.Context(), u.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	if wait > 0 {
		v.Form.Errors["code"] = "error.checkin.throttled"
		a.render(c, http.StatusTooManyRequests, "checkin", v)
		return
	}
	_, err = a.Store.CheckIn(c.Request.Context(), u.ID, c.PostForm("code"), a.now())
	switch {
	case errors.Is(err, courses.ErrCheckInClosed):
		v.Form.Errors["code"] = "error.checkin.closed"
	case errors.Is(err, courses.ErrCheckInCode):
		v.Form.Errors["code"] = "error.checkin.code"
	case err != nil:
		a.fail(c, err)
		return
	}
	if len(v.Form.Errors) > 0 {
		a.render(c, http.StatusUnprocessableEntity, "checkin", v)
		return
	}
	a.setFlash(c, "flash.checked_in")
	c.Redirect(http.StatusSeeOther, "/learning")
}
