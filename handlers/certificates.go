package handlers

import (
	"net/http"
	"strconv"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
	qrcode "github.com/skip2/go-qrcode"
)

// The trainee's certificates: "My certificates", one certificate's page and its downloads.

// holderCertificate loads the signed-in trainee's :certificate (read with certificateOf, as
// the administrators' loader's); anyone else's is a 404, so that ids say nothing about whose
// they are.
func (a *App) holderCertificate(c *gin.Context) {
	id, ok := paramID(c, "certificate")
	if !ok {
		a.notFound(c)
		return
	}
	cert, err := a.Store.HolderCertificate(c.Request.Context(), currentUser(c).ID, id)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Set(ctxCertificate, cert)
	c.Next()
}

// certificateView is a certificate with its status now and its links.
type certificateView struct {
	courses.Certificate
	Status    courses.CertificateStatus
	Code      string // grouped in fours
	Href      string
	VerifyURL string
	LinkedIn  string
}

func (a *App) certificateView(cert courses.Certificate) certificateView {
	return a.certificateViewAs(cert, a.certificateStatus(cert))
}

// certificateViewAs is certificateView for a status already worked out (the signature checked).
func (a *App) certificateViewAs(cert courses.Certificate, status courses.CertificateStatus) certificateView {
	return certificateView{Certificate: cert, Status: status,
		Code: courses.FormatCode(cert.Facts.Code), Href: "/certificates/" + strconv.FormatInt(cert.ID, 10),
		VerifyURL: a.verifyURL(cert.Facts.Code), LinkedIn: a.linkedInURL(cert)}
}

func (a *App) myCertificates(c *gin.Context) {
	list, err := a.Store.HolderCertificates(c.Request.Context(), currentUser(c).ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	views := make([]certificateView, len(list))
	for i, cert := range list {
		views[i] = a.certificateView(cert)
	}
	a.render(c, http.StatusOK, "certificates", a.newView(c, views))
}

func (a *App) certificatePage(c *gin.Context) {
	a.render(c, http.StatusOK, "certificate", a.newView(c, a.certificateView(certificateOf(c))))
}

func (a *App) downloadPDF(c *gin.Context) {
	cert := certificateOf(c)
	pdf, err := a.certificatePDF(cert)
	if err != nil {
		a.fail(c, err)
		return
	}
	attachment(c, cert, "pdf")
	c.Header("Cache-Control", "private, no-cache")
	c.Data(http.StatusOK, "application/pdf", pdf)
}

func (a *App) downloadBadge(c *gin.Context) {
	cert := certificateOf(c)
	body, err := a.badge(cert)
	if err != nil {
		a.fail(c, err)
		return
	}
	attachment(c, cert, "json")
	c.Header("Cache-Control", "private, no-cache")
	c.Data(http.StatusOK, "application/vc+ld+json", body)
}

func (a *App) downloadJWT(c *gin.Context) {
	cert := certificateOf(c)
	body, err := a.badgeJWT(cert)
	if err != nil {
		a.fail(c, err)
		return
	}
	attachment(c, cert, "jwt")
	c.Header("Cache-Control", "private, no-cache")
	c.Data(http.StatusOK, "application/vc+jwt", []byte(body))
}

// certificateQR is the QR code of the certificate's verification page, for the holder to
// show on a phone.
func (a *App) certificateQR(c *gin.Context) {
	png, err := qrcode.Encode(a.verifyURL(certificateOf(c).Facts.Code), qrcode.Medium, 320)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, max-age=86400")
	c.Data(http.StatusOK, "image/png", png)
}
