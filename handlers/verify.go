package handlers

import (
	"errors"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

// Verification: anyone, without an account, checks a certificate by its code, from the QR
// code printed on it or typed from paper. Pages for people, the same facts as JSON for
// machines (Accept: application/json).

type verifyPage struct {
	Typed  string // what was typed, shown back with the error
	Status courses.CertificateStatus
	Cert   *certificateView
}

// verification is the JSON answer.
type verification struct {
	Status           courses.CertificateStatus `json:"status"`
	Code             string                    `json:"code,omitempty"`
	Holder           string                    `json:"holder,omitempty"`
	Course           string                    `json:"course,omitempty"`
	Cohort           string                    `json:"cohort,omitempty"`
	Hours            int                       `json:"hours,omitempty"`
	School           string                    `json:"school,omitempty"`
	Language         string                    `json:"language,omitempty"`
	CompletedOn      string                    `json:"completed_on,omitempty"`
	IssuedAt         string                    `json:"issued_at,omitempty"`
	ExpiresOn        string                    `json:"expires_on,omitempty"`
	RevokedAt        string                    `json:"revoked_at,omitempty"`
	RevocationReason string                    `json:"revocation_reason,omitempty"`
	ReplacedBy       string                    `json:"replaced_by,omitempty"`
	KeyID            string                    `json:"key_id,omitempty"`
	SignatureValid   bool                      `json:"signature_valid"`
	VerifyURL        string                    `json:"verify_url,omitempty"`
}

func wantsJSON(c *gin.Context) bool {
	accept := c.GetHeader("Accept")
	return strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/html")
}

// verifyForm is the form to type a code; with ?code= it goes to that code's page.
func (a *App) verifyForm(c *gin.Context) {
	typed := c.Query("code")
	if typed == "" {
		a.render(c, http.StatusOK, "verify", a.newView(c, verifyPage{}))
		return
	}
	code, err := courses.ParseCode(typed)
	if err != nil {
		a.metrics.verifications.WithLabelValues(string(courses.CertificateMistyped)).Inc()
		a.render(c, http.StatusUnprocessableEntity, "verify", a.newView(c, verifyPage{Typed: typed, Status: courses.CertificateMistyped}))
		return
	}
	c.Redirect(http.StatusSeeOther, "/verify/"+code)
}

func (a *App) verifyCertificate(c *gin.Context) {
	c.Header("Vary", "Accept")
	wait, err := a.Limiter.AllowVerify(c.Request.Context(), c.ClientIP())
	if err != nil {
		a.fail(c, err)
		return
	}
	if wait > 0 {
		if wantsJSON(c) {
			c.Header("Retry-After", itoa(int(math.Ceil(wait.Seconds()))))
			c.JSON(http.StatusTooManyRequests, gin.H{"status": "throttled", "retry_after": int(math.Ceil(wait.Seconds()))})
			return
		}
		a.throttled(c, wait)
		return
	}
	typed := c.Param("code")
	code, perr := courses.ParseCode(typed)
	err = perr
	if err == nil && code != typed {
		// One URL per certificate: a typed form goes to the canonical one.
		c.Redirect(http.StatusMovedPermanently, "/verify/"+code)
		return
	}
	status := courses.CertificateMistyped
	var cert courses.Certificate
	if err == nil {
		if cert, err = a.Store.CertificateByCode(c.Request.Context(), code); err == nil {
			status = a.certificateStatus(cert)
		} else if errors.Is(err, courses.ErrNotFound) {
			status = courses.CertificateNotFound
		} else {
			a.fail(c, err)
			return
		}
	}
	a.metrics.verifications.WithLabelValues(string(status)).Inc()
	httpStatus := http.StatusOK
	if status == courses.CertificateNotFound || status == courses.CertificateMistyped {
		httpStatus = http.StatusNotFound
	}
	// Revocation must show at once: nobody keeps a copy.
	c.Header("Cache-Control", "no-cache")
	if wantsJSON(c) {
		c.JSON(httpStatus, a.verification(status, cert))
		return
	}
	page := verifyPage{Status: status}
	if cert.ID != 0 {
		v := a.certificateViewAs(cert, status)
		page.Cert = &v
	} else {
		page.Typed = typed
	}
	a.render(c, httpStatus, "verify", a.newView(c, page))
}

func (a *App) verification(status courses.CertificateStatus, cert courses.Certificate) verification {
	v := verification{Status: status}
	if cert.ID == 0 {
		return v
	}
	f := cert.Facts
	v.Code, v.Holder, v.Course, v.Cohort, v.Hours, v.School, v.Language = courses.FormatCode(f.Code), f.Holder, f.Course, f.Cohort, f.Hours, f.School, f.Language
	v.CompletedOn, v.IssuedAt, v.ExpiresOn = f.CompletedOn, f.IssuedAt.UTC().Format(time.RFC3339), f.ExpiresOn
	if !cert.RevokedAt.IsZero() {
		v.RevokedAt = cert.RevokedAt.UTC().Format(time.RFC3339)
		v.RevocationReason = cert.RevokedReason
	}
	if cert.ReplacedBy != "" {
		v.ReplacedBy = courses.FormatCode(cert.ReplacedBy)
	}
	v.KeyID, v.SignatureValid, v.VerifyURL = cert.KeyID, status != courses.CertificateInvalid, a.verifyURL(f.Code)
	return v
}
