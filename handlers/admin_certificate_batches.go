package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

// batchRefreshSeconds is how often the progress page reloads itself, without JavaScript,
// while its batch is being worked.
const batchRefreshSeconds = 2

// startCertificateBatch asks for the certificates of everyone in the cohort who completed the
// course; a cohort whose certificates are being issued already shows that batch.
func (a *App) startCertificateBatch(c *gin.Context) {
	ch := adminCohortOf(c)
	id, err := a.Store.StartCertificateBatch(c.Request.Context(), actor(c), ch.ID)
	switch {
	case errors.Is(err, store.ErrBatchRunning):
		a.setFlash(c, "flash.certificate_batch_running")
	case err != nil:
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, batchURL(id))
}

// startRenewalBatch asks for the renewal of the cohort's certificates that have expired or will
// soon, with the reason the old ones will show.
func (a *App) startRenewalBatch(c *gin.Context) {
	ch := adminCohortOf(c)
	back := fmt.Sprintf("/teach/courses/%d/cohorts/%d#trainees", ch.CourseID, ch.ID)
	reason, problem := courses.ParseReason(c.PostForm("reason"))
	if problem != "" {
		a.setFlash(c, "flash.error.renewal_reason")
		c.Redirect(http.StatusSeeOther, back)
		return
	}
	id, err := a.Store.StartRenewalBatch(c.Request.Context(), actor(c), ch.ID, reason, a.now())
	switch {
	case errors.Is(err, store.ErrBatchRunning):
		a.setFlash(c, "flash.certificate_batch_running")
	case err != nil:
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, batchURL(id))
}

func batchURL(id int64) string { return "/admin/certificate-batches/" + strconv.FormatInt(id, 10) }

// batchPage follows a batch: issued of total, and, when done, the register of its cohort.
type batchPage struct {
	Batch       store.CertificateBatch
	Working     bool // queued or running: the page reloads itself
	Refresh     int  // seconds between reloads, 0 for none
	StopURL     string
	CourseTitle string
	CourseLang  string
	Cohort      courses.Cohort
	RegisterURL string
	CohortURL   string
	ProgressURL string
}

func (a *App) certificateBatchPage(c *gin.Context) {
	b := batchOf(c)
	ctx := c.Request.Context()
	co, err := a.Store.Course(ctx, b.CourseID)
	if err != nil {
		a.fail(c, err)
		return
	}
	ch, err := a.Store.Cohort(ctx, b.CourseID, b.CohortID)
	if err != nil {
		a.fail(c, err)
		return
	}
	text, lang := courses.Pick(co.Texts, a.lang(c), co.DefaultLanguage)
	data := batchPage{Batch: b, Working: batchWorking(b), CourseTitle: text.Title, CourseLang: lang, Cohort: ch,
		RegisterURL: "/admin/certificates?" + registerFilter{CourseID: b.CourseID, CohortID: b.CohortID}.query(0),
		CohortURL:   cohortURL(co, ch.ID), StopURL: batchURL(b.ID) + "?refresh=off", ProgressURL: batchURL(b.ID) + "/progress"}
	if data.Working && c.Query("refresh") != "off" {
		data.Refresh = batchRefreshSeconds
	}
	a.render(c, http.StatusOK, "admin_certificate_batch", a.newView(c, data))
}

func batchWorking(b store.CertificateBatch) bool {
	return b.Status == "queued" || b.Status == "running"
}

// certificateBatchProgress is the batch's progress as JSON, for aula.js to update the page in
// place instead of reloading it.
func (a *App) certificateBatchProgress(c *gin.Context) {
	b := batchOf(c)
	c.Header("Cache-Control", "no-store")
	lang := a.lang(c)
	c.JSON(http.StatusOK, gin.H{"status": b.Status, "issued": b.Issued, "total": b.Total, "working": batchWorking(b),
		"status_text": a.i18n.translate(lang, "admin.batch.status_"+b.Status),
		"issued_text": a.i18n.translate(lang, "admin.batch.issued", "Issued", b.Issued, "Total", b.Total)})
}
