package handlers

import (
	"errors"
	"net/http"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

type homePage struct {
	Resume *courses.Resume // where a signed-in trainee left off, if anywhere
}

// home greets visitors; a signed-in trainee is offered the lesson where they left off.
func (a *App) home(c *gin.Context) {
	var data homePage
	if u := currentUser(c); u != nil {
		r, err := a.Store.Resume(c.Request.Context(), u.ID, a.lang(c))
		switch {
		case err == nil:
			data.Resume = &r
		case !errors.Is(err, courses.ErrNotFound):
			a.fail(c, err)
			return
		}
	}
	a.render(c, http.StatusOK, "home", a.newView(c, data))
}
