package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aula-school/aula/courses"
)

func TestRegisterWithBadInputShowsEachErrorInTheUsersLanguageAndSavesNothing(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	bad := url.Values{"email": {"not-an-email"}, "password": {"short"}, "country": {"XX"},
		"sector": {"army"}, "gender": {"x"}, "language": {"es"}}
	want := map[string][]string{
		"es": {"Escriba su nombre completo.", "Escriba un correo electrónico válido", "Elija un país de la lista.",
			"Escriba la institución donde trabaja.", "Elija un sector de la lista.", "Elija una de las opciones de género",
			"al menos 12 caracteres."},
		"en": {"Enter your full name.", "Enter a valid email address", "Choose a country from the list.",
			"Enter the institution you work for.", "Choose a sector from the list.", "Choose one of the gender options",
			"at least 12 characters."},
		"pt": {"Digite seu nome completo.", "Digite um e-mail válido", "Escolha um país da lista.",
			"Digite a instituição onde você trabalha.", "Escolha um setor da lista.", "Escolha uma das opções de gênero",
			"pelo menos 12 caracteres."},
	}
	for lang, messages := range want {
		r := app.client(lang).post("/register", bad)
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("%s: status %d, want 422", lang, r.Status)
		}
		for _, m := range messages {
			if !strings.Contains(r.Body, m) {
				t.Errorf("%s: page lacks %q", lang, m)
			}
		}
		if !strings.Contains(r.Body, `value="not-an-email"`) {
			t.Errorf("%s: the typed email was not kept", lang)
		}
		if strings.Contains(r.Body, "short") {
			t.Errorf("%s: the password was echoed back", lang)
		}
	}
	if n := app.userCount(); n != 0 {
		t.Fatalf("%d users saved after bad registrations", n)
	}
}

func registration(email, password string) url.Values {
	return url.Values{"full_name": {"Ana Pérez"}, "email": {email}, "password": {password}, "country": {"GT"},
		"institution": {"PNC"}, "sector": {"police"}, "gender": {"woman"}, "language": {"es"}}
}

func TestRegisterSameEmailInOtherCaseAnswersAlikeAndKeepsOneAccount(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	first := app.client("en").post("/register", registration("ana@example.org", "the first password"))
	second := app.client("en").post("/register", registration("ANA@Example.ORG", "the second password"))
	if first.Status != http.StatusSeeOther || second.Status != first.Status || second.Location != first.Location {
		t.Fatalf("answers differ: %d %s vs %d %s", first.Status, first.Location, second.Status, second.Location)
	}
	if n := app.userCount(); n != 1 {
		t.Fatalf("%d accounts, want 1", n)
	}
	c := app.client("en")
	if r := c.login("ana@example.org", "the second password"); r.Status != http.StatusUnauthorized {
		t.Fatalf("the second registration's password works: %d", r.Status)
	}
	if r := c.login("Ana@example.org", "the first password"); r.Status != http.StatusSeeOther {
		t.Fatalf("the first password fails: %d", r.Status)
	}
}

func TestRegisterThenLoginShowsNoticeAndSpeaksChosenLanguage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.client("en")
	form := registration("bia@example.org", "uma senha bem longa")
	form.Set("language", "pt")
	r := c.post("/register", form)
	if r.Status != http.StatusSeeOther || r.Location != "/login" {
		t.Fatalf("register: %d %s", r.Status, r.Location)
	}
	if page := c.get("/login"); !strings.Contains(page.Body, "Se este endereço não tinha conta") {
		t.Fatalf("the notice after registering is missing or not in Portuguese:\n%s", page.Body)
	}
	if r := c.login("bia@example.org", "uma senha bem longa"); r.Status != http.StatusSeeOther {
		t.Fatalf("login: %d", r.Status)
	}
	if page := c.get("/profile"); !strings.Contains(page.Body, `<html lang="pt">`) {
		t.Fatal("the profile's language is not used")
	}
}

func TestLoginFailureSaysSoWithoutSayingWhich(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.user("ana@example.org", courses.RoleTrainee)
	c := app.client("es")
	wrong := c.login("ana@example.org", "not the password at all")
	unknown := c.login("nadie@example.org", "not the password at all")
	for _, r := range []response{wrong, unknown} {
		if r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "El correo electrónico o la contraseña no son correctos.") {
			t.Fatalf("status %d, body lacks the message", r.Status)
		}
	}
	if c.cookie("aula_signin") != "" {
		t.Fatal("a failed login left a session cookie")
	}
}

func TestLoginIsThrottledPerAccount(t *testing.T) {
	t.Parallel()
	app := newTestApp(t, withLoginLimits(3, 100))
	app.user("ana@example.org", courses.RoleTrainee)
	c := app.client("en")
	for i := 0; i < 3; i++ {
		if r := c.login("ana@example.org", "wrong password here"); r.Status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, r.Status)
		}
	}
	r := c.login("ana@example.org", testPassword)
	if r.Status != http.StatusTooManyRequests {
		t.Fatalf("4th attempt, right password: %d, want 429", r.Status)
	}
	if !strings.Contains(r.Body, "Too many attempts") || r.Header.Get("Retry-After") == "" {
		t.Fatalf("throttle message or Retry-After missing")
	}
	// Another account from the same browser is not locked by ana's limit.
	app.user("bruno@example.org", courses.RoleTrainee)
	if r := c.login("bruno@example.org", testPassword); r.Status != http.StatusSeeOther {
		t.Fatalf("another account: %d", r.Status)
	}
}

