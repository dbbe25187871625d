package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

var (
	secretOnPage = regexp.MustCompile(`id="two-factor-secret">([A-Z2-7 ]+)</code>`)
	codesOnPage  = regexp.MustCompile(`<li><code>([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})</code></li>`)
)

// appCode is the code an authenticator app holding secret shows at the app's time.
func (a *testApp) appCode(secret string) string {
	a.t.Helper()
	code, err := totp.GenerateCodeCustom(strings.ReplaceAll(secret, " ", ""), a.Clock.Now(),
		totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		a.t.Fatal(err)
	}
	return code
}

// enrolThroughPage sets up the signed-in client's second factor as a person does: the secret
// read off the page, a code from it typed back. It returns the secret and the recovery codes.
func (c *client) enrolThroughPage() (string, []string) {
	t := c.app.t
	t.Helper()
	page := c.get("/account/two-factor")
	m := secretOnPage.FindStringSubmatch(page.Body)
	if page.Status != http.StatusOK || m == nil {
		t.Fatalf("set-up page: %d\n%s", page.Status, page.Body)
	}
	done := c.post("/account/two-factor", url.Values{"code": {c.app.appCode(m[1])}})
	var codes []string
	for _, cm := range codesOnPage.FindAllStringSubmatch(done.Body, -1) {
		codes = append(codes, cm[1])
	}
	if done.Status != http.StatusOK || len(codes) != courses.RecoveryCodeCount {
		t.Fatalf("confirm: %d, %d codes\n%s", done.Status, len(codes), done.Body)
	}
	return strings.ReplaceAll(m[1], " ", ""), codes
}

// enrolledStaff is a signed-out account of role whose second factor is on, with its secret
// and recovery codes; the clock has moved past the step its first code used.
func (a *testApp) enrolledStaff(email string, role courses.Role) (courses.User, string, []string) {
	a.t.Helper()
	u := a.user(email, role)
	c := a.client("es")
	c.mustLogin(email)
	secret, codes := c.enrolThroughPage()
	a.Clock.Advance(30 * time.Second)
	return u, secret, codes
}

func TestSignInWithASecondFactorGivesNoSessionBeforeTheCode(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	_, secret, _ := app.enrolledStaff("ana@example.org", courses.RoleInstructor)
	used := app.appCode(secret) // the step the set-up used was 30 s ago; this one is fresh

	c := app.client("es")
	r := c.post("/login", url.Values{"email": {"ana@example.org"}, "password": {testPassword}, "next": {"/teach"}})
	if r.Status != http.StatusSeeOther || r.Location != "/login/code" {
		t.Fatalf("password: %d to %q", r.Status, r.Location)
	}
	if c.cookie("aula_signin") != "" {
		t.Fatal("signed in before the code")
	}
	if r := c.get("/teach"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
		t.Fatalf("a page before the code: %d to %q", r.Status, r.Location)
	}
	if r := c.get("/login/code"); r.Status != http.StatusOK || !strings.Contains(r.Body, `autocomplete="one-time-code"`) {
		t.Fatalf("code page: %d", r.Status)
	}
	if r := c.post("/login/code", url.Values{"code": {"000000"}}); r.Status != http.StatusUnauthorized ||
		!strings.Contains(r.Body, "El código no es correcto") || c.cookie("aula_signin") != "" {
		t.Fatalf("a wrong code: %d\n%s", r.Status, r.Body)
	}
	step := c.cookie("aula_second_step")
	r = c.post("/login/code", url.Values{"code": {used[:3] + " " + used[3:]}})
	if r.Status != http.StatusSeeOther || r.Location != "/teach" || c.cookie("aula_signin") == "" {
		t.Fatalf("the right code: %d to %q", r.Status, r.Location)
	}
	if r := c.get("/teach"); r.Status != http.StatusOK {
		t.Fatalf("signed in: %d", r.Status)
	}

	// The second step's cookie is spent, and the code with it, in another browser too.
	other := app.client("es")
	other.setCookie("aula_second_step", step)
	if r := other.post("/login/code", url.Values{"code": {used}}); r.Status != http.StatusSeeOther || r.Location != "/login" ||
		other.cookie("aula_signin") != "" {
		t.Fatalf("the used second step again: %d to %q", r.Status, r.Location)
	}
	other.login("ana@example.org", testPassword)
	if r := other.post("/login/code", url.Values{"code": {used}}); r.Status != http.StatusUnauthorized {
		t.Fatalf("the used code again: %d", r.Status)
	}
	// Nobody gets to the code page without the password.
	if r := app.client("es").get("/login/code"); r.Status != http.StatusSeeOther || r.Location != "/login" {
		t.Fatalf("code page without a password: %d to %q", r.Status, r.Location)
	}
}

