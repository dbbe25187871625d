package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aula-school/aula/courses"
)

func TestTraineeAndInstructorGetForbiddenOnAdminPages(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	target := app.user("target@example.org", courses.RoleTrainee)
	for _, role := range []courses.Role{courses.RoleTrainee, courses.RoleInstructor} {
		email := string(role) + "@example.org"
		app.user(email, role)
		c := app.client("en")
		c.mustLogin(email)
		for _, r := range []response{
			c.get("/admin/users"),
			c.get(fmt.Sprintf("/admin/users/%d", target.ID)),
			c.post(fmt.Sprintf("/admin/users/%d/role", target.ID), url.Values{"role": {"admin"}}),
			c.post(fmt.Sprintf("/admin/users/%d/active", target.ID), url.Values{"active": {"false"}}),
		} {
			if r.Status != http.StatusForbidden || !strings.Contains(r.Body, "Acceso denegado") {
				t.Errorf("%s: status %d, want 403 with the translated page", role, r.Status)
			}
		}
	}
	if u, _ := app.Store.User(context.Background(), target.ID); u.Role != courses.RoleTrainee || !u.Active {
		t.Fatalf("a refused request changed the user: %+v", u)
	}
}

func TestAdminListsAndSearchesUsers(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.user("admin@example.org", courses.RoleAdmin)
	app.user("ana.perez@example.org", courses.RoleTrainee)
	app.user("bruno@example.org", courses.RoleInstructor)
	c := app.client("es")
	c.mustLogin("admin@example.org")
	r := c.get("/admin/users?q=PEREZ")
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "ana.perez@example.org") || strings.Contains(r.Body, "bruno@example.org") {
		t.Fatalf("search: %d\n%s", r.Status, r.Body)
	}
	r = c.get("/admin/users?role=instructor")
	if !strings.Contains(r.Body, "bruno@example.org") || strings.Contains(r.Body, "ana.perez@example.org") {
		t.Fatal("role filter")
	}
	if r := c.get("/admin/users?q=nadie"); !strings.Contains(r.Body, "Ningún usuario coincide") {
		t.Fatal("empty result does not say so")
	}
	if r := c.get("/admin/users/999999"); r.Status != http.StatusNotFound || !strings.Contains(r.Body, "Página no encontrada") {
		t.Fatalf("unknown user: %d", r.Status)
	}
	if r := c.get("/admin/users/abc"); r.Status != http.StatusNotFound {
		t.Fatalf("non-numeric id: %d", r.Status)
	}
}

