package store

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wneessen/go-mail"
)

// SMTPConfig is the mail server Aula sends through.
type SMTPConfig struct {
	Host               string
	Port               int
	Username, Password string // both empty: no authentication
	// TLS is "starttls" (upgrade the connection, and refuse to send without it), "tls" (TLS
	// from the first byte, usually port 465) or "none" (a relay on the same machine or network).
	TLS  string
	From string // the sender's address, as in "Aula <aula@example.org>"
	// TLSConfig checks the server's certificate (nil: the system's roots, for Host).
	TLSConfig *tls.Config
	Timeout   time.Duration // for each connection (default 30 s)
}

// SMTP sends email through one server, one connection per message.
type SMTP struct {
	cfg    SMTPConfig
	domain string // of the From address: the Message-IDs' right-hand side
}

// NewSMTP checks cfg and returns a Sender for it.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	if cfg.Host == "" || cfg.Port <= 0 || cfg.Port > 65535 {
		return nil, errors.New("smtp: a host and a port are needed")
	}
	switch cfg.TLS {
	case "starttls", "tls", "none":
	default:
		return nil, fmt.Errorf("smtp: TLS mode %q is not starttls, tls or none", cfg.TLS)
	}
	m := mail.NewMsg()
	if err := m.From(cfg.From); err != nil {
		return nil, fmt.Errorf("smtp: from address %q: %w", cfg.From, err)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	from, err := m.GetSender(false)
	if err != nil {
		return nil, fmt.Errorf("smtp: from address %q: %w", cfg.From, err)
	}
	domain := from[strings.LastIndex(from, "@")+1:]
	return &SMTP{cfg: cfg, domain: domain}, nil
}

// Send hands m to the server. A 5xx answer is ErrPermanent; anything else may pass on a retry.
func (s *SMTP) Send(ctx context.Context, to, messageID string, m Message) error {
	msg := mail.NewMsg()
	if err := msg.From(s.cfg.From); err != nil {
		return fmt.Errorf("smtp: %w: %w", ErrPermanent, err)
	}
	if err := msg.To(to); err != nil {
		return fmt.Errorf("smtp: recipient %q: %w: %w", to, ErrPermanent, err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(messageID + "@" + s.domain)
	msg.SetDate()
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	if m.AttachmentName != "" {
		if err := msg.AttachReader(m.AttachmentName, bytes.NewReader(m.Attachment),
			mail.WithFileContentType(mail.ContentType(m.AttachmentType))); err != nil {
			return fmt.Errorf("smtp: attachment: %w", err)
		}
	}
	opts := []mail.Option{mail.WithPort(s.cfg.Port), mail.WithTimeout(s.cfg.Timeout)}
	tlsConfig := s.cfg.TLSConfig
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12}
	}
	switch s.cfg.TLS {
	case "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory), mail.WithTLSConfig(tlsConfig))
	case "tls":
		opts = append(opts, mail.WithSSL(), mail.WithTLSConfig(tlsConfig))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if s.cfg.Username != "" || s.cfg.Password != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(s.cfg.Username), mail.WithPassword(s.cfg.Password))
	}
	client, err := mail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	if err := client.DialWithContext(ctx); err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	if err := client.Send(msg); err != nil {
		_ = client.Close()
		var se *mail.SendError
		if errors.As(err, &se) && se.ErrorCode() >= 500 && se.ErrorCode() < 600 {
			return fmt.Errorf("smtp: %w: %w", ErrPermanent, err)
		}
		return fmt.Errorf("smtp: %w", err)
	}
	// The server has accepted the message: a failed QUIT must not make it send again.
	_ = client.Close()
	return nil
}