func TestWrongCodesAtSignInAreThrottledPerAccount(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	_, secret, _ := app.enrolledStaff("ana@example.org", courses.RoleInstructor)
	c := app.client("es")
	c.mustLogin("ana@example.org")
	for i := range store.SecondFactorTries {
		if r := c.post("/login/code", url.Values{"code": {"000000"}}); r.Status != http.StatusUnauthorized {
			t.Fatalf("wrong code %d: %d", i+1, r.Status)
		}
	}
	// From another browser and address the account is held too, even with the right code.
	other := app.client("es")
	other.mustLogin("ana@example.org")
	r := other.post("/login/code", url.Values{"code": {app.appCode(secret)}})
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" ||
		!strings.Contains(r.Body, "Demasiados intentos. Por su seguridad, espere") || other.cookie("aula_signin") != "" {
		t.Fatalf("over the limit: %d\n%s", r.Status, r.Body)
	}
}

func TestARecoveryCodeSignsInOnce(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	_, _, codes := app.enrolledStaff("ana@example.org", courses.RoleAdmin)
	c := app.client("es")
	c.mustLogin("ana@example.org")
	if r := c.post("/login/code", url.Values{"code": {strings.ToUpper(codes[0])}}); r.Status != http.StatusSeeOther || c.cookie("aula_signin") == "" {
		t.Fatalf("a recovery code: %d", r.Status)
	}
	if r := c.get("/account/two-factor"); !strings.Contains(r.Body, fmt.Sprintf("sin usar: %d.", courses.RecoveryCodeCount-1)) {
		t.Fatalf("codes left not shown\n%s", r.Body)
	}
	again := app.client("es")
	again.mustLogin("ana@example.org")
	if r := again.post("/login/code", url.Values{"code": {codes[0]}}); r.Status != http.StatusUnauthorized {
		t.Fatalf("the recovery code again: %d", r.Status)
	}
}

