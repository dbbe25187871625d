package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/courses/certpdf/pdftest"
	"github.com/aula-school/aula/courses/openbadges"
	"github.com/go-jose/go-jose/v4"
	"github.com/jmoiron/sqlx"
)

// certifiedTrainee signs in a trainee named with accents who completed the fixture course,
// and returns their client and certificate.
func certifiedTrainee(t *testing.T, app *testApp, email string) (*client, courses.Certificate) {
	t.Helper()
	ctx := context.Background()
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	u, err := app.Store.CreateUser(ctx, courses.Profile{FullName: "María José Peña Conceição", Email: email, Country: "BR",
		Institution: "Prefeitura", Sector: "local_government", Language: "es"}, testPassword, courses.RoleTrainee)
	if err != nil {
		t.Fatal(err)
	}
	cohort := defaultCohort(t, app, co.ID)
	if _, err := app.Store.Enrol(ctx, u.ID, cohort, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, m := range co.Modules {
		for _, l := range m.Lessons {
			if _, err := app.Store.CompleteLesson(ctx, u.ID, l.ID, app.Clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	list, err := app.Store.HolderCertificates(ctx, u.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("certificates after completing: %d, %v", len(list), err)
	}
	c := app.client("es")
	c.mustLogin(email)
	return c, list[0]
}

func verifyJSON(t *testing.T, app *testApp, path string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, app.URL+path, nil)
	req.Header.Set("Accept", "application/json")
	r := app.client("").do(req)
	var v map[string]any
	if err := json.Unmarshal([]byte(r.Body), &v); err != nil {
		t.Fatalf("%s: %d %q", path, r.Status, r.Body)
	}
	return r.Status, v
}

func TestACertificateIsTheHoldersOnlyAndItsPDFSaysWhoAndWhere(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	trainee, cert := certifiedTrainee(t, app, "maria@example.org")
	href := "/certificates/" + strconv.FormatInt(cert.ID, 10)
	if r := trainee.get("/certificates"); r.Status != 200 || !strings.Contains(r.Body, href) || !strings.Contains(r.Body, "Válido") {
		t.Fatalf("My certificates: %d\n%s", r.Status, r.Body)
	}
	page := trainee.get(href)
	for _, want := range []string{"María José Peña Conceição", courses.FormatCode(cert.Facts.Code), "https://www.linkedin.com/profile/add?",
		href + "/certificate.pdf", href + "/badge.json", "/verify/" + cert.Facts.Code} {
		if !strings.Contains(page.Body, want) {
			t.Fatalf("certificate page lacks %q:\n%s", want, page.Body)
		}
	}
	pdf := trainee.get(href + "/certificate.pdf")
	if pdf.Status != 200 || pdf.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("PDF: %d %s", pdf.Status, pdf.Header.Get("Content-Type"))
	}
	if again := trainee.get(href + "/certificate.pdf"); again.Body != pdf.Body {
		t.Fatal("the PDF differs from one download to the next")
	}
	text := pdftest.Text(t, []byte(pdf.Body))
	for _, want := range []string{"María José Peña Conceição", courses.FormatCode(cert.Facts.Code), "Certificado de finalización"} {
		if !strings.Contains(text, want) {
			t.Fatalf("PDF text lacks %q:\n%s", want, text)
		}
	}
	if got := pdftest.QR(t, []byte(pdf.Body)); got != app.App.Config.BaseURL.String()+"/verify/"+cert.Facts.Code {
		t.Fatalf("the QR code says %q", got)
	}
	// Another trainee, by id: not found, whatever they ask for.
	other := app.client("es")
	app.user("otro@example.org", courses.RoleTrainee)
	other.mustLogin("otro@example.org")
	for _, p := range []string{href, href + "/certificate.pdf", href + "/badge.json", href + "/badge.jwt", href + "/qr.png"} {
		if r := other.get(p); r.Status != http.StatusNotFound {
			t.Errorf("another trainee's %s: %d", p, r.Status)
		}
	}
}

func TestVerificationSaysValidRevokedExpiredUnknownMistypedAndTampered(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ctx := context.Background()
	_, cert := certifiedTrainee(t, app, "maria@example.org")
	code := cert.Facts.Code
	anyone := app.client("en")
	if r := anyone.get("/verify/" + code); r.Status != 200 || !strings.Contains(r.Body, "Valid certificate.") || !strings.Contains(r.Body, "María José Peña Conceição") {
		t.Fatalf("verify page: %d\n%s", r.Status, r.Body)
	}
	// A code as typed from paper goes to its one URL.
	typed := strings.ToLower(courses.FormatCode(code))
	if r := anyone.get("/verify?code=" + url.QueryEscape(typed)); r.Status != http.StatusSeeOther || r.Location != "/verify/"+code {
		t.Fatalf("typed code: %d %s", r.Status, r.Location)
	}
	if r := anyone.get("/verify/" + courses.FormatCode(code)); r.Status != http.StatusMovedPermanently || r.Location != "/verify/"+code {
		t.Fatalf("grouped code: %d %s", r.Status, r.Location)
	}
	status, v := verifyJSON(t, app, "/verify/"+code)
	if status != 200 || v["status"] != "valid" || v["holder"] != "María José Peña Conceição" || v["key_id"] != cert.KeyID || v["signature_valid"] != true {
		t.Fatalf("JSON: %d %v", status, v)
	}
	// One symbol wrong: mistyped, not "not found".
	wrong := code[:3] + string("0123456789ABCDEFGHJKMNPQRSTVWXYZ"[(strings.IndexByte("0123456789ABCDEFGHJKMNPQRSTVWXYZ", code[3])+1)%32]) + code[4:]
	if status, v := verifyJSON(t, app, "/verify/"+wrong); status != 404 || v["status"] != "mistyped" {
		t.Fatalf("mistyped: %d %v", status, v)
	}
	if r := anyone.get("/verify?code=" + wrong); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "mistyped") {
		t.Fatalf("mistyped in the form: %d\n%s", r.Status, r.Body)
	}
	unknown, _ := courses.NewCode(strings.NewReader(strings.Repeat("x", 64)))
	if status, v := verifyJSON(t, app, "/verify/"+unknown); status != 404 || v["status"] != "not_found" {
		t.Fatalf("unknown: %d %v", status, v)
	}
	admin := app.user("admin@example.org", courses.RoleAdmin)
	if err := app.Store.RevokeCertificate(ctx, courses.Actor{UserID: admin.ID}, code, "Plagio en la evaluación final", app.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if status, v := verifyJSON(t, app, "/verify/"+code); status != 200 || v["status"] != "revoked" || v["revocation_reason"] != "Plagio en la evaluación final" || v["revoked_at"] == nil {
		t.Fatalf("revoked: %d %v", status, v)
	}
	if r := app.client("es").get("/verify/" + code); !strings.Contains(r.Body, "Este certificado fue revocado.") || !strings.Contains(r.Body, "Plagio en la evaluación final") {
		t.Fatalf("revoked page:\n%s", r.Body)
	}
	app.Store.UnrevokeCertificate(ctx, courses.Actor{UserID: admin.ID}, code, "Error", app.Clock.Now())
	if cert.Facts.ExpiresOn != "" {
		t.Fatal("the fixture's certificates were not meant to expire")
	}
	// The course's certificates now last a month; reissued, the certificate is valid for one
	// month from today, and a month and ten days later it has expired.
	if err := app.Store.SaveCertificateSettings(ctx, cert.CourseID, courses.CertificateSettings{Issue: courses.IssueAuto, ValidMonths: 1}); err != nil {
		t.Fatal(err)
	}
	renewed, err := app.Store.ReissueCertificate(ctx, courses.Actor{UserID: admin.ID}, code, "Validez de un mes", app.Clock.Now())
	if err != nil || renewed.Facts.ExpiresOn == "" {
		t.Fatalf("reissue: %+v %v", renewed, err)
	}
	if _, v := verifyJSON(t, app, "/verify/"+renewed.Facts.Code); v["status"] != "valid" || v["expires_on"] != renewed.Facts.ExpiresOn {
		t.Fatalf("renewed: %v", v)
	}
	if _, v := verifyJSON(t, app, "/verify/"+code); v["status"] != "revoked" || v["replaced_by"] != courses.FormatCode(renewed.Facts.Code) {
		t.Fatalf("the certificate it replaced: %v", v)
	}
	app.Clock.Advance(40 * 24 * time.Hour)
	if status, v := verifyJSON(t, app, "/verify/"+renewed.Facts.Code); status != 200 || v["status"] != "expired" {
		t.Fatalf("after its month: %d %v", status, v)
	}
	if r := app.client("es").get("/verify/" + renewed.Facts.Code); !strings.Contains(r.Body, "Este certificado está vencido.") {
		t.Fatalf("expired page:\n%s", r.Body)
	}
	if _, err := app.sql(t).ExecContext(ctx, `UPDATE certificates SET expires_on = '2020-01-01' WHERE code = $1`, code); err != nil {
		t.Fatal(err)
	}
	if _, v := verifyJSON(t, app, "/verify/"+code); v["status"] != "invalid_signature" || v["signature_valid"] != false {
		t.Fatalf("an expiry written into the database afterwards breaks the signature: %v", v)
	}
	if _, err := app.sql(t).ExecContext(ctx, `UPDATE certificates SET expires_on = NULL, holder_name = 'Otra Persona' WHERE code = $1`, code); err != nil {
		t.Fatal(err)
	}
	if r := anyone.get("/verify/" + code); !strings.Contains(r.Body, "signature is invalid") {
		t.Fatalf("tampered page:\n%s", r.Body)
	}
}

func TestVerificationIsRateLimitedPerAddress(t *testing.T) {
	t.Parallel()
	app := newTestApp(t, withVerifyLimit(3))
	code, _ := courses.NewCode(strings.NewReader(strings.Repeat("y", 64)))
	anyone := app.client("es")
	for i := range 3 {
		if r := anyone.get("/verify/" + code); r.Status != http.StatusNotFound {
			t.Fatalf("look-up %d: %d", i+1, r.Status)
		}
	}
	if r := anyone.get("/verify/" + code); r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Fatalf("fourth look-up in a minute: %d", r.Status)
	}
	if status, v := verifyJSON(t, app, "/verify/"+code); status != http.StatusTooManyRequests || v["status"] != "throttled" {
		t.Fatalf("a machine over the limit: %d %v", status, v)
	}
	// The failed look-ups are counted, so that someone trying codes shows in the metrics.
	rec := httptest.NewRecorder()
	app.App.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if !strings.Contains(rec.Body.String(), `aula_certificate_verifications_total{result="not_found"} 3`) {
		t.Fatalf("metrics:\n%s", rec.Body.String())
	}
}

// runVerifier runs the DCC verifier (npm @digitalcredentials/verifier-core) on files.
func runVerifier(t *testing.T, args []string) openbadges.VerifierResult {
	t.Helper()
	if _, err := os.Stat("testdata/dcc-verifier/node_modules/@digitalcredentials/verifier-core"); err != nil {
		t.Fatal("the DCC verifier is not installed: run the tests with `make test`, whose set-up runs npm ci in handlers/testdata/dcc-verifier")
	}
	out, err := exec.Command("node", args...).Output()
	res, perr := openbadges.ParseVerifierResult(out)
	if perr != nil {
		t.Fatalf("verifier: %v %v\n%s", err, perr, out)
	}
	return res
}

func TestTheOpenBadgesCredentialVerifiesWithTheDCCVerifierOfflineAndShowsARevocation(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	trainee, cert := certifiedTrainee(t, app, "maria@example.org")
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	href := "/certificates/" + strconv.FormatInt(cert.ID, 10)
	badge := trainee.get(href + "/badge.json")
	if badge.Status != 200 {
		t.Fatalf("badge: %d", badge.Status)
	}
	var doc map[string]any
	json.Unmarshal([]byte(badge.Body), &doc)
	listURL := doc["credentialStatus"].(map[string]any)["statusListCredential"].(string)
	statusList := func() string {
		r := app.client("").get(strings.TrimPrefix(listURL, app.App.Config.BaseURL.String()))
		if r.Status != 200 {
			t.Fatalf("status list: %d", r.Status)
		}
		return write("status.json", r.Body)
	}
	script := "testdata/dcc-verifier/verify.mjs"
	credFile := write("credential.json", badge.Body)
	res := runVerifier(t, openbadges.VerifierCredentialArgs(script, credFile, map[string]string{listURL: statusList()}))
	if !res.Verified || res.Signature != "valid" || res.Revocation != "not_revoked" {
		t.Fatalf("a fresh credential: %+v", res)
	}
	tampered := strings.Replace(badge.Body, "María José Peña Conceição", "Maria Jose Pena", 1)
	res = runVerifier(t, openbadges.VerifierCredentialArgs(script, write("tampered.json", tampered), map[string]string{listURL: statusList()}))
	if res.Verified || res.Signature != "invalid" {
		t.Fatalf("a tampered credential: %+v", res)
	}
	admin := app.user("admin@example.org", courses.RoleAdmin)
	if err := app.Store.RevokeCertificate(context.Background(), courses.Actor{UserID: admin.ID}, cert.Facts.Code, "Fraude", app.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	res = runVerifier(t, openbadges.VerifierCredentialArgs(script, credFile, map[string]string{listURL: statusList()}))
	if res.Verified || res.Signature != "valid" || res.Revocation != "revoked" {
		t.Fatalf("a revoked credential: %+v", res)
	}
	// The same credential as a VC-JWT, checked by jose against the JWKS.
	jwt := trainee.get(href + "/badge.jwt")
	jwks := app.client("").get("/.well-known/jwks.json")
	if jwt.Status != 200 || jwks.Status != 200 {
		t.Fatalf("jwt %d, jwks %d", jwt.Status, jwks.Status)
	}
	res = runVerifier(t, openbadges.VerifierJWTArgs(script, write("badge.jwt", jwt.Body), write("jwks.json", jwks.Body), ""))
	if !res.Verified {
		t.Fatalf("VC-JWT: %+v", res)
	}
	// And with go-jose, against the same published keys.
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(jwks.Body), &set); err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSigned(strings.TrimSpace(jwt.Body), []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		t.Fatal(err)
	}
	keys := set.Key(jws.Signatures[0].Header.KeyID)
	if len(keys) != 1 {
		t.Fatalf("the JWKS has no key %q", jws.Signatures[0].Header.KeyID)
	}
	payload, err := jws.Verify(keys[0])
	if err != nil || !strings.Contains(string(payload), "María José Peña Conceição") {
		t.Fatalf("go-jose: %v %s", err, payload)
	}
	forged := strings.TrimSpace(jwt.Body)
	forged = forged[:len(forged)-4] + "AAAA"
	if jws, err := jose.ParseSigned(forged, []jose.SignatureAlgorithm{jose.EdDSA}); err == nil {
		if _, err := jws.Verify(keys[0]); err == nil {
			t.Fatal("a forged VC-JWT verifies")
		}
	}
}

// sql is a connection to the test's database under the store, for tampering.
func (a *testApp) sql(t *testing.T) *sqlx.DB {
	t.Helper()
	db, err := sqlx.Open("postgres", a.DBURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
