package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

type teachPage struct {
	Courses []courses.LocalCourse
}

func (a *App) teachCourses(c *gin.Context) {
	u := currentUser(c)
	list, err := a.Store.TaughtCourses(c.Request.Context(), u.ID, u.Role == courses.RoleAdmin)
	if err != nil {
		a.fail(c, err)
		return
	}
	data := teachPage{}
	for _, co := range list {
		data.Courses = append(data.Courses, courses.Localize(co, a.lang(c)))
	}
	a.render(c, http.StatusOK, "teach_courses", a.newView(c, data))
}

// courseFormOf reads the course details form; courses.ParseCourse checks it.
func courseFormOf(c *gin.Context) courses.CourseForm {
	return courses.CourseForm{Slug: c.PostForm("slug"), Level: c.PostForm("level"), Hours: c.PostForm("hours"),
		DefaultLanguage: c.PostForm("default_language"), Title: c.PostForm("title"), Summary: c.PostForm("summary"),
		MinAttendance: c.PostForm("min_attendance"), Audiences: c.PostFormArray("audiences")}
}

// parseCourseForm reads and checks the details form; values is what to show again when it comes back.
func parseCourseForm(c *gin.Context) (courses.Course, map[string]string, courses.FieldErrors) {
	f := courseFormOf(c)
	co, errs := courses.ParseCourse(f)
	values := f.Values()
	values["slug"] = co.Slug // made from the title when left empty
	return co, values, errs
}

func (a *App) newCourseForm(c *gin.Context) {
	v := a.newView(c, nil)
	v.Form = &form{Values: map[string]string{"default_language": v.Lang, "level": "introductory", "hours": "8",
		"min_attendance": strconv.Itoa(courses.DefaultMinAttendance)}}
	a.render(c, http.StatusOK, "teach_course_new", v)
}

func (a *App) createCourse(c *gin.Context) {
	co, values, errs := parseCourseForm(c)
	if len(errs) == 0 {
		id, err := a.Store.CreateCourse(c.Request.Context(), currentUser(c).ID, co)
		switch {
		case errors.Is(err, courses.ErrConflict):
			errs["slug"] = "error.slug.taken"
		case err != nil:
			a.fail(c, err)
			return
		default:
			a.setFlash(c, "flash.course_created")
			c.Redirect(http.StatusSeeOther, "/teach/courses/"+strconv.FormatInt(id, 10))
			return
		}
	}
	v := a.newView(c, nil)
	v.Form = &form{Values: values, Errors: errs}
	a.render(c, http.StatusUnprocessableEntity, "teach_course_new", v)
}

// detailsPage is the course editor's details form.
type detailsPage struct {
	Head courseHeader
	URL  string // where the form is sent: the course itself
}

func (a *App) courseDetails(c *gin.Context) {
	a.renderDetails(c, http.StatusOK, nil)
}

// renderDetails shows the details form: f when it comes back with errors, else what is stored.
func (a *App) renderDetails(c *gin.Context, status int, f *form) {
	co := courseOf(c)
	v := a.newView(c, detailsPage{Head: a.courseHeader(c, co, tabDetails), URL: courseURL(co)})
	if f == nil {
		text := co.Texts[co.DefaultLanguage]
		f = &form{Values: courses.CourseForm{Slug: co.Slug, Level: string(co.Level), Hours: strconv.Itoa(co.Hours),
			DefaultLanguage: co.DefaultLanguage, Title: text.Title, Summary: text.Summary,
			MinAttendance: strconv.Itoa(co.MinAttendance), Audiences: audienceNames(co.Audiences)}.Values()}
	}
	v.Form = f
	a.render(c, status, "teach_course_details", v)
}

func audienceNames(list []courses.Audience) []string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = string(a)
	}
	return out
}

func (a *App) updateCourse(c *gin.Context) {
	co := courseOf(c)
	details, values, errs := parseCourseForm(c)
	var next courses.Course
	if len(errs) == 0 {
		next, errs = co.WithDetails(details)
	}
	if len(errs) == 0 {
		err := a.Store.UpdateCourse(c.Request.Context(), next)
		switch {
		case errors.Is(err, courses.ErrConflict):
			errs["slug"] = "error.slug.taken"
		case err != nil:
			a.fail(c, err)
			return
		default:
			a.setFlash(c, "flash.course_saved")
			c.Redirect(http.StatusSeeOther, courseURL(co)+"/details")
			return
		}
	}
	a.renderDetails(c, http.StatusUnprocessableEntity, &form{Values: values, Errors: errs})
}

func (a *App) setCourseStatus(c *gin.Context) {
	co := courseOf(c)
	status := courses.Status(c.PostForm("status"))
	if !status.Valid() { // the page offers only valid ones
		a.fail(c, fmt.Errorf("handlers: course status %q: %w", status, courses.ErrInvalid))
		return
	}
	if status == courses.StatusPublished && co.LessonCount() == 0 {
		a.setFlash(c, "flash.error.publish_empty")
		c.Redirect(http.StatusSeeOther, courseURL(co))
		return
	}
	if err := a.Store.SetCourseStatus(c.Request.Context(), actor(c), co.ID, status); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.course_"+string(status))
	c.Redirect(http.StatusSeeOther, courseURL(co))
}

// editLanguage reads the language an authoring form writes in (lang, in the form or the
// URL): the course's default when there is none, and ErrInvalid when it is not one of
// Aula's languages, rather than writing the text into another language than asked.
func editLanguage(c *gin.Context, co courses.Course) (string, error) {
	l, ok := c.GetPostForm("lang")
	if !ok {
		l, ok = c.GetQuery("lang")
	}
	switch {
	case !ok || l == "":
		return co.DefaultLanguage, nil
	case courses.ValidLanguage(l):
		return l, nil
	}
	return "", fmt.Errorf("handlers: language %q: %w", l, courses.ErrInvalid)
}
