package handlers

import (
	"net/http"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

// imagesPage is the course editor's images: what lessons can show, and the upload form.
// Uploading and deleting are in teach_files.go, with the other files an instructor sends.
type imagesPage struct {
	Head   courseHeader
	Images []courses.Image
	URL    string
}

func (a *App) images(c *gin.Context) {
	co := courseOf(c)
	list, err := a.Store.Images(c.Request.Context(), co.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, http.StatusOK, "teach_images", a.newView(c, imagesPage{Head: a.courseHeader(c, co, tabImages), Images: list, URL: courseURL(co) + "/images"}))
}
