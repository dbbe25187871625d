package handlers

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

// The audit trail, read-only: no route edits or deletes an entry.

const (
	auditPerPage = 50
	// auditTimeLayout writes a moment in UTC, saying so: the server's, the admin's and the
	// trainee's zones differ, and the search's days are UTC days too.
	auditTimeLayout = "2006-01-02 15:04:05 UTC"
	// auditExportLimit bounds one CSV download; a larger export is narrowed by the search.
	auditExportLimit = 100000
)

// auditFields are the search's fields, as the address names them.
var auditFields = []string{"actor", "subject", "user", "action", "course", "from", "to"}

// auditRow is one entry as the page and the CSV show it.
type auditRow struct {
	At, AtISO             string
	Actor, ActorEmail, IP string
	ActorURL              string
	Action                string
	Subject, SubjectEmail string
	SubjectURL            string
	Course, CourseLang    string
	CourseURL             string
	Certificate           string // its admin page
	Details               []auditDetail
}

type auditDetail struct{ Label, Value string }

type auditPage struct {
	Filter   courses.AuditFilter
	Actions  []courses.AuditAction
	Courses  []courses.LocalCourse
	Rows     []auditRow
	Searched bool // false: the search had errors and was not run
	Total    int
	pager
	CSVURL string
}

func (a *App) auditLog(c *gin.Context) {
	ctx := c.Request.Context()
	f, errs := courses.ParseAuditFilter(c.Request.URL.Query())
	fm := &form{Values: map[string]string{}, Errors: errs}
	for _, k := range auditFields {
		fm.Values[k] = c.Query(k)
	}
	data := auditPage{Filter: f, Actions: courses.AuditActions}
	list, titles, err := a.courseTitles(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	data.Courses = list
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	} else {
		entries, total, err := a.Store.AuditLog(ctx, f, (f.Page-1)*auditPerPage, auditPerPage)
		if err != nil {
			a.fail(c, err)
			return
		}
		data.Searched, data.Total = true, total
		for _, e := range entries {
			data.Rows = append(data.Rows, a.auditRow(c, e, titles))
		}
		data.pager = newPager(f.Page, auditPerPage, total, len(entries), func(p int) string { return "/admin/audit?" + f.Query(p) })
		data.CSVURL = "/admin/audit.csv?" + f.Query(0)
	}
	v := a.newView(c, data)
	v.Form = fm
	a.render(c, status, "admin_audit", v)
}

// exportAudit downloads the entries the search selects, as CSV (formula-safe, with a BOM).
func (a *App) exportAudit(c *gin.Context) {
	f, errs := courses.ParseAuditFilter(c.Request.URL.Query())
	if len(errs) > 0 {
		a.badInput(c)
		return
	}
	_, titles, err := a.courseTitles(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	entries, total, err := a.Store.AuditLog(store.FromReplica(c.Request.Context()), f, 0, auditExportLimit)
	if err != nil {
		a.fail(c, err)
		return
	}
	if total > len(entries) {
		// An export held as evidence is whole or not made: never cut short without a word.
		a.renderError(c, http.StatusUnprocessableEntity, "admin.audit.export_too_large.title", "admin.audit.export_too_large.message")
		return
	}
	lang := a.lang(c)
	t := func(id string) string { return a.i18n.translate(lang, id) }
	table := [][]string{{t("admin.audit.when"), t("admin.audit.who"), t("profile.email"), t("admin.audit.from_where"),
		t("admin.audit.what"), t("admin.audit.subject"), t("admin.audit.subject_email"), t("admin.audit.course"), t("admin.audit.detail")}}
	for _, e := range entries {
		r := a.auditRow(c, e, titles)
		details := make([]string, len(r.Details))
		for i, d := range r.Details {
			details[i] = d.Label + ": " + d.Value
		}
		table = append(table, []string{e.At.UTC().Format(time.RFC3339), r.Actor, r.ActorEmail, r.IP, r.Action, r.Subject,
			r.SubjectEmail, r.Course, strings.Join(details, "; ")})
	}
	var buf bytes.Buffer
	if err := courses.WriteCSV(&buf, table); err != nil {
		a.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="audit.csv"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// courseTitles are the school's courses in the page's language, in order for the search's
// choices and by id for the entries' course column.
func (a *App) courseTitles(c *gin.Context) ([]courses.LocalCourse, map[int64]courses.LocalCourse, error) {
	all, err := a.Store.TaughtCourses(c.Request.Context(), currentUser(c).ID, true)
	if err != nil {
		return nil, nil, err
	}
	list := make([]courses.LocalCourse, len(all))
	titles := make(map[int64]courses.LocalCourse, len(all))
	for i, co := range all {
		list[i] = courses.Localize(co, a.lang(c))
		titles[co.ID] = list[i]
	}
	return list, titles, nil
}

func (a *App) auditRow(c *gin.Context, e courses.AuditEntry, titles map[int64]courses.LocalCourse) auditRow {
	lang := a.lang(c)
	t := func(id string) string { return a.i18n.translate(lang, id) }
	r := auditRow{At: e.At.UTC().Format(auditTimeLayout), AtISO: e.At.UTC().Format(time.RFC3339), Action: t(e.Action.Key()),
		Actor: e.ActorName, ActorEmail: e.ActorEmail, IP: e.Actor.IP}
	if e.Actor.UserID == 0 {
		r.Actor = t("admin.audit.command_line")
	} else {
		r.ActorURL = "/admin/users/" + strconv.FormatInt(e.Actor.UserID, 10)
	}
	if e.UserID != 0 {
		r.Subject, r.SubjectEmail = e.UserName, e.UserEmail
		r.SubjectURL = "/admin/users/" + strconv.FormatInt(e.UserID, 10)
	}
	if e.CourseID != 0 {
		if co, ok := titles[e.CourseID]; ok {
			r.Course, r.CourseLang = co.Title, co.Language
		} else {
			r.Course = e.CourseSlug
		}
		r.CourseURL = "/teach/courses/" + strconv.FormatInt(e.CourseID, 10)
	}
	if e.CertificateID != 0 {
		r.Certificate = adminCertificateURL(e.CertificateID)
	}
	for _, k := range courses.AuditDetailKeys {
		v, ok := e.Detail[k]
		if !ok {
			continue
		}
		r.Details = append(r.Details, auditDetail{Label: t("audit.detail." + k), Value: a.auditValue(lang, e.Action, k, v)})
	}
	return r
}

// auditValue writes a detail's value for people: a role, a status or a yes in the page's
// language, a certificate's code as printed; anything else as recorded.
func (a *App) auditValue(lang string, action courses.AuditAction, key, value string) string {
	t := func(id string) string { return a.i18n.translate(lang, id) }
	switch {
	case action == courses.AuditRoleChanged && (key == "from" || key == "to"):
		return t("role." + value)
	case action == courses.AuditCourseStatus && (key == "from" || key == "to"):
		return t("status." + value)
	case action == courses.AuditAttendance && key == "status":
		return t("attendance." + value)
	case key == "status":
		return t("enrolment." + value)
	case key == "new_account":
		if value == "true" {
			return t("audit.yes")
		}
		return t("audit.no")
	case key == "code" || key == "new_code":
		return courses.FormatCode(value)
	}
	return value
}
