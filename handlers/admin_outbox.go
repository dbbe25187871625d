package handlers

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

// The outbox: every email Aula sent, is sending or kept, for the administrators. Where no
// mail server is configured it is where emails are read, links and all.

const outboxPerPage = 50

type outboxPage struct {
	Rows     []store.OutboxEmail
	Counts   map[courses.EmailStatus]int
	Statuses []courses.EmailStatus
	Kinds    []courses.EmailKind
	Sending  bool // a mail server is configured
	Failed   int  // emails given up, of every search
	Total    int
	pager
}

func (a *App) outbox(c *gin.Context) {
	q := c.Request.URL.Query()
	f := store.OutboxFilter{Status: courses.EmailStatus(q.Get("status")), Kind: courses.EmailKind(q.Get("kind")),
		To: strings.TrimSpace(q.Get("to")), Limit: outboxPerPage}
	fm := &form{Values: map[string]string{"status": shown(q.Get("status")), "kind": shown(q.Get("kind")), "to": shown(q.Get("to"))},
		Errors: courses.FieldErrors{}}
	if f.Status != "" && !f.Status.Valid() {
		fm.Errors["status"] = "admin.outbox.error.status"
	}
	if f.Kind != "" && !f.Kind.Valid() {
		fm.Errors["kind"] = "admin.outbox.error.kind"
	}
	if msg := courses.CheckLine(f.To, courses.MaxEmailLength); msg != "" {
		fm.Errors["to"] = msg
	}
	page, err := strconv.Atoi(q.Get("page"))
	if q.Get("page") == "" {
		page, err = 1, nil
	}
	if err != nil || page < 1 || page > 100000 {
		fm.Errors["page"] = "admin.outbox.error.page"
		page = 1
	}
	data := outboxPage{Statuses: courses.EmailStatuses, Kinds: courses.EmailKinds, Sending: a.Config.Sending}
	status := http.StatusOK
	if len(fm.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	} else {
		f.Offset = (page - 1) * outboxPerPage
		if data.Rows, data.Total, data.Counts, err = a.Store.Outbox(c.Request.Context(), f); err != nil {
			a.fail(c, err)
			return
		}
		data.Failed = data.Counts[courses.EmailFailed]
		data.pager = newPager(page, outboxPerPage, data.Total, len(data.Rows), func(p int) string {
			v := url.Values{}
			for _, k := range []string{"status", "kind", "to"} {
				if q.Get(k) != "" {
					v.Set(k, q.Get(k))
				}
			}
			v.Set("page", strconv.Itoa(p))
			return "/admin/outbox?" + v.Encode()
		})
	}
	v := a.newView(c, data)
	v.Form = fm
	a.render(c, status, "admin_outbox", v)
}

// outboxEmail loads the email of the path once, for the routes below it.
func (a *App) outboxEmail(c *gin.Context) {
	id, ok := paramID(c, "email")
	if !ok {
		a.notFound(c)
		return
	}
	e, err := a.Store.OutboxEmail(c.Request.Context(), id)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Set("outbox_email", e)
	c.Next()
}

func loadedEmail(c *gin.Context) store.OutboxEmail {
	return c.MustGet("outbox_email").(store.OutboxEmail)
}

type outboxEmailPage struct {
	store.OutboxEmail
	Preview bool   // not rendered by a worker yet: shown as it will be
	Link    string // the link the email carries, absolute
	Hidden  bool   // it carries a one-time link that only its recipient may see
}

// secret says whether e's text must not be shown: it carries a one-time link (a password or
// an address to confirm) not yet blanked, and a mail server is configured, so the recipient's
// mailbox is where it belongs. Without one (local use) the outbox is that mailbox.
func (a *App) secret(e store.OutboxEmail) bool {
	return a.Config.Sending && strings.Contains(e.Data["Link"], "token=") && !strings.Contains(e.Data["Link"], "token=[sent]")
}

// messageOf is the email as sent, or as it will be while no worker has rendered it.
func (a *App) messageOf(e store.OutboxEmail) (store.Message, bool, error) {
	if e.Message.Subject != "" {
		return e.Message, false, nil
	}
	m, err := a.RenderEmail(e.Email)
	return m, true, err
}

func (a *App) showOutboxEmail(c *gin.Context) {
	e := loadedEmail(c)
	m, preview, err := a.messageOf(e)
	if err != nil {
		a.fail(c, err)
		return
	}
	e.Message = m
	data := outboxEmailPage{OutboxEmail: e, Preview: preview, Hidden: a.secret(e)}
	if path := e.Data["Link"]; strings.HasPrefix(path, "/") && !data.Hidden {
		data.Link = strings.TrimSuffix(a.Config.BaseURL.String(), "/") + path
	}
	if data.Hidden {
		data.Message.Text, data.Message.HTML = "", ""
	}
	noReferrer(c) // the page shows one-time links
	a.render(c, http.StatusOK, "admin_outbox_email", a.newView(c, data))
}

// outboxHTML shows an email's HTML as its recipient's mail program would, sandboxed: no
// script, no form, nothing loaded from anywhere.
func (a *App) outboxHTML(c *gin.Context) {
	if a.secret(loadedEmail(c)) {
		a.notFound(c)
		return
	}
	m, _, err := a.messageOf(loadedEmail(c))
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'")
	noReferrer(c)
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(m.HTML))
}

func (a *App) outboxAttachment(c *gin.Context) {
	m, _, err := a.messageOf(loadedEmail(c))
	if err != nil {
		a.fail(c, err)
		return
	}
	if m.AttachmentName == "" {
		a.notFound(c)
		return
	}
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": m.AttachmentName}))
	c.Data(http.StatusOK, m.AttachmentType, m.Attachment)
}

func (a *App) retryOutboxEmail(c *gin.Context) {
	e := loadedEmail(c)
	err := a.Store.RetryEmail(c.Request.Context(), e.ID)
	switch {
	case errors.Is(err, courses.ErrConflict):
		a.setFlash(c, "flash.error.email_not_failed")
	case err != nil:
		a.fail(c, err)
		return
	default:
		a.setFlash(c, "flash.email_retried")
	}
	c.Redirect(http.StatusSeeOther, "/admin/outbox/"+strconv.FormatInt(e.ID, 10))
}
