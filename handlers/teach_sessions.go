package handlers

import (
	"fmt"
	"net/http"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

type sessionPage struct {
	Head    courseHeader
	Course  courses.Course
	Cohort  courses.Cohort
	Session courses.CohortSession
	Roster  []courses.RosterEntry
	URL     string
	Open    bool
	Now     time.Time
}

func (a *App) addSession(c *gin.Context) {
	co := courseOf(c)
	ch := cohortOf(c)
	f := courses.SessionForm{Date: c.PostForm("date"), Time: c.PostForm("time"), Minutes: c.PostForm("minutes"),
		Place: c.PostForm("place"), Capacity: c.PostForm("session_capacity")}
	se, errs := courses.ParseSession(f, time.Local)
	if msg, ok := errs["capacity"]; ok { // the session form's field, not the cohort's
		errs["session_capacity"] = msg
		delete(errs, "capacity")
	}
	if len(errs) > 0 {
		values := map[string]string{"date": f.Date, "time": f.Time, "minutes": f.Minutes, "place": f.Place, "session_capacity": f.Capacity}
		a.renderCohort(c, http.StatusUnprocessableEntity, &form{Values: values, Errors: errs}, nil, nil)
		return
	}
	se.CohortID = ch.ID
	if _, err := a.Store.AddSession(c.Request.Context(), se); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.session_added")
	c.Redirect(http.StatusSeeOther, cohortURL(co, ch.ID)+"#sessions")
}

func (a *App) sessionRoster(c *gin.Context) {
	co, ch, se := courseOf(c), cohortOf(c), sessionOf(c)
	roster, err := a.Store.Roster(c.Request.Context(), ch.ID, se.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	now := a.now()
	open := se.CheckInOpens != nil && se.CheckInCloses != nil && !now.Before(*se.CheckInOpens) && now.Before(*se.CheckInCloses)
	data := sessionPage{Head: a.courseHeader(c, co, tabCohorts), Course: co, Cohort: ch, Session: se, Roster: roster, URL: fmt.Sprintf("%s/sessions/%d", cohortURL(co, ch.ID), se.ID), Open: open, Now: now}
	a.render(c, http.StatusOK, "teach_session", a.newView(c, data))
}

// takeAttendance saves the roster: one choice per trainee (present, absent, excused).
func (a *App) takeAttendance(c *gin.Context) {
	co, ch, se := courseOf(c), cohortOf(c), sessionOf(c)
	if err := c.Request.ParseForm(); err != nil {
		a.fail(c, fmt.Errorf("handlers: attendance form: %v: %w", err, courses.ErrInvalid))
		return
	}
	marks, errs := courses.ParseAttendance(c.Request.PostForm)
	if len(errs) > 0 {
		a.renderError(c, http.StatusUnprocessableEntity, "error.attendance.title", "error.attendance.message")
		return
	}
	skipped, err := a.Store.SetAttendance(c.Request.Context(), ch.ID, se.ID, actor(c), marks, a.now())
	if err != nil {
		a.fail(c, err)
		return
	}
	if skipped > 0 {
		a.setFlash(c, "flash.error.attendance_skipped")
	} else {
		a.setFlash(c, "flash.attendance_saved")
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s/sessions/%d", cohortURL(co, ch.ID), se.ID))
}
