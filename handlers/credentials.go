package handlers

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/courses/certpdf"
	"github.com/aula-school/aula/courses/openbadges"
	"github.com/gin-gonic/gin"
)

// The school's published keys and revocation list, and the files a certificate is
// downloaded as: its PDF and its Open Badges 3.0 credential.

// revocationListPath is the stable URL of the school's revocation list, which every
// credential's credentialStatus names.
const revocationListPath = "/credentials/revocation"

func (a *App) issuer() openbadges.Issuer {
	return openbadges.Issuer{PublicURL: a.Config.BaseURL, Name: a.Store.School()}
}

func (a *App) absolute(path string) string {
	return strings.TrimSuffix(a.Config.BaseURL.String(), "/") + path
}

func (a *App) verifyURL(code string) string { return a.absolute("/verify/" + code) }

// publicKeys are every key the school has signed with, as the JWKS and DID document list them.
func (a *App) publicKeys() ([]openbadges.PublicKey, error) {
	keys, err := a.Store.SigningKeys()
	if err != nil {
		return nil, err
	}
	list := make([]openbadges.PublicKey, len(keys))
	for i, k := range keys {
		list[i] = openbadges.PublicKey{ID: k.ID, Key: k.Public}
	}
	return list, nil
}

func (a *App) signingKey() (openbadges.Key, error) {
	k, err := a.Store.CurrentSigningKey()
	return openbadges.Key{ID: k.ID, Private: k.Private}, err
}

// jwks serves the school's public keys for JOSE verifiers of the VC-JWT.
func (a *App) jwks(c *gin.Context) {
	keys, err := a.publicKeys()
	if err != nil {
		a.fail(c, err)
		return
	}
	body, err := openbadges.JWKS(a.issuer(), keys)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "application/jwk-set+json", body)
}

// didDocument serves the school's did:web document; a school not on https has none (its
// credentials are issued by the did:key of its key).
func (a *App) didDocument(c *gin.Context) {
	keys, err := a.publicKeys()
	if err != nil {
		a.fail(c, err)
		return
	}
	body, err := openbadges.DIDDocument(a.issuer(), keys)
	if err != nil {
		a.notFound(c)
		return
	}
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "application/did+json", body)
}

// statusLists keeps the last revocation list signed by this instance, under what it says:
// a list is signed again only when a revocation changes it, and a copy kept can never be
// stale, being looked up by its contents.
type statusLists struct {
	mu   sync.Mutex
	key  [32]byte
	body []byte
}

func (a *App) revocationList(c *gin.Context) {
	revoked, size, changed, err := a.Store.RevocationList(c.Request.Context())
	if err != nil {
		a.fail(c, err)
		return
	}
	signer, err := a.signingKey()
	if err != nil {
		a.fail(c, err)
		return
	}
	if changed.IsZero() {
		changed = time.Unix(0, 0).UTC()
	}
	blocks := max(1, (size+openbadges.MinStatusListBits-1)/openbadges.MinStatusListBits) // the list's length, in the steps it grows by
	key := sha256.Sum256(fmt.Appendf(nil, "%s|%s|%d|%v", signer.ID, changed.Format(time.RFC3339Nano), blocks, revoked))
	a.statusLists.mu.Lock()
	body := a.statusLists.body
	if a.statusLists.key != key {
		body = nil
	}
	a.statusLists.mu.Unlock()
	if body == nil {
		if body, err = openbadges.StatusList(a.issuer(), signer, a.absolute(revocationListPath), revoked, size, changed.Truncate(time.Second)); err != nil {
			a.fail(c, err)
			return
		}
		a.statusLists.mu.Lock()
		a.statusLists.key, a.statusLists.body = key, body
		a.statusLists.mu.Unlock()
	}
	// Verifiers must see a revocation soon: a minute's caching at most.
	c.Header("Cache-Control", "public, max-age=60")
	c.Data(http.StatusOK, "application/vc+ld+json", body)
}

// badge is the certificate as an Open Badges 3.0 credential, signed with the school's key.
func (a *App) badge(cert courses.Certificate) ([]byte, error) {
	signer, err := a.signingKey()
	if err != nil {
		return nil, err
	}
	f := cert.Facts
	lang := f.Language
	b := openbadges.Badge{CredentialID: f.CredentialID, Code: courses.FormatCode(f.Code), HolderName: f.Holder,
		HolderEmail: f.HolderEmail, Language: lang, CourseSlug: f.CourseSlug, CourseTitle: f.Course,
		CourseDescription: a.i18n.translate(lang, "certificate.badge_description", "Course", f.Course, "Hours", f.Hours),
		Hours:             f.Hours, Criteria: a.i18n.translate(lang, "certificate.badge_criteria", "Course", f.Course),
		VerifyURL: a.verifyURL(f.Code), ValidFrom: f.IssuedAt, StatusListURL: a.absolute(revocationListPath), StatusIndex: f.StatusIndex}
	if f.ExpiresOn != "" {
		until, err := time.Parse(time.DateOnly, f.ExpiresOn)
		if err != nil {
			return nil, err
		}
		// Valid through its last day; never before its start (only a changed row could be).
		b.ValidUntil = until.Add(24*time.Hour - time.Second)
		if !b.ValidUntil.After(f.IssuedAt) {
			b.ValidUntil = f.IssuedAt.Add(time.Second)
		}
	}
	return openbadges.Credential(a.issuer(), signer, b)
}

