package handlers

import (
	"net/http"
	"slices"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

// notificationsPage is what /profile/notifications shows: one box per group a user may turn
// off, checked when its emails are sent, and the account's emails, which always are.
type notificationsPage struct {
	Groups   []notificationChoice
	Required []courses.EmailKind
}

type notificationChoice struct {
	Group   courses.NotificationGroup
	Receive bool
}

func (a *App) notificationsForm(c *gin.Context) {
	off, err := a.Store.NotificationsOff(c.Request.Context(), currentUser(c).ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	p := notificationsPage{}
	for _, g := range courses.NotificationGroups {
		p.Groups = append(p.Groups, notificationChoice{Group: g, Receive: !slices.Contains(off, g)})
	}
	for _, k := range courses.EmailKinds {
		if k.Required() {
			p.Required = append(p.Required, k)
		}
	}
	a.render(c, http.StatusOK, "notifications", a.newView(c, p))
}

// saveNotifications turns off every group whose box was not checked. A value that names no
// group changes nothing: the page comes back saying so.
func (a *App) saveNotifications(c *gin.Context) {
	receive := c.PostFormArray("receive")
	for _, v := range receive {
		if !courses.NotificationGroup(v).Valid() {
			a.setFlash(c, "flash.error.notifications_invalid")
			c.Redirect(http.StatusSeeOther, "/profile/notifications")
			return
		}
	}
	var off []courses.NotificationGroup
	for _, g := range courses.NotificationGroups {
		if !slices.Contains(receive, string(g)) {
			off = append(off, g)
		}
	}
	if err := a.Store.SetNotificationsOff(c.Request.Context(), currentUser(c).ID, off); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.notifications_saved")
	c.Redirect(http.StatusSeeOther, "/profile/notifications")
}
