package handlers

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

func cohortURL(co courses.Course, cohortID int64) string {
	return fmt.Sprintf("%s/cohorts/%d", courseURL(co), cohortID)
}

type cohortsPage struct {
	Head    courseHeader
	Course  courses.Course
	Cohorts []courses.CohortSummary
	URL     string
}

func (a *App) cohorts(c *gin.Context) {
	a.renderCohorts(c, http.StatusOK, &form{Values: map[string]string{"mode": "online", "policy": "open"}})
}

func (a *App) renderCohorts(c *gin.Context, status int, f *form) {
	co := courseOf(c)
	list, err := a.Store.Cohorts(c.Request.Context(), co.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	v := a.newView(c, cohortsPage{Head: a.courseHeader(c, co, tabCohorts), Course: co, Cohorts: list, URL: courseURL(co) + "/cohorts"})
	v.Form = f
	a.render(c, status, "teach_cohorts", v)
}

// defaultMark tells the cohort form it is showing the default cohort, whose name is not typed.
func defaultMark(ch courses.Cohort) string {
	if ch.IsDefault {
		return "on"
	}
	return ""
}

// cohortFormOf reads the cohort form; courses.ParseCohort checks it.
func cohortFormOf(c *gin.Context) courses.CohortForm {
	return courses.CohortForm{Name: c.PostForm("name"), StartsOn: c.PostForm("starts_on"), EndsOn: c.PostForm("ends_on"),
		Capacity: c.PostForm("capacity"), Mode: c.PostForm("mode"), Location: c.PostForm("location"),
		Policy: c.PostForm("policy"), Key: c.PostForm("key")}
}

func (a *App) createCohort(c *gin.Context) {
	co := courseOf(c)
	f := cohortFormOf(c)
	ch, errs := courses.ParseCohort(f)
	if len(errs) > 0 {
		a.renderCohorts(c, http.StatusUnprocessableEntity, &form{Values: f.Values(), Errors: errs})
		return
	}
	ch.CourseID = co.ID
	id, err := a.Store.SaveCohort(c.Request.Context(), actor(c), ch)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.cohort_created")
	c.Redirect(http.StatusSeeOther, cohortURL(co, id))
}

type cohortPage struct {
	Head     courseHeader
	Course   courses.Course
	Cohort   courses.Cohort
	Rows     []courses.ReportRow
	Sort     string
	Sessions []courses.CohortSession
	URL      string
	Preview  *bulkPreview
	Result   *courses.BulkResult
	BaseURL  string
}

func (a *App) cohortPage(c *gin.Context) {
	a.renderCohort(c, http.StatusOK, nil, nil, nil)
}

func (a *App) renderCohort(c *gin.Context, status int, f *form, preview *bulkPreview, result *courses.BulkResult) {
	co := courseOf(c)
	ch := cohortOf(c)
	ctx := c.Request.Context()
	rows, err := a.Store.CohortReport(ctx, co.ID, ch.ID, a.now())
	if err != nil {
		a.fail(c, err)
		return
	}
	courses.SortReport(rows, c.Query("sort"))
	sessions, err := a.Store.Sessions(ctx, ch.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	data := cohortPage{Head: a.courseHeader(c, co, tabCohorts), Course: co, Cohort: ch, Rows: rows, Sort: c.Query("sort"),
		Sessions: sessions, URL: cohortURL(co, ch.ID), Preview: preview, Result: result, BaseURL: a.Config.BaseURL.String()}
	v := a.newView(c, data)
	// The page has several forms: the one sent back with errors keeps what was typed, the others show what is stored.
	stored := map[string]string{"name": ch.Name, "is_default": defaultMark(ch), "capacity": strconv.Itoa(ch.Capacity), "mode": string(ch.Mode),
		"location": ch.Location, "policy": string(ch.Policy), "key": ch.Key, "minutes": "120"}
	if ch.StartsOn != nil {
		stored["starts_on"] = ch.StartsOn.Format("2006-01-02")
	}
	if ch.EndsOn != nil {
		stored["ends_on"] = ch.EndsOn.Format("2006-01-02")
	}
	v.Form = f.over(stored)
	a.render(c, status, "teach_cohort", v)
}

func (a *App) updateCohort(c *gin.Context) {
	co := courseOf(c)
	ch := cohortOf(c)
	f := cohortFormOf(c)
	if ch.IsDefault {
		f.Name = ch.Name // Aula names the default cohort, in each reader's language; the form shows no name to change
	}
	next, errs := courses.ParseCohort(f)
	if len(errs) > 0 {
		values := f.Values()
		values["is_default"] = defaultMark(ch)
		a.renderCohort(c, http.StatusUnprocessableEntity, &form{Values: values, Errors: errs}, nil, nil)
		return
	}
	next.ID, next.CourseID, next.IsDefault = ch.ID, co.ID, ch.IsDefault
	if _, err := a.Store.SaveCohort(c.Request.Context(), actor(c), next); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.cohort_saved")
	c.Redirect(http.StatusSeeOther, cohortURL(co, ch.ID))
}
