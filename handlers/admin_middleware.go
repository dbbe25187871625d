package handlers

import (
	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

// The administrator's certificate routes load the resource their path names once, here, as
// the course editor's loaders do: a handler reads certificateOf, batchOf or adminCohortOf and
// never parses an id.
const (
	ctxCertificate = "aula.certificate"
	ctxBatch       = "aula.batch"
	ctxAdminCohort = "aula.admin_cohort"
)

// adminCertificate loads :certificate, any certificate of the school.
func (a *App) adminCertificate(c *gin.Context) {
	id, ok := paramID(c, "certificate")
	if !ok {
		a.notFound(c)
		return
	}
	ct, err := a.Store.Certificate(c.Request.Context(), id)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Set(ctxCertificate, ct)
	c.Next()
}

// certificateBatch loads :batch, a request to issue a cohort's certificates.
func (a *App) certificateBatch(c *gin.Context) {
	id, ok := paramID(c, "batch")
	if !ok {
		a.notFound(c)
		return
	}
	b, err := a.Store.CertificateBatchOf(c.Request.Context(), id)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Set(ctxBatch, b)
	c.Next()
}

// adminCohort loads :cohort, a cohort of any course.
func (a *App) adminCohort(c *gin.Context) {
	id, ok := paramID(c, "cohort")
	if !ok {
		a.notFound(c)
		return
	}
	ch, err := a.Store.AnyCohort(c.Request.Context(), id)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Set(ctxAdminCohort, ch)
	c.Next()
}

func certificateOf(c *gin.Context) courses.Certificate {
	return c.MustGet(ctxCertificate).(courses.Certificate)
}
func batchOf(c *gin.Context) store.CertificateBatch {
	return c.MustGet(ctxBatch).(store.CertificateBatch)
}
func adminCohortOf(c *gin.Context) courses.Cohort { return c.MustGet(ctxAdminCohort).(courses.Cohort) }
