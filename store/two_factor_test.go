package store_test

import (
	"bytes"
	"context"
	"encoding/base32"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
	"github.com/jmoiron/sqlx"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// totpAt is the code an authenticator app holding key shows at t.
func totpAt(t *testing.T, key courses.TOTPKey, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(key.Secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// enrolled is an instructor whose second factor is on since now, with its key and recovery codes.
func enrolled(t *testing.T, st *store.Store, email string, now time.Time) (courses.User, courses.TOTPKey, []string) {
	t.Helper()
	ctx := context.Background()
	u := instructor(t, st, email)
	key, err := st.StartTwoFactor(ctx, u, now)
	if err != nil {
		t.Fatal(err)
	}
	codes, err := st.ConfirmTwoFactor(ctx, courses.Actor{UserID: u.ID}, u.ID, totpAt(t, key, now), now)
	if err != nil {
		t.Fatal(err)
	}
	return u, key, codes
}

func TestTwoFactorIsOnOnlyOnceACodeFromTheAppConfirmsIt(t *testing.T) {
	ctx := context.Background()
	st, url := storetest.DBAt(t)
	u := instructor(t, st, "ana@example.org")
	now := time.Date(2026, 3, 2, 9, 0, 10, 0, time.UTC)

	key, err := st.StartTwoFactor(ctx, u, now)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := otp.NewKeyFromURL(key.URL)
	if err != nil || parsed.Issuer() != storetest.School || parsed.AccountName() != "ana@example.org" || parsed.Secret() != key.Secret {
		t.Fatalf("key %+v: %v", key, err)
	}
	// The page shown again, or its QR code, is the same secret; after it expired, another.
	if again, err := st.StartTwoFactor(ctx, u, now.Add(time.Minute)); err != nil || again.Secret != key.Secret {
		t.Fatalf("shown again: %+v, %v", again, err)
	}
	if pending, err := st.PendingTwoFactor(ctx, u, now.Add(2*time.Minute)); err != nil || pending.Secret != key.Secret {
		t.Fatalf("pending: %+v, %v", pending, err)
	}
	if _, err := st.PendingTwoFactor(ctx, u, now.Add(time.Minute+store.TwoFactorEnrolmentTTL)); !errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("pending after it expired: %v", err)
	}

	if _, err := st.ConfirmTwoFactor(ctx, courses.Actor{UserID: u.ID}, u.ID, "000000", now); !errors.Is(err, courses.ErrWrongCode) {
		t.Fatalf("a wrong code: %v", err)
	}
	if tf, err := st.TwoFactor(ctx, u.ID); err != nil || tf.On {
		t.Fatalf("on after a wrong code: %+v, %v", tf, err)
	}
	codes, err := st.ConfirmTwoFactor(ctx, courses.Actor{UserID: u.ID, IP: "203.0.113.9"}, u.ID, totpAt(t, key, now), now)
	if err != nil || len(codes) != courses.RecoveryCodeCount {
		t.Fatalf("confirm: %v, %v", codes, err)
	}
	if tf, err := st.TwoFactor(ctx, u.ID); err != nil || !tf.On || tf.RecoveryLeft != courses.RecoveryCodeCount || !tf.EnabledAt.Equal(now) {
		t.Fatalf("after confirming: %+v, %v", tf, err)
	}
	if _, err := st.StartTwoFactor(ctx, u, now); !errors.Is(err, courses.ErrConflict) {
		t.Fatalf("enrolling again while on: %v", err)
	}
	if entries := auditOf(t, st, courses.AuditFilter{Action: courses.AuditTwoFactorEnabled}); len(entries) != 1 ||
		entries[0].UserID != u.ID || entries[0].Actor.IP != "203.0.113.9" {
		t.Fatalf("audit: %+v", entries)
	}

	// At rest: neither the secret nor a recovery code is in the database as it is.
	db := sqlx.MustOpen("postgres", url)
	defer db.Close()
	var sealed []byte
	if err := db.Get(&sealed, `SELECT secret FROM two_factor WHERE user_id = $1`, u.ID); err != nil {
		t.Fatal(err)
	}
	raw, _ := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(key.Secret)
	if len(raw) != courses.TOTPSecretSize || bytes.Contains(sealed, raw) {
		t.Fatalf("the secret is stored as it is (%d bytes)", len(raw))
	}
	var hashes [][]byte
	if err := db.Select(&hashes, `SELECT code_hash FROM recovery_codes WHERE user_id = $1`, u.ID); err != nil || len(hashes) != len(codes) {
		t.Fatalf("recovery codes kept: %d, %v", len(hashes), err)
	}
	for _, h := range hashes {
		for _, c := range codes {
			if bytes.Contains(h, []byte(c)) {
				t.Fatal("a recovery code is stored as it is")
			}
		}
	}
}

func TestACodeFromTheAppWorksOnceAndOnlyForALaterStep(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	u, key, _ := enrolled(t, st, "ana@example.org", start)

	later := start.Add(5 * time.Minute)
	if _, err := st.VerifySecondFactor(ctx, u.ID, "123", later); !errors.Is(err, courses.ErrWrongCode) {
		t.Fatalf("not a code: %v", err)
	}
	wrong := totpAt(t, key, later.Add(time.Hour))
	if _, err := st.VerifySecondFactor(ctx, u.ID, wrong, later); !errors.Is(err, courses.ErrWrongCode) {
		t.Fatalf("a wrong code: %v", err)
	}
	code := totpAt(t, key, later)
	if recovery, err := st.VerifySecondFactor(ctx, u.ID, code, later); err != nil || recovery {
		t.Fatalf("the right code: %v, %v", recovery, err)
	}
	if _, err := st.VerifySecondFactor(ctx, u.ID, code, later.Add(10*time.Second)); !errors.Is(err, courses.ErrWrongCode) {
		t.Fatalf("the same code again: %v", err)
	}
	// The step before is within the skew, but earlier than the one used.
	if _, err := st.VerifySecondFactor(ctx, u.ID, totpAt(t, key, later.Add(-30*time.Second)), later); !errors.Is(err, courses.ErrWrongCode) {
		t.Fatalf("an earlier step's code: %v", err)
	}
	// A phone a step ahead is taken, and the next step's code then only after it.
	next := totpAt(t, key, later.Add(30*time.Second))
	if _, err := st.VerifySecondFactor(ctx, u.ID, next[:3]+" "+next[3:], later); err != nil {
		t.Fatalf("the next step's code, typed with a space: %v", err)
	}
	if _, err := st.VerifySecondFactor(ctx, u.ID, next, later.Add(30*time.Second)); !errors.Is(err, courses.ErrWrongCode) {
		t.Fatalf("the next step's code again: %v", err)
	}
	other := instructor(t, st, "sin@example.org")
	if _, err := st.VerifySecondFactor(ctx, other.ID, code, later); !errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("an account without a second factor: %v", err)
	}
}

func TestARecoveryCodeWorksOnceAndNewCodesReplaceTheOld(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	u, key, codes := enrolled(t, st, "ana@example.org", now)

	typed := strings.ToUpper(courses.FormatRecoveryCode(codes[3]))
	if recovery, err := st.VerifySecondFactor(ctx, u.ID, typed, now); err != nil || !recovery {
		t.Fatalf("a recovery code: %v, %v", recovery, err)
	}
	if _, err := st.VerifySecondFactor(ctx, u.ID, codes[3], now); !errors.Is(err, courses.ErrWrongCode) {
		t.Fatalf("the same recovery code again: %v", err)
	}
	if _, err := st.VerifySecondFactor(ctx, u.ID, "zzzz-zzzz-zzzz", now); !errors.Is(err, courses.ErrWrongCode) {
		t.Fatalf("a made-up recovery code: %v", err)
	}
	if tf, _ := st.TwoFactor(ctx, u.ID); tf.RecoveryLeft != courses.RecoveryCodeCount-1 {
		t.Fatalf("left: %d", tf.RecoveryLeft)
	}
	// Another account's code is no use here.
	other, _, otherCodes := enrolled(t, st, "otra@example.org", now)
	if _, err := st.VerifySecondFactor(ctx, u.ID, otherCodes[0], now); !errors.Is(err, courses.ErrWrongCode) {
		t.Fatalf("another account's recovery code: %v", err)
	}

	if _, err := st.RenewRecoveryCodes(ctx, courses.Actor{UserID: u.ID}, u.ID, "000000", now); !errors.Is(err, courses.ErrWrongCode) {
		t.Fatalf("renewing with a wrong code: %v", err)
	}
	later := now.Add(time.Minute)
	fresh, err := st.RenewRecoveryCodes(ctx, courses.Actor{UserID: u.ID}, u.ID, totpAt(t, key, later), later)
	if err != nil || len(fresh) != courses.RecoveryCodeCount {
		t.Fatalf("renew: %v, %v", fresh, err)
	}
	if _, err := st.VerifySecondFactor(ctx, u.ID, codes[0], later); !errors.Is(err, courses.ErrWrongCode) {
		t.Fatalf("an old code after renewing: %v", err)
	}
	if _, err := st.VerifySecondFactor(ctx, u.ID, fresh[0], later); err != nil {
		t.Fatalf("a new code: %v", err)
	}
	if len(auditOf(t, st, courses.AuditFilter{Action: courses.AuditRecoveryCodesRenewed, UserID: u.ID})) != 1 {
		t.Fatal("renewing is not in the audit trail")
	}
	if tf, _ := st.TwoFactor(ctx, other.ID); tf.RecoveryLeft != courses.RecoveryCodeCount {
		t.Fatalf("the other account's codes changed: %d", tf.RecoveryLeft)
	}
}

func TestTwoFactorTurnedOffOnlyWithARightCode(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	u, key, _ := enrolled(t, st, "ana@example.org", now)
	later := now.Add(time.Minute)
	if err := st.DisableTwoFactor(ctx, courses.Actor{UserID: u.ID}, u.ID, totpAt(t, key, now), later); !errors.Is(err, courses.ErrWrongCode) {
		t.Fatalf("turning off with the code already used: %v", err)
	}
	if tf, _ := st.TwoFactor(ctx, u.ID); !tf.On {
		t.Fatal("off after a wrong code")
	}
	if err := st.DisableTwoFactor(ctx, courses.Actor{UserID: u.ID}, u.ID, totpAt(t, key, later), later); err != nil {
		t.Fatal(err)
	}
	if tf, _ := st.TwoFactor(ctx, u.ID); tf.On {
		t.Fatal("still on")
	}
	if len(auditOf(t, st, courses.AuditFilter{Action: courses.AuditTwoFactorDisabled, UserID: u.ID})) != 1 {
		t.Fatal("turning off is not in the audit trail")
	}
	// Enrolling again makes a new secret.
	if again, err := st.StartTwoFactor(ctx, u, later); err != nil || again.Secret == key.Secret {
		t.Fatalf("enrolling again: %v", err)
	}
}

func TestAdminResetRemovesTheSecondFactorAndItsCodesAndIsAudited(t *testing.T) {
	ctx := context.Background()
	st, url := storetest.DBAt(t)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	u, key, codes := enrolled(t, st, "ana@example.org", now)
	admin, err := st.CreateUser(ctx, profile("admin@example.org"), "a long password", courses.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	by := courses.Actor{UserID: admin.ID, IP: "198.51.100.4"}
	if removed, err := st.ResetTwoFactor(ctx, by, u.ID); err != nil || !removed {
		t.Fatalf("reset: %v, %v", removed, err)
	}
	if tf, _ := st.TwoFactor(ctx, u.ID); tf.On {
		t.Fatal("still on after the reset")
	}
	db := sqlx.MustOpen("postgres", url)
	defer db.Close()
	var left int
	if err := db.Get(&left, `SELECT (SELECT count(*) FROM recovery_codes WHERE user_id = $1) + (SELECT count(*) FROM two_factor_enrolments WHERE user_id = $1)`, u.ID); err != nil || left != 0 {
		t.Fatalf("rows left: %d, %v", left, err)
	}
	later := now.Add(time.Minute)
	if _, err := st.VerifySecondFactor(ctx, u.ID, codes[0], later); !errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("a recovery code after the reset: %v", err)
	}
	if _, err := st.VerifySecondFactor(ctx, u.ID, totpAt(t, key, later), later); !errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("a code after the reset: %v", err)
	}
	entries := auditOf(t, st, courses.AuditFilter{Action: courses.AuditTwoFactorReset})
	if len(entries) != 1 || entries[0].UserID != u.ID || entries[0].Actor != by {
		t.Fatalf("audit: %+v", entries)
	}
	// Nothing left to reset: nothing done, nothing recorded.
	if removed, err := st.ResetTwoFactor(ctx, by, u.ID); err != nil || removed {
		t.Fatalf("second reset: %v, %v", removed, err)
	}
	if n := len(auditOf(t, st, courses.AuditFilter{Action: courses.AuditTwoFactorReset})); n != 1 {
		t.Fatalf("%d reset entries", n)
	}
}

