package handlers

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
	qrcode "github.com/skip2/go-qrcode"
)

func cohortURL(co courses.Course, cohortID int64) string {
	return fmt.Sprintf("%s/cohorts/%d", courseURL(co), cohortID)
}

// cohortOf loads :cohort of the course loaded by editableCourse.
func (a *App) cohortOf(c *gin.Context, co courses.Course) (courses.Cohort, bool) {
	id, ok := paramID(c, "cohort")
	if !ok {
		a.notFound(c)
		return courses.Cohort{}, false
	}
	ch, err := a.Store.Cohort(c.Request.Context(), co.ID, id)
	if err != nil {
		a.fail(c, err)
		return ch, false
	}
	return ch, true
}

type cohortsPage struct {
	Course  courses.Course
	Local   courses.LocalCourse
	Cohorts []store.CohortSummary
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
	v := a.newView(c, cohortsPage{Course: co, Local: courses.Localize(co, co.DefaultLanguage), Cohorts: list, URL: courseURL(co) + "/cohorts"})
	v.Form = f
	a.render(c, status, "teach_cohorts", v)
}

func cohortFormOf(c *gin.Context) (courses.CohortForm, map[string]string) {
	f := courses.CohortForm{Name: c.PostForm("name"), StartsOn: c.PostForm("starts_on"), EndsOn: c.PostForm("ends_on"),
		Capacity: c.PostForm("capacity"), Mode: c.PostForm("mode"), Location: c.PostForm("location"),
		Policy: c.PostForm("policy"), Key: c.PostForm("key")}
	return f, map[string]string{"name": f.Name, "starts_on": f.StartsOn, "ends_on": f.EndsOn, "capacity": f.Capacity,
		"mode": f.Mode, "location": f.Location, "policy": f.Policy, "key": f.Key}
}

func (a *App) createCohort(c *gin.Context) {
	co := courseOf(c)
	f, values := cohortFormOf(c)
	ch, errs := courses.ParseCohort(f)
	if len(errs) > 0 {
		a.renderCohorts(c, http.StatusUnprocessableEntity, &form{Values: values, Errors: errs})
		return
	}
	ch.CourseID = co.ID
	id, err := a.Store.SaveCohort(c.Request.Context(), ch)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.cohort_created")
	c.Redirect(http.StatusSeeOther, cohortURL(co, id))
}

type cohortPage struct {
	Course   courses.Course
	Local    courses.LocalCourse
	Cohort   courses.Cohort
	Rows     []store.ReportRow
	Sort     string
	Sessions []courses.CohortSession
	URL      string
	Preview  *bulkPreview
	Result   *store.BulkResult
	BaseURL  string
}

type bulkPreview struct {
	ID     string
	Rows   []courses.EnrolmentRow
	Errors []courses.RowError
	Shown  []courses.EnrolmentRow // the first rows, to check the columns were read right
}

// sortReport orders the report by a column the instructor chose.
func sortReport(rows []store.ReportRow, by string) {
	less := map[string]func(a, b store.ReportRow) bool{
		"progress":   func(a, b store.ReportRow) bool { return a.Percent > b.Percent },
		"activity":   func(a, b store.ReportRow) bool { return a.LastActivity.Time.After(b.LastActivity.Time) },
		"attendance": func(a, b store.ReportRow) bool { return a.Attended > b.Attended },
		"completion": func(a, b store.ReportRow) bool {
			return a.CompletedAt.Valid && (!b.CompletedAt.Valid || a.CompletedAt.Time.Before(b.CompletedAt.Time))
		},
	}[by]
	if less != nil {
		sort.SliceStable(rows, func(i, j int) bool { return less(rows[i], rows[j]) })
	}
}

func (a *App) cohortPage(c *gin.Context) {
	a.renderCohort(c, http.StatusOK, nil, nil, nil)
}

