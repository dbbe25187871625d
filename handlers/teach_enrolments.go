package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

type bulkPreview struct {
	ID     string
	Rows   []courses.EnrolmentRow
	Errors []courses.RowError
	Shown  []courses.EnrolmentRow // the first rows, to check the columns were read right
}

func (a *App) decide(c *gin.Context) {
	co := courseOf(c)
	ch := cohortOf(c)
	userID, err := strconv.ParseInt(c.PostForm("user"), 10, 64)
	if err != nil {
		a.fail(c, fmt.Errorf("handlers: decide for %q: %w", c.PostForm("user"), courses.ErrInvalid))
		return
	}
	decision := c.PostForm("decision")
	if decision != "approve" && decision != "reject" { // anything else must not reject someone by default
		a.fail(c, fmt.Errorf("handlers: decision %q: %w", decision, courses.ErrInvalid))
		return
	}
	status, err := a.Store.Decide(c.Request.Context(), actor(c), ch.ID, userID, decision == "approve")
	if err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.decided_"+string(status))
	c.Redirect(http.StatusSeeOther, cohortURL(co, ch.ID)+"#trainees")
}

// enrolByEmail enrols one existing account by hand.
func (a *App) enrolByEmail(c *gin.Context) {
	co := courseOf(c)
	ch := cohortOf(c)
	ctx := c.Request.Context()
	u, err := a.Store.UserByEmail(ctx, c.PostForm("email"))
	if errors.Is(err, courses.ErrNotFound) {
		a.setFlash(c, "flash.error.no_such_user")
		c.Redirect(http.StatusSeeOther, cohortURL(co, ch.ID)+"#enrol")
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	err = a.Store.EnrolByStaff(ctx, actor(c), ch.ID, u.ID)
	if errors.Is(err, store.ErrAlreadyEnroled) {
		a.setFlash(c, "flash.error.user_already_enrolled")
		c.Redirect(http.StatusSeeOther, cohortURL(co, ch.ID)+"#enrol")
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.user_enrolled")
	c.Redirect(http.StatusSeeOther, cohortURL(co, ch.ID)+"#trainees")
}

// bulkPreview reads an uploaded spreadsheet and shows what would happen, row by row, before
// anything is written; the valid rows wait in Redis for the confirmation.
func (a *App) bulkUpload(c *gin.Context) {
	co := courseOf(c)
	ch := cohortOf(c)
	// The parser stops at courses.MaxEnrolmentBytes with its own message; the request may
	// carry a little more for the form around the file.
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, courses.MaxEnrolmentBytes+1<<20)
	file, _, err := c.Request.FormFile("csv")
	if err != nil {
		a.setFlash(c, uploadProblem(err, "flash.error.csv_too_large", "flash.error.csv_missing"))
		c.Redirect(http.StatusSeeOther, cohortURL(co, ch.ID)+"#bulk")
		return
	}
	defer file.Close()
	rows, problems := courses.ParseEnrolmentCSV(file)
	p := &bulkPreview{Rows: rows, Errors: problems, Shown: rows[:min(len(rows), 10)]}
	if len(rows) > 0 {
		if p.ID, err = a.Uploads.Put(c.Request.Context(), currentUser(c).ID, ch.ID, rows); err != nil {
			a.fail(c, err)
			return
		}
	}
	a.renderCohort(c, http.StatusOK, nil, p, nil)
}

// bulkConfirm enrols the rows of a previewed spreadsheet, all in one transaction.
func (a *App) bulkConfirm(c *gin.Context) {
	co := courseOf(c)
	ch := cohortOf(c)
	ctx := c.Request.Context()
	rows, err := a.Uploads.Take(ctx, c.PostForm("upload"), currentUser(c).ID, ch.ID)
	if errors.Is(err, courses.ErrNotFound) {
		a.setFlash(c, "flash.error.upload_expired")
		c.Redirect(http.StatusSeeOther, cohortURL(co, ch.ID)+"#bulk")
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	res, err := a.Store.BulkEnrol(ctx, actor(c), co.ID, ch.ID, rows, a.now())
	if err != nil {
		a.fail(c, err)
		return
	}
	a.renderCohort(c, http.StatusOK, nil, nil, &res)
}

// PasswordURL is the one-time link a new account sets its password with.
func (p cohortPage) PasswordURL(token string) string {
	return strings.TrimSuffix(p.BaseURL, "/") + "/password/set?token=" + token
}