func TestTwoVerificationsOfOneCodeAtOnceOnlyOneWins(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	u, key, codes := enrolled(t, st, "ana@example.org", now)
	later := now.Add(time.Minute)
	for _, code := range []string{totpAt(t, key, later), codes[0]} {
		const racers = 6
		var wg sync.WaitGroup
		errs := make([]error, racers)
		start := make(chan struct{})
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = st.VerifySecondFactor(ctx, u.ID, code, later)
			}()
		}
		close(start)
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, courses.ErrWrongCode):
				t.Fatalf("code %s: %v", code, err)
			}
		}
		if won != 1 {
			t.Fatalf("code %s accepted %d times", code, won)
		}
	}
}

func TestSecondStepIsKeptByTokenAndCodesAreLimitedPerAccount(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := storetest.Redis(t)
	s := store.NewSignIns(rdb, prefix, time.Hour, 8*time.Hour, nil)
	token, err := s.StartSecondStep(ctx, store.SecondStep{UserID: 7, Email: "ana@example.org", Next: "/teach"})
	if err != nil {
		t.Fatal(err)
	}
	if step, err := s.SecondStep(ctx, token); err != nil || step != (store.SecondStep{UserID: 7, Email: "ana@example.org", Next: "/teach"}) {
		t.Fatalf("step: %+v, %v", step, err)
	}
	if ttl := rdb.TTL(ctx, prefix+"second-step:"+tokHash(token)).Val(); ttl <= 0 || ttl > store.SecondStepTTL {
		t.Fatalf("kept for %v (the token's hash is the key)", ttl)
	}
	if _, err := s.SecondStep(ctx, token+"x"); !errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("another token: %v", err)
	}
	if err := s.EndSecondStep(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SecondStep(ctx, token); !errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("after its end: %v", err)
	}

	l := store.NewLimiter(rdb, prefix, store.LoginLimits{PerAccount: 5, PerIP: 50, Period: time.Minute})
	for i := range store.SecondFactorTries {
		if wait, err := l.AllowSecondFactor(ctx, 7); err != nil || wait != 0 {
			t.Fatalf("try %d: %v, %v", i+1, wait, err)
		}
	}
	if wait, err := l.AllowSecondFactor(ctx, 7); err != nil || wait <= 0 {
		t.Fatalf("a try over the limit: %v, %v", wait, err)
	}
	if wait, _ := l.AllowSecondFactor(ctx, 8); wait != 0 {
		t.Fatal("another account is held by this one's tries")
	}
	if err := l.SecondFactorSucceeded(ctx, 7); err != nil {
		t.Fatal(err)
	}
	if wait, _ := l.AllowSecondFactor(ctx, 7); wait != 0 {
		t.Fatal("still held after a right code")
	}
}
