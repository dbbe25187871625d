package handlers

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

// certificatesPerPage is the register's page, like the users list's.
const certificatesPerPage = 50

// certificateStatuses are the register's status filter's choices.
var certificateStatuses = []courses.CertificateStatus{courses.CertificateValid, courses.CertificateRevoked, courses.CertificateExpired}

// registerFilter is the register's filter as the address says it, and as the store reads it.
type registerFilter struct {
	Query, Status, From, To string
	CourseID, CohortID      int64
	Page                    int
	store                   store.CertificateFilter
}

// query writes the filter back as an address's query, for paging and the CSV link.
func (f registerFilter) query(page int) string {
	v := url.Values{}
	for k, s := range map[string]string{"q": f.Query, "status": f.Status, "from": f.From, "to": f.To} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.CourseID != 0 {
		v.Set("course", strconv.FormatInt(f.CourseID, 10))
	}
	if f.CohortID != 0 {
		v.Set("cohort", strconv.FormatInt(f.CohortID, 10))
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return v.Encode()
}

// registerFilterOf reads the filter from the query. Values no page sends (an unknown status,
// an id that is not a number) are ignored, as the users list does; a search too long or a
// date that is not one is the field's error.
func registerFilterOf(c *gin.Context) (registerFilter, courses.FieldErrors) {
	f := registerFilter{Query: strings.TrimSpace(c.Query("q")), Status: c.Query("status"),
		From: strings.TrimSpace(c.Query("from")), To: strings.TrimSpace(c.Query("to")), Page: 1}
	errs := courses.FieldErrors{}
	if utf8.RuneCountInString(f.Query) > courses.MaxSearchLength {
		errs["q"] = "error.search.too_long"
	}
	if !slices.Contains(certificateStatuses, courses.CertificateStatus(f.Status)) {
		f.Status = ""
	}
	f.CourseID, _ = strconv.ParseInt(c.Query("course"), 10, 64)
	f.CohortID, _ = strconv.ParseInt(c.Query("cohort"), 10, 64)
	if p, err := strconv.Atoi(c.Query("page")); err == nil && p >= 1 && p <= maxPage {
		f.Page = p
	}
	f.store = store.CertificateFilter{Query: f.Query, CourseID: max(f.CourseID, 0), CohortID: max(f.CohortID, 0),
		Status: courses.CertificateStatus(f.Status)}
	for field, typed := range map[string]string{"from": f.From, "to": f.To} {
		if typed == "" {
			continue
		}
		day, err := time.Parse(time.DateOnly, typed)
		switch {
		case err != nil:
			errs[field] = "error.certificates.date"
		case field == "from":
			f.store.From = day
		default:
			f.store.To = day.AddDate(0, 0, 1) // the last day shown is included
		}
	}
	return f, errs
}

type registerRow struct {
	ID                                   int64
	Code, Holder, Email, Course, Cohort  string
	IssuedOn, ExpiresOn, Status, Reason  string
	CompletedOn, ReplacedBy, IssuedAtUTC string
	Hours                                int
}

func (a *App) registerRow(ct courses.Certificate) registerRow {
	f := ct.Facts
	return registerRow{ID: ct.ID, Code: courses.FormatCode(f.Code), Holder: f.Holder, Email: f.HolderEmail, Course: f.Course,
		Cohort: f.Cohort, IssuedOn: f.IssuedAt.Format(time.DateOnly), IssuedAtUTC: f.IssuedAt.UTC().Format(time.RFC3339),
		ExpiresOn: f.ExpiresOn, CompletedOn: f.CompletedOn, Hours: f.Hours, Reason: ct.RevokedReason,
		ReplacedBy: courses.FormatCode(ct.ReplacedBy), Status: string(ct.Status(a.Store.PublicKey(ct.KeyID), a.now()))}
}

// registerPage is the certificate register, with the form that issues one.
type registerPage struct {
	Filter registerFilter
	Rows   []registerRow
	Total  int
	pager
	CSVURL   string
	Courses  []courses.LocalCourse
	Cohorts  []courses.CohortSummary // of the course filtered by, if any
	Statuses []courses.CertificateStatus
}

func (a *App) certificateRegister(c *gin.Context) {
	f, errs := registerFilterOf(c)
	if len(errs) > 0 {
		a.renderRegister(c, http.StatusUnprocessableEntity, f, &form{Values: map[string]string{}, Errors: errs}, false)
		return
	}
	a.renderRegister(c, http.StatusOK, f, nil, true)
}

// renderRegister shows the register; search false shows the page without its results (a
// filter with errors, or the issue form sent back with them).
func (a *App) renderRegister(c *gin.Context, status int, f registerFilter, fm *form, search bool) {
	ctx := c.Request.Context()
	data := registerPage{Filter: f, Statuses: certificateStatuses}
	list, err := a.Store.TaughtCourses(ctx, currentUser(c).ID, true)
	if err != nil {
		a.fail(c, err)
		return
	}
	for _, co := range list {
		data.Courses = append(data.Courses, courses.Localize(co, a.lang(c)))
	}
	if f.CourseID > 0 {
		if data.Cohorts, err = a.Store.Cohorts(ctx, f.CourseID); err != nil {
			a.fail(c, err)
			return
		}
	}
	if search {
		f.store.Limit, f.store.Offset = certificatesPerPage, (f.Page-1)*certificatesPerPage
		found, total, err := a.Store.CertificateRegister(ctx, f.store, a.now())
		if err != nil {
			a.fail(c, err)
			return
		}
		data.Total = total
		for _, ct := range found {
			data.Rows = append(data.Rows, a.registerRow(ct))
		}
		data.pager = newPager(f.Page, certificatesPerPage, total, len(found), func(p int) string { return "/admin/certificates?" + f.query(p) })
		data.CSVURL = "/admin/certificates.csv?" + f.query(0)
	}
	v := a.newView(c, data)
	v.Form = fm
	a.render(c, status, "admin_certificates", v)
}

// exportCertificates downloads every certificate the register's filter selects, as CSV.
func (a *App) exportCertificates(c *gin.Context) {
	f, errs := registerFilterOf(c)
	if len(errs) > 0 {
		a.badInput(c)
		return
	}
	lang := a.lang(c)
	t := func(id string) string { return a.i18n.translate(lang, id) }
	table := [][]string{{t("admin.certificates.code"), t("admin.certificates.holder"), t("profile.email"), t("admin.certificates.course"),
		t("admin.certificates.cohort"), t("admin.certificates.hours"), t("admin.certificates.completed_on"), t("admin.certificates.issued_at"),
		t("admin.certificates.expires_on"), t("admin.certificates.status"), t("admin.certificates.reason"), t("admin.certificates.replaced_by")}}
	err := a.eachCertificate(store.FromReplica(c.Request.Context()), f.store, func(r registerRow) {
		table = append(table, []string{r.Code, r.Holder, r.Email, r.Course, r.Cohort, strconv.Itoa(r.Hours), r.CompletedOn,
			r.IssuedAtUTC, r.ExpiresOn, t("admin.certificates.status_" + r.Status), r.Reason, r.ReplacedBy})
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	var buf bytes.Buffer
	if err := courses.WriteCSV(&buf, table); err != nil {
		a.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="certificates.csv"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// eachCertificate reads the whole register the filter selects, a thousand at a time.
func (a *App) eachCertificate(ctx context.Context, f store.CertificateFilter, each func(registerRow)) error {
	const step = 1000
	for f.Offset, f.Limit = 0, step; ; f.Offset += step {
		list, total, err := a.Store.CertificateRegister(ctx, f, a.now())
		if err != nil {
			return err
		}
		for _, ct := range list {
			each(a.registerRow(ct))
		}
		if len(list) < step || f.Offset+step >= total {
			return nil
		}
	}
}

// issueCertificate issues, by an administrator, the certificate of a trainee who completed
// a course; a trainee who has one already is shown theirs.
func (a *App) issueCertificate(c *gin.Context) {
	ctx := c.Request.Context()
	email, courseValue := strings.TrimSpace(c.PostForm("email")), c.PostForm("issue_course")
	errs := withInputErrors(c, courses.FieldErrors{})
	back := func(errs courses.FieldErrors) {
		fm := &form{Values: map[string]string{"email": email, "issue_course": courseValue}, Errors: errs}
		a.renderRegister(c, http.StatusUnprocessableEntity, registerFilter{Page: 1}, fm, true)
	}
	if len(errs) > 0 {
		back(errs)
		return
	}
	courseID, _ := strconv.ParseInt(courseValue, 10, 64)
	u, err := a.Store.UserByEmail(ctx, email)
	if errors.Is(err, courses.ErrNotFound) {
		errs["email"] = "error.certificates.no_such_user"
	} else if err != nil {
		a.fail(c, err)
		return
	}
	if _, err := a.Store.Course(ctx, courseID); errors.Is(err, courses.ErrNotFound) || courseID <= 0 {
		errs["issue_course"] = "error.certificates.choose_course"
	} else if err != nil {
		a.fail(c, err)
		return
	}
	if len(errs) > 0 {
		back(errs)
		return
	}
	ct, issued, err := a.Store.IssueCertificate(ctx, actor(c), u.ID, courseID, a.now())
	switch {
	case errors.Is(err, store.ErrNotCompleted):
		back(courses.FieldErrors{"email": "error.certificates.not_completed"})
		return
	case errors.Is(err, store.ErrNoCertificates):
		back(courses.FieldErrors{"issue_course": "error.certificates.no_certificates"})
		return
	case err != nil:
		a.fail(c, err)
		return
	}
	if issued {
		a.setFlash(c, "flash.certificate_issued")
	} else {
		a.setFlash(c, "flash.certificate_already_issued")
	}
	c.Redirect(http.StatusSeeOther, adminCertificateURL(ct.ID))
}

func adminCertificateURL(id int64) string { return "/admin/certificates/" + strconv.FormatInt(id, 10) }
