package openbadges

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Badge is what a course certificate says, in plain values.
type Badge struct {
	CredentialID      string // a UUID; the credential's id is "urn:uuid:"+CredentialID
	Code              string // the certificate's public code, shown in the credential's name
	HolderName        string
	HolderEmail       string // published only as a salted hash
	Salt              string // the hash's salt; empty: derived from CredentialID
	Language          string // es, en or pt: the language of the texts below
	CourseSlug        string
	CourseTitle       string
	CourseDescription string
	Hours             int
	Criteria          string // what the holder did to earn it, already translated
	VerifyURL         string // the certificate's public verification page
	ValidFrom         time.Time
	ValidUntil        time.Time // zero: no expiry
	StatusListURL     string
	StatusIndex       int
}

type profile struct {
	ID   string   `json:"id"`
	Type []string `json:"type"`
	Name string   `json:"name"`
	URL  string   `json:"url,omitempty"`
}

type credential struct {
	Context           []string           `json:"@context"`
	ID                string             `json:"id"`
	Type              []string           `json:"type"`
	Issuer            profile            `json:"issuer"`
	Name              string             `json:"name"`
	Description       string             `json:"description,omitempty"`
	ValidFrom         string             `json:"validFrom"`
	ValidUntil        string             `json:"validUntil,omitempty"`
	CredentialSubject achievementSubject `json:"credentialSubject"`
	Evidence          []evidence         `json:"evidence,omitempty"`
	CredentialStatus  statusEntry        `json:"credentialStatus"`
	Proof             *Proof             `json:"proof,omitempty"`
}

type achievementSubject struct {
	Type        []string         `json:"type"`
	Name        string           `json:"name,omitempty"`
	Identifier  []identityObject `json:"identifier"`
	Achievement achievement      `json:"achievement"`
}

type identityObject struct {
	Type         string `json:"type"`
	IdentityHash string `json:"identityHash"`
	IdentityType string `json:"identityType"`
	Hashed       bool   `json:"hashed"`
	Salt         string `json:"salt"`
}

type achievement struct {
	ID              string   `json:"id"`
	Type            []string `json:"type"`
	AchievementType string   `json:"achievementType"`
	Name            string   `json:"name"`
	Description     string   `json:"description"`
	Criteria        criteria `json:"criteria"`
	InLanguage      string   `json:"inLanguage,omitempty"`
}

type criteria struct {
	Narrative string `json:"narrative"`
}

type evidence struct {
	ID   string   `json:"id"`
	Type []string `json:"type"`
	Name string   `json:"name"`
}

type statusEntry struct {
	ID                   string `json:"id"`
	Type                 string `json:"type"`
	StatusPurpose        string `json:"statusPurpose"`
	StatusListIndex      string `json:"statusListIndex"`
	StatusListCredential string `json:"statusListCredential"`
}

// IdentityHash is the Open Badges hash of an email: "sha256$" and the hex SHA-256 of the
// address (trimmed, lower-cased) followed by the salt.
func IdentityHash(email, salt string) string {
	h := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email)) + salt))
	return "sha256$" + hex.EncodeToString(h[:])
}

// salt is the badge's salt, or one derived from its credential id: unique to the
// credential (so equal emails do not hash alike across credentials) and reproducible.
func (b Badge) salt() string {
	if b.Salt != "" {
		return b.Salt
	}
	h := sha256.Sum256([]byte("aula openbadges salt " + b.CredentialID))
	return hex.EncodeToString(h[:16])
}

