package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/riverqueue/river"
)

// The outbox. An email is a row of emails written in the transaction of the change that
// causes it, with the River job that sends it (InsertTx): a change that rolls back sends
// nothing, and an email waits in PostgreSQL, whatever SMTP does, until it is sent. River
// gives a job to one worker at a time across every instance; the worker records the message
// it rendered, sends it, then records that it was sent. A crash between the SMTP server's
// acceptance and that record sends it again on the retry, with the same Message-ID, which is
// all SMTP allows: delivery at least once, and duplicates recognisable as such.

// Message is an email as sent: what a Renderer makes of an outbox row.
type Message struct {
	Subject, Text, HTML            string
	AttachmentName, AttachmentType string // "" for none
	Attachment                     []byte
}

// Renderer makes the message of an outbox email in its language (handlers.App.RenderEmail).
type Renderer func(courses.Email) (Message, error)

// Sender hands a message to the mail system; messageID is the same on every retry.
type Sender interface {
	Send(ctx context.Context, to, messageID string, m Message) error
}

// ErrPermanent marks a refusal that no retry can change (an SMTP 5xx answer).
var ErrPermanent = errors.New("refused for good")

// MailConfig is how this instance's workers send email.
type MailConfig struct {
	Render Renderer
	// Send is nil where no SMTP server is configured: emails are then kept, shown on the
	// administrators' outbox page instead of sent.
	Send Sender
	// RetryAfter is the wait before the first retry; each next one waits twice as long, up to
	// an hour (default 30 s: eight tries over about two hours).
	RetryAfter time.Duration
}

// emailAttempts is how many times an email is tried before it is marked failed.
const emailAttempts = 8

// emailQueue is River's queue for email, apart from the other jobs: a thousand certificates'
// emails wait behind each other, not in front of the sweep of overdue attempts.
const emailQueue = "email"

// emailInsertOpts are the options of every send job.
func emailInsertOpts() *river.InsertOpts {
	return &river.InsertOpts{MaxAttempts: emailAttempts, Queue: emailQueue}
}

// OutboxEmail is an email of the outbox as the administrators' page shows it.
type OutboxEmail struct {
	courses.Email
	ID        int64
	Status    courses.EmailStatus
	Attempts  int
	LastError string
	MessageID string
	Message   Message // empty until a worker rendered it
	CreatedAt time.Time
	SentAt    time.Time
}

// sendEmailArgs is the job that sends one email.
type sendEmailArgs struct {
	EmailID int64 `json:"email_id"`
}

func (sendEmailArgs) Kind() string { return "send_email" }

type sendEmailWorker struct {
	river.WorkerDefaults[sendEmailArgs]
	store *Store
	cfg   MailConfig
	now   func() time.Time
}

// Timeout bounds one try, well under JobsConfig.RescueAfter: a try still at work is never
// taken for a lost one and run a second time beside it.
func (w *sendEmailWorker) Timeout(*river.Job[sendEmailArgs]) time.Duration { return time.Minute }

// NextRetry doubles the wait after each failed try.
func (w *sendEmailWorker) NextRetry(job *river.Job[sendEmailArgs]) time.Time {
	wait := w.cfg.RetryAfter
	for i := 1; i < job.Attempt && wait < time.Hour; i++ {
		wait *= 2
	}
	return time.Now().Add(min(wait, time.Hour))
}