func TestLoginIsThrottledPerAddress(t *testing.T) {
	t.Parallel()
	app := newTestApp(t, withLoginLimits(100, 4))
	app.user("ana@example.org", courses.RoleTrainee)
	c := app.client("pt")
	for i := 0; i < 4; i++ {
		c.login("someone"+string(rune('a'+i))+"@example.org", "wrong password here")
	}
	r := c.login("ana@example.org", testPassword)
	if r.Status != http.StatusTooManyRequests || !strings.Contains(r.Body, "Tentativas demais") {
		t.Fatalf("5th attempt from one address: %d", r.Status)
	}
}

func TestLoginGivesNewSessionID(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.user("ana@example.org", courses.RoleTrainee)
	c := app.client("es")
	c.setCookie("aula_signin", "planted-by-an-attacker")
	c.mustLogin("ana@example.org")
	first := c.cookie("aula_signin")
	if first == "" || first == "planted-by-an-attacker" {
		t.Fatalf("session cookie after login: %q", first)
	}
	c.mustLogin("ana@example.org")
	second := c.cookie("aula_signin")
	if second == first {
		t.Fatal("a second login kept the session id")
	}
	old := app.client("es")
	old.setCookie("aula_signin", first)
	if r := old.get("/profile"); r.Status != http.StatusSeeOther {
		t.Fatalf("the session replaced at login still works: %d", r.Status)
	}
}

func TestLoginRedirectsOnlyWithinAula(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.user("ana@example.org", courses.RoleTrainee)
	for next, want := range map[string]string{"/profile": "/profile", "//evil.example/": "/", "https://evil.example/": "/", `/\evil.example`: "/",
		"/\t/evil.example": "/", "/\n/evil.example": "/"} {
		r := app.client("es").post("/login", url.Values{"email": {"ana@example.org"}, "password": {testPassword}, "next": {next}})
		if r.Location != want {
			t.Errorf("next=%q: redirected to %q, want %q", next, r.Location, want)
		}
	}
}

func TestLogoutKillsTheSession(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.user("ana@example.org", courses.RoleTrainee)
	c := app.client("es")
	c.mustLogin("ana@example.org")
	token := c.cookie("aula_signin")
	if r := c.get("/profile"); r.Status != http.StatusOK {
		t.Fatalf("profile while signed in: %d", r.Status)
	}
	if r := c.post("/logout", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.Status)
	}
	replay := app.client("es")
	replay.setCookie("aula_signin", token)
	if r := replay.get("/profile"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
		t.Fatalf("old cookie after logout: %d %s", r.Status, r.Location)
	}
}

func TestAnonymousIsSentToLoginAndBack(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.user("admin@example.org", courses.RoleAdmin)
	c := app.client("es")
	r := c.get("/admin/users?q=ana")
	if r.Status != http.StatusSeeOther || r.Location != "/login?next=%2Fadmin%2Fusers%3Fq%3Dana" {
		t.Fatalf("anonymous on admin page: %d %s", r.Status, r.Location)
	}
	r = c.post("/login", url.Values{"email": {"admin@example.org"}, "password": {testPassword}, "next": {"/admin/users?q=ana"}})
	if r.Location != "/admin/users?q=ana" {
		t.Fatalf("after login: %s", r.Location)
	}
}

func TestCookiesAreSecureAndHostPrefixedOverHTTPS(t *testing.T) {
	t.Parallel()
	app := newTestApp(t, withBaseURL("https://aula.example.org"))
	app.user("ana@example.org", courses.RoleTrainee)
	r := app.client("es").login("ana@example.org", testPassword)
	cookie := setCookie(r, "aula_signin=")
	for _, want := range []string{"__Host-aula_signin=", "Path=/", "HttpOnly", "Secure", "SameSite=Lax"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("Set-Cookie %q lacks %s", cookie, want)
		}
	}
	if strings.Contains(cookie, "Domain=") {
		t.Error("a __Host- cookie must not name a domain")
	}
	if r.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS over HTTPS")
	}
	plain := newTestApp(t)
	plain.user("bo@example.org", courses.RoleTrainee)
	if c := setCookie(plain.client("es").login("bo@example.org", testPassword), "aula_signin="); !strings.HasPrefix(c, "aula_signin=") || strings.Contains(c, "Secure") {
		t.Errorf("plain HTTP cookie: %q", c)
	}
}

// setCookie is the Set-Cookie header of r that sets the cookie named (with its "="), or "".
func setCookie(r response, name string) string {
	for _, c := range r.Header.Values("Set-Cookie") {
		if strings.Contains(c, name) {
			return c
		}
	}
	return ""
}
