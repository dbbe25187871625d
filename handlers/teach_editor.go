package handlers

import (
	"strconv"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

// The course editor is a few small pages under /teach/courses/:course, one per part of the
// course, with a sub-navigation between them; a new part (the question bank, quizzes) is
// one more tab here, one more page and its routes.
const (
	tabOutline      = "outline" // the editor's first page, at the course's own URL
	tabDetails      = "details"
	tabTranslations = "translations"
	tabImages       = "images"
	tabInstructors  = "instructors"
	tabCohorts      = "cohorts"
	tabQuestions    = "questions"
	tabGrading      = "grading"
	tabCertificate  = "certificate"
	tabReport       = "report"
)

// editorTab is one entry of the editor's sub-navigation.
type editorTab struct {
	Name, Label, URL string
}

// courseHeader is what every page of the course editor shows above its own part.
type courseHeader struct {
	Course    courses.Course
	Title     string // in the viewer's language where the course has it, else its default
	TitleLang string // the language Title is in
	URL       string // the course's editor
	Tab       string // the page shown
	Tabs      []editorTab
}

func (a *App) courseHeader(c *gin.Context, co courses.Course, tab string) courseHeader {
	text, lang := courses.Pick(co.Texts, a.lang(c), co.DefaultLanguage)
	base := courseURL(co)
	return courseHeader{Course: co, Title: text.Title, TitleLang: lang, URL: base, Tab: tab, Tabs: []editorTab{
		{tabOutline, "teach.nav.outline", base},
		{tabDetails, "teach.nav.details", base + "/details"},
		{tabTranslations, "teach.nav.translations", base + "/translations"},
		{tabImages, "teach.nav.images", base + "/images"},
		{tabInstructors, "teach.nav.instructors", base + "/instructors"},
		{tabCohorts, "teach.nav.cohorts", base + "/cohorts"},
		{tabQuestions, "teach.nav.questions", base + "/questions"},
		{tabGrading, "teach.nav.grading", base + "/grading"},
		{tabCertificate, "teach.nav.certificate", base + "/certificate"},
		{tabReport, "teach.nav.report", base + "/report"},
	}}
}

func courseURL(co courses.Course) string { return "/teach/courses/" + strconv.FormatInt(co.ID, 10) }