func (a *App) renderCohort(c *gin.Context, status int, f *form, preview *bulkPreview, result *store.BulkResult) {
	co := courseOf(c)
	ch, ok := a.cohortOf(c, co)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	rows, err := a.Store.CohortReport(ctx, co.ID, ch.ID, a.now())
	if err != nil {
		a.fail(c, err)
		return
	}
	sortReport(rows, c.Query("sort"))
	sessions, err := a.Store.Sessions(ctx, ch.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	data := cohortPage{Course: co, Local: courses.Localize(co, co.DefaultLanguage), Cohort: ch, Rows: rows, Sort: c.Query("sort"),
		Sessions: sessions, URL: cohortURL(co, ch.ID), Preview: preview, Result: result, BaseURL: a.Config.BaseURL.String()}
	v := a.newView(c, data)
	// The page has several forms: the one sent back with errors keeps what was typed, the others show what is stored.
	stored := map[string]string{"name": ch.Name, "capacity": strconv.Itoa(ch.Capacity), "mode": string(ch.Mode),
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
	ch, ok := a.cohortOf(c, co)
	if !ok {
		return
	}
	f, values := cohortFormOf(c)
	next, errs := courses.ParseCohort(f)
	if len(errs) > 0 {
		a.renderCohort(c, http.StatusUnprocessableEntity, &form{Values: values, Errors: errs}, nil, nil)
		return
	}
	next.ID, next.CourseID, next.IsDefault = ch.ID, co.ID, ch.IsDefault
	if _, err := a.Store.SaveCohort(c.Request.Context(), next); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.cohort_saved")
	c.Redirect(http.StatusSeeOther, cohortURL(co, ch.ID))
}

// exportCohort downloads the cohort's report as CSV; cells that a spreadsheet would run as formulas are neutralised.
func (a *App) exportCohort(c *gin.Context) {
	co := courseOf(c)
	ch, ok := a.cohortOf(c, co)
	if !ok {
		return
	}
	rows, err := a.Store.CohortReport(c.Request.Context(), co.ID, ch.ID, a.now())
	if err != nil {
		a.fail(c, err)
		return
	}
	lang := a.lang(c)
	t := func(id string) string { return a.i18n.translate(lang, id) }
	table := [][]string{{t("report.name"), t("profile.email"), t("profile.country"), t("profile.institution"), t("profile.sector"),
		t("report.status"), t("report.progress"), t("report.last_activity"), t("report.attendance"), t("report.completed")}}
	for _, r := range rows {
		last, done := "", ""
		if r.LastActivity.Valid {
			last = r.LastActivity.Time.UTC().Format(time.RFC3339)
		}
		if r.CompletedAt.Valid {
			done = r.CompletedAt.Time.UTC().Format(time.RFC3339)
		}
		sector := ""
		if r.Sector != "" {
			sector = t("sector." + r.Sector)
		}
		table = append(table, []string{r.FullName, r.Email, r.Country, r.Institution, sector, t("enrolment." + string(r.Status)),
			strconv.Itoa(r.Percent), last, fmt.Sprintf("%d/%d", r.Attended, r.Counted), done})
	}
	var buf bytes.Buffer
	if err := courses.WriteCSV(&buf, table); err != nil {
		a.fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-cohort-%d.csv"`, co.Slug, ch.ID))
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

func (a *App) decide(c *gin.Context) {
	co := courseOf(c)
	ch, ok := a.cohortOf(c, co)
	if !ok {
		return
	}
	userID, err := strconv.ParseInt(c.PostForm("user"), 10, 64)
	if err != nil {
		a.notFound(c)
		return
	}
	approve := c.PostForm("decision") == "approve"
	status, err := a.Store.Decide(c.Request.Context(), ch.ID, userID, approve)
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
	ch, ok := a.cohortOf(c, co)
	if !ok {
		return
	}
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
	err = a.Store.EnrolByStaff(ctx, ch.ID, u.ID)
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
	ch, ok := a.cohortOf(c, co)
	if !ok {
		return
	}
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
	ch, ok := a.cohortOf(c, co)
	if !ok {
		return
	}
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
	res, err := a.Store.BulkEnrol(ctx, co.ID, ch.ID, rows, a.now())
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

type sessionPage struct {
	Course  courses.Course
	Cohort  courses.Cohort
	Session courses.CohortSession
	Roster  []store.RosterEntry
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

// checkInMinutes is how long a check-in code works once the instructor opens it.
const checkInMinutes = 15

func (a *App) openCheckIn(c *gin.Context) {
	co, ch, se, ok := a.sessionOf(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	back := fmt.Sprintf("%s/sessions/%d", cohortURL(co, ch.ID), se.ID)
	if c.PostForm("action") == "close" {
		if err := a.Store.CloseCheckIn(ctx, ch.ID, se.ID, a.now()); err != nil {
			a.fail(c, err)
			return
		}
		a.setFlash(c, "flash.checkin_closed")
		c.Redirect(http.StatusSeeOther, back)
		return
	}
	code, err := courses.NewCheckInCode(rand.Reader)
	if err != nil {
		a.fail(c, err)
		return
	}
	now := a.now()
	if err := a.Store.OpenCheckIn(ctx, ch.ID, se.ID, code, now, now.Add(checkInMinutes*time.Minute)); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.checkin_opened")
	c.Redirect(http.StatusSeeOther, back)
}

// checkInQR is a QR code of the check-in page with the session's code filled in.
func (a *App) checkInQR(c *gin.Context) {
	_, _, se, ok := a.sessionOf(c)
	if !ok {
		return
	}
	if se.CheckInCode == "" {
		a.notFound(c)
		return
	}
	png, err := qrcode.Encode(strings.TrimSuffix(a.Config.BaseURL.String(), "/")+"/checkin?code="+se.CheckInCode, qrcode.Medium, 320)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "image/png", png)
}
