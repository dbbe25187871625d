package handlers

import (
	"strconv"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

// The authoring routes load the resources their path names once, in these middlewares, and
// refuse what does not belong together: a handler reads courseOf, moduleOf, lessonOf,
// cohortOf and sessionOf, and never parses an id. A new nested resource (a quiz, an
// attempt) gets its loader here and its group in routes.go.
const (
	ctxCourse      = "aula.course"
	ctxModule      = "aula.module"
	ctxLesson      = "aula.lesson"
	ctxCohort      = "aula.cohort"
	ctxSession     = "aula.session"
	ctxTranslation = "aula.translation"
	ctxCategory    = "aula.category"
	ctxQuestion    = "aula.question"
	ctxQuiz        = "aula.quiz"
	ctxAttempt     = "aula.attempt"
	ctxSlot        = "aula.slot"
)

// requireTeacher lets instructors and admins in.
func (a *App) requireTeacher(c *gin.Context) {
	if u := currentUser(c); u == nil || (u.Role != courses.RoleInstructor && u.Role != courses.RoleAdmin) {
		a.forbidden(c)
		return
	}
	c.Next()
}

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

// courseModule finds :module in the course loaded by editableCourse; any other id is a 404.
func (a *App) courseModule(c *gin.Context) {
	co := courseOf(c)
	if id, ok := paramID(c, "module"); ok {
		for _, m := range co.Modules {
			if m.ID == id {
				c.Set(ctxModule, m)
				c.Next()
				return
			}
		}
	}
	a.notFound(c)
}

// courseLesson finds :lesson in the course loaded by editableCourse; any other id is a 404.
func (a *App) courseLesson(c *gin.Context) {
	co := courseOf(c)
	if id, ok := paramID(c, "lesson"); ok {
		for _, m := range co.Modules {
			for _, l := range m.Lessons {
				if l.ID == id {
					c.Set(ctxLesson, l)
					c.Next()
					return
				}
			}
		}
	}
	a.notFound(c)
}

// courseCohort loads :cohort of the course loaded by editableCourse; a cohort of another course is a 404.
func (a *App) courseCohort(c *gin.Context) {
	id, ok := paramID(c, "cohort")
	if !ok {
		a.notFound(c)
		return
	}
	ch, err := a.Store.Cohort(c.Request.Context(), courseOf(c).ID, id)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Set(ctxCohort, ch)
	c.Next()
}

// cohortSession loads the in-person :session of the cohort loaded by courseCohort; a session of
// another cohort is a 404.
func (a *App) cohortSession(c *gin.Context) {
	id, ok := paramID(c, "session")
	if !ok {
		a.notFound(c)
		return
	}
	se, err := a.Store.Session(c.Request.Context(), cohortOf(c).ID, id)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Set(ctxSession, se)
	c.Next()
}

// translationLanguage checks :lang of the translation routes: one of Aula's languages other
// than the course's default (which is written on the details page); anything else is a 404.
func (a *App) translationLanguage(c *gin.Context) {
	lang := c.Param("lang")
	if !courses.ValidLanguage(lang) || lang == courseOf(c).DefaultLanguage {
		a.notFound(c)
		return
	}
	c.Set(ctxTranslation, lang)
	c.Next()
}

// courseCategory finds the bank category :category of the course loaded by editableCourse;
// any other id is a 404.
func (a *App) courseCategory(c *gin.Context) {
	if id, ok := paramID(c, "category"); ok {
		list, err := a.Store.Categories(c.Request.Context(), courseOf(c).ID)
		if err != nil {
			a.fail(c, err)
			return
		}
		for _, cat := range list {
			if cat.ID == id {
				c.Set(ctxCategory, cat)
				c.Next()
				return
			}
		}
	}
	a.notFound(c)
}

// courseQuestion loads :question of the course's bank at its current version; a question of
// another course, or one deleted, is a 404.
func (a *App) courseQuestion(c *gin.Context) {
	id, ok := paramID(c, "question")
	if !ok {
		a.notFound(c)
		return
	}
	q, err := a.Store.BankQuestion(c.Request.Context(), courseOf(c).ID, id)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Set(ctxQuestion, q)
	c.Next()
}

// courseQuiz loads :quiz of the course loaded by editableCourse; a quiz of another course is a 404.
func (a *App) courseQuiz(c *gin.Context) {
	id, ok := paramID(c, "quiz")
	if !ok {
		a.notFound(c)
		return
	}
	q, err := a.Store.Quiz(c.Request.Context(), courseOf(c).ID, id)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Set(ctxQuiz, q)
	c.Next()
}

// courseAttempt loads :attempt, an attempt at one of the course's quizzes, with every slot;
// an attempt at another course's quiz is a 404.
func (a *App) courseAttempt(c *gin.Context) {
	id, ok := paramID(c, "attempt")
	if !ok {
		a.notFound(c)
		return
	}
	at, err := a.Store.AttemptOfCourse(c.Request.Context(), courseOf(c).ID, id)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Set(ctxAttempt, at)
	c.Next()
}

// attemptEssay finds :slot of the attempt loaded by courseAttempt, when it holds an essay:
// only essays are marked by hand, so any other slot is a 404.
func (a *App) attemptEssay(c *gin.Context) {
	n, err := strconv.Atoi(c.Param("slot"))
	if err == nil {
		for _, s := range attemptOf(c).Slots {
			if s.Slot == n && s.Question.Type == courses.QuestionEssay {
				c.Set(ctxSlot, s)
				c.Next()
				return
			}
		}
	}
	a.notFound(c)
}

func categoryOf(c *gin.Context) courses.QuestionCategory {
	return c.MustGet(ctxCategory).(courses.QuestionCategory)
}
func questionOf(c *gin.Context) courses.BankQuestion {
	return c.MustGet(ctxQuestion).(courses.BankQuestion)
}
func quizOf(c *gin.Context) courses.Quiz        { return c.MustGet(ctxQuiz).(courses.Quiz) }
func attemptOf(c *gin.Context) courses.Attempt  { return c.MustGet(ctxAttempt).(courses.Attempt) }
func slotOf(c *gin.Context) courses.AttemptSlot { return c.MustGet(ctxSlot).(courses.AttemptSlot) }

func translationOf(c *gin.Context) string { return c.MustGet(ctxTranslation).(string) }

func courseOf(c *gin.Context) courses.Course { return c.MustGet(ctxCourse).(courses.Course) }
func moduleOf(c *gin.Context) courses.Module { return c.MustGet(ctxModule).(courses.Module) }
func moduleID(c *gin.Context) int64          { return moduleOf(c).ID }
func lessonID(c *gin.Context) int64          { return lessonOf(c).ID }
func lessonOf(c *gin.Context) courses.Lesson { return c.MustGet(ctxLesson).(courses.Lesson) }
func cohortOf(c *gin.Context) courses.Cohort { return c.MustGet(ctxCohort).(courses.Cohort) }
func sessionOf(c *gin.Context) courses.CohortSession {
	return c.MustGet(ctxSession).(courses.CohortSession)
}