// certificatePDF renders the certificate from its stored, signed facts, in its holder's
// language: the same bytes at every download.
func (a *App) certificatePDF(cert courses.Certificate) ([]byte, error) {
	f := cert.Facts
	lang := f.Language
	t := func(id string) string { return a.i18n.translate(lang, id) }
	day := func(s string) time.Time {
		d, _ := time.Parse(time.DateOnly, s)
		return d
	}
	doc := certpdf.Certificate{School: f.School, Holder: f.Holder, Course: f.Course, Hours: f.Hours,
		CompletedOn: day(f.CompletedOn), IssuedOn: f.IssuedAt, Code: courses.FormatCode(f.Code), VerifyURL: a.verifyURL(f.Code),
		Language: lang, Labels: certpdf.Labels{Title: t("certificate.pdf.title"), Certifies: t("certificate.pdf.certifies"),
			Completed: t("certificate.pdf.completed"), Hours: t("certificate.pdf.hours"), CompletedOn: t("certificate.completed_on"),
			IssuedOn: t("certificate.issued_on"), ExpiresOn: t("certificate.expires_on"), Code: t("certificate.code"),
			Verify: t("certificate.pdf.verify")}}
	if f.ExpiresOn != "" {
		doc.ExpiresOn = day(f.ExpiresOn)
	}
	for _, s := range f.Signatories {
		doc.Signatories = append(doc.Signatories, certpdf.Signatory{Name: s.Name, Title: s.Title})
	}
	return certpdf.Render(doc)
}

// linkedInURL is LinkedIn's documented "add a certification to your profile" link, filled in;
// a plain link, so nothing is sent to LinkedIn until the holder follows it.
func (a *App) linkedInURL(cert courses.Certificate) string {
	f := cert.Facts
	q := url.Values{}
	q.Set("startTask", "CERTIFICATION_NAME")
	q.Set("name", f.Course)
	q.Set("organizationName", f.School)
	q.Set("issueYear", f.IssuedAt.Format("2006"))
	q.Set("issueMonth", f.IssuedAt.Format("1"))
	if f.ExpiresOn != "" {
		q.Set("expirationYear", f.ExpiresOn[:4])
		q.Set("expirationMonth", strings.TrimPrefix(f.ExpiresOn[5:7], "0"))
	}
	q.Set("certUrl", a.verifyURL(f.Code))
	q.Set("certId", courses.FormatCode(f.Code))
	return "https://www.linkedin.com/profile/add?" + q.Encode()
}

// attachment names a download after the course and the code.
func attachment(c *gin.Context, cert courses.Certificate, ext string) {
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.%s"`, cert.Facts.CourseSlug, cert.Facts.Code, ext))
}

// badgeJWT is the same credential as a VC-JWT, for JOSE verifiers (keys at the JWKS).
func (a *App) badgeJWT(cert courses.Certificate) (string, error) {
	signed, err := a.badge(cert)
	if err != nil {
		return "", err
	}
	signer, err := a.signingKey()
	if err != nil {
		return "", err
	}
	return openbadges.JWT(signer, signed)
}

// signatures remembers which certificates' signatures this instance has checked and found
// good, under a digest of everything the check read (the key, what the certificate says and
// its signature): a row changed in any way is another entry, checked afresh, so nothing kept
// can vouch for a tampered certificate. It saves an Ed25519 verification (a quarter of a
// verification page's time) on every look-up of a certificate seen before.
type signatures struct {
	mu   sync.Mutex
	good map[[32]byte]struct{}
}

const maxRememberedSignatures = 100_000

func (a *App) certificateStatus(cert courses.Certificate) courses.CertificateStatus {
	pub := a.Store.PublicKey(cert.KeyID)
	h := sha256.New()
	h.Write(pub)
	h.Write(cert.Signature)
	h.Write(cert.Facts.Canonical())
	var key [32]byte
	h.Sum(key[:0])
	a.signatures.mu.Lock()
	_, known := a.signatures.good[key]
	a.signatures.mu.Unlock()
	if !known && cert.SignatureHolds(pub) {
		known = true
		a.signatures.mu.Lock()
		if a.signatures.good == nil || len(a.signatures.good) >= maxRememberedSignatures {
			a.signatures.good = map[[32]byte]struct{}{}
		}
		a.signatures.good[key] = struct{}{}
		a.signatures.mu.Unlock()
	}
	return cert.StatusGiven(known, a.now())
}