func (b Badge) check() error {
	var missing []string
	for _, f := range []struct{ name, v string }{
		{"CredentialID", b.CredentialID}, {"Code", b.Code}, {"HolderName", b.HolderName},
		{"HolderEmail", b.HolderEmail}, {"CourseSlug", b.CourseSlug}, {"CourseTitle", b.CourseTitle},
		{"Criteria", b.Criteria}, {"VerifyURL", b.VerifyURL}, {"StatusListURL", b.StatusListURL},
	} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	if b.ValidFrom.IsZero() {
		missing = append(missing, "ValidFrom")
	}
	if len(missing) > 0 {
		return fmt.Errorf("openbadges: badge lacks %s", strings.Join(missing, ", "))
	}
	if b.StatusIndex < 0 {
		return errors.New("openbadges: negative status index")
	}
	if !b.ValidUntil.IsZero() && !b.ValidUntil.After(b.ValidFrom) {
		return errors.New("openbadges: ValidUntil is not after ValidFrom")
	}
	return nil
}

// Credential is the signed OpenBadgeCredential of a badge, with its eddsa-rdfc-2022 proof
// made at ValidFrom.
func Credential(iss Issuer, key Key, b Badge) ([]byte, error) {
	c, err := unsigned(iss, key, b)
	if err != nil {
		return nil, err
	}
	return signed(c, key, c.Issuer.ID, b.ValidFrom, &c.Proof)
}

// signed returns v's JSON with its proof set: the proof signs v as it is without it.
func signed(v any, key Key, did string, created time.Time, proof **Proof) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	p, err := sign(body, key, verificationMethod(did, key.Public()), created)
	if err != nil {
		return nil, err
	}
	*proof = &p
	return json.MarshalIndent(v, "", "  ")
}

func unsigned(iss Issuer, key Key, b Badge) (*credential, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	if iss.PublicURL == nil || iss.Name == "" {
		return nil, errors.New("openbadges: the issuer needs a public URL and a name")
	}
	pub := key.Public()
	c := &credential{
		Context: []string{ContextVC, ContextOB},
		ID:      "urn:uuid:" + b.CredentialID,
		Type:    []string{"VerifiableCredential", "OpenBadgeCredential"},
		Issuer: profile{
			ID: IssuerDID(iss, pub.Key), Type: []string{"Profile"}, Name: iss.Name, URL: iss.PublicURL.String(),
		},
		Name:        fmt.Sprintf("%s · %s", b.CourseTitle, b.Code),
		Description: description(b),
		ValidFrom:   timestamp(b.ValidFrom),
		CredentialSubject: achievementSubject{
			Type: []string{"AchievementSubject"},
			Name: b.HolderName,
			Identifier: []identityObject{{
				Type: "IdentityObject", IdentityHash: IdentityHash(b.HolderEmail, b.salt()),
				IdentityType: "emailAddress", Hashed: true, Salt: b.salt(),
			}},
			Achievement: achievement{
				ID:              iss.PublicURL.JoinPath("courses", b.CourseSlug).String(),
				Type:            []string{"Achievement"},
				AchievementType: "Course",
				Name:            b.CourseTitle,
				Description:     firstNonEmpty(b.CourseDescription, b.CourseTitle),
				Criteria:        criteria{Narrative: b.Criteria},
				InLanguage:      b.Language,
			},
		},
		Evidence: []evidence{{ID: b.VerifyURL, Type: []string{"Evidence"}, Name: b.Code}},
		CredentialStatus: statusEntry{
			ID:                   b.StatusListURL + "#" + strconv.Itoa(b.StatusIndex),
			Type:                 "BitstringStatusListEntry",
			StatusPurpose:        "revocation",
			StatusListIndex:      strconv.Itoa(b.StatusIndex),
			StatusListCredential: b.StatusListURL,
		},
	}
	if !b.ValidUntil.IsZero() {
		c.ValidUntil = timestamp(b.ValidUntil)
	}
	return c, nil
}

// description names the holder, the hours and the code, in no language's words.
func description(b Badge) string {
	parts := []string{b.HolderName, b.CourseTitle}
	if b.Hours > 0 {
		parts = append(parts, strconv.Itoa(b.Hours)+" h")
	}
	return strings.Join(append(parts, b.Code, b.VerifyURL), " · ")
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