func TestDeactivationEndsAllSignInsOfTheUser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.user("admin@example.org", courses.RoleAdmin)
	ana := app.user("ana@example.org", courses.RoleTrainee)
	phone, laptop := app.client("es"), app.client("es")
	phone.mustLogin("ana@example.org")
	laptop.mustLogin("ana@example.org")
	admin := app.client("es")
	admin.mustLogin("admin@example.org")

	r := admin.post(fmt.Sprintf("/admin/users/%d/active", ana.ID), url.Values{"active": {"false"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("deactivate: %d", r.Status)
	}
	if page := admin.get(r.Location); !strings.Contains(page.Body, "La cuenta se desactivó") {
		t.Fatal("no confirmation shown")
	}
	for name, c := range map[string]*client{"phone": phone, "laptop": laptop} {
		if r := c.get("/profile"); r.Status != http.StatusSeeOther {
			t.Errorf("%s still signed in after deactivation: %d", name, r.Status)
		}
	}
	refused := phone.login("ana@example.org", testPassword)
	if refused.Status != http.StatusUnauthorized {
		t.Fatalf("a deactivated user can sign in: %d", refused.Status)
	}
	// The refusal says what may be wrong, the same for a wrong password: it does not tell
	// whoever tries that this account exists and is deactivated.
	wrong := app.client("es").login("admin@example.org", "not the password")
	for _, want := range []string{"El correo electrónico o la contraseña no son correctos.", "Si su cuenta fue desactivada"} {
		if !strings.Contains(refused.Body, want) || !strings.Contains(wrong.Body, want) {
			t.Errorf("the refusal does not say %q", want)
		}
	}
	if strings.Contains(refused.Body, "ana@example.org") != strings.Contains(wrong.Body, "admin@example.org") {
		t.Error("the two refusals differ")
	}
	admin.post(fmt.Sprintf("/admin/users/%d/active", ana.ID), url.Values{"active": {"true"}})
	phone.mustLogin("ana@example.org")
}

func TestRoleChangeEndsTheUsersSignIns(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.user("admin@example.org", courses.RoleAdmin)
	ana := app.user("ana@example.org", courses.RoleTrainee)
	c := app.client("en")
	c.mustLogin("ana@example.org")
	admin := app.client("en")
	admin.mustLogin("admin@example.org")
	if r := admin.post(fmt.Sprintf("/admin/users/%d/role", ana.ID), url.Values{"role": {"instructor"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("role change: %d", r.Status)
	}
	if u, _ := app.Store.User(context.Background(), ana.ID); u.Role != courses.RoleInstructor {
		t.Fatalf("role is %s", u.Role)
	}
	if r := c.get("/profile"); r.Status != http.StatusSeeOther {
		t.Fatalf("old session survived the role change: %d", r.Status)
	}
	if r := admin.post(fmt.Sprintf("/admin/users/%d/role", ana.ID), url.Values{"role": {"emperor"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("bad role: %d", r.Status)
	} else if page := admin.get(r.Location); !strings.Contains(page.Body, "Elija un rol de la lista.") {
		t.Fatal("bad role: no message")
	}
}

func TestAdminMakesAOneTimePasswordLink(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.user("admin@example.org", courses.RoleAdmin)
	ana := app.user("ana@example.org", courses.RoleTrainee)
	admin := app.client("es")
	admin.mustLogin("admin@example.org")
	r := admin.post(fmt.Sprintf("/admin/users/%d/password-link", ana.ID), nil)
	if r.Status != http.StatusSeeOther || strings.Contains(admin.get(r.Location).Body, "token=") {
		t.Fatalf("link: %d, or the admin sees it", r.Status)
	}
	email := app.lastEmail(ana.Email)
	if email.Kind != courses.EmailPasswordLink {
		t.Fatalf("emailed %s, want a password link", email.Kind)
	}
	link := regexp.MustCompile(`/password/set\?token=([A-Za-z0-9_-]+)`).FindStringSubmatch(email.Data["Link"])
	c := app.client("es")
	if r := c.post("/password/set", url.Values{"token": {link[1]}, "password": {"una clave nueva y larga"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("using the link: %d", r.Status)
	}
	if r := app.client("es").login("ana@example.org", "una clave nueva y larga"); r.Status != http.StatusSeeOther {
		t.Fatalf("the new password does not work: %d", r.Status)
	}
	trainee := app.client("es")
	trainee.login("ana@example.org", "una clave nueva y larga")
	if r := trainee.post(fmt.Sprintf("/admin/users/%d/password-link", ana.ID), nil); r.Status != http.StatusForbidden {
		t.Fatalf("trainee making links: %d", r.Status)
	}
}

func TestAdminCannotDemoteOrDeactivateThemselves(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	me := app.user("admin@example.org", courses.RoleAdmin)
	c := app.client("pt")
	c.mustLogin("admin@example.org")
	r := c.post(fmt.Sprintf("/admin/users/%d/active", me.ID), url.Values{"active": {"false"}})
	if page := c.get(r.Location); !strings.Contains(page.Body, "No puede cambiar su propio rol") {
		t.Fatalf("no refusal shown: %d", page.Status)
	}
	c.post(fmt.Sprintf("/admin/users/%d/role", me.ID), url.Values{"role": {"trainee"}})
	if u, _ := app.Store.User(context.Background(), me.ID); u.Role != courses.RoleAdmin || !u.Active {
		t.Fatalf("admin changed themselves: %+v", u)
	}
}