func TestAnAdminWhoMustHaveASecondFactorReachesOnlyItsSetUpUntilDone(t *testing.T) {
	t.Parallel()
	app := newTestApp(t, withTwoFactorRequired(courses.TwoFactorAdmins))
	app.user("admin@example.org", courses.RoleAdmin)
	app.user("profe@example.org", courses.RoleInstructor)
	c := app.client("es")
	if r := c.login("admin@example.org", testPassword); r.Status != http.StatusSeeOther || r.Location != "/account/two-factor" {
		t.Fatalf("sign-in: %d to %q", r.Status, r.Location)
	}
	for _, path := range []string{"/admin/users", "/teach", "/profile", "/"} {
		if r := c.get(path); r.Status != http.StatusSeeOther || r.Location != "/account/two-factor" {
			t.Errorf("%s before set-up: %d to %q", path, r.Status, r.Location)
		}
	}
	if r := c.post("/admin/users/1/active", url.Values{"active": {"false"}}); r.Status != http.StatusSeeOther || r.Location != "/account/two-factor" {
		t.Errorf("a change before set-up: %d to %q", r.Status, r.Location)
	}
	page := c.get("/account/two-factor")
	if page.Status != http.StatusOK || !strings.Contains(page.Body, "Su función en la escuela exige") {
		t.Fatalf("set-up page: %d", page.Status)
	}
	if r := c.get("/account/two-factor/qr.png"); r.Status != http.StatusOK || r.Header.Get("Content-Type") != "image/png" ||
		r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("QR code: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	if r := c.post("/language", url.Values{"lang": {"en"}, "next": {"/account/two-factor"}}); r.Status != http.StatusSeeOther || r.Location != "/account/two-factor" {
		t.Fatalf("language switch: %d to %q", r.Status, r.Location)
	}
	elsewhere := app.client("es")
	elsewhere.mustLogin("admin@example.org")
	c.enrolThroughPage()
	if r := c.get("/admin/users"); r.Status != http.StatusOK {
		t.Fatalf("after set-up: %d", r.Status)
	}
	// The sign-ins that had only the password end with the set-up.
	if r := elsewhere.get("/account/two-factor"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
		t.Fatalf("another browser after the set-up: %d to %q", r.Status, r.Location)
	}
	// Required: it cannot be turned off.
	if r := c.get("/account/two-factor"); strings.Contains(r.Body, `action="/account/two-factor/off"`) {
		t.Fatal("the page offers to turn it off")
	}
	if r := c.post("/account/two-factor/off", url.Values{"off_code": {"000000"}}); r.Status != http.StatusForbidden {
		t.Fatalf("turning off: %d", r.Status)
	}
	// The policy names admins only: an instructor goes about as before.
	instructor := app.client("es")
	if r := instructor.login("profe@example.org", testPassword); r.Status != http.StatusSeeOther || r.Location != "/" {
		t.Fatalf("instructor sign-in: %d to %q", r.Status, r.Location)
	}
	if r := instructor.get("/teach"); r.Status != http.StatusOK {
		t.Fatalf("instructor: %d", r.Status)
	}
}

func TestATraineeCannotSetUpASecondFactor(t *testing.T) {
	t.Parallel()
	app := newTestApp(t, withTwoFactorRequired(courses.TwoFactorStaff))
	app.user("lucia@example.org", courses.RoleTrainee)
	c := app.client("es")
	if r := c.login("lucia@example.org", testPassword); r.Status != http.StatusSeeOther || r.Location != "/" {
		t.Fatalf("sign-in: %d to %q", r.Status, r.Location)
	}
	for _, path := range []string{"/account/two-factor", "/account/two-factor/qr.png"} {
		if r := c.get(path); r.Status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", path, r.Status)
		}
	}
	if r := c.post("/account/two-factor", url.Values{"code": {"123456"}}); r.Status != http.StatusForbidden {
		t.Errorf("confirming: %d, want 403", r.Status)
	}
	if r := c.get("/learning"); r.Status != http.StatusOK {
		t.Fatalf("a trainee is held: %d", r.Status)
	}
}

