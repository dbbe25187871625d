package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

const ctxCourse = "aula.course"

// editableCourse loads the course named by :course and refuses anyone who may not edit it.
// Every authoring route under /teach/courses/:course goes through it.
func (a *App) editableCourse(c *gin.Context) {
	id, ok := paramID(c, "course")
	if !ok {
		a.notFound(c)
		return
	}
	co, err := a.Store.Course(c.Request.Context(), id)
	if err != nil {
		a.fail(c, err)
		return
	}
	if !co.CanEdit(currentUser(c)) {
		a.forbidden(c)
		return
	}
	c.Set(ctxCourse, co)
	c.Next()
}

func courseOf(c *gin.Context) courses.Course { return c.MustGet(ctxCourse).(courses.Course) }

func courseURL(co courses.Course) string { return "/teach/courses/" + strconv.FormatInt(co.ID, 10) }

// requireTeacher lets instructors and admins in.
func (a *App) requireTeacher(c *gin.Context) {
	if u := currentUser(c); u == nil || (u.Role != courses.RoleInstructor && u.Role != courses.RoleAdmin) {
		a.forbidden(c)
		return
	}
	c.Next()
}

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

// detailsForm reads the course details form and checks it; errs is empty when it is valid.
func detailsForm(c *gin.Context) (courses.Course, map[string]string, courses.FieldErrors) {
	values := map[string]string{
		"slug": strings.TrimSpace(c.PostForm("slug")), "level": c.PostForm("level"), "hours": strings.TrimSpace(c.PostForm("hours")),
		"default_language": c.PostForm("default_language"), "title": strings.TrimSpace(c.PostForm("title")),
		"summary": strings.TrimSpace(c.PostForm("summary")), "min_attendance": strings.TrimSpace(c.PostForm("min_attendance")),
	}
	audiences := c.PostFormArray("audiences")
	for _, au := range audiences {
		values["audience."+au] = "on"
	}
	errs := courses.FieldErrors{}
	if values["slug"] == "" && values["title"] != "" {
		values["slug"] = courses.Slugify(values["title"])
	}
	if !courses.ValidSlug(values["slug"]) {
		errs["slug"] = "error.slug.invalid"
	}
	if msg := courses.ValidateTitle(values["title"]); msg != "" {
		errs["title"] = msg
	}
	if len([]rune(values["summary"])) > courses.MaxSummaryLength {
		errs["summary"] = "error.summary.too_long"
	}
	if msg := courses.ValidateAudiences(audiences); msg != "" {
		errs["audiences"] = msg
	}
	if !courses.Level(values["level"]).Valid() {
		errs["level"] = "error.level.invalid"
	}
	hours, err := strconv.Atoi(values["hours"])
	if err != nil || hours < 1 || hours > courses.MaxHours {
		errs["hours"] = "error.hours.invalid"
	}
	if !courses.ValidLanguage(values["default_language"]) {
		errs["default_language"] = "error.language.invalid"
	}
	minAttendance := courses.DefaultMinAttendance
	if values["min_attendance"] != "" {
		if minAttendance, err = strconv.Atoi(values["min_attendance"]); err != nil || minAttendance < 0 || minAttendance > 100 {
			errs["min_attendance"] = "error.min_attendance.invalid"
		}
	}
	co := courses.Course{Slug: values["slug"], Audiences: courses.SortedAudiences(audiences), Level: courses.Level(values["level"]),
		Hours: hours, DefaultLanguage: values["default_language"], MinAttendance: minAttendance,
		Texts: map[string]courses.CourseText{values["default_language"]: {Title: values["title"], Summary: values["summary"]}}}
	return co, values, errs
}

func (a *App) newCourseForm(c *gin.Context) {
	v := a.newView(c, nil)
	v.Form = &form{Values: map[string]string{"default_language": v.Lang, "level": "introductory", "hours": "8",
		"min_attendance": strconv.Itoa(courses.DefaultMinAttendance)}}
	a.render(c, http.StatusOK, "teach_course_new", v)
}

