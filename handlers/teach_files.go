package handlers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

// maxImportBytes bounds an uploaded course zip (the route's body limit, in routes.go); the
// zip reader has its own limits on what it unpacks.
const maxImportBytes = 60 << 20

// imageName turns an uploaded file's name into a safe image name: "Mi Foto.PNG" → "mi-foto.png".
func imageName(filename, contentType string) string {
	base := strings.TrimSuffix(path.Base(strings.ReplaceAll(filename, `\`, "/")), path.Ext(filename))
	ext := map[string]string{"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp"}[contentType]
	slug := courses.Slugify(base)
	if slug == "" {
		slug = "image"
	}
	return slug + ext
}

func (a *App) uploadImage(c *gin.Context) {
	co := courseOf(c)
	file, header, err := c.Request.FormFile("image")
	if err != nil {
		a.setFlash(c, uploadProblem(err, "flash.error.image_too_large", "flash.error.image_missing"))
		c.Redirect(http.StatusSeeOther, courseURL(co)+"/images")
		return
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, courses.MaxImageBytes+1))
	if err != nil {
		a.fail(c, err)
		return
	}
	contentType, problem := courses.CheckImage(data)
	if problem != "" {
		a.setFlash(c, "flash.error."+strings.TrimPrefix(problem, "bundle."))
		c.Redirect(http.StatusSeeOther, courseURL(co)+"/images")
		return
	}
	name := imageName(header.Filename, contentType)
	if err := a.Store.SaveImage(c.Request.Context(), co.ID, name, contentType, data); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.image_uploaded")
	c.Redirect(http.StatusSeeOther, courseURL(co)+"/images")
}

func (a *App) deleteImage(c *gin.Context) {
	co := courseOf(c)
	if err := a.Store.DeleteImage(c.Request.Context(), co.ID, c.Param("name")); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.image_deleted")
	c.Redirect(http.StatusSeeOther, courseURL(co)+"/images")
}

// exportCourse downloads the course as a zip of course.yaml, Markdown lessons, images and
// the modules' quizzes in GIFT.
func (a *App) exportCourse(c *gin.Context) {
	co := courseOf(c)
	b, err := a.Store.ExportBundle(c.Request.Context(), co.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	var buf bytes.Buffer
	if err := courses.WriteBundleZip(b, &buf); err != nil {
		a.fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.zip"`, co.Slug))
	c.Data(http.StatusOK, "application/zip", buf.Bytes())
}

type importPage struct {
	Problems []courses.BundleError
}

func (a *App) importForm(c *gin.Context) {
	a.render(c, http.StatusOK, "teach_import", a.newView(c, importPage{}))
}

// importCourse reads an uploaded zip; nothing is written unless the whole course is valid.
func (a *App) importCourse(c *gin.Context) {
	problem := func(key string) {
		var args map[string]any
		if key == "bundle.zip_too_large" {
			args = map[string]any{"Max": maxImportBytes >> 20}
		}
		a.render(c, http.StatusUnprocessableEntity, "teach_import", a.newView(c, importPage{Problems: []courses.BundleError{{Key: key, Args: args}}}))
	}
	file, _, err := c.Request.FormFile("bundle")
	if err != nil {
		problem(uploadProblem(err, "bundle.zip_too_large", "bundle.zip_missing"))
		return
	}
	defer file.Close()
	data, err := io.ReadAll(file)
	if err != nil {
		a.fail(c, err)
		return
	}
	b, problems := courses.ReadBundleZip(bytes.NewReader(data), int64(len(data)))
	if len(problems) > 0 {
		a.render(c, http.StatusUnprocessableEntity, "teach_import", a.newView(c, importPage{Problems: problems}))
		return
	}
	id, created, err := a.Store.ImportBundle(c.Request.Context(), currentUser(c).ID, b)
	if errors.Is(err, courses.ErrForbidden) {
		problem("bundle.slug_taken")
		return
	}
	if errors.Is(err, store.ErrLessonCompleted) {
		problem("bundle.lesson_completed")
		return
	}
	if errors.Is(err, store.ErrQuizHasAttempts) {
		problem("bundle.quiz_attempted")
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	if created {
		a.setFlash(c, "flash.course_imported")
	} else {
		a.setFlash(c, "flash.course_reimported")
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/teach/courses/%d", id))
}

// uploadProblem tells a file larger than the request allows from a form sent without one.
func uploadProblem(err error, tooLarge, missing string) string {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge
	}
	return missing
}
