package handlers

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/templates"
)

// emailLayouts are the two forms of every email: plain text, and simple HTML with the same words.
type emailLayouts struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

func parseEmailLayouts() (*emailLayouts, error) {
	text, err := texttemplate.ParseFS(templates.FS, "email/message.txt")
	if err != nil {
		return nil, fmt.Errorf("handlers: email layout: %w", err)
	}
	html, err := htmltemplate.ParseFS(templates.FS, "email/message.html")
	if err != nil {
		return nil, fmt.Errorf("handlers: email layout: %w", err)
	}
	return &emailLayouts{text: text, html: html}, nil
}

// emailView is what both layouts show.
type emailView struct {
	Lang, Subject, Greeting string
	Paragraphs              []string
	Action, Link, LinkHint  string
	Footer, School          string
}

// RenderEmail makes the message of an outbox email in its language: subject, paragraphs and
// action from the translation files (email.KIND.subject, .body, .action), with the email's
// data as template values; its link made absolute on the configured base URL; and a footer
// that says, for an optional notification, where to turn it off. The outbox's workers call it.
func (a *App) RenderEmail(e courses.Email) (store.Message, error) {
	if !e.Kind.Valid() {
		return store.Message{}, fmt.Errorf("handlers: email kind %q: %w", e.Kind, courses.ErrInvalid)
	}
	lang := e.Language
	if !courses.ValidLanguage(lang) {
		lang = courses.DefaultLanguage
	}
	data := make([]any, 0, 2*len(e.Data)+2)
	for _, k := range courses.SortKeys(e.Data) {
		data = append(data, k, e.Data[k])
	}
	school := a.i18n.translate(lang, "app.name")
	// Base makes a second path of the email absolute in its text ({{.Base}}{{.Page}}).
	data = append(data, "School", school, "Base", strings.TrimSuffix(a.Config.BaseURL.String(), "/"))
	t := func(id string) string { return a.i18n.translate(lang, id, data...) }
	prefix := "email." + string(e.Kind) + "."
	v := emailView{Lang: lang, Subject: t(prefix + "subject"), Greeting: t("email.greeting"), School: school}
	if e.Data["Name"] == "" {
		v.Greeting = t("email.greeting_plain")
	}
	for _, p := range strings.Split(t(prefix+"body"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			v.Paragraphs = append(v.Paragraphs, p)
		}
	}
	if path := e.Data["Link"]; path != "" {
		if !strings.HasPrefix(path, "/") {
			return store.Message{}, fmt.Errorf("handlers: email link %q is not a path: %w", path, courses.ErrInvalid)
		}
		v.Link = strings.TrimSuffix(a.Config.BaseURL.String(), "/") + path
		v.Action, v.LinkHint = t(prefix+"action"), t("email.link_hint")
	}
	if e.Kind.Required() {
		v.Footer = t("email.footer.required")
	} else {
		v.Footer = a.i18n.translate(lang, "email.footer.optional", "Group", t("notifications.group."+string(e.Kind.Group())),
			"Profile", strings.TrimSuffix(a.Config.BaseURL.String(), "/")+"/profile/notifications")
	}
	var text, html bytes.Buffer
	if err := a.emails.text.Execute(&text, v); err != nil {
		return store.Message{}, fmt.Errorf("handlers: email %s: %w", e.Kind, err)
	}
	if err := a.emails.html.Execute(&html, v); err != nil {
		return store.Message{}, fmt.Errorf("handlers: email %s: %w", e.Kind, err)
	}
	m := store.Message{Subject: v.Subject, Text: text.String(), HTML: html.String()}
	if err := a.emailAttachment(e, lang, &m); err != nil {
		return store.Message{}, err
	}
	return m, nil
}

// emailAttachment adds the file an email of some kinds carries: a session reminder, the
// session as an iCalendar event.
func (a *App) emailAttachment(e courses.Email, lang string, m *store.Message) error {
	if e.Kind != courses.EmailSessionReminder {
		return nil
	}
	id, err := strconv.ParseInt(e.Data["SessionID"], 10, 64)
	if err != nil {
		return fmt.Errorf("handlers: reminder without a session: %w", courses.ErrInvalid)
	}
	starts, err := time.Parse(time.RFC3339, e.Data["StartsAt"])
	if err != nil {
		return fmt.Errorf("handlers: reminder of session %d: %w", id, err)
	}
	minutes, _ := strconv.Atoi(e.Data["Minutes"])
	summary := e.Data["Course"]
	if c := e.Data["Cohort"]; c != "" {
		summary += " — " + c
	}
	base := strings.TrimSuffix(a.Config.BaseURL.String(), "/")
	ics, err := courses.SessionCalendar(courses.SessionEvent{SessionID: id, Host: a.Config.BaseURL.Hostname(), StartsAt: starts,
		Minutes: minutes, Summary: summary, Location: e.Data["Place"], URL: base + e.Data["Link"], Stamp: a.now()})
	if err != nil {
		return fmt.Errorf("handlers: reminder of session %d: %w", id, err)
	}
	m.AttachmentName, m.AttachmentType, m.Attachment = "session.ics", "text/calendar; charset=utf-8; method=PUBLISH", ics
	return nil
}
