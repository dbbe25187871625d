package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

type sessionPage struct {
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
	ch, ok := a.cohortOf(c, co)
	if !ok {
		return
	}
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

func (a *App) sessionOf(c *gin.Context) (courses.Course, courses.Cohort, courses.CohortSession, bool) {
	co := courseOf(c)
	ch, ok := a.cohortOf(c, co)
	if !ok {
		return co, ch, courses.CohortSession{}, false
	}
	id, ok := paramID(c, "session")
	if !ok {
		a.notFound(c)
		return co, ch, courses.CohortSession{}, false
	}
	se, err := a.Store.Session(c.Request.Context(), ch.ID, id)
	if err != nil {
		a.fail(c, err)
		return co, ch, se, false
	}
	return co, ch, se, true
}

func (a *App) sessionRoster(c *gin.Context) {
	co, ch, se, ok := a.sessionOf(c)
	if !ok {
		return
	}
	roster, err := a.Store.Roster(c.Request.Context(), ch.ID, se.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	now := a.now()
	open := se.CheckInOpens != nil && se.CheckInCloses != nil && !now.Before(*se.CheckInOpens) && now.Before(*se.CheckInCloses)
	data := sessionPage{Course: co, Cohort: ch, Session: se, Roster: roster, URL: fmt.Sprintf("%s/sessions/%d", cohortURL(co, ch.ID), se.ID), Open: open, Now: now}
	a.render(c, http.StatusOK, "teach_session", a.newView(c, data))
}

// takeAttendance saves the roster: one choice per trainee (present, absent, excused).
func (a *App) takeAttendance(c *gin.Context) {
	co, ch, se, ok := a.sessionOf(c)
	if !ok {
		return
	}
	marks := map[int64]courses.AttendanceStatus{}
	if err := c.Request.ParseForm(); err != nil {
		a.renderError(c, http.StatusBadRequest, "error.attendance.title", "error.attendance.message")
		return
	}
	for key, values := range c.Request.PostForm {
		id, found := strings.CutPrefix(key, "attendance-")
		if !found || len(values) == 0 || values[0] == "" {
			continue
		}
		userID, err := strconv.ParseInt(id, 10, 64)
		status := courses.AttendanceStatus(values[0])
		if err != nil || !status.Valid() {
			a.renderError(c, http.StatusUnprocessableEntity, "error.attendance.title", "error.attendance.message")
			return
		}
		marks[userID] = status
	}
	skipped, err := a.Store.SetAttendance(c.Request.Context(), ch.ID, se.ID, currentUser(c).ID, marks, a.now())
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
