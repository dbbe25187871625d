package store_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
)

// mailUser makes an account that receives the test's emails.
func mailUser(t *testing.T, st *store.Store, email string) courses.User {
	t.Helper()
	u, err := st.CreateUser(context.Background(), courses.Profile{FullName: "Rosa Quispe", Email: email, Country: "PE",
		Sector: "police", Language: "pt"}, "una contraseña larga", courses.RoleTrainee)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// startMail starts a River client that sends the outbox through srv without TLS, retrying soon.
func startMail(t *testing.T, st *store.Store, srv *storetest.Mail, mode string) {
	t.Helper()
	cfg := store.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: mode, From: "Aula <aula@escuela.example>",
		TLSConfig: srv.Client, Timeout: 5 * time.Second}
	sender, err := store.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := st.StartJobs(context.Background(), store.JobsConfig{PollInterval: 100 * time.Millisecond,
		Mail: store.MailConfig{Send: sender, RetryAfter: 100 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = jobs.Stop(ctx)
	})
}

// waitEmail waits until the email of id is in status, and returns it.
func waitEmail(t *testing.T, st *store.Store, id int64, status courses.EmailStatus, also func(store.OutboxEmail) bool) store.OutboxEmail {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		e, err := st.OutboxEmail(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if e.Status == status && (also == nil || also(e)) {
			return e
		}
		if time.Now().After(deadline) {
			t.Fatalf("email %d: %s after %d attempts (%s), want %s", id, e.Status, e.Attempts, e.LastError, status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func onlyEmail(t *testing.T, st *store.Store) store.OutboxEmail {
	t.Helper()
	list, total, _, err := st.Outbox(context.Background(), store.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if total != 1 || len(list) != 1 {
		t.Fatalf("%d emails in the outbox, want 1", total)
	}
	return list[0]
}

func TestOutboxSurvivesAnSMTPOutageAndDeliversOnceLater(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	u := mailUser(t, st, "rosa@example.org")
	srv := storetest.NewMail(t, false, true) // down
	if err := st.RequestPasswordReset(ctx, "ROSA@example.org", time.Now()); err != nil {
		t.Fatal(err)
	}
	queued := onlyEmail(t, st)
	if queued.Kind != courses.EmailPasswordReset || queued.To != u.Email || queued.Language != "pt" || queued.Status != courses.EmailQueued {
		t.Fatalf("queued %+v", queued)
	}
	startMail(t, st, srv, "none")
	// Tried and refused while the server is down: still queued, with the reason.
	waitEmail(t, st, queued.ID, courses.EmailQueued, func(e store.OutboxEmail) bool { return e.Attempts >= 2 && e.LastError != "" })
	srv.Start()
	sent := waitEmail(t, st, queued.ID, courses.EmailSent, nil)
	got := srv.Wait(1, 10*time.Second)
	time.Sleep(500 * time.Millisecond) // a second delivery would come now
	if got = srv.Received(); len(got) != 1 {
		t.Fatalf("%d deliveries, want 1", len(got))
	}
	if got[0].To != u.Email || !strings.Contains(got[0].Header.Get("Message-Id"), sent.MessageID) {
		t.Errorf("delivered to %s with Message-ID %s, want %s and %s", got[0].To, got[0].Header.Get("Message-Id"), u.Email, sent.MessageID)
	}
	text := string(got[0].Parts(t)["text/plain"])
	token := regexp.MustCompile(`/password/set\?token=([A-Za-z0-9_-]{43})`).FindStringSubmatch(text)
	if token == nil {
		t.Fatalf("the email has no link:\n%s", text)
	}
	// Sent, the link's token lives in the mailbox only, not in what the outbox keeps.
	kept, err := st.OutboxEmail(ctx, queued.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(kept.Data["Link"]+kept.Message.Text+kept.Message.HTML, token[1]) || !strings.Contains(kept.Message.Text, "token=[sent]") {
		t.Errorf("the outbox keeps the sent link's token: %s", kept.Data["Link"])
	}
}

func TestOutboxSendsEachEmailExactlyOnceWithTwoWorkers(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	srv := storetest.NewMail(t, false, false)
	const n = 30
	for i := range n {
		if err := st.SendEmail(ctx, courses.Email{Kind: courses.EmailEnrolled, To: fmt.Sprintf("t%d@example.org", i),
			Language: "es", Data: map[string]string{"Name": "T", "Course": "Curso"}}); err != nil {
			t.Fatal(err)
		}
	}
	startMail(t, st, srv, "none")
	startMail(t, st, srv, "none") // a second instance
	srv.Wait(n, 30*time.Second)
	time.Sleep(time.Second)
	seen := map[string]int{}
	for _, r := range srv.Received() {
		seen[r.Header.Get("Message-Id")]++
	}
	if len(srv.Received()) != n || len(seen) != n {
		t.Fatalf("%d deliveries of %d messages, want %d of %d", len(srv.Received()), len(seen), n, n)
	}
	_, _, counts, err := st.Outbox(ctx, store.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if counts[courses.EmailSent] != n {
		t.Errorf("%v, want %d sent", counts, n)
	}
}

func TestARolledBackChangeSendsNothing(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	u := mailUser(t, st, "rosa@example.org")
	err := st.EnqueueThenRollBack(ctx, courses.Email{Kind: courses.EmailEnrolled, UserID: u.ID})
	if err == nil {
		t.Fatal("the change was not refused")
	}
	_, total, _, err := st.Outbox(ctx, store.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var jobs int
	if err := st.DB().GetContext(ctx, &jobs, `SELECT count(*) FROM river_job WHERE kind = 'send_email'`); err != nil {
		t.Fatal(err)
	}
	if total != 0 || jobs != 0 {
		t.Errorf("%d emails and %d jobs after the rollback, want none", total, jobs)
	}
}

func TestSTARTTLSIsUsedAndRequired(t *testing.T) {
	ctx := context.Background()
	t.Run("on", func(t *testing.T) {
		st := storetest.DB(t)
		srv := storetest.NewMail(t, true, false)
		mailUser(t, st, "rosa@example.org")
		if err := st.RequestPasswordReset(ctx, "rosa@example.org", time.Now()); err != nil {
			t.Fatal(err)
		}
		startMail(t, st, srv, "starttls")
		got := srv.Wait(1, 15*time.Second)
		if !got[0].TLS {
			t.Error("sent in the clear to a server that offers STARTTLS")
		}
	})
	t.Run("off", func(t *testing.T) {
		// A server that offers no STARTTLS gets nothing from a client that requires it.
		st := storetest.DB(t)
		srv := storetest.NewMail(t, false, false)
		mailUser(t, st, "rosa@example.org")
		if err := st.RequestPasswordReset(ctx, "rosa@example.org", time.Now()); err != nil {
			t.Fatal(err)
		}
		startMail(t, st, srv, "starttls")
		e := waitEmail(t, st, onlyEmail(t, st).ID, courses.EmailQueued, func(e store.OutboxEmail) bool { return e.Attempts >= 1 })
		if len(srv.Received()) != 0 || e.LastError == "" {
			t.Errorf("%d delivered, error %q: want nothing sent and the reason kept", len(srv.Received()), e.LastError)
		}
	})
}

func TestAPermanentRefusalFailsTheEmailUntilRetried(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	srv := storetest.NewMail(t, false, false)
	mailUser(t, st, "rosa@example.org")
	srv.RefuseNext(1)
	if err := st.RequestPasswordReset(ctx, "rosa@example.org", time.Now()); err != nil {
		t.Fatal(err)
	}
	startMail(t, st, srv, "none")
	id := onlyEmail(t, st).ID
	failed := waitEmail(t, st, id, courses.EmailFailed, nil)
	if failed.Attempts != 1 || !strings.Contains(failed.LastError, "550") {
		t.Errorf("failed after %d attempts with %q, want 1 and the server's 550", failed.Attempts, failed.LastError)
	}
	if err := st.RetryEmail(ctx, id); err != nil {
		t.Fatal(err)
	}
	waitEmail(t, st, id, courses.EmailSent, nil)
	if err := st.RetryEmail(ctx, id); !errors.Is(err, courses.ErrConflict) {
		t.Errorf("retrying a sent email: %v, want ErrConflict", err)
	}
}

func TestOptingOutStopsOptionalEmailsOnly(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	u := mailUser(t, st, "rosa@example.org")
	if err := st.SetNotificationsOff(ctx, u.ID, []courses.NotificationGroup{courses.NotifyEnrolment}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetNotificationsOff(ctx, u.ID, []courses.NotificationGroup{"nonsense"}); !errors.Is(err, courses.ErrInvalid) {
		t.Errorf("an unknown group: %v", err)
	}
	if err := st.SendEmail(ctx, courses.Email{Kind: courses.EmailEnrolled, UserID: u.ID}); err != nil {
		t.Fatal(err)
	}
	if err := st.SendEmail(ctx, courses.Email{Kind: courses.EmailCertificateIssued, UserID: u.ID}); err != nil {
		t.Fatal(err)
	}
	if err := st.RequestPasswordReset(ctx, u.Email, time.Now()); err != nil {
		t.Fatal(err)
	}
	list, _, _, err := st.Outbox(ctx, store.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range list {
		kinds = append(kinds, string(e.Kind))
		if e.Data["Name"] != u.FullName {
			t.Errorf("%s: name %q, want the user's", e.Kind, e.Data["Name"])
		}
	}
	if strings.Join(kinds, ",") != "password_reset,certificate_issued" {
		t.Errorf("outbox holds %v, want the reset and the certificate, not the enrolment", kinds)
	}
}

func TestAnUnknownOrDeactivatedAddressGetsNoResetEmail(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	u := mailUser(t, st, "rosa@example.org")
	if err := st.SetActive(ctx, courses.Actor{}, u.ID, false); err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"nobody@example.org", u.Email} {
		if err := st.RequestPasswordReset(ctx, addr, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if _, total, _, err := st.Outbox(ctx, store.OutboxFilter{}); err != nil || total != 0 {
		t.Errorf("%d emails (%v), want none", total, err)
	}
}