func (w *sendEmailWorker) Work(ctx context.Context, job *river.Job[sendEmailArgs]) error {
	e, err := w.store.OutboxEmail(ctx, job.Args.EmailID)
	if errors.Is(err, courses.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if e.Status != courses.EmailQueued {
		return nil // sent, kept or given up by an earlier try
	}
	if e.Message.Subject == "" {
		if e.Message, err = w.cfg.Render(e.Email); err != nil {
			return river.JobCancel(errors.Join(err, w.store.emailFailed(ctx, e.ID, err, true)))
		}
		if err := w.store.saveMessage(ctx, e.ID, e.Message); err != nil {
			return err
		}
	}
	if w.cfg.Send == nil {
		return w.store.emailDone(ctx, e.ID, courses.EmailKept, w.now())
	}
	err = w.cfg.Send.Send(ctx, e.To, e.MessageID, e.Message)
	if err == nil {
		// Recorded even when the try's time ran out meanwhile: the server has the email.
		return w.store.emailSent(context.WithoutCancel(ctx), e, w.now())
	}
	final := errors.Is(err, ErrPermanent) || job.Attempt >= job.MaxAttempts
	if ferr := w.store.emailFailed(context.WithoutCancel(ctx), e.ID, err, final); ferr != nil {
		return errors.Join(err, ferr)
	}
	if errors.Is(err, ErrPermanent) {
		return river.JobCancel(err)
	}
	return err
}

// plainMessage is the message of an email where no Renderer was given (tools, tests): its
// kind and data, as they are.
func plainMessage(e courses.Email) (Message, error) {
	var b strings.Builder
	for _, k := range courses.SortKeys(e.Data) {
		fmt.Fprintf(&b, "%s: %s\n", k, e.Data[k])
	}
	return Message{Subject: string(e.Kind), Text: b.String()}, nil
}

// enqueueEmail puts e in the outbox in tx, with its job. An optional email for a user who
// turned its group off is not written at all. A missing address, language or Data["Name"] is
// the user's.
func (s *Store) enqueueEmail(ctx context.Context, tx *sqlx.Tx, e courses.Email) error {
	if !e.Kind.Valid() {
		return fmt.Errorf("store: email kind %q: %w", e.Kind, courses.ErrInvalid)
	}
	if e.UserID != 0 {
		var u struct {
			Email    string         `db:"email"`
			Name     string         `db:"full_name"`
			Language string         `db:"language"`
			Off      pq.StringArray `db:"notifications_off"`
		}
		err := tx.GetContext(ctx, &u, `SELECT email, full_name, language, notifications_off FROM users WHERE id = $1`, e.UserID)
		if err != nil {
			return fmt.Errorf("store: email to user %d: %w", e.UserID, err)
		}
		if !courses.Wanted(e.Kind, u.Off) {
			return nil
		}
		if _, ok := e.Data["Name"]; !ok {
			e.Data = maps.Clone(e.Data)
			if e.Data == nil {
				e.Data = map[string]string{}
			}
			e.Data["Name"] = u.Name
		}
		if e.To == "" {
			e.To = u.Email
		}
		if e.Language == "" {
			e.Language = u.Language
		}
	}
	if !courses.ValidLanguage(e.Language) {
		e.Language = courses.DefaultLanguage
	}
	data, err := json.Marshal(e.Data)
	if err != nil {
		return fmt.Errorf("store: email data: %w", err)
	}
	var id int64
	err = tx.GetContext(ctx, &id, `INSERT INTO emails (kind, user_id, to_address, language, data, message_id)
		VALUES ($1, $2, $3, $4, $5, gen_random_uuid()::text) RETURNING id`,
		string(e.Kind), nullID(e.UserID), e.To, e.Language, data)
	if err != nil {
		return fmt.Errorf("store: enqueue email: %w", err)
	}
	return s.queueSend(ctx, tx, id)
}

func (s *Store) queueSend(ctx context.Context, tx *sqlx.Tx, id int64) error {
	client, err := s.inserter()
	if err != nil {
		return fmt.Errorf("store: enqueue email: %w", err)
	}
	if _, err := client.InsertTx(ctx, tx.Tx, sendEmailArgs{EmailID: id}, emailInsertOpts()); err != nil {
		return fmt.Errorf("store: enqueue email %d: %w", id, err)
	}
	return nil
}

// SendEmail puts e in the outbox on its own (the CLI, tests); changes that cause an email
// enqueue it in their own transaction instead.
func (s *Store) SendEmail(ctx context.Context, e courses.Email) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error { return s.enqueueEmail(ctx, tx, e) })
}

func (s *Store) saveMessage(ctx context.Context, id int64, m Message) error {
	_, err := s.db.ExecContext(ctx, `UPDATE emails SET subject = $2, body_text = $3, body_html = $4,
		attachment_name = $5, attachment_type = $6, attachment = $7 WHERE id = $1`,
		id, m.Subject, m.Text, m.HTML, m.AttachmentName, m.AttachmentType, m.Attachment)
	if err != nil {
		return fmt.Errorf("store: email %d: %w", id, err)
	}
	return nil
}

func (s *Store) emailDone(ctx context.Context, id int64, status courses.EmailStatus, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE emails SET status = $2, sent_at = $3, attempts = attempts + 1, last_error = ''
		WHERE id = $1`, id, string(status), now)
	if err != nil {
		return fmt.Errorf("store: email %d: %w", id, err)
	}
	return nil
}

// emailSent records that the server accepted e, and blanks the one-time token of its link
// (a password or address link) in what the outbox keeps: from now on it is in the
// recipient's mailbox only.
func (s *Store) emailSent(ctx context.Context, e OutboxEmail, now time.Time) error {
	_, token, ok := strings.Cut(e.Data["Link"], "token=")
	if !ok || token == "" {
		return s.emailDone(ctx, e.ID, courses.EmailSent, now)
	}
	const blank = "[sent]"
	_, err := s.db.ExecContext(ctx, `UPDATE emails SET status = 'sent', sent_at = $2, attempts = attempts + 1, last_error = '',
		data = jsonb_set(data, '{Link}', to_jsonb(replace(data->>'Link', $3, $4))),
		body_text = replace(body_text, $3, $4), body_html = replace(body_html, $3, $4)
		WHERE id = $1`, e.ID, now, token, blank)
	if err != nil {
		return fmt.Errorf("store: email %d: %w", e.ID, err)
	}
	return nil
}

func (s *Store) emailFailed(ctx context.Context, id int64, cause error, final bool) error {
	status := courses.EmailQueued
	if final {
		status = courses.EmailFailed
	}
	msg := cause.Error()
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	_, err := s.db.ExecContext(ctx, `UPDATE emails SET status = $2, attempts = attempts + 1, last_error = $3 WHERE id = $1`,
		id, string(status), strings.ToValidUTF8(msg, "?"))
	if err != nil {
		return fmt.Errorf("store: email %d: %w", id, err)
	}
	return nil
}

// RetryEmail queues a failed email again, with a new job and its tries counted afresh.
func (s *Store) RetryEmail(ctx context.Context, id int64) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE emails SET status = 'queued', attempts = 0 WHERE id = $1 AND status = 'failed'`, id)
		if err != nil {
			return fmt.Errorf("store: retry email %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return fmt.Errorf("store: retry email %d: %w", id, errors.Join(err, courses.ErrConflict))
		}
		return s.queueSend(ctx, tx, id)
	})
}

