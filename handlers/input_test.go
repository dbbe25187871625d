package handlers_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io/fs"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/handlers"
	"github.com/aula-school/aula/templates"
	"github.com/gin-gonic/gin"
)

// registeredRoutes are the application's routes, as the router holds them.
func registeredRoutes(t *testing.T) gin.RoutesInfo {
	t.Helper()
	app, err := handlers.New(handlers.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	routes := app.Routes()
	if len(routes) < 50 {
		t.Fatalf("only %d routes: the walk would prove little", len(routes))
	}
	// Signing out last, so that every other route is walked signed in.
	sort.SliceStable(routes, func(i, j int) bool { return routes[j].Path == "/logout" && routes[i].Path != "/logout" })
	return routes
}

// formFields are the names of every input of every page: what a form post may carry.
func formFields(t *testing.T) []string {
	t.Helper()
	names := map[string]bool{}
	pattern := regexp.MustCompile(`(?:name="|\.Field ")([a-z_]+)"`)
	err := fs.WalkDir(templates.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		src, err := fs.ReadFile(templates.FS, p)
		for _, m := range pattern.FindAllStringSubmatch(string(src), -1) {
			names[m[1]] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var list []string
	for n := range names {
		list = append(list, n)
	}
	sort.Strings(list)
	if len(list) < 20 {
		t.Fatalf("only %d field names found in the templates", len(list))
	}
	return list
}

// badValues are what an attacker or a broken client sends instead of text.
var badValues = map[string]string{
	"NUL":           "ana\x00pérez",
	"invalid UTF-8": "ana\xc3\x28\xff",
	"escape":        "ana\x1b[2J",
	"C1 control":    "ana\u0085",
}

var badURLValues = map[string]string{
	"NUL":           "%00",
	"invalid UTF-8": "%C3%28%FF",
	"escape":        "a%1Bb",
	"line break":    "a%0Ab",
	"over-long":     strings.Repeat("a", courses.MaxURLValueBytes+1),
}

// walkFixture is a course an admin teaches, with one of everything a route can name.
type walkFixture struct {
	params map[string]string
}

func newWalkFixture(t *testing.T, app *testApp, admin courses.User) walkFixture {
	t.Helper()
	ctx := context.Background()
	co := app.importFixture(admin.ID, true)
	cohort := defaultCohort(t, app, co.ID)
	session, err := app.Store.AddSession(ctx, courses.CohortSession{CohortID: cohort, StartsAt: time.Now().Add(24 * time.Hour), Minutes: 60, Place: "Sala 1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Store.SaveImage(ctx, co.ID, "mapa.png", "image/png", tinyPNG()); err != nil {
		t.Fatal(err)
	}
	trainee := app.user("trainee@example.org", courses.RoleTrainee)
	module := co.Modules[0]
	// The quiz sits in the last module: the walk deletes the first with its lessons, as before quizzes.
	category, question, quiz, attempt := bankFixture(t, app, co.ID, co.Modules[len(co.Modules)-1].ID, cohort, admin.ID, trainee.ID)
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	certified := app.certificateCourse(courses.IssueAuto, "Ana Gómez")
	batch, err := app.Store.StartCertificateBatch(ctx, courses.Actor{UserID: admin.ID}, certified.CohortID)
	if err != nil {
		t.Fatal(err)
	}
	return walkFixture{params: map[string]string{
		"certificate": id(certified.issued(t, app, 0).ID), "batch": id(batch),
		"category": id(category), "question": id(question), "quiz": id(quiz), "attempt": id(attempt), "slot": "0",
		"course": id(co.ID), "slug": co.Slug, "module": id(module.ID), "lesson": id(module.Lessons[0].ID),
		"cohort": id(cohort), "session": id(session), "name": "mapa.png", "user": id(trainee.ID), "id": id(trainee.ID),
		"lang": "en", "path": "app.css", "email": id(app.anEmail()),
	}}
}

// path fills a route's parameters with the fixture's values, and bad with the bad one.
func (f walkFixture) path(route, bad string, value string) string {
	parts := strings.Split(route, "/")
	for i, p := range parts {
		if len(p) == 0 || (p[0] != ':' && p[0] != '*') {
			continue
		}
		v, ok := f.params[p[1:]]
		if !ok {
			v = "1" // a parameter added later: the walk still covers its bad values
		}
		if p[1:] == bad {
			v = value
		}
		parts[i] = v
	}
	return strings.Join(parts, "/")
}

func (c *client) send(method, path string, form url.Values) response {
	c.app.t.Helper()
	req, err := http.NewRequest(method, c.app.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.app.t.Fatalf("%s %s: %v", method, path, err)
	}
	if method != http.MethodGet {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return c.do(req)
}

// TestEveryRouteAnswersBadURLAndFormValuesWithoutA500 walks every registered route, signed
// in as an admin who teaches the course, so that a route added later is covered too: a bad
// path parameter or query value is a 404, a form field that is not text is refused (the
// field's error, or the 400 page) and never saved, an over-long value is never a 500.
func TestEveryRouteAnswersBadURLAndFormValuesWithoutA500(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := app.user("admin@example.org", courses.RoleAdmin)
	fx := newWalkFixture(t, app, admin)
	c := app.client("en")
	c.mustLogin("admin@example.org")
	fields := formFields(t)
	routes := registeredRoutes(t)
	fieldForms := map[string]bool{"/register": true, "/login": true, "/profile": true, "/profile/password": true, "/password/set": true, "/password/forgot": true, "/profile/email": true, "/email/confirm": true,
		"/teach/courses": true, "/teach/courses/:course": true, "/teach/courses/:course/modules": true,
		"/teach/courses/:course/lessons/:lesson": true, "/teach/courses/:course/translations/:lang": true,
		"/teach/courses/:course/cohorts": true, "/teach/courses/:course/cohorts/:cohort": true,
		"/teach/courses/:course/cohorts/:cohort/sessions": true, "/teach/courses/:course/questions": true,
		"/teach/courses/:course/questions/:question": true, "/teach/courses/:course/quizzes/:quiz": true,
		"/teach/courses/:course/questions/import": true, "/teach/courses/:course/questions/import/confirm": true,
		"/teach/courses/:course/certificate": true, "/admin/certificates": true, "/admin/certificates/:certificate/revoke": true,
		"/admin/certificates/:certificate/unrevoke": true, "/admin/certificates/:certificate/reissue": true,
		"/account/two-factor": true, "/account/two-factor/recovery-codes": true, "/account/two-factor/off": true}
	answerForms := map[string]bool{"/courses/:slug/attempts/:attempt": true, "/courses/:slug/attempts/:attempt/answers": true}

	for _, r := range routes {
		for _, param := range regexp.MustCompile(`[:*]([a-z_]+)`).FindAllStringSubmatch(r.Path, -1) {
			for what, v := range badURLValues {
				if res := c.send(r.Method, fx.path(r.Path, param[1], v), nil); res.Status != http.StatusNotFound {
					t.Errorf("%s %s with %s in :%s: %d, want 404", r.Method, r.Path, what, param[1], res.Status)
				}
			}
		}
		path := fx.path(r.Path, "", "")
		for what, v := range badURLValues {
			for _, q := range []string{"q=" + v, v + "=1", "next=" + v} {
				if res := c.send(r.Method, path+"?"+q, nil); res.Status != http.StatusNotFound {
					t.Errorf("%s %s with %s in the query: %d, want 404", r.Method, r.Path, what, res.Status)
				}
			}
		}
		if r.Method != http.MethodPost {
			continue
		}
		for what, v := range badValues {
			form := url.Values{}
			for _, f := range fields {
				form.Set(f, v)
			}
			res := c.send(r.Method, path, form)
			want := []int{http.StatusBadRequest}
			if answerForms[r.Path] {
				// A trainee's answer keeps what can be saved of it: the request goes through.
				want = []int{http.StatusOK, http.StatusSeeOther, http.StatusNotFound, http.StatusConflict}
			}
			if fieldForms[r.Path] {
				// The field's own error on its page; a garbled link token is an invalid link.
				want = []int{http.StatusUnprocessableEntity, http.StatusNotFound}
			}
			if !slices.Contains(want, res.Status) {
				t.Errorf("POST %s with %s in every field: %d, want one of %v", r.Path, what, res.Status, want)
			}
			if fieldForms[r.Path] && res.Status == http.StatusUnprocessableEntity && !strings.Contains(res.Body, "caracteres que no se pueden guardar") {
				t.Errorf("POST %s with %s: the field's error is not shown", r.Path, what)
			}
		}
		long := url.Values{}
		for _, f := range fields {
			long.Set(f, strings.Repeat("a", 3000)) // every field's maximum, within the 1 MiB body
		}
		if res := c.send(r.Method, path, long); res.Status >= 500 {
			t.Errorf("POST %s with over-long values: %d", r.Path, res.Status)
		}
	}
}

func TestOverlongValuesGetTheFieldsError(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.user("admin@example.org", courses.RoleAdmin)
	anon := app.client("en")
	long := strings.Repeat("a", courses.MaxEmailLength) + "@example.org"
	r := anon.post("/register", url.Values{"full_name": {strings.Repeat("ñ", courses.MaxNameLength+1)}, "email": {long},
		"country": {"CR"}, "institution": {strings.Repeat("i", courses.MaxInstitutionLength+1)}, "sector": {"police"},
		"language": {"en"}, "password": {strings.Repeat("p", courses.PasswordMaxLength+1)}})
	for want, n := range map[string]int{"cannot be longer than 200 characters": 2, "The address cannot be longer than 254": 1,
		"The password cannot be longer than 128": 1} {
		if r.Status != http.StatusUnprocessableEntity || strings.Count(r.Body, want) != n {
			t.Errorf("register: %d, %q not %d times", r.Status, want, n)
		}
	}
	if r := anon.login(long, testPassword); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "cannot be longer than 254") {
		t.Errorf("login with a 1 KiB address: %d", r.Status)
	}
	admin := app.client("en")
	admin.mustLogin("admin@example.org")
	r = admin.get("/admin/users?q=" + strings.Repeat("x", courses.MaxSearchLength+1))
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="q-error"`) {
		t.Errorf("over-long search: %d", r.Status)
	}
	if app.userCount() != 1 {
		t.Fatal("a refused registration wrote an account")
	}
}

func TestBadCharactersInAFormShowBesideTheFieldAndSaveNothing(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	r := app.client("es").post("/register", url.Values{"full_name": {"Ana\x00Pérez"}, "email": {"ana@example.org"},
		"country": {"CR"}, "institution": {"Policía \xff"}, "sector": {"police"}, "language": {"es"}, "password": {testPassword}})
	if r.Status != http.StatusUnprocessableEntity || strings.Count(r.Body, "Contiene caracteres que no se pueden guardar") != 2 {
		t.Fatalf("register with NUL and invalid UTF-8: %d\n%s", r.Status, r.Body)
	}
	if !strings.Contains(r.Body, `value="Ana�Pérez"`) {
		t.Error("the refused value is not shown back, made visible")
	}
	if app.userCount() != 0 {
		t.Fatal("the account was created")
	}
}

func TestOversizedBodyIs413WithATranslatedPage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, false)
	c := app.client("es")
	c.mustLogin("owner@example.org")
	big := url.Values{"full_name": {strings.Repeat("a", 2<<20)}}
	if r := c.post("/profile", big); r.Status != http.StatusRequestEntityTooLarge || !strings.Contains(r.Body, "Envío demasiado grande") {
		t.Fatalf("2 MiB profile form: %d", r.Status)
	}
	// Without a length announced, the body is cut where the limit is.
	req, _ := http.NewRequest(http.MethodPost, app.URL+"/login", struct{ *strings.Reader }{strings.NewReader(big.Encode())})
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r := c.do(req); r.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked 2 MiB: %d", r.Status)
	}
	// A route that takes files allows more, and no more than that.
	images := fmt.Sprintf("/teach/courses/%d/images", co.ID)
	if r := c.upload(images, "image", "grande.png", append(tinyPNG(), make([]byte, 3<<19)...), nil); r.Status != http.StatusSeeOther {
		t.Fatalf("1.5 MiB image: %d, want the upload page's answer", r.Status)
	}
	if r := c.upload(images, "image", "enorme.png", make([]byte, 4<<20), nil); r.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("4 MiB image: %d", r.Status)
	}
	// The larger limits are staff's: an anonymous visitor or a trainee sending a large file to
	// those routes is refused at 1 MiB, before their body is read.
	app.user("ana@example.org", courses.RoleTrainee)
	trainee := app.client("es")
	trainee.mustLogin("ana@example.org")
	for who, cl := range map[string]*client{"anonymous": app.client("es"), "trainee": trainee} {
		for _, path := range []string{"/teach/import", images} {
			if r := cl.upload(path, "file", "curso.zip", make([]byte, 2<<20), nil); r.Status != http.StatusRequestEntityTooLarge {
				t.Errorf("%s sending 2 MiB to %s: %d, want 413", who, path, r.Status)
			}
		}
	}
}

// A Content-Type with a parameter net/http cannot parse still gets its urlencoded body read
// by the handlers' c.PostForm: the one check must read it too, or refuse it.
func TestAFormWithAnOddContentTypeIsCheckedOrRefused(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.user("ana@example.org", courses.RoleTrainee)
	c := app.client("en")
	c.mustLogin("ana@example.org")
	for _, ct := range []string{"application/x-www-form-urlencoded; x", "application/x-www-form-urlencoded;;", "garbage/"} {
		req, _ := http.NewRequest(http.MethodPost, app.URL+"/language", strings.NewReader(url.Values{"lang": {"en\x00"}, "next": {"/\x00"}}.Encode()))
		req.Header.Set("Content-Type", ct)
		if r := c.do(req); r.Status != http.StatusBadRequest {
			t.Errorf("Content-Type %q with a NUL in the form: %d, want 400", ct, r.Status)
		}
	}
}

// hugePNG is the signature and header of a 65,535 × 65,535 PNG: a few hundred bytes.
func hugePNG() []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], 65535)
	binary.BigEndian.PutUint32(ihdr[4:], 65535)
	ihdr[8], ihdr[9] = 8, 6
	chunk := append([]byte("IHDR"), ihdr...)
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	_ = binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	b.Write(chunk)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	b.Write(make([]byte, 300))
	return b.Bytes()
}

func TestImagesWithTooManyPixelsAreRefusedInUploadAndImport(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, false)
	c := app.client("en")
	c.mustLogin("owner@example.org")
	r := c.upload(fmt.Sprintf("/teach/courses/%d/images", co.ID), "image", "bomba.png", hugePNG(), nil)
	if page := c.get(r.Location); !strings.Contains(page.Body, "más de 8192 píxeles de lado") {
		t.Fatalf("upload of 65,535 × 65,535: %d, no message", r.Status)
	}

	b, errs := courses.ReadBundle(os.DirFS("../courses/testdata/bundles/three-languages"))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	b.Course.Slug = "pixel-bomb"
	b.Images = append(b.Images, courses.Image{Name: "bomba.png", ContentType: "image/png", Data: hugePNG()})
	var zipped bytes.Buffer
	if err := courses.WriteBundleZip(b, &zipped); err != nil {
		t.Fatal(err)
	}
	r = c.upload("/teach/import", "bundle", "curso.zip", zipped.Bytes(), nil)
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "más de 8192 píxeles de lado") || !strings.Contains(r.Body, "bomba.png") {
		t.Fatalf("import with a 65,535 × 65,535 image: %d\n%s", r.Status, r.Body)
	}
	images, err := app.Store.Images(context.Background(), co.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, img := range images {
		if strings.HasPrefix(img.Name, "bomba") {
			t.Fatal("the image was stored")
		}
	}
}

func TestWindows1252SpreadsheetEnrolsWithItsAccents(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	cohort := defaultCohort(t, app, co.ID)
	c := app.client("es")
	c.mustLogin("owner@example.org")
	// As Excel on Windows in Spanish saves "CSV (delimitado por comas)": Windows-1252, semicolons.
	file := "correo electr\xf3nico;nombre completo;pa\xeds;instituci\xf3n;sector\r\n" +
		"jose@muni.example;Jos\xe9 N\xfa\xf1ez;Panam\xe1;Polic\xeda Nacional;polic\xeda\r\n"
	base := fmt.Sprintf("/teach/courses/%d/cohorts/%d", co.ID, cohort)
	r := c.upload(base+"/bulk", "csv", "lista.csv", []byte(file), nil)
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "José Núñez") || !strings.Contains(r.Body, "Policía Nacional") {
		t.Fatalf("preview: %d\n%s", r.Status, r.Body)
	}
	id := regexp.MustCompile(`name="upload" value="([0-9a-f]+)"`).FindStringSubmatch(r.Body)
	if id == nil {
		t.Fatal("no confirmation form")
	}
	if res := c.post(base+"/bulk/confirm", url.Values{"upload": {id[1]}}); res.Status != http.StatusOK {
		t.Fatalf("confirm: %d", res.Status)
	}
	u := app.mustUser("jose@muni.example")
	if u.FullName != "José Núñez" || u.Institution != "Policía Nacional" || u.Country != "PA" {
		t.Fatalf("saved as %+v", u)
	}
}

func TestPasswordLinkEndsEveryOtherSignIn(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	u := app.user("ana@example.org", courses.RoleTrainee)
	old := app.client("es")
	old.mustLogin("ana@example.org")
	token, err := app.Store.PasswordLink(context.Background(), courses.Actor{}, u.ID, app.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	fresh := app.client("es")
	if r := fresh.post("/password/set", url.Values{"token": {token}, "password": {"una contraseña nueva"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("set password: %d", r.Status)
	}
	if r := fresh.get("/profile"); r.Status != http.StatusOK {
		t.Fatalf("the browser that used the link is not signed in: %d", r.Status)
	}
	if r := old.get("/profile"); r.Status != http.StatusSeeOther {
		t.Fatalf("the other sign-in still works after the password was set: %d", r.Status)
	}
}

func TestPasswordLinkCheckedAgainstADatabaseThatFailsIsUnavailableNotInvalid(t *testing.T) {
	t.Parallel()
	app := newTestApp(t, withOutages())
	u := app.user("ana@example.org", courses.RoleTrainee)
	token, err := app.Store.PasswordLink(context.Background(), courses.Actor{}, u.ID, app.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	c := app.client("en")
	app.PostgreSQL.Stop()
	for name, r := range map[string]response{
		"GET":  c.get("/password/set?token=" + token),
		"POST": c.post("/password/set", url.Values{"token": {token}, "password": {"una contraseña nueva"}}),
	} {
		if r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Body, "The link was not used up") || r.Header.Get("Retry-After") == "" {
			t.Errorf("%s with PostgreSQL down: %d\n%s", name, r.Status, r.Body)
		}
	}
	app.PostgreSQL.Start()
	c.eventually("/password/set?token="+token, http.StatusOK)
}

// clientFrom is a browser on another address: its connections leave from ip, one of the
// loopback addresses.
func (a *testApp) clientFrom(lang, ip string) *client {
	c := a.client(lang)
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	jar, _ := cookiejar.New(nil)
	c.http = &http.Client{Jar: jar, Transport: &http.Transport{DialContext: dialer.DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return c
}

// The limits cmd/aula uses by default: 5 failures per account and address, 50 per address.
func TestClassroomBehindOneAddressSignsInWhileGuessingIsThrottled(t *testing.T) {
	t.Parallel()
	app := newTestApp(t, withLoginLimits(5, 50))
	const classroom = 60
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i := range classroom {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			app.user(fmt.Sprintf("trainee%02d@example.org", i), courses.RoleTrainee)
		})
	}
	wg.Wait()
	failed := make(chan string, classroom)
	for i := range classroom {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			email := fmt.Sprintf("trainee%02d@example.org", i)
			if r := app.client("es").login(email, testPassword); r.Status != http.StatusSeeOther {
				failed <- fmt.Sprintf("%s: %d", email, r.Status)
			}
		})
	}
	wg.Wait()
	close(failed)
	for f := range failed {
		t.Error("a trainee of the classroom could not sign in:", f)
	}

	guesser := app.client("es")
	for i := 1; i <= 6; i++ {
		r := guesser.login("trainee00@example.org", "not the password at all")
		switch {
		case i <= 5 && r.Status != http.StatusUnauthorized:
			t.Fatalf("wrong password %d: %d, want 401", i, r.Status)
		case i == 6 && r.Status != http.StatusTooManyRequests:
			t.Fatalf("wrong password 6: %d, want 429", r.Status)
		}
	}
}

func TestOneAddressCannotLockAnAccountOutForEveryoneElse(t *testing.T) {
	t.Parallel()
	app := newTestApp(t, withLoginLimits(5, 50))
	app.user("ana@example.org", courses.RoleTrainee)
	attacker := app.clientFrom("en", "127.0.0.2")
	if r := attacker.get("/login"); r.Status != http.StatusOK {
		t.Skipf("no second loopback address here: %d", r.Status)
	}
	// One wrong password after another, as long as the attacker likes.
	throttled := 0
	for range 30 {
		if r := attacker.login("ana@example.org", "not the password at all"); r.Status == http.StatusTooManyRequests {
			throttled++
		}
	}
	if throttled < 25 {
		t.Fatalf("the attacker's guesses were throttled only %d times in 30", throttled)
	}
	if r := app.client("en").login("ana@example.org", testPassword); r.Status != http.StatusSeeOther {
		t.Fatalf("ana, on her own address, is locked out: %d", r.Status)
	}
	// Her success does not open the attacker's door again: its count is its own.
	if r := attacker.login("ana@example.org", "not the password at all"); r.Status != http.StatusTooManyRequests {
		t.Fatalf("the attacker after ana signed in: %d", r.Status)
	}
}

// Guesses from many addresses at once fill the account's loose limit: a browser new to the
// account then waits, but Ana's own browser, where she signed in before, still gets in.
func TestManyAddressesCannotLockAnAccountOutOfItsOwnersBrowser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t, withLoginLimits(2, 50), withSlowLoginRefill()) // 2 per address, 40 across addresses
	app.user("ana@example.org", courses.RoleTrainee)
	if r := app.clientFrom("en", "127.0.0.2").get("/login"); r.Status != http.StatusOK {
		t.Skipf("no second loopback address here: %d", r.Status)
	}
	ana := app.client("en")
	ana.mustLogin("ana@example.org")
	ana.post("/logout", nil)
	// 42 guesses from 21 addresses.
	for i := 2; i < 23; i++ {
		attacker := app.clientFrom("en", fmt.Sprintf("127.0.1.%d", i))
		for range 2 {
			attacker.login("ana@example.org", "not the password at all")
		}
	}
	if r := app.client("en").login("ana@example.org", testPassword); r.Status != http.StatusTooManyRequests {
		t.Fatalf("a new browser during the attack: %d, want 429", r.Status)
	}
	if r := ana.login("ana@example.org", testPassword); r.Status != http.StatusSeeOther {
		t.Fatalf("Ana's own browser during the attack: %d, want 303\n%s", r.Status, r.Body)
	}
}
