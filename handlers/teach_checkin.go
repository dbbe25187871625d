package handlers

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
	qrcode "github.com/skip2/go-qrcode"
)

// checkInMinutes is how long a check-in code works once the instructor opens it.
const checkInMinutes = 15

func (a *App) openCheckIn(c *gin.Context) {
	co, ch, se := courseOf(c), cohortOf(c), sessionOf(c)
	ctx := c.Request.Context()
	back := fmt.Sprintf("%s/sessions/%d", cohortURL(co, ch.ID), se.ID)
	if c.PostForm("action") == "close" {
		if err := a.Store.CloseCheckIn(ctx, actor(c), ch.ID, se.ID, a.now()); err != nil {
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
	if err := a.Store.OpenCheckIn(ctx, actor(c), ch.ID, se.ID, code, now, now.Add(checkInMinutes*time.Minute)); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.checkin_opened")
	c.Redirect(http.StatusSeeOther, back)
}

// checkInQR is a QR code of the check-in page with the session's code filled in.
func (a *App) checkInQR(c *gin.Context) {
	se := sessionOf(c)
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
