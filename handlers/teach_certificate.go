package handlers

import (
	"net/http"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

// certificateSettingsPage is the course editor's page of certificate rules.
type certificateSettingsPage struct {
	Head        courseHeader
	URL         string
	Issues      []courses.CertificateIssue
	Signatories []courses.Signatory // one per row of the form, as typed or stored
	MaxMonths   int
}

func (a *App) certificateSettings(c *gin.Context) {
	co := courseOf(c)
	cs, err := a.Store.CertificateSettings(c.Request.Context(), co.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.renderCertificateSettings(c, http.StatusOK, cs.Form(), nil)
}

func (a *App) renderCertificateSettings(c *gin.Context, status int, f courses.CertificateForm, errs courses.FieldErrors) {
	co := courseOf(c)
	v := a.newView(c, certificateSettingsPage{Head: a.courseHeader(c, co, tabCertificate), URL: courseURL(co) + "/certificate",
		Issues: courses.CertificateIssues, Signatories: f.Signatories, MaxMonths: courses.MaxValidMonths})
	v.Form = &form{Values: f.Values(), Errors: errs}
	a.render(c, status, "teach_certificate", v)
}

func (a *App) saveCertificateSettings(c *gin.Context) {
	co := courseOf(c)
	names, titles := c.PostFormArray("signatory_name"), c.PostFormArray("signatory_title")
	if len(names) > courses.MaxSignatories || len(titles) > courses.MaxSignatories {
		a.badInput(c) // the form has MaxSignatories rows: more is no page's
		return
	}
	f := courses.CertificateForm{Issue: c.PostForm("issue"), ValidMonths: c.PostForm("valid_months"),
		Signatories: make([]courses.Signatory, courses.MaxSignatories)}
	for i := range f.Signatories {
		if i < len(names) {
			f.Signatories[i].Name = names[i]
		}
		if i < len(titles) {
			f.Signatories[i].Title = titles[i]
		}
	}
	cs, errs := courses.ParseCertificateForm(f)
	if len(errs) > 0 {
		a.renderCertificateSettings(c, http.StatusUnprocessableEntity, f, errs)
		return
	}
	if err := a.Store.SaveCertificateSettings(c.Request.Context(), co.ID, cs); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.certificate_settings_saved")
	c.Redirect(http.StatusSeeOther, courseURL(co)+"/certificate")
}