func (a *App) createCourse(c *gin.Context) {
	co, values, errs := detailsForm(c)
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

type editorPage struct {
	Course      courses.Course
	Local       courses.LocalCourse
	Instructors []courses.User
	Images      []store.CourseImage
	URL         string
}

func (a *App) courseEditor(c *gin.Context) {
	a.renderEditor(c, http.StatusOK, nil)
}

func (a *App) renderEditor(c *gin.Context, status int, f *form) {
	co := courseOf(c)
	ctx := c.Request.Context()
	instructors, err := a.Store.Instructors(ctx, co)
	if err != nil {
		a.fail(c, err)
		return
	}
	images, err := a.Store.Images(ctx, co.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	data := editorPage{Course: co, Local: courses.Localize(co, co.DefaultLanguage), Instructors: instructors, Images: images, URL: courseURL(co)}
	v := a.newView(c, data)
	text := co.Texts[co.DefaultLanguage]
	stored := map[string]string{"slug": co.Slug, "level": string(co.Level), "hours": strconv.Itoa(co.Hours),
		"min_attendance":   strconv.Itoa(co.MinAttendance),
		"default_language": co.DefaultLanguage, "title": text.Title, "summary": text.Summary}
	if f == nil || f.Values["slug"] == "" && f.Values["title"] == "" {
		// Not the details form that came back: its checkboxes show what is stored.
		for _, au := range co.Audiences {
			stored["audience."+string(au)] = "on"
		}
	}
	// The page has several forms: the one sent back with errors keeps what was typed, the others show what is stored.
	v.Form = f.over(stored)
	a.render(c, status, "teach_course", v)
}

func (a *App) updateCourse(c *gin.Context) {
	co := courseOf(c)
	next, values, errs := detailsForm(c)
	if _, ok := co.Texts[next.DefaultLanguage]; !ok && len(errs) == 0 && next.DefaultLanguage != co.DefaultLanguage {
		// A new default language needs its own title first: add the translation, then switch.
		errs["default_language"] = "error.default_language.untranslated"
	}
	if len(errs) == 0 {
		next.ID = co.ID
		if next.DefaultLanguage != co.DefaultLanguage {
			// The title and summary on the form are the old default language's: keep them there.
			next.Texts = map[string]courses.CourseText{co.DefaultLanguage: next.Texts[next.DefaultLanguage]}
		}
		err := a.Store.UpdateCourse(c.Request.Context(), next)
		switch {
		case errors.Is(err, courses.ErrConflict):
			errs["slug"] = "error.slug.taken"
		case err != nil:
			a.fail(c, err)
			return
		default:
			a.setFlash(c, "flash.course_saved")
			c.Redirect(http.StatusSeeOther, courseURL(co))
			return
		}
	}
	a.renderEditor(c, http.StatusUnprocessableEntity, &form{Values: values, Errors: errs})
}

func (a *App) setCourseStatus(c *gin.Context) {
	co := courseOf(c)
	status := courses.Status(c.PostForm("status"))
	if !status.Valid() {
		a.setFlash(c, "flash.error.status_invalid")
		c.Redirect(http.StatusSeeOther, courseURL(co))
		return
	}
	if status == courses.StatusPublished && co.LessonCount() == 0 {
		a.setFlash(c, "flash.error.publish_empty")
		c.Redirect(http.StatusSeeOther, courseURL(co))
		return
	}
	if err := a.Store.SetCourseStatus(c.Request.Context(), co.ID, status); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.course_"+string(status))
	c.Redirect(http.StatusSeeOther, courseURL(co))
}

// editLanguage reads the language an authoring form writes in; only Aula's languages pass.
func editLanguage(c *gin.Context, co courses.Course) string {
	if l := c.PostForm("lang"); courses.ValidLanguage(l) {
		return l
	}
	if l := c.Query("lang"); courses.ValidLanguage(l) {
		return l
	}
	return co.DefaultLanguage
}
