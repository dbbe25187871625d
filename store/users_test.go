package store_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
)

func profile(email string) courses.Profile {
	return courses.Profile{FullName: "Ana Pérez", Email: email, Country: "GT", Institution: "PNC",
		Sector: "police", Language: "es"}
}

func TestCreateUserRefusesSameEmailInOtherCase(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	if _, err := st.CreateUser(ctx, profile("ana@example.org"), "a long password", courses.RoleTrainee); err != nil {
		t.Fatal(err)
	}
	_, err := st.CreateUser(ctx, profile("ANA@Example.org"), "another password", courses.RoleTrainee)
	if !errors.Is(err, courses.ErrConflict) {
		t.Fatalf("second account: err = %v, want ErrConflict", err)
	}
	users, total, err := st.ListUsers(ctx, store.UserFilter{})
	if err != nil || total != 1 || len(users) != 1 {
		t.Fatalf("ListUsers = %d users, total %d, %v; want exactly one", len(users), total, err)
	}
}

func TestAuthenticate(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	u, err := st.CreateUser(ctx, profile("ana@example.org"), "a long password", courses.RoleTrainee)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := st.Authenticate(ctx, "  Ana@EXAMPLE.org", "a long password"); err != nil || got.ID != u.ID {
		t.Fatalf("right password: %v, %v", got, err)
	}
	for name, try := range map[string][2]string{
		"wrong password": {"ana@example.org", "a wrong password"},
		"unknown email":  {"nobody@example.org", "a long password"},
	} {
		if _, err := st.Authenticate(ctx, try[0], try[1]); !errors.Is(err, courses.ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", name, err)
		}
	}
	if err := st.SetActive(ctx, courses.Actor{}, u.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Authenticate(ctx, "ana@example.org", "a long password"); !errors.Is(err, courses.ErrNotFound) {
		t.Errorf("deactivated: err = %v, want ErrNotFound", err)
	}
}

func TestChangePasswordNeedsCurrentOne(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	u, _ := st.CreateUser(ctx, profile("ana@example.org"), "a long password", courses.RoleTrainee)
	if err := st.ChangePassword(ctx, u.ID, "not the password", "a newer password"); !errors.Is(err, courses.ErrForbidden) {
		t.Fatalf("wrong current: %v", err)
	}
	if err := st.ChangePassword(ctx, u.ID, "a long password", "a newer password"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Authenticate(ctx, "ana@example.org", "a newer password"); err != nil {
		t.Fatalf("new password refused: %v", err)
	}
}

func TestListUsersSearchesNameAndEmailAndFiltersRoleCountrySectorAndStatus(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	for i, email := range []string{"ana@example.org", "bruno@example.org", "carla@muni.example"} {
		p := profile(email)
		p.FullName = []string{"Ana Pérez", "Bruno Silva", "Carla 100% Gómez"}[i]
		role := courses.RoleTrainee
		if i == 1 {
			role = courses.RoleInstructor
			p.Country, p.Sector = "HN", "media"
		}
		u, err := st.CreateUser(ctx, p, "a long password", role)
		if err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			if err := st.SetActive(ctx, courses.Actor{}, u.ID, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	active, deactivated := true, false
	tests := []struct {
		f    store.UserFilter
		want []string
	}{
		{store.UserFilter{Query: "silva"}, []string{"Bruno Silva"}},
		{store.UserFilter{Query: "MUNI"}, []string{"Carla 100% Gómez"}},
		{store.UserFilter{Query: "%"}, []string{"Carla 100% Gómez"}},
		{store.UserFilter{Role: courses.RoleTrainee}, []string{"Ana Pérez", "Carla 100% Gómez"}},
		{store.UserFilter{Limit: 1, Offset: 1}, []string{"Bruno Silva"}},
		{store.UserFilter{Country: "HN"}, []string{"Bruno Silva"}},
		{store.UserFilter{Sector: "police"}, []string{"Ana Pérez", "Carla 100% Gómez"}},
		{store.UserFilter{Active: &deactivated}, []string{"Carla 100% Gómez"}},
		{store.UserFilter{Active: &active, Sector: "police", Country: "GT"}, []string{"Ana Pérez"}},
		{store.UserFilter{Active: &active, Country: "SV"}, nil},
		{store.UserFilter{Country: "HN", Offset: 5, Limit: 5}, nil},
	}
	for _, tt := range tests {
		users, total, err := st.ListUsers(ctx, tt.f)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, u := range users {
			names = append(names, u.FullName)
		}
		if len(names) != len(tt.want) || (len(names) > 0 && names[0] != tt.want[0]) {
			t.Errorf("%+v: got %v, want %v", tt.f, names, tt.want)
		}
		if tt.f.Limit == 0 && total != len(tt.want) {
			t.Errorf("%+v: total %d, want %d", tt.f, total, len(tt.want))
		}
	}
}

// A hash made with older parameters (OWASP's minimum, two passes) still signs its owner in,
// and is made anew with today's at that sign-in.
func TestSignInRehashesAPasswordHashedWithOlderParameters(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	u, err := st.CreateUser(ctx, profile("ana@example.org"), "a long password", courses.RoleTrainee)
	if err != nil {
		t.Fatal(err)
	}
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("a long password"), salt, 2, 19*1024, 1, 32)
	b64 := base64.RawStdEncoding
	old := fmt.Sprintf("$argon2id$v=%d$m=19456,t=2,p=1$%s$%s", argon2.Version, b64.EncodeToString(salt), b64.EncodeToString(key))
	if _, err := st.DB().ExecContext(ctx, `UPDATE users SET password_hash = $2 WHERE id = $1`, u.ID, old); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Authenticate(ctx, "ana@example.org", "a wrong password"); !errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("wrong password against the old hash: %v", err)
	}
	hashOf := func() string {
		var h string
		if err := st.DB().GetContext(ctx, &h, `SELECT password_hash FROM users WHERE id = $1`, u.ID); err != nil {
			t.Fatal(err)
		}
		return h
	}
	if hashOf() != old {
		t.Fatal("a wrong password rehashed the account")
	}
	if got, err := st.Authenticate(ctx, "ana@example.org", "a long password"); err != nil || got.ID != u.ID {
		t.Fatalf("right password against the old hash: %v, %v", got, err)
	}
	now := hashOf()
	if now == old || !strings.Contains(now, "$m=19456,t=3,p=1$") {
		t.Fatalf("hash after sign-in = %q, want today's parameters (t=3)", now)
	}
	if _, err := st.Authenticate(ctx, "ana@example.org", "a long password"); err != nil {
		t.Fatalf("sign-in against the new hash: %v", err)
	}
}
