package handlers

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

// An instructor brings questions into a course's bank from a GIFT file (Moodle's format) in
// two steps: the file is checked and what it would create is shown, and only the
// confirmation, which sends the same text back, writes, all in one transaction. The bank
// goes out the same way, as one GIFT file per language.

// maxGIFTImportBody bounds the import forms: a file and a pasted text of MaxGIFTBytes each
// (multipart), or the text sent back percent-encoded, three bytes a byte, for the confirmation.
const maxGIFTImportBody = 3*courses.MaxGIFTBytes + 1<<20

type giftImportPage struct {
	Head       courseHeader
	URL        string // the import form's
	Languages  []string
	Categories []courses.QuestionCategory
	Problems   []courses.GIFTError
	Preview    []giftPreviewRow // set once the text is valid, or its bad questions are skipped
	Text       string           // what the confirmation sends back
	Lang       string
	Category   string
	Skip       bool
}

// giftPreviewRow is one question the confirmation would create.
type giftPreviewRow struct {
	Line     int
	Type     courses.QuestionType
	Title    string
	Answers  int
	Points   float64
	Category string
}

// ExportURL is where the bank is downloaded as GIFT in lang.
func (p giftImportPage) ExportURL(lang string) string {
	return p.Head.URL + "/questions/export.gift?lang=" + lang
}

func (a *App) giftImportForm(c *gin.Context) {
	co := courseOf(c)
	a.renderGIFTImport(c, http.StatusOK, giftImportPage{Lang: co.DefaultLanguage}, nil)
}

func (a *App) renderGIFTImport(c *gin.Context, status int, p giftImportPage, errs courses.FieldErrors) {
	co := courseOf(c)
	cats, err := a.Store.Categories(c.Request.Context(), co.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	p.Head, p.URL, p.Languages, p.Categories = a.courseHeader(c, co, ""), courseURL(co)+"/questions/import", co.Languages(), cats
	v := a.newView(c, p)
	values := map[string]string{"text": shown(p.Text), "lang": p.Lang, "category": shown(p.Category)}
	if p.Skip {
		values["skip"] = "on"
	}
	v.Form = &form{Values: values, Errors: errs}
	a.render(c, status, "teach_gift_import", v)
}

// giftImportCheck reads an uploaded file or a pasted text and shows every problem, or what
// would be created; nothing is written.
func (a *App) giftImportCheck(c *gin.Context) {
	text := c.PostForm("text")
	if file, _, err := c.Request.FormFile("file"); err == nil {
		data, err := io.ReadAll(io.LimitReader(file, courses.MaxGIFTBytes+1))
		file.Close()
		if err != nil {
			a.fail(c, err)
			return
		}
		if len(data) > 0 {
			text = string(data)
		}
	}
	a.checkGIFT(c, text, false)
}

// giftImportConfirm checks the text sent back again, and writes its questions.
func (a *App) giftImportConfirm(c *gin.Context) {
	a.checkGIFT(c, c.PostForm("text"), true)
}

// checkGIFT parses text as the form says, shows the problems or the preview, and when write
// is set and there is something to write, writes it.
func (a *App) checkGIFT(c *gin.Context, text string, write bool) {
	co := courseOf(c)
	p := giftImportPage{Text: text, Lang: c.PostForm("lang"), Category: strings.TrimSpace(c.PostForm("category")), Skip: c.PostForm("skip") != ""}
	errs := inputErrors(c)
	if !slices.Contains(co.Languages(), p.Lang) {
		errs["lang"] = "teach.gift.language_invalid"
	}
	if p.Category != "" {
		if key := courses.ValidateTitle(p.Category); key != "" {
			errs["category"] = key
		}
	}
	switch {
	case strings.TrimSpace(text) == "":
		errs["text"] = "teach.gift.missing"
	case utf8.ValidString(text) && !courses.ValidText(text): // broken UTF-8 is ParseGIFT's to place on its line
		errs["text"] = courses.KeyBadCharacters
	}
	if len(errs) > 0 {
		a.renderGIFTImport(c, http.StatusUnprocessableEntity, p, errs)
		return
	}
	qs, problems := courses.ParseGIFT([]byte(text), p.Lang)
	p.Problems = problems
	if len(problems) > 0 && (!p.Skip || len(qs) == 0) {
		a.renderGIFTImport(c, http.StatusUnprocessableEntity, p, nil)
		return
	}
	bank := make([]courses.BankQuestion, len(qs))
	for i, gq := range qs {
		bank[i] = courses.BankQuestion{Category: gq.Category, Question: gq.Question}
		if bank[i].Category == "" {
			bank[i].Category = p.Category
		}
		if bank[i].Category == "" {
			bank[i].Category = courses.DefaultCategory
		}
	}
	if !write {
		for i, gq := range qs {
			t := gq.Question.Texts[p.Lang]
			title := t.Name
			if title == "" {
				title = giftExcerpt(t.Text)
			}
			p.Preview = append(p.Preview, giftPreviewRow{Line: gq.Line, Type: gq.Question.Type, Title: title,
				Answers: len(gq.Question.Answers), Points: gq.Question.Points, Category: bank[i].Category})
		}
		a.renderGIFTImport(c, http.StatusOK, p, nil)
		return
	}
	if _, err := a.Store.ImportQuestions(c.Request.Context(), co.ID, bank, currentUser(c).ID); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.questions_imported")
	c.Redirect(http.StatusSeeOther, courseURL(co)+"/questions/import")
}

// giftExport downloads the course's bank as one GIFT file in the language asked for (the
// course's main language by default); texts missing in it fall back as trainees see them.
func (a *App) giftExport(c *gin.Context) {
	co := courseOf(c)
	lang := c.DefaultQuery("lang", co.DefaultLanguage)
	if !courses.ValidLanguage(lang) {
		a.notFound(c)
		return
	}
	bank, err := a.Store.Questions(c.Request.Context(), co.ID, 0)
	if err != nil {
		a.fail(c, err)
		return
	}
	qs := make([]courses.GIFTQuestion, len(bank))
	for i, q := range bank {
		qs[i] = courses.GIFTQuestion{Category: q.Category, Question: q.Question}
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-questions.%s.gift"`, co.Slug, lang))
	c.Data(http.StatusOK, "text/plain; charset=utf-8", courses.WriteGIFT(qs, lang))
}

// giftExcerpt is the start of a question without a title, for the preview.
func giftExcerpt(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 80 {
		return string(r[:79]) + "…"
	}
	return s
}

// GIFTMessage translates one problem of a GIFT file.
func (v *view) GIFTMessage(e courses.GIFTError) string {
	return v.BundleMessage(courses.BundleError{Key: e.Key, Args: e.Args})
}
