package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
)

// completed makes n trainees who completed the fixture course in a cohort of their own.
func completed(t *testing.T, st *store.Store, n int, issue courses.CertificateIssue) (courses.Course, int64, []courses.User) {
	t.Helper()
	ctx := context.Background()
	co, cohortID := cohortFixture(t, st, 0, courses.PolicyOpen, "")
	if err := st.SaveCertificateSettings(ctx, co.ID, courses.CertificateSettings{Issue: issue, ValidMonths: 24,
		Signatories: []courses.Signatory{{Name: "Ana Gómez", Title: "Directora"}}}); err != nil {
		t.Fatal(err)
	}
	people := trainees(t, st, n)
	for _, u := range people {
		if _, err := st.Enrol(ctx, u.ID, cohortID, "", time.Now()); err != nil {
			t.Fatal(err)
		}
		for _, m := range co.Modules {
			for _, l := range m.Lessons {
				if _, err := st.CompleteLesson(ctx, u.ID, l.ID, time.Now()); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return co, cohortID, people
}

func TestCompletingAnAutoCourseIssuesOneSignedCertificate(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	co, _, people := completed(t, st, 1, courses.IssueAuto)
	list, err := st.HolderCertificates(ctx, people[0].ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("certificates: %d, %v", len(list), err)
	}
	c := list[0]
	if c.CourseID != co.ID || c.Facts.Holder != people[0].FullName || c.Facts.Hours != co.Hours || c.Facts.ExpiresOn == "" ||
		len(c.Facts.Signatories) != 1 || c.Facts.School != storetest.School {
		t.Fatalf("certificate: %+v", c)
	}
	if got := c.Status(st.PublicKey(c.KeyID), time.Now()); got != courses.CertificateValid {
		t.Fatalf("status %s", got)
	}
	byCode, err := st.CertificateByCode(ctx, c.Facts.Code)
	if err != nil || byCode.ID != c.ID {
		t.Fatalf("by code: %+v, %v", byCode, err)
	}
	// Completing again (a lesson done twice) issues nothing more.
	st.CompleteLesson(ctx, people[0].ID, co.Modules[0].Lessons[0].ID, time.Now())
	if again, _ := st.HolderCertificates(ctx, people[0].ID); len(again) != 1 {
		t.Fatalf("%d certificates after more progress", len(again))
	}
}

func TestAManualCourseWaitsForAnAdministrator(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	co, _, people := completed(t, st, 1, courses.IssueManual)
	if list, _ := st.HolderCertificates(ctx, people[0].ID); len(list) != 0 {
		t.Fatal("a manual course issued on completion")
	}
	admin := instructor(t, st, "admin@example.org")
	c, issued, err := st.IssueCertificate(ctx, courses.Actor{UserID: admin.ID}, people[0].ID, co.ID, time.Now())
	if err != nil || !issued || c.IssuedBy != admin.ID {
		t.Fatalf("issue: %+v %v %v", c, issued, err)
	}
	other, err := st.CreateUser(ctx, profile("other@example.org"), "a long password", courses.RoleTrainee)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.IssueCertificate(ctx, courses.Actor{UserID: admin.ID}, other.ID, co.ID, time.Now()); !errors.Is(err, store.ErrNotCompleted) {
		t.Fatalf("issue for a trainee who did not complete: %v", err)
	}
}

func TestManyParallelIssueRequestsMakeOneCertificate(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	co, _, people := completed(t, st, 1, courses.IssueManual)
	admin := instructor(t, st, "admin@example.org")
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[string]int{}
	issuedNow := 0
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, issued, err := st.IssueCertificate(ctx, courses.Actor{UserID: admin.ID}, people[0].ID, co.ID, time.Now())
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			codes[c.Facts.Code]++
			if issued {
				issuedNow++
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(codes) != 1 || issuedNow != 1 {
		t.Fatalf("20 parallel requests: codes %v, %d issued", codes, issuedNow)
	}
	if rep, err := st.AuditCertificates(ctx); err != nil || len(rep.Problems) != 0 || rep.Entries != 1 {
		t.Fatalf("audit: %+v %v", rep, err)
	}
}

func TestAFieldChangedInTheDatabaseBreaksTheSignatureAndTheAudit(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	_, _, people := completed(t, st, 1, courses.IssueAuto)
	list, _ := st.HolderCertificates(ctx, people[0].ID)
	code := list[0].Facts.Code
	if _, err := st.DB().ExecContext(ctx, `UPDATE certificates SET hours = hours + 100 WHERE code = $1`, code); err != nil {
		t.Fatal(err)
	}
	c, _ := st.CertificateByCode(ctx, code)
	if got := c.Status(st.PublicKey(c.KeyID), time.Now()); got != courses.CertificateInvalid {
		t.Fatalf("status of a changed certificate: %s", got)
	}
	rep, _ := st.AuditCertificates(ctx)
	if len(rep.Problems) != 2 { // its signature, and what the log says was signed
		t.Fatalf("audit: %v", rep.Problems)
	}
}

func TestRevokeUnrevokeReissueAreLoggedAndTheAuditFindsATamperedEntry(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	_, _, people := completed(t, st, 2, courses.IssueAuto)
	admin := instructor(t, st, "admin@example.org")
	first, _ := st.HolderCertificates(ctx, people[0].ID)
	code := first[0].Facts.Code
	now := time.Now()
	if err := st.RevokeCertificate(ctx, courses.Actor{UserID: admin.ID}, code, "Fraude en la evaluación", now); err != nil {
		t.Fatal(err)
	}
	if err := st.RevokeCertificate(ctx, courses.Actor{UserID: admin.ID}, code, "otra vez", now); !errors.Is(err, store.ErrAlreadyRevoked) {
		t.Fatalf("revoke twice: %v", err)
	}
	c, _ := st.CertificateByCode(ctx, code)
	if c.Status(st.PublicKey(c.KeyID), now) != courses.CertificateRevoked || c.RevokedReason != "Fraude en la evaluación" {
		t.Fatalf("revoked: %+v", c)
	}
	revoked, size, changed, _ := st.RevocationList(ctx)
	if len(revoked) != 1 || revoked[0] != c.Facts.StatusIndex || size < 2 || changed.IsZero() {
		t.Fatalf("revocation list %v of %d, changed at %v", revoked, size, changed)
	}
	// A revoked certificate is not reissued as a valid one (a revocation racing a reissue wins).
	if _, err := st.ReissueCertificate(ctx, courses.Actor{UserID: admin.ID}, code, "Nombre corregido", now); !errors.Is(err, store.ErrAlreadyRevoked) {
		t.Fatalf("reissue of a revoked certificate: %v", err)
	}
	if err := st.UnrevokeCertificate(ctx, courses.Actor{UserID: admin.ID}, code, "Revocado por error", now); err != nil {
		t.Fatal(err)
	}
	// A corrected name: the reissue says it, the old one points to it.
	if _, err := st.DB().ExecContext(ctx, `UPDATE users SET full_name = 'Nombre Corregido' WHERE id = $1`, people[0].ID); err != nil {
		t.Fatal(err)
	}
	renewed, err := st.ReissueCertificate(ctx, courses.Actor{UserID: admin.ID}, code, "Nombre corregido", now)
	if err != nil || renewed.Facts.Holder != "Nombre Corregido" || renewed.Facts.Code == code {
		t.Fatalf("reissue: %+v %v", renewed, err)
	}
	old, _ := st.CertificateByCode(ctx, code)
	if old.ReplacedBy != renewed.Facts.Code || old.Status(st.PublicKey(old.KeyID), now) != courses.CertificateRevoked ||
		old.RevokedReason != "Nombre corregido" || old.RevokedAt.IsZero() {
		t.Fatalf("old after reissue: %+v", old)
	}
	if _, err := st.ReissueCertificate(ctx, courses.Actor{UserID: admin.ID}, code, "again", now); !errors.Is(err, store.ErrCertificateStale) {
		t.Fatalf("reissue of a replaced certificate: %v", err)
	}
	hist, _ := st.CertificateHistory(ctx, old.ID)
	if len(hist) != 4 { // issue, revoke, unrevoke, revoke (replaced)
		t.Fatalf("history: %+v", hist)
	}
	rep, err := st.AuditCertificates(ctx)
	if err != nil || len(rep.Problems) != 0 || rep.Entries != 6 || rep.Certificates != 3 {
		t.Fatalf("audit of an intact log: %+v %v", rep, err)
	}
	// The database refuses to change the log; someone with the keys to it can, and the audit
	// says where.
	if _, err := st.DB().ExecContext(ctx, `UPDATE certificate_log SET reason = 'nada' WHERE seq = 3`); err == nil {
		t.Fatal("the log accepted an update")
	}
	tx, _ := st.DB().BeginTx(ctx, nil)
	tx.ExecContext(ctx, `SET LOCAL session_replication_role = replica`)
	if _, err := tx.ExecContext(ctx, `UPDATE certificate_log SET reason = 'nada' WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	tx.Commit()
	rep, _ = st.AuditCertificates(ctx)
	if len(rep.Problems) == 0 || rep.Problems[0] != "log entry 3: its contents do not match its hash" {
		t.Fatalf("audit of a tampered log: %v", rep.Problems)
	}
}

func TestAnEntryOrAKeyWrittenWithoutTheSecretIsFound(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	completed(t, st, 1, courses.IssueAuto)
	// Someone with the database's password, not the school's secret, appends an entry with
	// a correct chain hash: the chain holds, the authentication code does not.
	var last struct {
		Seq  int64  `db:"seq"`
		Hash []byte `db:"hash"`
		Cert int64  `db:"certificate_id"`
		Code string `db:"code"`
	}
	if err := st.DB().GetContext(ctx, &last, `SELECT seq, hash, certificate_id, code FROM certificate_log ORDER BY seq DESC LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	e := courses.LogEntry{Seq: last.Seq + 1, Action: courses.ActionUnrevoke, Code: last.Code, Reason: "x", At: time.Now().UTC().Truncate(time.Microsecond), Prev: last.Hash}
	e.Hash = e.ComputeHash()
	if _, err := st.DB().ExecContext(ctx, `INSERT INTO certificate_log (seq, certificate_id, action, code, reason, at, digest, prev_hash, hash, mac)
		VALUES ($1, $2, 'unrevoke', $3, 'x', $4, '', $5, $6, $7)`, e.Seq, last.Cert, e.Code, e.At, e.Prev, e.Hash, make([]byte, 32)); err != nil {
		t.Fatal(err)
	}
	rep, _ := st.AuditCertificates(ctx)
	if len(rep.Problems) == 0 || !strings.Contains(strings.Join(rep.Problems, "\n"), "not written by Aula") {
		t.Fatalf("audit of a forged entry: %v", rep.Problems)
	}
	// A key of one's own, added as retired, is refused at the next start, not trusted.
	if _, err := st.DB().ExecContext(ctx, `INSERT INTO signing_keys (id, public_key, private_key, retired_at)
		VALUES ('kevil', decode(repeat('ab', 32), 'hex'), 'x', now())`); err != nil {
		t.Fatal(err)
	}
	if err := st.UseSigningKeys(ctx, storetest.School, storetest.Secret, nil); err == nil {
		t.Fatal("a key the secret does not open was loaded")
	}
}

func TestABulkIssueOfACourseWithoutCertificatesIsRefusedAndOneChangedMidwayEnds(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	co, cohortID, _ := completed(t, st, 5, courses.IssueManual)
	admin := instructor(t, st, "admin@example.org")
	batchID, err := st.StartCertificateBatch(ctx, courses.Actor{UserID: admin.ID}, cohortID)
	if err != nil {
		t.Fatal(err)
	}
	// The course stops giving certificates before the batch is worked: its steps skip every
	// enrolment, and the batch still ends.
	if err := st.SaveCertificateSettings(ctx, co.ID, courses.CertificateSettings{Issue: courses.IssueNone}); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		done, err := st.IssueBatchStep(ctx, batchID, 2, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if done {
			break
		}
		if i > 5 {
			t.Fatal("the batch never ends")
		}
	}
	if _, err := st.StartCertificateBatch(ctx, courses.Actor{UserID: admin.ID}, cohortID); !errors.Is(err, store.ErrNoCertificates) {
		t.Fatalf("a batch for a course without certificates: %v", err)
	}
}

func TestABulkIssueGoesOnAfterARestartAndIssuesNoneTwice(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	_, cohortID, people := completed(t, st, 7, courses.IssueManual)
	admin := instructor(t, st, "admin@example.org")
	batchID, err := st.StartCertificateBatch(ctx, courses.Actor{UserID: admin.ID}, cohortID)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := st.StartCertificateBatch(ctx, courses.Actor{UserID: admin.ID}, cohortID); !errors.Is(err, store.ErrBatchRunning) || again != batchID {
		t.Fatalf("second request: %d, %v", again, err)
	}
	// The first instance works one step of 3, then dies.
	if done, err := st.IssueBatchStep(ctx, batchID, 3, time.Now()); err != nil || done {
		t.Fatalf("first step: %v %v", done, err)
	}
	// Another instance starts; River gives it the job, which goes on from there.
	jobs, err := st.StartJobs(ctx, store.JobsConfig{PollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer jobs.Stop(ctx)
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, err := st.CertificateBatchOf(ctx, batchID)
		if err != nil {
			t.Fatal(err)
		}
		if b.Status == "done" {
			if b.Total != 7 || b.Issued != 7 {
				t.Fatalf("batch: %+v", b)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("batch not done: %+v", b)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for i, u := range people {
		if list, _ := st.HolderCertificates(ctx, u.ID); len(list) != 1 {
			t.Fatalf("trainee %d has %d certificates", i, len(list))
		}
	}
	var n int
	st.DB().GetContext(ctx, &n, `SELECT count(*) FROM certificate_log`)
	if n != 7 {
		t.Fatalf("%d log entries", n)
	}
}

func TestACohortsRenewalReissuesWhatExpiresSoonValidFromToday(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	co, cohortID, people := completed(t, st, 3, courses.IssueManual)
	admin := instructor(t, st, "admin@example.org")
	// Two issued 23 months ago (valid 24: they expire within the window), one today.
	long := time.Now().AddDate(0, -23, 0)
	for i, u := range people {
		when := long
		if i == 2 {
			when = time.Now()
		}
		if _, _, err := st.IssueCertificate(ctx, courses.Actor{UserID: admin.ID}, u.ID, co.ID, when); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	batchID, err := st.StartRenewalBatch(ctx, courses.Actor{UserID: admin.ID}, cohortID, "Renovación del grupo", now)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		done, err := st.IssueBatchStep(ctx, batchID, 1, now)
		if err != nil {
			t.Fatal(err)
		}
		if done {
			break
		}
		if i > 5 {
			t.Fatal("the renewal never ends")
		}
	}
	b, _ := st.CertificateBatchOf(ctx, batchID)
	if b.Kind != "renew" || b.Total != 2 || b.Issued != 2 || b.Status != "done" {
		t.Fatalf("batch: %+v", b)
	}
	want := courses.ExpiresOn(now.UTC(), 24)
	for i, u := range people {
		list, _ := st.HolderCertificates(ctx, u.ID)
		current := list[0]
		if i < 2 && (len(list) != 2 || current.Facts.ExpiresOn != want || list[1].ReplacedBy != current.Facts.Code ||
			list[1].RevokedReason != "Renovación del grupo") {
			t.Fatalf("trainee %d after renewal: %+v", i, list)
		}
		if i == 2 && len(list) != 1 {
			t.Fatalf("a certificate far from expiry was renewed: %+v", list)
		}
	}
	if rep, err := st.AuditCertificates(ctx); err != nil || len(rep.Problems) != 0 {
		t.Fatalf("audit: %v %v", rep.Problems, err)
	}
}