func TestStaffRenewCodesAndTurnTheirSecondFactorOffWithACurrentCode(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	u, secret, codes := app.enrolledStaff("ana@example.org", courses.RoleInstructor)
	c := app.client("es")
	c.mustLogin("ana@example.org")
	c.post("/login/code", url.Values{"code": {codes[1]}})
	if r := c.post("/account/two-factor/recovery-codes", url.Values{"renew_code": {"000000"}}); r.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.Body, "El código no es correcto") {
		t.Fatalf("renewing with a wrong code: %d", r.Status)
	}
	r := c.post("/account/two-factor/recovery-codes", url.Values{"renew_code": {app.appCode(secret)}})
	fresh := codesOnPage.FindAllStringSubmatch(r.Body, -1)
	if r.Status != http.StatusOK || len(fresh) != courses.RecoveryCodeCount || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("renewing: %d, %d codes", r.Status, len(fresh))
	}
	app.Clock.Advance(30 * time.Second)
	if r := c.post("/account/two-factor/off", url.Values{"off_code": {codes[2]}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("turning off with an old recovery code: %d", r.Status)
	}
	if r := c.post("/account/two-factor/off", url.Values{"off_code": {app.appCode(secret)}}); r.Status != http.StatusSeeOther {
		t.Fatalf("turning off: %d", r.Status)
	}
	if tf, err := app.Store.TwoFactor(context.Background(), u.ID); err != nil || tf.On {
		t.Fatalf("still on: %+v %v", tf, err)
	}
	list, _, err := app.Store.AuditLog(context.Background(), courses.AuditFilter{UserID: u.ID}, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range list {
		actions = append(actions, string(e.Action))
		if e.Actor.UserID != u.ID {
			t.Errorf("%s by %d", e.Action, e.Actor.UserID)
		}
	}
	if strings.Join(actions, " ") != "two_factor_disable two_factor_recovery_codes two_factor_enable" {
		t.Fatalf("audit: %v", actions)
	}
	if r := app.client("es").login("ana@example.org", testPassword); r.Status != http.StatusSeeOther || r.Location != "/" {
		t.Fatalf("the password alone, after turning off: %d to %q", r.Status, r.Location)
	}
}

func TestAnAdminResetOfAnotherUsersSecondFactorEndsTheirSignInsAndIsAudited(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	u, secret, _ := app.enrolledStaff("ana@example.org", courses.RoleInstructor)
	ana := app.client("es")
	ana.mustLogin("ana@example.org")
	ana.post("/login/code", url.Values{"code": {app.appCode(secret)}})
	admin := app.user("admin@example.org", courses.RoleAdmin)
	boss := app.client("es")
	boss.mustLogin("admin@example.org")
	userPage := fmt.Sprintf("/admin/users/%d", u.ID)
	if r := boss.get(userPage); !strings.Contains(r.Body, fmt.Sprintf(`action="/admin/users/%d/two-factor/reset"`, u.ID)) {
		t.Fatalf("the user's page offers no reset\n%s", r.Body)
	}
	if r := boss.post(userPage+"/two-factor/reset", nil); r.Status != http.StatusSeeOther || r.Location != userPage {
		t.Fatalf("reset: %d to %q", r.Status, r.Location)
	}
	if r := boss.get(userPage); !strings.Contains(r.Body, "Se restableció el inicio de sesión en dos pasos") || !strings.Contains(r.Body, "No activado.") {
		t.Fatalf("after the reset\n%s", r.Body)
	}
	if r := ana.get("/teach"); r.Status != http.StatusSeeOther {
		t.Fatalf("the user's sign-in outlived the reset: %d", r.Status)
	}
	list, _, err := app.Store.AuditLog(context.Background(), courses.AuditFilter{Action: courses.AuditTwoFactorReset}, 0, 10)
	if err != nil || len(list) != 1 || list[0].UserID != u.ID || list[0].Actor.UserID != admin.ID {
		t.Fatalf("audit: %+v %v", list, err)
	}
	if r := app.client("es").login("ana@example.org", testPassword); r.Status != http.StatusSeeOther || r.Location != "/" {
		t.Fatalf("the password alone, after the reset: %d to %q", r.Status, r.Location)
	}
	// Nor on oneself.
	if r := boss.post(fmt.Sprintf("/admin/users/%d/two-factor/reset", admin.ID), nil); r.Status != http.StatusSeeOther {
		t.Fatalf("resetting oneself: %d", r.Status)
	}
	if r := boss.get(fmt.Sprintf("/admin/users/%d", admin.ID)); !strings.Contains(r.Body, "No puede cambiar su propio rol") {
		t.Fatal("resetting oneself said nothing")
	}
}

// A password link sets the password; the second factor is still asked for after it.
func TestAPasswordLinkDoesNotSkipTheSecondFactor(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin, _, _ := app.enrolledStaff("admin@example.org", courses.RoleAdmin)
	token, err := app.Store.PasswordLink(t.Context(), courses.Actor{}, admin.ID, app.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	c := app.client("es")
	r := c.post("/password/set", url.Values{"token": {token}, "password": {"una clave nueva y larga"}})
	if r.Status != http.StatusSeeOther || r.Location != "/login/code" {
		t.Fatalf("using the link: %d to %s, want the code step", r.Status, r.Location)
	}
	if r := c.get("/admin/users"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
		t.Errorf("admin pages after the link, before the code: %d to %s", r.Status, r.Location)
	}
}
