package handlers

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

// certificatePage is one certificate as the register holds it, with its history and the
// forms that revoke, restore or reissue it.
type certificatePage struct {
	Row          registerRow
	Certificate  courses.Certificate
	Revoked      bool // revoked, and not replaced
	Replaced     bool
	ReplacedByID int64 // the certificate that replaced this one
	VerifyURL    string
	History      []historyEntry
}

// historyEntry is one entry of the issuance log, with who acted.
type historyEntry struct {
	Action, Reason, At string
	Actor              string // "" when Aula acted, on completion
}

func (a *App) showCertificate(c *gin.Context) { a.renderCertificate(c, http.StatusOK, nil) }

func (a *App) renderCertificate(c *gin.Context, status int, fm *form) {
	ctx := c.Request.Context()
	ct := certificateOf(c)
	data := certificatePage{Row: a.registerRow(ct), Certificate: ct, Replaced: ct.ReplacedBy != "",
		VerifyURL: "/verify/" + ct.Facts.Code}
	data.Revoked = !data.Replaced && !ct.RevokedAt.IsZero()
	if data.Replaced {
		next, err := a.Store.CertificateByCode(ctx, ct.ReplacedBy)
		if err != nil {
			a.fail(c, err)
			return
		}
		data.ReplacedByID = next.ID
	}
	history, err := a.certificateHistory(ctx, ct.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	data.History = history
	v := a.newView(c, data)
	v.Form = fm
	a.render(c, status, "admin_certificate", v)
}

// certificateHistory is the certificate's log entries, naming the administrators who acted.
func (a *App) certificateHistory(ctx context.Context, id int64) ([]historyEntry, error) {
	entries, err := a.Store.CertificateHistory(ctx, id)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	list := make([]historyEntry, len(entries))
	for i, e := range entries {
		list[i] = historyEntry{Action: string(e.Action), Reason: e.Reason, At: e.At.UTC().Format("2006-01-02 15:04 UTC")}
		if e.ActorID == 0 {
			continue
		}
		name, ok := names[e.ActorID]
		if !ok {
			u, err := a.Store.User(ctx, e.ActorID)
			if err != nil {
				return nil, err
			}
			name, names[e.ActorID] = u.FullName, u.FullName
		}
		list[i].Actor = name
	}
	return list, nil
}

func (a *App) revokeCertificate(c *gin.Context) {
	a.changeCertificate(c, "revoke", func(ctx context.Context, by courses.Actor, code, reason string, now time.Time) (int64, error) {
		return 0, a.Store.RevokeCertificate(ctx, by, code, reason, now)
	})
}

func (a *App) unrevokeCertificate(c *gin.Context) {
	a.changeCertificate(c, "unrevoke", func(ctx context.Context, by courses.Actor, code, reason string, now time.Time) (int64, error) {
		return 0, a.Store.UnrevokeCertificate(ctx, by, code, reason, now)
	})
}

func (a *App) reissueCertificate(c *gin.Context) {
	a.changeCertificate(c, "reissue", func(ctx context.Context, by courses.Actor, code, reason string, now time.Time) (int64, error) {
		next, err := a.Store.ReissueCertificate(ctx, by, code, reason, now)
		return next.ID, err
	})
}

// certificateConflicts are the refusals of a change made stale by another (a second tab, a
// colleague): the page says what happened rather than the generic conflict page.
var certificateConflicts = map[error]string{
	store.ErrAlreadyRevoked:   "flash.error.certificate_already_revoked",
	store.ErrNotRevoked:       "flash.error.certificate_not_revoked",
	store.ErrCertificateStale: "flash.error.certificate_replaced",
	store.ErrNotCompleted:     "flash.error.certificate_not_completed",
}

// changeCertificate reads the reason of action's form and makes the change; change returns
// the certificate to show next, or 0 for this one.
func (a *App) changeCertificate(c *gin.Context, action string,
	change func(ctx context.Context, by courses.Actor, code, reason string, now time.Time) (int64, error)) {
	ct := certificateOf(c)
	field := action + "-reason"
	typed := c.PostForm("reason")
	reason, key := courses.ParseReason(typed)
	if key != "" {
		a.renderCertificate(c, http.StatusUnprocessableEntity, &form{Values: map[string]string{field: typed},
			Errors: courses.FieldErrors{field: key}})
		return
	}
	next, err := change(c.Request.Context(), actor(c), ct.Facts.Code, reason, a.now())
	for kind, flash := range certificateConflicts {
		if errors.Is(err, kind) {
			a.setFlash(c, flash)
			c.Redirect(http.StatusSeeOther, adminCertificateURL(ct.ID))
			return
		}
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.certificate_"+action+"d")
	if next == 0 {
		next = ct.ID
	}
	c.Redirect(http.StatusSeeOther, adminCertificateURL(next))
}

// certificateActionView is one of the detail page's forms, for its "certificate-action" partial.
type certificateActionView struct {
	V                 *view
	Action, ID, Value string
	Error             string
	CertificateID     int64
}

// CertificateAction describes the form of action (revoke, unrevoke, reissue), keeping what
// was typed into it when it came back with an error.
func (v *view) CertificateAction(action string, id int64) certificateActionView {
	field := action + "-reason"
	return certificateActionView{V: v, Action: action, ID: field, Value: v.Form.Value(field), Error: v.Form.Error(field), CertificateID: id}
}
