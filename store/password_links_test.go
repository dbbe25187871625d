package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
)

func TestCheckPasswordLinkTellsAnInvalidLinkFromAFailingDatabase(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	_, token, now := traineeWithLink(t, st)
	if err := st.CheckPasswordLink(ctx, token, now); err != nil {
		t.Fatalf("a fresh link: %v", err)
	}
	for name, tok := range map[string]string{"unknown": strings.Repeat("A", len(token)), "empty": "", "1 MiB": strings.Repeat("A", 1<<20)} {
		if err := st.CheckPasswordLink(ctx, tok, now); !errors.Is(err, courses.ErrNotFound) {
			t.Errorf("%s link: %v, want ErrNotFound", name, err)
		}
	}
	if err := st.CheckPasswordLink(ctx, token, now.Add(store.PasswordLinkTTL)); !errors.Is(err, courses.ErrNotFound) {
		t.Errorf("expired link: %v", err)
	}

	broken, err := store.Open(ctx, storetest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := broken.Close(); err != nil {
		t.Fatal(err)
	}
	if err := broken.CheckPasswordLink(ctx, token, now); err == nil || errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("a database that does not answer: %v, want an error that is not ErrNotFound", err)
	}
	if _, err := broken.UsePasswordLink(ctx, token, "otra contraseña larga", now, noSignIns); err == nil || errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("using a link on a database that does not answer: %v", err)
	}
}

func TestRegistrationAndPasswordLinksAreLimitedPerAddress(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := storetest.Redis(t)
	l := store.NewLimiter(rdb, prefix, store.LoginLimits{PerAccount: 5, PerIP: 50, Period: time.Minute, PerIPCostly: 2})
	for name, allow := range map[string]func(context.Context, string) (time.Duration, error){
		"register": l.AllowRegister, "password link": l.AllowPasswordLink,
	} {
		for i := 0; i < 2; i++ {
			if wait, err := allow(ctx, "10.0.0.1"); err != nil || wait != 0 {
				t.Fatalf("%s %d: %v %v", name, i+1, wait, err)
			}
		}
		if wait, _ := allow(ctx, "10.0.0.1"); wait <= 0 {
			t.Errorf("%s: the third from one address was allowed", name)
		}
		if wait, _ := allow(ctx, "10.0.0.2"); wait != 0 {
			t.Errorf("%s: another address was refused", name)
		}
	}
	// One IPv6 subscriber holds a whole /64: its addresses share one count.
	for _, ip := range []string{"2001:db8:1:2::1", "2001:db8:1:2::ffff"} {
		if wait, _ := l.AllowRegister(ctx, ip); wait != 0 {
			t.Fatalf("%s refused early", ip)
		}
	}
	if wait, _ := l.AllowRegister(ctx, "2001:db8:1:2:abcd::1"); wait <= 0 {
		t.Error("a third address of the same /64 was allowed")
	}
}

// noSignIns stands for ending the account's sign-ins where a test has none.
func noSignIns(courses.User) error { return nil }

// When the account's other sign-ins cannot be ended (Redis down), the password is not set
// and the link is not spent: nobody keeps a sign-in that outlives the new password.
func TestUsingAPasswordLinkChangesNothingWhenSignInsCannotBeEnded(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	u, token, now := traineeWithLink(t, st)
	redisDown := errors.New("redis down")
	var ended int64
	if _, err := st.UsePasswordLink(ctx, token, "otra contraseña larga", now, func(u courses.User) error { ended = u.ID; return redisDown }); !errors.Is(err, redisDown) {
		t.Fatalf("UsePasswordLink = %v, want the sign-in store's error", err)
	}
	if ended != u.ID {
		t.Fatalf("sign-ins ended for %d, want %d", ended, u.ID)
	}
	if _, err := st.Authenticate(ctx, "ana@example.org", "otra contraseña larga"); !errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("the new password works although the change failed: %v", err)
	}
	if err := st.CheckPasswordLink(ctx, token, now); err != nil {
		t.Fatalf("the link was spent by a change that failed: %v", err)
	}
	if _, err := st.UsePasswordLink(ctx, token, "otra contraseña larga", now, noSignIns); err != nil {
		t.Fatalf("using the link again: %v", err)
	}
}

// traineeWithLink makes Ana, a trainee with a password, and a fresh password link for her.
func traineeWithLink(t *testing.T, st *store.Store) (courses.User, string, time.Time) {
	t.Helper()
	ctx := context.Background()
	u, err := st.CreateUser(ctx, courses.Profile{FullName: "Ana", Email: "ana@example.org", Country: "GT", Institution: "PNC",
		Sector: "police", Language: "es"}, "una contraseña larga", courses.RoleTrainee)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	token, err := st.PasswordLink(ctx, courses.Actor{}, u.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	return u, token, now
}

// An admin's link works once, until it expires, and not after the password has changed by any
// other way (another link, the profile's form): an old link never sets a password again.
func TestAPasswordLinkIsSingleUseExpiresAndDiesWithAPasswordChange(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	u, first, now := traineeWithLink(t, st)
	second, err := st.PasswordLink(ctx, courses.Actor{}, u.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.UsePasswordLink(ctx, first, "la primera contraseña", now, noSignIns); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UsePasswordLink(ctx, first, "otra vez la misma", now, noSignIns); !errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("a link used twice: %v", err)
	}
	if err := st.CheckPasswordLink(ctx, second, now); !errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("an older link outlived the password it did not set: %v", err)
	}
	third, err := st.PasswordLink(ctx, courses.Actor{}, u.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.ChangePassword(ctx, u.ID, "la primera contraseña", "cambiada en el perfil"); err != nil {
		t.Fatal(err)
	}
	if err := st.CheckPasswordLink(ctx, third, now); !errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("a link outlived a change in the profile: %v", err)
	}
	late, err := st.PasswordLink(ctx, courses.Actor{}, u.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.UsePasswordLink(ctx, late, "demasiado tarde", now.Add(store.PasswordLinkTTL+time.Second), noSignIns); !errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("an expired link: %v", err)
	}
	if _, err := st.Authenticate(ctx, u.Email, "cambiada en el perfil"); err != nil {
		t.Fatalf("the password is not the last one set: %v", err)
	}
}
