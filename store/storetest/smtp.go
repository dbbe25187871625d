package storetest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Mail is a real SMTP server on loopback, from github.com/emersion/go-smtp, that keeps what
// it receives: the tests' mail system.
type Mail struct {
	t        testing.TB
	Addr     string // host:port
	Host     string // 127.0.0.1
	Port     int
	Client   *tls.Config // trusts the server's certificate, for a client's STARTTLS
	starttls bool
	srv      *smtp.Server
	mu       sync.Mutex
	received []Received
	arrived  chan struct{}
	refuse   int // the next refuse RCPTs are answered with a 5xx
}

// Received is one message as it arrived.
type Received struct {
	From, To string
	TLS      bool // sent after STARTTLS
	Raw      []byte
	Header   mail.Header
}

// NewMail reserves a loopback port for a mail server and starts it unless down; with
// starttls it offers STARTTLS with a certificate made for 127.0.0.1.
func NewMail(t testing.TB, starttls, down bool) *Mail {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := &Mail{t: t, Addr: l.Addr().String(), Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port,
		starttls: starttls, arrived: make(chan struct{}, 1000)}
	if down {
		l.Close()
	} else {
		m.serve(l)
	}
	t.Cleanup(m.Stop)
	return m
}

// Start starts a server that NewMail made down, on its reserved port.
func (m *Mail) Start() {
	m.t.Helper()
	l, err := net.Listen("tcp", m.Addr)
	if err != nil {
		m.t.Fatal(err)
	}
	m.serve(l)
}

func (m *Mail) serve(l net.Listener) {
	srv := smtp.NewServer(backend{m})
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.AllowInsecureAuth = true
	if m.starttls {
		cert, pool := selfSigned(m.t)
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		m.Client = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	}
	m.mu.Lock()
	m.srv = srv
	m.mu.Unlock()
	go srv.Serve(l) //nolint:errcheck // ends with Stop
}

// Stop closes the server.
func (m *Mail) Stop() {
	m.mu.Lock()
	srv := m.srv
	m.srv = nil
	m.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

// RefuseNext answers the next n recipients with 550, a permanent refusal.
func (m *Mail) RefuseNext(n int) {
	m.mu.Lock()
	m.refuse = n
	m.mu.Unlock()
}

// Received returns what has arrived so far.
func (m *Mail) Received() []Received {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Received(nil), m.received...)
}

// Wait waits until n messages in all have arrived, or fails the test after timeout.
func (m *Mail) Wait(n int, timeout time.Duration) []Received {
	m.t.Helper()
	deadline := time.After(timeout)
	for {
		if got := m.Received(); len(got) >= n {
			return got
		}
		select {
		case <-m.arrived:
		case <-deadline:
			m.t.Fatalf("%d emails arrived in %s, want %d", len(m.Received()), timeout, n)
		}
	}
}

type backend struct{ m *Mail }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{m: b.m, conn: c}, nil
}

type session struct {
	m        *Mail
	conn     *smtp.Conn
	from, to string
}

func (s *session) Reset()        { s.from, s.to = "", "" }
func (s *session) Logout() error { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	if s.m.refuse > 0 {
		s.m.refuse--
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	s.to = to
	return nil
}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.m.mu.Lock()
	s.m.received = append(s.m.received, Received{From: s.from, To: s.to, TLS: isTLS, Raw: raw, Header: msg.Header})
	s.m.mu.Unlock()
	s.m.arrived <- struct{}{}
	return nil
}

// Parts returns the decoded parts of a message by content type (text/plain, text/html,
// text/calendar …): a multipart message's leaves, or the body of a single-part one.
func (r Received) Parts(t testing.TB) map[string][]byte {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(r.Raw))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string][]byte{}
	walkPart(t, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, parts)
	return parts
}

func walkPart(t testing.TB, contentType, encoding string, body io.Reader, parts map[string][]byte) {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		t.Fatalf("content type %q: %v", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			walkPart(t, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, parts)
		}
	}
	parts[mediaType] = decode(t, encoding, body)
}

func decode(t testing.TB, encoding string, body io.Reader) []byte {
	raw, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		out, err := io.ReadAll(quotedPrintable(raw))
		if err != nil {
			t.Fatal(err)
		}
		return out
	case "base64":
		out, err := io.ReadAll(base64Reader(raw))
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	return raw
}

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

func quotedPrintable(raw []byte) io.Reader { return quotedprintable.NewReader(bytes.NewReader(raw)) }

func base64Reader(raw []byte) io.Reader {
	return base64.NewDecoder(base64.StdEncoding, bytes.NewReader(bytes.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, raw)))
}