const outboxColumns = `id, kind, coalesce(user_id, 0) AS user_id, to_address, language, data, status, attempts, last_error,
	message_id, subject, body_text, body_html, attachment_name, attachment_type, created_at, sent_at`

type outboxRow struct {
	ID             int64        `db:"id"`
	Kind           string       `db:"kind"`
	UserID         int64        `db:"user_id"`
	To             string       `db:"to_address"`
	Language       string       `db:"language"`
	Data           []byte       `db:"data"`
	Status         string       `db:"status"`
	Attempts       int          `db:"attempts"`
	LastError      string       `db:"last_error"`
	MessageID      string       `db:"message_id"`
	Subject        string       `db:"subject"`
	Text           string       `db:"body_text"`
	HTML           string       `db:"body_html"`
	AttachmentName string       `db:"attachment_name"`
	AttachmentType string       `db:"attachment_type"`
	Attachment     []byte       `db:"attachment"`
	CreatedAt      time.Time    `db:"created_at"`
	SentAt         sql.NullTime `db:"sent_at"`
}

func (r outboxRow) email() (OutboxEmail, error) {
	e := OutboxEmail{ID: r.ID, Status: courses.EmailStatus(r.Status), Attempts: r.Attempts, LastError: r.LastError,
		MessageID: r.MessageID, CreatedAt: r.CreatedAt, SentAt: r.SentAt.Time,
		Email: courses.Email{Kind: courses.EmailKind(r.Kind), UserID: r.UserID, To: r.To, Language: r.Language},
		Message: Message{Subject: r.Subject, Text: r.Text, HTML: r.HTML, AttachmentName: r.AttachmentName,
			AttachmentType: r.AttachmentType, Attachment: r.Attachment}}
	if err := json.Unmarshal(r.Data, &e.Data); err != nil {
		return e, fmt.Errorf("store: email %d: data: %w", r.ID, err)
	}
	return e, nil
}

// OutboxEmail returns one email of the outbox, with its attachment.
func (s *Store) OutboxEmail(ctx context.Context, id int64) (OutboxEmail, error) {
	var row outboxRow
	err := s.db.GetContext(ctx, &row, `SELECT `+outboxColumns+`, attachment FROM emails WHERE id = $1`, id)
	if notFound(err) {
		return OutboxEmail{}, fmt.Errorf("store: email %d: %w", id, courses.ErrNotFound)
	}
	if err != nil {
		return OutboxEmail{}, fmt.Errorf("store: email %d: %w", id, err)
	}
	return row.email()
}

// OutboxFilter narrows the outbox page. Zero fields do not narrow it.
type OutboxFilter struct {
	Status courses.EmailStatus
	Kind   courses.EmailKind
	To     string // part of the address
	Offset int
	Limit  int
}

// Outbox returns a page of the outbox, newest first (without attachments), how many match in
// all, and how many emails are in each status.
func (s *Store) Outbox(ctx context.Context, f OutboxFilter) ([]OutboxEmail, int, map[courses.EmailStatus]int, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	pattern := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(strings.TrimSpace(f.To))) + "%"
	var rows []struct {
		outboxRow
		Total int `db:"total"`
	}
	err := s.db.SelectContext(ctx, &rows, `SELECT `+outboxColumns+`, count(*) OVER () AS total FROM emails
		WHERE ($1 = '' OR status = $1) AND ($2 = '' OR kind = $2) AND lower(to_address) LIKE $3
		ORDER BY created_at DESC, id DESC OFFSET $4 LIMIT $5`, string(f.Status), string(f.Kind), pattern, f.Offset, f.Limit)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("store: outbox: %w", err)
	}
	list := make([]OutboxEmail, 0, len(rows))
	total := 0
	for _, r := range rows {
		e, err := r.email()
		if err != nil {
			return nil, 0, nil, err
		}
		list = append(list, e)
		total = r.Total
	}
	var counts []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &counts, `SELECT status, count(*) AS n FROM emails GROUP BY status`); err != nil {
		return nil, 0, nil, fmt.Errorf("store: outbox: %w", err)
	}
	byStatus := map[courses.EmailStatus]int{}
	for _, c := range counts {
		byStatus[courses.EmailStatus(c.Status)] = c.N
	}
	return list, total, byStatus, nil
}
